// Pure: how a VM looks in the tree (label, description, icon, tooltip), unit-tested without VS Code.
import type { VmInfo, VmState } from '../../engine/vm/vms';
import { formatMiB } from '../../engine/options/sizes';
import { exitReason } from '../../engine/vm/exitReason';

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

/** forwards: local port → guest port pairs held by the extension for this VM */
export function vmItemProperties(vm: VmInfo, nowMs = Date.now(), forwards: { localPort: number; guestPort: number }[] = []): VmItemProperties {
  const o = vm.options ?? {};
  const now = nowMs / 1000;
  let when = '';
  if (vm.state === 'ready' || vm.state === 'booting' || vm.state === 'unresponsive') when = vm.startedAt ? `up ${duration(now - vm.startedAt)}` : '';
  else if (vm.state === 'failed') when = `exit ${vm.exitCode ?? '?'}`;
  else if (vm.state === 'exited') when = vm.exitedAt ? `exited ${duration(now - vm.exitedAt)} ago` : 'exited';
  const binds = (o.binds ?? []).map((b) => `${b.hostPath} → /run/virtiofs-mnt-${b.name}${b.readOnly ? ' (ro)' : ''}`);
  const lines = [
    `**${vm.name}** — ${vm.state}${vm.origin === 'bcvk' ? ' (started by bcvk)' : ''}`,
    ...(vm.state === 'unresponsive' ? ['Its sshd no longer answers (a hung guest, or sshd stopped): Open Console or Tail Journal to see why'] : []),
    ...(vm.state === 'failed' ? [`Exit ${vm.exitCode ?? '?'}${exitReason(vm) ? `: ${exitReason(vm)}` : ''}`] : []),
    `Image: ${vm.image}`,
    ...(typeof o.memoryMiB === 'number' ? [`Memory: ${formatMiB(o.memoryMiB)}, vCPUs: ${o.vcpus ?? '?'}`] : []),
    ...(vm.accel ? [`Accelerator: ${vm.accel === 'tcg' ? 'TCG (software emulation)' : 'KVM'}`] : []),
    ...(vm.ssh ? [`SSH: ${vm.sshPort ? `127.0.0.1:${vm.sshPort}` : 'yes'}`] : []),
    ...(binds.length ? ['Binds:', ...binds.map((b) => `- ${b}`)] : []),
    ...(forwards.length ? ['Forwarded ports:', ...forwards.map((f) => `- 127.0.0.1:${f.localPort} → guest ${f.guestPort}`)] : []),
  ];
  return {
    label: vm.name,
    description: [vm.image.replace(/^localhost\//, ''), vm.state, when].filter(Boolean).join(' · '),
    icon: ICONS[vm.state],
    tooltip: lines.join('\n\n'),
    contextValue: `vm.${vm.state}.${vm.origin}${vm.ssh ? '.ssh' : ''}`,
  };
}
