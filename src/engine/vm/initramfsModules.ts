import * as path from 'node:path';
import type { ImageEntry, KernelInImage } from './kernel';

/**
 * The image's kernel modules the engine's own initramfs carries (plan/ownInitramfs.ts): what our guest
 * init loads (virtio PCI, virtiofs, overlay, virtio-net, virtio-serial) and what they need, found by
 * directory in the probe's listing, plus the indexes busybox's modprobe reads. The listing is the
 * image's (untrusted): only regular files with plain names, of bounded size, are taken.
 */
const MODULES = '/usr/lib/modules';
/** every module of these: the virtio core and transports, FUSE and virtiofs, overlayfs */
const WHOLE_DIRS = ['kernel/drivers/virtio', 'kernel/fs/fuse', 'kernel/fs/overlayfs'];
/** these modules only (their directories hold hundreds of others) */
const SINGLE_MODULES = ['kernel/drivers/net/virtio_net', 'kernel/drivers/net/net_failover', 'kernel/net/core/failover', 'kernel/drivers/char/virtio_console'];
const INDEXES = ['modules.dep', 'modules.builtin'];

/** what the probe lists below /usr/lib/modules/<version>/ for them (find -path patterns, `*` standing for the version) */
export const INITRAMFS_MODULE_PATTERNS: string[] = [
  ...['kernel', 'kernel/drivers', 'kernel/fs', 'kernel/net', 'kernel/net/core', 'kernel/drivers/net', 'kernel/drivers/char'],
  ...WHOLE_DIRS,
  ...WHOLE_DIRS.map((d) => `${d}/*`),
  ...SINGLE_MODULES.map((m) => `${m}.ko*`),
].map((p) => `${MODULES}/*/${p}`);

/** busybox's modprobe reads these as they are, or decompressed (xz, gzip) */
const LOADABLE = /^[A-Za-z0-9_-]+\.ko(\.xz|\.gz)?$/;
const COMPRESSED_OTHERWISE = /^[A-Za-z0-9_-]+\.ko\.[A-Za-z0-9]+$/;
const MAX_FILE_BYTES = 64 * 1024 * 1024;
const MAX_TOTAL_BYTES = 128 * 1024 * 1024;

export interface ImageFileToCarry {
  /** inside the image, absolute */
  path: string;
  bytes: number;
}

export type InitramfsModules = { files: ImageFileToCarry[] } | { unusable: string };

/** The module files and indexes to carry, or why the image's kernel needs its own initramfs. */
export function initramfsModulesOf(entries: readonly ImageEntry[], kernel: KernelInImage): InitramfsModules {
  const dir = `${MODULES}/${kernel.version}`;
  const files: ImageFileToCarry[] = [];
  for (const e of entries) {
    if (!e.path.startsWith(dir + '/')) continue;
    const rel = e.path.slice(dir.length + 1);
    const name = path.posix.basename(rel);
    const index = INDEXES.includes(rel);
    const wanted = index || WHOLE_DIRS.includes(path.posix.dirname(rel)) || SINGLE_MODULES.some((m) => path.posix.dirname(rel) === path.posix.dirname(m) && name.startsWith(`${path.posix.basename(m)}.ko`));
    if (!wanted || (!index && !name.includes('.ko'))) continue;
    if (e.type !== 'f') continue; // a link or anything else: not followed, not carried
    if (!index && !LOADABLE.test(name)) {
      if (COMPRESSED_OTHERWISE.test(name)) return { unusable: `its kernel module ${rel} is compressed in a way busybox's modprobe cannot read` };
      continue;
    }
    if (!Number.isSafeInteger(e.size) || e.size < 0 || e.size > MAX_FILE_BYTES) return { unusable: `${rel} is ${e.size} bytes` };
    files.push({ path: e.path, bytes: e.size });
  }
  if (!files.some((f) => f.path === `${dir}/modules.dep`)) return { unusable: `it has no ${dir}/modules.dep` };
  const total = files.reduce((n, f) => n + f.bytes, 0);
  if (total > MAX_TOTAL_BYTES) return { unusable: `its modules come to ${total} bytes` };
  return { files: files.sort((a, b) => a.path.localeCompare(b.path)) };
}
