import * as vscode from 'vscode';

/**
 * The workspace folder a configuration command works on: the only one, or (multi-root) the one the user
 * picks, the active file's folder first. Undefined when there is no folder or the pick is dismissed.
 */
export async function pickConfigurationFolder(placeHolder: string): Promise<vscode.WorkspaceFolder | undefined> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folders.length <= 1) {
    if (!folders.length) void vscode.window.showWarningMessage(vscode.l10n.t('Open a folder to save configurations in.'));
    return folders[0];
  }
  const active = vscode.window.activeTextEditor && vscode.workspace.getWorkspaceFolder(vscode.window.activeTextEditor.document.uri);
  const ordered = active ? [active, ...folders.filter((f) => f.index !== active.index)] : [...folders];
  const picked = await vscode.window.showQuickPick(
    ordered.map((folder) => ({ label: folder.name, description: folder === active ? vscode.l10n.t('the active file\'s folder') : vscode.workspace.asRelativePath(folder.uri, true), folder })),
    { placeHolder },
  );
  return picked?.folder;
}
