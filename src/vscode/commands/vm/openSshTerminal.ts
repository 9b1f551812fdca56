import type * as vscode from 'vscode';
import type { Services } from '../../services';
import { pickVm } from './pickVm';
import { openSshTerminal } from '../../terminals/sshTerminal';
import { canSsh } from '../../../engine/vm/vms';

export const id = 'bootcEphemeral.openSshTerminal';
export async function run(s: Services, arg?: unknown): Promise<vscode.Terminal | undefined> {
  const vm = await pickVm(s, arg, canSsh);
  return vm ? openSshTerminal(s.podman(), vm.name) : undefined;
}
