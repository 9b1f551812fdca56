import type { Podman } from './podman';
import { LABELS } from './labels';
import { onLines } from '../lines';
import { podmanStreams } from './commands';

export interface VmEvent {
  name: string;
  status: string;
}

/** One line of `podman events --format json`; undefined unless it is about a VM container. */
export function parseVmEvent(line: string): VmEvent | undefined {
  let e: { Type?: string; Name?: string; Status?: string; Attributes?: Record<string, string> };
  try {
    e = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (e.Type && e.Type !== 'container') return undefined;
  const a = e.Attributes ?? {};
  if (a[LABELS.vm] !== '1' && a[LABELS.bcvk] !== '1') return undefined;
  return { name: e.Name ?? '', status: e.Status ?? '' };
}

export interface EventWatch {
  dispose(): void;
}

/**
 * Follows `podman events` for VM containers and calls onEvent for each; if the stream dies it is
 * restarted with a growing delay (1 s, 2 s, ... 30 s), reset once it has run for a while. Events of
 * the gap are lost: `onRestarted` is the cue to re-read everything.
 */
export function watchVmEvents(podman: Podman, onEvent: (e: VmEvent) => void, onProblem?: (message: string) => void, onRestarted?: () => void): EventWatch {
  let disposed = false;
  let delay = 1000;
  let child: ReturnType<Podman['spawn']> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let restarts = 0;
  const start = () => {
    if (disposed) return;
    const startedAt = Date.now();
    child = podman.spawn(podmanStreams.containerEvents(), { buffer: false, stdin: 'ignore' });
    if (restarts++ > 0) onRestarted?.();
    onLines(child.stdout, (l) => {
      const e = parseVmEvent(l);
      if (e) onEvent(e);
    });
    child.then((r) => {
      if (disposed) return;
      if (Date.now() - startedAt > 60_000) delay = 1000;
      onProblem?.(`podman events ended (exit ${r.exitCode ?? r.signal}); restarting in ${delay / 1000} s`);
      timer = setTimeout(start, delay);
      delay = Math.min(delay * 2, 30_000);
    });
  };
  start();
  return {
    dispose() {
      disposed = true;
      clearTimeout(timer);
      child?.kill('SIGTERM');
    },
  };
}
