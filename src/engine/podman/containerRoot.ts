import * as crypto from 'node:crypto';
import { EngineError } from '../errors';
import type { Podman } from './podman';
import { podmanCommands } from './commands';
import { buildTar, type TarEntry } from '../tar';
import * as l10n from '@vscode/l10n';

/**
 * The root filesystem of every VM container: an engine-made image with nothing to run in it (empty
 * directories, usr-merge symlinks and a root passwd entry). QEMU, virtiofsd and the supervisor come from the podman host's
 * /usr, bound in read-only; the bootc image is only *served* (a read-only image mount). So nothing the
 * image carries (ld.so.preload, ld.so.cache, ENV, labels, binaries) reaches the privileged processes.
 * It is made with `podman import` from a tar stream, so it works over a remote connection too.
 */
const ROOT_ENTRIES: TarEntry[] = [
  ...['dev', 'proc', 'sys', 'run', 'etc', 'var'].map((d) => ({ path: d, type: 'dir' as const, mode: 0o755 })),
  { path: 'usr', type: 'dir', mode: 0o755 }, // the host's /usr is bound here read-only
  // the usr-merged layout, so host binaries find their loader and `podman exec NAME cat ...` works
  ...['bin', 'sbin', 'lib', 'lib64'].map((d) => ({ path: d, type: 'symlink' as const, mode: 0o777, data: `usr/${d}` })),
  { path: 'tmp', type: 'dir', mode: 0o1777 },
  { path: 'var/tmp', type: 'dir', mode: 0o1777 },
  // virtiofsd keeps its lock files in /var/run/virtiofsd: on the /run tmpfs (the root is read-only)
  { path: 'var/run', type: 'symlink', mode: 0o777, data: '../run' },
  { path: 'etc/passwd', type: 'file', mode: 0o644, data: 'root:x:0:0:root:/:/nonexistent\n' },
  { path: 'etc/group', type: 'file', mode: 0o644, data: 'root:x:0:\n' },
];

/** Label on the root image: `rm-all` and `doctor` can tell it apart from user images. */
export const ROOT_IMAGE_LABEL = 'io.bootc-ephemeral.container-root';

let rootImage: { name: string; tar: Buffer } | undefined;

/** The names containerRootImage() gives (this version's, or an older one's: its VMs are ours too). */
const ROOT_IMAGE_NAME = /^localhost\/bootc-ephemeral-root:[0-9a-f]{12}$/;

/** Whether a container runs the engine's root image (as `podman ps` names it): a sign that it was made by us. */
export function isEngineRootImage(image: string | undefined): boolean {
  return !!image && ROOT_IMAGE_NAME.test(image);
}

/** The root image's bytes and name (made on first use, not at load): its tag is the hash of its content, so a changed layout gets a new image. */
function containerRootImage(): { name: string; tar: Buffer } {
  if (rootImage) return rootImage;
  const tar = buildTar(ROOT_ENTRIES);
  return (rootImage = { name: `localhost/bootc-ephemeral-root:${crypto.createHash('sha256').update(tar).digest('hex').slice(0, 12)}`, tar });
}

/** Imports the root image once (a few ms later on); concurrent callers import the same bytes. */
export async function ensureContainerRoot(podman: Podman): Promise<string> {
  const { name, tar } = containerRootImage();
  if (await podman.exec(podmanCommands.imageExists(name))) return name;
  try {
    await podman.exec(podmanCommands.importImage(name, ROOT_IMAGE_LABEL), { input: tar });
  } catch (e) {
    throw new EngineError(l10n.t('could not create the VM containers\' root image: {0}', (e as Error).message));
  }
  return name;
}
