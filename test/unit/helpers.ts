import type { PathProbe } from '../../src/engine/options/runOptions';

/** A fake file system for the validator: paths listed as dirs or files exist, nothing else. */
export function fakeProbe(dirs: string[] = [], files: string[] = [], cwd = '/work'): PathProbe {
  return {
    kind: (p) => (dirs.includes(p) ? 'dir' : files.includes(p) ? 'file' : 'missing'),
    cwd: () => cwd,
    cpuCount: () => 2,
  };
}
