import * as fs from 'node:fs';
import * as net from 'node:net';
import * as crypto from 'node:crypto';
import { execa } from 'execa';
import type { RunOptions } from '../options/runOptions';
import { HOST_STORAGE_MOUNT_NAME } from '../options/runOptions';
import { EngineError, InvalidOptionsError } from '../errors';
import { Podman, cleanStderr } from '../podman/podman';
import { findHostTools, probeKvm, HostTools } from '../host/host';
import { probeKernel } from './kernel';
import { ensureContainerRoot } from '../podman/containerRoot';
import { removeStateDir, reserveStateDir, vmStatePaths } from './stateDir';
import { generateSshKeys, SshKeys } from '../guest/ssh';
import { readUserUnits } from '../plan/userUnits';
import { buildLaunchPlan, LaunchPlan } from '../plan/launchPlan';
import { LABELS } from '../podman/labels';
import type { ResolvedAccel } from '../plan/qemu';
import { SUPERVISOR_SCRIPT } from '../plan/supervisorScript';
import { podmanCommands } from '../podman/commands';
import { collectStateGarbage } from './stateGc';

export interface LaunchDeps {
  podman: Podman;
  /** progress and warnings for the person waiting */
  warn?: (message: string) => void;
  /** host-tool discovery, injectable for tests */
  tools?: () => HostTools;
}

export interface PreparedLaunch {
  plan: LaunchPlan;
  options: RunOptions;
  accel: ResolvedAccel;
  name: string;
  /** removes the state dir (nothing else exists yet) */
  discard(): void;
}

export function resolveAccel(requested: RunOptions['accel'], warn?: (m: string) => void): ResolvedAccel {
  if (requested === 'tcg') return 'tcg';
  const kvm = probeKvm();
  if (kvm.usable) return 'kvm';
  if (requested === 'kvm') throw new EngineError(`KVM was requested but is not usable: ${kvm.reason}`, { field: 'accel', value: 'kvm', hint: 'use --accel tcg (slow, software emulation) or --accel auto' });
  warn?.(`KVM is not usable (${kvm.reason}); using QEMU TCG software emulation: boots take tens of seconds`);
  return 'tcg';
}

/** A VM name from the image: localhost/bootc-sample:latest -> bootc-sample-3f9a */
export function generateVmName(image: string): string {
  const base = image.replace(/@.*$/, '').replace(/:[^/]*$/, '').split('/').pop() ?? 'vm';
  const clean = base.replace(/[^a-zA-Z0-9_.-]/g, '-').replace(/^[^a-zA-Z0-9]+/, '').slice(0, 40) || 'vm';
  return `${clean}-${crypto.randomBytes(2).toString('hex')}`;
}

function freeLocalPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

function writeKeys(stateDir: string, keys: SshKeys): void {
  const p = vmStatePaths(stateDir);
  fs.mkdirSync(p.ssh, { mode: 0o700 });
  fs.writeFileSync(p.clientKey, keys.clientPrivate, { mode: 0o600 });
  fs.writeFileSync(p.clientPublicKey, keys.clientPublic + '\n', { mode: 0o644 });
  fs.writeFileSync(p.guestHostKey, keys.hostPublic + '\n', { mode: 0o644 });
}

async function mkswap(file: string, bytes: number): Promise<void> {
  const fd = fs.openSync(file, 'w', 0o600);
  try {
    fs.ftruncateSync(fd, bytes);
  } finally {
    fs.closeSync(fd);
  }
  const bin = ['/usr/sbin/mkswap', '/sbin/mkswap'].find((p) => fs.existsSync(p)) ?? 'mkswap';
  const r = await execa(bin, ['-q', file], { reject: false });
  if (r.exitCode !== 0) throw new EngineError(`mkswap failed: ${r.stderr || r.message}`, { field: 'add-swap' });
}

/** A state dir younger than this is never taken for a leftover: its launch may be finishing elsewhere. */
const LEFTOVER_MIN_AGE_MS = 60_000;

/** podman's own network modes; any other --network must name an existing podman network. */
const NETWORK_MODES = /^(none|host|bridge|private|slirp4netns(:[^\s]*)?|pasta(:[^\s]*)?)$/;

async function checkNetwork(podman: Podman, network: string | undefined): Promise<void> {
  if (!network || NETWORK_MODES.test(network)) return;
  if (await podman.exec(podmanCommands.networkExists(network))) return;
  throw new InvalidOptionsError([{ field: 'network', value: network, message: 'no such podman network (see podman network ls); or one of none, host, bridge, private, slirp4netns, pasta' }]);
}

/**
 * Everything short of starting the container: checks the host, the image and its kernel, then writes
 * the VM's state dir. A failure leaves nothing behind.
 */
export async function prepareLaunch(options: RunOptions, deps: LaunchDeps): Promise<PreparedLaunch> {
  const { podman } = deps;
  await collectStateGarbage(podman);
  const tools = (deps.tools ?? (() => findHostTools()))();
  const imageId = await podman.exec(podmanCommands.imageId(options.image));
  if (!imageId) {
    throw new EngineError(`image ${options.image} is not in local podman storage (the VM never pulls): build it or pull it first`, { field: 'image', value: options.image });
  }
  await checkNetwork(podman, options.network);
  const name = options.name ?? generateVmName(options.image);
  const nameTaken = await podman.exec(podmanCommands.containerExists(name));
  if (nameTaken) {
    throw new EngineError(`a container named ${name} already exists: pick another --name or remove it (bootc-ephemeral rm ${name})`, { field: 'name', value: name });
  }
  const accel = resolveAccel(options.accel, deps.warn);
  let hostStorage: { hostPath: string; name: string; readOnly: boolean } | undefined;
  if (options.bindStorageRo) {
    const graphRoot = await podman.exec(podmanCommands.storageRoot());
    if (!graphRoot || !fs.existsSync(graphRoot)) throw new EngineError('could not find podman storage for --bind-storage-ro; use --ro-bind instead', { field: 'bind-storage-ro' });
    hostStorage = { hostPath: graphRoot, name: HOST_STORAGE_MOUNT_NAME, readOnly: true };
  }
  const userUnits = options.systemdUnitsDir ? readUserUnits(options.systemdUnitsDir) : undefined;
  const sshHostPort = options.sshKeygen && options.network === 'host' ? await freeLocalPort() : undefined;

  // the image is never mounted or executed here: a probe container lists its kernel directories
  const rootImage = await ensureContainerRoot(podman);
  const kernel = await probeKernel(podman, rootImage, options.image, imageId, tools);

  // a leftover dir of ours goes only if, now, no container has the name and the dir is not brand new
  const stateDir = await reserveStateDir(name, async (dir) => !(await podman.exec(podmanCommands.containerExists(name))) && Date.now() - fs.lstatSync(dir).mtimeMs > LEFTOVER_MIN_AGE_MS);
  const discard = () => void removeStateDir(stateDir);
  try {
    const keys = options.sshKeygen ? generateSshKeys(name) : undefined;
    if (keys) writeKeys(stateDir, keys);
    const plan = buildLaunchPlan(options, {
      name,
      stateDir,
      tools,
      accel,
      kernel,
      rootImage,
      imageId,
      launchId: crypto.randomBytes(8).toString('hex'),
      ssh: keys ? { clientPublicKey: keys.clientPublic, hostPrivateKey: keys.hostPrivate, hostPublicKey: keys.hostPublic } : undefined,
      sshHostPort,
      userUnits,
      hostStorage,
      supervisorScript: SUPERVISOR_SCRIPT,
    });
    const paths = vmStatePaths(stateDir);
    fs.mkdirSync(paths.plan, { mode: 0o755 });
    fs.mkdirSync(paths.logs, { mode: 0o755 });
    for (const f of plan.files) fs.writeFileSync(f.path, f.content, { mode: f.mode });
    for (const l of plan.logFiles) fs.writeFileSync(l, '', { mode: 0o644 });
    if (plan.consoleDir) fs.mkdirSync(plan.consoleDir, { mode: 0o700 });
    for (const v of options.virtioSerialOut) if (!fs.existsSync(v.file)) fs.writeFileSync(v.file, '');
    if (plan.swap) await mkswap(plan.swap.hostPath, plan.swap.bytes);
    return { plan, options, accel, name, discard };
  } catch (e) {
    discard();
    // a write that failed on a file descriptor (ENOSPC) names no path: it was in the state dir
    const err = e as NodeJS.ErrnoException;
    if (typeof err?.code === 'string' && err.path === undefined) err.path = stateDir;
    throw e;
  }
}

/** Removes the container this launch created (found by its launch label), never another one of the same name. */
async function removeOwnContainer(prepared: PreparedLaunch, podman: Podman): Promise<void> {
  for (const id of await podman.exec(podmanCommands.containersLabelled(LABELS.launch, prepared.plan.launchId))) await podman.exec(podmanCommands.removeContainer(id));
}

/** Starts the VM container in the background; returns its id. On failure nothing is left behind. */
export async function startDetached(prepared: PreparedLaunch, podman: Podman): Promise<string> {
  if (!prepared.plan.detach) throw new EngineError('startDetached needs a plan made with detach (options.detach)');
  const r = await podman.run(prepared.plan.podmanArgs);
  if (r.exitCode !== 0) {
    await removeOwnContainer(prepared, podman);
    prepared.discard();
    throw new EngineError(`podman could not start the VM container: ${cleanStderr(r.stderr) || `exit ${r.exitCode}`}`);
  }
  return r.stdout.trim().split('\n').pop() ?? '';
}

/** How long a stopping VM container gets before it is removed by force. */
const STOP_GRACE_MS = 20_000;

/**
 * Runs the VM container in the foreground with our stdio; resolves with its exit code. When `signal`
 * aborts (reason: a signal name), the signal is passed on to podman (which passes it to the
 * supervisor: QEMU stops), the container is waited for, and removed by force if it lingers; with
 * --rm the state dir goes too. Nothing prints after this returns.
 */
export async function runForeground(prepared: PreparedLaunch, podman: Podman, signal?: AbortSignal): Promise<number> {
  if (prepared.plan.detach) throw new EngineError('runForeground needs a plan made without detach');
  const child = podman.spawn(prepared.plan.podmanArgs, { stdio: 'inherit' });
  let forced: NodeJS.Timeout | undefined;
  const onAbort = () => {
    child.kill((signal?.reason as NodeJS.Signals | undefined) ?? 'SIGTERM');
    forced = setTimeout(() => void removeOwnContainer(prepared, podman), STOP_GRACE_MS);
  };
  if (signal?.aborted) onAbort();
  else signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const result = await child;
    if (result.exitCode === undefined && !signal?.aborted) throw new EngineError(`podman did not run: ${result.message}`);
    return result.exitCode ?? 1;
  } finally {
    clearTimeout(forced);
    signal?.removeEventListener('abort', onAbort);
    if (signal?.aborted && prepared.options.rm) await removeOwnContainer(prepared, podman);
    if (prepared.options.rm) prepared.discard();
  }
}
