import type { Podman } from '../podman/podman';
import { podmanCommands } from '../podman/commands';
import type { VmStats } from '../podman/stats';
import type { VmInfo } from './vms';

export type { VmStats };

/** One `podman stats --no-stream` call for the running VMs among `vms`, by container id. */
export async function vmStats(podman: Podman, vms: readonly VmInfo[]): Promise<Map<string, VmStats>> {
  const running = vms.filter((v) => v.podmanState === 'running');
  if (!running.length) return new Map();
  const stats = await podman.exec(podmanCommands.containerStats(running.map((v) => v.id)));
  // podman prints short ids: match them to the VMs' full ones
  return new Map(running.flatMap((vm) => {
    const s = stats.find((x) => vm.id.startsWith(x.id) || x.id.startsWith(vm.id));
    return s ? [[vm.id, s] as const] : [];
  }));
}
