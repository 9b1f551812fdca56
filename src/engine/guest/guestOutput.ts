// What a booting guest has written so far, read as it comes (the SSH wait, the --execute boot watch).
import type { Podman } from '../podman/podman';
import type { VmInfo } from '../vm/vms';
import { vmStatePaths } from '../vm/stateDir';
import { followVmLog, readVmLogHead, readVmLogTail } from '../vm/transport';
import { readLogHead, readLogTail } from './logs';
import { BOOT_SCAN_BYTES } from './logLayout';
import { filterTerminalOutput } from './terminalFilter';

/** The console's first bytes show the kernel start, its last ones the initrd (the journal stream starts later). */
const CONSOLE_WINDOW_BYTES = 16 * 1024;
/** the journal's end kept for a failure's last lines */
const JOURNAL_TAIL_BYTES = 64 * 1024;

/** A local VM's console: its first and last bytes (the kernel's start, where the boot got to). */
export const consoleWindowOf = (stateDir: string): string => readHeadAndTail(vmStatePaths(stateDir).consoleLog, CONSOLE_WINDOW_BYTES);

function readHeadAndTail(file: string, bytes: number): string {
  return windowText(readLogHead(file, bytes), readLogTail(file, bytes), bytes);
}

/** a short log is its head; a longer one is both ends (a line break between them) */
const windowText = (head: Buffer, tail: Buffer, bytes: number): string => (head.length < bytes ? head.toString('utf8') : `${head.toString('utf8')}\n${tail.toString('utf8')}`);

/** A VM's console window wherever it runs: the state dir's file, or two reads in its container (remote podman). */
export async function readConsoleWindow(podman: Podman, vm: VmInfo): Promise<string> {
  if (!podman.remote) return vm.stateDir ? consoleWindowOf(vm.stateDir) : '';
  const [head, tail] = await Promise.all([readVmLogHead(podman, vm, 'console', CONSOLE_WINDOW_BYTES), readVmLogTail(podman, vm, 'console', CONSOLE_WINDOW_BYTES)]);
  return windowText(head, tail, CONSOLE_WINDOW_BYTES);
}

/**
 * What the guest has written so far, read as the boot goes on: the state dir's files (local podman), or
 * one `podman exec tail -F` per log kept in memory (remote podman; restarted if it ends early). Bounded
 * whatever the guest writes: the journal's head up to BOOT_SCAN_BYTES, and the ends of both logs.
 */
export interface GuestOutput {
  /** the journal's head (the boot), read on as it grows up to BOOT_SCAN_BYTES */
  journal(): string;
  /** the journal's last lines */
  journalTail(): string;
  /** the console's first and last bytes (kernel start, initrd end) */
  consoleWindow(): string;
  dispose(): void;
}

function localOutput(vm: VmInfo): GuestOutput {
  const p = vm.stateDir ? vmStatePaths(vm.stateDir) : undefined;
  let head = '';
  let offset = 0;
  const decoder = new TextDecoder();
  return {
    journal: () => {
      if (!p || offset >= BOOT_SCAN_BYTES) return head;
      // only what was added since the last look
      const added = readLogHead(p.journalLog, BOOT_SCAN_BYTES, offset);
      head += decoder.decode(added, { stream: true });
      offset += added.length;
      return head;
    },
    journalTail: () => (p ? readLogTail(p.journalLog, JOURNAL_TAIL_BYTES).toString('utf8') : ''),
    consoleWindow: () => (vm.stateDir ? consoleWindowOf(vm.stateDir) : ''),
    dispose: () => undefined,
  };
}

/** Keeps the first `headBytes` and the last `tailBytes` characters of a growing text. */
class HeadAndTail {
  head = '';
  tail = '';
  constructor(private readonly headBytes: number, private readonly tailBytes: number) {}
  add(chunk: string): void {
    const room = this.headBytes - this.head.length;
    if (room > 0) this.head += chunk.slice(0, room);
    this.tail = (this.tail + chunk).slice(-this.tailBytes);
  }
  reset(): void {
    this.head = this.tail = '';
  }
}

function remoteOutput(podman: Podman, vm: VmInfo): GuestOutput {
  const stop = new AbortController();
  const mirror = (log: 'journal' | 'console', text: HeadAndTail) => {
    let running = false;
    const start = () => {
      running = true;
      text.reset();
      const decoder = new TextDecoder();
      void followVmLog(podman, vm, log, (chunk) => text.add(decoder.decode(chunk, { stream: true })), { signal: stop.signal })
        .catch(() => undefined)
        .finally(() => (running = false));
    };
    return () => {
      if (!running && !stop.signal.aborted) start();
      return text;
    };
  };
  const journal = mirror('journal', new HeadAndTail(BOOT_SCAN_BYTES, JOURNAL_TAIL_BYTES));
  // the head stays, the tail slides: what phaseFromGuestOutput looks at
  const console = mirror('console', new HeadAndTail(CONSOLE_WINDOW_BYTES, CONSOLE_WINDOW_BYTES));
  journal();
  console();
  return {
    journal: () => journal().head,
    journalTail: () => journal().tail,
    consoleWindow: () => {
      const c = console();
      return c.head.length < CONSOLE_WINDOW_BYTES ? c.head : `${c.head}\n${c.tail}`;
    },
    dispose: () => stop.abort(),
  };
}

/** What the guest writes, read as it comes: the state dir's files, or followed through podman (remote). */
export const guestOutputFor = (podman: Podman, vm: VmInfo): GuestOutput => (podman.remote ? remoteOutput(podman, vm) : localOutput(vm));

export const NO_OUTPUT: GuestOutput = { journal: () => '', journalTail: () => '', consoleWindow: () => '', dispose: () => undefined };

/**
 * The guest's last words: the journal, and the console's last lines too, where the kernel says what the
 * journal cannot when the guest is stuck (hung tasks, stalls, oopses).
 */
export function outputTail(output: Pick<GuestOutput, 'journalTail' | 'consoleWindow'>, n = 15): string {
  // guest output is untrusted: no control sequence of it reaches the user's terminal
  const last = (text: string, count: number) => filterTerminalOutput(text).toString('utf8').split('\n').map((l) => l.trimEnd()).filter(Boolean).slice(-count);
  const block = (source: string, lines: string[]) => (lines.length ? `\nlast ${source} lines:\n${lines.map((l) => `  ${l}`).join('\n')}` : '');
  const journal = last(output.journalTail(), n);
  return block('journal', journal) + block('console', last(output.consoleWindow(), journal.length ? 8 : n));
}
