import * as fs from 'node:fs';

export interface FollowOptions {
  /** stop following when this says the writer is gone (checked about once a second) */
  isAlive?: () => Promise<boolean>;
  signal?: AbortSignal;
  pollMs?: number;
}

/**
 * Streams a growing file (the guest journal or console log): what is there, then what is appended,
 * until the VM is gone or the signal aborts. Chunks are whole bytes; callers decode with a
 * TextDecoder in stream mode so that UTF-8 split across chunks stays intact.
 */
export async function followFile(file: string, onData: (chunk: Buffer) => void, opts: FollowOptions = {}): Promise<void> {
  let offset = 0;
  const pollMs = opts.pollMs ?? 250;
  let lastAliveCheck = Date.now();
  const readMore = () => {
    let fd: number;
    try {
      fd = fs.openSync(file, 'r');
    } catch {
      return;
    }
    try {
      const size = fs.fstatSync(fd).size;
      if (size < offset) offset = 0; // truncated: start over
      while (offset < size) {
        const buf = Buffer.alloc(Math.min(size - offset, 1 << 20));
        const n = fs.readSync(fd, buf, 0, buf.length, offset);
        if (n <= 0) break;
        offset += n;
        onData(buf.subarray(0, n));
      }
    } finally {
      fs.closeSync(fd);
    }
  };
  for (;;) {
    readMore();
    if (opts.signal?.aborted) return;
    if (opts.isAlive && Date.now() - lastAliveCheck > 1000) {
      lastAliveCheck = Date.now();
      if (!(await opts.isAlive())) {
        readMore();
        return;
      }
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
