import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * The kernel probe's listing of an image, kept per probe: an image ID names the image's content, so the
 * same probe of the same ID always lists the same (the probe container costs ~0.25 s of each launch).
 * What is kept is the probe's raw output, parsed and checked again at each launch as a fresh one is.
 * Best effort: a cache that cannot be read or written is a miss, never an error.
 */
const KEEP = 64;

export function listingCacheDir(): string {
  if (process.getuid?.() === 0) return '/var/cache/bootc-ephemeral/image-listings';
  return path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'bootc-ephemeral', 'image-listings');
}

/** The file for one probe: its whole argv (image ID, root image, listed paths, host tools) hashed. */
export function listingCacheFile(probeArgs: readonly string[], dir = listingCacheDir()): string {
  return path.join(dir, crypto.createHash('sha256').update(JSON.stringify(probeArgs)).digest('hex'));
}

export function readCachedListing(file: string): string | undefined {
  try {
    const st = fs.lstatSync(file);
    // ours only: a regular file of this user's, not one another user could have written
    if (!st.isFile() || st.uid !== process.getuid?.() || (st.mode & 0o077) !== 0) return undefined;
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

export function writeCachedListing(file: string, listing: string): void {
  const dir = path.dirname(file);
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    fs.writeFileSync(tmp, listing, { mode: 0o600 });
    fs.renameSync(tmp, file);
    const kept = fs.readdirSync(dir).filter((f) => /^[0-9a-f]{64}$/.test(f))
      .map((f) => ({ f, at: fs.statSync(path.join(dir, f)).mtimeMs })).sort((a, b) => b.at - a.at);
    for (const old of kept.slice(KEEP)) fs.rmSync(path.join(dir, old.f), { force: true });
  } catch {
    // a cache miss next time (and no half-written file left)
    try {
      fs.rmSync(tmp, { force: true });
    } catch {
      // there was none
    }
  }
}
