// A remote podman connection, the parts decided in TypeScript: which podman, the client's state per
// connection, the plan as a tar, tool discovery from a listing made on the podman host, and run-option
// paths that name files on that host. The e2e suite (07-remote) drives the real thing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { connectionArgs, connectionKey, describeConnection, effectiveConnection, validateConnection, needsRemotePodman } from '../../src/engine/podman/connection';
import { Podman } from '../../src/engine/podman/podman';
import { podmanGuestAccess } from '../../src/engine/podman/commands';
import { stateRoot, stateRootFor } from '../../src/engine/vm/stateDir';
import { buildTar, firstFileOfTar } from '../../src/engine/tar';
import { parseHostListing, listedFileView, hostListingArgs } from '../../src/engine/host/remoteTools';
import { findHostTools, HOST_TOOL_CANDIDATES } from '../../src/engine/host/host';
import { kvmFromHostFacts } from '../../src/engine/host/kvm';
import { parseRunOptions, remotePodmanPathProbe } from '../../src/engine/options/runOptions';
import { InvalidOptionsError } from '../../src/engine/errors';
import { parseGlobalOptions } from '../../src/cli/globalOptions';

test('the connection is chosen as podman chooses it: flag, then CONTAINER_HOST / CONTAINER_CONNECTION, then local', () => {
  assert.deepEqual(effectiveConnection({}, {}), { kind: 'local' });
  assert.deepEqual(effectiveConnection({}, { CONTAINER_HOST: 'unix:///s/podman.sock' }), { kind: 'url', url: 'unix:///s/podman.sock' });
  assert.deepEqual(effectiveConnection({}, { CONTAINER_CONNECTION: 'box' }), { kind: 'connection', name: 'box' });
  assert.deepEqual(effectiveConnection({ connection: 'other' }, { CONTAINER_HOST: 'unix:///s' }), { kind: 'connection', name: 'other' }, 'an explicit choice wins');
  assert.deepEqual(connectionArgs({ url: 'ssh://root@h/run/podman/podman.sock' }), ['--url', 'ssh://root@h/run/podman/podman.sock']);
  assert.deepEqual(connectionArgs({ connection: 'box' }), ['--connection', 'box']);
  assert.deepEqual(connectionArgs({}), [], 'the environment is read by podman itself');
  assert.equal(describeConnection({}, {}), 'local');
  assert.equal(describeConnection({ connection: 'box' }, {}), 'connection box');
});

test('bad connection values are refused with the field named', () => {
  assert.throws(() => validateConnection({ url: 'http://x' }), /invalid podman URL "http:\/\/x"/);
  assert.throws(() => validateConnection({ connection: '--rm' }), /invalid podman connection name/);
  assert.throws(() => validateConnection({ connection: 'a', url: 'unix:///s' }), /either a connection name or a URL/);
  assert.doesNotThrow(() => validateConnection({ url: 'tcp://10.0.0.2:8888' }));
  assert.deepEqual(parseGlobalOptions(['--url', 'unix:///s', 'ps', '--json']), { connection: { url: 'unix:///s' }, rest: ['ps', '--json'] });
  assert.deepEqual(parseGlobalOptions(['--connection=box', 'rm', 'dev']), { connection: { connection: 'box' }, rest: ['rm', 'dev'] });
  assert.deepEqual(parseGlobalOptions(['ps', '--url', 'x']).rest, ['ps', '--url', 'x'], 'only before the command');
});

test('a VM\'s client state is kept per connection: two hosts\' VMs named dev never share keys', () => {
  const saved = { ...process.env };
  try {
    delete process.env.CONTAINER_HOST;
    delete process.env.CONTAINER_CONNECTION;
    const local = new Podman('podman', undefined, {});
    const a = new Podman('podman', undefined, { url: 'ssh://root@a/run/podman/podman.sock' });
    const b = new Podman('podman', undefined, { url: 'ssh://root@b/run/podman/podman.sock' });
    assert.equal(local.remote, false);
    assert.ok(a.remote && b.remote);
    assert.equal(stateRootFor(local), stateRoot());
    assert.notEqual(stateRootFor(a), stateRootFor(b));
    assert.equal(path.dirname(stateRootFor(a)), path.join(stateRoot(), '.remote'), 'under a folder no VM name can be');
    assert.equal(connectionKey({ url: 'ssh://root@a/run/podman/podman.sock' }), path.basename(stateRootFor(a)));
    process.env.CONTAINER_HOST = 'ssh://root@a/run/podman/podman.sock';
    const fromEnv = new Podman('podman', undefined, {});
    assert.ok(fromEnv.remote, 'CONTAINER_HOST makes podman remote');
    assert.equal(stateRootFor(fromEnv), stateRootFor(a), 'the same host by flag or by environment is the same identity');
  } finally {
    process.env = saved;
  }
});

test('the plan tar: what the system tar reads, modes kept; podman cp output read back', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bootc-eph-tar-'));
  try {
    const key = Buffer.from([0, 1, 2, 255, 254, 10]);
    const tar = buildTar([
      { path: 'supervisor.sh', type: 'file', mode: 0o644, data: 'echo hi\n' },
      { path: 'initramfs-append.cpio', type: 'file', mode: 0o600, data: key },
    ]);
    fs.writeFileSync(path.join(dir, 'plan.tar'), tar);
    const r = spawnSync('tar', ['-xf', 'plan.tar'], { cwd: dir });
    assert.equal(r.status, 0, String(r.stderr));
    assert.equal(fs.readFileSync(path.join(dir, 'supervisor.sh'), 'utf8'), 'echo hi\n');
    assert.deepEqual(fs.readFileSync(path.join(dir, 'initramfs-append.cpio')), key, 'binary content intact');
    assert.equal(fs.statSync(path.join(dir, 'initramfs-append.cpio')).mode & 0o777, 0o600, 'the secret stays 0600');
    // what `podman cp CONTAINER:FILE -` gives: one file in a tar (here made by the system tar)
    fs.writeFileSync(path.join(dir, 'journal.log'), 'line 1\nline 2\n');
    const out = spawnSync('tar', ['-cf', '-', 'journal.log'], { cwd: dir });
    assert.equal(firstFileOfTar(out.stdout)?.toString(), 'line 1\nline 2\n');
    assert.equal(firstFileOfTar(Buffer.alloc(1024)), undefined, 'an empty archive has no file');
    assert.equal(firstFileOfTar(out.stdout.subarray(0, 520)), undefined, 'a cut archive is not read past its end');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('tools on a remote podman host: found from its listing with the local rules; nothing else is believed', () => {
  const listing = [
    ['/lib64/ld-linux-x86-64.so.2', 'x', '/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2'],
    ['/usr/lib/x86_64-linux-gnu', 'd', '/usr/lib/x86_64-linux-gnu'],
    ['/usr/libexec/qemu-kvm', 'x', '/usr/libexec/qemu-kvm'],
    ['/usr/libexec/virtiofsd', 'x', '/usr/libexec/virtiofsd'],
    ['/usr/share/qemu', 'd', '/usr/share/qemu'],
    ['/usr/bin/sh', 'x', '/usr/bin/bash'],
    ['/usr/bin/sleep', 'x', '/usr/bin/sleep'],
    ['/usr/bin/find', 'x', '/usr/bin/find'],
    ['/usr/bin/cat', 'x', '/usr/bin/cat'],
    ['/usr/bin/head', 'x', '/usr/bin/head'],
    ['/usr/bin/rm', 'x', '/usr/bin/rm'],
    ['/usr/bin/mkfifo', 'x', '/usr/bin/mkfifo'],
    ['/etc/shadow', 'x', '/etc/shadow'], // never asked for: dropped
    ['/usr/bin/qemu-system-x86_64', 'x', '/usr/../etc/x'], // not a clean path: dropped
    ['/usr/bin/dash', 'x', '/usr/bin/da sh'], // a space would split the supervisor's argv: dropped
  ].map((f) => f.join('\0')).join('\0') + '\0';
  const listed = parseHostListing(listing);
  assert.ok(!listed.has('/etc/shadow') && !listed.has('/usr/bin/qemu-system-x86_64') && !listed.has('/usr/bin/dash'));
  const tools = findHostTools(listedFileView(listed, new Map([['/usr/libexec/virtiofsd', 'Usage: virtiofsd --shared-dir <dir>']])), {});
  assert.equal(tools.qemu.amd64, '/usr/libexec/qemu-kvm');
  assert.equal(tools.virtiofsd, '/usr/libexec/virtiofsd');
  assert.equal(tools.virtiofsdFlavor, 'rust', 'the flavour from that host\'s binary');
  assert.equal(tools.shell, '/usr/bin/bash');
  assert.deepEqual(tools.qemuDataDirs, ['/usr/share/qemu']);
  assert.throws(() => findHostTools(listedFileView(new Map(), new Map()), {}), /dynamic loader/);
  // the probe asks exactly the known candidates, as argv of a constant script
  const args = hostListingArgs('localhost/root:1');
  assert.deepEqual(args.slice(-HOST_TOOL_CANDIDATES.length), [...HOST_TOOL_CANDIDATES]);
  assert.ok(args.includes('--network=none') && args.includes('--cap-drop=all') && args.includes('/usr:/usr:ro'));
});

test('KVM on the podman host is judged from its /proc as locally', () => {
  assert.equal(kvmFromHostFacts('kvm_pvm 1 0\n', 'flags : vmx').usable, false);
  assert.equal(kvmFromHostFacts('kvm_intel 1 0\n', 'flags\t: fpu vmx sse').usable, true);
  assert.equal(kvmFromHostFacts('', 'flags : fpu sse').usable, false);
});

test('over a remote connection --bind and --mount-disk-file name podman-host paths: absolute, not checked here', () => {
  const o = parseRunOptions({ image: 'localhost/x:1', bind: ['/srv/on-the-podman-host:src'], mountDiskFile: ['/var/tmp/disk.img:data'] }, remotePodmanPathProbe);
  assert.deepEqual(o.binds, [{ hostPath: '/srv/on-the-podman-host', name: 'src', readOnly: false }]);
  assert.equal(o.diskFiles[0].file, '/var/tmp/disk.img');
  assert.throws(() => parseRunOptions({ image: 'localhost/x:1', bind: ['relative/dir'] }, remotePodmanPathProbe), (e: unknown) => e instanceof InvalidOptionsError && /podman host .* absolute/.test(e.message));
  assert.throws(() => parseRunOptions({ image: 'localhost/x:1', bind: ['/etc'] }, remotePodmanPathProbe), /refused/, 'system folders are still refused');
  assert.deepEqual(parseRunOptions({ image: 'localhost/x:1', virtioSerialOut: ['out:/srv/serial.log'] }, remotePodmanPathProbe).virtioSerialOut, [{ name: 'out', file: '/srv/serial.log' }]);
  assert.throws(() => parseRunOptions({ image: 'localhost/x:1', virtioSerialOut: ['out:serial.log'] }, remotePodmanPathProbe), /absolute path to an existing file/);
  assert.throws(() => parseRunOptions({ image: 'localhost/x:1', virtioSerialOut: ['out:/srv/x:/etc'] }, remotePodmanPathProbe), /cannot contain ":"/, 'nothing shifts the -v fields');
});

test('remote access runs only the podman host\'s own binaries, with constant programs and checked ports', () => {
  assert.deepEqual(podmanGuestAccess.catFile('abc', '/run/bootc-ephemeral-logs/journal.log').args, ['exec', '--', 'abc', '/usr/bin/cat', '--', '/run/bootc-ephemeral-logs/journal.log']);
  const relay = podmanGuestAccess.relay('abc', 2222).args;
  assert.deepEqual(relay.slice(0, 6), ['exec', '-i', '--', 'abc', '/usr/bin/bash', '-c']);
  assert.deepEqual(relay.slice(-2), ['relay', '2222'], 'the port is an argument, never part of the program');
  assert.throws(() => podmanGuestAccess.relay('abc', 70000), /invalid relay port/);
});

test('a host that is not Linux needs a podman connection (a setting, or CONTAINER_HOST / CONTAINER_CONNECTION)', () => {
  const saved = { host: process.env.CONTAINER_HOST, conn: process.env.CONTAINER_CONNECTION };
  delete process.env.CONTAINER_HOST;
  delete process.env.CONTAINER_CONNECTION;
  try {
    assert.equal(needsRemotePodman('darwin', {}), true);
    assert.equal(needsRemotePodman('win32', {}), true);
    assert.equal(needsRemotePodman('linux', {}), false);
    assert.equal(needsRemotePodman('darwin', { connection: 'podman-machine-default' }), false);
    assert.equal(needsRemotePodman('darwin', { url: 'ssh://core@127.0.0.1:2222/run/podman/podman.sock' }), false);
    process.env.CONTAINER_HOST = 'unix:///run/podman/podman.sock';
    assert.equal(needsRemotePodman('darwin', {}), false);
  } finally {
    if (saved.host === undefined) delete process.env.CONTAINER_HOST;
    else process.env.CONTAINER_HOST = saved.host;
    if (saved.conn !== undefined) process.env.CONTAINER_CONNECTION = saved.conn;
  }
});
