import * as vscode from 'vscode';
import type { Services } from '../../services';
import { pickVm } from './pickVm';
import { stillRunning } from '../../../engine/vm/vms';
import { openConsoleTerminal } from '../../terminals/consoleTerminal';

export const id = 'bootcEphemeral.openConsole';

/** The guest serial console (ttyS0): boot messages, then an interactive root shell. */
export async function run(s: Services, arg?: unknown): Promise<vscode.Terminal | undefined> {
  const vm = await pickVm(s, arg, (v) => !!v.stateDir, vscode.l10n.t('Open the console of'));
  if (!vm) return undefined;
  const podman = s.podman();
  const alive = () => stillRunning(podman, vm.id);
  return openConsoleTerminal(podman, vm, alive);
}
