import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { EngineError } from '../errors';

/**
 * Host binaries run inside the VM's container from the host's own /usr (bound read-only at /usr over
 * the engine's root image, see containerRoot.ts) through the host's dynamic loader, so the image needs
 * no tools of its own and nothing of the image is ever executed.
 */
export const HOST_USR_IN_CONTAINER = '/usr';

export type VirtiofsdFlavor = 'rust' | 'c';

export interface HostTools {
  /** host paths (all under /usr) */
  loader: string;
  libraryPath: string[];
  shell: string;
  sleep: string;
  /** lists the image's kernel directories (kernel.ts) and concatenates the initramfs */
  find: string;
  cat: string;
  qemu: string;
  virtiofsd: string;
  virtiofsdFlavor: VirtiofsdFlavor;
  qemuDataDirs: string[];
  qemuModuleDir?: string;
}

const QEMU_CANDIDATES = ['/usr/libexec/qemu-kvm', '/usr/bin/qemu-system-x86_64'];
const VIRTIOFSD_CANDIDATES = [
  '/usr/libexec/virtiofsd',
  '/usr/bin/virtiofsd',
  '/usr/lib/virtiofsd',
  '/usr/lib/qemu/virtiofsd',
  '/usr/local/bin/virtiofsd',
  '/usr/local/libexec/virtiofsd',
];
const LOADER_CANDIDATES = ['/lib64/ld-linux-x86-64.so.2', '/usr/lib64/ld-linux-x86-64.so.2'];
const LIBRARY_DIRS = ['/usr/lib/x86_64-linux-gnu', '/usr/lib64', '/usr/lib'];
const QEMU_DATA_DIRS = ['/usr/share/qemu', '/usr/share/seabios', '/usr/share/qemu-firmware', '/usr/share/ipxe/qemu'];
const QEMU_MODULE_DIRS = ['/usr/lib/x86_64-linux-gnu/qemu', '/usr/lib64/qemu'];

function isExecutable(p: string): boolean {
  try {
    fs.accessSync(p, fs.constants.X_OK);
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

/** A host binary resolved to its real path, which must lie under /usr to be visible in the container. */
function underUsr(p: string, what: string): string {
  const real = fs.realpathSync(p);
  if (!real.startsWith('/usr/')) {
    throw new EngineError(`${what} resolves to ${real}, outside /usr: the VM container only sees the host's /usr`, {
      hint: 'install it under /usr, or point the override variable at a copy under /usr',
    });
  }
  return real;
}

function findBinary(envVar: string, candidates: string[], what: string, fix: string): string {
  const override = process.env[envVar];
  if (override) {
    if (!isExecutable(override)) throw new EngineError(`${envVar}=${override} is not an executable file`, { field: envVar, value: override });
    return underUsr(override, what);
  }
  const found = candidates.find(isExecutable);
  if (!found) {
    throw new EngineError(`${what} not found. Searched: ${candidates.join(', ')}. Set ${envVar} to its path.`, { hint: fix });
  }
  return underUsr(found, what);
}

export function virtiofsdFlavorOf(helpText: string): VirtiofsdFlavor {
  // the Rust virtiofsd takes --shared-dir; QEMU's C one takes -o source=
  return helpText.includes('--shared-dir') ? 'rust' : 'c';
}

/** A binary's --help text (stdout and stderr), or "" when it cannot run: how the virtiofsd flavour is told. */
export function readHelp(binary: string): string {
  try {
    const r = spawnSync(binary, ['--help'], { encoding: 'utf8', timeout: 5000 });
    return `${r.stdout ?? ''}${r.stderr ?? ''}`;
  } catch {
    return '';
  }
}

/** Finds everything the supervisor needs on this host; throws a clear error for what is missing. */
export function findHostTools(readHelpOf: (binary: string) => string = readHelp): HostTools {
  const loaderLink = LOADER_CANDIDATES.find((p) => fs.existsSync(p));
  if (!loaderLink) throw new EngineError('the x86-64 dynamic loader (ld-linux-x86-64.so.2) was not found on this host');
  const qemu = findBinary('QEMU_BIN', QEMU_CANDIDATES, 'QEMU (qemu-system-x86_64)', 'apt-get install qemu-system-x86');
  const virtiofsd = findBinary('VIRTIOFSD_BIN', VIRTIOFSD_CANDIDATES, 'virtiofsd', 'apt-get install qemu-system-x86 (Debian 12) or virtiofsd');
  return {
    loader: underUsr(loaderLink, 'the dynamic loader'),
    libraryPath: LIBRARY_DIRS.filter((d) => fs.existsSync(d)),
    shell: underUsr(['/usr/bin/dash', '/usr/bin/sh', '/bin/sh'].find(isExecutable) ?? '/bin/sh', 'sh'),
    sleep: underUsr(['/usr/bin/sleep', '/bin/sleep'].find(isExecutable) ?? '/bin/sleep', 'sleep'),
    find: underUsr(['/usr/bin/find', '/bin/find'].find(isExecutable) ?? '/usr/bin/find', 'find'),
    cat: underUsr(['/usr/bin/cat', '/bin/cat'].find(isExecutable) ?? '/bin/cat', 'cat'),
    qemu,
    virtiofsd,
    virtiofsdFlavor: virtiofsdFlavorOf(readHelpOf(virtiofsd)),
    qemuDataDirs: QEMU_DATA_DIRS.filter((d) => fs.existsSync(d)),
    qemuModuleDir: QEMU_MODULE_DIRS.find((d) => fs.existsSync(d)),
  };
}

/** Where a host /usr path is seen inside the VM container. */
export function inContainer(hostPath: string): string {
  return path.posix.join(HOST_USR_IN_CONTAINER, path.posix.relative('/usr', hostPath));
}

export interface KvmStatus {
  usable: boolean;
  reason: string;
}

/**
 * KVM can run a stock guest kernel only with hardware virtualisation (vmx/svm) behind /dev/kvm.
 * A PVM-backed /dev/kvm (kvm_pvm, nested without VT-x) opens fine but dies in the guest kernel.
 */
export function probeKvm(read: (p: string) => string | undefined = readOrUndefined): KvmStatus {
  if (!fs.existsSync('/dev/kvm')) return { usable: false, reason: '/dev/kvm does not exist' };
  try {
    fs.closeSync(fs.openSync('/dev/kvm', 'r+'));
  } catch (e) {
    return { usable: false, reason: `/dev/kvm cannot be opened: ${(e as Error).message}` };
  }
  const modules = read('/proc/modules') ?? '';
  if (/^kvm_pvm\s/m.test(modules)) return { usable: false, reason: '/dev/kvm is provided by kvm_pvm (nested PVM), which cannot run a stock kernel' };
  const cpuinfo = read('/proc/cpuinfo') ?? '';
  if (!/^flags\s*:.*\b(vmx|svm)\b/m.test(cpuinfo)) return { usable: false, reason: 'the CPU has no vmx/svm flag: /dev/kvm cannot run a stock guest kernel here' };
  return { usable: true, reason: '/dev/kvm is usable (hardware virtualisation present)' };
}

function readOrUndefined(p: string): string | undefined {
  try {
    return fs.readFileSync(p, 'utf8');
  } catch {
    return undefined;
  }
}
