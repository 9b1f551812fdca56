import { streamedCpio, alignmentPadding, type CpioEntry } from './cpio';
import { BUSYBOX_APPLETS, type StaticBusybox } from '../host/busybox';
import type { InitramfsModules, ImageFileToCarry } from '../vm/initramfsModules';
import type { GuestArch } from '../options/types';
import { CONTAINER_PATHS } from './containerPaths';
import { inContainer } from '../host/host';
import { procFile, type PlanFile } from './procFile';
import { GUEST_INIT } from './guestInit';

/**
 * The engine's own initramfs: the host's static busybox, our guest init and the few kernel modules it
 * loads, taken from the image, instead of the image's whole initramfs. The kernel then unpacks a few
 * MB instead of tens (0.8 s under TCG for Debian's 64 MB), our init runs static tools, and QEMU keeps
 * less in memory. It is made in the container at start by `cat`: header pieces made here, the
 * busybox from the host's /usr, the modules from the served image. Without a static busybox of the
 * guest's architecture, with modules busybox cannot read, or with the user's own `rdinit=`, the image's
 * initramfs boots as before.
 */
export interface OwnInitramfs {
  busybox: StaticBusybox;
  kernelVersion: string;
  modules: ImageFileToCarry[];
}

export type InitramfsChoice = { own: OwnInitramfs } | { image: string };

export function initramfsFor(busybox: StaticBusybox | undefined, modules: InitramfsModules, arch: GuestArch, kernelVersion: string, kargs: readonly string[]): InitramfsChoice {
  if (kargs.some((k) => k.startsWith('rdinit='))) return { image: 'the kernel arguments name their own rdinit=' };
  if (!busybox) return { image: 'no statically linked busybox under /usr on the podman host (Debian: busybox-static)' };
  if (busybox.arch !== arch) return { image: `the podman host's busybox is for ${busybox.arch}, the guest is ${arch}` };
  if ('unusable' in modules) return { image: modules.unusable };
  return { own: { busybox, kernelVersion, modules: modules.files } };
}

/** /init must be a regular file for busybox's switch_root; it starts our init, as rdinit= does */
const INIT_STUB = `#!/bin/sh\nexec ${GUEST_INIT} "$@"\n`;

/** The archive's pieces and the container paths `cat` reads between them (pieces.length = sources.length + 1). */
export function ownInitramfsParts(own: OwnInitramfs): { pieces: Buffer[]; sources: string[]; bytes: number } {
  const entries: CpioEntry[] = [
    { path: 'bin', type: 'dir' },
    ...BUSYBOX_APPLETS.map((a): CpioEntry => ({ path: `bin/${a}`, type: 'symlink', data: 'busybox' })),
    { path: 'sbin', type: 'symlink', data: 'bin' },
    { path: 'usr/bin', type: 'symlink', data: '../bin' },
    { path: 'usr/sbin', type: 'symlink', data: '../bin' },
    // busybox's modprobe reads /lib/modules/<version>/
    { path: 'lib', type: 'symlink', data: 'usr/lib' },
    { path: 'init', type: 'file', mode: 0o755, data: INIT_STUB },
  ];
  const files = [
    { path: 'bin/busybox', mode: 0o755, bytes: own.busybox.bytes, source: inContainer(own.busybox.path) },
    ...own.modules.map((m) => ({ path: m.path.slice(1), mode: 0o644, bytes: m.bytes, source: `${CONTAINER_PATHS.sourceImage}${m.path}` })),
  ];
  const pieces = streamedCpio(entries, files);
  const bytes = pieces.reduce((n, p) => n + p.length, 0) + files.reduce((n, f) => n + f.bytes, 0);
  return { pieces, sources: files.map((f) => f.source), bytes };
}

/** The initramfs QEMU boots, made in the container's /run at start: the image's or ours, then our payload's cpio. */
export const INITRAMFS_IN_CONTAINER = '/run/initramfs.img';
const INITRAMFS_APPEND = 'initramfs-append.cpio';

/** The plan files that make the initramfs (its once-run `cat` and what it reads), and its size in bytes. */
export function initramfsPlanFiles(planDir: string, cat: string[], choice: InitramfsChoice, image: { path: string; bytes: number }, payload: Buffer): { files: PlanFile[]; bytes: number } {
  const files: PlanFile[] = [];
  const catArgs: string[] = [];
  let bytes: number;
  if ('own' in choice) {
    const parts = ownInitramfsParts(choice.own);
    parts.pieces.forEach((piece, i) => {
      const name = `initramfs-${String(i).padStart(3, '0')}.part`;
      files.push({ path: `${planDir}/${name}`, content: piece, mode: 0o644 });
      catArgs.push(`${CONTAINER_PATHS.planDir}/${name}`, ...(i < parts.sources.length ? [parts.sources[i]] : []));
    });
    bytes = parts.bytes;
  } else {
    catArgs.push(`${CONTAINER_PATHS.sourceImage}${image.path}`);
    bytes = image.bytes;
  }
  // our cpio, aligned to follow; it holds the guest's host key, so 0600
  const append = Buffer.concat([alignmentPadding(bytes), payload]);
  files.push({ path: `${planDir}/${INITRAMFS_APPEND}`, content: append, mode: 0o600 });
  files.push({ path: `${planDir}/000-initramfs.proc`, content: procFile({ once: true, out: INITRAMFS_IN_CONTAINER, argv: [...cat, ...catArgs, `${CONTAINER_PATHS.planDir}/${INITRAMFS_APPEND}`] }), mode: 0o644 });
  // which one, and why not ours: for `inspect`'s reader and the tests
  files.push({ path: `${planDir}/initramfs.txt`, content: 'own' in choice ? 'engine\n' : `image: ${choice.image}\n`, mode: 0o644 });
  return { files, bytes: bytes + append.length };
}
