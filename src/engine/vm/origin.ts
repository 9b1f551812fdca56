import type { PodmanPsEntry } from '../podman/podman';
import { LABELS } from '../podman/labels';
import { isEngineRootImage } from '../podman/containerRoot';

export type VmOrigin = 'bootc-ephemeral' | 'bcvk';

/**
 * Whose VM a container is, or undefined: not a VM at all. Labels alone prove nothing: anyone can set
 * them, and a container inherits every label of its image. Ours run the engine's own root image, which
 * carries none of our VM labels, so on such a container they were set on the container itself (by us).
 * bcvk runs the bootc image itself: its label counts only when that image does not carry it.
 * Anything else is foreign: listed nowhere, touched by nothing.
 */
export function originOf(e: PodmanPsEntry, imageLabels: (imageId: string | undefined) => Record<string, string> | undefined): VmOrigin | undefined {
  const labels = e.Labels ?? {};
  if (labels[LABELS.vm] === '1') return isEngineRootImage(e.Image) ? 'bootc-ephemeral' : undefined;
  if (labels[LABELS.bcvk] === '1') {
    const inherited = imageLabels(e.ImageID);
    return inherited && inherited[LABELS.bcvk] === undefined ? 'bcvk' : undefined;
  }
  return undefined;
}

/** The images whose labels originOf needs: those of bcvk-labelled containers (ours need none). */
export function imagesToInspect(entries: readonly PodmanPsEntry[]): string[] {
  const ids = entries.filter((e) => e.Labels?.[LABELS.bcvk] === '1' && e.Labels?.[LABELS.vm] !== '1' && e.ImageID).map((e) => e.ImageID!);
  return [...new Set(ids)];
}
