import * as fs from 'node:fs';
import * as path from 'node:path';
import { IN_INITRD, SSHD_LISTENING, SWITCHED_ROOT } from '../guest/bootPhases';
import { vmStatePaths } from './stateDir';
import { exitReason } from './exitReason';
import type { VmInfo } from './vms';
import type { Podman } from '../podman/podman';
import { podmanGuestAccess } from '../podman/commands';
import { GUEST_SSH_PORT_IN_CONTAINER } from '../plan/containerPaths';
import { shellLine } from '../shellQuote';

/** Seconds from the kernel's start to each milestone of the boot, from the guest's own journal. */
export interface BootTimeline {
  initrd?: number;
  system?: number;
  sshd?: number;
  startupFinished?: number;
}

const MILESTONES: [keyof BootTimeline, RegExp][] = [
  ['initrd', IN_INITRD],
  ['system', SWITCHED_ROOT],
  ['sshd', SSHD_LISTENING],
  ['startupFinished', /systemd\[1\]: Startup finished in /],
];

/** The journal stream's lines start "Nov 29 04:32:09.622035 host unit[pid]: ..." (short-precise). */
const STAMP = /^\w{3} +\d+ (\d\d):(\d\d):(\d\d(?:\.\d+)?) /;

export function bootTimeline(journal: string): BootTimeline {
  const timeline: BootTimeline = {};
  let first: number | undefined;
  let previous = 0;
  let dayOffset = 0;
  for (const line of journal.split('\n')) {
    const m = STAMP.exec(line);
    if (!m) continue;
    let t = Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]) + dayOffset;
    if (t < previous - 43_200) {
      dayOffset += 86_400; // past midnight
      t += 86_400;
    }
    previous = t;
    first ??= t;
    for (const [key, re] of MILESTONES) {
      if (timeline[key] === undefined && re.test(line)) timeline[key] = Math.round((t - first) * 1000) / 1000;
    }
  }
  return timeline;
}

/** The host key the VM must present, as an OpenSSH known_hosts line: for its forwarded port, or an alias (remote). */
export function knownHostsLine(portOrAlias: number | string, hostPublicKey: string): string {
  const host = typeof portOrAlias === 'number' ? `[127.0.0.1]:${portOrAlias}` : portOrAlias;
  return `${host} ${hostPublicKey.trim().split(/\s+/).slice(0, 2).join(' ')}\n`;
}

/** The alias a relayed VM's host key is pinned under (its endpoint is a command, not an address). */
const hostKeyAlias = (name: string) => `bootc-ephemeral.${name}`;

/**
 * An OpenSSH Host block: plain `ssh NAME` (and VS Code Remote-SSH) reach the VM with its pinned key,
 * at a 127.0.0.1 port (rootful local podman), or through podman's exec relay as a ProxyCommand (remote or rootless podman).
 */
export function sshConfigBlock(name: string, endpoint: number | string[], stateDir: string): string {
  const p = vmStatePaths(stateDir);
  const where =
    typeof endpoint === 'number'
      ? ['  HostName 127.0.0.1', `  Port ${endpoint}`]
      : // ssh reads % as a token in ProxyCommand: a literal one is %%
        [`  ProxyCommand ${shellLine(endpoint).replace(/%/g, '%%')}`, `  HostKeyAlias ${hostKeyAlias(name)}`];
  return [
    `Host ${name}`,
    ...where,
    '  User root',
    `  IdentityFile ${p.clientKey}`,
    '  IdentitiesOnly yes',
    `  UserKnownHostsFile ${path.join(p.ssh, 'known_hosts')}`,
    '  StrictHostKeyChecking yes',
    '',
  ].join('\n');
}

/** Writes the VM's known_hosts (the pinned host key for its current endpoint) and returns the config block. */
export function writeSshConfig(vm: VmInfo, podman?: Podman): string | undefined {
  if (!vm.stateDir || !vm.ssh || (!vm.sshPort && !vm.sshRelay)) return undefined;
  const p = vmStatePaths(vm.stateDir);
  const hostKey = fs.readFileSync(p.guestHostKey, 'utf8');
  if (vm.sshRelay && podman) {
    fs.writeFileSync(path.join(p.ssh, 'known_hosts'), knownHostsLine(hostKeyAlias(vm.name), hostKey), { mode: 0o600 });
    return sshConfigBlock(vm.name, [podman.binary, ...podman.pinnedConnectionArgs(), ...podmanGuestAccess.relay(vm.id, GUEST_SSH_PORT_IN_CONTAINER).args], vm.stateDir);
  }
  fs.writeFileSync(path.join(p.ssh, 'known_hosts'), knownHostsLine(vm.sshPort!, hostKey), { mode: 0o600 });
  return sshConfigBlock(vm.name, vm.sshPort!, vm.stateDir);
}

/** What `inspect` prints: the VM as listed, its options, its SSH endpoint and where its boot went (from its journal). */
export function vmDetails(vm: VmInfo, journal = '', podman?: Podman, dropped?: Record<string, number>): Record<string, unknown> {
  const timeline: BootTimeline = bootTimeline(journal);
  const p = vm.stateDir ? vmStatePaths(vm.stateDir) : undefined;
  const endpoint = vm.sshRelay ? { through: `podman exec relay in the VM container (${podman?.describe() ?? 'local podman'})` } : { host: '127.0.0.1', port: vm.sshPort ?? null };
  return {
    name: vm.name,
    id: vm.id,
    image: vm.image,
    origin: vm.origin,
    state: vm.state,
    podmanState: vm.podmanState,
    exitCode: vm.exitCode ?? null,
    exitReason: exitReason(vm) ?? null,
    createdAt: vm.createdAt ?? null,
    startedAt: vm.startedAt ?? null,
    exitedAt: vm.exitedAt ?? null,
    accelerator: vm.accel ?? null,
    architecture: vm.arch ?? null,
    options: vm.options ?? null,
    /** the kernel arguments the image declared (kargs.d), per file; applied: false where its architecture did not match */
    imageKernelArgs: vm.imageKargs ?? null,
    ssh: vm.ssh && p ? { ...endpoint, user: 'root', identityFile: p.clientKey, hostKey: p.guestHostKey } : null,
    stateDir: vm.stateDir ?? null,
    bootSecondsFromKernelStart: timeline,
    /** bytes of guest output --max-log-size dropped, per log (local VMs; null when none or unknown) */
    outputDropped: dropped && Object.keys(dropped).length ? dropped : null,
  };
}
