import * as path from 'node:path';
import { EngineError } from '../errors';
import type { Podman } from '../podman/podman';
import { cleanStderr } from '../podman/podman';
import { findHostTools, HOST_TOOL_CANDIDATES, type HostFileView, type HostTools } from './host';
import { BUSYBOX_CANDIDATES, ELF_HEAD_BYTES } from './busybox';
import { kvmFromHostFacts, probeKvm, type KvmStatus } from './kvm';
import * as l10n from '@vscode/l10n';

/**
 * Tool discovery on a remote podman host: a short-lived container of the engine's root image with the
 * host's /usr bound read-only (as the VM container has it) lists which of the known candidate paths
 * exist there, and a second one asks the chosen virtiofsd for its --help. The decisions are the local
 * ones (host.ts findHostTools), made on that listing. The script is constant; the paths are its argv.
 */
const LIST_SCRIPT = 'for p do [ -e "$p" ] || continue; t=e; [ -d "$p" ] && t=d; [ -f "$p" ] && [ -x "$p" ] && t=x; printf "%s\\0%s\\0%s\\0" "$p" "$t" "$(readlink -f -- "$p")"; done';

const PROBE_FLAGS = ['run', '--rm', '--pull=never', '--network=none', '--cap-drop=all', '--read-only', '--security-opt', 'no-new-privileges', '-v', '/usr:/usr:ro'];

export function hostListingArgs(rootImage: string): string[] {
  return [...PROBE_FLAGS, '--entrypoint', '/usr/bin/sh', rootImage, '-c', LIST_SCRIPT, 'sh', ...HOST_TOOL_CANDIDATES];
}

/** An absolute path of plain characters: what a tool path on the podman host may be. */
const SAFE_PATH = /^\/[A-Za-z0-9._+/-]*$/;

export interface ListedPath {
  type: 'x' | 'd' | 'e';
  real: string;
}

/** Reads the listing; only the paths asked about, and real paths that are absolute and clean, are kept. */
export function parseHostListing(stdout: string): Map<string, ListedPath> {
  const parts = stdout.split('\0');
  const listed = new Map<string, ListedPath>();
  for (let i = 0; i + 3 <= parts.length; i += 3) {
    const [p, type, real] = parts.slice(i, i + 3);
    if (!HOST_TOOL_CANDIDATES.includes(p) || !['x', 'd', 'e'].includes(type)) continue;
    // these paths end up in QEMU's and the supervisor's argv (the supervisor splits its sleep line on spaces)
    if (!SAFE_PATH.test(real) || path.posix.normalize(real) !== real) continue;
    listed.set(p, { type: type as ListedPath['type'], real });
  }
  return listed;
}

/** The busybox candidate's size, first bytes (ELF header) and applets, printed by a probe on the podman host (busybox.ts judges them). */
export const BUSYBOX_SCRIPT = `wc -c < "$1" && od -An -v -tx1 -N${ELF_HEAD_BYTES} -- "$1" | tr -d ' \\n' && echo && "$1" --list`;

export interface BusyboxFacts {
  head: Buffer;
  size: number;
  applets: string;
}

export function parseBusyboxProbe(stdout: string): BusyboxFacts | undefined {
  const [size, hex, ...applets] = stdout.split('\n');
  if (!/^\d{1,12}$/.test(size.trim()) || !/^([0-9a-f]{2})+$/.test(hex)) return undefined;
  return { size: Number(size.trim()), head: Buffer.from(hex, 'hex'), applets: applets.join('\n') };
}

export function listedFileView(listed: Map<string, ListedPath>, help: Map<string, string>, busybox?: { path: string; facts: BusyboxFacts }): HostFileView {
  return {
    headOf: (p, bytes) => (busybox?.path === p ? { head: busybox.facts.head.subarray(0, bytes), size: busybox.facts.size } : undefined),
    appletsOf: (p) => (busybox?.path === p ? busybox.facts.applets : ''),
    isExecutable: (p) => listed.get(p)?.type === 'x',
    exists: (p) => listed.has(p),
    realpath: (p) => {
      const l = listed.get(p);
      if (!l) throw new EngineError(l10n.t('{0} does not exist on the podman host', p));
      return l.real;
    },
    helpOf: (binary) => help.get(binary) ?? '',
  };
}

const cache = new WeakMap<Podman, Promise<HostTools>>();

async function probe(podman: Podman, rootImage: string): Promise<HostTools> {
  const r = await podman.run(hostListingArgs(rootImage));
  if (r.exitCode !== 0) throw new EngineError(l10n.t('listing QEMU and virtiofsd on the podman host ({0}) failed: {1}', podman.describe(), cleanStderr(r.stderr) || `exit ${r.exitCode}`));
  const listed = parseHostListing(r.stdout);
  // which virtiofsd is chosen is findHostTools' decision: ask it, then ask that binary for its --help
  const asked: string[] = [];
  const help = new Map<string, string>();
  const recorder: HostFileView = { ...listedFileView(listed, help), helpOf: (b) => (asked.push(b), '') };
  findHostTools(recorder, {});
  for (const binary of asked) {
    const h = await podman.run([...PROBE_FLAGS, '--entrypoint', binary, rootImage, '--help']);
    help.set(binary, `${h.stdout}${h.stderr}`);
  }
  // the first busybox candidate under /usr, if any: is it static, for which machine, with which applets
  const candidate = BUSYBOX_CANDIDATES.map((c) => listed.get(c)).find((l) => l?.type === 'x' && l.real.startsWith('/usr/'));
  let busybox: { path: string; facts: BusyboxFacts } | undefined;
  if (candidate) {
    const b = await podman.run([...PROBE_FLAGS, '--entrypoint', '/usr/bin/sh', rootImage, '-c', BUSYBOX_SCRIPT, 'sh', candidate.real]);
    const facts = b.exitCode === 0 ? parseBusyboxProbe(b.stdout) : undefined;
    if (facts) busybox = { path: candidate.real, facts };
  }
  return findHostTools(listedFileView(listed, help, busybox), {});
}

/** The podman host's tools: found locally for the local podman, by a probe (once per connection) for a remote one. */
export function hostToolsFor(podman: Podman, rootImage: string): Promise<HostTools> {
  if (!podman.remote) return Promise.resolve(findHostTools());
  let tools = cache.get(podman);
  if (!tools) {
    tools = probe(podman, rootImage);
    cache.set(podman, tools);
    tools.catch(() => cache.delete(podman));
  }
  return tools;
}

const MODULES_END = '\0-- end of /proc/modules --\0';

/**
 * KVM on the podman host: a probe container given /dev/kvm (podman refuses it when the host has none)
 * prints the host's /proc/modules and /proc/cpuinfo, judged as the local probe judges them.
 */
export async function kvmFor(podman: Podman, rootImage: string): Promise<KvmStatus> {
  if (!podman.remote) return probeKvm();
  const script = 'cat /proc/modules; printf "$1"; cat /proc/cpuinfo';
  const r = await podman.run([...PROBE_FLAGS, '--device', '/dev/kvm', '--entrypoint', '/usr/bin/sh', rootImage, '-c', script, 'sh', MODULES_END.replace(/\0/g, '\\0')]);
  if (r.exitCode !== 0) return { usable: false, reason: `/dev/kvm is not usable on the podman host (${cleanStderr(r.stderr).split('\n')[0] || `exit ${r.exitCode}`})` };
  const [modules, cpuinfo = ''] = r.stdout.split(MODULES_END);
  return kvmFromHostFacts(modules, cpuinfo);
}
