// Pure: how a VM looks in the tree (label, description, icon, tooltip), unit-tested without VS Code.
// Its words go through @vscode/l10n: in the extension's bundle that is VS Code's own l10n (the build maps
// it, scripts/build.mjs); in unit tests it formats the English text.
import * as l10n from '@vscode/l10n';
import type { VmInfo, VmState } from '../../engine/vm/vms';
import { formatMiB } from '../../engine/options/sizes';
import { exitReason } from '../../engine/vm/exitReason';
import type { VmStats } from '../../engine/podman/stats';
import { guestArchOfNode } from '../../engine/plan/machine';

export interface VmItemProperties {
  label: string;
  description: string;
  icon: { id: string; color?: string };
  tooltip: string;
  contextValue: string;
}

const ICONS: Record<VmState, { id: string; color?: string }> = {
  booting: { id: 'loading~spin', color: 'charts.yellow' },
  ready: { id: 'vm-running', color: 'charts.green' },
  unresponsive: { id: 'warning', color: 'charts.orange' },
  stopping: { id: 'debug-stop', color: 'charts.orange' },
  failed: { id: 'error', color: 'errorForeground' },
  exited: { id: 'vm-outline' },
};

export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86400)}d`;
}

/** The commands a tooltip may link to (its markdown trusts only these). */
export const TOOLTIP_COMMANDS = ['bootcEphemeral.showBootTimeline'];

const commandLink = (command: string, ...args: string[]) => `command:${command}?${encodeURIComponent(JSON.stringify(args))}`;

/** podman's CPU figure as shown: "12.5 %" */
export const formatCpu = (s: VmStats) => (s.cpuPercent === undefined ? '?' : `${s.cpuPercent.toFixed(1)} %`);

/** used / limit and the share: "450.8MB / 25.28GB (1.8 %)" */
export const formatMemory = (s: VmStats) => (s.memoryPercent === undefined ? s.memoryUsage : `${s.memoryUsage} (${s.memoryPercent.toFixed(1)} %)`);

/** "CPU 12.5 % · memory 450.8MB / 25.28GB (1.8 %) · 15 processes", localized */
export function statsLine(s: VmStats): string {
  return [l10n.t('CPU {0}', formatCpu(s)), l10n.t('memory {0}', formatMemory(s)), ...(s.processes === undefined ? [] : [l10n.t('{0} processes', s.processes)])].join(' · ');
}

/**
 * forwards: local port → guest port pairs held by the extension for this VM; stats: one sample of its
 * container's CPU and memory (shown in the tooltip)
 */
export function vmItemProperties(vm: VmInfo, nowMs = Date.now(), forwards: { localPort: number; guestPort: number }[] = [], stats?: VmStats): VmItemProperties {
  const o = vm.options ?? {};
  const now = nowMs / 1000;
  let when = '';
  if (vm.state === 'ready' || vm.state === 'booting' || vm.state === 'unresponsive') when = vm.startedAt ? l10n.t('up {0}', duration(now - vm.startedAt)) : '';
  else if (vm.state === 'failed') when = vm.bootFailure ? l10n.t('cannot boot') : l10n.t('exit {0}', vm.exitCode ?? '?');
  else if (vm.state === 'exited') when = vm.exitedAt ? l10n.t('exited {0} ago', duration(now - vm.exitedAt)) : l10n.t('exited');
  const binds = (o.binds ?? []).map((b) => `${b.hostPath} → /run/virtiofs-mnt-${b.name}${b.readOnly ? ` ${l10n.t('(read-only)')}` : ''}`);
  const reason = vm.state === 'failed' ? exitReason(vm) : undefined;
  const lines = [
    `**${vm.name}** — ${vm.state}${vm.origin === 'bcvk' ? ` ${l10n.t('(started by bcvk)')}` : ''}`,
    ...(vm.state === 'unresponsive' ? [l10n.t('Its sshd no longer answers (a hung guest, or sshd stopped): Open Console or Tail Journal to see why')] : []),
    ...(vm.state === 'failed' && vm.bootFailure ? [l10n.t('Cannot boot: {0}. It still runs: Open Console shows where it stopped; Remove ends it', vm.bootFailure)] : []),
    ...(vm.state === 'failed' && !vm.bootFailure ? [reason ? l10n.t('Exit {0}: {1}', vm.exitCode ?? '?', reason) : l10n.t('Exit {0}', vm.exitCode ?? '?')] : []),
    l10n.t('Image: {0}', vm.image),
    ...(typeof o.memoryMiB === 'number' ? [l10n.t('Memory: {0}, vCPUs: {1}', formatMiB(o.memoryMiB), o.vcpus ?? '?')] : []),
    ...(vm.accel ? [l10n.t('Accelerator: {0}', vm.accel === 'tcg' ? l10n.t('TCG (software emulation)') : 'KVM')] : []),
    ...(vm.arch ? [l10n.t('Architecture: {0}', vm.arch)] : []),
    ...(vm.ssh ? [l10n.t('SSH: {0}', vm.sshPort ? `127.0.0.1:${vm.sshPort}` : vm.sshRelay ? l10n.t('through its container (podman exec)') : l10n.t('yes'))] : []),
    ...(stats ? [l10n.t('Now: {0}', statsLine(stats))] : []),
    ...(vm.state === 'ready' && vm.ssh && vm.origin === 'bootc-ephemeral' ? [`[${l10n.t('Boot Timeline')}](${commandLink('bootcEphemeral.showBootTimeline', vm.name)})`] : []),
    ...(binds.length ? [l10n.t('Binds:'), ...binds.map((b) => `- ${b}`)] : []),
    ...(forwards.length ? [l10n.t('Forwarded ports:'), ...forwards.map((f) => `- ${l10n.t('127.0.0.1:{0} → guest {1}', f.localPort, f.guestPort)}`)] : []),
  ];
  return {
    label: vm.name,
    // an architecture other than this machine's is worth a glance: it boots emulated, several times slower
    description: [vm.image.replace(/^localhost\//, ''), vm.arch && vm.arch !== guestArchOfNode(process.arch) ? vm.arch : '', vm.state, when].filter(Boolean).join(' · '),
    icon: ICONS[vm.state],
    tooltip: lines.join('\n\n'),
    contextValue: `vm.${vm.state}.${vm.origin}${vm.ssh ? '.ssh' : ''}`,
  };
}
