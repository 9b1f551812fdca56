import * as vscode from 'vscode';
import type { Services } from '../../services';
import { pickVm } from './pickVm';
import { stillRunning } from '../../../engine/vm/vms';
import type { VmLog } from '../../../engine/vm/transport';
import { LogTailPseudoterminal, openLogTailTerminal, vmLogSource } from '../../terminals/logTailTerminal';

/** A terminal following one of a VM's logs until the VM ends (journal, console). */
export async function openLogTail(s: Services, arg: unknown, log: VmLog, title: (vmName: string) => string, placeHolder: string): Promise<vscode.Terminal | undefined> {
  const vm = await pickVm(s, arg, (v) => !!v.stateDir, placeHolder);
  if (!vm?.stateDir) return undefined;
  const podman = s.podman();
  const alive = () => stillRunning(podman, vm.id);
  return openLogTailTerminal(title(vm.name), new LogTailPseudoterminal(vmLogSource(podman, vm, log, alive), vscode.l10n.t('[the VM has stopped]')));
}
