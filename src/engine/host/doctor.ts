import { Podman } from '../podman/podman';
import { findHostTools, qemuInstallHint, type HostTools } from './host';
import { probeKvm, readOrUndefined, tunUsable, type KvmStatus } from './kvm';
import { currentUser, idMapHelpers, missingSubordinateIds, subordinateIds, subordinateIdsFix } from './rootless';
import { hostToolsFor, kvmFor } from './remoteTools';
import { ensureContainerRoot } from '../podman/containerRoot';
import { VM_CAPABILITIES, privilegedFallback } from '../plan/privileges';
import { podmanCommands, type PodmanHostFacts } from '../podman/commands';
import type { GuestArch } from '../options/types';

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
export async function runDoctor(podman: Podman, read: (p: string) => string | undefined = readOrUndefined): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [];
  const add = (c: DoctorCheck) => checks.push(c);

  add({
    id: 'connection',
    title: 'podman connection',
    status: 'ok',
    detail: podman.remote ? `${podman.describe()}: VMs run on that host; only its API is used (no shared files or ports)` : 'local podman',
  });

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

  const facts = podmanOk ? await podman.exec(podmanCommands.hostFacts()) : undefined;
  const rootless = podman.remote ? facts?.rootless : (process.getuid?.() ?? 0) !== 0;
  add(modeCheck(podman, rootless));
  if (rootless && !podman.remote) for (const c of localRootlessChecks(facts)) add(c);

  // a remote host is asked through probe containers (remoteTools.ts); the local one directly
  const remoteRoot = podman.remote && podmanOk ? ensureContainerRoot(podman) : undefined;
  try {
    const t: HostTools = remoteRoot ? await hostToolsFor(podman, await remoteRoot) : findHostTools();
    add({ id: 'qemu', title: 'QEMU', status: 'ok', detail: `${t.qemu[t.hostArch]} (${t.hostArch} guests)` });
    add(foreignQemuCheck(t));
    add({ id: 'virtiofsd', title: 'virtiofsd', status: 'ok', detail: `${t.virtiofsd} (${t.virtiofsdFlavor === 'c' ? "QEMU's C virtiofsd" : 'Rust virtiofsd'})` });
    add(busyboxCheck(t));
  } catch (e) {
    add({ id: 'qemu', title: 'QEMU and virtiofsd', status: 'fail', detail: (e as Error).message, fix: ['sudo apt-get install qemu-system-x86', ...SETUP_FIX] });
  }

  const kvm: KvmStatus = remoteRoot ? await kvmFor(podman, await remoteRoot).catch((e) => ({ usable: false, reason: (e as Error).message })) : probeKvm();
  // rootless, /dev/kvm is opened as the user: its group (kvm) must let them
  const kvmDenied = !kvm.usable && /EACCES|permission denied/i.test(kvm.reason);
  add(kvm.usable
    ? { id: 'kvm', title: 'KVM', status: 'ok', detail: rootless ? `${kvm.reason}; opened as ${currentUser().name} (the container keeps the user's groups)` : kvm.reason }
    : { id: 'kvm', title: 'KVM', status: 'warn', detail: `${kvm.reason}: VMs run under QEMU TCG (software emulation: tens of seconds to SSH)`, fix: kvmDenied ? [`sudo usermod -aG kvm ${currentUser().name}   # then log in again`] : ['enable VT-x/AMD-V (or nested virtualisation) for this machine'] });

  if (podman.remote) return finishChecks(checks, podman, podmanOk, false);
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

  return finishChecks(checks, podman, podmanOk, rootless === true && !podman.remote);
}

/** The other architecture's QEMU: optional (only its images need it), emulated with TCG. */
function foreignQemuCheck(t: HostTools): DoctorCheck {
  const other: GuestArch = t.hostArch === 'amd64' ? 'arm64' : 'amd64';
  const qemuArch = other === 'arm64' ? 'aarch64' : 'x86_64';
  const title = `QEMU for ${other} images`;
  return t.qemu[other]
    ? { id: 'qemu-foreign', title, status: 'ok', detail: `${t.qemu[other]} (emulated with TCG: KVM runs only ${t.hostArch} guests)` }
    : { id: 'qemu-foreign', title, status: 'warn', detail: `qemu-system-${qemuArch} not found: ${other} images cannot boot here (${t.hostArch} images can)`, fix: [qemuInstallHint(qemuArch)] };
}

/** A static busybox: the engine's own initramfs (plan/ownInitramfs.ts), a faster boot; without it the image's initramfs boots. */
function busyboxCheck(t: HostTools): DoctorCheck {
  const title = 'Static busybox';
  return t.busybox
    ? { id: 'busybox', title, status: 'ok', detail: `${t.busybox.path} (${t.busybox.arch}): ${t.busybox.arch} guests boot the engine's own small initramfs` }
    : { id: 'busybox', title, status: 'warn', detail: 'none under /usr: guests boot their image\'s whole initramfs (about 1.5 s slower to start under TCG; VMs work)', fix: ['sudo apt-get install busybox-static   # Fedora: sudo dnf install busybox'] };
}

/** Rootful or rootless: both run VMs; what differs is whose namespace the container's root is. */
function modeCheck(podman: Podman, rootless: boolean | undefined): DoctorCheck {
  const title = 'podman mode';
  if (rootless === undefined) return { id: 'mode', title, status: 'warn', detail: 'podman info did not answer: rootful or rootless is unknown' };
  if (podman.remote) return { id: 'mode', title, status: 'ok', detail: rootless ? 'rootless service: VMs run in the namespace of that host\'s user' : 'rootful service on that host' };
  return rootless
    ? { id: 'mode', title, status: 'ok', detail: `rootless (user ${currentUser().name}): the VM container's root is you, in your user namespace; SSH goes through podman exec (no port)` }
    : { id: 'mode', title, status: 'ok', detail: 'rootful (running as root)' };
}

/** What a local rootless podman needs from this host, each with its fix. */
function localRootlessChecks(facts: PodmanHostFacts | undefined): DoctorCheck[] {
  const user = currentUser();
  const checks: DoctorCheck[] = [];
  const ids = missingSubordinateIds(user.name, subordinateIds(user));
  checks.push(ids
    ? { id: 'subids', title: 'Subordinate ids', status: 'fail', detail: ids, fix: subordinateIdsFix(user.name) }
    : { id: 'subids', title: 'Subordinate ids', status: 'ok', detail: `${user.name} has ranges in /etc/subuid and /etc/subgid` });
  const helpers = idMapHelpers();
  checks.push(helpers.ok
    ? { id: 'idmap', title: 'newuidmap/newgidmap', status: 'ok', detail: 'present' }
    : { id: 'idmap', title: 'newuidmap/newgidmap', status: 'fail', detail: `${helpers.missing.join(', ')} missing: rootless podman cannot set up its user namespace`, fix: ['sudo apt-get install uidmap   # Fedora: sudo dnf install shadow-utils'] });
  if (facts) {
    checks.push(facts.graphDriver === 'vfs'
      ? { id: 'storage', title: 'Storage driver', status: 'warn', detail: 'vfs: every image layer is a full copy (slow builds, much disk); VMs work', fix: ['printf \'[storage]\\ndriver = "overlay"\\n\' > ~/.config/containers/storage.conf && podman system reset   # removes this user\'s images'] }
      : { id: 'storage', title: 'Storage driver', status: 'ok', detail: facts.graphDriver || 'unknown' });
    checks.push(facts.cgroupVersion === 'v2'
      ? { id: 'cgroups-rootless', title: 'Rootless cgroups', status: 'ok', detail: `cgroups v2 (${facts.cgroupManager})` }
      : { id: 'cgroups-rootless', title: 'Rootless cgroups', status: 'warn', detail: `cgroups ${facts.cgroupVersion || '?'}: rootless containers get no cgroup of their own, so Show Stats and podman stats have no figures; VMs work`, fix: ['boot the host with cgroups v2 (systemd.unified_cgroup_hierarchy=1)'] });
  }
  checks.push(tunUsable()
    ? { id: 'tun', title: '/dev/net/tun', status: 'ok', detail: 'usable: VMs get podman\'s user-mode network (guest network access); SSH needs none' }
    : { id: 'tun', title: '/dev/net/tun', status: 'warn', detail: 'not usable by this user: VMs run with --network none (SSH works through podman exec; the guest reaches nothing outside), and podman build RUN steps that need the network fail', fix: ['sudo chmod 0666 /dev/net/tun   # as Fedora and Ubuntu ship it; a udev rule keeps it: KERNEL=="tun", MODE="0666"'] });
  return checks;
}

/** The checks that ask podman itself (local or remote). */
async function finishChecks(checks: DoctorCheck[], podman: Podman, podmanOk: boolean, localRootless: boolean): Promise<DoctorCheck[]> {
  const add = (c: DoctorCheck) => checks.push(c);
  if (podmanOk) {
    const exists = await podman.exec(podmanCommands.imageExists(SAMPLE_IMAGE));
    // rootless, each user has their own storage: root's sample image is not this user's
    const fix = localRootless ? [`sudo podman save ${SAMPLE_IMAGE} | podman load   # root's copy (sudo npm run sample-image builds it)`] : ['sudo npm run sample-image   # in a bootc-ephemeral checkout'];
    add(exists
      ? { id: 'sample-image', title: 'Sample image', status: 'ok', detail: SAMPLE_IMAGE }
      : { id: 'sample-image', title: 'Sample image', status: 'warn', detail: localRootless ? `${SAMPLE_IMAGE} is not in this user's podman storage` : `${SAMPLE_IMAGE} is not built`, fix });
  }
  return checks;
}
