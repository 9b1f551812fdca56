import * as fs from 'node:fs';
import * as path from 'node:path';
import { SSHD_LISTENING } from '../guest/bootPhases';
import { vmStatePaths } from './stateDir';
import type { VmInfo } from './vms';

/** Seconds from the kernel's start to each milestone of the boot, from the guest's own journal. */
export interface BootTimeline {
  initrd?: number;
  system?: number;
  sshd?: number;
  startupFinished?: number;
}

const MILESTONES: [keyof BootTimeline, RegExp][] = [
  ['initrd', /systemd\[1\]: Running in (?:initrd|initial RAM disk)/],
  ['system', /systemd\[1\]: Switching root\./],
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

/** The host key the VM must present, as an OpenSSH known_hosts line for its forwarded port. */
export function knownHostsLine(port: number, hostPublicKey: string): string {
  return `[127.0.0.1]:${port} ${hostPublicKey.trim().split(/\s+/).slice(0, 2).join(' ')}\n`;
}

/** An OpenSSH Host block: plain `ssh NAME` (and VS Code Remote-SSH) reach the VM with its pinned key. */
export function sshConfigBlock(name: string, port: number, stateDir: string): string {
  const p = vmStatePaths(stateDir);
  return [
    `Host ${name}`,
    '  HostName 127.0.0.1',
    `  Port ${port}`,
    '  User root',
    `  IdentityFile ${p.clientKey}`,
    '  IdentitiesOnly yes',
    `  UserKnownHostsFile ${path.join(p.ssh, 'known_hosts')}`,
    '  StrictHostKeyChecking yes',
    '',
  ].join('\n');
}

/** Writes the VM's known_hosts (the pinned host key for its current port) and returns the config block. */
export function writeSshConfig(vm: VmInfo): string | undefined {
  if (!vm.stateDir || !vm.sshPort || !vm.ssh) return undefined;
  const p = vmStatePaths(vm.stateDir);
  const hostKey = fs.readFileSync(p.guestHostKey, 'utf8');
  fs.writeFileSync(path.join(p.ssh, 'known_hosts'), knownHostsLine(vm.sshPort, hostKey), { mode: 0o600 });
  return sshConfigBlock(vm.name, vm.sshPort, vm.stateDir);
}

/** What `inspect` prints: the VM as listed, its options, its SSH endpoint and where its boot went. */
export function vmDetails(vm: VmInfo): Record<string, unknown> {
  let timeline: BootTimeline = {};
  if (vm.stateDir) {
    try {
      timeline = bootTimeline(fs.readFileSync(vmStatePaths(vm.stateDir).journalLog, 'utf8'));
    } catch {
      /* no journal (yet) */
    }
  }
  const p = vm.stateDir ? vmStatePaths(vm.stateDir) : undefined;
  return {
    name: vm.name,
    id: vm.id,
    image: vm.image,
    origin: vm.origin,
    state: vm.state,
    podmanState: vm.podmanState,
    exitCode: vm.exitCode ?? null,
    createdAt: vm.createdAt ?? null,
    startedAt: vm.startedAt ?? null,
    exitedAt: vm.exitedAt ?? null,
    accelerator: vm.accel ?? null,
    options: vm.options ?? null,
    ssh: vm.ssh && p ? { host: '127.0.0.1', port: vm.sshPort ?? null, user: 'root', identityFile: p.clientKey, hostKey: p.guestHostKey } : null,
    stateDir: vm.stateDir ?? null,
    bootSecondsFromKernelStart: timeline,
  };
}
