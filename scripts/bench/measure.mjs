// Small measuring helpers for the bench: medians, the guest's own boot split, host memory of a process tree.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';

export const now = () => performance.now() / 1000;
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export const median = (xs) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] : undefined);

/** "Startup finished in 5.1s (kernel) + 12.0s (initrd) + 16.2s (userspace) = 33.3s" (also 1min 2.3s forms). */
export function parseSystemdAnalyze(text) {
  const secs = (v) => {
    const m = /(?:(\d+)min )?([\d.]+)(ms|s)/.exec(v);
    if (!m) return undefined;
    return Number(m[1] ?? 0) * 60 + Number(m[2]) / (m[3] === 'ms' ? 1000 : 1);
  };
  const out = {};
  for (const phase of ['kernel', 'initrd', 'userspace']) {
    const m = new RegExp(`([\\dmins. ]+?) \\(${phase}\\)`).exec(text);
    if (m) out[phase] = secs(m[1].trim());
  }
  const total = /= ([\dmins. ]+)$/m.exec(text);
  if (total) out.total = secs(total[1].trim());
  // the engine's guest init stands in for the initrd, unseen by systemd: its start splits "kernel"
  // (the engine's withGuestInit() in src/engine/guest/bootAnalysis.ts does the same)
  const started = /^started (\d+(?:\.\d+)?)$/m.exec(text);
  if (started && out.initrd === undefined && out.kernel > Number(started[1])) {
    out.initrd = out.kernel - Number(started[1]);
    out.kernel = Number(started[1]);
  }
  return out;
}

/** Every descendant of `pid`, with it. */
export function processTree(pid) {
  const table = execFileSync('ps', ['-e', '-o', 'pid=,ppid=,args='], { encoding: 'utf8' }).trim().split('\n').map((l) => l.trim().split(/\s+/));
  const tree = new Set([String(pid)]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [p, pp] of table) {
      if (tree.has(pp) && !tree.has(p)) {
        tree.add(p);
        grew = true;
      }
    }
  }
  return table.filter(([p]) => tree.has(p)).map(([p, , ...args]) => ({ pid: p, args: args.join(' ') }));
}

/**
 * Host memory a process costs besides the guest's RAM: RssAnon + RssFile. Guest RAM is a shared memfd
 * (RssShmem) that QEMU and virtiofsd both map: those are the guest-touched pages, not overhead.
 */
export function overheadKiB(pid) {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (k) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
    return kib('RssAnon') + kib('RssFile');
  } catch {
    return 0;
  }
}
