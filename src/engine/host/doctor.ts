import * as fs from 'node:fs';
import { Podman } from '../podman/podman';
import { findHostTools, probeKvm, type HostTools, type KvmStatus } from './host';
import { hostToolsFor, kvmFor } from './remoteTools';
import { ensureContainerRoot } from '../podman/containerRoot';
import { VM_CAPABILITIES, privilegedFallback } from '../plan/privileges';
import { podmanCommands } from '../podman/commands';

export type CheckStatus = 'ok' | 'warn' | 'fail';

export interface DoctorCheck {
  id: string;
  title: string;
  status: CheckStatus;
  detail: string;
  /** commands that fix it, to copy */
  fix?: string[];
}

export const SAMPLE_IMAGE = 'localhost/bootc-sample:latest';
const SETUP_FIX = ['sudo npm run host-setup   # in a bootc-ephemeral checkout (Debian 12)'];


/** Host checks with fixes; each is independent so one failure does not hide the others. */
export async function runDoctor(podman: Podman, read: (p: string) => string | undefined = tryRead): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [];
  const add = (c: DoctorCheck) => checks.push(c);

  add({
    id: 'connection',
    title: 'podman connection',
    status: 'ok',
    detail: podman.remote ? `${podman.describe()}: VMs run on that host; only its API is used (no shared files or ports)` : 'local podman',
  });

  if (!podman.remote) {
    const uid = process.getuid?.() ?? 0;
    add(uid === 0
      ? { id: 'root', title: 'Rootful podman', status: 'ok', detail: 'running as root' }
      : { id: 'root', title: 'Rootful podman', status: 'fail', detail: 'VMs need rootful podman (image mounts, the host /usr bound into the VM container, KVM); you are not root', fix: ['sudo bootc-ephemeral ...'] });
  }

  let podmanOk = false;
  try {
    const v = await podman.exec(podmanCommands.version());
    podmanOk = v.exitCode === 0;
    add(podmanOk
      ? { id: 'podman', title: 'podman', status: 'ok', detail: `podman ${v.stdout.trim()}` }
      : { id: 'podman', title: 'podman', status: 'fail', detail: v.stderr.trim() || 'podman version failed', fix: SETUP_FIX });
  } catch (e) {
    add({ id: 'podman', title: 'podman', status: 'fail', detail: (e as Error).message, fix: ['sudo apt-get install podman crun', ...SETUP_FIX] });
  }

  // a remote host is asked through probe containers (remoteTools.ts); the local one directly
  const remoteRoot = podman.remote && podmanOk ? ensureContainerRoot(podman) : undefined;
  try {
    const t: HostTools = remoteRoot ? await hostToolsFor(podman, await remoteRoot) : findHostTools();
    add({ id: 'qemu', title: 'QEMU', status: 'ok', detail: t.qemu });
    add({ id: 'virtiofsd', title: 'virtiofsd', status: 'ok', detail: `${t.virtiofsd} (${t.virtiofsdFlavor === 'c' ? "QEMU's C virtiofsd" : 'Rust virtiofsd'})` });
  } catch (e) {
    add({ id: 'qemu', title: 'QEMU and virtiofsd', status: 'fail', detail: (e as Error).message, fix: ['sudo apt-get install qemu-system-x86', ...SETUP_FIX] });
  }

  const kvm: KvmStatus = remoteRoot ? await kvmFor(podman, await remoteRoot).catch((e) => ({ usable: false, reason: (e as Error).message })) : probeKvm();
  add(kvm.usable
    ? { id: 'kvm', title: 'KVM', status: 'ok', detail: kvm.reason }
    : { id: 'kvm', title: 'KVM', status: 'warn', detail: `${kvm.reason}: VMs run under QEMU TCG (software emulation: tens of seconds to SSH)`, fix: ['enable VT-x/AMD-V (or nested virtualisation) for this machine'] });

  if (podman.remote) return finishChecks(checks, podman, podmanOk);
  const capEff = /^CapEff:\s*([0-9a-f]+)/m.exec(read('/proc/self/status') ?? '')?.[1];
  const hasSysResource = capEff ? (BigInt(`0x${capEff}`) >> 24n) & 1n : 1n;
  const conf = read('/etc/containers/containers.conf') ?? '';
  add(hasSysResource || /^\s*default_ulimits/m.test(conf)
    ? { id: 'rlimits', title: 'Container rlimits', status: 'ok', detail: hasSysResource ? 'CAP_SYS_RESOURCE present' : 'default_ulimits pinned in containers.conf' }
    : { id: 'rlimits', title: 'Container rlimits', status: 'fail', detail: 'no CAP_SYS_RESOURCE and no default_ulimits: crun fails with "setrlimit RLIMIT_NOFILE: Operation not permitted"', fix: SETUP_FIX });

  const hybrid = (read('/sys/fs/cgroup/unified/cgroup.controllers') ?? '').trim();
  add(!hybrid
    ? { id: 'cgroups', title: 'cgroups', status: 'ok', detail: 'no hybrid-mode controllers' }
    : { id: 'cgroups', title: 'cgroups', status: 'fail', detail: `hybrid cgroup host: controllers on the v2 hierarchy (${hybrid}) make crun fail`, fix: SETUP_FIX });

  add(privilegedFallback()
    ? { id: 'privileges', title: 'VM container privileges', status: 'warn', detail: 'BOOTC_EPHEMERAL_PRIVILEGED=1: VM containers run --privileged (all capabilities, all host devices)', fix: ['unset BOOTC_EPHEMERAL_PRIVILEGED   # unless this host needs it (please report why)'] }
    : { id: 'privileges', title: 'VM container privileges', status: 'ok', detail: `not privileged: capabilities ${VM_CAPABILITIES.map((c) => c.cap).join(', ')}; default seccomp; no new privileges` });

  return finishChecks(checks, podman, podmanOk);
}

/** The checks that ask podman itself (local or remote). */
async function finishChecks(checks: DoctorCheck[], podman: Podman, podmanOk: boolean): Promise<DoctorCheck[]> {
  const add = (c: DoctorCheck) => checks.push(c);
  if (podmanOk && podman.remote) {
    const rootless = await podman.exec(podmanCommands.rootless());
    add(rootless === false
      ? { id: 'root', title: 'Rootful podman', status: 'ok', detail: 'the remote podman service runs as root' }
      : { id: 'root', title: 'Rootful podman', status: 'fail', detail: 'VMs need a rootful podman service on the podman host; this connection is rootless (or podman info failed)', fix: ['podman system connection add NAME ssh://root@HOST/run/podman/podman.sock'] });
  }
  if (podmanOk) {
    const exists = await podman.exec(podmanCommands.imageExists(SAMPLE_IMAGE));
    add(exists
      ? { id: 'sample-image', title: 'Sample image', status: 'ok', detail: SAMPLE_IMAGE }
      : { id: 'sample-image', title: 'Sample image', status: 'warn', detail: `${SAMPLE_IMAGE} is not built`, fix: ['sudo npm run sample-image   # in a bootc-ephemeral checkout'] });
  }
  return checks;
}

function tryRead(p: string): string | undefined {
  try {
    return fs.readFileSync(p, 'utf8');
  } catch {
    return undefined;
  }
}
