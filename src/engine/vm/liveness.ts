import * as fs from 'node:fs';
import { vmStatePaths } from './stateDir';
import { sshAnswers } from '../guest/sshProbe';
import { consoleTailOf, panicOf } from './panic';
import type { VmInfo } from './vms';
import { bootFailureOf } from '../guest/bootFailure';
import { consoleWindowOf, readConsoleWindow } from '../guest/guestOutput';
import type { Podman } from '../podman/podman';
import { readVmLogHead } from './transport';
import { BOOT_SCAN_BYTES } from '../guest/logLayout';
import { journalSaysReady } from './readiness';

/**
 * What `podman ps` cannot say about the local podman's VMs: why one failed (its console shows a kernel
 * panic), that one still booting never can (its console shows an initramfs shell or emergency mode:
 * failed, though it runs on for its console) and, with `probeSsh`, whether a ready one still answers
 * (its sshd port is on this host).
 */
export async function refineLocalStates(vms: VmInfo[], probeSsh: boolean, loginGraceMs = 0): Promise<void> {
  for (const v of vms) {
    if (!v.stateDir || v.origin !== 'bootc-ephemeral') continue;
    if (v.state === 'failed') v.panic = panicOf(consoleTailOf(v.stateDir));
    else if (v.state === 'booting' && v.podmanState === 'running') {
      v.bootFailure = bootFailureOf(consoleWindowOf(v.stateDir));
      if (v.bootFailure) v.state = 'failed';
    }
  }
  if (!probeSsh) return;
  await Promise.all(
    vms
      .filter((v) => v.state === 'ready' && v.origin === 'bootc-ephemeral' && v.ssh && v.sshPort && !(loginGraceMs > 0 && v.stateDir !== undefined && loggedInWithin(v.stateDir, loginGraceMs)))
      .map(async (v) => {
        if (!(await sshAnswers(v.sshPort!))) v.state = 'unresponsive';
      }),
  );
}

/**
 * A login proved the VM ready that recently: the VMs view does not probe it yet (`loginGraceMs`). Early SSH
 * is ready while the guest is still starting, and under TCG another sshd may then take longer to start
 * than the probe waits: the view showed a VM that had just logged in as unresponsive.
 */
function loggedInWithin(stateDir: string, ms: number): boolean {
  try {
    return Date.now() - fs.statSync(vmStatePaths(stateDir).readyMarker).mtimeMs < ms;
  } catch {
    return false;
  }
}

/**
 * The same over a podman connection, where the logs are in the VM containers: each running VM of ours
 * still booting has its journal's head read there (ready?) and, when not ready, its console's ends (a
 * boot that cannot succeed). One or three `podman exec` per booting VM, in parallel.
 */
export async function refineRemoteStates(podman: Podman, vms: VmInfo[]): Promise<void> {
  await Promise.all(
    vms
      .filter((v) => v.state === 'booting' && v.origin === 'bootc-ephemeral' && v.podmanState === 'running')
      .map(async (v) => {
        const journal = await readVmLogHead(podman, v, 'journal', BOOT_SCAN_BYTES).catch(() => Buffer.alloc(0));
        if (journalSaysReady(journal.toString('utf8'), v.ssh)) {
          v.state = 'ready';
          return;
        }
        v.bootFailure = bootFailureOf(await readConsoleWindow(podman, v).catch(() => ''));
        if (v.bootFailure) v.state = 'failed';
      }),
  );
}
