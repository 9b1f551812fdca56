import { commandSpec, parseArgs, bool, list, UsageError, FlagSpec } from './args';
import type { CliContext } from './context';
import { listVms, VmInfo } from '../engine/vm/vms';
import { formatMiB } from '../engine/options/sizes';

const FLAGS: FlagSpec[] = [
  { long: 'json', help: 'print the VMs as JSON' },
  { long: 'quiet', short: 'q', help: 'print only the container IDs' },
  { long: 'filter', short: 'f', value: true, repeatable: true, valueName: 'KEY=VALUE', help: 'label=KEY[=VALUE], state=booting|ready|unresponsive|stopping|failed|exited, image=IMAGE, name=NAME; several values of one key match any, different keys all' },
  { long: 'all', short: 'a', help: 'accepted for podman muscle memory: stopped VMs are always listed' },
];
export const PS_SPEC = commandSpec('bootc-ephemeral ps [--json | -q] [--filter KEY=VALUE]...', 'List ephemeral VMs (ours and bcvk\'s), running or not.', FLAGS);

const FILTER_KEYS = ['label', 'state', 'image', 'name'] as const;
type FilterKey = (typeof FILTER_KEYS)[number];

/** podman-style filters: values of one key are alternatives, keys are all required. */
export function parseFilters(specs: string[]): Map<FilterKey, string[]> {
  const filters = new Map<FilterKey, string[]>();
  for (const spec of specs) {
    const eq = spec.indexOf('=');
    const key = spec.slice(0, eq) as FilterKey;
    if (eq < 1 || !FILTER_KEYS.includes(key) || eq === spec.length - 1) throw new UsageError(`invalid --filter ${JSON.stringify(spec)}: use ${FILTER_KEYS.map((k) => `${k}=...`).join(', ')}`);
    filters.set(key, [...(filters.get(key) ?? []), spec.slice(eq + 1)]);
  }
  return filters;
}

export function matchesFilters(vm: VmInfo, filters: Map<FilterKey, string[]>): boolean {
  const one = (key: FilterKey, value: string): boolean => {
    switch (key) {
      case 'label': {
        const eq = value.indexOf('=');
        return eq < 0 ? value in vm.labels : vm.labels[value.slice(0, eq)] === value.slice(eq + 1);
      }
      case 'state':
        return vm.state === value;
      case 'image':
        return vm.image === value || vm.image.replace(/^localhost\//, '') === value;
      case 'name':
        return vm.name === value;
    }
  };
  return [...filters].every(([key, values]) => values.some((v) => one(key, v)));
}

/** The JSON form: times podman does not have are null, not absent. */
export function psJson(vms: VmInfo[]): string {
  return JSON.stringify(vms.map((v) => ({ ...v, createdAt: v.createdAt ?? null, startedAt: v.startedAt ?? null, exitedAt: v.exitedAt ?? null })), null, 2) + '\n';
}

export function ago(epochSeconds: number | undefined, now = Date.now()): string {
  if (!epochSeconds) return '-';
  const s = Math.max(0, Math.round(now / 1000 - epochSeconds));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86400)}d ago`;
}

export function psTable(vms: VmInfo[], now = Date.now()): string {
  const rows = [['NAME', 'IMAGE', 'STATE', 'ACCEL', 'ARCH', 'MEMORY', 'VCPUS', 'SSH', 'CREATED']];
  for (const v of vms) {
    const o = v.options ?? {};
    rows.push([
      v.name,
      v.image.length > 40 ? `${v.image.slice(0, 37)}...` : v.image,
      v.bootFailure ? 'failed (cannot boot)' : v.state === 'failed' || v.state === 'exited' ? `${v.state} (${v.exitCode ?? '?'})` : v.state,
      v.accel ?? (v.origin === 'bcvk' ? 'bcvk' : '-'),
      v.arch ?? '-',
      typeof o.memoryMiB === 'number' ? formatMiB(o.memoryMiB) : '-',
      typeof o.vcpus === 'number' ? String(o.vcpus) : '-',
      v.ssh ? (v.sshPort ? `127.0.0.1:${v.sshPort}` : v.sshRelay ? 'relay' : 'yes') : '-',
      ago(v.createdAt, now),
    ]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ')).join('\n') + '\n';
}

export async function psCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const { flags, positionals } = parseArgs(argv, FLAGS);
  if (positionals.length) throw new UsageError('ps takes no arguments');
  if (bool(flags, 'json') && bool(flags, 'quiet')) throw new UsageError('choose one of --json and -q');
  const filters = parseFilters(list(flags, 'filter') ?? []);
  const all = await listVms(ctx.podman, { probeSsh: true });
  const vms = all.filter((v) => matchesFilters(v, filters));
  if (bool(flags, 'quiet')) ctx.stdout.write(vms.map((v) => `${v.id.slice(0, 12)}\n`).join(''));
  else ctx.stdout.write(bool(flags, 'json') ? psJson(vms) : psTable(vms));
  return 0;
}
