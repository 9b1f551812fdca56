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
  // O_NOFOLLOW: the path just checked cannot be swapped for a link; O_NONBLOCK: a FIFO does not block the open
  const fd = fs.openSync(real, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) throw new EngineError(l10n.t('{0} is not a regular file: refused', file), { field: r.field, value: r.dir });
    if (st.size > r.maxBytes) throw new EngineError(l10n.t('{0} is {1} bytes: at most {2} may be read', file, String(st.size), String(r.maxBytes)), { field: r.field, value: r.dir });
    const buf = Buffer.alloc(st.size);
    return buf.subarray(0, fs.readSync(fd, buf, 0, buf.length, 0));
  } finally {
    fs.closeSync(fd);
  }
}

/** The folder itself, resolved; it may not be a link (a workspace path could hide a host folder behind one). */
export function resolveNamedFolder(dir: string, field: string): string {
  const root = fs.realpathSync(dir);
  if (fs.lstatSync(dir).isSymbolicLink()) {
    throw new EngineError(l10n.t('{0} is a symlink to {1}: name the folder itself (a link could hide a host folder behind a workspace path)', dir, root), { field, value: dir });
  }
  return root;
}
