import * as fs from 'node:fs';
import type { Duplex } from 'node:stream';
import { EngineError } from '../errors';
import { nodeStream } from '../lazyDeps';
import type { Podman } from '../podman/podman';
import { podmanGuestAccess, podmanStreams } from '../podman/commands';
import { CONSOLE_TCP_PORT_IN_CONTAINER, CONTAINER_PATHS, GUEST_SSH_PORT_IN_CONTAINER, virtiofsdLogInContainer } from '../plan/containerPaths';
import { firstFileOfTar } from '../tar';
import { followFile, type FollowOptions } from '../guest/logs';
import { backlogOf, connectConsole, consoleSocketPath } from '../guest/console';
import { vmStatePaths } from './stateDir';
import type { VmInfo } from './vms';
import * as l10n from '@vscode/l10n';

/**
 * How the client reaches what a VM writes and listens on. Local podman: the state dir's files and the
 * console socket, and a 127.0.0.1 port for sshd. Remote podman (no shared files, no shared loopback):
 * the same files read in the container with `podman exec` / `podman cp`, and sockets through a
 * `podman exec -i` relay inside the container. Callers never ask which.
 */
export type VmLog = 'journal' | 'console' | 'virtiofsd';

const IN_CONTAINER: Record<VmLog, string> = {
  journal: CONTAINER_PATHS.journalLog,
  console: CONTAINER_PATHS.consoleLog,
  virtiofsd: virtiofsdLogInContainer(),
};

function localLogPath(vm: VmInfo, log: VmLog): string {
  if (!vm.stateDir) throw new EngineError(l10n.t('{0} was not started by bootc-ephemeral: its guest logs are not kept', vm.name));
  const p = vmStatePaths(vm.stateDir);
  return log === 'journal' ? p.journalLog : log === 'console' ? p.consoleLog : p.virtiofsdLog();
}

/** A VM's log as it is now (empty when there is none yet). */
export async function readVmLog(podman: Podman, vm: VmInfo, log: VmLog): Promise<Buffer> {
  if (!podman.remote) {
    try {
      return fs.readFileSync(localLogPath(vm, log));
    } catch (e) {
      if (e instanceof EngineError) throw e;
      return Buffer.alloc(0);
    }
  }
  if (vm.origin !== 'bootc-ephemeral') throw new EngineError(l10n.t('{0} was not started by bootc-ephemeral: its guest logs are not kept', vm.name));
  if (vm.podmanState === 'running') {
    const r = await podman.read(podmanGuestAccess.catFile(vm.id, IN_CONTAINER[log]));
    if (r.exitCode === 0) return r.stdout;
  }
  // stopped (or stopped meanwhile): the logs volume stays until the container is removed
  const r = await podman.read(podmanGuestAccess.copyOut(vm.id, IN_CONTAINER[log]));
  return (r.exitCode === 0 && firstFileOfTar(r.stdout)) || Buffer.alloc(0);
}

/**
 * Streams a VM's log from its first byte until the VM stops or the signal aborts. Remote: one
 * `podman exec tail -F` (it ends with the container), not a poll.
 */
export async function followVmLog(podman: Podman, vm: VmInfo, log: VmLog, onData: (chunk: Buffer) => void, opts: FollowOptions = {}): Promise<void> {
  if (!podman.remote) return followFile(localLogPath(vm, log), onData, opts);
  if (vm.podmanState !== 'running') {
    onData(await readVmLog(podman, vm, log));
    return;
  }
  const child = podman.spawn(podmanGuestAccess.followFile(vm.id, IN_CONTAINER[log]), { stdin: 'ignore', stderr: 'ignore', encoding: 'buffer', buffer: false });
  const stop = () => child.kill('SIGTERM');
  opts.signal?.addEventListener('abort', stop, { once: true });
  child.stdout?.on('data', (chunk: Buffer) => onData(chunk));
  try {
    await child;
  } finally {
    opts.signal?.removeEventListener('abort', stop);
  }
}

/**
 * The VM container's own output (`podman logs`: the supervisor's reasons, QEMU's errors, --console and
 * --execute output), stdout and stderr as they come; with `follow`, until the container ends or the
 * signal aborts. The same call for a local or a remote podman. Resolves with podman's exit code.
 */
export async function followContainerOutput(
  podman: Podman,
  vm: VmInfo,
  onData: (chunk: Buffer, stream: 'stdout' | 'stderr') => void,
  opts: { signal?: AbortSignal; follow: boolean },
): Promise<number> {
  const child = podman.spawn(podmanStreams.logs(vm.id, opts.follow), { stdin: 'ignore', encoding: 'buffer', buffer: false });
  const stop = () => child.kill('SIGTERM');
  opts.signal?.addEventListener('abort', stop, { once: true });
  child.stdout?.on('data', (chunk: Buffer) => onData(chunk, 'stdout'));
  child.stderr?.on('data', (chunk: Buffer) => onData(chunk, 'stderr'));
  try {
    return (await child).exitCode ?? 1;
  } finally {
    opts.signal?.removeEventListener('abort', stop);
  }
}

/** A duplex byte stream to a TCP port on the VM container's loopback, through `podman exec -i`. */
export function relayStream(podman: Podman, vm: VmInfo, port: number): Duplex {
  const child = podman.spawn(podmanGuestAccess.relay(vm.id, port), { stdin: 'pipe', stdout: 'pipe', stderr: 'ignore', encoding: 'buffer', buffer: false });
  const stream = nodeStream().Duplex.from({ readable: child.stdout!, writable: child.stdin! });
  const end = () => {
    if (child.exitCode === null) child.kill('SIGTERM');
  };
  stream.once('close', end);
  stream.once('error', end);
  child.once('exit', () => stream.push(null));
  void child.catch(() => undefined);
  return stream;
}

/** The guest's sshd, as QEMU forwards it inside the VM container (remote VMs never use --network host). */
export function sshStream(podman: Podman, vm: VmInfo): Duplex {
  return relayStream(podman, vm, GUEST_SSH_PORT_IN_CONTAINER);
}

/** The interactive serial console: the socket in the state dir, or the relay to the container's console port. */
export async function openConsole(podman: Podman, vm: VmInfo): Promise<Duplex> {
  if (!podman.remote) return connectConsole(consoleSocketPath(vm));
  if (vm.origin !== 'bootc-ephemeral') throw new EngineError(l10n.t('{0} was not started by bootc-ephemeral: it has no console socket (try `podman attach`)', vm.name));
  if (vm.podmanState !== 'running') throw new EngineError(l10n.t('{0} has no console socket', vm.name), { hint: l10n.t('the VM is not running') });
  if (vm.options?.console) throw new EngineError(l10n.t('{0} has no console socket', vm.name), { hint: l10n.t('VMs started with --console have their console on the container\'s stdio: use `podman attach`') });
  if (vm.options?.network === 'host') throw new EngineError(l10n.t('{0} has no interactive console: over a remote connection with --network host it would listen on the podman host\'s loopback', vm.name));
  return relayStream(podman, vm, CONSOLE_TCP_PORT_IN_CONTAINER);
}

/** What the console showed before we attach (the end of its log). */
export async function readConsoleBacklog(podman: Podman, vm: VmInfo): Promise<Buffer> {
  if (vm.origin !== 'bootc-ephemeral') return Buffer.alloc(0);
  return backlogOf(await readVmLog(podman, vm, 'console').catch(() => Buffer.alloc(0)));
}
