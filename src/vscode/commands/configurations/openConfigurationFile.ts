import * as vscode from 'vscode';
import type { Services } from '../../services';
import type { ConfigTreeItem } from '../../tree/configTreeProvider';

export const id = 'bootcEphemeral.openConfigurationFile';

/** Open .vscode/bootc-ephemeral.yaml at the configuration (or the first folder's file). */
export async function run(s: Services, item?: ConfigTreeItem): Promise<vscode.TextEditor | undefined> {
  const file = item?.config.file ?? (vscode.workspace.workspaceFolders?.[0] && s.configs.fileOf(vscode.workspace.workspaceFolders[0]));
  if (!file) return undefined;
  const doc = await vscode.workspace.openTextDocument(file);
  const editor = await vscode.window.showTextDocument(doc);
  if (item) {
    const at = doc.positionAt(item.config.range[0]);
    editor.selection = new vscode.Selection(at, at);
    editor.revealRange(new vscode.Range(at, at), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }
  return editor;
}
