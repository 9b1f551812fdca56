// Pure: which workspace folders a boot from VS Code binds into the VM, and under which mount names
// (unit-tested without VS Code).
import type { RunOptionsInput } from '../../engine/options/runOptions';

export type BindWorkspace = 'rw' | 'ro' | 'off';

/** The longest mount NAME the validator accepts that we make (room left for a "-N" suffix). */
const MAX_NAME = 30;

/** A mount NAME from a folder name: what the validator accepts. */
export function mountNameFor(folderName: string): string {
  const n = folderName.replace(/[^a-zA-Z0-9_-]/g, '-').replace(/^[^a-zA-Z0-9]+/, '').slice(0, MAX_NAME);
  return n || 'workspace';
}

/**
 * What every boot from VS Code adds: SSH, background, --rm (stateless; Stop removes it), and the
 * workspace folders bound in. A folder the options already bind (the same host path) is not bound
 * twice; folders whose names give the same mount name (two "app" folders of a multi-root workspace,
 * or a name the options use) get "app-2", "app-3", ...
 */
export function vmRunInput(base: RunOptionsInput, bindWorkspace: BindWorkspace, folders: readonly { name: string; uri: { fsPath: string } }[]): RunOptionsInput {
  const existing = [...(base.bind ?? []), ...(base.roBind ?? [])].map((b) => b.split(':'));
  const boundPaths = new Set(existing.map((parts) => parts[0]));
  const names = new Set(existing.map((parts) => parts[1]).filter(Boolean));
  const binds: string[] = [];
  for (const f of bindWorkspace === 'off' ? [] : folders) {
    if (boundPaths.has(f.uri.fsPath)) continue;
    boundPaths.add(f.uri.fsPath);
    const name = freeName(mountNameFor(f.name), names);
    names.add(name);
    binds.push(`${f.uri.fsPath}:${name}`);
  }
  return {
    ...base,
    sshKeygen: true,
    detach: true,
    rm: true,
    bind: [...(base.bind ?? []), ...(bindWorkspace === 'rw' ? binds : [])],
    roBind: [...(base.roBind ?? []), ...(bindWorkspace === 'ro' ? binds : [])],
  };
}

function freeName(wanted: string, taken: ReadonlySet<string>): string {
  if (!taken.has(wanted)) return wanted;
  for (let i = 2; ; i++) {
    const suffix = `-${i}`;
    const candidate = wanted.slice(0, MAX_NAME - suffix.length) + suffix;
    if (!taken.has(candidate)) return candidate;
  }
}
