import * as fs from 'node:fs';
import * as path from 'node:path';
import type { GuestUnit } from './guestUnits';
import { EngineError } from '../errors';
import * as l10n from '@vscode/l10n';

const UNIT_SUFFIX = /\.(service|mount|socket|timer|path|target|swap|automount|slice)$/;
/** systemd's unit-name characters: anything else (spaces, newlines) would corrupt the guest's tmpfiles config */
const UNIT_NAME = /^[A-Za-z0-9:_.@\\-]+$/;

/** A unit file or drop-in larger than this is refused (real ones are a few KiB; the guest payload is held in memory). */
export const MAX_UNIT_FILE_BYTES = 1024 * 1024;
/** all of them together */
export const MAX_UNITS_TOTAL_BYTES = 16 * 1024 * 1024;

const inside = (real: string, root: string) => real === root || real.startsWith(root + path.sep);

/**
 * Reads a file of the units dir. `root` is the folder the user named, resolved once: a symlink is
 * followed only while it stays inside it (a link to a host file such as a key must never be copied into
 * the VM). Only a regular file is read, opened without blocking (a FIFO would hang the launch), and
 * only up to MAX_UNIT_FILE_BYTES.
 */
function readInside(root: string, file: string, dir: string): Buffer {
  const real = fs.realpathSync(file);
  if (!inside(real, root)) {
    throw new EngineError(l10n.t('{0} is a symlink to {1}, outside {2}: refused (it would copy a host file into the VM)', file, real, dir), { field: 'systemd-units', value: dir });
  }
  // O_NOFOLLOW: the path just checked cannot be swapped for a link; O_NONBLOCK: a FIFO does not block the open
  const fd = fs.openSync(real, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) throw new EngineError(l10n.t('{0} is not a regular file: refused', file), { field: 'systemd-units', value: dir });
    if (st.size > MAX_UNIT_FILE_BYTES) throw new EngineError(l10n.t('{0} is {1} bytes: a unit file may have at most {2}', file, String(st.size), String(MAX_UNIT_FILE_BYTES)), { field: 'systemd-units', value: dir });
    const buf = Buffer.alloc(st.size);
    return buf.subarray(0, fs.readSync(fd, buf, 0, buf.length, 0));
  } finally {
    fs.closeSync(fd);
  }
}

function checkName(name: string, base: string, dir: string): void {
  if (!UNIT_NAME.test(name)) throw new EngineError(l10n.t('{0} in {1} is not a valid unit or drop-in name', JSON.stringify(name), base), { field: 'systemd-units', value: dir });
}

/** The targets a unit's [Install] section asks to be wanted by (what `systemctl enable` would link). */
export function installTargets(content: string): string[] {
  const targets: string[] = [];
  let inInstall = false;
  for (const raw of content.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('[')) inInstall = line === '[Install]';
    else if (inInstall) {
      const m = /^(WantedBy|RequiredBy)\s*=\s*(.*)$/.exec(line);
      if (m) targets.push(...m[2].split(/\s+/).filter(Boolean));
    }
  }
  return targets;
}

/**
 * Reads --systemd-units DIR (bcvk's layout DIR/system/, or the units directly in DIR): unit files,
 * *.wants/ links and *.d/ drop-ins. Units are enabled as their [Install] section says.
 */
export function readUserUnits(dir: string): { units: GuestUnit[]; unitFiles: { relPath: string; content: Buffer }[] } {
  // the folder the user named, resolved once: nothing read may lie outside it, whatever links inside it
  // say. DIR itself may not be a link: a workspace could hide a host folder behind one
  const root = fs.realpathSync(dir);
  if (fs.lstatSync(dir).isSymbolicLink()) {
    throw new EngineError(l10n.t('{0} is a symlink to {1}: name the folder itself (a link could hide a host folder behind a workspace path)', dir, root), { field: 'systemd-units', value: dir });
  }
  const base = fs.existsSync(path.join(root, 'system')) ? fs.realpathSync(path.join(root, 'system')) : root;
  if (!inside(base, root)) {
    throw new EngineError(l10n.t('{0} is a symlink to {1}, outside {2}: refused (it would copy host files into the VM)', path.join(dir, 'system'), base, dir), { field: 'systemd-units', value: dir });
  }
  let total = 0;
  const counted = (b: Buffer) => {
    total += b.length;
    if (total > MAX_UNITS_TOTAL_BYTES) throw new EngineError(l10n.t('the unit files in {0} add up to more than {1} bytes: refused', dir, String(MAX_UNITS_TOTAL_BYTES)), { field: 'systemd-units', value: dir });
    return b;
  };
  const units = new Map<string, GuestUnit>();
  const unitFiles: { relPath: string; content: Buffer }[] = [];
  const extraWants: { unit: string; target: string }[] = [];
  for (const entry of fs.readdirSync(base, { withFileTypes: true })) {
    const full = path.join(base, entry.name);
    if (entry.isDirectory() && /\.(wants|requires)$/.test(entry.name)) {
      const target = entry.name.replace(/\.(wants|requires)$/, '');
      checkName(target, base, dir);
      for (const link of fs.readdirSync(full)) extraWants.push({ unit: link, target });
    } else if (entry.isDirectory() && entry.name.endsWith('.d')) {
      checkName(entry.name, base, dir);
      for (const f of fs.readdirSync(full).filter((f) => f.endsWith('.conf'))) {
        checkName(f, base, dir);
        unitFiles.push({ relPath: `${entry.name}/${f}`, content: counted(readInside(root, path.join(full, f), dir)) });
      }
    } else if ((entry.isFile() || entry.isSymbolicLink()) && UNIT_SUFFIX.test(entry.name)) {
      checkName(entry.name, base, dir);
      const content = counted(readInside(root, full, dir)).toString('utf8');
      units.set(entry.name, { name: entry.name, content, wantedBy: installTargets(content) });
    }
  }
  for (const w of extraWants) {
    const u = units.get(w.unit);
    if (u && !u.wantedBy.includes(w.target)) u.wantedBy.push(w.target);
  }
  if (units.size === 0 && unitFiles.length === 0) {
    throw new EngineError(l10n.t('no unit files in {0}', base), { field: 'systemd-units', value: dir });
  }
  return { units: [...units.values()], unitFiles };
}
