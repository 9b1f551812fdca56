import * as l10n from '@vscode/l10n';
import type { Podman } from '../podman/podman';
import { EXECUTE_UNIT } from '../plan/guestUnits';
import { bootFailureOf } from '../guest/bootFailure';
import { guestOutputFor, outputTail, type GuestOutput } from '../guest/guestOutput';
import { findVm } from './vms';

/** `run --execute` waits this long by default for its command to start (TCG boots take tens of seconds; a heavy image minutes). */
export const DEFAULT_BOOT_TIMEOUT_MS = 600_000;

/** systemd's line as it starts the --execute unit (252: "Starting <unit> - <description>...", older: "Starting <description>..."). */
const EXECUTE_STARTING = new RegExp(`Starting (${EXECUTE_UNIT.replace(/\./g, '\\.')}|bootc-ephemeral --execute)`);

export interface BootWatchEnd {
  /** one sentence: why the boot cannot succeed, or that the deadline passed */
  message: string;
  /** the guest's last journal and console lines */
  lastLines: string;
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });

/**
 * For a foreground `run --execute`, which otherwise waits on the guest with no limit: watches the boot
 * until the command starts. Resolves with why it never will (an initramfs shell, emergency mode on the
 * console; or `deadlineMs` passed), so that the caller ends the VM; with undefined once the command
 * started, the VM ended, or `signal` aborted (the foreground run is over).
 */
export async function watchExecuteBoot(podman: Podman, name: string, deadlineMs: number, signal: AbortSignal): Promise<BootWatchEnd | undefined> {
  const deadline = Date.now() + deadlineMs;
  let output: GuestOutput | undefined;
  try {
    while (!signal.aborted) {
      await sleep(1000, signal);
      if (signal.aborted) return undefined;
      if (!output) {
        // the container is created by the foreground podman run: until then there is nothing to read
        const vm = await findVm(podman, name, { remoteReadiness: false }).catch(() => undefined);
        if (vm) output = guestOutputFor(podman, vm);
      }
      if (output && EXECUTE_STARTING.test(output.journal())) return undefined;
      const failure = output ? bootFailureOf(output.consoleWindow()) : undefined;
      if (failure) return { message: l10n.t('the VM {0} cannot boot: {1}', name, failure), lastLines: outputTail(output!) };
      if (Date.now() > deadline) {
        return { message: l10n.t('the --execute command of the VM {0} had not started after {1} s (--boot-timeout)', name, Math.round(deadlineMs / 1000)), lastLines: output ? outputTail(output) : '' };
      }
    }
    return undefined;
  } finally {
    output?.dispose();
  }
}
