import * as fs from 'node:fs';
import type * as net from 'node:net';
import * as crypto from 'node:crypto';
import { execa, nodeNet } from '../lazyDeps';
import type { RunOptions } from '../options/runOptions';
import { HOST_STORAGE_MOUNT_NAME } from '../options/runOptions';
import { EngineError } from '../errors';
import { Podman } from '../podman/podman';
import { isRootless } from '../podman/mode';
import type { HostTools } from '../host/host';
import { probeKvm, tunUsable, type KvmStatus } from '../host/kvm';
import { hostToolsFor, kvmFor } from '../host/remoteTools';
import { buildTar } from '../tar';
import * as path from 'node:path';
import { probeImage } from './kernel';
import { readCredentials } from './credentials';
import { readGuestStorageConf } from './containerStorage';
import { readCloudInitSeed } from './cloudInit';
import { kargsArchitecture, readImageKargs } from './imageKargs';
import { foreignGuestAccel, guestArchFor } from './guestArch';
import { initramfsFor } from '../plan/ownInitramfs';
import { checkNetwork, checkRemoteOptions, checkSubordinateIds, ignitionFor, missingImage, noCloudInit } from './launchChecks';
import { ensureContainerRoot } from '../podman/containerRoot';
import { removeStateDir, reserveStateDir, stateRootFor, vmStatePaths } from './stateDir';
import { generateSshKeys, SshKeys } from '../guest/ssh';
import { readUserUnits } from '../plan/userUnits';
import { buildLaunchPlan, LaunchPlan } from '../plan/launchPlan';
import type { ResolvedAccel } from '../plan/qemu';
import { SUPERVISOR_SCRIPT } from '../plan/supervisorScript';
import { resolveNetwork } from '../plan/network';
import { podmanCommands } from '../podman/commands';
import { collectStateGarbage } from './stateGc';
import * as l10n from '@vscode/l10n';

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
  /** remote podman: the plan dir's files as a tar, copied into the created container before it starts */
  planTar?: Buffer;
  /** removes the state dir (nothing else exists yet) */
  discard(): void;
}


export async function resolveAccel(requested: RunOptions['accel'], warn?: (m: string) => void, probe: () => KvmStatus | Promise<KvmStatus> = probeKvm): Promise<ResolvedAccel> {
  if (requested === 'tcg') return 'tcg';
  const kvm = await probe();
  if (kvm.usable) return 'kvm';
  if (requested === 'kvm') throw new EngineError(l10n.t('KVM was requested but is not usable: {0}', kvm.reason), { field: 'accel', value: 'kvm', hint: l10n.t('use --accel tcg (slow, software emulation) or --accel auto') });
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
    const s = nodeNet().createServer();
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
  const r = await execa().execa(bin, ['-q', file], { reject: false });
  if (r.exitCode !== 0) throw new EngineError(l10n.t('mkswap failed: {0}', r.stderr || (r.message ?? '')), { field: 'add-swap' });
}




/** A state dir younger than this is never taken for a leftover: its launch may be finishing elsewhere. */
const LEFTOVER_MIN_AGE_MS = 60_000;



/**
 * Everything short of starting the container: checks the host, the image and its kernel, then writes
 * the VM's state dir. A failure leaves nothing behind.
 */
export async function prepareLaunch(options: RunOptions, deps: LaunchDeps): Promise<PreparedLaunch> {
  const { podman } = deps;
  if (podman.remote) checkRemoteOptions(options);
  await collectStateGarbage(podman);
  const rootless = (await isRootless(podman)) === true;
  if (rootless && !podman.remote) checkSubordinateIds();
  const identity = await podman.exec(podmanCommands.imageIdentity(options.image));
  if (!identity) throw missingImage(options.image, podman, rootless);
  const imageId = identity.id;
  await checkNetwork(podman, options.network);
  const { network, warning: networkWarning } = resolveNetwork(options.network, { remote: podman.remote, rootless, tunUsable: rootless && !podman.remote ? tunUsable() : undefined });
  if (networkWarning) deps.warn?.(networkWarning);
  const name = options.name ?? generateVmName(options.image);
  const nameTaken = await podman.exec(podmanCommands.containerExists(name));
  if (nameTaken) {
    throw new EngineError(l10n.t('a container named {0} already exists: pick another --name or remove it (bootc-ephemeral rm {1})', name, name), { field: 'name', value: name });
  }
  let hostStorage: { hostPath: string; name: string; readOnly: boolean } | undefined;
  let hostStorageDriver: string | undefined;
  if (options.bindStorageRo) {
    const storage = await podman.exec(podmanCommands.storage());
    const graphRoot = storage?.graphRoot;
    hostStorageDriver = storage?.driver;
    // a remote podman's storage is on its host: podman itself checks the bind there
    if (!graphRoot || (!podman.remote && !fs.existsSync(graphRoot))) throw new EngineError(l10n.t('could not find podman storage for --bind-storage-ro; use --ro-bind instead'), { field: 'bind-storage-ro' });
    hostStorage = { hostPath: graphRoot, name: HOST_STORAGE_MOUNT_NAME, readOnly: true };
  }
  const userUnits = options.systemdUnitsDir ? readUserUnits(options.systemdUnitsDir) : undefined;
  const credentials = readCredentials(options.credentials);
  const ignition = options.ignitionFile ? await ignitionFor(podman, options, imageId) : undefined;
  const cloudInitSeed = options.cloudInitDir ? readCloudInitSeed(options.cloudInitDir) : undefined;
  const sshHostPort = options.sshKeygen && options.network === 'host' ? await freeLocalPort() : undefined;

  // the image is never mounted or executed here: a probe container lists its kernel directories
  const rootImage = await ensureContainerRoot(podman);
  const tools = deps.tools ? deps.tools() : await hostToolsFor(podman, rootImage);
  const arch = guestArchFor(options, identity.architecture, tools.hostArch);
  const accel = foreignGuestAccel(options.accel, arch, tools.hostArch, deps.warn) ?? (await resolveAccel(options.accel, deps.warn, () => kvmFor(podman, rootImage)));
  const { kernel, kargsFiles, storageConf, guestPodman, guestCloudInit, earlySsh, initramfsModules } = await probeImage(podman, rootImage, options.image, imageId, tools);
  if (cloudInitSeed && !guestCloudInit) throw noCloudInit(options);
  const imageKargs = options.noImageKargs ? [] : await readImageKargs(podman, rootImage, options.image, imageId, tools, kargsFiles, kargsArchitecture(arch));
  const containerStorageConf = hostStorage ? await readGuestStorageConf(podman, { rootImage, image: options.image, imageId, tools }, storageConf(), hostStorageDriver, deps.warn) : undefined;

  // a leftover dir of ours goes only if, now, no container has the name and the dir is not brand new
  const root = stateRootFor(podman);
  const stateDir = await reserveStateDir(name, async (dir) => !(await podman.exec(podmanCommands.containerExists(name))) && Date.now() - fs.lstatSync(dir).mtimeMs > LEFTOVER_MIN_AGE_MS, root);
  const discard = () => void removeStateDir(stateDir, root);
  try {
    const keys = options.sshKeygen ? generateSshKeys(name) : undefined;
    if (keys) writeKeys(stateDir, keys);
    const plan = buildLaunchPlan(options, {
      name,
      stateDir,
      tools,
      accel,
      arch,
      kernel,
      initramfs: initramfsFor(tools.busybox, initramfsModules, arch, kernel.version, [...imageKargs.filter((f) => f.applied).flatMap((f) => f.kargs), ...options.kargs]),
      imageKargs,
      credentials,
      ignition,
      rootImage,
      imageId,
      launchId: crypto.randomBytes(8).toString('hex'),
      ssh: keys ? { clientPublicKey: keys.clientPublic, hostPrivateKey: keys.hostPrivate, hostPublicKey: keys.hostPublic } : undefined,
      sshHostPort,
      userUnits,
      hostStorage,
      containerStorageConf,
      guestPodman,
      earlySsh,
      cloudInitSeed,
      supervisorScript: SUPERVISOR_SCRIPT,
      remote: podman.remote,
      rootless,
      network,
    });
    const paths = vmStatePaths(stateDir);
    const inPlanDir = (f: { path: string }) => path.dirname(f.path) === paths.plan;
    if (plan.remote) {
      // the plan travels to the podman host; only what the client keeps is written here
      for (const f of plan.files.filter((f) => !inPlanDir(f))) fs.writeFileSync(f.path, f.content, { mode: f.mode });
      const planTar = buildTar(plan.files.filter(inPlanDir).map((f) => ({ path: path.basename(f.path), type: 'file' as const, mode: f.mode, data: f.content })));
      return { plan, options, accel, name, discard, planTar };
    }
    fs.mkdirSync(paths.plan, { mode: 0o755 });
    fs.mkdirSync(paths.logs, { mode: 0o755 });
    for (const f of plan.files) fs.writeFileSync(f.path, f.content, { mode: f.mode });
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
