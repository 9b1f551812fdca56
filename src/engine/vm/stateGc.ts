import * as fs from 'node:fs';
import * as path from 'node:path';
import { isOwnedStateDir, launcherGone, launchInProgress, removeStateDir, stateRoot, stateRootFor } from './stateDir';
import { listVms, type VmInfo } from './vms';
import type { Podman } from '../podman/podman';

/** A state dir younger than this may belong to a launch that has not created its container yet. */
const GRACE_MS = 10 * 60 * 1000;
/**
 * When its launcher (on this host) has exited, the launch is over; this short age only covers a
 * listing taken just before that launch created its container.
 */
const LAUNCHER_GONE_GRACE_MS = 60 * 1000;

/**
 * The one GC policy: removes state dirs the engine created whose VM container is gone (e.g. --rm VMs
 * that exited), never one whose launch is still in progress. Returns what it removed.
 */
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
    if (live.has(dir) || !isOwnedStateDir(dir, root) || launchInProgress(dir)) continue;
    try {
      const grace = launcherGone(dir) ? LAUNCHER_GONE_GRACE_MS : GRACE_MS;
      if (now - fs.lstatSync(dir).mtimeMs < grace) continue;
      if (removeStateDir(dir, root)) removed.push(dir);
    } catch {
      /* raced with another cleanup */
    }
  }
  return removed;
}

/**
 * Where the policy runs: at every launch (prepareLaunch) and on rm-all. Listing VMs (ps, the views)
 * never removes anything. Never fails the caller: a dir it cannot remove stays for the next run.
 */
export async function collectStateGarbage(podman: Podman): Promise<string[]> {
  try {
    return collectStaleStateDirs(await listVms(podman), Date.now(), stateRootFor(podman));
  } catch {
    return [];
  }
}
