import * as fs from 'node:fs';
import { EngineError } from '../errors';
import { Podman, PodmanPsEntry } from '../podman/podman';
import { LABELS } from '../podman/labels';
import { refineLocalStates, refineRemoteStates } from './liveness';
import { imagesToInspect, originOf, type VmOrigin } from './origin';
import { GUEST_SSH_PORT_IN_CONTAINER } from '../plan/containerPaths';
import * as path from 'node:path';
import { stateDirOf, removeStateDir, stateRoot, stateRootFor, vmStatePaths } from './stateDir';
import type { SshTarget } from '../guest/ssh';
import { GUEST_ARCHES, type GuestArch, type RunOptions } from '../options/runOptions';
import { sshStream } from './transport';
import { podmanCommands } from '../podman/commands';
import { readinessFromStateDir } from './readiness';
import * as l10n from '@vscode/l10n';
import { imageKargsFromLabel, type ImageKargsFile } from './imageKargs';

/** `unresponsive`: was ready, its sshd no longer answers (a hung guest, sshd stopped); `listVms` with `probeSsh` only. */
export type VmState = 'booting' | 'ready' | 'unresponsive' | 'stopping' | 'failed' | 'exited';
export type { VmOrigin } from './origin';
export { journalSaysReady } from './readiness';

export interface VmInfo {
  id: string;
  name: string;
  image: string;
  origin: VmOrigin;
  podmanState: string;
  state: VmState;
  createdAt?: number;
  startedAt?: number;
  exitedAt?: number;
  exitCode?: number;
  /** started with --rm: podman removes the container (and its logs) as it ends */
  autoRemove?: boolean;
  stateDir?: string;
  accel?: string;
  /** the guest architecture, from our label (VMs before it, and bcvk's: undefined) */
  arch?: GuestArch;
  ssh: boolean;
  /** 127.0.0.1 port that reaches the guest's sshd */
  sshPort?: number;
  /**
   * A running VM of ours with SSH but no port on this host: its sshd is reached through a `podman
   * exec` relay in its container (remote or rootless podman, --network none: plan/network.ts)
   */
  sshRelay?: boolean;
  /** the image's kargs.d files as its launch applied them (from its label, validated) */
  imageKargs?: ImageKargsFile[];
  /** options the VM was started with (env values left out) */
  options?: Partial<RunOptions> & { env?: unknown };
  labels: Record<string, string>;
  /** from the console (guest text, reduced to plain characters): a failed VM's kernel panic; why a running one cannot boot (then failed) */
  panic?: string;
  bootFailure?: string;
}

const parseJson = <T>(text: string | undefined): T | undefined => {
  try { return text ? (JSON.parse(text) as T) : undefined; } catch { return undefined; }
};

const validTime = (t: number | undefined): number | undefined => (typeof t === 'number' && t > 0 ? t : undefined);

/**
 * The options a VM was started with: the state dir's copy (0600, with the --execute commands) when we
 * can read it, else the label's (which leaves out --execute text and env values).
 */
function recordedOptionsOf(stateDir: string | undefined, label: string | undefined): VmInfo['options'] {
  if (stateDir) {
    try {
      const text = fs.readFileSync(vmStatePaths(stateDir).options, 'utf8');
      const o = parseJson<VmInfo['options']>(text);
      if (o && typeof o === 'object') return o;
    } catch {
      /* not ours to read, or gone: the label's copy */
    }
  }
  const o = parseJson<VmInfo['options']>(label);
  return o && typeof o === 'object' ? o : undefined;
}

/** One `podman ps` entry as a VM; undefined for containers that are not VMs (originOf). Pure but for `isReady`. */
export function toVmInfo(
  e: PodmanPsEntry,
  isReady: (stateDir: string | undefined, ssh: boolean) => boolean,
  root = stateRoot(),
  imageLabels: (imageId: string | undefined) => Record<string, string> | undefined = () => undefined,
): VmInfo | undefined {
  const labels = e.Labels ?? {};
  const origin = originOf(e, imageLabels);
  if (!origin) return undefined;
  const name = e.Names?.[0] ?? e.Id.slice(0, 12);
  // derived from the name, never from a label (anyone can label a container, and images lend theirs)
  const stateDir = origin === 'bootc-ephemeral' ? stateDirOf(name, root) : undefined;
  const ssh = labels[LABELS.ssh] === '1';
  const published = (e.Ports ?? []).find((p) => p.container_port === GUEST_SSH_PORT_IN_CONTAINER && (p.protocol ?? 'tcp') === 'tcp');
  // an address only while it can be used
  const sshPort = e.State !== 'running' ? undefined : labels[LABELS.sshHostPort] ? Number(labels[LABELS.sshHostPort]) : published?.host_port;
  let state: VmState;
  switch (e.State) {
    case 'running':
      state = origin === 'bcvk' || isReady(stateDir, ssh) ? 'ready' : 'booting';
      break;
    case 'stopping':
    case 'removing':
      state = 'stopping';
      break;
    case 'exited':
    case 'stopped':
      state = (e.ExitCode ?? 0) === 0 ? 'exited' : 'failed';
      break;
    default:
      state = 'booting';
  }
  return {
    id: e.Id,
    name,
    // our containers run the engine's root image; the bootc image is recorded in a label
    image: (origin === 'bootc-ephemeral' && labels[LABELS.image]) || e.Image,
    origin,
    podmanState: e.State,
    state,
    createdAt: e.Created,
    // podman reports times it does not have as its zero time (-62135596800): not a time
    startedAt: validTime(e.StartedAt),
    exitedAt: validTime(e.ExitedAt),
    exitCode: e.State === 'exited' || e.State === 'stopped' ? e.ExitCode : undefined,
    autoRemove: e.AutoRemove === true,
    stateDir,
    accel: labels[LABELS.accel],
    arch: GUEST_ARCHES.find((a) => a === labels[LABELS.arch]), // a label is untrusted: only a name we boot
    ssh,
    sshPort,
    sshRelay: origin === 'bootc-ephemeral' && ssh && e.State === 'running' && !sshPort,
    options: recordedOptionsOf(stateDir, labels[LABELS.options]),
    imageKargs: origin === 'bootc-ephemeral' ? imageKargsFromLabel(labels[LABELS.imageKargs]) : undefined,
    labels,
  };
}

/**
 * All VMs, ours and bcvk's: one `podman ps` call. Over a remote connection the logs are not here: each
 * running VM of ours not yet known ready has its journal (and console) read in its container
 * (liveness.ts), unless the caller needs no state (`remoteReadiness: false`: the SSH wait, which follows them).
 */
/** `loginGraceMs`: with probeSsh, a VM that logged in that recently is not probed (liveness.ts) */
export async function listVms(podman: Podman, opts: { remoteReadiness?: boolean; probeSsh?: boolean; loginGraceMs?: number } = {}): Promise<VmInfo[]> {
  const entries = await podman.exec(podmanCommands.listContainers());
  const root = stateRootFor(podman);
  const isReady = podman.remote ? (dir: string | undefined) => !!dir && fs.existsSync(vmStatePaths(dir).readyMarker) : readinessFromStateDir;
  const inspect = imagesToInspect(entries);
  const labelsOfImages = inspect.length ? await podman.exec(podmanCommands.imageLabels(inspect)) : new Map<string, Record<string, string>>();
  const vms = entries.map((e) => toVmInfo(e, isReady, root, (id) => (id ? labelsOfImages.get(id) : undefined))).filter((v): v is VmInfo => !!v);
  if (podman.remote && opts.remoteReadiness !== false) await refineRemoteStates(podman, vms);
  if (!podman.remote) await refineLocalStates(vms, !!opts.probeSsh, opts.loginGraceMs);
  return vms;
}

export async function findVm(podman: Podman, nameOrId: string, opts: { remoteReadiness?: boolean } = {}): Promise<VmInfo> {
  const vms = await listVms(podman, opts);
  const vm = vms.find((v) => v.name === nameOrId) ?? vms.find((v) => v.id.startsWith(nameOrId) && nameOrId.length >= 6);
  if (!vm) throw new EngineError(l10n.t('no VM named {0} (see bootc-ephemeral ps)', nameOrId), { field: 'name', value: nameOrId });
  return vm;
}

/** How to reach the VM's sshd with its keys: a 127.0.0.1 port, or through the VM container (remote or rootless podman). */
export function sshTargetOf(vm: VmInfo, podman?: Podman): SshTarget {
  if (vm.origin !== 'bootc-ephemeral') throw new EngineError(l10n.t('{0} was started by bcvk: use "bcvk ephemeral ssh {1}"', vm.name, vm.name));
  if (!vm.ssh || !vm.stateDir) throw new EngineError(l10n.t('{0} was started without SSH (-K / --ssh-keygen)', vm.name), { field: 'name', value: vm.name });
  if (!vm.sshPort && !vm.sshRelay) throw new EngineError(l10n.t('{0} is not running: SSH needs a running VM', vm.name), { field: 'name', value: vm.name });
  const p = vmStatePaths(vm.stateDir);
  let privateKey: string, hostPublicKey: string;
  try {
    privateKey = fs.readFileSync(p.clientKey, 'utf8');
    hostPublicKey = fs.readFileSync(p.guestHostKey, 'utf8').trim();
  } catch {
    throw new EngineError(l10n.t('the SSH keys of {0} are missing from {1}', vm.name, p.ssh));
  }
  if (vm.sshRelay) {
    if (!podman) throw new EngineError(l10n.t('{0} is reached through its container: podman is needed', vm.name));
    return { host: `${vm.name} (through ${podman.describe()})`, port: GUEST_SSH_PORT_IN_CONTAINER, user: 'root', privateKey, hostPublicKey, openStream: () => sshStream(podman, vm) };
  }
  return { host: '127.0.0.1', port: vm.sshPort!, user: 'root', privateKey, hostPublicKey };
}

export async function stopVm(podman: Podman, vm: VmInfo, timeoutSeconds = 10): Promise<void> {
  await podman.exec(podmanCommands.stopContainer(vm.id, timeoutSeconds, `stopping ${vm.name}`));
}

/** Removes the container (stopping it) and its state dir. */
export async function removeVm(podman: Podman, vm: VmInfo): Promise<void> {
  const r = await podman.exec(podmanCommands.removeContainer(vm.id, 5));
  if (r.exitCode !== 0 && (await podman.exec(podmanCommands.containerExists(vm.id)))) {
    throw new EngineError(l10n.t('removing {0} failed: {1}', vm.name, r.stderr.trim()));
  }
  removeStateDirOf(vm);
}

/**
 * Removes a gone VM's state dir, but only the one that VM's launch made: a dir (re)made after the
 * container was created belongs to a newer launch of the same name.
 */
export function removeStateDirOf(vm: VmInfo): boolean {
  if (!vm.stateDir) return false;
  try {
    const madeAt = fs.lstatSync(vmStatePaths(vm.stateDir).owner).mtimeMs;
    if (vm.createdAt !== undefined && madeAt > (vm.createdAt + 2) * 1000) return false;
  } catch {
    return false;
  }
  // the dir was derived from the name under the root of its connection (toVmInfo)
  return removeStateDir(vm.stateDir, path.dirname(vm.stateDir));
}

/** The VM's container runs (it may still be booting). */
export const isRunning = (vm: VmInfo): boolean => vm.podmanState === 'running';

/** The VM runs and was started by us with SSH (-K): SSH terminals, forwards and ssh can use it. */
export const canSsh = (vm: VmInfo): boolean => vm.ssh && isRunning(vm) && vm.origin === 'bootc-ephemeral';

/** Whether the VM (by id) still runs now: one listing. For followers (logs -f, consoles) that end with it. */
export async function stillRunning(podman: Podman, id: string): Promise<boolean> {
  const vm = await findVm(podman, id).catch(() => undefined);
  return !!vm && isRunning(vm);
}

/** Removes each VM (and its state dir); one failure does not stop the others. Returns the failures. */
export async function removeVms(podman: Podman, vms: VmInfo[], onRemoved?: (vm: VmInfo) => void): Promise<{ vm: VmInfo; error: Error }[]> {
  const failures: { vm: VmInfo; error: Error }[] = [];
  for (const vm of vms) {
    try {
      await removeVm(podman, vm);
      onRemoved?.(vm);
    } catch (e) {
      failures.push({ vm, error: e as Error });
    }
  }
  return failures;
}
