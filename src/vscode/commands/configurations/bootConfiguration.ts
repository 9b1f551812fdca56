import * as vscode from 'vscode';
import type { Services } from '../../services';
import { bootFlow } from '../../boot/bootFlow';
import type { ConfigTreeItem } from '../../tree/configTreeProvider';

export const id = 'bootcEphemeral.bootConfiguration';

/** Boot a saved configuration (from the view, or by name / a quick pick). */
export async function run(s: Services, arg?: ConfigTreeItem | string): Promise<string | undefined> {
  let config = typeof arg === 'string' ? s.configs.find(arg) : arg?.config;
  if (!config) {
    const all = s.configs.all();
    if (!all.length) {
      void vscode.window.showInformationMessage(vscode.l10n.t('No saved configurations: use "Add Configuration..." first.'));
      return undefined;
    }
    config = (await vscode.window.showQuickPick(all.map((c) => ({ label: c.name, description: c.input.image ?? c.containerfile, c })), { placeHolder: vscode.l10n.t('Boot which configuration?') }))?.c;
  }
  return config ? bootFlow(s, { configuration: config }) : undefined;
}
