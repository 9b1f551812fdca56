import * as fs from 'node:fs';
import * as path from 'node:path';
import * as os from 'node:os';
import { INSTANCE_TYPES, instanceTypeNames } from './instanceTypes';
import { parseMemoryMiB, parseSizeBytes } from './sizes';
import { InvalidOptionsError, OptionProblem } from '../errors';
import { stateRoot } from '../vm/stateDir';

export type Accel = 'auto' | 'kvm' | 'tcg';
export const ACCELS: readonly Accel[] = ['auto', 'kvm', 'tcg'];

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
  mountDiskFile?: string[];
  karg?: string[];
  accel?: string;
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
  diskFiles: DiskFile[];
  kargs: string[];
  accel: Accel;
  allowSystemBind: boolean;
}

export const DEFAULT_MEMORY = '4G';
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

const VM_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/;
const MOUNT_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_-]{0,29}$/;
const DISK_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_-]{0,19}$/;
const PORT_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/;
const ENV_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;
const LABEL_KEY = /^[A-Za-z0-9][A-Za-z0-9_./-]*$/;
// one arg per line in the supervisor plan; no control characters anywhere we pass on
const CONTROL = /[\u0000-\u001f\u007f]/;

export function parseRunOptions(input: RunOptionsInput, probe: PathProbe = hostPathProbe): RunOptions {
  const problems: OptionProblem[] = [];
  const bad = (field: string, value: unknown, message: string) => problems.push({ field, value, message });
  const abs = (p: string) => path.resolve(probe.cwd(), p);

  const image = (input.image ?? '').trim();
  if (!image) bad('image', input.image ?? '', 'an image is required (e.g. localhost/bootc-sample:latest)');
  else if (/\s/.test(image) || CONTROL.test(image)) bad('image', input.image, 'an image reference has no spaces');

  // sizing: --itype wins over --memory/--vcpus, as in bcvk
  let memoryMiB = parseMemoryMiB(DEFAULT_MEMORY)!;
  let vcpus = probe.cpuCount();
  if (input.memory !== undefined && input.memory !== '') {
    const parsed = parseMemoryMiB(String(input.memory));
    if (parsed === undefined) bad('memory', input.memory, 'use a number with an optional G, M or K suffix (4G, 1536M, 1.5G; a plain number is MiB)');
    else if (parsed < MIN_MEMORY_MIB || parsed > MAX_MEMORY_MIB) bad('memory', input.memory, `must be between ${MIN_MEMORY_MIB}M and 1024G`);
    else memoryMiB = parsed;
  }
  if (input.vcpus !== undefined && input.vcpus !== '') {
    const text = String(input.vcpus).trim();
    const n = Number(text);
    if (!/^\d+$/.test(text) || n < 1 || n > MAX_VCPUS) bad('vcpus', input.vcpus, `must be a whole number from 1 to ${MAX_VCPUS}`);
    else vcpus = n;
  }
  let itype: string | undefined;
  if (input.itype !== undefined && input.itype !== '') {
    const t = INSTANCE_TYPES[input.itype];
    if (!t) bad('itype', input.itype, `unknown instance type; one of: ${instanceTypeNames().join(', ')}`);
    else {
      itype = input.itype;
      memoryMiB = t.memoryMiB;
      vcpus = t.vcpus;
    }
  }

  let accel: Accel = 'auto';
  if (input.accel !== undefined && input.accel !== '') {
    if ((ACCELS as readonly string[]).includes(input.accel)) accel = input.accel as Accel;
    else bad('accel', input.accel, `must be one of ${ACCELS.join(', ')}`);
  }

  let name: string | undefined;
  if (input.name !== undefined && input.name !== '') {
    if (!VM_NAME.test(input.name)) bad('name', input.name, 'use letters, digits, "_", "." and "-", starting with a letter or digit (at most 63)');
    else name = input.name;
  }

  let network: string | undefined;
  if (input.network !== undefined && input.network !== '') {
    if (/\s/.test(input.network) || CONTROL.test(input.network)) bad('network', input.network, 'a podman network name has no spaces');
    else network = input.network;
  }
  if (network === 'none' && input.sshKeygen) bad('network', network, 'SSH (-K) reaches the VM through a published port; it needs a network other than "none"');

  const labels: Record<string, string> = {};
  for (const l of input.label ?? []) {
    const eq = l.indexOf('=');
    const key = eq < 0 ? l : l.slice(0, eq);
    if (eq < 0 || !LABEL_KEY.test(key) || CONTROL.test(l)) bad('label', l, 'use KEY=VALUE with a key of letters, digits, "_", ".", "/" and "-"');
    else if (key.startsWith('io.bootc-ephemeral')) bad('label', l, 'labels under io.bootc-ephemeral are reserved');
    else labels[key] = eq < 0 ? '' : l.slice(eq + 1);
  }
  const env: Record<string, string> = {};
  for (const e of input.env ?? []) {
    const eq = e.indexOf('=');
    const key = eq < 0 ? '' : e.slice(0, eq);
    if (!ENV_KEY.test(key) || CONTROL.test(e)) bad('env', e, 'use KEY=VALUE with KEY a valid variable name');
    else env[key] = e.slice(eq + 1);
  }

  const binds: BindMount[] = [];
  const mountNames = new Set<string>();
  const addBind = (field: string, spec: string, readOnly: boolean) => {
    if (CONTROL.test(spec) || spec.trim() === '') return bad(field, spec, 'use HOST_PATH[:NAME]');
    const colon = spec.indexOf(':');
    const host = colon < 0 ? spec : spec.slice(0, colon);
    // an empty HOST_PATH would resolve to the current directory: never a silent default
    if (host.trim() === '') return bad(field, spec, 'HOST_PATH is empty: use HOST_PATH[:NAME]');
    if (spec.indexOf(':', colon + 1) > colon && colon >= 0) return bad(field, spec, 'a HOST_PATH cannot contain ":" (the first ":" separates HOST_PATH from NAME)');
    const hostPath = abs(host);
    const mountName = colon < 0 ? path.basename(hostPath) || 'mount' : spec.slice(colon + 1);
    if (!MOUNT_NAME.test(mountName)) return bad(field, spec, `NAME "${mountName}" must be letters, digits, "_" and "-" (at most 30); give one with HOST_PATH:NAME`);
    if (mountNames.has(mountName)) return bad(field, spec, `NAME "${mountName}" is used twice; give each mount its own NAME`);
    const kind = probe.kind(hostPath);
    if (kind === 'missing' && colon >= 0 && probe.kind(abs(spec)) !== 'missing') return bad(field, spec, 'a HOST_PATH cannot contain ":" (the first ":" separates HOST_PATH from NAME)');
    if (kind === 'missing') return bad(field, spec, `${hostPath} does not exist`);
    if (kind !== 'dir') return bad(field, spec, `${hostPath} is not a directory`);
    const system = !input.allowSystemBind && systemBindReason(probe.real?.(hostPath) ?? hostPath, probe.stateRoot?.());
    if (system) return bad(field, spec, `${system}: refused (--allow-system-bind allows it)`);
    mountNames.add(mountName);
    binds.push({ hostPath, name: mountName, readOnly });
  };
  for (const b of input.bind ?? []) addBind('bind', b, false);
  for (const b of input.roBind ?? []) addBind('ro-bind', b, true);
  if (input.bindStorageRo && mountNames.has(HOST_STORAGE_MOUNT_NAME)) {
    bad('bind-storage-ro', true, `a bind already uses the NAME "${HOST_STORAGE_MOUNT_NAME}"`);
  }

  let systemdUnitsDir: string | undefined;
  if (input.systemdUnits !== undefined && input.systemdUnits !== '') {
    const dir = abs(input.systemdUnits);
    const kind = probe.kind(dir);
    if (kind !== 'dir') bad('systemd-units', input.systemdUnits, `${dir} ${kind === 'missing' ? 'does not exist' : 'is not a directory'}`);
    else systemdUnitsDir = dir;
  }

  let swapBytes: number | undefined;
  if (input.addSwap !== undefined && input.addSwap !== '') {
    const n = parseSizeBytes(input.addSwap);
    if (n === undefined) bad('add-swap', input.addSwap, 'use a size such as 512M or 2G');
    else if (n < 40 * 1024) bad('add-swap', input.addSwap, 'swap must be at least 40K');
    else swapBytes = n;
  }

  const diskFiles: DiskFile[] = [];
  const diskNames = new Set<string>();
  for (const spec of input.mountDiskFile ?? []) {
    const parts = spec.split(':');
    const [file = '', diskName = 'output', fmt] = parts;
    const filePath = abs(file);
    const format = (fmt ?? (filePath.endsWith('.qcow2') ? 'qcow2' : 'raw')) as DiskFile['format'];
    if (!file.trim() || CONTROL.test(spec)) bad('mount-disk-file', spec, 'use FILE[:NAME[:raw|qcow2]]');
    else if (parts.length > 3 || (parts.length > 1 && probe.kind(filePath) === 'missing' && probe.kind(abs(spec)) !== 'missing')) bad('mount-disk-file', spec, 'a FILE cannot contain ":" (it separates FILE, NAME and FORMAT)');
    else if (!DISK_NAME.test(diskName)) bad('mount-disk-file', spec, `NAME "${diskName}" must be letters, digits, "_" and "-" (at most 20: it becomes the disk serial)`);
    else if (format !== 'raw' && format !== 'qcow2') bad('mount-disk-file', spec, 'FORMAT must be raw or qcow2');
    else if (diskNames.has(diskName) || diskName === 'swap') bad('mount-disk-file', spec, `NAME "${diskName}" is already used`);
    else if (probe.kind(filePath) !== 'file') bad('mount-disk-file', spec, `${filePath} ${probe.kind(filePath) === 'missing' ? 'does not exist (create it first, e.g. truncate -s 4G FILE)' : 'is not a regular file'}`);
    else {
      diskNames.add(diskName);
      diskFiles.push({ file: filePath, name: diskName, format });
    }
  }

  const virtioSerialOut: VirtioSerialOut[] = [];
  for (const spec of input.virtioSerialOut ?? []) {
    const colon = spec.indexOf(':');
    const portName = colon < 0 ? '' : spec.slice(0, colon);
    const file = colon < 0 ? '' : spec.slice(colon + 1);
    if (!PORT_NAME.test(portName) || !file || CONTROL.test(spec)) {
      bad('virtio-serial-out', spec, 'use NAME:FILE (NAME: letters, digits, "_", "." and "-")');
      continue;
    }
    const filePath = abs(file);
    const parentKind = probe.kind(path.dirname(filePath));
    const kind = probe.kind(filePath);
    if (parentKind !== 'dir') bad('virtio-serial-out', spec, `the folder ${path.dirname(filePath)} does not exist`);
    else if (kind !== 'missing' && kind !== 'file') bad('virtio-serial-out', spec, `${filePath} is not a regular file`);
    else if (virtioSerialOut.some((v) => v.name === portName)) bad('virtio-serial-out', spec, `port "${portName}" is given twice`);
    else virtioSerialOut.push({ name: portName, file: filePath });
  }

  const execute: string[] = [];
  for (const cmd of input.execute ?? []) {
    if (!cmd.trim() || CONTROL.test(cmd)) bad('execute', cmd, 'give a command line on one line');
    else execute.push(cmd);
  }
  const kargs: string[] = [];
  for (const k of input.karg ?? []) {
    if (!k.trim() || CONTROL.test(k) || /\s/.test(k.trim()) && !/^[^\s"]+="[^"]*"$/.test(k.trim())) bad('karg', k, 'give one kernel argument per --karg (e.g. systemd.unit=rescue.target)');
    else kargs.push(k.trim());
  }

  let debugEntrypoint: string | undefined;
  if (input.debugEntrypoint !== undefined && input.debugEntrypoint !== '') {
    if (CONTROL.test(input.debugEntrypoint)) bad('debug-entrypoint', input.debugEntrypoint, 'give a command on one line');
    else debugEntrypoint = input.debugEntrypoint;
  }

  if (problems.length) throw new InvalidOptionsError(problems);
  return {
    image,
    itype,
    memoryMiB,
    vcpus,
    console: !!input.console,
    debug: !!input.debug,
    virtioSerialOut,
    execute,
    sshKeygen: !!input.sshKeygen,
    tty: !!input.tty,
    interactive: !!input.interactive,
    detach: !!input.detach,
    rm: !!input.rm,
    name,
    network,
    labels,
    env,
    debugEntrypoint,
    binds,
    systemdUnitsDir,
    bindStorageRo: !!input.bindStorageRo,
    swapBytes,
    diskFiles,
    kargs,
    accel,
    allowSystemBind: !!input.allowSystemBind,
  };
}

/**
 * The input that parses back to these options (restart, round-trip tests). Env values are not in it:
 * they are never recorded (they may be secrets).
 */
export function toRunOptionsInput(o: RunOptions): RunOptionsInput {
  const swap = o.swapBytes;
  return {
    image: o.image,
    itype: o.itype,
    memory: o.itype ? undefined : `${o.memoryMiB}M`,
    vcpus: o.itype ? undefined : String(o.vcpus),
    console: o.console,
    debug: o.debug,
    virtioSerialOut: o.virtioSerialOut.map((v) => `${v.name}:${v.file}`),
    execute: [...o.execute],
    sshKeygen: o.sshKeygen,
    tty: o.tty,
    interactive: o.interactive,
    detach: o.detach,
    rm: o.rm,
    name: o.name,
    network: o.network,
    label: Object.entries(o.labels).map(([k, v]) => `${k}=${v}`),
    env: Object.entries(o.env).map(([k, v]) => `${k}=${v}`),
    debugEntrypoint: o.debugEntrypoint,
    bind: o.binds.filter((b) => !b.readOnly).map((b) => `${b.hostPath}:${b.name}`),
    roBind: o.binds.filter((b) => b.readOnly).map((b) => `${b.hostPath}:${b.name}`),
    systemdUnits: o.systemdUnitsDir,
    bindStorageRo: o.bindStorageRo,
    addSwap: swap === undefined ? undefined : String(swap),
    mountDiskFile: o.diskFiles.map((d) => `${d.file}:${d.name}:${d.format}`),
    karg: [...o.kargs],
    accel: o.accel,
    allowSystemBind: o.allowSystemBind,
  };
}
