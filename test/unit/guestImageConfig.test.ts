import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { guestStorageConf, storageConfOf, GUEST_HOST_STORE } from '../../src/engine/vm/containerStorage';
import { readCloudInitSeed, cloudInitKernelArg, MAX_CLOUD_INIT_BYTES } from '../../src/engine/vm/cloudInit';
import { kernelProbeArgs, type ImageEntry } from '../../src/engine/vm/kernel';
import { sshRouteFor } from '../../src/engine/plan/network';
import { setupTmpfiles, setupOps, buildGuestPayload, GUEST_ETC_DIR, type GuestPayloadInput } from '../../src/engine/plan/guestPayload';
import { renderShell, type SetupOp } from '../../src/engine/plan/guestSetup';
import { bindMountUnit, consoleAutologinDropIn, containerStorageUnit, journalStreamUnit } from '../../src/engine/plan/guestUnits';
import { buildKernelArgs } from '../../src/engine/plan/kernelArgs';
import { parseRunOptions } from '../../src/engine/options/runOptions';
import { fakeProbe } from './helpers';

const entry = (type: string, p: string, size = 10): ImageEntry => ({ type, path: p, target: '', size });
type StorageToml = { storage: { options: { additionalimagestores: string[]; overlay?: { mountopt: string } } } };
const conf = (text: string) => ({ path: '/etc/containers/storage.conf', content: Buffer.from(text) });

test('the guest\'s storage.conf: the image\'s own with the host\'s storage added as an image store, or podman\'s defaults', () => {
  const merged = parseToml(guestStorageConf(conf('[storage]\ndriver = "overlay"\n[storage.options]\nadditionalimagestores = [ "/usr/lib/containers/storage" ]\n[storage.options.overlay]\nmountopt = "nodev"\n'), 'img').text) as StorageToml;
  assert.deepEqual(merged.storage.options.additionalimagestores, ['/usr/lib/containers/storage', GUEST_HOST_STORE], 'the image\'s stores stay first');
  assert.equal(merged.storage.options.overlay?.mountopt, 'nodev', 'the rest of the image\'s settings stay');
  const defaults = parseToml(guestStorageConf(undefined, 'img').text) as StorageToml;
  assert.deepEqual(JSON.parse(JSON.stringify(defaults.storage)), { driver: 'overlay', runroot: '/run/containers/storage', graphroot: '/var/lib/containers/storage', options: { additionalimagestores: [GUEST_HOST_STORE] } });
  // a store is read with the guest's own driver: the launch compares it with the host's (vfs for some rootless users)
  assert.equal(guestStorageConf(undefined, 'img').driver, 'overlay');
  assert.equal(guestStorageConf(conf('[storage]\ndriver = "vfs"\n'), 'img').driver, 'vfs');
  assert.equal(guestStorageConf(conf('[storage]\ndriver = ""\n'), 'img').driver, 'overlay', 'empty: podman picks overlay');
  assert.throws(() => guestStorageConf(conf('[storage\n'), 'img'), /storage\.conf is not valid UTF-8 TOML/);
  assert.throws(() => guestStorageConf(conf('storage = 1\n'), 'img'), /storage is not a table/);
  assert.throws(() => guestStorageConf(conf('[storage.options]\nadditionalimagestores = [1]\n'), 'img'), /additionalimagestores is not a list of paths/);
  assert.throws(() => guestStorageConf({ path: '/etc/containers/storage.conf', content: Buffer.from([0xff, 0xfe]) }, 'img'), /not valid UTF-8/);
});

test('which storage.conf the guest\'s podman reads: /etc\'s before /usr/share\'s, never through a link, bounded', () => {
  const dirs = [entry('d', '/etc'), entry('d', '/etc/containers'), entry('d', '/usr/share'), entry('d', '/usr/share/containers')];
  assert.deepEqual(storageConfOf([...dirs, entry('f', '/usr/share/containers/storage.conf', 7), entry('f', '/etc/containers/storage.conf', 5)], 'img'), { path: '/etc/containers/storage.conf', size: 5 });
  assert.deepEqual(storageConfOf([...dirs, entry('f', '/usr/share/containers/storage.conf', 7)], 'img'), { path: '/usr/share/containers/storage.conf', size: 7 });
  assert.equal(storageConfOf(dirs, 'img'), undefined);
  assert.throws(() => storageConfOf([...dirs, entry('l', '/etc/containers/storage.conf')], 'img'), /storage\.conf is not a regular file \(a link\?\)/);
  assert.throws(() => storageConfOf([entry('d', '/etc'), entry('l', '/etc/containers')], 'img'), /\/etc\/containers is not a directory/);
  assert.throws(() => storageConfOf([...dirs, entry('f', '/etc/containers/storage.conf', 10_000_000)], 'img'), /more than 256 KiB/);
  // the probe lists them (and podman, cloud-init) without following links
  const probe = kernelProbeArgs('root', 'a'.repeat(64), { loader: '/l', libraryPath: [], find: '/usr/bin/find' } as never);
  for (const p of ['/etc', '/etc/containers/storage.conf', '/usr/share/containers/storage.conf', '/usr/bin/podman', '/usr/bin/cloud-init']) assert.ok(probe.includes(`/run/source-image${p}`), p);
});

test('an image with podman is reached through the relay (a guest container would take the host bridge\'s address); others as before', () => {
  assert.equal(sshRouteFor(undefined, { remote: false, rootless: false }), 'published');
  assert.equal(sshRouteFor(undefined, { remote: false, rootless: false, guestPodman: true }), 'relay');
  assert.equal(sshRouteFor('host', { remote: false, rootless: false, guestPodman: true }), 'host-port');
});

test('guest layout: a tmpfs for /var/lib/containers before local-fs.target; /etc files and root-only /run files placed by the initrd\'s tmpfiles (run for real)', (t) => {
  const unit = containerStorageUnit();
  assert.equal(unit.name, 'var-lib-containers.mount');
  assert.match(unit.content, /What=tmpfs\nWhere=\/var\/lib\/containers\nType=tmpfs\nOptions=mode=0700,nosuid,nodev/);
  assert.deepEqual(unit.wantedBy, ['local-fs.target']);
  const input = {
    units: [unit],
    etcFiles: [{ relPath: 'containers/storage.conf', content: '[storage]\n' }],
    privateRunFiles: [{ relPath: 'cloud-init/user-data', content: '#cloud-config\n' }],
  };
  const config = setupTmpfiles(input);
  assert.match(config, new RegExp(`^L\\+ /sysroot/etc/containers/storage\\.conf - - - - ${GUEST_ETC_DIR}/containers/storage\\.conf$`, 'm'));
  const tmpfiles = spawnSync('systemd-tmpfiles', ['--version']);
  if (tmpfiles.status !== 0) return t.skip('no systemd-tmpfiles here');
  // the payload's files where the initrd has them, an image /etc with its own storage.conf, then tmpfiles
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tmpfiles-'));
  try {
    const unpacked = spawnSync('cpio', ['-idm', '--quiet'], { cwd: root, input: buildGuestPayload(input) });
    assert.equal(unpacked.status, 0, String(unpacked.stderr));
    fs.mkdirSync(path.join(root, 'sysroot/etc/containers'), { recursive: true, mode: 0o700 });
    fs.writeFileSync(path.join(root, 'sysroot/etc/containers/storage.conf'), 'the image\'s\n');
    fs.writeFileSync(path.join(root, 'setup.conf'), config);
    const r = spawnSync('systemd-tmpfiles', ['--create', `--root=${root}`, path.join(root, 'setup.conf')], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(fs.readlinkSync(path.join(root, 'sysroot/etc/containers/storage.conf')), `${GUEST_ETC_DIR}/containers/storage.conf`, 'the image\'s file is replaced by the link');
    assert.equal(fs.statSync(path.join(root, 'sysroot/etc/containers')).mode & 0o777, 0o700, 'a folder the image has keeps its mode');
    assert.equal(fs.statSync(path.join(root, GUEST_ETC_DIR, 'containers/storage.conf')).mode & 0o777, 0o644);
    assert.equal(fs.statSync(path.join(root, 'run/bootc-ephemeral/cloud-init/user-data')).mode & 0o777, 0o600);
    assert.equal(fs.statSync(path.join(root, 'run/bootc-ephemeral')).mode & 0o777, 0o700);
    assert.ok(fs.existsSync(path.join(root, 'run/systemd/system/local-fs.target.wants/var-lib-containers.mount')));
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
  assert.ok(buildGuestPayload(input).includes('usr/lib/bootc-ephemeral/run-tree/bootc-ephemeral/cloud-init/user-data'));
});

test('--cloud-init DIR: user-data and meta-data required, optional files taken, read inside DIR only, regular files, bounded; the kernel argument points at the seed', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'seed-'));
  try {
    const seed = path.join(dir, 'seed');
    fs.mkdirSync(seed);
    fs.writeFileSync(path.join(seed, 'user-data'), '#cloud-config\n');
    assert.throws(() => readCloudInitSeed(seed), /--cloud-init .*seed: no meta-data file/);
    fs.writeFileSync(path.join(seed, 'meta-data'), '');
    fs.writeFileSync(path.join(seed, 'network-config'), 'version: 2\n');
    fs.writeFileSync(path.join(seed, 'README'), 'not read');
    assert.deepEqual(readCloudInitSeed(seed).map((f) => [f.name, String(f.content)]), [['user-data', '#cloud-config\n'], ['meta-data', ''], ['network-config', 'version: 2\n']]);
    fs.writeFileSync(path.join(dir, 'secret'), 'host secret');
    fs.symlinkSync(path.join(dir, 'secret'), path.join(seed, 'vendor-data'));
    assert.throws(() => readCloudInitSeed(seed), /vendor-data is a symlink to .*secret, outside .*seed: refused/);
    fs.unlinkSync(path.join(seed, 'vendor-data'));
    spawnSync('mkfifo', [path.join(seed, 'vendor-data')]);
    assert.throws(() => readCloudInitSeed(seed), /vendor-data is not a regular file/);
    fs.unlinkSync(path.join(seed, 'vendor-data'));
    fs.writeFileSync(path.join(seed, 'user-data'), Buffer.alloc(MAX_CLOUD_INIT_BYTES + 1));
    assert.throws(() => readCloudInitSeed(seed), /user-data is 1048577 bytes: at most 1048576/);
    fs.symlinkSync(seed, path.join(dir, 'linked'));
    assert.throws(() => readCloudInitSeed(path.join(dir, 'linked')), /name the folder itself/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const options = parseRunOptions({ image: 'i', cloudInit: '/w/seed' }, fakeProbe(['/w', '/w/seed']));
  assert.equal(options.cloudInitDir, '/w/seed');
  assert.ok(buildKernelArgs(options).includes(cloudInitKernelArg()));
  assert.equal(cloudInitKernelArg(), 'ds=nocloud;s=file:///run/bootc-ephemeral/cloud-init/');
  assert.ok(!buildKernelArgs({ ...options, cloudInitDir: undefined }).some((a) => a.startsWith('ds=')));
  assert.throws(() => parseRunOptions({ image: 'i', cloudInit: '/w/none' }, fakeProbe(['/w'])), /none does not exist/);
});

/** Every entry under `root`: type, mode, link target or content, by path. */
function tree(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const name of fs.readdirSync(dir).sort()) {
      const full = path.join(dir, name);
      const st = fs.lstatSync(full);
      const rel = path.relative(root, full);
      if (st.isSymbolicLink()) out[rel] = `link ${fs.readlinkSync(full)}`;
      else if (st.isDirectory()) {
        out[rel] = `dir ${(st.mode & 0o7777).toString(8)}`;
        walk(full);
      } else out[rel] = `file ${(st.mode & 0o7777).toString(8)} ${fs.readFileSync(full, 'utf8')}`;
    }
  };
  walk(root);
  return out;
}

test('the guest init\'s setup script (POSIX sh: cp -a of the payload\'s run tree, else mkdir, ln and cat op by op) makes the same tree as systemd-tmpfiles with the same ops, from the payload as unpacked', (t) => {
  if (spawnSync('systemd-tmpfiles', ['--version']).status !== 0) return t.skip('no systemd-tmpfiles here');
  const input: GuestPayloadInput = {
    units: [journalStreamUnit(), bindMountUnit({ hostPath: '/h', name: 'a-b', readOnly: true }), containerStorageUnit()],
    unitFiles: [consoleAutologinDropIn()],
    sshHostKey: { privateKey: 'private key', publicKey: 'public key' },
    etcFiles: [{ relPath: 'containers/storage.conf', content: '[storage]\n' }],
    privateRunFiles: [{ relPath: 'cloud-init/user-data', content: '#cloud-config\n' }],
    runFiles: [{ path: '/run/udev/rules.d/90-bootc-ephemeral-ssh.rules', content: 'ACTION!="remove"\n' }],
  };
  const made: Record<string, string>[] = [];
  for (const how of ['tmpfiles', 'sh', 'sh without cp'] as const) {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'setup-'));
    try {
      // the payload as the kernel unpacks it
      const unpacked = spawnSync('cpio', ['-idm', '--quiet'], { cwd: root, input: buildGuestPayload(input) });
      assert.equal(unpacked.status, 0, String(unpacked.stderr));
      // what the image has: /etc/ssh with a key of its own, /etc/containers 0700 with a storage.conf
      fs.mkdirSync(path.join(root, 'sysroot/etc/ssh'), { recursive: true });
      fs.writeFileSync(path.join(root, 'sysroot/etc/ssh/ssh_host_ed25519_key'), 'baked in');
      fs.mkdirSync(path.join(root, 'sysroot/etc/containers'), { mode: 0o700 });
      fs.writeFileSync(path.join(root, 'sysroot/etc/containers/storage.conf'), 'the image\'s');
      fs.mkdirSync(path.join(root, 'run'));
      if (how === 'tmpfiles') {
        fs.writeFileSync(path.join(root, 'setup.conf'), setupTmpfiles(input));
        const r = spawnSync('systemd-tmpfiles', ['--create', `--root=${root}`, path.join(root, 'setup.conf')], { encoding: 'utf8' });
        assert.equal(r.status, 0, r.stderr);
        fs.rmSync(path.join(root, 'setup.conf'));
      } else {
        const at = (p: string) => path.join(root, p);
        const ops = setupOps(input).map((o): SetupOp => (o.op === 'copy' ? { ...o, path: at(o.path), from: at(o.from) } : { ...o, path: at(o.path) }));
        const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'bin-'));
        // an initramfs's PATH: mkdir, ln, cat and (unless klibc) cp; nothing else; each call logged
        const calls = path.join(bin, 'calls');
        for (const tool of ['mkdir', 'ln', 'cat', ...(how === 'sh' ? ['cp'] : [])]) {
          fs.writeFileSync(path.join(bin, tool), `#!/bin/sh\necho ${tool} >> ${calls}\nexec /usr/bin/${tool} "$@"\n`, { mode: 0o755 });
        }
        // with cp, the run tree in one copy; with cat only (klibc), op by op
        const r = spawnSync('/usr/bin/dash', ['-e', '-c', renderShell(ops, { from: at('/usr/lib/bootc-ephemeral/run-tree'), to: at('/run') })], { encoding: 'utf8', env: { PATH: bin } });
        const ran = fs.readFileSync(calls, 'utf8').trim().split('\n');
        fs.rmSync(bin, { recursive: true });
        assert.equal(r.status, 0, `${how}: ${r.stderr}`);
        // the run tree's copy, then only what goes into the image's /etc: three links (its folders are there)
        if (how === 'sh') assert.deepEqual(ran, ['cp', 'ln', 'ln', 'ln'], 'one cp -a for all of /run');
        else assert.ok(ran.length > 20, `op by op: ${ran.length} calls`);
      }
      made.push(tree(root));
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  }
  assert.equal(made[0]['sysroot/etc/ssh/ssh_host_ed25519_key'], 'link /run/bootc-ephemeral/ssh_host_ed25519_key');
  assert.equal(made[0]['run/bootc-ephemeral'], 'dir 700');
  assert.equal(made[0]['run/udev/rules.d/90-bootc-ephemeral-ssh.rules'], 'file 644 ACTION!="remove"\n', 'a run file, readable by all');
  assert.deepEqual(made[1], made[0], 'sh with cp');
  assert.deepEqual(made[2], made[0], 'sh with cat only');
});
