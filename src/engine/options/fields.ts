import * as path from 'node:path';
import { INSTANCE_TYPES, instanceTypeNames } from './instanceTypes';
import { formatMiB, parseMemoryMiB, parseSizeBytes } from './sizes';
import type { Accel, GuestArch, BindMount, DiskFile, PathProbe, RunOptions, RunOptionsInput, VirtioSerialOut } from './types';
import { ACCELS, GUEST_ARCHES, HOST_STORAGE_MOUNT_NAME, MAX_LOG_CAP_BYTES, MAX_MEMORY_MIB, MAX_VCPUS, MIN_LOG_CAP_BYTES, MIN_MEMORY_MIB, systemBindReason } from './types';
import * as l10n from '@vscode/l10n';

/**
 * Every run option, described once. The CLI flags and their help, the man page, the YAML keys and the
 * JSON schema, the run form's fields and the `run ...` command lines are all made from this table;
 * `parseRunOptions` runs each field's parser in table order. Adding an option: a row here, its use in
 * the launch plan, and a test.
 */
export type FieldKind = 'string' | 'size' | 'count' | 'boolean' | 'list' | 'enum';

/** How the run form shows a field (the page builds nothing else). */
export interface FormControl {
  section: 'main' | 'sizing' | 'advanced';
  control: 'text' | 'area' | 'select' | 'checkbox';
  /** label, placeholder and help are in the display language: getters that call l10n.t when the page is built */
  label: string;
  placeholder?: string;
  help?: string;
  /** a button that appends a picked folder to the field */
  pickFolder?: boolean;
}

export interface ParseContext {
  readonly input: RunOptionsInput;
  readonly probe: PathProbe;
  /** the options being built (defaults filled in) */
  readonly out: RunOptions;
  /** virtiofs mount names taken so far (binds, host storage) */
  readonly mountNames: Set<string>;
  abs(p: string): string;
  /** reports a problem with this field's value (the field is named by its flag) */
  bad(value: unknown, message: string): void;
}

export interface RunOptionField<K extends keyof RunOptionsInput = keyof RunOptionsInput> {
  /** the RunOptionsInput key, which is also the YAML key */
  key: K;
  /** the CLI flag (without --); every problem names the field by it */
  flag: string;
  short?: string;
  kind: FieldKind;
  values?: () => readonly string[];
  valueName?: string;
  help: string;
  /** on the CLI: a flag, or the IMAGE operand */
  cli: 'flag' | 'operand';
  /** a key of `.vscode/bootc-ephemeral.yaml` */
  yaml: boolean;
  /** `bcvk ephemeral run` has this flag too (command lines for bcvk leave the others out) */
  bcvk: boolean;
  form?: FormControl;
  /** extra JSON-schema constraints for the YAML key */
  schema?: Record<string, unknown>;
  /** validates a given (non-empty) value into ctx.out */
  parse(value: NonNullable<RunOptionsInput[K]>, ctx: ParseContext): void;
  /** the input that parses back to o's value (restart, command lines, round trips); undefined: the default */
  fromOptions(o: RunOptions): RunOptionsInput[K] | undefined;
}

const VM_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/;
const MOUNT_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_-]{0,29}$/;
const DISK_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_-]{0,19}$/;
const PORT_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/;
const ENV_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;
const LABEL_KEY = /^[A-Za-z0-9][A-Za-z0-9_./-]*$/;
// one arg per line in the supervisor plan; no control characters anywhere we pass on
export const IMAGE_REQUIRED = 'an image is required (e.g. localhost/bootc-sample:latest)';
export const CONTROL = /[\u0000-\u001f\u007f]/;

/** One kernel argument: no control characters, and spaces only inside a quoted value (key="a b"). */
export function isOneKernelArg(k: string): boolean {
  return k.trim() !== '' && k === k.trim() && !CONTROL.test(k) && (!/\s/.test(k) || /^[^\s"]+="[^"]*"$/.test(k));
}

const field = <K extends keyof RunOptionsInput>(f: Omit<RunOptionField<K>, 'cli' | 'yaml' | 'bcvk'> & Partial<Pick<RunOptionField<K>, 'cli' | 'yaml' | 'bcvk'>>): RunOptionField<K> =>
  ({ cli: 'flag', yaml: true, bcvk: true, ...f }) as RunOptionField<K>;

/** A switch whose RunOptions key is its input key. */
type SwitchKey = 'console' | 'debug' | 'sshKeygen' | 'tty' | 'interactive' | 'detach' | 'rm' | 'bindStorageRo' | 'allowSystemBind' | 'noImageKargs';
const toggle = (key: SwitchKey, flag: string, help: string, more: Partial<RunOptionField<SwitchKey>> = {}): RunOptionField<SwitchKey> =>
  field<SwitchKey>({ key, flag, kind: 'boolean', help, parse: (v, c) => void (c.out[key] = !!v), fromOptions: (o) => (o[key] ? true : undefined), ...more });

const nonEmpty = <T>(xs: T[]): T[] | undefined => (xs.length ? xs : undefined);

function addBind(c: ParseContext, spec: string, readOnly: boolean): void {
  const bad = (m: string) => c.bad(spec, m);
  if (CONTROL.test(spec) || spec.trim() === '') return bad(l10n.t('use HOST_PATH[:NAME]'));
  const colon = spec.indexOf(':');
  const host = colon < 0 ? spec : spec.slice(0, colon);
  // an empty HOST_PATH would resolve to the current directory: never a silent default
  if (host.trim() === '') return bad(l10n.t('HOST_PATH is empty: use HOST_PATH[:NAME]'));
  if (spec.indexOf(':', colon + 1) > colon && colon >= 0) return bad(l10n.t('a HOST_PATH cannot contain ":" (the first ":" separates HOST_PATH from NAME)'));
  const remote = !!c.probe.podmanHostIsRemote;
  if (remote && !path.isAbsolute(host)) return bad(l10n.t('HOST_PATH is a path on the podman host (a remote connection): give it as an absolute path'));
  const hostPath = c.abs(host);
  const mountName = colon < 0 ? path.basename(hostPath) || 'mount' : spec.slice(colon + 1);
  if (!MOUNT_NAME.test(mountName)) return bad(l10n.t('NAME "{0}" must be letters, digits, "_" and "-" (at most 30); give one with HOST_PATH:NAME', mountName));
  if (c.mountNames.has(mountName)) return bad(l10n.t('NAME "{0}" is used twice; give each mount its own NAME', mountName));
  const escaped = leavesWorkspace(c, hostPath);
  if (escaped) return bad(outOfWorkspace(hostPath, escaped));
  // on a remote podman host, podman itself refuses a missing folder when it creates the container
  const kind = remote ? 'dir' : c.probe.kind(hostPath);
  if (kind === 'missing' && colon >= 0 && c.probe.kind(c.abs(spec)) !== 'missing') return bad(l10n.t('a HOST_PATH cannot contain ":" (the first ":" separates HOST_PATH from NAME)'));
  if (kind === 'missing') return bad(l10n.t('{0} does not exist', hostPath));
  if (kind !== 'dir') return bad(l10n.t('{0} is not a directory', hostPath));
  const system = !c.input.allowSystemBind && systemBindReason(remote ? path.normalize(hostPath) : (c.probe.real?.(hostPath) ?? hostPath), remote ? undefined : c.probe.stateRoot?.());
  if (system) return bad(l10n.t('{0}: refused (--allow-system-bind allows it)', system));
  c.mountNames.add(mountName);
  c.out.binds.push({ hostPath, name: mountName, readOnly });
}

/**
 * For a workspace configuration (probe.confineTo): a path inside the workspace folder that leads out of
 * it through a link (its deepest existing folder resolved) — the real path it leads to, else undefined.
 * A path written outside the folder is what it says, and is not looked at here.
 */
function leavesWorkspace(c: ParseContext, p: string): string | undefined {
  const folder = c.probe.confineTo;
  const real = c.probe.real;
  if (!folder || !real || c.probe.podmanHostIsRemote) return undefined;
  const inside = (x: string, root: string) => x === root || x.startsWith(root.endsWith(path.sep) ? root : root + path.sep);
  if (!inside(p, folder)) return undefined;
  let existing = p;
  while (c.probe.kind(existing) === 'missing' && path.dirname(existing) !== existing) existing = path.dirname(existing);
  const resolved = path.join(real(existing), path.relative(existing, p));
  return inside(resolved, real(folder)) ? undefined : resolved;
}

const outOfWorkspace = (p: string, real: string) => l10n.t('{0} leads out of the workspace folder through a symlink (to {1}): refused', p, real);

/** A file or folder named on this machine: why it cannot be used (missing, the other kind, out of the workspace through a link), else undefined. */
function localPathProblem(c: ParseContext, p: string, want: 'file' | 'dir'): string | undefined {
  const kind = c.probe.kind(p);
  if (kind === 'missing') return l10n.t('{0} does not exist', p);
  if (kind !== want) return want === 'dir' ? l10n.t('{0} is not a directory', p) : l10n.t('{0} is not a regular file', p);
  const out = leavesWorkspace(c, p);
  return out ? outOfWorkspace(p, out) : undefined;
}

const bindSpec = (b: BindMount) => `${b.hostPath}:${b.name}`;

function addDisk(c: ParseContext, spec: string, taken: DiskFile[]): void {
  const parts = spec.split(':');
  const [file = '', diskName = 'output', fmt] = parts;
  const filePath = c.abs(file);
  const format = (fmt ?? (filePath.endsWith('.qcow2') ? 'qcow2' : 'raw')) as DiskFile['format'];
  const remote = !!c.probe.podmanHostIsRemote;
  // on a remote podman host, podman itself refuses a missing file when it creates the container
  const kind = () => (remote ? 'file' : c.probe.kind(filePath));
  if (!file.trim() || CONTROL.test(spec)) c.bad(spec, l10n.t('use FILE[:NAME[:raw|qcow2]]'));
  else if (remote && !path.isAbsolute(file)) c.bad(spec, l10n.t('FILE is a path on the podman host (a remote connection): give it as an absolute path'));
  else if (parts.length > 3 || (parts.length > 1 && kind() === 'missing' && c.probe.kind(c.abs(spec)) !== 'missing')) c.bad(spec, l10n.t('a FILE cannot contain ":" (it separates FILE, NAME and FORMAT)'));
  else if (!DISK_NAME.test(diskName)) c.bad(spec, l10n.t('NAME "{0}" must be letters, digits, "_" and "-" (at most 20: it becomes the disk serial)', diskName));
  else if (format !== 'raw' && format !== 'qcow2') c.bad(spec, l10n.t('FORMAT must be raw or qcow2'));
  else if (taken.some((d) => d.name === diskName) || diskName === 'swap') c.bad(spec, l10n.t('NAME "{0}" is already used', diskName));
  else if (leavesWorkspace(c, filePath)) c.bad(spec, outOfWorkspace(filePath, leavesWorkspace(c, filePath)!));
  else if (kind() !== 'file') c.bad(spec, kind() === 'missing' ? l10n.t('{0} does not exist (create it first, e.g. truncate -s 4G FILE)', filePath) : l10n.t('{0} is not a regular file', filePath));
  else taken.push({ file: filePath, name: diskName, format });
}

/** FILE:NAME, with the format only when the file's extension would not say it. */
const diskSpec = (d: DiskFile) => `${d.file}:${d.name}${d.format !== (d.file.endsWith('.qcow2') ? 'qcow2' : 'raw') ? `:${d.format}` : ''}`;

function addSerialOut(c: ParseContext, spec: string, taken: VirtioSerialOut[]): void {
  const colon = spec.indexOf(':');
  const portName = colon < 0 ? '' : spec.slice(0, colon);
  const file = colon < 0 ? '' : spec.slice(colon + 1);
  if (!PORT_NAME.test(portName) || !file || CONTROL.test(spec)) return c.bad(spec, l10n.t('use NAME:FILE (NAME: letters, digits, "_", "." and "-")'));
  // the guest's journal and --execute ports are named so: a second port of that name would be QEMU's error
  if (portName.startsWith('org.bootc-ephemeral.')) return c.bad(spec, l10n.t('port names beginning with "org.bootc-ephemeral." are the engine\'s own'));
  const filePath = c.abs(file);
  const remote = !!c.probe.podmanHostIsRemote;
  // on a remote podman host the file must exist there (podman refuses a missing one when it creates the container)
  const parentKind = remote ? 'dir' : c.probe.kind(path.dirname(filePath));
  const kind = remote ? 'file' : c.probe.kind(filePath);
  // the file becomes part of podman's -v SOURCE:TARGET: a ":" would shift its fields
  if (file.includes(':')) c.bad(spec, l10n.t('FILE cannot contain ":" (it would be read as a mount option)'));
  else if (remote && !path.isAbsolute(file)) c.bad(spec, l10n.t('FILE is a path on the podman host (a remote connection): give it as an absolute path to an existing file'));
  else if (parentKind !== 'dir') c.bad(spec, l10n.t('the folder {0} does not exist', path.dirname(filePath)));
  else if (kind !== 'missing' && kind !== 'file') c.bad(spec, l10n.t('{0} is not a regular file', filePath));
  else if (taken.some((v) => v.name === portName)) c.bad(spec, l10n.t('port "{0}" is given twice', portName));
  else if (leavesWorkspace(c, filePath)) c.bad(spec, outOfWorkspace(filePath, leavesWorkspace(c, filePath)!));
  else taken.push({ name: portName, file: filePath });
}

/** systemd's credential names: no "/", not "." or ".."; `-K` sets ssh.authorized_keys.root itself. */
const CREDENTIAL_NAME = /^[A-Za-z0-9_.@-]{1,255}$/;
export const SSH_KEY_CREDENTIAL = 'ssh.authorized_keys.root';

function addCredential(c: ParseContext, spec: string, fromFile: boolean): void {
  const eq = spec.indexOf('=');
  const name = eq < 0 ? spec : spec.slice(0, eq);
  const rest = eq < 0 ? '' : spec.slice(eq + 1);
  if (eq < 0 || !CREDENTIAL_NAME.test(name) || name === '.' || name === '..') return c.bad(spec, fromFile ? l10n.t('use NAME=PATH (NAME: letters, digits, "_", ".", "-", "@")') : l10n.t('use NAME=VALUE (NAME: letters, digits, "_", ".", "-", "@")'));
  if (c.out.credentials.some((k) => k.name === name)) return c.bad(spec, l10n.t('credential {0} is given twice', name));
  if (name === SSH_KEY_CREDENTIAL && c.out.sshKeygen) return c.bad(spec, l10n.t('-K gives the VM its own {0}: drop one of them', SSH_KEY_CREDENTIAL));
  if (!fromFile) return void c.out.credentials.push({ name, value: rest });
  if (!rest.trim() || CONTROL.test(rest)) return c.bad(spec, l10n.t('use NAME=PATH'));
  const file = c.abs(rest);
  const problem = localPathProblem(c, file, 'file');
  if (problem) return c.bad(spec, problem);
  c.out.credentials.push({ name, file });
}

/** KEY=VALUE lists (labels, env) into a record, each item checked by `problem`. */
function keyValues(items: string[], c: ParseContext, into: Record<string, string>, problem: (key: string, item: string, eq: number) => string | undefined): void {
  for (const item of items) {
    const eq = item.indexOf('=');
    const key = eq < 0 ? item : item.slice(0, eq);
    const why = problem(key, item, eq);
    if (why) c.bad(item, why);
    else into[key] = eq < 0 ? '' : item.slice(eq + 1);
  }
}
const pairs = (r: Record<string, string>) => nonEmpty(Object.entries(r).map(([k, v]) => `${k}=${v}`));

/** Table order is the order of `--help`, of command lines, and of parsing (itype after memory/vcpus, bind-storage-ro after the binds). */
export const RUN_OPTION_FIELDS: readonly RunOptionField[] = [
  field({
    key: 'image', flag: 'image', kind: 'string', cli: 'operand', help: 'a bootc image in local podman storage (never pulled), e.g. localhost/bootc-sample:latest',
    parse(v, c) {
      const image = v.trim();
      if (!image) c.bad(v, IMAGE_REQUIRED);
      else if (/\s/.test(image) || CONTROL.test(image)) c.bad(v, l10n.t('an image reference has no spaces'));
      else c.out.image = image;
    },
    fromOptions: (o) => o.image,
  }),
  toggle('detach', 'detach', 'run in the background and print the container ID', { short: 'd', yaml: false }),
  toggle('rm', 'rm', 'remove the container (and its state) when the VM stops', { yaml: false }),
  toggle('sshKeygen', 'ssh-keygen', 'make an SSH key and pin a host key, so that `ssh NAME` works', { short: 'K', yaml: false }),
  toggle('tty', 'tty', 'allocate a pseudo-TTY for the container (podman -t)', { short: 't', yaml: false }),
  toggle('interactive', 'interactive', 'keep stdin open (podman -i)', { short: 'i', yaml: false }),
  field({
    key: 'name', flag: 'name', kind: 'string', valueName: 'NAME', yaml: false, help: 'VM (container) name; default: <image>-<4 hex>',
    parse: (v, c) => (VM_NAME.test(v) ? void (c.out.name = v) : c.bad(v, l10n.t('use letters, digits, "_", "." and "-", starting with a letter or digit (at most 63)'))),
    fromOptions: (o) => o.name,
  }),
  field({
    key: 'memory', flag: 'memory', kind: 'size', valueName: 'SIZE', help: 'guest memory: 4G (default), 1536M, 1.5G; a plain number is MiB',
    form: { section: 'sizing', control: 'text', get label() { return l10n.t('Memory'); }, placeholder: '4G' },
    schema: { type: ['string', 'number'], pattern: '^(\\d+(\\.\\d+)?|\\.\\d+)\\s*[gGmMkK]?$' },
    parse(v, c) {
      const parsed = parseMemoryMiB(String(v));
      if (parsed === undefined) c.bad(v, l10n.t('use a number with an optional G, M or K suffix (4G, 1536M, 1.5G; a plain number is MiB)'));
      else if (parsed < MIN_MEMORY_MIB || parsed > MAX_MEMORY_MIB) c.bad(v, l10n.t('must be between {0}M and 1024G', MIN_MEMORY_MIB));
      else c.out.memoryMiB = parsed;
    },
    fromOptions: (o) => (o.itype || o.memoryMiB === undefined ? undefined : formatMiB(o.memoryMiB)),
  }),
  field({
    key: 'vcpus', flag: 'vcpus', kind: 'count', valueName: 'N', help: 'virtual CPUs (default: the host CPU count)',
    form: { section: 'sizing', control: 'text', get label() { return l10n.t('vCPUs'); }, get placeholder() { return l10n.t('host CPUs'); } },
    schema: { type: ['integer', 'string'], minimum: 1, maximum: MAX_VCPUS },
    parse(v, c) {
      const text = String(v).trim();
      const n = Number(text);
      if (!/^\d+$/.test(text) || n < 1 || n > MAX_VCPUS) c.bad(v, l10n.t('must be a whole number from 1 to {0}', MAX_VCPUS));
      else c.out.vcpus = n;
    },
    fromOptions: (o) => (o.itype || o.vcpus === undefined ? undefined : String(o.vcpus)),
  }),
  field({
    key: 'itype', flag: 'itype', kind: 'enum', values: instanceTypeNames, valueName: 'TYPE', help: 'instance type, overrides --memory/--vcpus',
    form: { section: 'sizing', control: 'select', get label() { return l10n.t('Instance type'); } },
    parse(v, c) {
      // --itype wins over --memory/--vcpus, as in bcvk
      const t = Object.hasOwn(INSTANCE_TYPES, v) ? INSTANCE_TYPES[v] : undefined;
      if (!t) return c.bad(v, l10n.t('unknown instance type; one of: {0}', instanceTypeNames().join(', ')));
      Object.assign(c.out, { itype: v, memoryMiB: t.memoryMiB, vcpus: t.vcpus });
    },
    fromOptions: (o) => o.itype,
  }),
  toggle('console', 'console', 'show the serial console on stdout (always logged: logs --console)', { form: { section: 'advanced', control: 'checkbox', get label() { return l10n.t('Serial console on the container output'); } } }),
  toggle('debug', 'debug', 'print every command line (podman, QEMU) and trace the in-container supervisor', { yaml: false }),
  field({
    key: 'network', flag: 'network', kind: 'string', valueName: 'NET', help: 'podman network for the container (default: podman\'s default; none: the guest reaches nothing outside the VM, SSH still works)',
    form: { section: 'advanced', control: 'text', get label() { return l10n.t('podman network'); } },
    parse(v, c) {
      if (/\s/.test(v) || CONTROL.test(v)) return c.bad(v, l10n.t('a podman network name has no spaces'));
      c.out.network = v;
    },
    fromOptions: (o) => o.network,
  }),
  field({
    key: 'label', flag: 'label', kind: 'list', valueName: 'KEY=VALUE', help: 'container label',
    form: { section: 'advanced', control: 'area', get label() { return l10n.t('Container labels, KEY=VALUE per line'); } },
    parse: (v, c) =>
      keyValues(v, c, c.out.labels, (key, item, eq) =>
        eq < 0 || !LABEL_KEY.test(key) || CONTROL.test(item) ? 'use KEY=VALUE with a key of letters, digits, "_", ".", "/" and "-"' : key.startsWith('io.bootc-ephemeral') ? 'labels under io.bootc-ephemeral are reserved' : undefined),
    fromOptions: (o) => pairs(o.labels),
  }),
  field({
    key: 'env', flag: 'env', short: 'e', kind: 'list', valueName: 'KEY=VALUE', help: 'container environment variable',
    form: { section: 'advanced', control: 'area', get label() { return l10n.t('Container environment, KEY=VALUE per line'); } },
    parse: (v, c) => keyValues(v, c, c.out.env, (key, item, eq) => (eq < 0 || !ENV_KEY.test(key) || CONTROL.test(item) ? 'use KEY=VALUE with KEY a valid variable name' : undefined)),
    fromOptions: (o) => pairs(o.env),
  }),
  field({
    key: 'bind', flag: 'bind', kind: 'list', valueName: 'HOST[:NAME]', help: 'share a host folder read-write at /run/virtiofs-mnt-NAME',
    form: { section: 'main', control: 'area', get label() { return l10n.t('Binds (read-write), one HOST[:NAME] per line'); }, placeholder: '${workspaceFolder}/src:src', get help() { return l10n.t('Mounted at /run/virtiofs-mnt-NAME.'); }, pickFolder: true },
    parse: (v, c) => v.forEach((b) => addBind(c, b, false)),
    fromOptions: (o) => nonEmpty(o.binds.filter((b) => !b.readOnly).map(bindSpec)),
  }),
  field({
    key: 'roBind', flag: 'ro-bind', kind: 'list', valueName: 'HOST[:NAME]', help: 'share a host folder read-only at /run/virtiofs-mnt-NAME',
    form: { section: 'main', control: 'area', get label() { return l10n.t('Read-only binds, one HOST[:NAME] per line'); }, pickFolder: true },
    parse: (v, c) => v.forEach((b) => addBind(c, b, true)),
    fromOptions: (o) => nonEmpty(o.binds.filter((b) => b.readOnly).map(bindSpec)),
  }),
  field({
    key: 'systemdUnits', flag: 'systemd-units', kind: 'string', valueName: 'DIR', help: 'add the units in DIR/system (or DIR) to the guest, enabled per [Install]',
    form: { section: 'advanced', control: 'text', get label() { return l10n.t('systemd units folder'); } },
    parse(v, c) {
      const dir = c.abs(v);
      const problem = localPathProblem(c, dir, 'dir');
      if (problem) c.bad(v, problem);
      else c.out.systemdUnitsDir = dir;
    },
    fromOptions: (o) => o.systemdUnitsDir,
  }),
  toggle('bindStorageRo', 'bind-storage-ro', `share the host podman storage read-only at /run/virtiofs-mnt-${HOST_STORAGE_MOUNT_NAME}`, {
    parse(v, c) {
      if (v && c.mountNames.has(HOST_STORAGE_MOUNT_NAME)) return c.bad(true, l10n.t('a bind already uses the NAME "{0}"', HOST_STORAGE_MOUNT_NAME));
      c.out.bindStorageRo = !!v;
    },
  }),
  toggle('allowSystemBind', 'allow-system-bind', 'allow --bind/--ro-bind of /, /etc, /proc, /sys, /dev, ... and of the state root (refused by default)', { bcvk: false }),
  field({
    key: 'addSwap', flag: 'add-swap', kind: 'string', valueName: 'SIZE', help: 'add a swap disk of SIZE (e.g. 1G)',
    form: { section: 'advanced', control: 'text', get label() { return l10n.t('Swap disk size'); }, placeholder: '1G' },
    parse(v, c) {
      const n = parseSizeBytes(v);
      if (n === undefined) c.bad(v, l10n.t('use a size such as 512M or 2G'));
      else if (n < 40 * 1024) c.bad(v, l10n.t('swap must be at least 40K'));
      else c.out.swapBytes = n;
    },
    fromOptions: (o) => (o.swapBytes === undefined ? undefined : o.swapBytes % 1048576 === 0 ? `${o.swapBytes / 1048576}M` : String(o.swapBytes)),
  }),
  field({
    key: 'maxLogSize', flag: 'max-log-size', kind: 'string', valueName: 'SIZE', bcvk: false,
    help: 'the most the guest\'s journal, its console log and each --virtio-serial-out file may take on the host (default 64M); beyond it the oldest output after the boot is dropped, and the drop is noted in the log',
    form: { section: 'advanced', control: 'text', get label() { return l10n.t('Largest guest log on the host'); }, placeholder: '64M' },
    parse(v, c) {
      const n = parseSizeBytes(v);
      if (n === undefined) c.bad(v, l10n.t('use a size such as 64M or 1G'));
      else if (n < MIN_LOG_CAP_BYTES || n > MAX_LOG_CAP_BYTES) c.bad(v, l10n.t('use a size from 1M to 16G'));
      else c.out.logCapBytes = n;
    },
    fromOptions: (o) => (o.logCapBytes === undefined ? undefined : o.logCapBytes % 1048576 === 0 ? `${o.logCapBytes / 1048576}M` : String(o.logCapBytes)),
  }),
  field({
    key: 'mountDiskFile', flag: 'mount-disk-file', kind: 'list', valueName: 'FILE[:NAME]', help: 'attach FILE as a virtio disk, /dev/disk/by-id/virtio-NAME (default NAME: output)',
    form: { section: 'advanced', control: 'area', get label() { return l10n.t('Disk files, FILE[:NAME] per line'); } },
    parse: (v, c) => v.forEach((spec) => addDisk(c, spec, c.out.diskFiles)),
    fromOptions: (o) => nonEmpty(o.diskFiles.map(diskSpec)),
  }),
  field({
    key: 'virtioSerialOut', flag: 'virtio-serial-out', kind: 'list', valueName: 'NAME:FILE', help: 'a virtio-serial port /dev/virtio-ports/NAME in the guest, written to the host FILE',
    parse: (v, c) => v.forEach((spec) => addSerialOut(c, spec, c.out.virtioSerialOut)),
    fromOptions: (o) => nonEmpty(o.virtioSerialOut.map((v) => `${v.name}:${v.file}`)),
  }),
  field({
    key: 'karg', flag: 'karg', kind: 'list', valueName: 'ARG', help: 'extra kernel argument',
    form: { section: 'main', control: 'area', get label() { return l10n.t('Kernel arguments, one per line'); }, placeholder: 'quiet' },
    parse(v, c) {
      for (const k of v) {
        if (CONTROL.test(k) || !isOneKernelArg(k.trim())) c.bad(k, l10n.t('give one kernel argument per --karg (e.g. systemd.unit=rescue.target)'));
        else c.out.kargs.push(k.trim());
      }
    },
    fromOptions: (o) => nonEmpty([...o.kargs]),
  }),
  field({
    key: 'credential', flag: 'credential', kind: 'list', valueName: 'NAME=VALUE', bcvk: false,
    help: 'a systemd credential for the guest (/run/credentials/@system/NAME, LoadCredential=NAME); the value is never recorded',
    form: { section: 'advanced', control: 'area', get label() { return l10n.t('systemd credentials, NAME=VALUE per line'); } },
    parse: (v, c) => v.forEach((spec) => addCredential(c, spec, false)),
    fromOptions: (o) => nonEmpty(o.credentials.filter((k) => k.file === undefined).map((k) => `${k.name}=${k.value}`)),
  }),
  field({
    key: 'credentialFile', flag: 'credential-file', kind: 'list', valueName: 'NAME=PATH', bcvk: false,
    help: 'a systemd credential for the guest, read from the file PATH when the VM starts',
    form: { section: 'advanced', control: 'area', get label() { return l10n.t('systemd credentials from files, NAME=PATH per line'); } },
    parse: (v, c) => v.forEach((spec) => addCredential(c, spec, true)),
    fromOptions: (o) => nonEmpty(o.credentials.filter((k) => k.file !== undefined).map((k) => `${k.name}=${k.file}`)),
  }),
  field({
    key: 'ignition', flag: 'ignition', kind: 'string', valueName: 'FILE',
    help: 'an Ignition config (JSON) for an image that runs Ignition (label coreos.ignition or com.coreos.osname), served on fw_cfg',
    form: { section: 'advanced', control: 'text', get label() { return l10n.t('Ignition config file'); } },
    parse(v, c) {
      const file = c.abs(v);
      const problem = !v.trim() || CONTROL.test(v) ? l10n.t('give the path of an Ignition config file') : localPathProblem(c, file, 'file');
      if (problem) c.bad(v, problem);
      else c.out.ignitionFile = file;
    },
    fromOptions: (o) => o.ignitionFile,
  }),
  field({
    key: 'cloudInit', flag: 'cloud-init', kind: 'string', valueName: 'DIR', bcvk: false,
    help: 'a cloud-init NoCloud seed (DIR/user-data, DIR/meta-data, optional network-config, vendor-data) for an image with cloud-init',
    form: { section: 'advanced', control: 'text', get label() { return l10n.t('cloud-init seed folder (user-data, meta-data)'); } },
    parse(v, c) {
      const dir = c.abs(v);
      const problem = !v.trim() || CONTROL.test(v) ? l10n.t('give the path of a folder with user-data and meta-data') : localPathProblem(c, dir, 'dir');
      if (problem) c.bad(v, problem);
      else c.out.cloudInitDir = dir;
    },
    fromOptions: (o) => o.cloudInitDir,
  }),
  toggle('noImageKargs', 'no-image-kargs', 'do not apply the kernel arguments the image declares in /usr/lib/bootc/kargs.d', {
    bcvk: false,
    form: { section: 'advanced', control: 'checkbox', get label() { return l10n.t('Boot without the image\'s kernel arguments (kargs.d)'); } },
  }),
  field({
    key: 'execute', flag: 'execute', kind: 'list', valueName: 'CMD', help: 'run CMD (systemd ExecStart syntax) once booted, print its output, power off; exit with its status',
    form: { section: 'advanced', control: 'area', get label() { return l10n.t('Execute, one command per line (systemd ExecStart syntax)'); } },
    parse(v, c) {
      for (const cmd of v) {
        if (!cmd.trim() || CONTROL.test(cmd)) c.bad(cmd, l10n.t('give a command line on one line'));
        else c.out.execute.push(cmd);
      }
    },
    fromOptions: (o) => nonEmpty([...o.execute]),
  }),
  field({
    key: 'debugEntrypoint', flag: 'debug-entrypoint', kind: 'string', valueName: 'CMD', yaml: false, help: 'run CMD in the container instead of the supervisor (e.g. bash, with -it)',
    parse: (v, c) => (CONTROL.test(v) ? c.bad(v, l10n.t('give a command on one line')) : void (c.out.debugEntrypoint = v)),
    fromOptions: (o) => o.debugEntrypoint,
  }),
  field({
    key: 'accel', flag: 'accel', kind: 'enum', values: () => ACCELS, valueName: 'auto|kvm|tcg', bcvk: false, help: 'accelerator: auto (KVM when usable, else TCG with a warning)',
    form: { section: 'advanced', control: 'select', get label() { return l10n.t('Accelerator'); } },
    parse: (v, c) => ((ACCELS as readonly string[]).includes(v) ? void (c.out.accel = v as Accel) : c.bad(v, l10n.t('must be one of {0}', ACCELS.join(', ')))),
    fromOptions: (o) => (o.accel === 'auto' ? undefined : o.accel),
  }),
  field({
    key: 'arch', flag: 'arch', kind: 'enum', values: () => GUEST_ARCHES, valueName: 'amd64|arm64', bcvk: false,
    help: 'the guest architecture (default: the image\'s); a foreign one is emulated with TCG (qemu-system-aarch64 for arm64)',
    form: { section: 'advanced', control: 'select', get label() { return l10n.t('Architecture'); } },
    parse: (v, c) => ((GUEST_ARCHES as readonly string[]).includes(v) ? void (c.out.arch = v as GuestArch) : c.bad(v, l10n.t('must be one of {0}', GUEST_ARCHES.join(', ')))),
    fromOptions: (o) => o.arch,
  }),
];

export function fieldByFlag(flag: string): RunOptionField | undefined {
  return RUN_OPTION_FIELDS.find((f) => f.flag === flag);
}

export function fieldByKey(key: string): RunOptionField | undefined {
  return RUN_OPTION_FIELDS.find((f) => f.key === key);
}
