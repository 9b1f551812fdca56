import * as fs from 'node:fs';
import * as os from 'node:os';
import { stateRoot } from '../vm/stateDir';
import { parseMemoryMiB } from './sizes';

export type Accel = 'auto' | 'kvm' | 'tcg';
export const ACCELS: readonly Accel[] = ['auto', 'kvm', 'tcg'];
/** The guest architectures a VM can have (podman's GOARCH names): the QEMU, machine and console differ (plan/machine.ts). */
export type GuestArch = 'amd64' | 'arm64';
export const GUEST_ARCHES: readonly GuestArch[] = ['amd64', 'arm64'];

/**
 * Run options as a person writes them (CLI flags, the run form, the YAML file): strings and lists,
 * named after the `bcvk ephemeral run` flags. `parseRunOptions` turns them into `RunOptions`.
 */
export interface RunOptionsInput {
  image?: string;
  itype?: string;
  memory?: string | number;
  vcpus?: string | number;
  console?: boolean;
  debug?: boolean;
  virtioSerialOut?: string[];
  execute?: string[];
  sshKeygen?: boolean;
  tty?: boolean;
  interactive?: boolean;
  detach?: boolean;
  rm?: boolean;
  name?: string;
  network?: string;
  label?: string[];
  env?: string[];
  debugEntrypoint?: string;
  bind?: string[];
  roBind?: string[];
  systemdUnits?: string;
  bindStorageRo?: boolean;
  addSwap?: string;
  /** the most each file of guest output (journal, console, each --virtio-serial-out) may take on the host */
  maxLogSize?: string;
  mountDiskFile?: string[];
  karg?: string[];
  /** the image's /usr/lib/bootc/kargs.d arguments are applied unless this is set */
  noImageKargs?: boolean;
  /** systemd credentials for the guest: NAME=VALUE, and NAME=PATH read from a file here */
  credential?: string[];
  credentialFile?: string[];
  /** an Ignition config (JSON) for images that run Ignition, served on fw_cfg as bcvk does */
  ignition?: string;
  /** a NoCloud seed folder (user-data, meta-data, optional network-config, vendor-data) for images with cloud-init */
  cloudInit?: string;
  accel?: string;
  /** the guest architecture; default: the image's (podman image inspect) */
  arch?: string;
  /** binds of /, /etc, /proc, /sys, /dev, ... and of the state root are refused unless this is set */
  allowSystemBind?: boolean;
}

export interface BindMount {
  hostPath: string;
  name: string;
  readOnly: boolean;
}

export interface DiskFile {
  file: string;
  name: string;
  format: 'raw' | 'qcow2';
}

/** A systemd credential for the guest: its value given here, or read from a file (on this machine) at launch. */
export type GuestCredential = { name: string; value: string; file?: undefined } | { name: string; file: string; value?: undefined };

export interface VirtioSerialOut {
  name: string;
  file: string;
}

/** Validated, normalised run options: every path absolute, every size in numbers. */
export interface RunOptions {
  image: string;
  itype?: string;
  memoryMiB: number;
  vcpus: number;
  console: boolean;
  debug: boolean;
  virtioSerialOut: VirtioSerialOut[];
  execute: string[];
  sshKeygen: boolean;
  tty: boolean;
  interactive: boolean;
  detach: boolean;
  rm: boolean;
  name?: string;
  network?: string;
  labels: Record<string, string>;
  env: Record<string, string>;
  debugEntrypoint?: string;
  binds: BindMount[];
  systemdUnitsDir?: string;
  bindStorageRo: boolean;
  swapBytes?: number;
  /** --max-log-size in bytes; undefined: DEFAULT_LOG_CAP_BYTES */
  logCapBytes?: number;
  diskFiles: DiskFile[];
  kargs: string[];
  noImageKargs: boolean;
  credentials: GuestCredential[];
  ignitionFile?: string;
  cloudInitDir?: string;
  accel: Accel;
  /** undefined: the image's own architecture */
  arch?: GuestArch;
  allowSystemBind: boolean;
}

export const DEFAULT_MEMORY = '4G';
/** A guest's journal, console and each --virtio-serial-out file take at most this on the host (--max-log-size). */
export const DEFAULT_LOG_CAP_BYTES = 64 * 1024 * 1024;
export const MIN_LOG_CAP_BYTES = 1024 * 1024;
export const MAX_LOG_CAP_BYTES = 16 * 1024 * 1024 * 1024;
export const MIN_MEMORY_MIB = 128;
export const MAX_MEMORY_MIB = 1024 * 1024;
export const MAX_VCPUS = 256;
/** NAME of --bind-storage-ro, as in bcvk. */
export const HOST_STORAGE_MOUNT_NAME = 'hoststorage';

/** What the validator may ask of the host file system (injectable for tests and the form). */
export interface PathProbe {
  kind(p: string): 'dir' | 'file' | 'missing' | 'other';
  cwd(): string;
  cpuCount(): number;
  /** the path with symlinks resolved (as given when it cannot be) */
  real?(p: string): string;
  /** the engine's state root, which no bind may expose */
  stateRoot?(): string;
  /**
   * podman runs on another machine: --bind and --mount-disk-file name paths there, which cannot be
   * checked from here (podman checks them when it creates the container); they must be absolute.
   */
  podmanHostIsRemote?: boolean;
  /**
   * A workspace folder whose configuration gives these options: a path inside it must stay inside it
   * once links are resolved (a link in a repository must not lead a VM to a host file).
   */
  confineTo?: string;
}

export const hostPathProbe: PathProbe = {
  kind(p) {
    try {
      const st = fs.statSync(p);
      return st.isDirectory() ? 'dir' : st.isFile() ? 'file' : 'other';
    } catch {
      return 'missing';
    }
  },
  cwd: () => process.cwd(),
  cpuCount: () => os.availableParallelism?.() ?? os.cpus().length,
  real(p) {
    try {
      return fs.realpathSync(p);
    } catch {
      return p;
    }
  },
  stateRoot,
};

/** For a remote podman connection: the client's files are checked as before, the podman host's are not. */
export const remotePodmanPathProbe: PathProbe = { ...hostPathProbe, podmanHostIsRemote: true };

/** The probe for run options given to this podman: local paths checked here, a remote host's not. */
export function pathProbeFor(podman: { remote: boolean }): PathProbe {
  return podman.remote ? remotePodmanPathProbe : hostPathProbe;
}

/** Host folders a VM must not get (the host's own system, or other VMs' keys) unless allowSystemBind says so. */
const SYSTEM_DIRS = ['/', '/etc', '/usr', '/boot', '/var', '/run', '/bin', '/sbin', '/lib', '/lib64', '/root'];
const SYSTEM_TREES = ['/proc', '/sys', '/dev'];

export function systemBindReason(hostPath: string, stateRootDir: string | undefined): string | undefined {
  const under = (p: string, root: string) => p === root || p.startsWith(root.endsWith('/') ? root : root + '/');
  if (SYSTEM_DIRS.includes(hostPath)) return `${hostPath} is a system folder of the host`;
  const tree = SYSTEM_TREES.find((t) => under(hostPath, t));
  if (tree) return `${hostPath} is under ${tree}, the host's kernel interface`;
  if (stateRootDir && (under(hostPath, stateRootDir) || under(stateRootDir, hostPath))) return `${hostPath} holds the VMs' state (SSH keys) at ${stateRootDir}`;
  return undefined;
}

/** The options before any field is parsed: bcvk's defaults (sizes undefined when no cpu count is given). */
export function runOptionsDefaults(cpuCount?: number): RunOptions {
  return {
    image: '', memoryMiB: cpuCount === undefined ? undefined! : parseMemoryMiB(DEFAULT_MEMORY)!, vcpus: cpuCount!, console: false, debug: false, virtioSerialOut: [], execute: [],
    sshKeygen: false, tty: false, interactive: false, detach: false, rm: false, labels: {}, env: {}, binds: [], bindStorageRo: false,
    diskFiles: [], kargs: [], noImageKargs: false, credentials: [], accel: 'auto', allowSystemBind: false,
  };
}
