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

function record(ino: number, mode: number, name: string, data: Buffer): Buffer {
  const nameBuf = Buffer.from(name + '\0', 'utf8');
  // ino mode uid gid nlink mtime filesize devmajor devminor rdevmajor rdevminor namesize check
  const h = Buffer.from(header([ino, mode, 0, 0, mode & S_IFDIR ? 2 : 1, 0, data.length, 0, 0, 0, 0, nameBuf.length, 0]), 'ascii');
  const headerAndName = h.length + nameBuf.length;
  return Buffer.concat([h, nameBuf, Buffer.alloc(pad4(headerAndName)), data, Buffer.alloc(pad4(data.length))]);
}

/** Parent directories are added automatically, in order, before the entries that need them. */
export function buildCpio(entries: CpioEntry[]): Buffer {
  const parts: Buffer[] = [];
  const seenDirs = new Set<string>();
  let ino = 1;
  const addDir = (dir: string, mode = 0o755) => {
    if (!dir || seenDirs.has(dir)) return;
    const parent = dir.includes('/') ? dir.slice(0, dir.lastIndexOf('/')) : '';
    addDir(parent);
    seenDirs.add(dir);
    parts.push(record(ino++, S_IFDIR | mode, dir, Buffer.alloc(0)));
  };
  for (const e of entries) {
    const p = e.path.replace(/^\/+/, '');
    const parent = p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '';
    addDir(parent);
    if (e.type === 'dir') addDir(p, e.mode ?? 0o755);
    else if (e.type === 'symlink') parts.push(record(ino++, S_IFLNK | 0o777, p, Buffer.from(String(e.data ?? ''), 'utf8')));
    else parts.push(record(ino++, S_IFREG | (e.mode ?? 0o644), p, Buffer.isBuffer(e.data) ? e.data : Buffer.from(e.data ?? '', 'utf8')));
  }
  parts.push(record(0, 0, 'TRAILER!!!', Buffer.alloc(0)));
  return Buffer.concat(parts);
}

/** Zero bytes that bring an initramfs to the 4-byte boundary the kernel needs before the next archive. */
export function alignmentPadding(length: number): Buffer {
  return Buffer.alloc(pad4(length));
}
