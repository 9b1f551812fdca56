import * as vscode from 'vscode';
import type { Services } from '../../services';
import { listVms, removeVm } from '../../../engine/vm/vms';
import { actOnVms } from './pickVm';

export const id = 'bootcEphemeral.removeAllVms';
export async function run(s: Services): Promise<void> {
  const vms = (await listVms(s.podman())).filter((v) => v.origin === 'bootc-ephemeral');
  if (!vms.length) return;
  const remove = vscode.l10n.t('Remove All');
  const answer = await vscode.window.showWarningMessage(vscode.l10n.t('Remove {0} ephemeral VM(s), running or not?', vms.length), { modal: true }, remove);
  if (answer !== remove) return;
  await actOnVms(s, vms, vscode.l10n.t('Removing {0} VMs...', vms.length), (vm) => removeVm(s.podman(), vm), (failed, total, details) => vscode.l10n.t('Could not remove {0} of {1} VM(s): {2}', failed, total, details));
}
