import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execa } from 'execa';
import { cli, containerNames, stateDirs, podman, ROOT, TEST_LABEL } from './harness';

// arm64 images on this amd64 host: the sample image's arm64 variant (npm run sample-image:arm64,
// debootstrap through qemu-user-static; CI builds it during setup, else it is built here once), booted
// with qemu-system-aarch64 under TCG. An image FROM it adds kargs.d files (COPY only: nothing arm64
// runs on the host). Two boots: --execute, and a detached VM reached over SSH.
const ARM64_SAMPLE = 'localhost/bootc-sample:arm64';
const ARM64_IMAGE = 'localhost/bootc-ephemeral-e2e-arm64:latest';
const NAME = 'e2e-arm64';
const KARGS_D = '/usr/lib/bootc/kargs.d';
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-arm64-'));
const share = path.join(work, 'share');

before(async () => {
  const built = await execa('bash', [path.join(ROOT, 'scripts/sample-image.sh')], { env: { ARCH: 'arm64' }, reject: false, all: true, timeout: 1_500_000 });
  assert.equal(built.exitCode, 0, `building ${ARM64_SAMPLE}: ${String(built.all).slice(-2000)}`);
  const ctx = path.join(work, 'ctx');
  fs.mkdirSync(ctx);
  fs.writeFileSync(path.join(ctx, '10-arm.toml'), 'kargs = ["bcetest.arm=1"]\nmatch-architectures = ["aarch64"]\n');
  fs.writeFileSync(path.join(ctx, '20-x86.toml'), 'kargs = ["bcetest.x86=1"]\nmatch-architectures = ["x86_64"]\n');
  fs.writeFileSync(path.join(ctx, 'Containerfile'), [`FROM ${ARM64_SAMPLE}`, `COPY 10-arm.toml 20-x86.toml ${KARGS_D}/`].join('\n') + '\n');
  const r = await podman(['build', '--pull=never', '-t', ARM64_IMAGE, ctx]);
  assert.equal(r.exitCode, 0, `building ${ARM64_IMAGE}: ${r.stderr}`);
  fs.mkdirSync(share);
  fs.writeFileSync(path.join(share, 'from-host'), 'written on the amd64 host\n');
});

after(async () => {
  await cli(['rm', '-f', NAME]);
  await podman(['rmi', '-f', ARM64_IMAGE]);
  fs.rmSync(work, { recursive: true, force: true });
});

test('an arm64 image boots emulated: --execute output and exit status, a bind, uname -m aarch64, its aarch64 kargs.d only; KVM refused', { timeout: 600_000 }, async () => {
  const identity = await podman(['image', 'inspect', '--format', '{{.Architecture}}', ARM64_IMAGE]);
  assert.equal(String(identity.stdout).trim(), 'arm64', 'the image says it is arm64 (what the engine goes by)');
  const before = { containers: await containerNames(), dirs: stateDirs() };
  const script = 'uname -m; cat /run/virtiofs-mnt-share/from-host; cat /proc/cmdline; exit 7';
  const r = await cli(['run', '--rm', '--label', TEST_LABEL, '--ro-bind', `${share}:share`, '--execute', `/bin/sh -c '${script}'`, ARM64_IMAGE], { timeoutMs: 500_000 });
  assert.equal(r.exitCode, 7, `the guest command's status: ${r.stderr}`);
  const [machine, fromHost, cmdline] = String(r.stdout).split('\n');
  assert.equal(machine, 'aarch64');
  assert.equal(fromHost, 'written on the amd64 host');
  assert.match(cmdline, / console=ttyAMA0 /, 'the console is the arm64 virt machine\'s PL011 UART');
  assert.match(cmdline, / bcetest\.arm=1( |$)/, 'the image\'s aarch64 kargs.d file applies');
  assert.doesNotMatch(cmdline, /bcetest\.x86/, 'its x86_64 one does not');
  assert.match(String(r.stderr), /an arm64 image on an amd64 host: QEMU emulates it/);
  assert.deepEqual(await containerNames(), before.containers, 'run --rm leaves no container');
  assert.deepEqual(stateDirs(), before.dirs, 'nor a state dir');

  // KVM cannot run a foreign guest: one error naming the field, before anything starts
  const kvm = await cli(['run', '--rm', '--accel', 'kvm', '--execute', 'true', ARM64_IMAGE]);
  assert.notEqual(kvm.exitCode, 0);
  assert.match(String(kvm.stderr), /--accel kvm: KVM cannot run an arm64 guest on this amd64 host/);
  assert.deepEqual(await containerNames(), before.containers);
  assert.deepEqual(stateDirs(), before.dirs);
});

test('run -d -K of an arm64 image: ssh with its exit status, a writable bind, ps and inspect say arm64, the console logs in', { timeout: 600_000 }, async () => {
  const r = await cli(['run', '-d', '-K', '--name', NAME, '--label', TEST_LABEL, '--bind', `${share}:share`, ARM64_SAMPLE]);
  assert.equal(r.exitCode, 0, String(r.stderr));
  const s = await cli(['ssh', '--timeout', '400', NAME, '--', 'sh', '-c', 'uname -m; systemctl is-active bootc-ephemeral-ssh-address@eth1.service; echo from-the-guest > /run/virtiofs-mnt-share/from-guest; exit 3'], { timeoutMs: 500_000 });
  assert.equal(s.exitCode, 3, `ssh returns the remote status: ${s.stderr}`);
  assert.equal(String(s.stdout), 'aarch64\nactive\n', 'early SSH on its own NIC on the arm64 virt machine too');
  assert.equal(fs.readFileSync(path.join(share, 'from-guest'), 'utf8'), 'from-the-guest\n');

  const ps = JSON.parse(String((await cli(['ps', '--json'])).stdout)) as { name: string; arch?: string; accel?: string; state: string }[];
  const vm = ps.find((v) => v.name === NAME);
  assert.deepEqual({ arch: vm?.arch, accel: vm?.accel, state: vm?.state }, { arch: 'arm64', accel: 'tcg', state: 'ready' });
  assert.match(String((await cli(['ps'])).stdout), new RegExp(`^${NAME}\\s.*\\stcg\\s+arm64\\s`, 'm'), 'ps shows the ARCH column');
  const [details] = JSON.parse(String((await cli(['inspect', NAME])).stdout));
  assert.equal(details.architecture, 'arm64');
  // the -K key came on fw_cfg (no SMBIOS without firmware on arm64 virt), and the console is ttyAMA0 with root's shell
  // (its getty starts with the image's start-up, which a login no longer waits for)
  const guest = await cli(['ssh', NAME, '--', 'sh', '-c', 'ls /sys/firmware/qemu_fw_cfg/by_name/opt/io.systemd.credentials/; systemctl is-system-running --wait >/dev/null 2>&1; systemctl is-active serial-getty@ttyAMA0.service']);
  assert.equal(String(guest.stdout), 'ssh.authorized_keys.root\nactive\n', String(guest.stderr));

  const rm = await cli(['rm', '-f', NAME]);
  assert.equal(rm.exitCode, 0, String(rm.stderr));
  assert.ok(!(await containerNames()).includes(NAME));
  assert.ok(!stateDirs().includes(NAME));
});
