/** An error the user can act on: what went wrong, and (when known) which option and value caused it. */
export class EngineError extends Error {
  constructor(
    message: string,
    readonly details: { field?: string; value?: unknown; hint?: string; exitCode?: number } = {},
  ) {
    super(message);
    this.name = 'EngineError';
  }
}

/** One invalid run option: reported before anything is started. */
export interface OptionProblem {
  field: string;
  value: unknown;
  message: string;
}

export class InvalidOptionsError extends EngineError {
  constructor(readonly problems: OptionProblem[]) {
    super(problems.map(formatProblem).join('\n'), { field: problems[0]?.field, value: problems[0]?.value });
    this.name = 'InvalidOptionsError';
  }
}

/**
 * No podman can be used: the binary is not there (`missing`), or this host cannot run VMs itself and no
 * podman connection to one is set (`host`: not Linux). Nothing of ours works until that is fixed.
 */
export class PodmanUnavailableError extends EngineError {
  constructor(
    readonly reason: 'missing' | 'host',
    message: string,
    hint: string,
  ) {
    super(message, { hint });
    this.name = 'PodmanUnavailableError';
  }
}

export function formatProblem(p: OptionProblem): string {
  return `invalid ${p.field} ${JSON.stringify(p.value)}: ${p.message}`;
}

/**
 * `podman build` failed: its output (the last lines, at most BUILD_OUTPUT_KEPT) and which of them is the
 * step that failed, so a UI can show the log there.
 */
export class BuildFailedError extends EngineError {
  constructor(
    message: string,
    readonly output: readonly string[],
    /** index in `output` of the failing step's `STEP n/m` line, when it is there */
    readonly failingStepLine: number | undefined,
  ) {
    super(message);
    this.name = 'BuildFailedError';
  }
}

/**
 * A VM that was started did not become reachable over SSH: the wait timed out, the VM stopped first,
 * or it was removed meanwhile. The VM may still be there (for its logs), so a UI can offer its console
 * and journal.
 */
export class VmNotReadyError extends EngineError {
  constructor(
    message: string,
    readonly vmName: string,
    /**
     * stopped: ended by itself, its container kept (logs); stoppedAndRemoved: ended by itself and podman removed it (--rm);
     * bootFailed: its console shows a boot that cannot succeed (an initramfs shell, emergency mode): it still runs, for its console
     */
    readonly reason: 'timeout' | 'stopped' | 'stoppedAndRemoved' | 'removed' | 'bootFailed',
    exitCode: number,
  ) {
    super(message, { exitCode });
    this.name = 'VmNotReadyError';
  }
}
