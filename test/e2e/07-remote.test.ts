import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { CLI, IMAGE, ROOT, TEST_LABEL, cleanupTestVms, podman, waitFor, SSH_POSSIBLE_LINE } from './harness';

// VMs on "another machine": a podman service on a unix socket, and the CLI as a client that shares
// nothing else with it. The client runs in a new mount + network namespace (test/isolated.sh)
// where podman's local storage and runtime dirs, the engine's local state root, QEMU and virtiofsd are
// hidden and the host's loopback is out of reach: every file, port and tool must come through podman.
// Then the same over ssh:// through a sshd on 127.0.0.1 (files hidden, network shared: sshd is there).
const ISOLATED = path.join(ROOT, 'test/isolated.sh');
const NAME = 'e2e-remote';
let dir: string;
let socket: string;
let clientState: string;
let service: ResultPromise | undefined;

interface Run {
  code: number;
  out: string;
  err: string;
}

/** Runs argv as the isolated client, with CONTAINER_HOST pointing at the service. */
function isolated(argv: string[], opts: { input?: string; network?: boolean; env?: Record<string, string | undefined>; timeoutMs?: number } = {}) {
  // a key given as undefined is left out (e.g. CONTAINER_HOST, to use a named connection instead)
  const env = Object.fromEntries(Object.entries({ CONTAINER_HOST: `unix://${socket}`, BOOTC_EPHEMERAL_STATE_DIR: clientState, ...opts.env }).filter(([, v]) => v !== undefined));
  return execa('unshare', ['-m', ...(opts.network ? [] : ['-n']), '--', ISOLATED, dir, 'env', ...Object.entries(env).map(([k, v]) => `${k}=${v}`), ...argv], {
    reject: false,
    input: opts.input ?? '',
    timeout: opts.timeoutMs ?? 300_000,
    stripFinalNewline: false,
  });
}

async function remoteCli(args: string[], opts: Parameters<typeof isolated>[1] = {}): Promise<Run> {
  const r = await isolated(['node', CLI, ...args], opts);
  return { code: r.exitCode ?? -1, out: String(r.stdout), err: String(r.stderr) };
}

const danglingVolumes = async () => String((await podman(['volume', 'ls', '--quiet', '--filter', 'dangling=true'])).stdout).split('\n').filter(Boolean);
const testContainers = async () => String((await podman(['ps', '-a', '--filter', `label=${TEST_LABEL}`, '--format', '{{.Names}}'])).stdout).split('\n').filter(Boolean);
/** the client's per-connection state dirs (one per VM), under .remote/<connection key>/ */
const clientVmDirs = () => {
  const base = path.join(clientState, '.remote');
  return fs.existsSync(base) ? fs.readdirSync(base).flatMap((k) => fs.readdirSync(path.join(base, k)).map((n) => path.join(base, k, n))) : [];
};

before(async () => {
  await cleanupTestVms();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-remote-'));
  socket = path.join(dir, 'podman.sock');
  clientState = path.join(dir, 'client-state');
  service = execa('podman', ['system', 'service', '--time=0', `unix://${socket}`], { reject: false });
  await waitFor('the podman service socket', () => fs.existsSync(socket), 20_000);
});

after(async () => {
  await cleanupTestVms();
  service?.kill('SIGTERM');
  await service;
  fs.rmSync(dir, { recursive: true, force: true });
});

test('the isolated client really shares nothing: no local podman storage, QEMU or loopback to the host', async () => {
  const r = await isolated(['sh', '-c', 'ls /var/lib/containers | wc -l; test -s /usr/bin/qemu-system-x86_64 && echo qemu-visible; cat /proc/net/tcp | wc -l']);
  assert.equal(r.exitCode, 0, String(r.stderr));
  const [storageEntries, ...rest] = String(r.stdout).trim().split('\n');
  assert.equal(storageEntries, '0', 'the local container storage is hidden');
  assert.ok(!rest.includes('qemu-visible'), 'the local QEMU is hidden');
  assert.equal(rest[rest.length - 1], '1', 'a network namespace of its own: no listening sockets of the host');
});

test('run --rm --execute over a remote connection: output, exit status, swap and a serial file made there, nothing left behind', { timeout: 400_000 }, async () => {
  // a file on the podman host (this machine, outside the client's namespace) for --virtio-serial-out
  const serial = path.join(dir, 'serial-out.txt');
  fs.writeFileSync(serial, '');
  const r = await remoteCli(['run', '--rm', '--label', TEST_LABEL, '--add-swap', '64M', '--virtio-serial-out', `out:${serial}`, '--execute', "sh -c 'echo to-the-podman-host > /dev/virtio-ports/out; echo swaps=$(grep -c ^/dev/ /proc/swaps); echo remote-out; exit 7'", IMAGE]);
  assert.equal(r.code, 7, `the guest command's exit status; stderr: ${r.err}`);
  assert.match(r.out, /remote-out/);
  assert.match(r.out, /^swaps=1$/m, 'the swap disk the supervisor made in the container is in use');
  assert.equal(fs.readFileSync(serial, 'utf8'), 'to-the-podman-host\n', 'the guest wrote to the file on the podman host');
  assert.deepEqual(await testContainers(), [], 'the container removed itself');
  assert.deepEqual(await danglingVolumes(), [], 'its plan and log volumes went with it');
  assert.deepEqual(clientVmDirs(), [], 'its client state too');
});

test('run -d -K over a remote connection; ssh, -L, ps, logs, console, stop, rm', { timeout: 900_000 }, async (t) => {
  // a small log cap (256 KiB head and segments): the follow below crosses segments and a drop
  const started = await remoteCli(['run', '-d', '-K', '--name', NAME, '--label', TEST_LABEL, '--max-log-size', '1M', IMAGE]);
  assert.equal(started.code, 0, started.err);
  assert.match(started.out.trim(), /^[0-9a-f]{64}$/, 'prints the container ID');

  await t.test('the keys stay on the client (0700/0600), keyed by connection; the podman host gets no client path', async () => {
    const [stateDir] = clientVmDirs();
    assert.equal(path.basename(stateDir), NAME);
    assert.equal(fs.statSync(stateDir).mode & 0o777, 0o700);
    assert.equal(fs.statSync(path.join(stateDir, 'ssh/id_ed25519')).mode & 0o777, 0o600);
    assert.ok(!fs.existsSync(path.join(stateDir, 'plan')) && !fs.existsSync(path.join(stateDir, 'logs')), 'plan and logs live in the container\'s volumes');
    const inspect = JSON.parse(String((await podman(['inspect', NAME])).stdout))[0];
    const sources: string[] = inspect.Mounts.map((m: { Source: string }) => m.Source);
    assert.ok(!sources.some((s) => s.startsWith(dir)), `no client path bound: ${sources.join(', ')}`);
    assert.deepEqual(inspect.HostConfig.PortBindings ?? {}, {}, 'no port published on the podman host');
  });

  await t.test('ssh waits for boot, runs the command, passes its exit status', async () => {
    const r = await remoteCli(['ssh', NAME, '--', 'sh', '-c', 'cat /etc/hostname; exit 5'], { timeoutMs: 400_000 });
    assert.equal(r.code, 5, r.err);
    assert.match(r.out, /bootc-sample/);
  });

  await t.test('ssh -L forwards a client port through the relay', async () => {
    const port = 18000 + Math.floor(Math.random() * 1000);
    const script = `node "$1" ssh -L 127.0.0.1:${port}:127.0.0.1:22 ${NAME} -- sleep 8 & for i in $(seq 60); do exec 3<>/dev/tcp/127.0.0.1/${port} && break; sleep 0.25; done 2>/dev/null; head -c 8 <&3; wait`;
    const r = await isolated(['bash', '-c', script, 'bash', CLI]);
    assert.equal(r.exitCode, 0, String(r.stderr));
    assert.match(String(r.stdout), /^SSH-2\.0-/, 'the guest sshd answered on the forwarded client port');
  });

  await t.test('ps --json shows it ready, with its client state dir', async () => {
    const r = await remoteCli(['ps', '--json']);
    assert.equal(r.code, 0, r.err);
    const vm = (JSON.parse(r.out) as { name: string; state: string; stateDir: string }[]).find((v) => v.name === NAME);
    assert.equal(vm?.state, 'ready');
    assert.ok(vm?.stateDir.startsWith(path.join(clientState, '.remote') + '/'));
  });

  await t.test('ssh-config: plain OpenSSH reaches it through podman (a ProxyCommand), the host key pinned', async () => {
    const config = path.join(dir, 'ssh_config');
    const r = await remoteCli(['ssh-config', NAME]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /ProxyCommand podman --url unix:\/\/\S+ exec -i -- [0-9a-f]{64} \/usr\/bin\/bash -c /);
    assert.match(r.out, /StrictHostKeyChecking yes/);
    fs.writeFileSync(config, r.out);
    const ssh = await isolated(['ssh', '-F', config, '-o', 'BatchMode=yes', NAME, 'cat /etc/hostname']);
    assert.equal(ssh.exitCode, 0, String(ssh.stderr));
    assert.match(String(ssh.stdout), /bootc-sample/);
  });

  await t.test('logs: the journal and the console read in the container, the container output through podman', async () => {
    const r = await remoteCli(['logs', '--journal', NAME]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, SSH_POSSIBLE_LINE);
    const consoleLog = await remoteCli(['logs', '--console', NAME]);
    assert.match(consoleLog.out, /Linux version /);
    const output = await remoteCli(['logs', NAME]);
    assert.equal(output.code, 0, output.err);
  });

  await t.test('inspect: the options, the SSH way in (the relay), the boot timeline from the remote journal', async () => {
    const r = await remoteCli(['inspect', NAME]);
    assert.equal(r.code, 0, r.err);
    const [details] = JSON.parse(r.out);
    assert.match(details.ssh.through, /podman exec relay/);
    assert.ok(details.bootSecondsFromKernelStart.sshd > 0, 'the timeline came from the journal in the container');
  });

  await t.test('restart: the same options, a new boot on the podman host; ssh works again', async () => {
    const before = JSON.parse((await remoteCli(['inspect', NAME])).out)[0];
    const r = await remoteCli(['restart', NAME]);
    assert.equal(r.code, 0, r.err);
    const ssh = await remoteCli(['ssh', NAME, '--', 'cat', '/proc/sys/kernel/random/boot_id'], { timeoutMs: 400_000 });
    assert.equal(ssh.code, 0, ssh.err);
    const after = JSON.parse((await remoteCli(['inspect', NAME])).out)[0];
    assert.notEqual(after.id, before.id, 'a new container');
    assert.equal(after.options.sshKeygen, true);
    assert.deepEqual(await danglingVolumes(), [], 'the old container\'s volumes went with it');
  });

  await t.test('console attaches through the container; Ctrl+] detaches', async () => {
    // the VM is ready before the image's serial getty starts (early SSH), and agetty drops what was typed before it
    const getty = await remoteCli(['ssh', NAME, '--', 'sh', '-c', 'for i in $(seq 300); do systemctl -q is-active serial-getty@ttyS0.service && exit 0; sleep 0.2; done; exit 1']);
    assert.equal(getty.code, 0, `the serial getty never started: ${getty.out}${getty.err}`);
    const r = await isolated(['bash', '-c', `(sleep 3; printf '\\recho MARK$((40+2))\\r'; sleep 4; printf '\\035') | node "$1" console ${NAME}`, 'bash', CLI]);
    assert.equal(r.exitCode, 0, String(r.stderr));
    assert.match(String(r.stdout), /MARK42/, 'the guest shell ran what was typed');
    assert.match(String(r.stderr), /\[detached\]/);
  });

  await t.test('logs --journal -f follows across the cap\'s segments until the VM stops; stop; the capped journal stays readable', async () => {
    const follower = isolated(['node', CLI, 'logs', '--journal', '-f', NAME]);
    let followed = '';
    follower.stdout?.on('data', (c: Buffer) => (followed += c.toString()));
    await waitFor('the follower to print the journal', () => SSH_POSSIBLE_LINE.test(followed), 60_000);
    // 4 MiB into the journal port: past the 1M cap, so the oldest segments are dropped as it goes
    const flood = await remoteCli(['ssh', NAME, '--', 'sh', '-c', 'systemctl stop bootc-ephemeral-journal; yes remote-flood-line | head -c 4000000 > /dev/virtio-ports/org.bootc-ephemeral.journal; echo flooded']);
    assert.match(flood.out, /flooded/, flood.err);
    await waitFor('the follower to reach the newest segment', () => followed.includes('remote-flood-line'), 60_000);
    const stopped = await remoteCli(['stop', NAME]);
    assert.equal(stopped.code, 0, stopped.err);
    const f = await follower;
    assert.equal(f.exitCode, 0, `the follow ends when the VM stops: ${String(f.stderr)}`);
    const ps = await remoteCli(['ps', '--json']);
    assert.equal((JSON.parse(ps.out) as { name: string; state: string }[]).find((v) => v.name === NAME)?.state, 'exited');
    const after = await remoteCli(['logs', '--journal', NAME]);
    assert.match(after.out, SSH_POSSIBLE_LINE, 'read from the stopped container\'s volume');
    assert.match(after.out, /-- bootc-ephemeral: \d+ MiB dropped here: the guest wrote more than --max-log-size allows --\n/, 'the drop is shown where it happened');
    assert.ok(after.out.length < 1100 * 1024, `the stopped VM's journal is within its cap (${after.out.length} bytes)`);
    assert.match(after.out.slice(-100), /remote-flood-line/, 'it ends with the newest output');
    // what the follow printed is that journal, from its first line: the head (the boot) is the same
    const head = after.out.slice(0, 200 * 1024);
    assert.ok(head.length > 0 && followed.startsWith(head), 'the follow printed the journal as it was written');
  });

  await t.test('rm removes the container, its volumes and the client state', async () => {
    const r = await remoteCli(['rm', NAME]);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(await testContainers(), []);
    assert.deepEqual(await danglingVolumes(), []);
    assert.deepEqual(clientVmDirs(), []);
  });
});

test('a named connection (--connection, CONTAINER_CONNECTION): run -d, ps, rm-all; doctor', { timeout: 120_000 }, async () => {
  // podman's own connection list, in a config file of the test's (podman system connection add)
  const conf = path.join(dir, 'containers.conf');
  fs.writeFileSync(conf, '');
  await execa('podman', ['system', 'connection', 'add', 'e2e-remote', `unix://${socket}`], { env: { CONTAINERS_CONF: conf } });
  const named = { CONTAINER_HOST: undefined, CONTAINERS_CONF: conf };
  const started = await remoteCli(['--connection', 'e2e-remote', 'run', '-d', '--name', `${NAME}-2`, '--label', TEST_LABEL, IMAGE], { env: named });
  assert.equal(started.code, 0, started.err);
  const ps = await remoteCli(['ps', '--json'], { env: { ...named, CONTAINER_CONNECTION: 'e2e-remote' } });
  const listed = (JSON.parse(ps.out) as { name: string; stateDir: string }[]).find((v) => v.name === `${NAME}-2`);
  assert.ok(listed, 'the flag and the environment name the same connection');
  assert.ok(fs.existsSync(listed.stateDir), 'and so the same client state');
  const r = await remoteCli(['rm-all', '-f'], { env: { ...named, CONTAINER_CONNECTION: 'e2e-remote' } });
  assert.equal(r.code, 0, r.err);
  assert.deepEqual(await testContainers(), []);
  assert.deepEqual(await danglingVolumes(), []);
  assert.deepEqual(clientVmDirs(), []);
  const doctor = await remoteCli(['doctor']);
  assert.match(doctor.out, /podman connection: unix:\/\/.*podman\.sock/);
  assert.match(doctor.out, /\[ok {2}\] QEMU: \/usr\/bin\/qemu-system-x86_64/, 'found on the podman host although hidden from the client');
  assert.match(doctor.out, /\[ok {2}\] QEMU for arm64 images: \/usr\/bin\/qemu-system-aarch64/, 'the arm64 QEMU too, on that host');
  assert.match(doctor.out, /\[ok {2}\] Static busybox: \/usr\/bin\/busybox \(amd64\)/, 'judged from a probe on that host: the engine\'s own initramfs there too');
  assert.match(doctor.out, /\[ok {2}\] podman mode: rootful service on that host/);
});

test('an ssh:// connection through a sshd on 127.0.0.1: run --execute, run-ssh', { timeout: 600_000 }, async () => {
  const sshDir = path.join(dir, 'sshd');
  const home = path.join(sshDir, 'home');
  fs.mkdirSync(path.join(home, '.ssh'), { recursive: true, mode: 0o700 });
  fs.mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  for (const k of ['hostkey', 'clientkey']) await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(sshDir, k)]);
  fs.copyFileSync(path.join(sshDir, 'clientkey.pub'), path.join(sshDir, 'authorized_keys'));
  const port = 22000 + Math.floor(Math.random() * 1000);
  const config = path.join(sshDir, 'sshd_config');
  fs.writeFileSync(config, [`Port ${port}`, 'ListenAddress 127.0.0.1', `HostKey ${sshDir}/hostkey`, `AuthorizedKeysFile ${sshDir}/authorized_keys`, 'PermitRootLogin prohibit-password', 'PasswordAuthentication no', 'UsePAM no', 'StrictModes no', `PidFile ${sshDir}/sshd.pid`].join('\n') + '\n');
  fs.writeFileSync(path.join(home, '.ssh/known_hosts'), `[127.0.0.1]:${port} ${fs.readFileSync(path.join(sshDir, 'hostkey.pub'), 'utf8')}`);
  const sshd = execa('/usr/sbin/sshd', ['-D', '-f', config, '-e'], { reject: false });
  try {
    await waitFor('sshd to listen', () => fs.existsSync(path.join(sshDir, 'sshd.pid')), 10_000);
    const url = `ssh://root@127.0.0.1:${port}${socket}`;
    // podman's own ssh settings: the identity and known_hosts of this (test) user; no CONTAINER_HOST
    const env = { HOME: home, CONTAINER_SSHKEY: path.join(sshDir, 'clientkey'), CONTAINER_HOST: '' };
    const r = await remoteCli(['--url', url, 'run', '--rm', '--label', TEST_LABEL, '--execute', "sh -c 'echo via-ssh; exit 4'", IMAGE], { network: true, env });
    assert.equal(r.code, 4, r.err);
    assert.match(r.out, /via-ssh/);
    // run-ssh: a detached boot, SSH through the relay over the ssh:// connection, removed afterwards
    const rs = await remoteCli(['--url', url, 'run-ssh', '--quiet', '--label', TEST_LABEL, IMAGE, '--', 'sh', '-c', 'echo run-ssh-ok; exit 6'], { network: true, env });
    assert.equal(rs.code, 6, rs.err);
    assert.match(rs.out, /run-ssh-ok/);
    const ps = await remoteCli(['--url', url, 'ps', '--json'], { network: true, env });
    assert.equal(ps.code, 0, ps.err);
    assert.deepEqual(await testContainers(), []);
    assert.deepEqual(await danglingVolumes(), []);
  } finally {
    sshd.kill('SIGTERM');
    await sshd;
  }
});
