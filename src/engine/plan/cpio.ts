/** A newc ("070701") cpio archive writer: enough to append files to an initramfs. */
export interface CpioEntry {
  path: string; // relative, no leading '/'
  type: 'dir' | 'file' | 'symlink';
  mode?: number; // permission bits
  data?: string | Buffer; // file content or symlink target
}

const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;

function pad4(n: number): number {
  return (4 - (n % 4)) % 4;
}

function header(fields: number[]): string {
  return '070701' + fields.map((f) => f.toString(16).padStart(8, '0')).join('');
}

/** A record's header and name, padded: its data (size bytes) and the data's padding follow. */
function recordHead(ino: number, mode: number, name: string, size: number): Buffer {
  const nameBuf = Buffer.from(name + '\0', 'utf8');
  // ino mode uid gid nlink mtime filesize devmajor devminor rdevmajor rdevminor namesize check
  const h = Buffer.from(header([ino, mode, 0, 0, mode & S_IFDIR ? 2 : 1, 0, size, 0, 0, 0, 0, nameBuf.length, 0]), 'ascii');
  return Buffer.concat([h, nameBuf, Buffer.alloc(pad4(h.length + nameBuf.length))]);
}

function record(ino: number, mode: number, name: string, data: Buffer): Buffer {
  return Buffer.concat([recordHead(ino, mode, name, data.length), data, Buffer.alloc(pad4(data.length))]);
}

const TRAILER = () => record(0, 0, 'TRAILER!!!', Buffer.alloc(0));

/** Records for the entries; parent directories are added automatically, in order, before the entries that need them. */
function records(entries: CpioEntry[], seenDirs: Set<string>, nextIno: () => number): Buffer[] {
  const parts: Buffer[] = [];
  const addDir = (dir: string, mode = 0o755) => {
    if (!dir || seenDirs.has(dir)) return;
    addDir(parentOf(dir));
    seenDirs.add(dir);
    parts.push(record(nextIno(), S_IFDIR | mode, dir, Buffer.alloc(0)));
  };
  for (const e of entries) {
    const p = e.path.replace(/^\/+/, '');
    addDir(parentOf(p));
    if (e.type === 'dir') addDir(p, e.mode ?? 0o755);
    else if (e.type === 'symlink') parts.push(record(nextIno(), S_IFLNK | 0o777, p, Buffer.from(String(e.data ?? ''), 'utf8')));
    else parts.push(record(nextIno(), S_IFREG | (e.mode ?? 0o644), p, Buffer.isBuffer(e.data) ? e.data : Buffer.from(e.data ?? '', 'utf8')));
  }
  return parts;
}

const parentOf = (p: string) => (p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '');

export function buildCpio(entries: CpioEntry[]): Buffer {
  let ino = 1;
  return Buffer.concat([...records(entries, new Set(), () => ino++), TRAILER()]);
}

/** A regular file whose bytes are not here: `cat` puts them between the pieces (streamedCpio). */
export interface StreamedFile {
  path: string; // relative, no leading '/'
  mode: number;
  bytes: number;
}

/**
 * A cpio archive of the entries and of files read elsewhere, as n + 1 pieces for n files: piece 0,
 * file 0, piece 1, ... file n - 1, piece n, concatenated, make the archive. Each piece ends with the
 * next file's header (its size as given: the file must have exactly that many bytes).
 */
export function streamedCpio(entries: CpioEntry[], files: StreamedFile[]): Buffer[] {
  let ino = 1;
  const seenDirs = new Set<string>();
  const pieces: Buffer[] = [];
  let current = records(entries, seenDirs, () => ino++);
  for (const f of files) {
    current.push(...records(parentOf(f.path) ? [{ path: parentOf(f.path), type: 'dir' }] : [], seenDirs, () => ino++));
    current.push(recordHead(ino++, S_IFREG | f.mode, f.path, f.bytes));
    pieces.push(Buffer.concat(current));
    current = [Buffer.alloc(pad4(f.bytes))];
  }
  pieces.push(Buffer.concat([...current, TRAILER()]));
  return pieces;
}

/** Zero bytes that bring an initramfs to the 4-byte boundary the kernel needs before the next archive. */
export function alignmentPadding(length: number): Buffer {
  return Buffer.alloc(pad4(length));
}
