import * as vscode from 'vscode';
import type { Services } from '../../services';
import { actOnVms, pickVms } from './pickVm';
import { stopVm, isRunning } from '../../../engine/vm/vms';

export const id = 'bootcEphemeral.stopVm';

/** Stop one VM, or every selected one (the view allows several). */
export async function run(s: Services, arg?: unknown, selection?: unknown): Promise<void> {
  const vms = await pickVms(s, arg, selection, isRunning, vscode.l10n.t('Choose a VM to stop'));
  if (!vms.length) return;
  const title = vms.length === 1 ? vscode.l10n.t('Stopping {0}...', vms[0].name) : vscode.l10n.t('Stopping {0} VMs...', vms.length);
  await actOnVms(s, vms, title, (vm) => stopVm(s.podman(), vm), (failed, total, details) => vscode.l10n.t('Could not stop {0} of {1} VM(s): {2}', failed, total, details));
}
