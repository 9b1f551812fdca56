import type { Duplex } from 'node:stream';
import { EngineError } from '../errors';
import { nodeStream } from '../lazyDeps';
import type { Podman } from '../podman/podman';
import { podmanGuestAccess, podmanStreams } from '../podman/commands';
import { CONSOLE_TCP_PORT_IN_CONTAINER, CONTAINER_PATHS, GUEST_SSH_PORT_IN_CONTAINER, virtiofsdLogInContainer } from '../plan/containerPaths';
import { readDropped, readLogHead, readLogTail, streamLog, type FollowOptions } from '../guest/logs';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { backlogOf, connectConsole, consoleSocketPath, CONSOLE_BACKLOG_BYTES } from '../guest/console';
import { logCapLayout } from '../guest/logLayout';
import { DEFAULT_LOG_CAP_BYTES } from '../options/types';
import { remoteLogHead, remoteLogTail, streamRemoteLog, type RemoteLog } from './remoteLogs';
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

function remoteLog(podman: Podman, vm: VmInfo, log: VmLog): RemoteLog {
  if (vm.origin !== 'bootc-ephemeral') throw new EngineError(l10n.t('{0} was not started by bootc-ephemeral: its guest logs are not kept', vm.name));
  const capped = log !== 'virtiofsd';
  return { podman, id: vm.id, running: vm.podmanState === 'running', file: IN_CONTAINER[log], layout: capped ? logCapLayout(logCapOf(vm)) : undefined };
}

/** The cap the VM was started with (its recorded options; a number only). */
function logCapOf(vm: VmInfo): number {
  const cap = vm.options?.logCapBytes;
  return typeof cap === 'number' && Number.isSafeInteger(cap) && cap > 0 ? cap : DEFAULT_LOG_CAP_BYTES;
}

/** At most the first `bytes` of a VM's log (empty when there is none yet): what readiness and the boot timeline read. */
export async function readVmLogHead(podman: Podman, vm: VmInfo, log: VmLog, bytes: number): Promise<Buffer> {
  if (!podman.remote) return readLogHead(localLogPath(vm, log), bytes);
  return remoteLogHead(remoteLog(podman, vm, log), bytes);
}

/** At most the last `bytes` of a VM's log: the console's backlog, a failure's last lines. */
export async function readVmLogTail(podman: Podman, vm: VmInfo, log: VmLog, bytes: number): Promise<Buffer> {
  if (!podman.remote) return readLogTail(localLogPath(vm, log), bytes);
  return remoteLogTail(remoteLog(podman, vm, log), bytes);
}

/**
 * Streams a VM's log from its first byte in pieces (memory stays flat whatever the guest wrote), with
 * a notice where the cap dropped output; with `follow`, until the VM stops or the signal aborts.
 */
export async function streamVmLog(podman: Podman, vm: VmInfo, log: VmLog, onData: (chunk: Buffer) => void, opts: FollowOptions & { follow: boolean }): Promise<void> {
  if (!podman.remote) return streamLog(localLogPath(vm, log), onData, opts);
  return streamRemoteLog(remoteLog(podman, vm, log), onData, opts);
}

/** What --max-log-size dropped of each guest output of a local VM (its writers' `.dropped` counts); {} over a connection. */
export function droppedGuestOutput(podman: Podman, vm: VmInfo): Record<string, number> {
  if (podman.remote || !vm.stateDir || vm.origin !== 'bootc-ephemeral') return {};
  const logs = vmStatePaths(vm.stateDir).logs;
  const out: Record<string, number> = {};
  let names: string[];
  try {
    names = fs.readdirSync(logs);
  } catch {
    return out;
  }
  for (const name of names) {
    // journal.log.dropped, console.log.dropped, <output id>.dropped (logCaps.ts names them)
    const m = /^([a-zA-Z0-9][a-zA-Z0-9_.-]{0,80})\.dropped$/.exec(name);
    const n = m ? readDropped(path.join(logs, m[1])) : undefined;
    if (m && n) out[m[1].replace(/\.log$/, '')] = n;
  }
  return out;
}

/** Follows a VM's log from its first byte until the VM stops or the signal aborts. */
export function followVmLog(podman: Podman, vm: VmInfo, log: VmLog, onData: (chunk: Buffer) => void, opts: FollowOptions = {}): Promise<void> {
  return streamVmLog(podman, vm, log, onData, { ...opts, follow: true });
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
  // a line boundary is looked for in the bytes before the backlog
  return backlogOf(await readVmLogTail(podman, vm, 'console', 2 * CONSOLE_BACKLOG_BYTES).catch(() => Buffer.alloc(0)));
}
