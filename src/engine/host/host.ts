import * as fs from 'node:fs';
import * as path from 'node:path';
import { childProcess } from '../lazyDeps';
import { EngineError } from '../errors';
import * as l10n from '@vscode/l10n';
import type { GuestArch } from '../options/types';
import { BUSYBOX_CANDIDATES, findStaticBusybox, localBusyboxView, type BusyboxFileView, type StaticBusybox } from './busybox';

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
  /** the guest's output is copied through FIFOs into size-capped files (resources/log-cap.sh) */
  head: string;
  rm: string;
  mkfifo: string;
  /** coreutils' libstdbuf: preloaded with _STDBUF_O=0 so head writes each read at once (stdio would hold 4 KiB back) */
  stdbufLib?: string;
  /** the podman host's own architecture (its dynamic loader's): KVM runs only guests of this one */
  hostArch: GuestArch;
  /** QEMU per guest architecture, where installed: the host's own is required, the other optional */
  qemu: Partial<Record<GuestArch, string>>;
  virtiofsd: string;
  virtiofsdFlavor: VirtiofsdFlavor;
  /** QEMU can exit with a failure when the guest panics (`-action panic=exit-failure`, QEMU 7.1+) */
  qemuPanicExit: boolean;
  qemuDataDirs: string[];
  qemuModuleDir?: string;
  /** a static busybox for the engine's own initramfs (busybox.ts); undefined: the image's initramfs boots */
  busybox?: StaticBusybox;
  /** make the --add-swap file in the container (a remote podman host: the engine cannot write files there) */
  truncate?: string;
  mkswap?: string;
}

/** /usr/libexec/qemu-kvm is RHEL's QEMU for the host's own architecture */
const QEMU_CANDIDATES: Record<GuestArch, string[]> = {
  amd64: ['/usr/libexec/qemu-kvm', '/usr/bin/qemu-system-x86_64'],
  arm64: ['/usr/libexec/qemu-kvm', '/usr/bin/qemu-system-aarch64'],
};
const VIRTIOFSD_CANDIDATES = [
  '/usr/libexec/virtiofsd',
  '/usr/bin/virtiofsd',
  '/usr/lib/virtiofsd',
  '/usr/lib/qemu/virtiofsd',
  '/usr/local/bin/virtiofsd',
  '/usr/local/libexec/virtiofsd',
];
const LOADER_CANDIDATES: Record<GuestArch, string[]> = {
  amd64: ['/lib64/ld-linux-x86-64.so.2', '/usr/lib64/ld-linux-x86-64.so.2'],
  arm64: ['/lib/ld-linux-aarch64.so.1', '/usr/lib/ld-linux-aarch64.so.1'],
};
/** the host's own libraries only: a multiarch host may hold the other architecture's too */
const LIBRARY_DIRS: Record<GuestArch, string[]> = {
  amd64: ['/usr/lib/x86_64-linux-gnu', '/usr/lib64', '/usr/lib'],
  arm64: ['/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib'],
};
const QEMU_DATA_DIRS = ['/usr/share/qemu', '/usr/share/seabios', '/usr/share/qemu-firmware', '/usr/share/ipxe/qemu'];
const QEMU_MODULE_DIRS = ['/usr/lib/x86_64-linux-gnu/qemu', '/usr/lib/aarch64-linux-gnu/qemu', '/usr/lib64/qemu'];
const TRUNCATE_CANDIDATES = ['/usr/bin/truncate', '/bin/truncate'];
const STDBUF_LIB_CANDIDATES = ['/usr/libexec/coreutils/libstdbuf.so', '/usr/lib/coreutils/libstdbuf.so', '/usr/lib64/coreutils/libstdbuf.so'];
const MKSWAP_CANDIDATES = ['/usr/sbin/mkswap', '/sbin/mkswap'];

/**
 * What tool discovery needs to know about the podman host's files: the local file system, or a
 * listing made on a remote podman host (remoteTools.ts). Decisions stay here, in one place.
 */
export interface HostFileView {
  /** an executable regular file */
  isExecutable(p: string): boolean;
  exists(p: string): boolean;
  /** the path with every symlink resolved */
  realpath(p: string): string;
  /** a binary's --help text (stdout and stderr), or "" when it cannot run */
  helpOf(binary: string): string;
  /** what busybox discovery reads (busybox.ts); absent: no busybox is looked for */
  headOf?: BusyboxFileView['headOf'];
  appletsOf?: BusyboxFileView['appletsOf'];
}

/** Every path discovery looks at: a remote host is asked about exactly these. */
export const HOST_TOOL_CANDIDATES: readonly string[] = [
  ...LOADER_CANDIDATES.amd64,
  ...LOADER_CANDIDATES.arm64,
  ...new Set([...LIBRARY_DIRS.amd64, ...LIBRARY_DIRS.arm64]),
  ...new Set([...QEMU_CANDIDATES.amd64, ...QEMU_CANDIDATES.arm64]),
  ...VIRTIOFSD_CANDIDATES,
  ...QEMU_DATA_DIRS,
  ...QEMU_MODULE_DIRS,
  '/usr/bin/dash', '/usr/bin/sh', '/bin/sh', '/usr/bin/sleep', '/bin/sleep', '/usr/bin/find', '/bin/find', '/usr/bin/cat', '/bin/cat',
  '/usr/bin/head', '/bin/head', '/usr/bin/rm', '/bin/rm', '/usr/bin/mkfifo', '/bin/mkfifo',
  ...TRUNCATE_CANDIDATES,
  ...MKSWAP_CANDIDATES,
  ...STDBUF_LIB_CANDIDATES,
  ...BUSYBOX_CANDIDATES,
];

export const localFileView: HostFileView = {
  isExecutable(p) {
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return fs.statSync(p).isFile();
    } catch {
      return false;
    }
  },
  exists: (p) => fs.existsSync(p),
  realpath: (p) => fs.realpathSync(p),
  helpOf: (binary) => readHelp(binary),
  headOf: localBusyboxView.headOf,
  appletsOf: localBusyboxView.appletsOf,
};

/** A host binary resolved to its real path, which must lie under /usr to be visible in the container. */
function underUsr(view: HostFileView, p: string, what: string): string {
  const real = view.realpath(p);
  if (!real.startsWith('/usr/')) {
    throw new EngineError(l10n.t('{0} resolves to {1}, outside /usr: the VM container only sees the host\'s /usr', what, real), {
      hint: l10n.t('install it under /usr, or point the override variable at a copy under /usr'),
    });
  }
  return real;
}

function findBinary(view: HostFileView, override: string | undefined, envVar: string, candidates: string[], what: string, fix: string): string {
  if (override) {
    if (!view.isExecutable(override)) throw new EngineError(l10n.t('{0}={1} is not an executable file', envVar, override), { field: envVar, value: override });
    return underUsr(view, override, what);
  }
  const found = candidates.find((c) => view.isExecutable(c));
  if (!found) {
    throw new EngineError(l10n.t('{0} not found. Searched: {1}. Set {2} to its path.', what, candidates.join(', '), envVar), { hint: fix });
  }
  return underUsr(view, found, what);
}

/** the first executable candidate, resolved, when it lies under /usr (else the container could not see it) */
function optionalUnderUsr(view: HostFileView, candidates: string[]): string | undefined {
  const found = candidates.find((c) => view.isExecutable(c));
  const real = found && view.realpath(found);
  return real?.startsWith('/usr/') ? real : undefined;
}

const QEMU_ARCH: Record<GuestArch, string> = { amd64: 'x86_64', arm64: 'aarch64' };

/** How to install QEMU for one guest architecture (QEMU's name for it) */
export function qemuInstallHint(qemuArch: string): string {
  return qemuArch === 'aarch64'
    ? l10n.t('install QEMU for arm64 guests: apt-get install qemu-system-arm (Debian, Ubuntu) or dnf install qemu-system-aarch64 (Fedora)')
    : l10n.t('install QEMU: apt-get install qemu-system-x86 (Debian, Ubuntu) or dnf install qemu-system-x86 (Fedora)');
}

/** The podman host's QEMU for this guest architecture, or one clear error saying how to install it. */
export function qemuFor(tools: HostTools, arch: GuestArch): string {
  const qemu = tools.qemu[arch];
  if (!qemu) throw new EngineError(l10n.t('QEMU for {0} guests (qemu-system-{1}) was not found on the podman host', arch, QEMU_ARCH[arch]), { field: 'arch', value: arch, hint: qemuInstallHint(QEMU_ARCH[arch]) });
  return qemu;
}

export function virtiofsdFlavorOf(helpText: string): VirtiofsdFlavor {
  // the Rust virtiofsd takes --shared-dir; QEMU's C one takes -o source=
  return helpText.includes('--shared-dir') ? 'rust' : 'c';
}

/** A binary's --help text (stdout and stderr), or "" when it cannot run: how the virtiofsd flavour is told. */
export function readHelp(binary: string): string {
  try {
    const r = childProcess().spawnSync(binary, ['--help'], { encoding: 'utf8', timeout: 5000 });
    return `${r.stdout ?? ''}${r.stderr ?? ''}`;
  } catch {
    return '';
  }
}

/**
 * Finds everything the supervisor needs on the podman host; throws a clear error for what is missing.
 * The QEMU_BIN / VIRTIOFSD_BIN overrides apply to the local podman only (they name local paths).
 */
export function findHostTools(view: HostFileView = localFileView, env: NodeJS.ProcessEnv = process.env): HostTools {
  const hostArch = (['amd64', 'arm64'] as const).find((a) => LOADER_CANDIDATES[a].some((p) => view.exists(p)));
  if (!hostArch) throw new EngineError(l10n.t('no x86-64 or aarch64 dynamic loader (ld-linux-x86-64.so.2, ld-linux-aarch64.so.1) was found on the podman host'));
  const loaderLink = LOADER_CANDIDATES[hostArch].find((p) => view.exists(p))!;
  const otherArch: GuestArch = hostArch === 'amd64' ? 'arm64' : 'amd64';
  const qemu = {
    // QEMU_BIN overrides the QEMU for the host's own architecture
    [hostArch]: findBinary(view, env.QEMU_BIN, 'QEMU_BIN', QEMU_CANDIDATES[hostArch], `QEMU (qemu-system-${QEMU_ARCH[hostArch]})`, qemuInstallHint(QEMU_ARCH[hostArch])),
    // emulating the other architecture needs its own qemu-system binary (qemu-kvm runs only the host's)
    [otherArch]: optionalUnderUsr(view, QEMU_CANDIDATES[otherArch].filter((c) => !c.endsWith('/qemu-kvm'))),
  };
  const virtiofsd = findBinary(view, env.VIRTIOFSD_BIN, 'VIRTIOFSD_BIN', VIRTIOFSD_CANDIDATES, 'virtiofsd', 'apt-get install qemu-system-x86 (Debian 12) or virtiofsd');
  const first = (cands: string[], what: string) => underUsr(view, cands.find((c) => view.isExecutable(c)) ?? cands[cands.length - 1], what);
  const optional = (cands: string[]) => optionalUnderUsr(view, cands);
  return {
    loader: underUsr(view, loaderLink, 'the dynamic loader'),
    libraryPath: LIBRARY_DIRS[hostArch].filter((d) => view.exists(d)),
    shell: first(['/usr/bin/dash', '/usr/bin/sh', '/bin/sh'], 'sh'),
    sleep: first(['/usr/bin/sleep', '/bin/sleep'], 'sleep'),
    find: first(['/usr/bin/find', '/bin/find'], 'find'),
    cat: first(['/usr/bin/cat', '/bin/cat'], 'cat'),
    head: first(['/usr/bin/head', '/bin/head'], 'head'),
    rm: first(['/usr/bin/rm', '/bin/rm'], 'rm'),
    mkfifo: first(['/usr/bin/mkfifo', '/bin/mkfifo'], 'mkfifo'),
    stdbufLib: STDBUF_LIB_CANDIDATES.map((c) => (view.exists(c) ? view.realpath(c) : undefined)).find((r) => r?.startsWith('/usr/')),
    hostArch,
    qemu,
    virtiofsd,
    virtiofsdFlavor: virtiofsdFlavorOf(view.helpOf(virtiofsd)),
    // one QEMU version serves both architectures (the same package set)
    qemuPanicExit: /-action panic=[a-z|-]*exit-failure/.test(view.helpOf(qemu[hostArch]!)),
    qemuDataDirs: QEMU_DATA_DIRS.filter((d) => view.exists(d)),
    qemuModuleDir: QEMU_MODULE_DIRS.find((d) => view.exists(d)),
    truncate: optional(TRUNCATE_CANDIDATES),
    mkswap: optional(MKSWAP_CANDIDATES),
    busybox: view.headOf && view.appletsOf ? findStaticBusybox({ ...view, headOf: view.headOf, appletsOf: view.appletsOf }) : undefined,
  };
}

/** Where a host /usr path is seen inside the VM container. */
export function inContainer(hostPath: string): string {
  return path.posix.join(HOST_USR_IN_CONTAINER, path.posix.relative('/usr', hostPath));
}
