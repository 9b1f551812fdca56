import * as vscode from 'vscode';
import type { Services } from '../../services';
import { actOnVms, pickVms } from './pickVm';
import { removeVm } from '../../../engine/vm/vms';

export const id = 'bootcEphemeral.removeVm';

/** Remove one VM, or every selected one: asked first unless bootcEphemeral.confirmRemove is off. */
export async function run(s: Services, arg?: unknown, selection?: unknown): Promise<void> {
  const vms = await pickVms(s, arg, selection, () => true, vscode.l10n.t('Choose a VM to remove'));
  if (!vms.length) return;
  const settings = vscode.workspace.getConfiguration('bootcEphemeral');
  if (settings.get<boolean>('confirmRemove') ?? true) {
    const remove = vscode.l10n.t('Remove');
    const always = vscode.l10n.t("Remove, Don't Ask Again");
    const question = vms.length === 1 ? vscode.l10n.t('Remove the VM {0}?', vms[0].name) : vscode.l10n.t('Remove {0} VMs ({1})?', vms.length, vms.map((v) => v.name).join(', '));
    const detail = vscode.l10n.t('Their containers are stopped and deleted, with their state (logs, SSH key).');
    const answer = await vscode.window.showWarningMessage(question, { modal: true, detail }, remove, always);
    if (answer !== remove && answer !== always) return;
    if (answer === always) await settings.update('confirmRemove', false, vscode.ConfigurationTarget.Global);
  }
  const title = vms.length === 1 ? vscode.l10n.t('Removing {0}...', vms[0].name) : vscode.l10n.t('Removing {0} VMs...', vms.length);
  await actOnVms(s, vms, title, (vm) => removeVm(s.podman(), vm), (failed, total, details) => vscode.l10n.t('Could not remove {0} of {1} VM(s): {2}', failed, total, details));
}
