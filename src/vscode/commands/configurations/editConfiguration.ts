import * as vscode from 'vscode';
import type { Services } from '../../services';
import type { ConfigTreeItem } from '../../tree/configTreeProvider';
import { RunFormPanel } from '../../webview/runFormPanel';
import { pickConfigurationFolder } from '../../config/pickFolder';

export const id = 'bootcEphemeral.editConfiguration';

/** The run form for a saved configuration (or by name), or for a new one. */
export async function run(s: Services, arg?: ConfigTreeItem | string): Promise<RunFormPanel | undefined> {
  const config = typeof arg === 'string' ? s.configs.find(arg) : arg?.config;
  if (config) return RunFormPanel.show(s, config, config.folder);
  // a new one belongs to a folder: in a multi-root workspace, the one the user picks
  const several = (vscode.workspace.workspaceFolders?.length ?? 0) > 1;
  const folder = several ? await pickConfigurationFolder(vscode.l10n.t('New configuration in which folder?')) : vscode.workspace.workspaceFolders?.[0];
  if (several && !folder) return undefined;
  return RunFormPanel.show(s, undefined, folder);
}
