import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

// The in-container supervisor is plain POSIX sh: drive it here with a fake plan (sh processes).
const SCRIPT = path.resolve(__dirname, '../../../resources/supervisor.sh');

function planDir(procs: Record<string, string[]>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bootc-eph-sup-'));
  fs.writeFileSync(path.join(dir, 'supervisor.conf'), 'sleep /bin/sleep\n');
  for (const [name, lines] of Object.entries(procs)) fs.writeFileSync(path.join(dir, name), lines.join('\n') + '\n');
  return dir;
}
const sh = (cmd: string) => ['arg /bin/sh', 'arg -c', `arg ${cmd}`];

function run(dir: string) {
  const r = spawnSync('/bin/sh', [SCRIPT, dir], { encoding: 'utf8', timeout: 20000 });
  fs.rmSync(dir, { recursive: true, force: true });
  return r;
}

test('the VM process exit status is the container exit status', () => {
  const r = run(planDir({ '900-qemu.proc': ['main 1', ...sh('echo out; exit 5')] }));
  assert.equal(r.status, 5);
  assert.equal(r.stdout, 'out\n');
  assert.match(r.stderr, /QEMU exited with status 5/);
});

test('--execute: the guest command status from systemctl show becomes the exit status', () => {
  const dir = planDir({});
  const status = path.join(dir, 'status');
  fs.writeFileSync(path.join(dir, '900-qemu.proc'), ['main 1', `status ${status}`, 'env GREETING=hi there', ...sh(`printf 'ExecMainCode=1\\nExecMainStatus=42\\n' > ${status}; echo "$GREETING"`)].join('\n'));
  const r = run(dir);
  assert.equal(r.status, 42);
  assert.equal(r.stdout, 'hi there\n');
});

test('--execute: a killed command is 128+signal; no status at all is 125', () => {
  const dir = planDir({});
  const status = path.join(dir, 'status');
  fs.writeFileSync(path.join(dir, '900-qemu.proc'), ['main 1', `status ${status}`, ...sh(`printf 'ExecMainCode=2\\nExecMainStatus=9\\n' > ${status}`)].join('\n'));
  assert.equal(run(dir).status, 137);
  const dir2 = planDir({});
  fs.writeFileSync(path.join(dir2, '900-qemu.proc'), ['main 1', `status ${path.join(dir2, 'none')}`, ...sh('exit 0')].join('\n'));
  const r = run(dir2);
  assert.equal(r.status, 125);
  assert.match(r.stderr, /before --execute reported an exit status/);
});

test('--execute: a command whose unit never started (ExecMainCode=0) is 125 and said so, never success', () => {
  const dir = planDir({});
  const status = path.join(dir, 'status');
  // what systemctl show prints for a unit that did not start (a dependency failed): code and status 0
  fs.writeFileSync(path.join(dir, '900-qemu.proc'), ['main 1', `status ${status}`, ...sh(`printf 'ExecMainCode=0\\nExecMainStatus=0\\n' > ${status}`)].join('\n'));
  const r = run(dir);
  assert.equal(r.status, 125);
  assert.match(r.stderr, /the --execute command did not run: its unit did not start/);
});

test('helpers start first, their socket is awaited, and they are stopped after the VM ends', () => {
  const dir = planDir({});
  const sock = path.join(dir, 'h.sock');
  const pidFile = path.join(dir, 'helper.pid');
  const log = path.join(dir, 'helper.log');
  const py = `import socket,os,time; open('${pidFile}','w').write(str(os.getpid())); time.sleep(0.3); s=socket.socket(socket.AF_UNIX); s.bind('${sock}'); s.listen(); print('listening', flush=True); time.sleep(60)`;
  fs.writeFileSync(path.join(dir, '010-helper.proc'), [`log ${log}`, `socket ${sock}`, 'arg /usr/bin/python3', 'arg -c', `arg ${py}`].join('\n'));
  fs.writeFileSync(path.join(dir, '900-qemu.proc'), ['main 1', ...sh(`test -S ${sock} && echo socket-was-there`)].join('\n'));
  const r = spawnSync('/bin/sh', [SCRIPT, dir], { encoding: 'utf8', timeout: 20000 });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, 'socket-was-there\n');
  assert.equal(fs.readFileSync(log, 'utf8'), 'listening\n');
  const pid = Number(fs.readFileSync(pidFile, 'utf8'));
  assert.throws(() => process.kill(pid, 0), 'the helper is gone');
  fs.rmSync(dir, { recursive: true, force: true });
});

test('a helper that dies during start-up fails the start with its log', () => {
  const dir = planDir({});
  const log = path.join(dir, 'v.log');
  fs.writeFileSync(path.join(dir, '010-virtiofsd-rootfs.proc'), [`log ${log}`, `socket ${path.join(dir, 'never.sock')}`, ...sh('echo "vhost socket bind: No such file"; exit 1')].join('\n'));
  fs.writeFileSync(path.join(dir, '900-qemu.proc'), ['main 1', ...sh('echo should-not-run')].join('\n'));
  const r = run(dir);
  assert.equal(r.status, 71);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /010-virtiofsd-rootfs exited during start-up/);
  assert.match(r.stderr, /vhost socket bind: No such file/);
});

test('SIGTERM (podman stop): the supervisor stops the VM process, waits for it, and exits with its status', async () => {
  const dir = planDir({});
  const pidFile = path.join(dir, 'vm.pid');
  // a helper that the stop kills too: no fault (exit 72) for it, the VM's status stands
  fs.writeFileSync(path.join(dir, '010-helper.proc'), ['what virtiofsd for the root file system', ...sh('exec sleep 30')].join('\n'));
  fs.writeFileSync(path.join(dir, '900-qemu.proc'), ['main 1', ...sh(`echo $$ > ${pidFile}; exec sleep 30`)].join('\n'));
  const child = spawn('/bin/sh', [SCRIPT, dir]);
  const exited = new Promise<[number | null, NodeJS.Signals | null]>((r) => child.on('exit', (c, sig) => r([c, sig])));
  try {
    for (const end = Date.now() + 10_000; !fs.existsSync(pidFile) || !fs.readFileSync(pidFile, 'utf8').trim(); ) {
      if (Date.now() > end) assert.fail('the VM process never started');
      await new Promise((r) => setTimeout(r, 20));
    }
    const vmPid = Number(fs.readFileSync(pidFile, 'utf8'));
    const started = Date.now();
    child.kill('SIGTERM');
    const [code, signal] = await exited;
    const took = Date.now() - started;
    // killed by the signal itself (no trap) would be code null, signal SIGTERM: that is the bug to catch
    assert.deepEqual([code, signal], [143, null], 'the supervisor trapped SIGTERM and exited with the VM\'s status (128+15)');
    assert.throws(() => process.kill(vmPid, 0), /ESRCH/, 'the VM process is gone, not orphaned');
    assert.ok(took < 5000, `stopped in ${took} ms`);
  } finally {
    child.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a stop that makes QEMU fail (its virtiofsd went at the same moment) is the stop\'s: 143, 130, 129, never a failure code', async () => {
  for (const [signal, expected] of [['SIGTERM', 143], ['SIGINT', 130], ['SIGHUP', 129]] as const) {
    const dir = planDir({});
    const pidFile = path.join(dir, 'vm.pid');
    fs.writeFileSync(path.join(dir, '010-helper.proc'), ['what virtiofsd for the root file system', ...sh('exec sleep 30')].join('\n'));
    // a QEMU that exits 1 when stopped (as one still connecting to its vhost-user sockets does)
    fs.writeFileSync(path.join(dir, '900-qemu.proc'), ['main 1', ...sh(`trap "exit 1" TERM; echo $$ > ${pidFile}; sleep 30 & wait`)].join('\n'));
    const child = spawn('/bin/sh', [SCRIPT, dir]);
    const exited = new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    try {
      for (const end = Date.now() + 10_000; !fs.existsSync(pidFile) || !fs.readFileSync(pidFile, 'utf8').trim(); ) {
        if (Date.now() > end) assert.fail('the VM process never started');
        await new Promise((r) => setTimeout(r, 20));
      }
      child.kill(signal);
      assert.equal(await exited, expected, signal);
    } finally {
      child.kill('SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
});

test('--execute: a status the guest forged is never evaluated (digits only), under bash too', () => {
  for (const shell of ['/bin/sh', '/bin/bash']) {
    const dir = planDir({});
    const status = path.join(dir, 'status');
    const pwned = path.join(os.tmpdir(), `bootc-eph-pwned-${process.pid}`);
    fs.writeFileSync(status, `ExecMainCode=2\nExecMainStatus=a[$(touch ${pwned})]\n`);
    fs.writeFileSync(path.join(dir, '900-qemu.proc'), ['main 1', `status ${status}`, ...sh('exit 0')].join('\n'));
    const r = spawnSync(shell, [SCRIPT, dir], { encoding: 'utf8', timeout: 20000 });
    fs.rmSync(dir, { recursive: true, force: true });
    assert.equal(fs.existsSync(pwned), false, `${shell}: the guest's text ran on the host`);
    fs.rmSync(pwned, { force: true });
    assert.equal(r.status, 125, `${shell}: ${r.stderr}`);
  }
});

test('a "once" step runs to completion before the others, its stdout to a file; its failure ends the start', () => {
  const dir = planDir({});
  const out = path.join(dir, 'joined');
  fs.writeFileSync(path.join(dir, '000-join.proc'), [`out ${out}`, 'once 1', ...sh('printf abc; printf def')].join('\n'));
  fs.writeFileSync(path.join(dir, '900-qemu.proc'), ['main 1', ...sh(`cat ${out}; ls -l ${out} | cut -c1-10`)].join('\n'));
  const r = run(dir);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, 'abcdef-rw-------\n', 'written before QEMU starts, private (umask 077)');
  const bad = planDir({ '000-join.proc': [`out /nonexistent-dir/x`, 'once 1', ...sh('true')], '900-qemu.proc': ['main 1', ...sh('echo qemu-started')] });
  const r2 = run(bad);
  assert.equal(r2.status, 71);
  assert.match(r2.stderr, /000-join failed/);
  assert.equal(r2.stdout, '');
});

test('a helper that dies after start-up ends the VM at once, with the reason and exit 72', () => {
  for (const shell of ['/bin/sh', '/bin/bash']) {
    const dir = planDir({});
    const qemuPid = path.join(dir, 'qemu.pid');
    fs.writeFileSync(path.join(dir, '010-vfsd.proc'), ['what virtiofsd for /run/virtiofs-mnt-src', ...sh('sleep 0.3; kill -9 $$')].join('\n'));
    fs.writeFileSync(path.join(dir, '900-qemu.proc'), ['main 1', ...sh(`echo $$ > ${qemuPid}; exec sleep 30`)].join('\n'));
    const t0 = Date.now();
    const r = spawnSync(shell, [SCRIPT, dir], { encoding: 'utf8', timeout: 20000 });
    const took = Date.now() - t0;
    const pid = Number(fs.readFileSync(qemuPid, 'utf8'));
    fs.rmSync(dir, { recursive: true, force: true });
    assert.equal(r.status, 72, `${shell}: ${r.stderr}`);
    assert.match(r.stderr, /virtiofsd for \/run\/virtiofs-mnt-src was killed by signal 9: stopping the VM/, shell);
    assert.throws(() => process.kill(pid, 0), /ESRCH/, `${shell}: the VM process is gone`);
    assert.ok(took < 10_000, `${shell}: ended in ${took} ms, not after the VM's own 30 s`);
  }
});

test('a helper that exits 0 (the guest let it go while powering off) is no fault: the VM\'s own status stands', () => {
  const dir = planDir({});
  fs.writeFileSync(path.join(dir, '010-vfsd.proc'), ['what virtiofsd for the root file system', ...sh('sleep 0.2; exit 0')].join('\n'));
  fs.writeFileSync(path.join(dir, '900-qemu.proc'), ['main 1', ...sh('sleep 1.5; exit 3')].join('\n'));
  const r = run(dir);
  assert.equal(r.status, 3, r.stderr);
  assert.doesNotMatch(r.stderr, /stopping the VM/);
});
