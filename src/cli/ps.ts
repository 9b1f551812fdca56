import { formatHelp, parseArgs, bool, UsageError, FlagSpec } from './args';
import type { CliContext } from './context';
import { listVms, VmInfo } from '../engine/vms';
import { formatMiB } from '../engine/sizes';
import { collectStaleStateDirs } from '../engine/stateGc';

const FLAGS: FlagSpec[] = [
  { long: 'json', help: 'print the VMs as JSON' },
  { long: 'all', short: 'a', help: 'accepted for podman muscle memory: stopped VMs are always listed' },
];
export const PS_HELP = formatHelp('bootc-ephemeral ps [--json]', 'List ephemeral VMs (ours and bcvk\'s), running or not.', FLAGS);

export function ago(epochSeconds: number | undefined, now = Date.now()): string {
  if (!epochSeconds) return '-';
  const s = Math.max(0, Math.round(now / 1000 - epochSeconds));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86400)}d ago`;
}

export function psTable(vms: VmInfo[], now = Date.now()): string {
  const rows = [['NAME', 'IMAGE', 'STATE', 'ACCEL', 'MEMORY', 'VCPUS', 'SSH', 'CREATED']];
  for (const v of vms) {
    const o = v.options ?? {};
    rows.push([
      v.name,
      v.image.length > 40 ? `${v.image.slice(0, 37)}...` : v.image,
      v.state === 'failed' || v.state === 'exited' ? `${v.state} (${v.exitCode ?? '?'})` : v.state,
      v.accel ?? (v.origin === 'bcvk' ? 'bcvk' : '-'),
      typeof o.memoryMiB === 'number' ? formatMiB(o.memoryMiB) : '-',
      typeof o.vcpus === 'number' ? String(o.vcpus) : '-',
      v.ssh ? (v.sshPort ? `127.0.0.1:${v.sshPort}` : 'yes') : '-',
      ago(v.createdAt, now),
    ]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ')).join('\n') + '\n';
}

export async function psCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const { flags, positionals } = parseArgs(argv, FLAGS);
  if (positionals.length) throw new UsageError('ps takes no arguments');
  const vms = await listVms(ctx.podman);
  collectStaleStateDirs(vms);
  ctx.stdout.write(bool(flags, 'json') ? JSON.stringify(vms, null, 2) + '\n' : psTable(vms));
  return 0;
}
