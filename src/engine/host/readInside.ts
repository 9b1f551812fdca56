import * as fs from 'node:fs';
import * as path from 'node:path';
import { EngineError } from '../errors';
import * as l10n from '@vscode/l10n';

/** What a read names when it refuses: the option, the folder the user gave, and the most it may read. */
export interface InsideRead {
  field: string;
  dir: string;
  maxBytes: number;
}

/** Why a file could not be read: the caller words it for its option. */
export type ReadProblem = { kind: 'unreadable'; code: string } | { kind: 'notRegular' } | { kind: 'tooBig'; size: number };

/**
 * A regular file of this machine, read whole: opened without blocking (a FIFO would hang the launch),
 * checked on the open descriptor (what was checked is what is read) and read only up to `maxBytes`.
 */
export function readRegularFile(file: string, maxBytes: number, refuse: (p: ReadProblem) => Error, extraFlags = 0): Buffer {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK | extraFlags);
  } catch (e) {
    throw refuse({ kind: 'unreadable', code: (e as NodeJS.ErrnoException).code ?? String(e) });
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) throw refuse({ kind: 'notRegular' });
    if (st.size > maxBytes) throw refuse({ kind: 'tooBig', size: st.size });
    const buf = Buffer.alloc(st.size);
    return buf.subarray(0, fs.readSync(fd, buf, 0, buf.length, 0));
  } finally {
    fs.closeSync(fd);
  }
}

export const isInside = (real: string, root: string) => real === root || real.startsWith(root + path.sep);

/**
 * Reads a file of a folder the user named. `root` is that folder, resolved once: a symlink is followed
 * only while it stays inside it (a link to a host file such as a key must never be copied into the VM).
 * Only a regular file is read, opened without blocking (a FIFO would hang the launch), and only up to
 * `maxBytes`.
 */
export function readFileInside(root: string, file: string, r: InsideRead): Buffer {
  const real = fs.realpathSync(file);
  if (!isInside(real, root)) {
    throw new EngineError(l10n.t('{0} is a symlink to {1}, outside {2}: refused (it would copy a host file into the VM)', file, real, r.dir), { field: r.field, value: r.dir });
  }
  // O_NOFOLLOW: the path just checked cannot be swapped for a link
  const where = { field: r.field, value: r.dir };
  return readRegularFile(real, r.maxBytes, (p) =>
    p.kind === 'notRegular' ? new EngineError(l10n.t('{0} is not a regular file: refused', file), where)
    : p.kind === 'tooBig' ? new EngineError(l10n.t('{0} is {1} bytes: at most {2} may be read', file, String(p.size), String(r.maxBytes)), where)
    : new EngineError(l10n.t('cannot read {0}: {1}', file, p.code), where), fs.constants.O_NOFOLLOW);
}

/** The folder itself, resolved; it may not be a link (a workspace path could hide a host folder behind one). */
export function resolveNamedFolder(dir: string, field: string): string {
  const root = fs.realpathSync(dir);
  if (fs.lstatSync(dir).isSymbolicLink()) {
    throw new EngineError(l10n.t('{0} is a symlink to {1}: name the folder itself (a link could hide a host folder behind a workspace path)', dir, root), { field, value: dir });
  }
  return root;
}
