import * as vscode from 'vscode';
import type { Services } from '../../services';
import type { ConfigTreeItem } from '../../tree/configTreeProvider';

export const id = 'bootcEphemeral.deleteConfiguration';
export async function run(s: Services, item?: ConfigTreeItem, confirmed?: boolean): Promise<void> {
  if (!item) return;
  const del = vscode.l10n.t('Delete');
  if (!confirmed && (await vscode.window.showWarningMessage(vscode.l10n.t('Delete the configuration "{0}"?', item.config.name), { modal: true }, del)) !== del) return;
  await s.configs.delete(item.config);
}
