import * as fs from 'node:fs';
import * as path from 'node:path';
import { droppedFile, gapNotice, parseDropped, segmentFile, segmentNumber } from './logLayout';

export interface FollowOptions {
  /** stop following when this says the writer is gone (checked about once a second) */
  isAlive?: () => Promise<boolean>;
  signal?: AbortSignal;
  pollMs?: number;
}

/** Reads are made in pieces of this size: memory stays flat whatever a guest wrote. */
const CHUNK_BYTES = 1 << 20;

/** The segments beside a capped log (guest/logLayout.ts) that exist now, in order. */
export function segmentsOf(file: string): number[] {
  let names: string[];
  try {
    names = fs.readdirSync(path.dirname(file));
  } catch {
    return [];
  }
  const base = path.basename(file);
  return names.map((n) => segmentNumber(n, base)).filter((n): n is number => n !== undefined).sort((a, b) => a - b);
}

/** The bytes the log's writer dropped (its `.dropped` count), or undefined: none, or not readable. */
export function readDropped(file: string): number | undefined {
  try {
    return parseDropped(fs.readFileSync(droppedFile(file), { encoding: 'utf8', flag: 'r' }).slice(0, 32));
  } catch {
    return undefined;
  }
}

const partPath = (file: string, n: number) => (n === 0 ? file : segmentFile(file, n));

/** At most the first `bytes` of a log (the boot: readiness, phases, the timeline), whatever its size; from `from` on. */
export function readLogHead(file: string, bytes: number, from = 0): Buffer {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return Buffer.alloc(0);
  }
  try {
    const buf = Buffer.alloc(Math.max(0, Math.min(bytes, fs.fstatSync(fd).size) - from));
    return buf.subarray(0, fs.readSync(fd, buf, 0, buf.length, from));
  } finally {
    fs.closeSync(fd);
  }
}

/** At most the last `bytes` of a log: its newest segments, and its head only where nothing was dropped after it. */
export function readLogTail(file: string, bytes: number): Buffer {
  const segments = segmentsOf(file);
  const parts = [...(segments.length === 0 || segments[0] === 1 ? [0] : []), ...segments].reverse();
  const out: Buffer[] = [];
  let need = bytes;
  for (const n of parts) {
    if (need <= 0) break;
    let fd: number;
    try {
      fd = fs.openSync(partPath(file, n), 'r');
    } catch {
      continue;
    }
    try {
      const size = fs.fstatSync(fd).size;
      const take = Math.min(size, need);
      const buf = Buffer.alloc(take);
      out.unshift(buf.subarray(0, fs.readSync(fd, buf, 0, take, size - take)));
      need -= take;
    } finally {
      fs.closeSync(fd);
    }
  }
  return Buffer.concat(out);
}

/**
 * Streams a log in pieces: its head, a notice where output was dropped, then its segments; with
 * `follow`, then what is appended (across new segments) until the VM is gone or the signal aborts. An
 * uncapped file (no segments) reads the same way. Chunks are whole bytes; callers decode with a
 * TextDecoder in stream mode so that UTF-8 split across chunks stays intact.
 */
export async function streamLog(file: string, onData: (chunk: Buffer) => void, opts: FollowOptions & { follow: boolean }): Promise<void> {
  const pollMs = opts.pollMs ?? 250;
  let lastAliveCheck = Date.now();
  let part = 0;
  let fd: number | undefined;
  let offset = 0;
  const open = () => {
    if (fd !== undefined) return true;
    try {
      fd = fs.openSync(partPath(file, part), 'r');
      offset = 0;
      return true;
    } catch {
      return false;
    }
  };
  const close = () => {
    if (fd !== undefined) fs.closeSync(fd);
    fd = undefined;
  };
  /** what the open part holds beyond what was read; the fd stays valid when the writer deletes the file */
  const readMore = () => {
    if (!open()) return;
    const size = fs.fstatSync(fd!).size;
    if (size < offset) offset = 0; // a restarted VM's writer truncated it: start over
    while (offset < size) {
      const buf = Buffer.alloc(Math.min(size - offset, CHUNK_BYTES));
      const n = fs.readSync(fd!, buf, 0, buf.length, offset);
      if (n <= 0) break;
      offset += n;
      onData(buf.subarray(0, n));
    }
  };
  /** a later part exists: this one is complete (the writer starts the next only then); move on */
  const nextPart = (): boolean => {
    const later = segmentsOf(file).find((n) => n > part);
    if (later === undefined) return false;
    readMore();
    close();
    const skipped = later > part + 1;
    part = later;
    // a part deleted between the listing and the open (the writer is ahead of us) is a drop too
    if (skipped || !open()) onData(Buffer.from(gapNotice(readDropped(file))));
    return true;
  };
  try {
    for (;;) {
      readMore();
      if (nextPart()) continue;
      if (!opts.follow || opts.signal?.aborted) return;
      if (opts.isAlive && Date.now() - lastAliveCheck > 1000) {
        lastAliveCheck = Date.now();
        if (!(await opts.isAlive())) {
          readMore();
          while (nextPart()) readMore();
          return;
        }
      }
      await new Promise((r) => setTimeout(r, pollMs));
    }
  } finally {
    close();
  }
}
