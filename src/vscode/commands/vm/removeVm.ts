import * as vscode from 'vscode';
import type { Services } from '../../services';
import { pickVm } from './pickVm';
import { removeVm } from '../../../engine/vm/vms';

export const id = 'bootcEphemeral.removeVm';
export async function run(s: Services, arg?: unknown): Promise<void> {
  const vm = await pickVm(s, arg, () => true, vscode.l10n.t('Choose a VM to remove'));
  if (!vm) return;
  try {
    await removeVm(s.podman(), vm);
  } catch (e) {
    void s.logger.showError((e as Error).message);
  }
  await s.tree.refresh();
}
