import type { Podman } from './podman';
import { podmanCommands, type PodmanImage } from './commands';

export interface BootcImage {
  name: string;
  id: string;
  size: string;
  created: string;
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

export async function listBootcImages(podman: Podman): Promise<BootcImage[]> {
  return bootcImagesOf(await podman.exec(podmanCommands.listImages()));
}
