import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execa } from 'execa';
import { cli, containerNames, stateDirs, IMAGE, podman, ROOT } from './harness';
import { probeKvm } from '../../src/engine/host/kvm';

// Bad input: one clear error naming the field and value, before podman starts anything, nothing left.
let before_: { containers: string[]; state: string[] };
before(async () => {
  before_ = { containers: await containerNames(), state: stateDirs() };
});

async function assertNothingLeft() {
  assert.deepEqual(await containerNames(), before_.containers, 'no container left behind');
  assert.deepEqual(stateDirs(), before_.state, 'no state dir left behind');
}

const cases: [string, string[], RegExp][] = [
  ['memory with a unit bcvk rejects', ['--memory', '4GB'], /invalid memory "4GB"/],
  ['unknown instance type', ['--itype', 'u1.gigantic'], /invalid itype "u1\.gigantic": unknown instance type/],
  ['vcpus zero', ['--vcpus', '0'], /invalid vcpus "0"/],
  ['missing bind path', ['--bind', '/does/not/exist'], /invalid bind "\/does\/not\/exist": \/does\/not\/exist does not exist/],
  ['bad VM name', ['--name', 'no spaces please'], /invalid name "no spaces please"/],
  ['a podman network that does not exist', ['--network', 'no-such-network'], /invalid network "no-such-network": no such podman network/],
  ['missing disk file', ['--mount-disk-file', '/nope.img:data'], /invalid mount-disk-file "\/nope\.img:data"/],
  ['bad swap size', ['--add-swap', 'big'], /invalid add-swap "big"/],
  ['bad accel', ['--accel', 'hvf'], /invalid accel "hvf"/],
  ['missing units dir', ['--systemd-units', '/no/units'], /invalid systemd-units "\/no\/units"/],
];

for (const [title, flags, message] of cases) {
  test(`invalid input fails before anything starts: ${title}`, async () => {
    const r = await cli(['run', '-d', ...flags, IMAGE]);
    assert.equal(r.exitCode, 2, String(r.stderr));
    assert.match(String(r.stderr), message);
    assert.equal(String(r.stdout), '');
    await assertNothingLeft();
  });
}

// The bad-input table: each case names its field in the error, exits 2, and leaves no container, no
// state dir and no temp file. Paths the cases need are made here.
const fixtures = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-badinput-'));
const colonDir = path.join(fixtures, 'with:colon');
const colonDisk = path.join(fixtures, 'disk:a.img');
const plainFile = path.join(fixtures, 'file.txt');
fs.mkdirSync(colonDir);
fs.writeFileSync(colonDisk, '');
fs.writeFileSync(plainFile, '');
const tempEntries = () => fs.readdirSync(os.tmpdir()).filter((e) => e.startsWith('bootc-eph')).sort();

const table: [string, string[]][] = [
  ['bind', ['--bind', ':x']],
  ['bind', ['--bind', '']],
  ['ro-bind', ['--ro-bind', ':x']],
  ['bind', [`--bind=${colonDir}:name`]],
  ['bind', ['--bind', `${colonDir}`]],
  ['bind', ['--bind', '/does/not/exist']],
  ['bind', ['--bind', plainFile]],
  ['bind', ['--bind', `${fixtures}:bad/name`]],
  ['bind', ['--bind', `${fixtures}:Work Dir`]],
  ['ro-bind', ['--bind', `${fixtures}:dup`, '--ro-bind', `${fixtures}:dup`]],
  ['bind', ['--bind', '/']],
  ['bind', ['--bind', '/etc']],
  ['ro-bind', ['--ro-bind', '/proc']],
  ['bind', ['--bind', '/sys/kernel']],
  ['bind', ['--bind', '/dev']],
  ['bind', ['--bind', STATE_ROOT_FOR_TABLE()]],
  ['bind', ['--bind', '/var/lib/bootc-ephemeral']],
  ['memory', ['--memory', '']],
  ['memory', ['--memory', '2 G']],
  ['memory', ['--memory', '4GB']],
  ['memory', ['--memory', '64M']],
  ['memory', ['--memory', '99999G']],
  ['memory', ['--memory', '-1']],
  ['memory', ['--memory', '1e3']],
  ['vcpus', ['--vcpus', '']],
  ['vcpus', ['--vcpus', '0']],
  ['vcpus', ['--vcpus', '1.5']],
  ['vcpus', ['--vcpus', '257']],
  ['vcpus', ['--vcpus', 'two']],
  ['itype', ['--itype', 'u1.gigantic']],
  ['itype', ['--itype', '']],
  ['label', ['--label', 'k']],
  ['label', ['--label', '=v']],
  ['label', ['--label', 'io.bootc-ephemeral.state-dir=/etc']],
  ['env', ['-e', 'NOVALUE']],
  ['env', ['-e', '1X=2']],
  ['env', ['--env', '=v']],
  ['name', ['--name', 'no spaces please']],
  ['name', ['--name', '../escape']],
  ['name', ['--name', '-lead']],
  ['name', ['--name', 'x'.repeat(64)]],
  ['name', ['--name', '']],
  ['network', ['--network', 'no-such-network']],
  ['network', ['--network', 'a b']],
  ['mount-disk-file', ['--mount-disk-file', colonDisk]],
  ['mount-disk-file', ['--mount-disk-file', '/nope.img:data']],
  ['mount-disk-file', ['--mount-disk-file', `${fixtures}:data`]],
  ['mount-disk-file', ['--mount-disk-file', `${plainFile}:bad/name`]],
  ['mount-disk-file', ['--mount-disk-file', `${plainFile}:d:vmdk`]],
  ['mount-disk-file', ['--mount-disk-file', ':data']],
  ['add-swap', ['--add-swap', 'big']],
  ['add-swap', ['--add-swap', '1K']],
  ['max-log-size', ['--max-log-size', 'huge']],
  ['max-log-size', ['--max-log-size', '100K']],
  ['max-log-size', ['--max-log-size', '17G']],
  ['accel', ['--accel', 'hvf']],
  ['accel', ['--accel', '']],
  ['systemd-units', ['--systemd-units', '/no/units']],
  ['systemd-units', ['--systemd-units', plainFile]],
  ['virtio-serial-out', ['--virtio-serial-out', 'noport']],
  ['virtio-serial-out', ['--virtio-serial-out', 'p:/no/such/dir/f']],
  ['virtio-serial-out', ['--virtio-serial-out', `p:${fixtures}`]],
  ['execute', ['--execute', '']],
  ['execute', ['--execute', '   ']],
  ['karg', ['--karg', 'two args']],
  ['karg', ['--karg', '']],
  ['debug-entrypoint', ['--debug-entrypoint', '']],
  ['credential', ['--credential', 'novalue']],
  ['credential', ['--credential', 'bad/name=1']],
  ['credential', ['--credential', 'a=1', '--credential', 'a=2']],
  ['credential', ['-K', '--credential', 'ssh.authorized_keys.root=x']],
  ['credential-file', ['--credential-file', 'token=/no/such/file']],
  ['credential-file', ['--credential-file', `token=${fixtures}`]],
];

function STATE_ROOT_FOR_TABLE(): string {
  return process.env.BOOTC_EPHEMERAL_STATE_DIR ?? '/var/lib/bootc-ephemeral/vms';
}

test(`bad-input table: ${table.length} cases, each names its field, exits 2 and leaves nothing`, async () => {
  const temps = tempEntries();
  try {
    for (const [field, flags] of table) {
      const r = await cli(['run', '-d', ...flags, IMAGE]);
      const what = `${JSON.stringify(flags)}: ${String(r.stderr)}`;
      assert.equal(r.exitCode, 2, what);
      assert.match(String(r.stderr), new RegExp(`^bootc-ephemeral run: invalid ${field} "`, 'm'), what);
      assert.equal(String(r.stdout), '', what);
    }
    await assertNothingLeft();
    assert.deepEqual(tempEntries(), temps, 'no temp file left');
  } finally {
    fs.rmSync(fixtures, { recursive: true, force: true });
  }
});

test('unknown flags and missing IMAGE are usage errors', async () => {
  const r = await cli(['run', '--frobnicate', IMAGE]);
  assert.equal(r.exitCode, 2);
  assert.match(String(r.stderr), /unknown option --frobnicate/);
  assert.equal((await cli(['run'])).exitCode, 2);
  await assertNothingLeft();
});

test('an image that is not in local storage: clear error, nothing left', async () => {
  const r = await cli(['run', '-d', 'localhost/no-such-image:latest']);
  assert.equal(r.exitCode, 1);
  assert.match(String(r.stderr), /image localhost\/no-such-image:latest is not in local podman storage/);
  assert.match(String(r.stderr), /^hint: build it or pull it there first \(the VM never pulls\)$/m);
  await assertNothingLeft();
});

test('--debug prints each podman command line before running it', async () => {
  const r = await cli(['run', '-d', '--debug', 'localhost/no-such-image:latest']);
  assert.equal(r.exitCode, 1);
  assert.match(String(r.stderr), /^\+ podman image inspect --format '\{\{\.Id\}\} \{\{\.Architecture\}\}' -- localhost\/no-such-image:latest$/m);
  await assertNothingLeft();
});

test('an image without a kernel: clear error, no container, no state', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nokernel-'));
  fs.writeFileSync(path.join(dir, 'hello'), 'hi\n');
  fs.writeFileSync(path.join(dir, 'Containerfile'), 'FROM scratch\nCOPY hello /hello\nLABEL containers.bootc=1\n');
  const image = 'localhost/bootc-ephemeral-e2e-nokernel:latest';
  const b = await podman(['build', '-q', '-t', image, dir]);
  fs.rmSync(dir, { recursive: true, force: true });
  assert.equal(b.exitCode, 0, String(b.stderr));
  const r = await cli(['run', '-d', '--name', 'e2e-nokernel', image]);
  assert.equal(r.exitCode, 1);
  assert.match(String(r.stderr), /no kernel found in image localhost\/bootc-ephemeral-e2e-nokernel:latest: expected \/usr\/lib\/modules\/<version>\/vmlinuz and initramfs\.img/);
  await assertNothingLeft();
  assert.equal((await podman(['container', 'exists', 'e2e-nokernel'])).exitCode, 1);
  await podman(['rmi', image]);
});

test('a taken name is refused before anything starts', async () => {
  const c = await podman(['create', '--name', 'e2e-taken', IMAGE, 'true']);
  assert.equal(c.exitCode, 0, String(c.stderr));
  try {
    const r = await cli(['run', '-d', '--name', 'e2e-taken', IMAGE]);
    assert.equal(r.exitCode, 1);
    assert.match(String(r.stderr), /a container named e2e-taken already exists/);
    assert.ok(!stateDirs().includes('e2e-taken'));
  } finally {
    await podman(['rm', '-f', 'e2e-taken']);
  }
});

test('-h, --help and help CMD for every command', async () => {
  for (const cmd of ['run', 'ssh', 'run-ssh', 'ps', 'stop', 'restart', 'rm', 'rm-all', 'console', 'inspect', 'ssh-config', 'logs', 'doctor', 'completion']) {
    for (const argv of [[cmd, '--help'], [cmd, '-h'], ['help', cmd], [cmd, 'x', '-h']]) {
      const r = await cli(argv);
      assert.equal(r.exitCode, 0, `${argv.join(' ')}: ${r.stderr}`);
      assert.match(String(r.stdout), new RegExp(`^Usage: bootc-ephemeral ${cmd} `), argv.join(' '));
    }
  }
  const unknown = await cli(['help', 'nope']);
  assert.equal(unknown.exitCode, 2);
  assert.match(String(unknown.stderr), /no help for "nope"/);
  // after IMAGE, run-ssh's words are the guest's: -h there is not ours
  const r = await cli(['run-ssh', '--memory', 'lots', IMAGE, 'ls', '-h']);
  assert.equal(r.exitCode, 2);
  assert.match(String(r.stderr), /invalid memory "lots"/);
});

test('the installed command: npm pack, install into a temporary prefix, run it', { timeout: 180_000 }, async () => {
  const prefix = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-install-'));
  try {
    const pack = await execa('npm', ['pack', '--silent', '--pack-destination', prefix], { cwd: ROOT, reject: false });
    assert.equal(pack.exitCode, 0, String(pack.stderr));
    const tgz = path.join(prefix, String(pack.stdout).trim().split('\n').pop()!);
    // offline with an empty cache: the package needs nothing but its tarball (no runtime dependencies;
    // npm 11 fetches a dependency's full metadata, which no earlier `npm ci` has cached)
    const install = await execa('npm', ['install', '--global', '--offline', '--no-audit', '--no-fund', '--cache', path.join(prefix, 'empty-npm-cache'), '--prefix', prefix, tgz], { reject: false });
    assert.equal(install.exitCode, 0, String(install.stderr));
    const bin = path.join(prefix, 'bin', 'bootc-ephemeral');
    const version = await execa(bin, ['--version'], { reject: false });
    assert.equal(version.exitCode, 0, String(version.stderr));
    assert.match(String(version.stdout), /^bootc-ephemeral \d+\.\d+\.\d+$/);
    const ps = await execa(bin, ['ps', '--json'], { reject: false });
    assert.equal(ps.exitCode, 0, String(ps.stderr));
    assert.ok(Array.isArray(JSON.parse(String(ps.stdout))));
    const help = await execa(bin, ['help', 'run'], { reject: false });
    assert.match(String(help.stdout), /^Usage: bootc-ephemeral run /);
    // ssh2, yaml and execa ship as their own files, loaded on first use: each is installed next to the CLI and loads
    for (const [file, use] of [['ssh2.js', ".utils.generateKeyPairSync('ed25519')"], ['yaml.js', ".parse('a: 1').a"], ['execa.js', '.execa']]) {
      const dep = path.join(fs.realpathSync(bin), '..', file);
      const loads = await execa(process.execPath, ['-e', `if (!require(${JSON.stringify(dep)})${use}) process.exit(3)`], { reject: false });
      assert.equal(loads.exitCode, 0, `${file}: ${String(loads.stderr)}`);
    }
  } finally {
    fs.rmSync(prefix, { recursive: true, force: true });
  }
});

test('doctor reports each check and passes on a prepared host', async () => {
  const r = await cli(['doctor', '--json']);
  const checks = JSON.parse(String(r.stdout)) as { id: string; status: string; title: string; detail: string }[];
  assert.deepEqual(checks.map((c) => c.id), ['connection', 'podman', 'mode', 'qemu', 'qemu-foreign', 'virtiofsd', 'busybox', 'kvm', 'rlimits', 'cgroups', 'privileges', 'sample-image']);
  assert.equal(r.exitCode, checks.some((c) => c.status === 'fail') ? 1 : 0);
  const status = (id: string) => checks.find((c) => c.id === id)?.status;
  for (const id of ['connection', 'podman', 'mode', 'qemu', 'qemu-foreign', 'virtiofsd', 'busybox', 'rlimits', 'cgroups', 'privileges', 'sample-image']) assert.equal(status(id), 'ok', id);
  // KVM: ok where it can run a guest, a warning (TCG) where it cannot, as the engine's own probe says
  assert.equal(status('kvm'), probeKvm().usable ? 'ok' : 'warn');
  const text = await cli(['doctor']);
  assert.equal(text.exitCode, r.exitCode);
  const mark = { ok: 'ok  ', warn: 'WARN', fail: 'FAIL' } as Record<string, string>;
  const lines = String(text.stdout).split('\n').filter((l) => l.startsWith('['));
  assert.deepEqual(lines.map((l) => l.slice(0, 6)), checks.map((c) => `[${mark[c.status]}]`), 'one line per check, with its status');
  for (const [i, c] of checks.entries()) assert.equal(lines[i], `${lines[i].slice(0, 6)} ${c.title}: ${c.detail}`);
  assert.match(String(text.stdout), /^\[ok {2}\] VM container privileges: not privileged/m);
});

test('a failing podman build names the failing step', async () => {
  const { buildImage } = await import('../../src/engine/podman/build');
  const { Podman } = await import('../../src/engine/podman/podman');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'badbuild-'));
  const marker = `building-${Date.now()}`; // unique: a cached layer would print nothing
  fs.writeFileSync(path.join(dir, 'Containerfile'), `FROM ${IMAGE}\nRUN echo ${marker}\nRUN exit 7\n`);
  const lines: string[] = [];
  try {
    const { BuildFailedError } = await import('../../src/engine/errors');
    await assert.rejects(
      buildImage(new Podman(), { containerfile: path.join(dir, 'Containerfile'), context: dir, tag: 'localhost/bootc-ephemeral-e2e-badbuild:latest' }, (l) => lines.push(l)),
      (e: unknown) => {
        assert.ok(e instanceof BuildFailedError);
        assert.match(e.message, /podman build failed at STEP 3\/3: RUN exit 7/);
        // the error carries the output and where the failing step begins (the extension opens the log there)
        assert.equal(e.output[e.failingStepLine!], 'STEP 3/3: RUN exit 7');
        assert.ok(e.output.includes(marker));
        return true;
      },
    );
    assert.ok(lines.includes(marker), 'build output streamed line by line');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
