import * as path from 'node:path';
import { EngineError } from '../errors';
import type { Podman } from './podman';
import { onLines } from '../lines';
import { podmanStreams } from './commands';

/** The local tag for an image built from a Containerfile: localhost/<folder>-ephemeral:latest */
export function imageTagFor(containerfile: string): string {
  const folder = path.basename(path.dirname(containerfile)).toLowerCase().replace(/[^a-z0-9._-]/g, '-').replace(/^[^a-z0-9]+/, '') || 'image';
  return `localhost/${folder}-ephemeral:latest`;
}

/** `podman build -f FILE CONTEXT`, streaming each output line; the error names the failing step. */
export async function buildImage(
  podman: Podman,
  req: { containerfile: string; context: string; tag: string; signal?: AbortSignal },
  onLine: (line: string) => void,
): Promise<void> {
  const child = podman.spawn(podmanStreams.build(req.tag, req.containerfile, req.context), { all: true, buffer: false, cancelSignal: req.signal });
  let lastStep = '';
  const tail: string[] = [];
  onLines(child.all, (l) => {
    if (/^STEP \d+\/\d+/.test(l)) lastStep = l;
    tail.push(l);
    if (tail.length > 20) tail.shift();
    onLine(l);
  });
  const r = await child;
  if (req.signal?.aborted) throw new EngineError('build cancelled');
  if (r.exitCode !== 0) {
    const reason = tail.filter((l) => /error/i.test(l)).pop() ?? tail.at(-1) ?? `exit ${r.exitCode}`;
    throw new EngineError(`podman build failed${lastStep ? ` at ${lastStep}` : ''}: ${reason}`);
  }
}
