import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execa } from 'execa';
import { cli, containerNames, podman, stateDirs, IMAGE, TEST_LABEL, memTotalKiB } from './harness';
import { listingCacheDir } from '../../src/engine/vm/listingCache';

// One real boot (TCG): --execute output and the command's own exit status, --memory/--vcpus,
// --virtio-serial-out, --rm leaves nothing. Its image gives devices 1 s instead of systemd's 90 s: udev
// naming our virtio ports takes ~12 s here (longer with several VMs on few cores, as in the soak), so the
// --execute units must wait for them as long as it takes, or the VM never reports and never powers off.
const SLOW_UDEV_IMAGE = 'localhost/bootc-e2e-slow-udev:latest';
// an image our guest init cannot switch into (no switch_root): the boot must fall back to its initramfs
const NO_SWITCH_ROOT_IMAGE = 'localhost/bootc-e2e-no-switch-root:latest';
async function buildFrom(tag: string, run: string): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-image-'));
  try {
    fs.writeFileSync(path.join(dir, 'Containerfile'), `FROM ${IMAGE}\nRUN ${run}\n`);
    const r = await podman(['build', '--pull=never', '-t', tag, dir]);
    assert.equal(r.exitCode, 0, String(r.stderr));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
before(async () => {
  await buildFrom(SLOW_UDEV_IMAGE, "mkdir -p /etc/systemd/system.conf.d && printf '[Manager]\\nDefaultDeviceTimeoutSec=1s\\n' > /etc/systemd/system.conf.d/10-e2e.conf");
  await buildFrom(NO_SWITCH_ROOT_IMAGE, 'rm /usr/sbin/switch_root');
});
after(async () => {
  await podman(['rmi', '-f', SLOW_UDEV_IMAGE, NO_SWITCH_ROOT_IMAGE]);
});

test('--execute streams output and exits with the guest command status (even when udev is slower than systemd\'s device timeout)', { timeout: 300_000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-exec-'));
  const serialFile = path.join(dir, 'serial.out');
  const containersBefore = await containerNames();
  const stateBefore = stateDirs();
  try {
    const qcow2 = path.join(dir, 'data.qcow2');
    const img = await execa('qemu-img', ['create', '-q', '-f', 'qcow2', qcow2, '64M'], { reject: false });
    assert.equal(img.exitCode, 0, String(img.stderr));
    const script = [
      'echo exec-start',
      'nproc',
      'grep ^initramfs /run/bootc-ephemeral/init-times',
      'grep MemTotal /proc/meminfo',
      'echo device-timeout=$(systemctl show --value -p DefaultDeviceTimeoutUSec)',
      'echo via-virtio-serial > /dev/virtio-ports/e2e.port',
      'echo qcow2-bytes=$(blockdev --getsize64 /dev/disk/by-id/virtio-qdisk)',
      // our guest init linked the ports, so the command waited for no udev port link, only for the disk's
      'echo port-waits=$(systemctl show -P After bootc-ephemeral-execute.service | grep -o x2dports | wc -l)',
      'echo disk-waits=$(systemctl show -P After bootc-ephemeral-execute.service | grep -o x2dqdisk.device | wc -l)',
      'echo in-slice=$(grep -c execute.slice/bootc-ephemeral-execute.service /proc/self/cgroup)',
      'exit 3',
    ].join('; ');
    // repeated --execute: in order, stopping at the first failure (the third never runs)
    const r = await cli([
      'run', '--rm', '--name', 'e2e-exec', '--label', TEST_LABEL, '--memory', '1536M', '--vcpus', '2', '--network', 'podman',
      '--virtio-serial-out', `e2e.port:${serialFile}`, '--mount-disk-file', `${qcow2}:qdisk`,
      '--execute', "/bin/sh -c 'echo first-command'", '--execute', `/bin/sh -c '${script}'`, '--execute', "/bin/sh -c 'echo never-runs'", SLOW_UDEV_IMAGE,
    ]);
    const out = String(r.stdout).replace(/^first-command\n/, '');
    assert.match(String(r.stdout), /^first-command\n/, 'the first --execute ran first');
    assert.doesNotMatch(String(r.stdout), /never-runs/, 'commands stop at the first failure');
    assert.match(out, /^initramfs engine$/m, 'the engine\'s own initramfs booted it (busybox, the image\'s modules)');
    assert.match(out, /^qcow2-bytes=67108864$/m, 'a qcow2 --mount-disk-file is a 64 MiB virtio disk');
    assert.match(out, /^device-timeout=1s$/m, 'the guest\'s systemd gave devices 1 s');
    assert.match(out, /^port-waits=0$/m, 'the command waits for no udev link of our ports (our init made them)');
    assert.match(out, /^disk-waits=1$/m, 'it waits for the --mount-disk-file disk\'s by-id link');
    assert.match(out, /^in-slice=1$/m, 'it runs in the --execute slice, first for the CPU while the guest starts');
    assert.equal(r.exitCode, 3, `exit status of the guest command; stderr: ${r.stderr}`);
    const kvm = JSON.parse(String((await cli(['doctor', '--json'])).stdout)).find((c: { id: string }) => c.id === 'kvm');
    if (kvm.status !== 'ok') assert.match(String(r.stderr), /warning: KVM is not usable .*using QEMU TCG/, '--accel auto falls back to TCG, with a warning');
    const lines = out.split('\n');
    assert.equal(lines[0], 'exec-start');
    assert.equal(lines[1], '2', 'vCPUs');
    const mem = memTotalKiB(out);
    assert.ok(mem > 1300 * 1024 && mem <= 1536 * 1024, `MemTotal ${mem} KiB for --memory 1536M`);
    assert.equal(fs.readFileSync(serialFile, 'utf8'), 'via-virtio-serial\n');
    assert.deepEqual(await containerNames(), containersBefore, '--rm removed the container');
    assert.deepEqual(stateDirs(), stateBefore, 'and its state dir');
    // the kernel probe's listing of this image is kept: the next launch of it runs no probe container
    const listings = fs.readdirSync(listingCacheDir());
    assert.ok(listings.length > 0, 'a listing is cached');
    const events = execa('podman', ['events', '--format', '{{.Status}} {{.Image}}', '--filter', 'type=container', '--filter', 'event=create']);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const again = await cli(['run', '--rm', '--label', TEST_LABEL, '--mount-disk-file', `${qcow2}:qdisk`, '--execute', 'true', SLOW_UDEV_IMAGE]);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    events.kill();
    const created = String((await events.catch((e: { stdout?: string }) => e)).stdout ?? '').trim().split('\n');
    assert.equal(again.exitCode, 0, String(again.stderr));
    assert.equal(created.length, 1, `one container (the VM's), no probe: ${created.join('; ')}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('an image our guest init cannot start (no switch_root): it undoes its mounts and the image\'s own initramfs boots it, root in RAM as ever', { timeout: 300_000 }, async () => {
  const before = { containers: await containerNames(), state: stateDirs() };
  const share = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-fallback-'));
  // the image's initramfs with our init (as where the host has no static busybox): an rdinit= of one's own asks for it
  const r = await cli(['run', '--rm', '--name', 'e2e-init-fallback', '--label', TEST_LABEL, '--karg', 'rdinit=/usr/lib/bootc-ephemeral/init', '--bind', `${share}:out`, '--execute', "/bin/sh -c 'journalctl -b -o cat -t bootc-ephemeral-init; journalctl -b -o cat -t systemd | grep -x \"Switching root.\"; findmnt -n -o FSTYPE,OPTIONS /; echo port-waits=$(systemctl show -P After bootc-ephemeral-execute.service | grep -o x2dports | wc -l); echo kept > /run/virtiofs-mnt-out/last-write'", NO_SWITCH_ROOT_IMAGE]);
  const written = fs.existsSync(path.join(share, 'last-write')) ? fs.readFileSync(path.join(share, 'last-write'), 'utf8') : undefined;
  fs.rmSync(share, { recursive: true, force: true });
  assert.equal(r.exitCode, 0, String(r.stderr));
  const out = String(r.stdout);
  assert.match(out, /^port-waits=1$/m, 'without our init\'s links the command waits for udev\'s link of its port');
  assert.equal(written, 'kept\n', 'the command\'s last write to a --bind folder reached the host (sync, then power-off at once)');
  assert.match(out, /^\/sysroot\/s?bin\/switch_root -V failed \(exit \d+\): starting the image's own initramfs instead$/m);
  assert.doesNotMatch(out, /switching to the image root/);
  assert.match(out, /^Switching root\.$/m, 'the image\'s initrd ran, and switched root');
  // systemd.volatile=overlay, as the image's initrd makes it (not our leftovers: ours were undone)
  assert.match(out, /^overlay +\S*upperdir=\/run\/systemd\/overlay-sysroot\/upper/m);
  assert.deepEqual(await containerNames(), before.containers);
  assert.deepEqual(stateDirs(), before.state);
});

test('--console shows the serial console on stdout (a guest whose kernel finds no init panics there, and the run ends)', { timeout: 120_000 }, async () => {
  const before = { containers: await containerNames(), state: stateDirs() };
  // (a 128 MiB guest used to panic here; with the engine's own small initramfs it boots)
  const r = await cli(['run', '--rm', '--console', '--name', 'e2e-console', '--label', TEST_LABEL, '--karg', 'rdinit=/nonexistent', IMAGE]);
  assert.match(String(r.stdout), /Linux version \d/, 'the kernel\'s own console output');
  assert.match(String(r.stdout), /Kernel panic|Out of memory|not syncing/);
  assert.deepEqual(await containerNames(), before.containers);
  assert.deepEqual(stateDirs(), before.state);
});

test('--debug-entrypoint runs a command in the VM container instead of the supervisor (its plan is there)', async () => {
  const r = await cli(['run', '--rm', '--name', 'e2e-debug-entrypoint', '--label', TEST_LABEL, '--debug-entrypoint', 'cat /run/bootc-ephemeral/supervisor.conf', IMAGE]);
  assert.equal(r.exitCode, 0, String(r.stderr));
  assert.match(String(r.stdout), /^sleep \/usr\/lib\/.*ld-linux-x86-64\.so\.2 --library-path \S+ \/usr\/bin\/sleep$/m);
});
