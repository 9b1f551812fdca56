import type { Client } from 'ssh2';
import type { Podman } from '../podman/podman';
import type { RunOptions } from '../options/runOptions';
import type { BootPhase } from '../guest/bootPhases';
import type { ResolvedAccel } from '../plan/qemu';
import { EngineError, VmNotReadyError } from '../errors';
import { prepareLaunch, type LaunchDeps, type PreparedLaunch } from './launch';
import { startDetached } from './start';
import { waitForSsh } from '../guest/ready';
import { findVm, removeVm, stopVm } from './vms';
import * as l10n from '@vscode/l10n';

export interface BootHooks {
  signal?: AbortSignal;
  onPhase?: (phase: BootPhase) => void;
  /** the launch is planned (state dir written), nothing runs yet: for logging the plan */
  onPrepared?: (prepared: PreparedLaunch) => void;
  /** the container runs (the VM boots): callers show it before SSH answers */
  onStarted?: (name: string, accel: ResolvedAccel) => void | Promise<void>;
  warn?: (message: string) => void;
  /** leave a VM that failed to come up for its logs (a cancelled boot is always removed); default: remove it */
  keepOnFailure?: boolean;
  timeoutMs?: number;
  tools?: LaunchDeps['tools'];
}

/** A VM that booted and answers SSH. */
export interface BootedVm {
  name: string;
  accel: ResolvedAccel;
  /** the authenticated SSH connection that proved it ready; the caller ends it */
  client: Client;
  stop(): Promise<void>;
  /** removes the container and the state dir (whatever state the VM is in) */
  remove(): Promise<void>;
}

/** Removes what one launch made: its container if there is one, else its state dir. */
async function removeLaunch(podman: Podman, prepared: PreparedLaunch): Promise<void> {
  const vm = await findVm(podman, prepared.name).catch(() => undefined);
  if (vm) await removeVm(podman, vm);
  else prepared.discard();
}

/**
 * The VM lifecycle, once for the CLI (run-ssh), the extension's boot flow, its tasks and the run form:
 * prepare -> start in the background -> wait for SSH (reporting boot phases) -> ready. On cancellation
 * (signal) or failure the launch's own VM is removed before this throws. The options must ask for SSH
 * and the background (-K, -d).
 */
export async function bootVm(podman: Podman, options: RunOptions, hooks: BootHooks = {}): Promise<BootedVm> {
  if (!options.sshKeygen || !options.detach) throw new EngineError(l10n.t('bootVm needs options with SSH and detach (-K -d)'));
  hooks.onPhase?.('starting');
  const prepared = await prepareLaunch(options, { podman, warn: hooks.warn, tools: hooks.tools });
  const remove = () => removeLaunch(podman, prepared);
  try {
    hooks.onPrepared?.(prepared);
    if (hooks.signal?.aborted) throw new EngineError(l10n.t('cancelled before the VM started'));
    const startedId = await startDetached(prepared, podman);
    await hooks.onStarted?.(prepared.name, prepared.accel);
    const { client } = await waitForSsh(podman, prepared.name, { signal: hooks.signal, onPhase: hooks.onPhase, timeoutMs: hooks.timeoutMs, startedId });
    return {
      name: prepared.name,
      accel: prepared.accel,
      client,
      stop: async () => stopVm(podman, await findVm(podman, prepared.name)),
      remove,
    };
  } catch (e) {
    // kept for its logs only while its container is: one that is gone leaves no state dir behind
    const gone = e instanceof VmNotReadyError && (e.reason === 'removed' || e.reason === 'stoppedAndRemoved');
    if (hooks.signal?.aborted || !hooks.keepOnFailure || gone) await remove().catch(() => undefined);
    throw e;
  }
}
