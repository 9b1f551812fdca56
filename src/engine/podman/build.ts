import type { GuestArch } from '../options/types';
import * as path from 'node:path';
import { BuildFailedError, EngineError } from '../errors';
import type { Podman } from './podman';
import { onLines } from '../lines';
import { podmanStreams } from './commands';
import * as l10n from '@vscode/l10n';

/** The local tag for an image built from a Containerfile: localhost/<folder>-ephemeral:latest */
export function imageTagFor(containerfile: string): string {
  const folder = path.basename(path.dirname(containerfile)).toLowerCase().replace(/[^a-z0-9._-]/g, '-').replace(/^[^a-z0-9]+/, '') || 'image';
  return `localhost/${folder}-ephemeral:latest`;
}

/** `podman build -f FILE CONTEXT`, streaming each output line; the error names the failing step. */
export async function buildImage(
  podman: Podman,
  req: { containerfile: string; context: string; tag: string; arch?: GuestArch; signal?: AbortSignal },
  onLine: (line: string) => void,
): Promise<void> {
  const child = podman.spawn(podmanStreams.build(req.tag, req.containerfile, req.context, req.arch), { all: true, buffer: false, cancelSignal: req.signal });
  const output = new BuildOutput();
  onLines(child.all, (l) => {
    output.push(l);
    onLine(l);
  });
  const r = await child;
  if (req.signal?.aborted) throw new EngineError(l10n.t('build cancelled'));
  if (r.exitCode !== 0) throw output.failure(r.exitCode);
}

/** The build's output lines kept for the error (the last ones; a step's own output can be long). */
export const BUILD_OUTPUT_KEPT = 5000;

/** A build's output as it comes: the last BUILD_OUTPUT_KEPT lines and where the last step began. */
export class BuildOutput {
  private readonly lines: string[] = [];
  private lastStep: number | undefined;

  push(line: string): void {
    if (/^STEP \d+\/\d+/.test(line)) this.lastStep = this.lines.length;
    this.lines.push(line);
    if (this.lines.length > BUILD_OUTPUT_KEPT) {
      this.lines.shift();
      if (this.lastStep !== undefined) this.lastStep = this.lastStep > 0 ? this.lastStep - 1 : undefined;
    }
  }

  /** The error for a failed build: the failing step, the last line that says error, and the output. */
  failure(exitCode: number | undefined): BuildFailedError {
    const step = this.lastStep === undefined ? undefined : this.lines[this.lastStep];
    const sinceStep = this.lines.slice(this.lastStep ?? Math.max(0, this.lines.length - 20));
    const reason = sinceStep.filter((l) => /error/i.test(l)).pop() ?? this.lines.at(-1) ?? `exit ${exitCode}`;
    return new BuildFailedError(l10n.t('podman build failed{0}: {1}', step ? ` at ${step}` : '', reason), [...this.lines], this.lastStep);
  }
}
