// podman's `stats` output, read: the figures the VMs view and Show Stats show.

/** One sample of a VM container's resource use (QEMU, virtiofsd and the supervisor together). */
export interface VmStats {
  id: string;
  /** podman's CPU figure: percent of one CPU, so up to 100 × vCPUs */
  cpuPercent: number | undefined;
  /** used / limit as podman prints them, e.g. "450.8MB / 25.28GB" */
  memoryUsage: string;
  memoryPercent: number | undefined;
  processes: number | undefined;
}

/** The fields of `podman stats --no-stream --format json` we use (podman 4.x and 5.x). */
export interface PodmanStatsEntry {
  id?: unknown;
  cpu_percent?: unknown;
  mem_usage?: unknown;
  mem_percent?: unknown;
  pids?: unknown;
}

const percent = (v: unknown) => {
  const m = typeof v === 'string' ? /^(\d+(?:\.\d+)?)%$/.exec(v.trim()) : null;
  return m ? Number(m[1]) : undefined;
};

/** podman's output is read, not trusted: only the shapes we expect get through. */
export function parseStats(entries: readonly PodmanStatsEntry[]): VmStats[] {
  return entries.flatMap((e) => {
    if (typeof e.id !== 'string' || !/^[0-9a-f]{12,64}$/.test(e.id)) return [];
    const usage = typeof e.mem_usage === 'string' && /^[0-9.]+[A-Za-z]* \/ [0-9.]+[A-Za-z]*$/.test(e.mem_usage.trim()) ? e.mem_usage.trim() : '?';
    const pids = typeof e.pids === 'string' || typeof e.pids === 'number' ? Number(e.pids) : NaN;
    return [{ id: e.id, cpuPercent: percent(e.cpu_percent), memoryUsage: usage, memoryPercent: percent(e.mem_percent), processes: Number.isInteger(pids) ? pids : undefined }];
  });
}

