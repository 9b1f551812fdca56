import * as vscode from 'vscode';
import type { Services } from '../../services';
import type { ConfigTreeItem } from '../../tree/configTreeProvider';
import { pickConfigurationFolder } from '../../config/pickFolder';

export const id = 'bootcEphemeral.openConfigurationFile';

/** Open .vscode/bootc-ephemeral.yaml at the configuration (or a folder's file: in a multi-root workspace, the one picked). */
export async function run(s: Services, item?: ConfigTreeItem): Promise<vscode.TextEditor | undefined> {
  const folder = item ? undefined : await pickConfigurationFolder(vscode.l10n.t('Open the configurations of which folder?'));
  const file = item?.config.file ?? (folder && s.configs.fileOf(folder));
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
