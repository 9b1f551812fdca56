import * as vscode from 'vscode';
import type { Services } from '../../services';
import { pickVm } from './pickVm';
import { LogTailPseudoterminal, containerOutputSource, openLogTailTerminal } from '../../terminals/logTailTerminal';

export const id = 'bootcEphemeral.showContainerLogs';

/** The VM container's output (`podman logs -f`), followed until the container ends. */
export async function run(s: Services, arg?: unknown): Promise<vscode.Terminal | undefined> {
  const vm = await pickVm(s, arg, () => true, vscode.l10n.t('Show the container logs of'));
  if (!vm) return undefined;
  const pty = new LogTailPseudoterminal(containerOutputSource(s.podman(), vm), vscode.l10n.t('[the container has ended]'));
  return openLogTailTerminal(vscode.l10n.t('Logs: {0}', vm.name), pty, 'list-flat');
}
