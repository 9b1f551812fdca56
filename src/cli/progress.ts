import { BOOT_PHASE_LABELS, type BootPhase } from '../engine/guest/bootPhases';

export interface Progress {
  phase(p: BootPhase): void;
  /** clears the live line (a TTY) so what follows starts clean */
  done(): void;
}

/**
 * The boot's progress on stderr: on a terminal one live status line (phase and seconds, redrawn every
 * second, as bcvk's ssh does); otherwise one line per phase; nothing with --quiet.
 */
export function progressReporter(stream: NodeJS.WriteStream, opts: { quiet?: boolean; now?: () => number } = {}): Progress {
  if (opts.quiet) return { phase: () => undefined, done: () => undefined };
  const now = opts.now ?? Date.now;
  const started = now();
  const seconds = () => Math.round((now() - started) / 1000);
  let current: BootPhase | undefined;
  if (!stream.isTTY) {
    return {
      phase(p) {
        if (p === current) return;
        current = p;
        stream.write(`bootc-ephemeral: ${BOOT_PHASE_LABELS[p]} (${seconds()} s)\n`);
      },
      done: () => undefined,
    };
  }
  const draw = () => current && stream.write(`\r\x1b[K${BOOT_PHASE_LABELS[current]}... ${seconds()} s`);
  const timer = setInterval(draw, 1000);
  timer.unref();
  return {
    phase(p) {
      if (p === current) return;
      current = p;
      draw();
    },
    done() {
      clearInterval(timer);
      if (current) stream.write('\r\x1b[K');
      current = undefined;
    },
  };
}
