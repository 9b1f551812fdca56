import * as vscode from 'vscode';
import type { Services } from '../../services';
import { pickVm } from '../vm/pickVm';
import { canSsh } from '../../../engine/vm/vms';
import { ForwardTreeItem } from '../../tree/vmTreeProvider';

export const id = 'bootcEphemeral.forwardPort';

function validPort(text: string): string | undefined {
  return /^\d+$/.test(text.trim()) && Number(text) > 0 && Number(text) < 65536 ? undefined : vscode.l10n.t('A port from 1 to 65535');
}

/** Forward a guest port to a local port on 127.0.0.1 (ssh2 forwardOut); shown under the VM. */
export async function run(s: Services, arg?: unknown, guestPortArg?: number, localPortArg?: number): Promise<number | undefined> {
  const vm = await pickVm(s, arg, canSsh, vscode.l10n.t('Forward a port of'));
  if (!vm) return undefined;
  let guestPort = guestPortArg;
  if (guestPort === undefined) {
    const text = await vscode.window.showInputBox({ prompt: vscode.l10n.t('Guest port to forward (e.g. 80)'), validateInput: validPort });
    if (!text) return undefined;
    guestPort = Number(text);
  }
  try {
    const f = await s.forwards.add(vm.name, guestPort, localPortArg ?? 0);
    s.logger.info(`forwarding 127.0.0.1:${f.localPort} -> ${vm.name}:${guestPort}`);
    // show it under its VM (a VM row that had no children stays collapsed otherwise)
    if (s.view.visible) void Promise.resolve(s.view.reveal(new ForwardTreeItem(f), { expand: true, select: false, focus: false })).catch(() => undefined);
    const open = vscode.l10n.t('Open in Browser');
    void vscode.window.showInformationMessage(vscode.l10n.t('Port {0} of {1} is at 127.0.0.1:{2}', guestPort, vm.name, f.localPort), open).then((c) => {
      if (c === open) void vscode.env.openExternal(vscode.Uri.parse(`http://127.0.0.1:${f.localPort}`));
    });
    return f.localPort;
  } catch (e) {
    void s.logger.showError(vscode.l10n.t('Could not forward port {0} of {1}: {2}', guestPort, vm.name, (e as Error).message));
    return undefined;
  }
}
