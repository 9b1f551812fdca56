import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execa } from 'execa';
import { cli, containerNames, stateDirs, IMAGE, podman, TEST_LABEL, waitFor } from './harness';

// A boot that cannot succeed ends instead of waiting for ever: an image whose initramfs has no virtiofs
// (dracut without it, made here from the sample image) cannot mount its root; our init falls back to
// the image's initramfs, which drops to its emergency shell. And a deadline for --execute. And any
// initramfs that can mount virtiofs boots the fast way: Debian's initramfs-tools (klibc, no busybox, no
// systemd) and dracut without its systemd modules. These boot the image's initramfs with our init, as
// where the host has no static busybox: an rdinit= of one's own asks for it. And the engine's own
// initramfs, when the image's modules lack virtiofs, says so and ends.
const IMAGE_INITRAMFS = ['--karg', 'rdinit=/usr/lib/bootc-ephemeral/init'];
const NO_VIRTIOFS = 'localhost/bootc-ephemeral-e2e-no-virtiofs:latest';
const NO_VIRTIOFS_MODULE = 'localhost/bootc-ephemeral-e2e-no-virtiofs-module:latest';
const INITRAMFS_TOOLS = 'localhost/bootc-ephemeral-e2e-initramfs-tools:latest';
const DRACUT_NO_SYSTEMD = 'localhost/bootc-ephemeral-e2e-dracut-no-systemd:latest';
const NAME = 'e2e-boot-failure';
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-boot-failure-'));

before(async () => {
  fs.writeFileSync(
    path.join(work, 'Containerfile'),
    [
      `FROM ${IMAGE}`,
      'RUN kver=$(ls /usr/lib/modules) && sed -i "s/ virtiofs / /; s/ virtiofs virtio_pci/ virtio_pci/" /etc/dracut.conf.d/10-bootc-virtiofs.conf && ' +
        'dracut --force --quiet --no-hostonly --omit virtiofs --omit-drivers virtiofs --kver "$kver" "/usr/lib/modules/$kver/initramfs.img"',
    ].join('\n') + '\n',
  );
  const r = await podman(['build', '--pull=never', '-t', NO_VIRTIOFS, work]);
  assert.equal(r.exitCode, 0, `building ${NO_VIRTIOFS}: ${r.stderr}`);
  for (const [tag, run] of [
    [INITRAMFS_TOOLS, 'apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends initramfs-tools && rm -rf /var/lib/apt/lists/* && ' +
      'kver=$(ls /usr/lib/modules) && printf "virtio_pci\\nvirtiofs\\noverlay\\n" >> /etc/initramfs-tools/modules && update-initramfs -c -k "$kver" -b /tmp && mv "/tmp/initrd.img-$kver" "/usr/lib/modules/$kver/initramfs.img"'],
    // its initramfs (made before) still has virtiofs
    [NO_VIRTIOFS_MODULE, 'rm /usr/lib/modules/*/kernel/fs/fuse/virtiofs.ko'],
    [DRACUT_NO_SYSTEMD, 'kver=$(ls /usr/lib/modules) && dracut --force --quiet --no-hostonly -o "systemd systemd-initrd dracut-systemd" --kver "$kver" "/usr/lib/modules/$kver/initramfs.img"'],
  ]) {
    const dir = fs.mkdtempSync(path.join(work, 'ctx-'));
    fs.writeFileSync(path.join(dir, 'Containerfile'), `FROM ${IMAGE}\nRUN ${run}\n`);
    const b = await podman(['build', '--pull=never', '-t', tag, dir]);
    assert.equal(b.exitCode, 0, `building ${tag}: ${b.stderr}`);
  }
});

after(async () => {
  await cli(['rm', '-f', NAME]);
  await podman(['rmi', '-f', NO_VIRTIOFS, NO_VIRTIOFS_MODULE, INITRAMFS_TOOLS, DRACUT_NO_SYSTEMD]);
  fs.rmSync(work, { recursive: true, force: true });
});

test('run --rm --execute on an image that cannot boot: ends with 125 and the console\'s reason, nothing left', { timeout: 300_000 }, async () => {
  const before = { containers: await containerNames(), dirs: stateDirs() };
  const started = Date.now();
  const r = await cli(['run', '--rm', '--label', TEST_LABEL, ...IMAGE_INITRAMFS, '--execute', 'true', NO_VIRTIOFS]);
  assert.equal(r.exitCode, 125, String(r.stderr));
  assert.match(String(r.stderr), /cannot boot: the image's initramfs gave up and dropped to its emergency shell \(modprobe -a virtio_pci virtiofs overlay failed/);
  assert.match(String(r.stderr), /last console lines:[\s\S]*emergency/i, 'the console\'s last lines say where it stopped');
  assert.ok(Date.now() - started < 200_000, 'it ended when the console said so, not at a deadline');
  assert.deepEqual(await containerNames(), before.containers);
  assert.deepEqual(stateDirs(), before.dirs);
});

test('the engine\'s own initramfs, given no virtiofs module by the image, says why and ends (125, nothing left); --karg rdinit=/init boots the image\'s own', { timeout: 400_000 }, async () => {
  const before = { containers: await containerNames(), dirs: stateDirs() };
  const r = await cli(['run', '--rm', '--label', TEST_LABEL, '--execute', 'true', NO_VIRTIOFS_MODULE]);
  assert.equal(r.exitCode, 125, String(r.stderr));
  assert.match(String(r.stderr), /cannot boot: the engine's initramfs could not boot the image \(modprobe -a virtio_pci virtiofs overlay failed \(exit \d+\); the engine's initramfs gave up \(--karg rdinit=\/init boots the image's own\)\)/);
  assert.deepEqual(await containerNames(), before.containers);
  assert.deepEqual(stateDirs(), before.dirs);
  const own = await cli(['run', '--rm', '--label', TEST_LABEL, '--karg', 'rdinit=/init', '--boot-timeout', '300', '--execute', '/bin/sh -c "test ! -e /run/bootc-ephemeral/init-times && findmnt -n -o FSTYPE /"', NO_VIRTIOFS_MODULE], { timeoutMs: 360_000 });
  assert.equal(own.exitCode, 0, String(own.stderr));
  assert.equal(String(own.stdout).trim(), 'overlay', 'the image\'s initramfs mounted the root (our init never ran)');
});

test('a detached VM that cannot boot: ssh says why at once, ps and inspect say failed (it still runs, for its console)', { timeout: 300_000 }, async () => {
  const r = await cli(['run', '-d', '-K', '--name', NAME, '--label', TEST_LABEL, ...IMAGE_INITRAMFS, NO_VIRTIOFS]);
  assert.equal(r.exitCode, 0, String(r.stderr));
  const ssh = await cli(['ssh', '--timeout', '240', NAME, '--', 'true']);
  assert.equal(ssh.exitCode, 255);
  assert.match(String(ssh.stderr), new RegExp(`the VM ${NAME} cannot boot: the image's initramfs gave up`));
  const ps = await cli(['ps', '--json']);
  const vm = (JSON.parse(String(ps.stdout)) as { name: string; state: string; podmanState: string; bootFailure?: string }[]).find((v) => v.name === NAME);
  assert.equal(vm?.state, 'failed');
  assert.equal(vm?.podmanState, 'running');
  assert.match(String(vm?.bootFailure), /emergency shell/);
  assert.match(String((await cli(['ps'])).stdout), new RegExp(`${NAME} .* failed \\(cannot boot\\)`));
  const [details] = JSON.parse(String((await cli(['inspect', NAME])).stdout));
  assert.match(details.exitReason, /^it cannot boot: .*it still runs, so that its console can be opened/);
  const console = await cli(['logs', '--console', NAME]);
  assert.match(String(console.stdout), /Entering emergency mode|Dropping to debug shell/);
  // over a podman connection (this host's podman as a service) ps reads the console in the container
  const socket = path.join(work, 'podman.sock');
  const service = execa('podman', ['system', 'service', '--time=0', `unix://${socket}`], { reject: false });
  try {
    await waitFor('the podman service socket', () => fs.existsSync(socket), 20_000);
    const remote = await cli(['--url', `unix://${socket}`, 'ps', '--json']);
    const seen = (JSON.parse(String(remote.stdout)) as { name: string; state: string; bootFailure?: string }[]).find((v) => v.name === NAME);
    assert.equal(seen?.state, 'failed', String(remote.stderr));
    assert.match(String(seen?.bootFailure), /emergency shell/);
  } finally {
    service.kill('SIGTERM');
    await service;
  }
  const rm = await cli(['rm', '-f', NAME]);
  assert.equal(rm.exitCode, 0, String(rm.stderr));
});

test('--boot-timeout: an --execute command that has not started by then ends the VM (125); bad uses are usage errors', { timeout: 300_000 }, async () => {
  const before = { containers: await containerNames(), dirs: stateDirs() };
  const r = await cli(['run', '--rm', '--boot-timeout', '3', '--label', TEST_LABEL, '--execute', 'true', IMAGE]);
  assert.equal(r.exitCode, 125, String(r.stderr));
  assert.match(String(r.stderr), /--execute command of the VM \S+ had not started after 3 s \(--boot-timeout\): ending it/);
  assert.deepEqual(await containerNames(), before.containers);
  assert.deepEqual(stateDirs(), before.dirs);
  for (const args of [['--boot-timeout', '0', '--execute', 'true'], ['--boot-timeout', '5'], ['-d', '--boot-timeout', '5', '--execute', 'true']]) {
    const bad = await cli(['run', ...args, IMAGE]);
    assert.equal(bad.exitCode, 2, `${args.join(' ')}: ${String(bad.stderr)}`);
    assert.match(String(bad.stderr), /--boot-timeout/);
  }
});

test('an initramfs without systemd boots the fast way: initramfs-tools (klibc only) and dracut without its systemd modules run our units and --execute', { timeout: 400_000 }, async () => {
  for (const image of [INITRAMFS_TOOLS, DRACUT_NO_SYSTEMD]) {
    // the init's times exist only when our init switched to the image itself; our units are there (journal, autologin drop-in)
    const r = await cli(['run', '--rm', '--label', TEST_LABEL, ...IMAGE_INITRAMFS, '--boot-timeout', '200', '--execute', '/bin/sh -c "grep -x initramfs.image /run/bootc-ephemeral/init-times && systemctl show -P FragmentPath bootc-ephemeral-journal.service && test -e /run/systemd/system/serial-getty@ttyS0.service.d/50-bootc-ephemeral-autologin.conf && findmnt -n -o FSTYPE /"', image], { timeoutMs: 300_000 });
    assert.equal(r.exitCode, 0, `${image}: ${r.stderr}`);
    assert.deepEqual(String(r.stdout).trim().split('\n'), ['initramfs image', '/run/systemd/system/bootc-ephemeral-journal.service', 'overlay'], image);
  }
});
