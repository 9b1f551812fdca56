import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as http from 'node:http';
import { execa } from 'execa';
import { cli, podman, IMAGE, TEST_LABEL, STATE_ROOT, cleanupTestVms, CLI, sleep, SSH_POSSIBLE_LINE } from './harness';

// One VM with most options at once (booting is the slow part under TCG), then checks from outside
// (podman, the host) and inside (over the CLI's ssh).
const NAME = 'e2e-main';
let work: string;
let rw: string, ro: string, units: string, disk: string;

async function ssh(cmd: string): Promise<{ code: number; out: string; err: string }> {
  const r = await cli(['ssh', NAME, '--', 'sh', '-c', cmd]);
  return { code: r.exitCode ?? -1, out: String(r.stdout), err: String(r.stderr) };
}

before(async () => {
  await cleanupTestVms();
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-main-'));
  rw = path.join(work, 'rw');
  ro = path.join(work, 'ro');
  units = path.join(work, 'units');
  disk = path.join(work, 'disk.img');
  fs.mkdirSync(rw);
  fs.mkdirSync(ro);
  fs.writeFileSync(path.join(ro, 'from-host.txt'), 'host data\n');
  fs.mkdirSync(path.join(units, 'system'), { recursive: true });
  fs.writeFileSync(
    path.join(units, 'system', 'e2e-hello.service'),
    "[Unit]\nDescription=e2e unit\n[Service]\nType=oneshot\nRemainAfterExit=yes\nExecStart=/bin/sh -c 'echo unit-ran > /run/e2e-hello'\n[Install]\nWantedBy=multi-user.target\n",
  );
  fs.writeFileSync(disk, Buffer.alloc(0));
  fs.truncateSync(disk, 64 * 1024 * 1024);
});

after(async () => {
  await cleanupTestVms();
  fs.rmSync(work, { recursive: true, force: true });
});

test('run -d -K with binds, units, disk, swap, kargs, labels, env', { timeout: 400_000 }, async (t) => {
  const r = await cli([
    'run', '-d', '-K', '--name', NAME, '--label', TEST_LABEL, '--label', 'team=e2e', '-e', 'E2E_ENV=yes',
    '--bind', `${rw}:work`, '--ro-bind', `${ro}:cfg`, '--systemd-units', units, '--mount-disk-file', `${disk}:data`,
    '--add-swap', '128M', '--karg', 'e2e.karg=1', '--memory', '2G', '--bind-storage-ro', IMAGE,
  ]);
  assert.equal(r.exitCode, 0, String(r.stderr));
  assert.match(String(r.stdout).trim(), /^[0-9a-f]{64}$/, 'prints the container ID');
  const stateDir = path.join(STATE_ROOT, NAME);

  await t.test('state dir: 0700, key 0600, never in labels or env', async () => {
    assert.equal(fs.statSync(stateDir).mode & 0o777, 0o700);
    assert.equal(fs.statSync(path.join(stateDir, 'ssh/id_ed25519')).mode & 0o777, 0o600);
    const key = fs.readFileSync(path.join(stateDir, 'ssh/id_ed25519'), 'utf8');
    const inspect = String((await podman(['inspect', NAME])).stdout);
    assert.ok(!inspect.includes(key.split('\n')[1]), 'no private key material in podman inspect');
    const parsed = JSON.parse(inspect)[0];
    assert.equal(parsed.Config.Labels.team, 'e2e');
    assert.ok(parsed.Config.Env.includes('E2E_ENV=yes'));
  });

  await t.test('ssh --timeout: a VM not ready in time is no connection (255), said so', async () => {
    const started = Date.now();
    const r = await cli(['ssh', '--timeout', '2', NAME, 'true']);
    const took = Date.now() - started;
    assert.equal(r.exitCode, 255, String(r.stderr));
    assert.ok(took < 6_000, `gave up after ${took} ms for --timeout 2`);
    assert.match(String(r.stderr), new RegExp(`SSH to ${NAME} was not ready after 2 s`));
  });

  await t.test('least privilege: not privileged, the listed capabilities only, the engine root image, read-only', async () => {
    const c = JSON.parse(String((await podman(['inspect', NAME])).stdout))[0];
    assert.equal(c.HostConfig.Privileged, false);
    assert.deepEqual([...c.EffectiveCaps].sort(), ['CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_MKNOD', 'CAP_SETFCAP', 'CAP_SETGID', 'CAP_SETPCAP', 'CAP_SETUID', 'CAP_SYS_CHROOT']);
    assert.equal(c.HostConfig.ReadonlyRootfs, true);
    assert.match(c.ImageName, /^localhost\/bootc-ephemeral-root:/, 'the container runs the engine root image, never the bootc image');
    assert.equal(c.Config.Labels['io.bootc-ephemeral.image'], IMAGE);
    assert.ok(!c.Config.Env.some((e: string) => e.startsWith('LD_')), 'no loader variables');
  });

  await t.test('ssh on a terminal while the VM boots: a live status line through the phases; CMD --help is the guest\'s', async () => {
    // script(1) gives the CLI a real pseudo-terminal: stdout and stderr both arrive here
    const r = await execa('script', ['-qfec', `node ${CLI} ssh ${NAME} ls --help`, '/dev/null'], { reject: false, stdin: 'ignore' });
    const out = String(r.stdout);
    assert.equal(r.exitCode, 0, out.slice(-2000));
    assert.match(out, /(^|\x1b\[K)Usage: ls /m, 'GNU ls printed its own help in the guest');
    assert.doesNotMatch(out, /Usage: bootc-ephemeral/);
    const at = ['starting the VM container... ', 'kernel... ', 'initrd... ', 'system start... ', 'sshd listening... ', 'ready... '].map((p) => out.indexOf(`\r\x1b[K${p}`));
    assert.ok(at.every((i) => i >= 0), `every phase on the status line: ${JSON.stringify(at)}\n${JSON.stringify(out.slice(0, 600))}`);
    assert.deepEqual([...at].sort((a, b) => a - b), at, 'in order');
    assert.ok(out.lastIndexOf('\r\x1b[K') < out.indexOf('Usage: ls'), 'the status line is cleared before the command\'s output');
  });

  await t.test('ssh -t gives the command a pty; without it, none', async () => {
    const withTty = await cli(['ssh', '-t', NAME, 'tty']);
    assert.equal(withTty.exitCode, 0, String(withTty.stderr));
    assert.match(String(withTty.stdout), /^\/dev\/pts\/\d+\r?$/m);
    const without = await cli(['ssh', NAME, 'tty']);
    assert.equal(without.exitCode, 1, 'tty(1) exits 1 when stdin is not a terminal');
    assert.match(String(without.stdout), /not a tty/);
  });

  await t.test('ssh: waits for the guest, runs the command, returns its exit code', async () => {
    const res = await ssh('echo hello-from-$(hostname); exit 42');
    assert.equal(res.code, 42, res.err);
    assert.equal(res.out, 'hello-from-bootc-sample\n');
    assert.doesNotMatch(res.err, /bootc-ephemeral: /, 'a VM that is ready already: no boot phases on stderr');
  });

  await t.test('early SSH: the login came through our socket (the image\'s sshd -i) on SSH\'s own NIC, addressed before udev or the image\'s network manager ran', async () => {
    // a login no longer waits for the image's start-up (its network among it): wait for it here, then look
    // at how things were set up (the timestamps say when)
    const res = await ssh('systemctl is-system-running --wait >/dev/null 2>&1; ' +
      'systemctl is-active bootc-ephemeral-sshd.socket; systemctl show -P ConditionResult ssh.service; systemctl show -P ActiveState ssh.service; ' +
      'systemctl list-units --plain --no-legend --state=active "bootc-ephemeral-ssh-address@*" | cut -d" " -f1; ' +
      'systemctl list-units --plain --no-legend --state=running "bootc-ephemeral-sshd@*" | grep -c "SSH connection"; ' +
      'test -L /run/systemd/system/sockets.target.wants/bootc-ephemeral-ssh-address@eth1.service && echo linked-by-init; ' +
      'for u in bootc-ephemeral-ssh-address@eth1 systemd-udevd systemd-networkd; do systemctl show -P ActiveEnterTimestampMonotonic $u.service; done; ' +
      'ip -4 -o address show dev eth1 | grep -o "inet [0-9./]*"; ip -o -6 address show dev eth1 scope global | wc -l; ip route show default; ' +
      'networkctl list --no-legend --no-pager | tr -s " " | cut -d" " -f3,6; cat /sys/class/net/eth1/address');
    const [socket, condition, state, unit, connections, linked, addressAt, udevAt, networkdAt, inet, ipv6Global, ...rest] = res.out.trim().split('\n');
    assert.equal(socket, 'active', res.err);
    assert.equal(condition, 'no', 'the image\'s ssh.service stepped aside');
    assert.equal(state, 'inactive');
    assert.equal(unit, 'bootc-ephemeral-ssh-address@eth1.service', 'SSH\'s NIC kept its kernel name');
    assert.equal(linked, 'linked-by-init', 'our guest init found the NIC by its MAC and pulled the unit in');
    assert.ok(Number(connections) >= 1, `this session's sshd is a per-connection instance of ours: ${connections}`);
    assert.ok(Number(addressAt) > 0 && Number(addressAt) < Number(udevAt) && Number(addressAt) < Number(networkdAt), `SSH's address (${addressAt}) before udevd (${udevAt}) and networkd (${networkdAt})`);
    assert.equal(inet, 'inet 169.254.75.15/24');
    assert.equal(ipv6Global, '0', 'no IPv6 from SSH\'s link (QEMU: ipv6=off)');
    const routes = rest.filter((l) => l.startsWith('default'));
    assert.ok(routes.length >= 1 && routes.every((r) => /dev enp0s2/.test(r)), `the image's own network keeps the default route: ${routes.join(' | ')}`);
    // (still "configuring" while it waits for QEMU's IPv6 router advertisement, after the start-up has finished)
    assert.ok((rest.includes('enp0s2 configured') || rest.includes('enp0s2 configuring')) && rest.includes('eth1 unmanaged'), `networkd configures the image's NIC and leaves SSH's alone: ${rest.join(' | ')}`);
    assert.equal(rest.at(-1), '52:54:00:be:ec:22');
  });

  await t.test('early SSH is first for the CPU while the guest starts: its units and this session in a slice with StartupCPUWeight=1000', async () => {
    const res = await ssh("systemctl show -P StartupCPUWeight 'bootc\\x2dephemeral\\x2dssh.slice'; cat /proc/self/cgroup");
    assert.equal(res.code, 0, res.err);
    const [weight, cgroup] = res.out.trim().split('\n');
    assert.equal(weight, '1000');
    assert.match(cgroup, /^0::\/bootc\\x2dephemeral\\x2dssh\.slice\/bootc-ephemeral-sshd@/, 'the session runs in its connection\'s unit, in that slice');
  });

  await t.test('ps --json shows it ready, with its options', async () => {
    const ps = await cli(['ps', '--json']);
    const vm = (JSON.parse(String(ps.stdout)) as { id: string; name: string; state: string; ssh: boolean; sshPort: number; exitedAt: number | null; startedAt: number | null; options: { memoryMiB: number } }[]).find((v) => v.name === NAME);
    assert.ok(vm, 'listed');
    assert.equal(vm.exitedAt, null, 'a running VM has no exit time (not podman\'s zero time)');
    assert.ok(typeof vm.startedAt === 'number' && vm.startedAt > 1_700_000_000);
    assert.equal(String((await cli(['ps', '-q', '--filter', `name=${NAME}`])).stdout), `${vm.id.slice(0, 12)}\n`);
    assert.equal(String((await cli(['ps', '-q', '--filter', 'label=team=e2e', '--filter', 'state=ready', '--filter', 'state=booting'])).stdout), `${vm.id.slice(0, 12)}\n`);
    assert.equal(String((await cli(['ps', '-q', '--filter', 'label=team=e2e', '--filter', 'state=exited'])).stdout), '', 'keys are all required');
    assert.equal(String((await cli(['ps', '-q', '--filter', `image=${IMAGE}`, '--filter', `name=${NAME}`])).stdout), `${vm.id.slice(0, 12)}\n`);
    assert.equal((await cli(['ps', '--filter', 'colour=red'])).exitCode, 2);
    assert.equal(vm.state, 'ready');
    assert.equal(vm.ssh, true);
    assert.equal(vm.options.memoryMiB, 2048);
    assert.ok(vm.sshPort > 0);
    assert.match(String((await cli(['ps'])).stdout), new RegExp(`^${NAME}\\s+localhost/bootc-sample:latest\\s+ready`, 'm'));
  });

  await t.test('inspect: options, SSH endpoint, state dir, and the boot\'s milestones from the guest\'s journal', async () => {
    const r = await cli(['inspect', NAME]);
    assert.equal(r.exitCode, 0, String(r.stderr));
    const [vm] = JSON.parse(String(r.stdout)) as { name: string; state: string; accelerator: string; stateDir: string; options: { memoryMiB: number }; ssh: { port: number; identityFile: string }; bootSecondsFromKernelStart: { initrd?: number; sshd?: number; startupFinished?: number } }[];
    assert.equal(vm.name, NAME);
    assert.equal(vm.state, 'ready');
    assert.equal(vm.stateDir, stateDir);
    assert.equal(vm.options.memoryMiB, 2048);
    assert.ok(vm.ssh.port > 0 && vm.ssh.identityFile === path.join(stateDir, 'ssh/id_ed25519'));
    const t = vm.bootSecondsFromKernelStart;
    assert.ok(t.initrd !== undefined && t.sshd !== undefined && t.sshd > t.initrd, JSON.stringify(t));
    // the guest's start-up has finished (the early-SSH check waited for it): SSH was possible before it
    assert.ok(t.startupFinished !== undefined && t.startupFinished > t.sshd, `SSH possible before the start-up finished: ${JSON.stringify(t)}`);
  });

  await t.test('ssh-config: plain OpenSSH reaches the VM with its key and the pinned host key', async () => {
    const r = await cli(['ssh-config', NAME]);
    assert.equal(r.exitCode, 0, String(r.stderr));
    assert.match(String(r.stdout), new RegExp(`^Host ${NAME}\n  HostName 127\\.0\\.0\\.1\n  Port \\d+\n`));
    const knownHosts = path.join(stateDir, 'ssh/known_hosts');
    assert.equal(fs.statSync(knownHosts).mode & 0o777, 0o600);
    const config = path.join(work, 'ssh_config');
    fs.writeFileSync(config, String(r.stdout));
    const viaOpenSsh = await execa('ssh', ['-F', config, '-o', 'BatchMode=yes', NAME, 'echo via-openssh-$((6*7))'], { reject: false, timeout: 60_000 });
    assert.equal(viaOpenSsh.exitCode, 0, String(viaOpenSsh.stderr));
    assert.equal(String(viaOpenSsh.stdout), 'via-openssh-42');
    // a different host key is refused: the pin is real
    fs.writeFileSync(knownHosts, fs.readFileSync(knownHosts, 'utf8').replace(/AAAA\S+/, 'AAAAC3NzaC1lZDI1NTE5AAAAIBm2l7ch4ElCnQKsb1/D0J1VGi8jQSVh7QH2bWlFXCsD'));
    const pinned = await execa('ssh', ['-F', config, '-o', 'BatchMode=yes', NAME, 'true'], { reject: false, timeout: 60_000 });
    assert.equal(pinned.exitCode, 255);
    assert.match(String(pinned.stderr), /HOST IDENTIFICATION HAS CHANGED|Host key verification failed/);
    assert.equal((await cli(['ssh-config', NAME])).exitCode, 0, 'ssh-config writes the pin again');
  });

  await t.test('--bind is read-write both ways', async () => {
    fs.writeFileSync(path.join(rw, 'from-host.txt'), 'saved on the host\n');
    const res = await ssh('cat /run/virtiofs-mnt-work/from-host.txt && echo written-in-guest > /run/virtiofs-mnt-work/from-guest.txt');
    assert.equal(res.code, 0, res.err);
    assert.equal(res.out, 'saved on the host\n');
    assert.equal(fs.readFileSync(path.join(rw, 'from-guest.txt'), 'utf8'), 'written-in-guest\n');
  });

  await t.test('--ro-bind is readable, and writes fail', async () => {
    const res = await ssh('cat /run/virtiofs-mnt-cfg/from-host.txt; touch /run/virtiofs-mnt-cfg/nope');
    assert.equal(res.out, 'host data\n');
    assert.notEqual(res.code, 0);
    assert.match(res.err, /Read-only file system/);
    assert.ok(!fs.existsSync(path.join(ro, 'nope')));
  });

  await t.test('--systemd-units: the unit was enabled and ran', async () => {
    const res = await ssh('cat /run/e2e-hello; systemctl is-active e2e-hello.service');
    assert.equal(res.out, 'unit-ran\nactive\n');
  });

  await t.test('--mount-disk-file, --add-swap, --karg', async () => {
    const res = await ssh('readlink -f /dev/disk/by-id/virtio-data; blockdev --getsize64 /dev/disk/by-id/virtio-data; swapon --noheadings --show=SIZE; cat /proc/cmdline');
    const [dev, size, swap, cmdline] = res.out.trim().split('\n');
    assert.match(dev, /^\/dev\/vd[a-z]$/);
    assert.equal(size, String(64 * 1024 * 1024));
    assert.match(swap.trim(), /^12[78](M|\.\d+M)$/);
    assert.match(cmdline, /(^| )e2e\.karg=1( |$)/);
  });

  await t.test('--bind-storage-ro shares the host podman storage read-only', async () => {
    const res = await ssh('ls /run/virtiofs-mnt-hoststorage; touch /run/virtiofs-mnt-hoststorage/x');
    assert.match(res.out, /^overlay$/m);
    assert.match(res.err, /Read-only file system/);
  });

  await t.test('-L forwards a local port to a guest service', async () => {
    const start = await ssh("mkdir -p /run/www && echo served-by-guest > /run/www/index.html && (busybox httpd -p 127.0.0.1:8080 -h /run/www &) ; sleep 0.5; echo started");
    assert.equal(start.out, 'started\n');
    const fwd = execa('node', [CLI, 'ssh', NAME, '-L', '18080:127.0.0.1:8080'], { reject: false, stdin: 'ignore' });
    try {
      let body = '';
      for (let i = 0; i < 40 && !body; i++) {
        await sleep(250);
        body = await new Promise<string>((resolve) => {
          http.get('http://127.0.0.1:18080/index.html', (res) => {
            let b = '';
            res.on('data', (c) => (b += c));
            res.on('end', () => resolve(b));
          }).on('error', () => resolve(''));
        });
      }
      assert.equal(body, 'served-by-guest\n');
    } finally {
      fwd.kill('SIGTERM');
      await fwd;
    }
  });

  await t.test('-R forwards a guest port to a host service (over the early SSH socket\'s sshd -i)', async () => {
    const server = http.createServer((_, res) => res.end('served-by-host\n'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = (server.address() as { port: number }).port;
      const r = await cli(['ssh', NAME, '-R', `18090:127.0.0.1:${port}`, '--', 'busybox', 'wget', '-q', '-O', '-', 'http://127.0.0.1:18090/']);
      assert.equal(r.exitCode, 0, String(r.stderr));
      assert.equal(String(r.stdout), 'served-by-host\n');
    } finally {
      server.close();
    }
  });

  await t.test('the root is stateless: guest writes never reach the image', async () => {
    const res = await ssh('echo x > /etc/e2e-stateless-marker && echo y > /usr/e2e-marker && findmnt -n -o FSTYPE /; cat /etc/e2e-stateless-marker');
    assert.equal(res.code, 0, res.err);
    assert.equal(res.out, 'overlay\nx\n');
    const mount = await podman(['image', 'mount', IMAGE]);
    try {
      const root = String(mount.stdout).trim();
      assert.ok(fs.existsSync(path.join(root, 'etc/hostname')), 'image mounted');
      assert.ok(!fs.existsSync(path.join(root, 'etc/e2e-stateless-marker')));
      assert.ok(!fs.existsSync(path.join(root, 'usr/e2e-marker')));
    } finally {
      await podman(['image', 'unmount', IMAGE]);
    }
  });

  await t.test('journal and virtiofsd logs, in the container and on the host', async () => {
    const journal = await podman(['exec', NAME, 'cat', '/run/bootc-ephemeral-logs/journal.log']);
    assert.match(String(journal.stdout), /kernel: Linux version /);
    assert.match(String(journal.stdout), /kernel: Command line: .* e2e\.karg=1( |$)/m, 'the kernel saw our --karg');
    assert.match(String(journal.stdout), /e2e unit/);
    const vfs = await podman(['exec', NAME, 'ls', '/run/bootc-ephemeral-logs/virtiofsd.log', '/run/bootc-ephemeral-logs/virtiofsd-work.log', '/run/bootc-ephemeral-logs/virtiofsd-cfg.log']);
    assert.equal(vfs.exitCode, 0, String(vfs.stderr));
    const logs = await cli(['logs', NAME, '--journal']);
    assert.match(String(logs.stdout), SSH_POSSIBLE_LINE);
    const consoleLog = await cli(['logs', NAME, '--console']);
    assert.match(String(consoleLog.stdout), /Linux version/);
    // the guest's control sequences are filtered (a guest can print an OSC 52 clipboard write), not with --raw
    const osc = await ssh("printf 'osc-probe:\\033]52;c;cHduZWQ=\\007:end\\n' > /dev/ttyS0");
    assert.equal(osc.code, 0, osc.err);
    const waitForProbe = async () => {
      for (const end = Date.now() + 10_000; ; ) {
        const raw = String((await cli(['logs', NAME, '--console', '--raw'])).stdout);
        if (raw.includes('osc-probe:')) return raw;
        if (Date.now() > end) assert.fail('the probe never reached the console log');
        await sleep(200);
      }
    };
    assert.ok((await waitForProbe()).includes('osc-probe:\x1b]52;c;cHduZWQ=\x07:end'), '--raw keeps the bytes');
    const filtered = String((await cli(['logs', NAME, '--console'])).stdout);
    assert.ok(filtered.includes('osc-probe::end'), 'the OSC 52 sequence is dropped, the text stays');
    assert.ok(!filtered.includes('\x1b]52'));
    // logs -f follows until interrupted: SIGTERM ends it with 143, as a shell reports it
    const follow = execa('node', [CLI, 'logs', NAME, '--journal', '-f'], { reject: false, stdin: 'ignore', forceKillAfterDelay: false });
    let followed = '';
    follow.stdout!.on('data', (d: Buffer) => (followed += d.toString()));
    for (const end = Date.now() + 20_000; !SSH_POSSIBLE_LINE.test(followed); ) {
      if (Date.now() > end) assert.fail('logs -f printed nothing');
      await sleep(100);
    }
    follow.kill('SIGTERM');
    assert.equal((await follow).exitCode, 143);
  });

  await t.test('console: an interactive root shell on ttyS0; Ctrl+] detaches and the VM keeps running', async () => {
    assert.equal(fs.statSync(path.join(stateDir, 'console')).mode & 0o777, 0o700, 'the socket dir is root-only');
    const child = execa('node', [CLI, 'console', NAME], { stdin: 'pipe', reject: false });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    const waitFor = async (re: RegExp, what: string) => {
      for (const end = Date.now() + 30_000; !re.test(out); ) {
        if (Date.now() > end) assert.fail(`no ${what} on the console; it printed:\n${out.slice(-2000)}`);
        await sleep(200);
      }
    };
    child.stdin!.write('\r');
    await waitFor(/root@[\w-]+:~# $/m, 'root prompt');
    // the arithmetic proves the guest shell ran it (the echo of the typed line has no 42)
    child.stdin!.write('echo console-$((6*7)) $(tty)\r');
    await waitFor(/console-42 \/dev\/ttyS0/, 'command output');
    child.stdin!.write('\x1d');
    const r = await child;
    assert.equal(r.exitCode, 0, String(r.stderr));
    assert.match(String(r.stderr), /detached/);
    assert.equal((await ssh('true')).code, 0, 'the VM still answers');
  });

  await t.test('stop (with a session open: it ends 255 with a message), then rm-all -f leaves nothing', async () => {
    const session = execa('node', [CLI, 'ssh', NAME, 'echo connected; sleep 300'], { reject: false, stdin: 'ignore' });
    let out = '';
    session.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    for (const end = Date.now() + 60_000; !out.includes('connected'); ) {
      if (Date.now() > end) assert.fail('the session never connected');
      await sleep(100);
    }
    const started = Date.now();
    const stop = await execa('node', [CLI, 'stop', '--time', '7', NAME], { reject: false, env: { BOOTC_EPHEMERAL_DEBUG: '1' } });
    assert.equal(stop.exitCode, 0, String(stop.stderr));
    assert.match(String(stop.stderr), /^\+ podman stop --time 7 -- [0-9a-f]{64}$/m, '--time reaches podman');
    const stopTook = Date.now() - started;
    const dropped = await session;
    const droppedAfter = Date.now() - started;
    assert.equal(dropped.exitCode, 255, String(dropped.stderr));
    assert.match(String(dropped.stderr), /the connection to the VM closed before the command ended/);
    assert.ok(droppedAfter < 30_000, `the session ended ${droppedAfter} ms after stop (not after TCP keepalives)`);
    assert.ok(stopTook < 20_000, `stopped in ${stopTook} ms`);
    const ps = JSON.parse(String((await cli(['ps', '--json'])).stdout)) as { name: string; state: string; exitCode: number; sshPort?: number }[];
    const vm = ps.find((v) => v.name === NAME)!;
    assert.deepEqual([vm.state, vm.exitCode], ['exited', 0], 'a clean stop is not a failure');
    assert.equal(vm.sshPort, undefined, 'no SSH address for a VM that cannot be reached');
    assert.doesNotMatch(String((await cli(['ps'])).stdout), new RegExp(`^${NAME} .*127\\.0\\.0\\.1:`, 'm'));
    // no connection is 255, as with OpenSSH; the message says it had been up
    const gone = await cli(['ssh', NAME, 'true']);
    assert.equal(gone.exitCode, 255, String(gone.stderr));
    assert.match(String(gone.stderr), new RegExp(`the VM ${NAME} is not running any more \\(container exited, exit 0\\)`));
    const unknown = await cli(['ssh', 'no-such-vm-e2e', 'true']);
    assert.equal(unknown.exitCode, 255);
    assert.match(String(unknown.stderr), /no VM named no-such-vm-e2e/);
    // rm-all asks on a terminal; "n" keeps everything and exits 0, as bcvk does
    const declined = await execa('script', ['-qfec', `node ${CLI} rm-all`, '/dev/null'], { reject: false, input: 'n\n' });
    assert.equal(declined.exitCode, 0, String(declined.stdout));
    assert.match(String(declined.stdout), new RegExp(`${NAME} \\(exited\\)[\\s\\S]*Remove these \\d+ VM\\(s\\)\\? \\[y/N\\]`));
    assert.ok(fs.existsSync(stateDir), 'declined: nothing removed');
    const rm = await cli(['rm-all', '-f']);
    assert.equal(rm.exitCode, 0, String(rm.stderr));
    assert.match(String(rm.stdout), new RegExp(`Removed ${NAME}`));
    const left = await podman(['ps', '-a', '--filter', 'label=io.bootc-ephemeral=1', '--format', '{{.Names}}']);
    assert.equal(String(left.stdout).trim(), '');
    assert.ok(!fs.existsSync(stateDir));
  });
});
