import * as vscode from 'vscode';
import type { Services } from '../services';
import { pickVm } from './pickVm';
import { vmStatePaths } from '../../engine/stateDir';
import { findVm } from '../../engine/vms';
import { openFileTail } from '../terminals/fileTailTerminal';

export const id = 'bootcEphemeral.openConsole';

/** The guest serial console (ttyS0: kernel and boot messages), always logged, followed live. */
export async function run(s: Services, arg?: unknown): Promise<vscode.Terminal | undefined> {
  const vm = await pickVm(s, arg, (v) => !!v.stateDir, vscode.l10n.t('Open the console of'));
  if (!vm?.stateDir) return undefined;
  const alive = async () => (await findVm(s.podman(), vm.id).catch(() => undefined))?.podmanState === 'running';
  return openFileTail(`Console: ${vm.name}`, vmStatePaths(vm.stateDir).consoleLog, alive, vscode.l10n.t('[the VM has stopped]'));
}
