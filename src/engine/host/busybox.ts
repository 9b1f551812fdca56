import * as fs from 'node:fs';
import { childProcess } from '../lazyDeps';
import type { GuestArch } from '../options/types';

/**
 * The podman host's statically linked busybox: the shell and tools of the engine's own initramfs
 * (plan/ownInitramfs.ts), which boots the guest without unpacking the image's whole initramfs. It must
 * run with nothing around it (no dynamic loader, no libraries) in a guest of its architecture.
 */
export interface StaticBusybox {
  /** real path under /usr (the VM container sees the host's /usr) */
  path: string;
  bytes: number;
  arch: GuestArch;
}

/** Debian's busybox-static and Fedora's busybox put it here (a dynamic one, initramfs-tools', is refused by its ELF header). */
export const BUSYBOX_CANDIDATES = ['/usr/bin/busybox', '/usr/sbin/busybox', '/bin/busybox', '/sbin/busybox'];

/** What our guest init and its setup script run (resources/guest-init.sh, plan/guestSetup.ts); the shell's builtins aside. */
export const BUSYBOX_APPLETS = ['sh', 'mount', 'umount', 'modprobe', 'mkdir', 'ln', 'cp', 'cat', 'rm', 'readlink', 'sleep', 'switch_root'] as const;

const ELF_MACHINE: Record<number, GuestArch> = { 62: 'amd64', 183: 'arm64' };
const PT_INTERP = 3;
/** enough of the file for the ELF header and its program headers */
export const ELF_HEAD_BYTES = 4096;

/**
 * A 64-bit little-endian ELF executable's architecture, if it needs no program interpreter (no
 * PT_INTERP: statically linked, or static-pie); undefined for anything else.
 */
export function staticElfArch(head: Buffer): GuestArch | undefined {
  if (head.length < 64 || head.readUInt32BE(0) !== 0x7f454c46 || head[4] !== 2 || head[5] !== 1) return undefined;
  const type = head.readUInt16LE(16);
  if (type !== 2 && type !== 3) return undefined; // ET_EXEC or ET_DYN
  const arch = ELF_MACHINE[head.readUInt16LE(18)];
  const phoff = Number(head.readBigUInt64LE(32));
  const phentsize = head.readUInt16LE(54);
  const phnum = head.readUInt16LE(56);
  if (!arch || phentsize < 56 || phnum === 0 || phoff + phnum * phentsize > head.length) return undefined;
  for (let i = 0; i < phnum; i++) {
    if (head.readUInt32LE(phoff + i * phentsize) === PT_INTERP) return undefined;
  }
  return arch;
}

/** What busybox discovery needs of the podman host's files (host.ts HostFileView has the rest). */
export interface BusyboxFileView {
  isExecutable(p: string): boolean;
  realpath(p: string): string;
  /** the file's first bytes and its size; undefined where they cannot be read (a remote podman host) */
  headOf(p: string, bytes: number): { head: Buffer; size: number } | undefined;
  /** `busybox --list`: its applets, one per line ("" when it cannot run here) */
  appletsOf(p: string): string;
}

/** The first candidate that is a static busybox under /usr with every applet we use; undefined if none. */
export function findStaticBusybox(view: BusyboxFileView): StaticBusybox | undefined {
  for (const candidate of BUSYBOX_CANDIDATES) {
    if (!view.isExecutable(candidate)) continue;
    const real = view.realpath(candidate);
    if (!real.startsWith('/usr/')) continue;
    const read = view.headOf(real, ELF_HEAD_BYTES);
    const arch = read && staticElfArch(read.head);
    if (!read || !arch) continue;
    const applets = new Set(view.appletsOf(real).split('\n').map((l) => l.trim()));
    if (BUSYBOX_APPLETS.every((a) => applets.has(a))) return { path: real, bytes: read.size, arch };
  }
  return undefined;
}

export const localBusyboxView: BusyboxFileView = {
  isExecutable(p) {
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return fs.statSync(p).isFile();
    } catch {
      return false;
    }
  },
  realpath: (p) => fs.realpathSync(p),
  headOf(p, bytes) {
    let fd: number | undefined;
    try {
      fd = fs.openSync(p, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
      const st = fs.fstatSync(fd);
      if (!st.isFile()) return undefined;
      const head = Buffer.alloc(Math.min(bytes, st.size));
      fs.readSync(fd, head, 0, head.length, 0);
      return { head, size: st.size };
    } catch {
      return undefined;
    } finally {
      if (fd !== undefined) fs.closeSync(fd);
    }
  },
  appletsOf(p) {
    try {
      const r = childProcess().spawnSync(p, ['--list'], { encoding: 'utf8', timeout: 5000 });
      return r.status === 0 ? r.stdout : '';
    } catch {
      return '';
    }
  },
};
