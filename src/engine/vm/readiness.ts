import * as fs from 'node:fs';
import { SSHD_LISTENING } from '../guest/bootPhases';
import { readLogHead } from '../guest/logs';
import { BOOT_SCAN_BYTES } from '../guest/logLayout';
import { vmStatePaths } from './stateDir';

/** Journal lines that mean the guest is up: sshd listening (SSH VMs), or boot finished. */
const BOOT_FINISHED = /Reached target (multi-user\.target|Multi-User System)|Startup finished in/;

export function journalSaysReady(journal: string, ssh: boolean): boolean {
  return ssh ? SSHD_LISTENING.test(journal) : BOOT_FINISHED.test(journal);
}

/** A local VM is ready once SSH was proven (its marker), or its journal's head says so. */
export function readinessFromStateDir(stateDir: string | undefined, ssh: boolean): boolean {
  if (!stateDir) return false;
  const p = vmStatePaths(stateDir);
  if (fs.existsSync(p.readyMarker)) return true;
  try {
    // read only: listing never writes (the marker is written where SSH was proven, guest/ready.ts);
    // only the journal's head: what ps reads stays the same however much the guest writes
    return journalSaysReady(readLogHead(p.journalLog, BOOT_SCAN_BYTES).toString('utf8'), ssh);
  } catch {
    /* no journal yet */
  }
  return false;
}

