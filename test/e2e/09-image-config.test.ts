import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cli, containerNames, stateDirs, IMAGE, podman, TEST_LABEL, STATE_ROOT } from './harness';

// Images as people build them, and first-boot configuration: the image's own kernel arguments
// (/usr/lib/bootc/kargs.d) on images built here from the sample image, and systemd credentials. One
// booted VM for what the guest got; the rest refused or planned without a boot.
const KARGS_IMAGE = 'localhost/bootc-ephemeral-e2e-kargs:latest';
const BAD_TOML = 'localhost/bootc-ephemeral-e2e-kargs-bad-toml:latest';
const LINKED = 'localhost/bootc-ephemeral-e2e-kargs-link:latest';
const NAME = 'e2e-image-config';
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-image-config-'));
const units = path.join(work, 'units');
const tokenFile = path.join(work, 'token');
const ignitionFile = path.join(work, 'config.ign');
// a unit of the user's that reads a credential the systemd way, as a service would
const CREDENTIAL_READER = `[Unit]
Description=reads the token credential
[Service]
Type=oneshot
LoadCredential=token
ExecStart=/bin/sh -c 'cat "$CREDENTIALS_DIRECTORY/token" > /run/credential-reader.out'
[Install]
WantedBy=multi-user.target
`;
const KARGS_D = '/usr/lib/bootc/kargs.d';

async function build(tag: string, files: Record<string, string>, extra = ''): Promise<void> {
  const dir = fs.mkdtempSync(path.join(work, 'ctx-'));
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  const copies = Object.keys(files).map((n) => `COPY ${n} ${KARGS_D}/${n}`);
  fs.writeFileSync(path.join(dir, 'Containerfile'), [`FROM ${IMAGE}`, ...copies, extra].join('\n') + '\n');
  const r = await podman(['build', '--pull=never', '-t', tag, '-f', path.join(dir, 'Containerfile'), dir]);
  assert.equal(r.exitCode, 0, `building ${tag}: ${r.stderr}`);
}

before(async () => {
  fs.mkdirSync(units);
  fs.writeFileSync(path.join(units, 'credential-reader.service'), CREDENTIAL_READER);
  // 20 KiB: over what an SMBIOS string carries, so it must come on fw_cfg
  fs.writeFileSync(tokenFile, `token-${'t'.repeat(20 * 1024)}\n`, { mode: 0o600 });
  fs.writeFileSync(ignitionFile, JSON.stringify({ ignition: { version: '3.4.0' }, passwd: { users: [{ name: 'core' }] } }));
  await build(KARGS_IMAGE, {
    '10-test.toml': '# as bootc documents it\nkargs = ["bcetest.first=1", "bcetest.quoted=\\"a b\\""]\n',
    '20-override.toml': 'kargs = ["bcetest.order=image"]\nmatch-architectures = ["x86_64", "aarch64"]\n',
    '05-arm.toml': 'kargs = ["bcetest.arm=1"]\nmatch-architectures = ["aarch64"]\n',
  }, 'LABEL coreos.ignition=1\n# no ip: early SSH cannot give the NIC its address, so the image keeps its own sshd service\nRUN rm -f /usr/bin/ip /usr/sbin/ip');
  await build(BAD_TOML, { '10-good.toml': 'kargs = ["quiet"]\n', '30-broken.toml': 'kargs = ["unterminated"\n' });
  await build(LINKED, {}, `RUN mkdir -p ${KARGS_D} && ln -s /etc/hostname ${KARGS_D}/10-link.toml`);
});

after(async () => {
  await cli(['rm', '-f', NAME]);
  for (const tag of [KARGS_IMAGE, BAD_TOML, LINKED]) await podman(['rmi', '-f', tag]);
  fs.rmSync(work, { recursive: true, force: true });
});

test('the image\'s kargs.d arguments reach the guest\'s kernel in file order, after ours and before --karg; inspect says which file gave which; credentials reach systemd; without ip, the image\'s own sshd serves SSH', { timeout: 600_000 }, async () => {
  const r = await cli([
    'run', '-d', '-K', '--name', NAME, '--label', TEST_LABEL, '--karg', 'bcetest.order=user',
    '--credential', 'greeting=hello from the host', '--credential', 'an.unusually.long.credential.name=short',
    '--credential-file', `token=${tokenFile}`, '--systemd-units', units, '--ignition', ignitionFile, KARGS_IMAGE,
  ]);
  assert.equal(r.exitCode, 0, String(r.stderr));
  const cmdline = await cli(['ssh', '--timeout', '300', NAME, '--', 'cat', '/proc/cmdline'], { timeoutMs: 400_000 });
  assert.equal(cmdline.exitCode, 0, String(cmdline.stderr));
  const line = String(cmdline.stdout).trim();
  assert.match(line, /rdinit=\S+ bcetest\.first=1 bcetest\.quoted="a b" bcetest\.order=image bcetest\.order=user$/, `the guest's /proc/cmdline: ${line}`);
  assert.doesNotMatch(line, /bcetest\.arm/, 'a file for another architecture is not applied');
  assert.match(line, / ignition\.platform\.id=qemu /, 'Ignition is told it runs on QEMU');
  // Ignition reads its config from fw_cfg: the guest sees the file's bytes there (no Ignition in this image applies it)
  const served = await cli(['ssh', NAME, '--', 'cat', '/sys/firmware/qemu_fw_cfg/by_name/opt/com.coreos/config/raw']);
  assert.equal(String(served.stdout), fs.readFileSync(ignitionFile, 'utf8'), String(served.stderr));
  const inspect = await cli(['inspect', NAME]);
  const [details] = JSON.parse(String(inspect.stdout));
  assert.deepEqual(details.imageKernelArgs, [
    { file: `${KARGS_D}/05-arm.toml`, kargs: ['bcetest.arm=1'], applied: false },
    { file: `${KARGS_D}/10-test.toml`, kargs: ['bcetest.first=1', 'bcetest.quoted="a b"'], applied: true },
    { file: `${KARGS_D}/20-override.toml`, kargs: ['bcetest.order=image'], applied: true },
  ]);
  // credentials: the system's, and a unit's LoadCredential= (the 20 KiB one whole)
  const creds = await cli(['ssh', NAME, '--', 'sh', '-c', 'cat /run/credentials/@system/greeting; echo; cat /run/credentials/@system/an.unusually.long.credential.name; echo; wc -c < /run/credential-reader.out; systemctl is-active credential-reader.service || true']);
  assert.equal(creds.exitCode, 0, String(creds.stderr));
  assert.deepEqual(String(creds.stdout).trim().split('\n'), ['hello from the host', 'short', String(fs.statSync(tokenFile).size), 'inactive'], 'a oneshot that ran and read it');
  // the values are nowhere on the host but in the VM's own plan files (0600)
  const labels = String((await podman(['inspect', '--format', '{{json .Config.Labels}} {{json .Config.Cmd}} {{json .Config.Entrypoint}}', NAME])).stdout);
  assert.doesNotMatch(labels, /hello from the host|tttttttt/);
  assert.match(labels, /greeting/, 'the names are recorded');
  const recorded = fs.readFileSync(path.join(STATE_ROOT, NAME, 'options.json'), 'utf8');
  assert.doesNotMatch(recorded, /hello from the host/);
  const plan = path.join(STATE_ROOT, NAME, 'plan');
  for (const f of fs.readdirSync(plan).filter((n) => /credential/.test(n) && !/ssh/.test(n))) assert.equal(fs.statSync(path.join(plan, f)).mode & 0o777, 0o600, f);
  assert.doesNotMatch(fs.readFileSync(path.join(plan, '900-qemu.proc'), 'utf8'), /hello from the host/, 'QEMU\'s argv names files, not values');
  const restart = await cli(['restart', NAME]);
  assert.notEqual(restart.exitCode, 0);
  assert.match(String(restart.stderr), /--credential greeting, an\.unusually\.long\.credential\.name: their values were never stored/);
  // early SSH's fallback: the image's ssh.service (after network.target), no socket of ours
  const sshd = await cli(['ssh', NAME, '--', 'sh', '-c', 'systemctl is-active ssh.service; systemctl is-active bootc-ephemeral-sshd.socket; journalctl -b -u ssh.service | grep -c "Server listening"']);
  assert.deepEqual(String(sshd.stdout).trim().split('\n'), ['active', 'inactive', '2'], String(sshd.stderr));
  const rm = await cli(['rm', '-f', NAME]);
  assert.equal(rm.exitCode, 0, String(rm.stderr));
});

test('--no-image-kargs: QEMU gets none of them and the container records none', { timeout: 300_000 }, async () => {
  const r = await cli(['run', '-d', '--no-image-kargs', '--name', NAME, '--label', TEST_LABEL, KARGS_IMAGE]);
  assert.equal(r.exitCode, 0, String(r.stderr));
  try {
    const plan = fs.readFileSync(path.join(STATE_ROOT, NAME, 'plan', '900-qemu.proc'), 'utf8');
    assert.match(plan, /rdinit=/, 'the plan holds QEMU\'s kernel command line');
    assert.doesNotMatch(plan, /bcetest\./);
    const labels = await podman(['inspect', '--format', '{{json .Config.Labels}}', NAME]);
    const recorded = JSON.parse(String(labels.stdout)) as Record<string, string>;
    assert.ok(recorded['io.bootc-ephemeral'] && !('io.bootc-ephemeral.image-kargs' in recorded), String(labels.stdout));
    const inspect = await cli(['inspect', NAME]);
    assert.equal(JSON.parse(String(inspect.stdout))[0].imageKernelArgs, null);
  } finally {
    await cli(['rm', '-f', NAME]);
  }
});

test('a malformed kargs.d file, or a link in its place, is one error naming the file; nothing is left', { timeout: 300_000 }, async () => {
  const before = { containers: await containerNames(), dirs: stateDirs() };
  const broken = await cli(['run', '--rm', '--label', TEST_LABEL, '--execute', 'true', BAD_TOML]);
  assert.notEqual(broken.exitCode, 0);
  assert.match(String(broken.stderr), /30-broken\.toml is not valid TOML/, String(broken.stderr));
  assert.match(String(broken.stderr), /--no-image-kargs/, 'the way to boot anyway');
  const noIgnition = await cli(['run', '--rm', '--label', TEST_LABEL, '--ignition', ignitionFile, '--execute', 'true', IMAGE]);
  assert.notEqual(noIgnition.exitCode, 0);
  assert.match(String(noIgnition.stderr), /does not run Ignition \(it has neither the coreos\.ignition nor the com\.coreos\.osname label\)/);
  const notAConfig = await cli(['run', '--rm', '--label', TEST_LABEL, '--ignition', tokenFile, '--execute', 'true', KARGS_IMAGE]);
  assert.match(String(notAConfig.stderr), /--ignition .*token: not JSON/);
  const linked = await cli(['run', '--rm', '--label', TEST_LABEL, '--execute', 'true', LINKED]);
  assert.notEqual(linked.exitCode, 0);
  assert.match(String(linked.stderr), /10-link\.toml is not a regular file/, String(linked.stderr));
  assert.deepEqual(await containerNames(), before.containers);
  assert.deepEqual(stateDirs(), before.dirs);
});
