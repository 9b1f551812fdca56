import type { Client } from 'ssh2';
import { EngineError } from '../errors';

/**
 * How long one SSH attempt may take. Before the journal says sshd listens, an attempt is a fallback probe
 * (images that log otherwise): short, because while the guest has no address yet QEMU's user network holds
 * the connection open. Once sshd listens, a TCG guest may need several seconds for the handshake (so does
 * a guest whose start-up finished without that line). Never past the deadline: --timeout 2 means about 2 s.
 */
export function attemptTimeoutMs(settled: boolean, remainingMs: number): number {
  return Math.max(500, Math.min(settled ? 8000 : 2500, remainingMs));
}

export interface AttemptClock {
  /** the journal says sshd listens */
  listening: boolean;
  /** an attempt was started since sshd said it listens */
  triedSinceListening: boolean;
  inFlight: number;
  msSinceLastStart: number;
  /** an attempt has authenticated and waits to be taken */
  succeeded?: boolean;
  /** no fallback probes now (probesHeld) */
  holdProbes?: boolean;
}

/**
 * Whether fallback probes wait. Before the guest's "SSH possible" line a probe cannot get in (with early
 * SSH the address comes with that line), and QEMU's user network still delivers its connection seconds
 * later, once the guest has the address: a second sshd beside the login that counts, under TCG CPU the
 * first login needs. So they wait while the guest boots: 90 s while its journal comes (its line, or the
 * end of its start-up, will tell), 30 s while none does (an image whose journal never reaches us).
 */
export function probesHeld(vmAgeMs: number, journalFlowing: boolean, startupFinished: boolean): boolean {
  return !startupFinished && vmAgeMs < (journalFlowing ? 90_000 : 30_000);
}

/**
 * Whether to start an SSH attempt now. The moment sshd says it listens, at once, even beside a fallback
 * probe still held open by a guest that had no address yet (waiting for it cost up to 2.5 s of ready
 * latency); otherwise one at a time, every second once sshd listens, every 5 s before.
 */
export function attemptDue(c: AttemptClock): boolean {
  // one ended well while the loop looked elsewhere: another would only start one more sshd in the guest
  if (c.succeeded) return false;
  if (c.listening && !c.triedSinceListening) return true;
  if (!c.listening && c.holdProbes) return false;
  return c.inFlight === 0 && c.msSinceLastStart > (c.listening ? 1000 : 5000);
}

/**
 * SSH attempts that run beside the wait loop: the first client to authenticate is kept, later ones are
 * closed, and so is any that authenticates after the wait has ended (timeout, cancel, the VM gone).
 */
export class SshAttempts {
  private inFlight = 0;
  private lastStart = 0;
  private client: Client | undefined;
  private ended = false;
  private wake: () => void = () => undefined;
  /** the last attempt's error message, for the timeout's error */
  lastError = '';
  /** an error no retry can mend (a host key mismatch, an unreadable key) */
  fatal: EngineError | undefined;

  /** fallback probes still open (started before sshd said it listens) */
  private probes = new Set<AbortController>();

  constructor(private readonly connect: (timeoutMs: number, signal: AbortSignal) => Promise<Client>) {}

  clock(listening: boolean, triedSinceListening: boolean, holdProbes = false): AttemptClock {
    return { listening, triedSinceListening, inFlight: this.inFlight, msSinceLastStart: Date.now() - this.lastStart, succeeded: !!this.client, holdProbes };
  }

  /** `probe`: a fallback probe, which abandonProbes() may give up */
  start(timeoutMs: number, probe = false): void {
    this.inFlight++;
    this.lastStart = Date.now();
    const abort = new AbortController();
    if (probe) this.probes.add(abort);
    this.connect(timeoutMs, abort.signal)
      .then(
        (c) => {
          if (this.client || this.ended) c.end();
          else this.client = c;
        },
        (e: unknown) => {
          this.lastError = (e as Error).message;
          if (e instanceof EngineError) this.fatal ??= e;
        },
      )
      .finally(() => {
        this.probes.delete(abort);
        this.inFlight--;
        this.wake();
      });
  }

  /** the authenticated client, once one attempt has succeeded (the caller owns it from then on) */
  take(): Client | undefined {
    const c = this.client;
    if (c) {
      this.ended = true;
      this.client = undefined;
    }
    return c;
  }

  /** resolves after ms, or sooner when an attempt ends */
  settledOr(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  /**
   * sshd says it listens: the probes still open are given up. Their connection reached no address
   * (QEMU's user network retransmits it seconds later), and arriving then it would start a second sshd
   * beside the login that counts, under TCG a second key exchange for the same CPUs.
   */
  abandonProbes(): void {
    for (const p of this.probes) p.abort();
  }

  /** the wait is over without a client: whatever authenticates later is closed */
  end(): void {
    this.ended = true;
    this.client?.end();
    this.client = undefined;
  }
}
