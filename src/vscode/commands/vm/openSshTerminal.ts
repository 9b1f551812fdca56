import type { Services } from '../../services';
import { pickVm } from './pickVm';
import { openSshTerminal } from '../../terminals/sshTerminal';

export const id = 'bootcEphemeral.openSshTerminal';
export async function run(s: Services, arg?: unknown): Promise<void> {
  const vm = await pickVm(s, arg, (v) => v.ssh && v.podmanState === 'running' && v.origin === 'bootc-ephemeral');
  if (vm) openSshTerminal(s.podman(), vm.name);
}
