/** A minimal POSIX ustar writer (the engine's root image, the launch plan sent to a remote podman) and one-file reader (`podman cp` output). */
export interface TarEntry {
  path: string;
  type: 'dir' | 'file' | 'symlink';
  mode: number;
  /** file content, or the symlink target */
  data?: string | Buffer;
}

function octal(n: number, width: number): string {
  return n.toString(8).padStart(width - 1, '0') + '\0';
}

/** A ustar archive of the given entries (owner root, mtime 0: the same bytes every time). */
export function buildTar(entries: TarEntry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const e of entries) {
    const data = typeof e.data === 'string' || e.data === undefined ? Buffer.from(e.data ?? '', 'utf8') : e.data;
    const h = Buffer.alloc(512);
    const name = e.type === 'dir' ? `${e.path}/` : e.path;
    if (Buffer.byteLength(name) > 100) throw new Error(`tar name too long: ${name}`);
    h.write(name, 0, 'utf8');
    h.write(octal(e.mode, 8), 100, 'ascii');
    h.write(octal(0, 8), 108, 'ascii');
    h.write(octal(0, 8), 116, 'ascii');
    h.write(octal(e.type === 'file' ? data.length : 0, 12), 124, 'ascii');
    h.write(octal(0, 12), 136, 'ascii');
    h.write(e.type === 'dir' ? '5' : e.type === 'symlink' ? '2' : '0', 156, 'ascii');
    if (e.type === 'symlink') h.write(data.toString('utf8'), 157, 'utf8');
    h.write('ustar\0' + '00', 257, 'ascii');
    h.write('root', 265, 'ascii');
    h.write('root', 297, 'ascii');
    h.fill(' ', 148, 156); // checksum is computed with its own field as spaces
    let sum = 0;
    for (const b of h) sum += b;
    h.write(octal(sum, 7) + ' ', 148, 'ascii');
    blocks.push(h);
    if (e.type === 'file' && data.length) blocks.push(data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

/**
 * The content of the first regular file in a tar stream (what `podman cp CONTAINER:FILE -` writes), or
 * undefined when there is none. Sizes come from the archive: read as octal digits only, within bounds.
 */
export function firstFileOfTar(tar: Buffer): Buffer | undefined {
  return filesOfTar(tar, 1)[0]?.data;
}

/** The regular files of a tar (`podman cp` of a folder), up to `max`; it stops at the first malformed header. */
export function filesOfTar(tar: Buffer, max = Infinity): { name: string; data: Buffer }[] {
  const files: { name: string; data: Buffer }[] = [];
  for (let at = 0; at + 512 <= tar.length && files.length < max; ) {
    const h = tar.subarray(at, at + 512);
    if (h.every((b) => b === 0)) break;
    const sizeField = h.subarray(124, 136).toString('ascii').replace(/[\0 ]+$/g, '').trim();
    if (!/^[0-7]*$/.test(sizeField)) break;
    const size = parseInt(sizeField || '0', 8);
    const type = String.fromCharCode(h[156]);
    const start = at + 512;
    if (start + size > tar.length) break;
    const name = h.subarray(0, 100).toString('utf8').replace(/\0.*$/s, '');
    if (type === '0' || type === '\0') files.push({ name, data: tar.subarray(start, start + size) });
    at = start + Math.ceil(size / 512) * 512;
  }
  return files;
}
