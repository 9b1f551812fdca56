import * as fs from 'node:fs';
import type { Client } from 'ssh2';
import { EngineError } from '../errors';
import type { Podman } from '../podman/podman';
import { connectSsh, lastLines } from './ssh';
import { vmStatePaths } from '../vm/stateDir';
import { findVm, journalSaysReady, sshTargetOf, VmInfo } from '../vm/vms';
import { BOOT_PHASES, laterPhase, phaseFromGuestOutput, type BootPhase } from './bootPhases';

export const DEFAULT_SSH_TIMEOUT_MS = 240_000;

export interface WaitOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
  /** each boot phase once, in order, as the guest's output shows it (the CLI's status line, the extension's progress) */
  onPhase?: (phase: BootPhase) => void;
}

/** The console's first bytes show the kernel start, its last ones the initrd (the journal stream starts later). */
const CONSOLE_WINDOW_BYTES = 16 * 1024;

function readHeadAndTail(file: string, bytes: number): string {
  try {
    const fd = fs.openSync(file, 'r');
    try {
      const size = fs.fstatSync(fd).size;
      const read = (at: number) => {
        const buf = Buffer.alloc(Math.min(bytes, size));
        return buf.subarray(0, fs.readSync(fd, buf, 0, buf.length, at)).toString('utf8');
      };
      return size <= 2 * bytes ? read(0) + (size > bytes ? read(bytes) : '') : `${read(0)}\n${read(size - bytes)}`;
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return '';
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function journalTail(vm: VmInfo, n = 15): string {
  if (!vm.stateDir) return '';
  const p = vmStatePaths(vm.stateDir);
  const lines = lastLines(p.journalLog, n);
  const source = lines.length ? 'journal' : 'console';
  const shown = lines.length ? lines : lastLines(p.consoleLog, n);
  return shown.length ? `\nlast ${source} lines:\n${shown.map((l) => `  ${l}`).join('\n')}` : '';
}

/** Why SSH cannot be had: never started, stopped after it was ready, or stopped while booting. */
function notRunning(vm: VmInfo, atStart: boolean): EngineError {
  const how = `container ${vm.podmanState}${vm.exitCode !== undefined ? `, exit ${vm.exitCode}` : ''}`;
  const wasReady = !!vm.stateDir && fs.existsSync(vmStatePaths(vm.stateDir).readyMarker);
  if (wasReady) return new EngineError(`the VM ${vm.name} is not running any more (${how})`, { exitCode: SSH_NO_CONNECTION });
  if (atStart && vm.podmanState !== 'created' && vm.podmanState !== 'initialized') return new EngineError(`the VM ${vm.name} is not running (${how})${journalTail(vm)}`, { exitCode: SSH_NO_CONNECTION });
  return new EngineError(`the VM ${vm.name} stopped before SSH became available (${how})${journalTail(vm)}`, { exitCode: SSH_NO_CONNECTION });
}

/**
 * How long one SSH attempt may take. Before the journal says sshd listens, an attempt is a fallback probe
 * (images that log otherwise): short, because while the guest has no address yet QEMU's user network holds
 * the connection open, and a long attempt would keep the loop from seeing sshd's line meanwhile (boots
 * with quiet kernel arguments showed SSH seconds late that way). Once sshd listens, a TCG guest may need
 * several seconds for the handshake (so does a guest whose start-up finished without that line). Never past
 * the deadline: --timeout 2 means about 2 s.
 */
export function attemptTimeoutMs(settled: boolean, remainingMs: number): number {
  return Math.max(500, Math.min(settled ? 8000 : 2500, remainingMs));
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
  let vm = await findVm(podman, name);
  const target = () => sshTargetOf(vm);
  const paths = vm.stateDir ? vmStatePaths(vm.stateDir) : undefined;
  let lastAttempt = 0;
  let lastError = '';
  let listening = false;
  /** the guest's start-up has finished: a quiet sshd will not say more, so attempts get their full time */
  let started = false;
  let phase: BootPhase = 'starting';
  opts.onPhase?.(phase);
  const advance = (to: BootPhase) => {
    const next = laterPhase(phase, to);
    if (next !== phase) {
      // a phase the output skipped (a quiet console) still shows, in order
      for (const p of BOOT_PHASES.slice(BOOT_PHASES.indexOf(phase) + 1, BOOT_PHASES.indexOf(next) + 1)) opts.onPhase?.(p);
      phase = next;
    }
  };
  for (let tick = 0; ; tick++) {
    if (opts.signal?.aborted) throw new EngineError('cancelled while waiting for SSH', { exitCode: SSH_NO_CONNECTION });
    if (tick % 4 === 0) {
      vm = await findVm(podman, name);
      if (vm.podmanState !== 'running') throw notRunning(vm, tick === 0);
    }
    if (!listening && paths) {
      let journalText = '';
      try {
        journalText = fs.readFileSync(paths.journalLog, 'utf8');
      } catch {
        /* not there yet */
      }
      listening = journalSaysReady(journalText, true);
      started = started || journalSaysReady(journalText, false);
      advance(phaseFromGuestOutput(readHeadAndTail(paths.consoleLog, CONSOLE_WINDOW_BYTES), journalText));
    }
    const now = Date.now();
    if ((listening && now - lastAttempt > 1000) || now - lastAttempt > 5000) {
      lastAttempt = now;
      if (listening) advance('connecting');
      try {
        const client = await connectSsh(target(), attemptTimeoutMs(listening || started, deadline - now));
        if (vm.stateDir) fs.writeFileSync(vmStatePaths(vm.stateDir).readyMarker, '');
        advance('ready');
        return { vm, client };
      } catch (e) {
        lastError = (e as Error).message;
        if (e instanceof EngineError) throw e;
      }
    }
    if (Date.now() > deadline) {
      throw new EngineError(`SSH to ${vm.name} was not ready after ${Math.round(timeoutMs / 1000)} s (last attempt: ${lastError || 'none'})${journalTail(vm)}`, { exitCode: SSH_NO_CONNECTION });
    }
    await sleep(250);
  }
}
