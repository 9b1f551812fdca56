import type { Podman } from '../podman/podman';
import { podmanCommands } from '../podman/commands';
import type { VmInfo } from './vms';

/** How a container that is gone ended, as podman's event log tells it. */
export interface ContainerEnd {
  /** a stop or kill came before its end: someone asked for it (Stop, Remove, `podman rm -f`) */
  requested: boolean;
  exitCode?: number;
}

/**
 * Exit codes of a VM container stopped on request: QEMU's clean exit on SIGTERM, or the supervisor's
 * 128 + the stop's signal (HUP, INT, TERM: resources/supervisor.sh). A SIGKILL (137) is not among them:
 * it may be the OOM killer, and `podman kill` logs a kill event anyway.
 */
const STOPPED_ON_REQUEST = new Set([0, 129, 130, 143]);

/** How a container ended, from its exit code (undefined: unknown) and whether a stop or kill event came first. */
export function endFrom(exitCode: number | undefined, stopOrKillSeen: boolean): ContainerEnd {
  return { requested: stopOrKillSeen || (exitCode !== undefined && STOPPED_ON_REQUEST.has(exitCode)), exitCode };
}

/**
 * Reads one container's event lines (`podman events --format json`, oldest first): undefined unless it
 * died. `podman rm -f` logs no stop event, so the exit code says as much as the events do.
 */
export function containerEndFrom(lines: readonly string[]): ContainerEnd | undefined {
  let stopOrKillSeen = false;
  for (const line of lines) {
    let e: { Status?: unknown; ContainerExitCode?: unknown };
    try {
      e = JSON.parse(line);
    } catch {
      continue;
    }
    if (e.Status === 'stop' || e.Status === 'kill') stopOrKillSeen = true;
    if (e.Status === 'died') {
      // podman leaves a zero exit code out
      const code = e.ContainerExitCode ?? 0;
      return endFrom(Number.isInteger(code) && (code as number) >= 0 && (code as number) < 256 ? (code as number) : undefined, stopOrKillSeen);
    }
  }
  return undefined;
}

/** How a VM container that vanished ended (podman removes a --rm container as it ends). */
export async function howItEnded(podman: Podman, vm: Pick<VmInfo, 'id' | 'createdAt'>): Promise<ContainerEnd | undefined> {
  // since its creation (a second early for clock rounding), or the last hour: never the whole log
  const since = vm.createdAt !== undefined ? vm.createdAt - 1 : Date.now() / 1000 - 3600;
  // podman's own id, but it becomes a filter: hex only
  if (!/^[0-9a-f]{12,64}$/.test(vm.id)) return undefined;
  const lines = await podman.exec(podmanCommands.containerEventLog(vm.id, since)).catch(() => []);
  return containerEndFrom(lines);
}
