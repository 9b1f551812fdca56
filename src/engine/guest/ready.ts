import * as fs from 'node:fs';
import { guestOutputFor, NO_OUTPUT, outputTail, type GuestOutput } from './guestOutput';
import type { Client } from 'ssh2';
import { EngineError, VmNotReadyError } from '../errors';
import type { Podman } from '../podman/podman';
import { connectSsh } from './ssh';
import { attemptDue, attemptTimeoutMs, probesHeld, SshAttempts } from './sshAttempts';
import { vmStatePaths } from '../vm/stateDir';
import { findVm, journalSaysReady, sshTargetOf, VmInfo } from '../vm/vms';
import { endFrom, howItEnded } from '../vm/howItEnded';
import { exitReason } from '../vm/exitReason';
import { BOOT_PHASES, laterPhase, phaseFromGuestOutput, sshPossible, type BootPhase } from './bootPhases';
import * as l10n from '@vscode/l10n';
import { bootFailureOf } from './bootFailure';

export const DEFAULT_SSH_TIMEOUT_MS = 240_000;

export interface WaitOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
  /** each boot phase once, in order, as the guest's output shows it (the CLI's status line, the extension's progress) */
  onPhase?: (phase: BootPhase) => void;
  /** the container id when the caller has just started it: gone already is then an end to explain */
  startedId?: string;
}

/** Why SSH cannot be had: never started, stopped after it was ready, or stopped while booting. */
async function notRunning(podman: Podman, vm: VmInfo, atStart: boolean, output: GuestOutput): Promise<EngineError> {
  const how = `container ${vm.podmanState}${vm.exitCode !== undefined ? `, exit ${vm.exitCode}` : ''}`;
  const wasReady = !!vm.stateDir && fs.existsSync(vmStatePaths(vm.stateDir).readyMarker);
  if (wasReady) return new EngineError(l10n.t('the VM {0} is not running any more ({1})', vm.name, how), { exitCode: SSH_NO_CONNECTION });
  // stopped or being removed from outside (Stop, Remove, podman stop/rm) while it booted: asked for, not a fault
  if (vm.podmanState === 'stopping' || vm.podmanState === 'removing') return new VmNotReadyError(l10n.t('the VM {0} was stopped before SSH became available', vm.name), vm.name, 'removed', SSH_NO_CONNECTION);
  // podman removes a --rm container as it ends, its logs with it: say now how it ended
  if (vm.autoRemove) return vanished(podman, vm, output);
  if (atStart && vm.podmanState !== 'created' && vm.podmanState !== 'initialized') return new VmNotReadyError(l10n.t('the VM {0} is not running ({1}){2}', vm.name, how, outputTail(output)), vm.name, 'stopped', SSH_NO_CONNECTION);
  return new VmNotReadyError(l10n.t('the VM {0} stopped before SSH became available ({1}){2}', vm.name, how, outputTail(output)), vm.name, 'stopped', SSH_NO_CONNECTION);
}

/**
 * Why a VM is gone (or going: --rm) while it booted: removed on request (Stop, Remove, `podman rm -f`: not a failure of its
 * own), or it ended by itself and podman removed it as it was started with --rm (a failure, with the reason).
 */
async function vanished(podman: Podman, vm: Pick<VmInfo, 'id' | 'name' | 'podmanState' | 'createdAt' | 'exitCode' | 'options'>, output: GuestOutput): Promise<VmNotReadyError> {
  // the event log, else (not written yet) the exit podman reported for a container that is still listed
  const end = (await howItEnded(podman, vm)) ?? (vm.podmanState !== 'running' && vm.exitCode !== undefined ? endFrom(vm.exitCode, false) : undefined);
  if (!end || end.requested) return new VmNotReadyError(l10n.t('the VM {0} was removed before SSH became available', vm.name), vm.name, 'removed', SSH_NO_CONNECTION);
  const code = end.exitCode;
  const reason = code === undefined ? undefined : exitReason({ state: 'failed', exitCode: code, options: vm.options }, false);
  const why = code === undefined ? l10n.t('exit status unknown') : reason ? `exit ${code}: ${reason}` : `exit ${code}`;
  return new VmNotReadyError(l10n.t('the VM {0} stopped before SSH became available ({1}); it was started with --rm, so podman removed it and its logs{2}', vm.name, why, outputTail(output)), vm.name, 'stoppedAndRemoved', SSH_NO_CONNECTION);
}

/** OpenSSH's exit status when there is no connection. */
export const SSH_NO_CONNECTION = 255;

/**
 * Waits until the guest's sshd accepts our key, and returns the authenticated client. The journal
 * stream says when sshd listens, so we try right then; a slow poll covers images that log otherwise.
 */
export async function waitForSsh(podman: Podman, name: string, opts: WaitOptions = {}): Promise<{ vm: VmInfo; client: Client }> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_SSH_TIMEOUT_MS;
  const deadline = Date.now() + timeoutMs;
  const vm = await findVm(podman, name).catch(async (e: unknown) => {
    const gone = !!opts.startedId && e instanceof EngineError && e.details.field === 'name';
    throw gone ? await vanished(podman, { id: opts.startedId!, name, podmanState: 'running' }, NO_OUTPUT) : e;
  });
  const output = guestOutputFor(podman, vm);
  try {
    return await untilSshAnswers(podman, vm, output, opts, timeoutMs, deadline);
  } finally {
    output.dispose();
  }
}

/** how often the wait looks at the guest's output; an attempt that ends wakes it sooner */
const POLL_MS = 100;

async function untilSshAnswers(podman: Podman, first: VmInfo, output: GuestOutput, opts: WaitOptions, timeoutMs: number, deadline: number): Promise<{ vm: VmInfo; client: Client }> {
  let vm = first;
  const attempts = new SshAttempts((ms, signal) => connectSsh(sshTargetOf(vm, podman), ms, signal));
  let listening = false;
  let triedSinceListening = false;
  /** the guest's start-up has finished: a quiet sshd will not say more, so attempts get their full time */
  let started = false;
  let holdProbes = false;
  const waitStart = Date.now();
  let phase: BootPhase = 'starting';
  // a VM that is ready already has no boot to show (a script's every `ssh` would print the phases)
  const onPhase = first.state === 'ready' ? undefined : opts.onPhase;
  onPhase?.(phase);
  const advance = (to: BootPhase) => {
    const next = laterPhase(phase, to);
    if (next !== phase) {
      // a phase the output skipped (a quiet console) still shows, in order
      for (const p of BOOT_PHASES.slice(BOOT_PHASES.indexOf(phase) + 1, BOOT_PHASES.indexOf(next) + 1)) onPhase?.(p);
      phase = next;
    }
  };
  try {
    for (let lastCheck = 0, first = true; ; first = false) {
      if (opts.signal?.aborted) throw new EngineError(l10n.t('cancelled while waiting for SSH'), { exitCode: SSH_NO_CONNECTION });
      const client = attempts.take();
      if (client) {
        if (vm.stateDir) fs.writeFileSync(vmStatePaths(vm.stateDir).readyMarker, '');
        advance('ready');
        return { vm, client };
      }
      if (attempts.fatal) throw attempts.fatal;
      if (Date.now() - lastCheck >= 1000) {
        lastCheck = Date.now();
        // only whether it still runs: the journal is already being followed here
        const current = vm;
        vm = await findVm(podman, vm.id, { remoteReadiness: false }).catch(async (e: unknown) => {
          throw e instanceof EngineError && e.details.field === 'name' ? await vanished(podman, current, output) : e;
        });
        if (vm.podmanState !== 'running') throw await notRunning(podman, vm, first, output);
      }
      if (!listening && vm.stateDir) {
        const journalText = output.journal();
        const consoleText = output.consoleWindow();
        listening = sshPossible(consoleText, journalText);
        started = started || journalSaysReady(journalText, false);
        // the VM's age by podman's clock, or (a remote host's clock ahead of ours) since this wait began
        const ageMs = Math.max(Date.now() - waitStart, vm.startedAt ? Date.now() - vm.startedAt * 1000 : 0);
        holdProbes = probesHeld(ageMs, journalText.length > 0, started);
        advance(phaseFromGuestOutput(consoleText, journalText));
        // an initramfs shell or emergency mode waits for ever: say so now, not at the deadline
        const failure = listening ? undefined : bootFailureOf(consoleText);
        if (failure) throw new VmNotReadyError(l10n.t('the VM {0} cannot boot: {1}{2}', vm.name, failure, outputTail(output)), vm.name, 'bootFailed', SSH_NO_CONNECTION);
      }
      if (attemptDue(attempts.clock(listening, triedSinceListening, holdProbes))) {
        if (listening && !triedSinceListening) {
          triedSinceListening = true;
          attempts.abandonProbes();
          advance('connecting');
        }
        attempts.start(attemptTimeoutMs(listening || started, deadline - Date.now()), !listening);
      }
      if (Date.now() > deadline) {
        throw new VmNotReadyError(l10n.t('SSH to {0} was not ready after {1} s (last attempt: {2}){3}', vm.name, Math.round(timeoutMs / 1000), attempts.lastError || 'none', outputTail(output)), vm.name, 'timeout', SSH_NO_CONNECTION);
      }
      await attempts.settledOr(POLL_MS);
    }
  } finally {
    // no client was taken (timeout, cancel, the VM gone): one that authenticates later is closed
    attempts.end();
  }
}
