import * as fs from 'node:fs';
import * as path from 'node:path';
import { EngineError } from './errors';
import type { Podman } from './podman';

export interface KernelInImage {
  version: string;
  vmlinuz: string;
  initramfs: string;
}

/**
 * The bootc layout: exactly one /usr/lib/modules/<version>/ with both vmlinuz and initramfs.img.
 * `root` is the image's root directory (mounted on the host).
 */
export function findKernel(root: string, image: string): KernelInImage {
  const modules = path.join(root, 'usr/lib/modules');
  let versions: string[] = [];
  try {
    versions = fs.readdirSync(modules);
  } catch {
    /* no modules dir: reported below */
  }
  const kernels = versions
    .filter((v) => fs.existsSync(path.join(modules, v, 'vmlinuz')) && fs.existsSync(path.join(modules, v, 'initramfs.img')))
    .sort();
  if (kernels.length === 1) {
    const v = kernels[0];
    return { version: v, vmlinuz: path.join(modules, v, 'vmlinuz'), initramfs: path.join(modules, v, 'initramfs.img') };
  }
  if (kernels.length > 1) {
    throw new EngineError(`image ${image} has ${kernels.length} kernels (${kernels.join(', ')}); expected exactly one /usr/lib/modules/<version>/ with vmlinuz and initramfs.img`, {
      field: 'image',
      value: image,
    });
  }
  const ukis = versions.filter((v) => fs.existsSync(path.join(modules, v, `${v}.efi`)));
  const hint = ukis.length
    ? `it has a UKI (${ukis.map((v) => `/usr/lib/modules/${v}/${v}.efi`).join(', ')}); UKI-only images are not supported yet`
    : 'is it a bootc image? Its Containerfile should install a kernel and a dracut initramfs there';
  throw new EngineError(`no kernel found in image ${image}: expected /usr/lib/modules/<version>/vmlinuz and initramfs.img (${hint})`, {
    field: 'image',
    value: image,
  });
}

/** Mounts the image on the host (rootful podman), runs fn on its root, always unmounts. */
export async function withMountedImage<T>(podman: Podman, image: string, fn: (root: string) => Promise<T> | T): Promise<T> {
  const root = (await podman.check(['image', 'mount', image], `mounting image ${image}`)).trim();
  try {
    return await fn(root);
  } finally {
    await podman.run(['image', 'unmount', image]);
  }
}
