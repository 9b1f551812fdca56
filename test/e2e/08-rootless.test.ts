import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { IMAGE, ROOT, TEST_LABEL, cli, podman, waitFor, SSH_POSSIBLE_LINE } from './harness';
import {
  DEVELOPER, NO_SUBIDS_USER, OTHER_USER, USER_CLI_DIR, cleanupUser, cliAs, containersOf, homeOf, podmanAs, prepareUsers, runAs, setTunMode, spawnAs, stateDirsOf, stateRootOf, tunMode, uidOf,
} from './rootlessHarness';

// Every command as an ordinary user with that user's own rootless podman and image storage: the
// developer's VM (all run options), isolation from root and another user, a rootless podman service
// as a connection, the CI recipe's script, and bad input. /dev/net/tun is 0600 on this machine
// (rootless podman then has no user-mode network): the main VM runs that way; the connection and the
// recipe run with it 0666, as Fedora and Ubuntu ship it.
const NAME = 'rl-dev';
let tunBefore = 0o600;
let work: string;

const L = ['--label', TEST_LABEL];
const dev = (args: string[], opts: Parameters<typeof cliAs>[2] = {}) => cliAs(DEVELOPER, args, opts);
const ssh = (cmd: string) => dev(['ssh', NAME, '--', cmd]);
const rootVmNames = async () => (JSON.parse(String((await cli(['ps', '--json'])).stdout)) as { name: string }[]).map((v) => v.name);

before(async () => {
  tunBefore = tunMode();
  setTunMode(0o600);
  await prepareUsers();
  for (const u of [DEVELOPER, OTHER_USER]) await cleanupUser(u);
  // the developer's own folders: a workspace to bind, a read-only one, units, a disk, a serial file
  work = path.join(homeOf(DEVELOPER), 'rl-work');
  fs.rmSync(work, { recursive: true, force: true });
  const uid = uidOf(DEVELOPER);
  for (const d of ['src', 'ro', 'units/system']) fs.mkdirSync(path.join(work, d), { recursive: true });
  fs.writeFileSync(path.join(work, 'ro/hello.txt'), 'read-only hello\n');
  fs.writeFileSync(path.join(work, 'units/system/rl-unit.service'), '[Unit]\nDescription=rootless unit\n[Service]\nType=oneshot\nExecStart=/bin/sh -c "echo unit-ran > /run/rl-unit"\n[Install]\nWantedBy=multi-user.target\n');
  fs.writeFileSync(path.join(work, 'disk.img'), '');
  fs.truncateSync(path.join(work, 'disk.img'), 64 * 1048576);
  fs.writeFileSync(path.join(work, 'serial.txt'), '');
  for (const f of ['', 'src', 'ro', 'units', 'units/system', 'ro/hello.txt', 'units/system/rl-unit.service', 'disk.img', 'serial.txt']) fs.chownSync(path.join(work, f), uid, uid);
});

after(async () => {
  for (const u of [DEVELOPER, OTHER_USER]) await cleanupUser(u);
  await podman(['rm', '-f', '-t', '0', 'rl-root']);
  fs.rmSync('/var/lib/bootc-ephemeral/vms/rl-root', { recursive: true, force: true });
  fs.rmSync(work, { recursive: true, force: true });
  setTunMode(tunBefore);
});

test('bad input as an ordinary user: an image only root has, no subordinate ids, KVM asked for; one error with the fix, nothing left', { timeout: 120_000 }, async () => {
  await podman(['tag', IMAGE, 'localhost/rl-root-only:1']);
  try {
    const r = await dev(['run', '--rm', '--execute', 'true', 'localhost/rl-root-only:1']);
    assert.equal(r.code, 1, r.err);
    assert.match(r.err, /image localhost\/rl-root-only:1 is not in this user's podman storage \(rootless: root's and other users' images are not shared\)/);
    assert.match(r.err, /hint: .*sudo podman save localhost\/rl-root-only:1 \| podman load/);
  } finally {
    await podman(['rmi', 'localhost/rl-root-only:1']);
  }
  const nosub = await cliAs(NO_SUBIDS_USER, ['run', '--rm', '--execute', 'true', IMAGE]);
  assert.equal(nosub.code, 1, nosub.err);
  assert.match(nosub.err, /bcnosub has no subordinate id range in \/etc\/subuid and \/etc\/subgid/);
  assert.match(nosub.err, /hint: sudo usermod --add-subuids 100000-165535 --add-subgids 100000-165535 bcnosub && podman system migrate/);
  const doctor = await cliAs(NO_SUBIDS_USER, ['doctor', '--json']);
  assert.equal(doctor.code, 1, 'a failed check');
  assert.equal((JSON.parse(doctor.out) as { id: string; status: string }[]).find((c) => c.id === 'subids')?.status, 'fail');
  if (!fs.existsSync('/dev/kvm')) {
    const kvm = await dev(['run', '--rm', '--accel', 'kvm', '--execute', 'true', IMAGE]);
    assert.equal(kvm.code, 1, kvm.err);
    assert.match(kvm.err, /KVM was requested but is not usable: \/dev\/kvm does not exist/);
  }
  for (const u of [DEVELOPER, NO_SUBIDS_USER]) {
    assert.deepEqual(await containersOf(u), [], `${u}: no container left`);
    assert.deepEqual(stateDirsOf(u), [], `${u}: no state dir left`);
  }
});

test('doctor as an ordinary user: rootless mode and its checks, each warning with its fix', async () => {
  const r = await dev(['doctor', '--json']);
  const checks = JSON.parse(r.out) as { id: string; status: string; detail: string; fix?: string[] }[];
  const by = (id: string) => checks.find((c) => c.id === id);
  assert.equal(r.code, 0, r.out);
  assert.match(by('mode')!.detail, /^rootless \(user bcdev\)/);
  for (const id of ['subids', 'idmap', 'qemu', 'qemu-foreign', 'virtiofsd', 'busybox', 'sample-image']) assert.equal(by(id)?.status, 'ok', id);
  assert.match(by('qemu-foreign')!.detail, /^\/usr\/bin\/qemu-system-aarch64 /, 'arm64 images can boot as this user too');
  assert.equal(by('tun')?.status, 'warn', '/dev/net/tun is 0600 here');
  assert.match(by('tun')!.fix![0], /chmod 0666 \/dev\/net\/tun/);
  assert.ok(by('storage') && by('cgroups-rootless'), 'storage driver and cgroups reported');
});

test('the developer\'s VM, rootless: run -d -K with every run option; ssh, binds, logs, console, ps, inspect, ssh-config; isolation; restart, stop, rm, rm-all', { timeout: 900_000 }, async (t) => {
  const run = await dev([
    'run', '-d', '-K', '--name', NAME, ...L, '--memory', '1G',
    '--bind', `${work}/src:src`, '--ro-bind', `${work}/ro:ro`, '--systemd-units', `${work}/units`,
    '--add-swap', '128M', '--mount-disk-file', `${work}/disk.img:data`, '--virtio-serial-out', `vso:${work}/serial.txt`, '--bind-storage-ro',
    IMAGE,
  ]);
  assert.equal(run.code, 0, run.err);
  assert.match(run.err, /\/dev\/net\/tun cannot be opened by this user.*--network none: SSH works/, 'the fallback is said, with its fix');
  const stateDir = path.join(stateRootOf(DEVELOPER), NAME);
  // the kernel probe's listing, kept in the user's own cache (0600 in 0700), not root's
  const listings = path.join(homeOf(DEVELOPER), '.cache', 'bootc-ephemeral', 'image-listings');
  assert.equal(fs.statSync(listings).mode & 0o777, 0o700);
  assert.ok(fs.readdirSync(listings).every((f) => fs.statSync(path.join(listings, f)).uid === fs.statSync(homeOf(DEVELOPER)).uid), 'the user\'s own files');
  assert.ok(fs.readdirSync(listings).length > 0);

  await t.test('ssh: the exit status is the command\'s; the guest is reached without any port on the host', async () => {
    const r = await ssh('id -u; exit 3');
    assert.equal(r.code, 3, r.err);
    assert.equal(r.out.trim(), '0');
    const ports = (await podmanAs(DEVELOPER, ['port', NAME])).out.trim();
    assert.equal(ports, '', 'nothing published');
    assert.deepEqual((await podmanAs(DEVELOPER, ['inspect', '--format', '{{.HostConfig.NetworkMode}}', NAME])).out.trim(), 'none');
  });

  await t.test('state in the user\'s own places, 0700; nothing in root\'s', () => {
    const st = fs.statSync(stateDir);
    assert.equal(st.uid, uidOf(DEVELOPER));
    assert.equal(st.mode & 0o777, 0o700);
    assert.equal(fs.statSync(path.join(stateDir, 'ssh/id_ed25519')).mode & 0o777, 0o600);
    assert.ok(!fs.existsSync(`/var/lib/bootc-ephemeral/vms/${NAME}`));
  });

  await t.test('every run option works rootless; a file the guest writes on a bind is the user\'s', async () => {
    const r = await ssh([
      // the user's unit runs with the image's start-up, which a login no longer waits for
      'systemctl is-system-running --wait >/dev/null 2>&1',
      'echo from-guest > /run/virtiofs-mnt-src/guest.txt',
      'cat /run/virtiofs-mnt-ro/hello.txt',
      'touch /run/virtiofs-mnt-ro/x 2>/dev/null && echo ro-writable || echo ro-refused',
      'cat /run/rl-unit',
      'swapon --show=SIZE --noheadings',
      'test -b /dev/disk/by-id/virtio-data && echo disk-ok',
      'echo serial-line > /dev/virtio-ports/vso',
      'ls /run/virtiofs-mnt-hoststorage',
    ].join('; '));
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /read-only hello\nro-refused\nunit-ran\n\s*128M\ndisk-ok\n/);
    assert.match(r.out, /-images\b/, 'the user\'s own image storage, read-only');
    const file = path.join(work, 'src/guest.txt');
    assert.equal(fs.statSync(file).uid, uidOf(DEVELOPER), 'owned by the user, not a subordinate uid');
    await waitFor('the serial-out line', () => fs.readFileSync(path.join(work, 'serial.txt'), 'utf8').includes('serial-line'), 10_000);
  });

  await t.test('ssh -L forwards a guest port to 127.0.0.1 through the relay', async () => {
    const port = 20000 + Math.floor(Math.random() * 20000);
    const fwd = spawnAs(DEVELOPER, ['node', path.join(USER_CLI_DIR, 'dist/cli.js'), 'ssh', NAME, '-L', `${port}:127.0.0.1:22`]);
    try {
      const banner = await waitFor('the forwarded sshd banner', () => new Promise<string | undefined>((resolve) => {
        const s = net.connect(port, '127.0.0.1');
        s.once('data', (d) => { resolve(d.toString()); s.destroy(); });
        s.once('error', () => resolve(undefined));
      }), 60_000, 500);
      assert.match(banner, /^SSH-2\.0-OpenSSH/);
    } finally {
      fwd.kill('SIGTERM');
      await fwd;
    }
  });

  await t.test('ps, inspect, ssh-config (plain OpenSSH through the relay), logs', async () => {
    const ps = JSON.parse((await dev(['ps', '--json'])).out) as { name: string; state: string; sshRelay: boolean }[];
    assert.deepEqual(ps.map((v) => [v.name, v.state, v.sshRelay]), [[NAME, 'ready', true]]);
    assert.match((await dev(['ps'])).out, new RegExp(`${NAME} .* ready .* relay`));
    const inspect = JSON.parse((await dev(['inspect', NAME])).out)[0];
    assert.match(inspect.ssh.through, /podman exec relay/);
    assert.equal(inspect.stateDir, stateDir);
    const config = path.join(homeOf(DEVELOPER), 'rl-ssh-config');
    const block = await dev(['ssh-config', NAME]);
    fs.writeFileSync(config, block.out);
    const openssh = await runAs(DEVELOPER, ['ssh', '-F', config, '-o', 'BatchMode=yes', NAME, 'echo openssh-$((6*7))']);
    fs.rmSync(config);
    assert.equal(openssh.code, 0, openssh.err);
    assert.equal(openssh.out.trim(), 'openssh-42');
    assert.match((await dev(['logs', NAME, '--journal'])).out, SSH_POSSIBLE_LINE);
    assert.match((await dev(['logs', NAME, '--console'])).out, /Linux version/);
    assert.equal((await dev(['logs', NAME])).code, 0, 'the container\'s own output');
    const follow = spawnAs(DEVELOPER, ['node', path.join(USER_CLI_DIR, 'dist/cli.js'), 'logs', NAME, '--journal', '-f']);
    let out = '';
    follow.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    await ssh('echo rl-follow-marker > /dev/kmsg');
    await waitFor('the marker in logs -f', () => out.includes('rl-follow-marker'), 30_000);
    follow.kill('SIGTERM');
    await follow;
  });

  await t.test('console: an interactive root shell on ttyS0; Ctrl+] detaches', async () => {
    const child = spawnAs(DEVELOPER, ['node', path.join(USER_CLI_DIR, 'dist/cli.js'), 'console', NAME], { stdin: 'pipe' });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stdin!.write('\r');
    await waitFor('a root prompt', () => /root@[\w-]+:~# $/m.test(out), 30_000);
    child.stdin!.write('echo console-$((6*7)) $(tty)\r');
    await waitFor('the command\'s output', () => /console-42 \/dev\/ttyS0/.test(out), 30_000);
    child.stdin!.write('\x1d');
    const r = await child;
    assert.equal(r.exitCode, 0, String(r.stderr));
  });

  await t.test('isolation: root\'s and another user\'s ps and rm-all leave the developer\'s VM alone, and the other way round', async () => {
    const rootVm = await cli(['run', '-d', '--name', 'rl-root', ...L, IMAGE]);
    assert.equal(rootVm.exitCode, 0, String(rootVm.stderr));
    const rootPs = JSON.parse(String((await cli(['ps', '--json'])).stdout)) as { name: string }[];
    assert.ok(rootPs.some((v) => v.name === 'rl-root') && !rootPs.some((v) => v.name === NAME), 'root sees its own VMs only');
    const devPs = JSON.parse((await dev(['ps', '--json'])).out) as { name: string }[];
    assert.deepEqual(devPs.map((v) => v.name), [NAME], 'the developer sees their own only');
    assert.equal((await cliAs(OTHER_USER, ['ps', '--json'])).out.trim(), '[]');
    assert.equal((await cliAs(OTHER_USER, ['rm-all', '-f'])).code, 0);
    assert.equal((await cli(['rm-all', '-f'])).exitCode, 0);
    assert.ok(!(await rootVmNames()).includes('rl-root'), 'root\'s rm-all removed root\'s VM');
    assert.equal((await ssh('true')).code, 0, 'the developer\'s VM still answers');
    assert.ok(fs.existsSync(stateDir), 'and keeps its state');
  });

  await t.test('restart boots it again; stop; rm removes container and state', async () => {
    const restart = await dev(['restart', NAME]);
    assert.equal(restart.code, 0, restart.err);
    // the first command after ready: the bind is mounted by then (SSH waits for it); the image's own units
    // may still be starting (early SSH does not wait for start-up), so the user's unit is looked at after it
    const again = await dev(['ssh', NAME, '--', 'cat /run/virtiofs-mnt-src/guest.txt; systemctl is-system-running --wait >/dev/null; test -e /run/rl-unit && echo unit-again']);
    assert.equal(again.code, 0, again.err);
    assert.equal(again.out, 'from-guest\nunit-again\n', 'the bind (host files) is there; the rest is a fresh boot');
    assert.equal((await dev(['stop', NAME])).code, 0);
    const ps = JSON.parse((await dev(['ps', '--json'])).out) as { name: string; state: string }[];
    assert.match(ps.find((v) => v.name === NAME)!.state, /exited|failed/);
    assert.equal((await dev(['rm', NAME])).code, 0);
    assert.deepEqual(await containersOf(DEVELOPER), []);
    assert.deepEqual(stateDirsOf(DEVELOPER), []);
  });

  await t.test('the developer\'s rm-all removes their VMs and leaves root\'s', async () => {
    assert.equal((await dev(['run', '-d', '--name', `${NAME}-2`, ...L, IMAGE])).code, 0);
    assert.equal((await cli(['run', '-d', '--name', 'rl-root', ...L, IMAGE])).exitCode, 0);
    const r = await dev(['rm-all', '-f']);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(await containersOf(DEVELOPER), []);
    assert.deepEqual(stateDirsOf(DEVELOPER), []);
    assert.ok((await rootVmNames()).includes('rl-root'), 'root\'s VM is untouched');
    assert.equal((await cli(['rm', '-f', 'rl-root'])).exitCode, 0);
  });
});

test('a rootless podman service as the connection (the user\'s own socket): run --rm --execute, exit status, doctor; nothing left', { timeout: 400_000 }, async () => {
  setTunMode(0o666);
  const sock = `/run/user/${uidOf(DEVELOPER)}/rl-podman.sock`;
  const service = spawnAs(DEVELOPER, ['podman', 'system', 'service', '--time=0', `unix://${sock}`]);
  try {
    await waitFor('the rootless podman socket', () => fs.existsSync(sock), 20_000);
    const url = ['--url', `unix://${sock}`];
    const doctor = JSON.parse((await dev([...url, 'doctor', '--json'])).out) as { id: string; detail: string }[];
    assert.match(doctor.find((c) => c.id === 'mode')!.detail, /rootless service/);
    const r = await dev([...url, 'run', '--rm', ...L, '--execute', '/bin/sh -c "echo rootless-remote-$((6*7)); exit 5"', IMAGE]);
    assert.equal(r.code, 5, r.err);
    assert.match(r.out, /rootless-remote-42/);
    assert.deepEqual(await containersOf(DEVELOPER), []);
    assert.deepEqual((await podmanAs(DEVELOPER, ['volume', 'ls', '-q'])).out.trim(), '', 'the plan and log volumes went with the container');
  } finally {
    service.kill('SIGTERM');
    await service;
    setTunMode(0o600);
  }
});

test('the CI recipe\'s script as an ordinary user: doctor, build into the user\'s storage, run-ssh; the command\'s status; guest network with /dev/net/tun 0666', { timeout: 400_000 }, async () => {
  setTunMode(0o666);
  const listener = net.createServer((s) => s.end('host-says-hi\n'));
  await new Promise<void>((r) => listener.listen(0, '0.0.0.0', r));
  const hostIp = Object.values(os.networkInterfaces()).flat().find((i) => i && i.family === 'IPv4' && !i.internal)?.address;
  const ctx = path.join(work, 'ci');
  try {
    fs.cpSync(path.join(ROOT, 'resources/sample'), ctx, { recursive: true });
    for (const f of ['', ...fs.readdirSync(ctx)]) fs.chownSync(path.join(ctx, f), uidOf(DEVELOPER), uidOf(DEVELOPER));
    const port = (listener.address() as net.AddressInfo).port;
    const command = [
      // the image's own unit (a oneshot) ran at boot
      'systemctl is-system-running --wait >/dev/null || true',
      'journalctl -b -o cat -u hello-bootc.service | grep -m1 hello-bootc:',
      'cat /etc/motd',
      'echo ci > /run/virtiofs-mnt-work/ci-result.txt',
      ...(hostIp ? [`timeout 20 bash -c 'exec 3<>/dev/tcp/${hostIp}/${port}; cat <&3'`] : []),
      'exit 7',
    ].join(' && ');
    const r = await runAs(DEVELOPER, ['bash', path.join(USER_CLI_DIR, 'scripts/ci/boot-test.sh'), '--bind', `${ctx}:work`, ...L, '--', command], {
      env: { IMAGE: 'localhost/rl-ci:latest', CONTAINERFILE: path.join(ctx, 'Containerfile'), BOOTC_EPHEMERAL: `node ${path.join(USER_CLI_DIR, 'dist/cli.js')}` },
      timeoutMs: 390_000,
    });
    assert.equal(r.code, 7, `${r.out}\n${r.err}`);
    assert.match(r.out, /::group::bootc-ephemeral doctor[\s\S]*\[ok {2}\] podman mode: rootless/);
    assert.match(r.out, /^hello-bootc: this VM runs an image built from a Containerfile\nHello from resources\/sample\/Containerfile\n/m);
    if (hostIp) assert.match(r.out, /host-says-hi/, 'the guest reached the host through podman\'s user-mode network');
    assert.equal(fs.statSync(path.join(ctx, 'ci-result.txt')).uid, uidOf(DEVELOPER));
    assert.ok((await podmanAs(DEVELOPER, ['image', 'exists', 'localhost/rl-ci:latest'])).code === 0, 'built into the user\'s storage');
    assert.notEqual((await podman(['image', 'exists', 'localhost/rl-ci:latest'])).exitCode, 0, 'not root\'s');
    assert.deepEqual(await containersOf(DEVELOPER), []);
    assert.deepEqual(stateDirsOf(DEVELOPER), []);
  } finally {
    listener.close();
    setTunMode(0o600);
    await podmanAs(DEVELOPER, ['rmi', '-f', 'localhost/rl-ci:latest']);
  }
});

