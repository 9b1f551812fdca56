// Where a guest's boot went, from the guest's own systemd-analyze: the kernel/initrd/userspace split,
// the chain of units SSH waited for, and the slowest of them. The output is the guest's, so untrusted:
// only lines of the expected shape are read, unit names must look like unit names, and the sizes
// are bounded.
import { GUEST_INIT_TIMES } from '../plan/guestInit';
import { SSH_ADDRESS_UNIT_PREFIX } from '../plan/earlySsh';

/**
 * What the guest runs (over SSH, as root): two analyses and our guest init's times, separated by
 * marker lines. (Not `blame`: each analysis reads every unit over D-Bus, seconds under TCG, and the
 * units that delay SSH are on the chain anyway.)
 */
export const BOOT_ANALYSIS_COMMAND = [
  'export SYSTEMD_COLORS=0 SYSTEMD_PAGER= LC_ALL=C',
  'systemd-analyze time',
  'echo @@critical-chain',
  // what SSH waited for: with early SSH (plan/earlySsh.ts) the unit that gave the NIC its address, else sshd
  `u=$(systemctl list-units --plain --no-legend --state=active '${SSH_ADDRESS_UNIT_PREFIX}*' | cut -d' ' -f1 | head -n1)`,
  'systemd-analyze critical-chain "${u:-sshd.service}"',
  'echo @@guest-init',
  `cat ${GUEST_INIT_TIMES} 2>/dev/null`,
].join('; ');

export interface BootAnalysis {
  /** seconds; undefined where the guest did not say (e.g. no initrd) */
  phases: { kernel?: number; initrd?: number; userspace?: number; total?: number };
  /** the units SSH waited for (early SSH's address unit, else sshd.service) first; times in seconds since userspace started */
  criticalChain: { unit: string; depth: number; activatedAt?: number; took?: number }[];
  /** the units of the chain that took longest to start, slowest first */
  slowest: { unit: string; took: number }[];
  /** set when the guest has not finished starting up (systemd-analyze refuses until it has) */
  notFinished?: boolean;
}

const MAX_OUTPUT = 64 * 1024;
const MAX_CHAIN = 40;
const MAX_SLOWEST = 8;
/** a unit name: systemd's characters, an instance after "@", a known type */
const UNIT = /^[A-Za-z0-9:_.\\-]+(@[A-Za-z0-9:_.\\-]*)?\.(service|socket|target|mount|automount|swap|path|timer|slice|scope|device)$/;
const DURATION = /^(?:\d+(?:\.\d+)?(?:h|min|s|ms|us|µs)\s?)+$/;

/** "1min 2.345s", "512ms", "4.150s" → seconds; undefined when it is not a duration */
export function parseDuration(text: string): number | undefined {
  const t = text.trim();
  if (!DURATION.test(t)) return undefined;
  const factor: Record<string, number> = { h: 3600, min: 60, s: 1, ms: 1e-3, us: 1e-6, µs: 1e-6 };
  let total = 0;
  for (const m of t.matchAll(/(\d+(?:\.\d+)?)(h|min|s|ms|us|µs)/g)) total += Number(m[1]) * factor[m[2]];
  return Math.round(total * 1e6) / 1e6;
}

export function parseBootAnalysis(output: string): BootAnalysis {
  const [time, chainText = '', initText = ''] = output.slice(0, MAX_OUTPUT).split(/^@@(?:critical-chain|guest-init)\n/m);
  const criticalChain = parseChain(chainText);
  const slowest = criticalChain.flatMap((u) => (u.took ? [{ unit: u.unit, took: u.took }] : [])).sort((a, b) => b.took - a.took).slice(0, MAX_SLOWEST);
  const phases = withGuestInit(parsePhases(time), initText);
  return { phases, criticalChain, slowest, ...(/not yet finished/i.test(time) ? { notFinished: true } : {}) };
}

/**
 * Seconds from the kernel's start to when SSH became possible: the chain's first unit (what SSH waited
 * for) is active at its "@" time, which counts from the start of userspace.
 */
export function sshPossibleAt(a: Pick<BootAnalysis, 'phases' | 'criticalChain'>): number | undefined {
  const { kernel, initrd = 0 } = a.phases;
  const active = a.criticalChain[0]?.activatedAt;
  return kernel === undefined || active === undefined ? undefined : Math.round((kernel + initrd + active) * 1e3) / 1e3;
}

/**
 * Our guest init stands in for the image's initrd, where systemd cannot see it: its "kernel" phase
 * then runs to the image's init. The init's start (from its times file) splits it into kernel and
 * initrd, so the phases still add up to the total.
 */
export function withGuestInit(phases: BootAnalysis['phases'], initTimes: string): BootAnalysis['phases'] {
  const started = /^started (\d{1,4}(?:\.\d{1,6})?)$/m.exec(initTimes);
  if (!started || phases.kernel === undefined || phases.initrd !== undefined) return phases;
  const at = Number(started[1]);
  if (!(at > 0 && at < phases.kernel)) return phases;
  return { ...phases, kernel: at, initrd: Math.round((phases.kernel - at) * 1e6) / 1e6 };
}

/** "Startup finished in 5.1s (kernel) + 12.0s (initrd) + 16.2s (userspace) = 33.3s" */
function parsePhases(text: string): BootAnalysis['phases'] {
  const line = /^Startup finished in (.+)$/m.exec(text)?.[1];
  if (!line) return {};
  const phases: BootAnalysis['phases'] = {};
  for (const part of line.split(' + ')) {
    const m = /^(.+?) \((kernel|initrd|userspace)\)/.exec(part.trim());
    if (m) phases[m[2] as 'kernel' | 'initrd' | 'userspace'] = parseDuration(m[1]);
  }
  const total = /= (.+)$/.exec(line);
  if (total) phases.total = parseDuration(total[1]);
  return phases;
}

/**
 * "  └─systemd-networkd.service @10.738s +4.150s", or with LC_ALL=C "  `-systemd-networkd.service ..."
 * (the indentation gives the depth). The first unit (sshd) has no "@": it started when the last of
 * its dependencies was up.
 */
function parseChain(text: string): BootAnalysis['criticalChain'] {
  const chain: BootAnalysis['criticalChain'] = [];
  for (const line of text.split('\n')) {
    const m = /^([\s│|]*)([└├]─|[`|]-)?(\S+)((?: [@+][^@+]+)*)$/.exec(line.trimEnd());
    if (!m || !UNIT.test(m[3])) continue;
    const at = /@([^@+]+)/.exec(m[4])?.[1];
    const took = /\+([^@+]+)/.exec(m[4])?.[1];
    chain.push({ unit: m[3], depth: ([...m[1]].length + (m[2] ? 2 : 0)) / 2, activatedAt: at ? parseDuration(at) : undefined, took: took ? parseDuration(took) : undefined });
    if (chain.length >= MAX_CHAIN) break;
  }
  if (chain.length > 1 && chain[0].activatedAt === undefined) {
    chain[0].activatedAt = Math.max(...chain.slice(1).map((u) => (u.activatedAt ?? 0) + (u.took ?? 0)));
  }
  return chain;
}
