import { sshAnswers } from '../guest/sshProbe';
import { consoleTailOf, panicOf } from './panic';
import type { VmInfo } from './vms';

/**
 * What `podman ps` cannot say about the local podman's VMs: why one failed (its console shows a kernel
 * panic) and, with `probeSsh`, whether a ready one still answers (its sshd port is on this host).
 */
export async function refineLocalStates(vms: VmInfo[], probeSsh: boolean): Promise<void> {
  for (const v of vms) if (v.state === 'failed' && v.stateDir && v.origin === 'bootc-ephemeral') v.panic = panicOf(consoleTailOf(v.stateDir));
  if (!probeSsh) return;
  await Promise.all(
    vms
      .filter((v) => v.state === 'ready' && v.origin === 'bootc-ephemeral' && v.ssh && v.sshPort)
      .map(async (v) => {
        if (!(await sshAnswers(v.sshPort!))) v.state = 'unresponsive';
      }),
  );
}
