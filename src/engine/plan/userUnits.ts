import * as fs from 'node:fs';
import * as path from 'node:path';
import type { GuestUnit } from './guestUnits';
import { EngineError } from '../errors';
import { isInside, readFileInside, resolveNamedFolder } from '../host/readInside';
import * as l10n from '@vscode/l10n';

const UNIT_SUFFIX = /\.(service|mount|socket|timer|path|target|swap|automount|slice)$/;
/** systemd's unit-name characters: anything else (spaces, newlines) would corrupt the guest's tmpfiles config */
const UNIT_NAME = /^[A-Za-z0-9:_.@\\-]+$/;

/** A unit file or drop-in larger than this is refused (real ones are a few KiB; the guest payload is held in memory). */
export const MAX_UNIT_FILE_BYTES = 1024 * 1024;
/** all of them together */
export const MAX_UNITS_TOTAL_BYTES = 16 * 1024 * 1024;

/** A unit file or drop-in of the folder, read safely (host/readInside.ts). */
function readInside(root: string, file: string, dir: string): Buffer {
  return readFileInside(root, file, { field: 'systemd-units', dir, maxBytes: MAX_UNIT_FILE_BYTES });
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
  const root = resolveNamedFolder(dir, 'systemd-units');
  const base = fs.existsSync(path.join(root, 'system')) ? fs.realpathSync(path.join(root, 'system')) : root;
  if (!isInside(base, root)) {
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
