import * as os from 'node:os';

/** The signals a foreground command answers: Ctrl-C, `kill`/`timeout`, a closed terminal. */
const HANDLED = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
export type HandledSignal = (typeof HANDLED)[number];

export interface Interrupts {
  /** aborted on the first signal; `reason` is the signal's name */
  signal: AbortSignal;
  /** the signal received, if any */
  received(): HandledSignal | undefined;
  /** 128 + the signal number (130, 143, 129), as shells report it */
  exitCode(): number;
  dispose(): void;
}

/**
 * Instead of dying at once (leaving a state dir with a private key, or a container), a foreground
 * command is told about the signal, stops what it started, removes what it owns, then exits 128+n.
 */
export function catchInterrupts(): Interrupts {
  const abort = new AbortController();
  let got: HandledSignal | undefined;
  const handlers = HANDLED.map((sig) => {
    const h = () => {
      got ??= sig;
      abort.abort(sig);
    };
    process.on(sig, h);
    return [sig, h] as const;
  });
  return {
    signal: abort.signal,
    received: () => got,
    exitCode: () => 128 + (got ? os.constants.signals[got] : 0),
    dispose: () => handlers.forEach(([sig, h]) => process.off(sig, h)),
  };
}
