import type { Podman } from './podman';
import { podmanCommands, type PodmanImage } from './commands';

export interface BootcImage {
  name: string;
  id: string;
  size: string;
  created: string;
  /** its architecture (amd64, arm64, ...) when podman says */
  arch?: string;
}

/** Local images that say they are bootable: label containers.bootc=1 or ostree.bootable. */
export function bootcImagesOf(images: PodmanImage[]): BootcImage[] {
  const out: BootcImage[] = [];
  for (const i of images) {
    const l = i.Labels ?? {};
    if (l['containers.bootc'] !== '1' && !l['ostree.bootable']) continue;
    for (const name of i.Names ?? []) {
      out.push({ name, id: i.Id, size: i.Size ? `${Math.round(i.Size / 1e6)} MB` : '', created: i.CreatedAt ?? '' });
    }
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

/** The bootc images; with `architectures`, each one's too (one more podman call: only the Boot Image picker shows them). */
export async function listBootcImages(podman: Podman, opts: { architectures?: boolean } = {}): Promise<BootcImage[]> {
  const images = bootcImagesOf(await podman.exec(podmanCommands.listImages()));
  if (!images.length || !opts.architectures) return images;
  const arches = await podman.exec(podmanCommands.imageArchitectures([...new Set(images.map((i) => i.id))]));
  return images.map((i) => ({ ...i, arch: arches.get(i.id) }));
}
