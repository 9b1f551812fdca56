import * as vscode from 'vscode';
import type { Services } from '../services';
import { pickVm } from '../commands/vm/pickVm';
import { SshPseudoterminal } from './sshTerminal';
import { canSsh } from '../../engine/vm/vms';

/** "Ephemeral VM (SSH)" in the terminal + menu: pick a running VM, get an SSH shell in it. */
export function registerSshTerminalProfile(s: Services): vscode.Disposable {
  return vscode.window.registerTerminalProfileProvider('bootcEphemeral.ssh', {
    async provideTerminalProfile() {
      const vm = await pickVm(s, undefined, canSsh, vscode.l10n.t('Open an SSH terminal in'));
      if (!vm) return undefined;
      return new vscode.TerminalProfile({ name: `SSH: ${vm.name}`, pty: new SshPseudoterminal(s.podman(), vm.name), iconPath: new vscode.ThemeIcon('remote') });
    },
  });
}
