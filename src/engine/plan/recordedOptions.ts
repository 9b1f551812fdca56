import type { RunOptions } from '../options/runOptions';

/**
 * What the VM records about itself in its state dir (0600): the options, without env values and
 * credential values (they may be secret; a credential's file is named, its content never kept).
 */
export function recordedOptions(o: RunOptions): Record<string, unknown> {
  return { ...o, env: Object.keys(o.env), credentials: o.credentials.map((k) => (k.file === undefined ? { name: k.name } : { name: k.name, file: k.file })) };
}

/** What goes into a container label, which `podman inspect` shows anyone: no --execute text, no env values. */
export function labelledOptions(o: RunOptions): Record<string, unknown> {
  const { execute, ...rest } = recordedOptions(o) as Record<string, unknown> & { execute: string[] };
  return { ...rest, executeCount: execute.length };
}
