import * as fs from 'node:fs';
import * as path from 'node:path';
import { stateRoot } from './stateDir';
import type { VmInfo } from './vms';

/** A state dir younger than this may belong to a launch that has not created its container yet. */
const GRACE_MS = 10 * 60 * 1000;

/** Removes state dirs whose container is gone (e.g. --rm VMs that exited). Returns what it removed. */
export function collectStaleStateDirs(vms: VmInfo[], now = Date.now(), root = stateRoot()): string[] {
  const live = new Set(vms.map((v) => v.stateDir).filter(Boolean));
  let entries: string[];
  try {
    entries = fs.readdirSync(root);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const e of entries) {
    const dir = path.join(root, e);
    if (live.has(dir)) continue;
    try {
      if (now - fs.statSync(dir).mtimeMs < GRACE_MS) continue;
      fs.rmSync(dir, { recursive: true, force: true });
      removed.push(dir);
    } catch {
      /* raced with another cleanup */
    }
  }
  return removed;
}
