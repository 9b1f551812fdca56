import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readLogHead, readLogTail, streamLog } from '../../src/engine/guest/logs';
import { gapNotice, logCapLayout } from '../../src/engine/guest/logLayout';

// resources/log-cap.sh is plain POSIX sh: drive it with a real FIFO under dash, as the VM container does.
const LOG_CAP = path.resolve(__dirname, '../../../resources/log-cap.sh');
const SUPERVISOR = path.resolve(__dirname, '../../../resources/supervisor.sh');

function workDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bootc-eph-logcap-'));
  fs.writeFileSync(path.join(dir, 'conf'), 'head /usr/bin/head\nrm /bin/rm\ncat /bin/cat\n');
  return dir;
}

/** Bytes that say where they are: any slice can be checked against its offset. */
function pattern(total: number): Buffer {
  const b = Buffer.alloc(total);
  for (let i = 0; i < total; i++) b[i] = 0x41 + ((i * 7 + Math.floor(i / 997)) % 26);
  return b;
}

/** Runs log-cap.sh on a FIFO and writes `data` into it in pieces, as QEMU would; resolves with its exit. */
async function capThrough(dir: string, data: Buffer, head: number, segment: number, lag: number): Promise<{ code: number | null; stderr: string }> {
  const fifo = path.join(dir, 'out.fifo');
  execFileSync('mkfifo', [fifo]);
  const file = path.join(dir, 'journal.log');
  const child = spawn('dash', [LOG_CAP, path.join(dir, 'conf'), fifo, file, String(head), String(segment), file, String(lag), `${file}.dropped`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const done = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const w = fs.openSync(fifo, 'w');
  for (let at = 0; at < data.length; at += 50_000) fs.writeSync(w, data.subarray(at, Math.min(data.length, at + 50_000)));
  fs.closeSync(w);
  return { code: await done, stderr };
}

test('log-cap.sh: the head stays, the newest segments stay, the rest is dropped and counted; the disk use is bounded', async () => {
  const dir = workDir();
  try {
    const data = pattern(1_000_000);
    const r = await capThrough(dir, data, 100_000, 64_000, 2);
    assert.equal(r.code, 0, r.stderr);
    const file = path.join(dir, 'journal.log');
    assert.deepEqual(fs.readFileSync(file), data.subarray(0, 100_000), 'the head is the first bytes');
    // 900000 bytes after the head: 14 full segments and one of 4000; kept: the last full one and the partial one
    const names = fs.readdirSync(dir).filter((n) => n.startsWith('journal.log.')).sort();
    assert.deepEqual(names, ['journal.log.14', 'journal.log.15', 'journal.log.dropped']);
    const kept = Buffer.concat([fs.readFileSync(`${file}.14`), fs.readFileSync(`${file}.15`)]);
    assert.deepEqual(kept, data.subarray(data.length - kept.length), 'the kept segments are the stream\'s end');
    assert.equal(Number(fs.readFileSync(`${file}.dropped`, 'utf8')), 13 * 64_000, 'segments 1-13 dropped, and counted');
    // what the readers make of it
    assert.deepEqual(readLogHead(file, 10), data.subarray(0, 10));
    assert.deepEqual(readLogTail(file, 60_000), data.subarray(data.length - 60_000), 'the tail spans the last two segments');
    assert.deepEqual(readLogTail(file, 200_000), kept, 'never across the gap into the head');
    const chunks: Buffer[] = [];
    await streamLog(file, (c) => chunks.push(Buffer.from(c)), { follow: false });
    const expected = Buffer.concat([data.subarray(0, 100_000), Buffer.from(gapNotice(13 * 64_000)), kept]);
    assert.deepEqual(Buffer.concat(chunks), expected, 'head, a notice with the dropped MiB, the newest output');
    assert.match(gapNotice(13 * 64_000), /1 MiB dropped here: the guest wrote more than --max-log-size allows/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('log-cap.sh: output under the cap is kept whole; LAG 0 keeps only the head (a user\'s --virtio-serial-out file)', async () => {
  const small = workDir();
  const headOnly = workDir();
  try {
    const data = pattern(150_000);
    assert.equal((await capThrough(small, data, 100_000, 64_000, 2)).code, 0);
    const chunks: Buffer[] = [];
    await streamLog(path.join(small, 'journal.log'), (c) => chunks.push(Buffer.from(c)), { follow: false });
    assert.deepEqual(Buffer.concat(chunks), data, 'nothing dropped, no notice');
    assert.ok(!fs.existsSync(path.join(small, 'journal.log.dropped')));
    assert.equal((await capThrough(headOnly, data, 20_000, 16_384, 0)).code, 0);
    assert.deepEqual(fs.readFileSync(path.join(headOnly, 'journal.log')), data.subarray(0, 20_000));
    assert.deepEqual(fs.readdirSync(headOnly).filter((n) => n.startsWith('journal.log.')), ['journal.log.dropped'], 'no segment is kept');
  } finally {
    fs.rmSync(small, { recursive: true, force: true });
    fs.rmSync(headOnly, { recursive: true, force: true });
  }
});

test('a follow reads across segments as the writer rotates them, and marks where it fell behind', async () => {
  const dir = workDir();
  try {
    const file = path.join(dir, 'journal.log');
    const write = (name: string, s: string) => fs.writeFileSync(path.join(dir, name), s);
    write('journal.log', 'head-');
    let got = '';
    const stop = new AbortController();
    const following = streamLog(file, (c) => (got += c.toString()), { follow: true, pollMs: 20, signal: stop.signal });
    const until = async (want: string) => {
      for (const t = Date.now(); !got.endsWith(want); ) {
        assert.ok(Date.now() - t < 5000, `the follow printed ${JSON.stringify(got)}, not ...${want}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    };
    fs.appendFileSync(file, 'full|');
    await until('head-full|');
    write('journal.log.1', 'one|');
    await until('one|');
    // the follower did not see 2 and 3 before they were deleted: a notice, then 4
    write('journal.log.4', 'four|');
    write('journal.log.dropped', String(3 * 1048576));
    await until('four|');
    assert.equal(got, `head-full|one|${gapNotice(3 * 1048576)}four|`);
    stop.abort();
    await following;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('supervisor: the output writers read QEMU\'s last bytes before the --execute status is read', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bootc-eph-sup-drain-'));
  try {
    fs.writeFileSync(path.join(dir, 'supervisor.conf'), 'sleep /bin/sleep\nhead /usr/bin/head\nrm /bin/rm\ncat /bin/cat\n');
    fs.copyFileSync(LOG_CAP, path.join(dir, 'log-cap.sh'));
    const fifo = path.join(dir, 'status.fifo');
    const status = path.join(dir, 'status');
    const line = (...l: string[]) => l.join('\n') + '\n';
    fs.writeFileSync(path.join(dir, '003-fifos.proc'), line('once 1', 'arg /usr/bin/mkfifo', 'arg --', `arg ${fifo}`));
    // a writer slow to start: without the drain the supervisor would read the status file before it exists
    fs.writeFileSync(path.join(dir, '004-log-cap-000-status.proc'), line('what the status writer', 'drain 1', 'arg /bin/sh', 'arg -c', `arg sleep 0.5; exec dash "$0" "$@"`, `arg ${path.join(dir, 'log-cap.sh')}`, `arg ${path.join(dir, 'supervisor.conf')}`, `arg ${fifo}`, `arg ${status}`, 'arg 65536', 'arg 65536', `arg ${dir}/overflow`, 'arg 0', `arg ${dir}/dropped`));
    fs.writeFileSync(path.join(dir, '900-qemu.proc'), line('main 1', `status ${status}`, 'arg /bin/sh', 'arg -c', `arg printf 'ExecMainCode=1\\nExecMainStatus=42\\n' > ${fifo}`));
    const r = spawnSync('/bin/sh', [SUPERVISOR, dir], { encoding: 'utf8', timeout: 20000 });
    assert.equal(r.status, 42, r.stderr);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('log layout: a quarter of the cap for the boot, for each segment; three segments at most', () => {
  assert.deepEqual(logCapLayout(64 * 1048576), { headBytes: 16 * 1048576, segmentBytes: 16 * 1048576, lag: 2 });
});
