import * as vscode from 'vscode';
import type { Services } from '../../services';
import { listVms, removeVms } from '../../../engine/vm/vms';

export const id = 'bootcEphemeral.removeAllVms';
export async function run(s: Services): Promise<void> {
  const vms = (await listVms(s.podman())).filter((v) => v.origin === 'bootc-ephemeral');
  if (!vms.length) return;
  const remove = vscode.l10n.t('Remove All');
  const answer = await vscode.window.showWarningMessage(vscode.l10n.t('Remove {0} ephemeral VM(s), running or not?', vms.length), { modal: true }, remove);
  if (answer !== remove) return;
  const failures = await removeVms(s.podman(), vms);
  await s.tree.refresh();
  for (const f of failures) void s.logger.showError(vscode.l10n.t('Failed to remove {0}: {1}', f.vm.name, f.error.message));
}
