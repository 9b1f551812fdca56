import * as path from 'node:path';
import type { Podman } from '../podman/podman';
import { podmanGuestAccess } from '../podman/commands';
import { filesOfTar } from '../tar';
import { droppedFile, gapNotice, parseDropped, segmentFile, segmentNumber, type LogCapLayout } from '../guest/logLayout';
import type { FollowOptions } from '../guest/logs';

/**
 * A capped log (guest/logLayout.ts) in a VM container on a remote podman host, read with `podman exec`
 * of the host's own head/tail/ls while the container runs, or `podman cp` of the logs folder once it
 * stopped (its volume stays until the container is removed). The local reader is guest/logs.ts.
 */
export interface RemoteLog {
  podman: Podman;
  id: string;
  running: boolean;
  /** the log's path in the container */
  file: string;
  /** undefined: a file that is not capped (virtiofsd's log) */
  layout?: LogCapLayout;
}

async function listSegments(r: RemoteLog): Promise<number[]> {
  const out = await r.podman.read(podmanGuestAccess.listDir(r.id, path.posix.dirname(r.file)));
  if (out.exitCode !== 0) return [];
  const base = path.posix.basename(r.file);
  return out.stdout.toString('utf8').split('\n').map((n) => segmentNumber(n, base)).filter((n): n is number => n !== undefined).sort((a, b) => a - b);
}

const partPath = (file: string, n: number) => (n === 0 ? file : segmentFile(file, n));

/** A stopped container's log parts, in order, from one copy of its logs folder. */
async function stoppedParts(r: RemoteLog): Promise<{ n: number; data: Buffer }[] & { dropped?: number }> {
  const out = await r.podman.read(podmanGuestAccess.copyOut(r.id, path.posix.dirname(r.file)));
  const base = path.posix.basename(r.file);
  const files = out.exitCode === 0 ? filesOfTar(out.stdout) : [];
  const parts: { n: number; data: Buffer }[] & { dropped?: number } = [];
  for (const f of files) {
    const name = path.posix.basename(f.name);
    const n = name === base ? 0 : segmentNumber(name, base);
    if (n !== undefined) parts.push({ n, data: f.data });
    if (name === path.posix.basename(droppedFile(r.file))) parts.dropped = parseDropped(f.data.toString('utf8').slice(0, 32));
  }
  return parts.sort((a, b) => a.n - b.n);
}

export async function remoteLogHead(r: RemoteLog, bytes: number): Promise<Buffer> {
  if (r.running) {
    const out = await r.podman.read(podmanGuestAccess.headOfFile(r.id, r.file, bytes));
    if (out.exitCode === 0) return out.stdout;
  }
  return (await stoppedParts(r)).find((p) => p.n === 0)?.data.subarray(0, bytes) ?? Buffer.alloc(0);
}

export async function remoteLogTail(r: RemoteLog, bytes: number): Promise<Buffer> {
  if (r.running) {
    const last = r.layout ? (await listSegments(r)).at(-1) ?? 0 : 0;
    const out = await r.podman.read(podmanGuestAccess.tailOfFile(r.id, partPath(r.file, last), bytes));
    if (out.exitCode === 0) return out.stdout;
  }
  const all = Buffer.concat((await stoppedParts(r)).map((p) => p.data));
  return all.subarray(Math.max(0, all.length - bytes));
}

/** `tail -F` of one part until it delivered `expected` bytes ('complete'), or the exec ended (the container stopped, or aborted). */
async function followPart(r: RemoteLog, n: number, expected: number, onData: (chunk: Buffer) => void, signal?: AbortSignal): Promise<'complete' | 'ended'> {
  const child = r.podman.spawn(podmanGuestAccess.followFile(r.id, partPath(r.file, n)), { stdin: 'ignore', stderr: 'ignore', encoding: 'buffer', buffer: false });
  let got = 0;
  let complete = false;
  const stop = () => child.kill('SIGTERM');
  signal?.addEventListener('abort', stop, { once: true });
  child.stdout?.on('data', (chunk: Buffer) => {
    if (complete) return;
    const take = chunk.subarray(0, Math.max(0, expected - got));
    got += take.length;
    if (take.length) onData(take);
    if (got >= expected) {
      complete = true;
      stop();
    }
  });
  try {
    await child.catch(() => undefined);
  } finally {
    signal?.removeEventListener('abort', stop);
  }
  return complete && !signal?.aborted ? 'complete' : 'ended';
}

/**
 * Streams the log from its first byte: a stopped container's at once; a running one's part by part
 * (one `tail -F` each, moved on when the part is full), with a notice where output was dropped.
 */
export async function streamRemoteLog(r: RemoteLog, onData: (chunk: Buffer) => void, opts: FollowOptions & { follow: boolean }): Promise<void> {
  if (!r.running || !opts.follow) {
    if (r.running) {
      // a snapshot of what is there now
      let previous = 0;
      for (const n of [0, ...(r.layout ? await listSegments(r) : [])]) {
        const out = await r.podman.read(podmanGuestAccess.catFile(r.id, partPath(r.file, n)));
        if (n > previous + 1) onData(Buffer.from(gapNotice(undefined)));
        if (out.exitCode === 0) onData(out.stdout);
        previous = n;
      }
      return;
    }
    const parts = await stoppedParts(r);
    parts.forEach((p, i) => {
      if (p.n > 0 && p.n > (parts[i - 1]?.n ?? 0) + 1) onData(Buffer.from(gapNotice(parts.dropped)));
      onData(p.data);
    });
    return;
  }
  const layout = r.layout;
  for (let n = 0; ; ) {
    const expected = !layout ? Infinity : n === 0 ? layout.headBytes : layout.segmentBytes;
    if ((await followPart(r, n, expected, onData, opts.signal)) === 'ended') return;
    const later = (await listSegments(r)).find((k) => k > n) ?? n + 1;
    if (later > n + 1) onData(Buffer.from(gapNotice(undefined)));
    n = later;
  }
}
