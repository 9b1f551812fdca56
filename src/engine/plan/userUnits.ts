import * as fs from 'node:fs';
import * as path from 'node:path';
import type { GuestUnit } from './guestUnits';
import { EngineError } from '../errors';
import * as l10n from '@vscode/l10n';

const UNIT_SUFFIX = /\.(service|mount|socket|timer|path|target|swap|automount|slice)$/;
/** systemd's unit-name characters: anything else (spaces, newlines) would corrupt the guest's tmpfiles config */
const UNIT_NAME = /^[A-Za-z0-9:_.@\\-]+$/;

/**
 * Reads a file of the units dir. A symlink is followed only while it stays inside the dir (a link to
 * a host file such as a key must never be copied into the VM).
 */
function readInside(root: string, file: string, dir: string): Buffer {
  const real = fs.realpathSync(file);
  if (real !== root && !real.startsWith(root + path.sep)) {
    throw new EngineError(l10n.t('{0} is a symlink to {1}, outside {2}: refused (it would copy a host file into the VM)', file, real, dir), { field: 'systemd-units', value: dir });
  }
  return fs.readFileSync(real);
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
  const base = fs.existsSync(path.join(dir, 'system')) ? path.join(dir, 'system') : dir;
  const root = fs.realpathSync(base);
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
        unitFiles.push({ relPath: `${entry.name}/${f}`, content: readInside(root, path.join(full, f), dir) });
      }
    } else if ((entry.isFile() || entry.isSymbolicLink()) && UNIT_SUFFIX.test(entry.name)) {
      checkName(entry.name, base, dir);
      const content = readInside(root, full, dir).toString('utf8');
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
