import * as fs from 'node:fs';
import type * as net from 'node:net';
import * as crypto from 'node:crypto';
import { execa, nodeNet } from '../lazyDeps';
import type { RunOptions } from '../options/runOptions';
import { HOST_STORAGE_MOUNT_NAME } from '../options/runOptions';
import { EngineError, InvalidOptionsError } from '../errors';
import { Podman } from '../podman/podman';
import { isRootless } from '../podman/mode';
import { probeKvm, tunUsable, HostTools, type KvmStatus } from '../host/host';
import { hostToolsFor, kvmFor } from '../host/remoteTools';
import { buildTar } from '../tar';
import * as path from 'node:path';
import { probeImage } from './kernel';
import { readCredentials } from './credentials';
import { imageRunsIgnition, readIgnitionConfig } from './ignition';
import { readGuestStorageConf } from './containerStorage';
import { CLOUD_INIT_BINARY, readCloudInitSeed } from './cloudInit';
import { kargsArchitecture, readImageKargs } from './imageKargs';
import { ensureContainerRoot } from '../podman/containerRoot';
import { removeStateDir, reserveStateDir, stateRootFor, vmStatePaths } from './stateDir';
import { generateSshKeys, SshKeys } from '../guest/ssh';
import { readUserUnits } from '../plan/userUnits';
import { buildLaunchPlan, LaunchPlan } from '../plan/launchPlan';
import type { ResolvedAccel } from '../plan/qemu';
import { SUPERVISOR_SCRIPT } from '../plan/supervisorScript';
import { resolveNetwork } from '../plan/network';
import { currentUser, missingSubordinateIds, subordinateIds, subordinateIdsFix } from '../host/rootless';
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

/** Refused over a remote connection, before anything starts, with what to do instead. */
function checkRemoteOptions(options: RunOptions): void {
  if (options.sshKeygen && options.network === 'host') {
    throw new InvalidOptionsError([{ field: 'network', value: 'host', message: l10n.t('SSH over a remote podman connection needs the VM container\'s own network namespace: leave --network out or use a podman network') }]);
  }
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

/**
 * The image is not in this podman's storage. Rootless, each user has storage of their own: an image
 * built by root (or another user) is not there, so the fix names how to bring it over.
 */
function missingImage(image: string, podman: Podman, rootless: boolean): EngineError {
  const where = podman.remote ? l10n.t('the storage of the podman at {0}', podman.describe()) : rootless ? l10n.t('this user\'s podman storage (rootless: root\'s and other users\' images are not shared)') : l10n.t('local podman storage');
  const hint = rootless && !podman.remote
    ? l10n.t('build it as this user (podman build), or copy root\'s copy: sudo podman save {0} | podman load', image)
    : l10n.t('build it or pull it there first (the VM never pulls)');
  return new EngineError(l10n.t('image {0} is not in {1}', image, where), { field: 'image', value: image, hint });
}

/** A local rootless user needs subordinate ids, or podman fails later in a way that does not say why. */
function checkSubordinateIds(): void {
  const user = currentUser();
  const problem = missingSubordinateIds(user.name, subordinateIds(user));
  if (problem) throw new EngineError(problem, { hint: subordinateIdsFix(user.name).join(' && ') });
}

/** --ignition: only for an image that runs Ignition (else it would be ignored without a word), and a config that is one. */
async function ignitionFor(podman: Podman, options: RunOptions, imageId: string): Promise<Buffer> {
  const labels = (await podman.exec(podmanCommands.imageLabels([imageId]))).get(imageId);
  if (!imageRunsIgnition(labels)) {
    throw new EngineError(l10n.t('image {0} does not run Ignition (it has neither the coreos.ignition nor the com.coreos.osname label): --ignition would be ignored; use --credential or --systemd-units', options.image), { field: 'ignition', value: options.ignitionFile });
  }
  return readIgnitionConfig(options.ignitionFile!);
}

/** A state dir younger than this is never taken for a leftover: its launch may be finishing elsewhere. */
const LEFTOVER_MIN_AGE_MS = 60_000;

/** podman's own network modes; any other --network must name an existing podman network. */
const NETWORK_MODES = /^(none|host|bridge|private|slirp4netns(:[^\s]*)?|pasta(:[^\s]*)?)$/;

async function checkNetwork(podman: Podman, network: string | undefined): Promise<void> {
  if (!network || NETWORK_MODES.test(network)) return;
  if (await podman.exec(podmanCommands.networkExists(network))) return;
  throw new InvalidOptionsError([{ field: 'network', value: network, message: l10n.t('no such podman network (see podman network ls); or one of none, host, bridge, private, slirp4netns, pasta') }]);
}

function noCloudInit(options: RunOptions): EngineError {
  return new EngineError(l10n.t('image {0} has no cloud-init ({1}): --cloud-init would be ignored; use --credential, --systemd-units or --ignition', options.image, CLOUD_INIT_BINARY), { field: 'cloud-init', value: options.cloudInitDir });
}

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
  const accel = await resolveAccel(options.accel, deps.warn, () => kvmFor(podman, rootImage));
  const { kernel, kargsFiles, storageConf, guestPodman, guestCloudInit } = await probeImage(podman, rootImage, options.image, imageId, tools);
  if (cloudInitSeed && !guestCloudInit) throw noCloudInit(options);
  const imageKargs = options.noImageKargs ? [] : await readImageKargs(podman, rootImage, options.image, imageId, tools, kargsFiles, kargsArchitecture(identity.architecture));
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
      kernel,
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
