import * as fs from 'node:fs';
import type * as net from 'node:net';
import { EngineError } from '../errors';
import { nodeNet } from '../lazyDeps';
import { vmStatePaths } from '../vm/stateDir';
import type { VmInfo } from '../vm/vms';
import * as l10n from '@vscode/l10n';

/** Ctrl+] leaves an interactive console, as in telnet and virsh console. */
export const CONSOLE_ESCAPE = '\x1d';

/** How much of the console log to show before going live: enough for the last screens of boot. */
export const CONSOLE_BACKLOG_BYTES = 8 * 1024;

/** Where a VM's interactive serial console listens, or a clear error saying why there is none. */
export function consoleSocketPath(vm: VmInfo): string {
  if (!vm.stateDir) throw new EngineError(l10n.t('{0} was not started by bootc-ephemeral: it has no console socket (try `podman attach`)', vm.name));
  const socket = vmStatePaths(vm.stateDir).consoleSocket;
  if (!fs.existsSync(socket)) {
    throw new EngineError(l10n.t('{0} has no console socket', vm.name), {
      hint: vm.podmanState !== 'running' ? 'the VM is not running' : 'VMs started with --console have their console on the container\'s stdio: use `podman attach`',
    });
  }
  return socket;
}

/** Connects to QEMU's console socket: bytes written go to the guest's ttyS0, its output comes back. */
export function connectConsole(socketPath: string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = nodeNet().connect(socketPath);
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', (e) => reject(new EngineError(l10n.t('cannot connect to the console at {0}: {1}', socketPath, e.message))));
  });
}

/** The end of a console log: what the console showed before we attached, from a line boundary. */
export function backlogOf(data: Buffer, bytes = CONSOLE_BACKLOG_BYTES): Buffer {
  if (data.length <= bytes) return data;
  // start on a line boundary, not inside a character or an escape sequence
  const start = data.indexOf(0x0a, data.length - bytes);
  return start < 0 ? Buffer.alloc(0) : data.subarray(start + 1);
}
