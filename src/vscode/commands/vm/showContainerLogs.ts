import * as vscode from 'vscode';
import type { Services } from '../../services';
import { pickVm } from './pickVm';
import { podmanStreams } from '../../../engine/podman/commands';

export const id = 'bootcEphemeral.showContainerLogs';

/** `podman logs -f` of the VM container in a terminal (argv, no shell). */
export async function run(s: Services, arg?: unknown): Promise<vscode.Terminal | undefined> {
  const vm = await pickVm(s, arg, () => true, vscode.l10n.t('Show the container logs of'));
  if (!vm) return undefined;
  const podman = s.podman();
  const args = podman.argsFor(podmanStreams.logs(vm.id, true).args);
  s.logger.command([podman.binary, ...args]);
  const t = vscode.window.createTerminal({ name: `Logs: ${vm.name}`, shellPath: podman.binary, shellArgs: args, iconPath: new vscode.ThemeIcon('list-flat'), isTransient: true });
  t.show();
  return t;
}
