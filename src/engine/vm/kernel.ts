import * as path from 'node:path';
import { EngineError } from '../errors';
import type { Podman } from '../podman/podman';
import { cleanStderr } from '../podman/podman';
import type { HostTools } from '../host/host';
import { inContainer } from '../host/host';
import { CONTAINER_PATHS } from '../plan/containerPaths';
import * as l10n from '@vscode/l10n';
import { KARGS_LISTED_PATHS, kargsFilesOf, type KargsFileEntry } from './imageKargs';
import { STORAGE_CONF_LISTED_PATHS, storageConfOf } from './containerStorage';
import type { ListedFile } from './imageFiles';
import { listingCacheFile, readCachedListing, writeCachedListing } from './listingCache';
import { CLOUD_INIT_BINARY } from './cloudInit';
import { INITRAMFS_MODULE_PATTERNS, initramfsModulesOf, type InitramfsModules } from './initramfsModules';
import { earlySshToolsOf, IP_CANDIDATES, SSHD_CANDIDATES, type EarlySshTools } from '../plan/earlySsh';

/** Where the image is served read-only inside the probe and the VM containers. */
const IMAGE_IN_CONTAINER = CONTAINER_PATHS.sourceImage;

/** A kernel release as `uname -r` prints it; anything else never reaches a path, a plan or an argv. */
export const KERNEL_RELEASE = /^[A-Za-z0-9._+-]+$/;

export interface KernelInImage {
  version: string;
  /** paths inside the image (absolute, no symlinks left), e.g. /usr/lib/modules/6.1.0/vmlinuz */
  vmlinuz: string;
  initramfs: string;
  initramfsBytes: number;
}

/** One entry of the image's kernel directories, as `find -printf` reports it. */
export interface ImageEntry {
  type: string; // find's %y: f, d, l, ...
  path: string; // inside the image, absolute
  target: string; // symlink target, as stored
  size: number;
}

const MODULES = '/usr/lib/modules';
const GUEST_PODMAN = '/usr/bin/podman';
const GUEST_PODMAN_LISTED_PATHS = ['/usr/bin', GUEST_PODMAN, CLOUD_INIT_BINARY];
const EARLY_SSH_LISTED_PATHS = ['/usr/sbin', ...SSHD_CANDIDATES, ...IP_CANDIDATES];
const FIELDS = 4;

/**
 * A short-lived container (the engine's root image, no network, no capabilities) in which the host's
 * `find` lists the image's /usr, /usr/lib, /usr/lib/modules and two levels below, the module folders
 * our own initramfs takes from (initramfsModules.ts), bootc's kargs.d (imageKargs.ts) and podman's
 * storage.conf (containerStorage.ts), without following any symlink. The image is only read; nothing of it runs.
 */
export function kernelProbeArgs(rootImage: string, image: string, tools: HostTools): string[] {
  const at = (p: string) => path.posix.join(IMAGE_IN_CONTAINER, p);
  return [
    'run', '--rm', '--pull=never', '--network=none', '--cap-drop=all', '--read-only',
    '--security-opt', 'no-new-privileges',
    '--mount', `type=image,source=${image},target=${IMAGE_IN_CONTAINER}`,
    '-v', '/usr:/usr:ro',
    '--entrypoint', inContainer(tools.loader),
    rootImage,
    '--library-path', tools.libraryPath.map(inContainer).join(':'), inContainer(tools.find),
    at('/usr'), at('/etc'), '-maxdepth', '7',
    '(', '-path', at('/usr'),
    ...['/usr/lib', MODULES, `${MODULES}/*`, `${MODULES}/*/*`, ...KARGS_LISTED_PATHS, ...STORAGE_CONF_LISTED_PATHS, ...GUEST_PODMAN_LISTED_PATHS,
      ...EARLY_SSH_LISTED_PATHS, ...INITRAMFS_MODULE_PATTERNS].flatMap((p) => ['-o', ...listedPath(at(p))]), ')',
    '-printf', '%y\\0%p\\0%l\\0%s\\0', '-o', '-prune',
  ];
}

/** A find test for one listed path; `dir/*` means the folder's own entries, not what lies deeper (find's `*` also matches `/`). */
function listedPath(p: string): string[] {
  return p.endsWith('/*') ? ['(', '-path', p, '!', '-path', `${p}/*`, ')'] : ['-path', p];
}

/** Parses the NUL-separated listing; paths come back relative to the image root. */
export function parseImageListing(stdout: string): ImageEntry[] {
  const parts = stdout.split('\0');
  const entries: ImageEntry[] = [];
  for (let i = 0; i + FIELDS <= parts.length; i += FIELDS) {
    const full = parts[i + 1];
    if (!full.startsWith(IMAGE_IN_CONTAINER + '/')) continue;
    entries.push({ type: parts[i], path: full.slice(IMAGE_IN_CONTAINER.length), target: parts[i + 2], size: Number(parts[i + 3]) });
  }
  return entries;
}

function invalid(image: string, message: string): EngineError {
  return new EngineError(l10n.t('image {0}: {1}', image, message), { field: 'image', value: image });
}

/**
 * A file of the kernel directory, following symlinks inside the image only: a link is resolved
 * against the image root (an absolute target means the image's own /), and must end on a regular
 * file of the listing. Anything that leaves the listed kernel directories is refused.
 */
function kernelFile(byPath: Map<string, ImageEntry>, dir: string, name: string, image: string): ImageEntry | undefined {
  let p = path.posix.join(dir, name);
  for (let hops = 0; hops < 8; hops++) {
    const e = byPath.get(p);
    if (!e) return undefined;
    if (e.type === 'f') return e;
    if (e.type !== 'l') throw invalid(image, `${p} is not a regular file`);
    const next = path.posix.resolve(path.posix.dirname(p), e.target);
    if (!next.startsWith(MODULES + '/') || path.posix.dirname(path.posix.dirname(next)) !== MODULES) {
      throw invalid(image, `${p} is a symlink to ${e.target}, which leads out of ${MODULES}/<version>/ (refused: files of the image are read inside the image only)`);
    }
    p = next;
  }
  throw invalid(image, `${path.posix.join(dir, name)}: too many levels of symlinks`);
}

/** The bootc layout: exactly one /usr/lib/modules/<version>/ with both vmlinuz and initramfs.img. */
export function findKernel(entries: ImageEntry[], image: string): KernelInImage {
  const byPath = new Map(entries.map((e) => [e.path, e]));
  for (const d of ['/usr', '/usr/lib', MODULES]) {
    const e = byPath.get(d);
    if (e && e.type !== 'd') throw invalid(image, `${d} is not a directory (a symlink to ${JSON.stringify(e.target)}?): refused`);
  }
  const dirs = entries.filter((e) => e.type === 'd' && path.posix.dirname(e.path) === MODULES);
  const found: KernelInImage[] = [];
  const ukis: string[] = [];
  for (const d of dirs) {
    const version = path.posix.basename(d.path);
    const vmlinuz = kernelFile(byPath, d.path, 'vmlinuz', image);
    const initramfs = kernelFile(byPath, d.path, 'initramfs.img', image);
    if (vmlinuz && initramfs) {
      if (!KERNEL_RELEASE.test(version)) {
        throw invalid(image, `the kernel directory name ${JSON.stringify(version)} under ${MODULES} is not a kernel release ([A-Za-z0-9._+-]+): refused`);
      }
      found.push({ version, vmlinuz: vmlinuz.path, initramfs: initramfs.path, initramfsBytes: initramfs.size });
    } else if (byPath.has(path.posix.join(d.path, `${version}.efi`))) {
      ukis.push(`${d.path}/${version}.efi`);
    }
  }
  found.sort((a, b) => a.version.localeCompare(b.version));
  if (found.length === 1) return found[0];
  if (found.length > 1) {
    throw invalid(image, `it has ${found.length} kernels (${found.map((k) => k.version).join(', ')}); expected exactly one ${MODULES}/<version>/ with vmlinuz and initramfs.img`);
  }
  const hint = ukis.length
    ? `it has a UKI (${ukis.join(', ')}); UKI-only images are not supported yet`
    : 'is it a bootc image? Its Containerfile should install a kernel and a dracut initramfs there';
  throw new EngineError(l10n.t('no kernel found in image {0}: expected {1}/<version>/vmlinuz and initramfs.img ({2})', image, MODULES, hint), { field: 'image', value: image });
}

/** What the probe found in the image: its kernel, its kargs.d files and the storage.conf its podman reads (not read yet). */
export interface ImageProbe {
  kernel: KernelInImage;
  kargsFiles: KargsFileEntry[];
  /** /usr/bin/podman is there (plan/network.ts: such a VM's SSH goes through the relay) */
  guestPodman: boolean;
  /** /usr/bin/cloud-init is there (--cloud-init is refused otherwise) */
  guestCloudInit: boolean;
  /** sshd and ip for SSH that does not wait for the network (plan/earlySsh.ts); undefined: the image's own sshd service */
  earlySsh?: EarlySshTools;
  /** the modules the engine's own initramfs would carry, or why it cannot boot this kernel */
  initramfsModules: InitramfsModules;
  /** asked only when the host's podman storage is shared: an odd storage.conf must not stop other boots */
  storageConf: () => ListedFile | undefined;
}

/** Lists the image's kernel directories in a probe container and finds its kernel. `imageId` pins what is read. */
export async function probeImage(podman: Podman, rootImage: string, image: string, imageId: string, tools: HostTools): Promise<ImageProbe> {
  const args = kernelProbeArgs(rootImage, imageId, tools);
  const cacheFile = listingCacheFile(args);
  let listing = readCachedListing(cacheFile);
  if (listing === undefined) {
    const r = await podman.run(args);
    // find exits 1 when a start point is missing (no /usr or no /etc): the listing says what is there
    if (r.exitCode !== 0 && r.exitCode !== 1) {
      throw new EngineError(l10n.t('reading the kernel directories of image {0} failed: {1}', image, cleanStderr(r.stderr) || `exit ${r.exitCode}`), { field: 'image', value: image });
    }
    listing = r.stdout;
    writeCachedListing(cacheFile, listing);
  }
  const entries = parseImageListing(listing);
  const kernel = findKernel(entries, image);
  return { kernel, initramfsModules: initramfsModulesOf(entries, kernel), kargsFiles: kargsFilesOf(entries, image), guestPodman: entries.some((e) => e.path === GUEST_PODMAN),
    guestCloudInit: entries.some((e) => e.path === CLOUD_INIT_BINARY), earlySsh: earlySshToolsOf(new Set(entries.filter((e) => e.type === 'f' || e.type === 'l').map((e) => e.path))), storageConf: () => storageConfOf(entries, image) };
}
