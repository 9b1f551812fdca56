import * as vscode from 'vscode';
import type { Services } from '../../services';
import { pickVm } from './pickVm';
import { vmStatePaths } from '../../../engine/vm/stateDir';
import { stillRunning } from '../../../engine/vm/vms';
import { openFileTail } from '../../terminals/fileTailTerminal';

/** A terminal following one of a VM's logs in its state dir until the VM ends (journal, console). */
export async function openLogTail(s: Services, arg: unknown, log: 'journalLog' | 'consoleLog', title: string, placeHolder: string): Promise<vscode.Terminal | undefined> {
  const vm = await pickVm(s, arg, (v) => !!v.stateDir, placeHolder);
  if (!vm?.stateDir) return undefined;
  const alive = () => stillRunning(s.podman(), vm.id);
  return openFileTail(`${title}: ${vm.name}`, vmStatePaths(vm.stateDir)[log], alive, vscode.l10n.t('[the VM has stopped]'));
}
