import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { listingCacheFile, readCachedListing, writeCachedListing } from '../../src/engine/vm/listingCache';

test('the kernel probe\'s listing is kept per probe argv, 0600 in a 0700 dir, and only ours is read', () => {
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'listing-')), 'cache');
  try {
    const a = listingCacheFile(['run', 'image-a'], dir);
    const b = listingCacheFile(['run', 'image-b'], dir);
    assert.notEqual(a, b, 'another image ID (or listed path, or tool) is another entry');
    assert.equal(readCachedListing(a), undefined, 'a miss');
    const listing = ['f', '/usr/lib/modules/6.1/vmlinuz', '', '123', ''].join('\0');
    writeCachedListing(a, listing);
    assert.equal(readCachedListing(a), listing);
    assert.equal(fs.statSync(dir).mode & 0o777, 0o700);
    assert.equal(fs.statSync(a).mode & 0o777, 0o600);
    fs.chmodSync(a, 0o644);
    assert.equal(readCachedListing(a), undefined, 'a file others could have written is not trusted');
    fs.rmSync(a);
    fs.symlinkSync('/etc/hostname', a);
    assert.equal(readCachedListing(a), undefined, 'nor a symlink');
  } finally {
    fs.rmSync(path.dirname(dir), { recursive: true, force: true });
  }
});

test('the listing cache keeps the 64 newest entries, and a cache it cannot write is no error', () => {
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'listing-')), 'cache');
  try {
    const files = Array.from({ length: 70 }, (_, i) => listingCacheFile(['run', `image-${i}`], dir));
    files.forEach((f, i) => {
      writeCachedListing(f, `listing ${i}`);
      fs.utimesSync(f, i, i);
    });
    writeCachedListing(files[69], 'listing 69');
    const kept = fs.readdirSync(dir);
    assert.equal(kept.length, 64);
    assert.ok(!kept.includes(path.basename(files[0])) && kept.includes(path.basename(files[69])), 'the oldest went');
    assert.doesNotThrow(() => writeCachedListing(path.join(files[69], 'under-a-file', 'x'), 'y'), 'a miss next time, not an error');
    // a rename that fails (a directory in the way) leaves no half-written file behind
    const blocked = listingCacheFile(['run', 'blocked'], dir);
    fs.mkdirSync(path.join(blocked, 'x'), { recursive: true });
    writeCachedListing(blocked, 'z');
    assert.deepEqual(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp')), []);
  } finally {
    fs.rmSync(path.dirname(dir), { recursive: true, force: true });
  }
});
