import * as vscode from 'vscode';
import type { Services } from '../../services';
import { pickVm } from './pickVm';
import { isRunning } from '../../../engine/vm/vms';

export const id = 'bootcEphemeral.showRunningVms';

/** The status-bar item's quick pick: a running VM, then what to do with it. */
export async function run(s: Services): Promise<void> {
  const vm = await pickVm(s, undefined, isRunning, vscode.l10n.t('Running ephemeral VMs'));
  if (!vm) return;
  const actions = [
    ...(vm.ssh && vm.origin === 'bootc-ephemeral' ? [{ label: vscode.l10n.t('$(terminal) Open SSH Terminal'), command: 'bootcEphemeral.openSshTerminal' }] : []),
    ...(vm.stateDir ? [{ label: vscode.l10n.t('$(output) Tail Journal'), command: 'bootcEphemeral.tailJournal' }] : []),
    { label: vscode.l10n.t('$(debug-stop) Stop'), command: 'bootcEphemeral.stopVm' },
  ];
  const action = await vscode.window.showQuickPick(actions, { placeHolder: vm.name });
  if (action) await vscode.commands.executeCommand(action.command, vm.name);
}
