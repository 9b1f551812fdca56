import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { bootFailureOf } from '../../src/engine/guest/bootFailure';
import { exitReason } from '../../src/engine/vm/exitReason';
import { refineLocalStates } from '../../src/engine/vm/liveness';
import { psTable } from '../../src/cli/ps';
import { vmItemProperties } from '../../src/vscode/tree/vmItemProperties';
import { vmStatePaths } from '../../src/engine/vm/stateDir';
import type { VmInfo } from '../../src/engine/vm/vms';

// Console excerpts as the guests print them (kernel timestamps, dracut, initramfs-tools, systemd)
const NORMAL = `[    0.000000] Linux version 6.1.0-28-cloud-amd64
[    1.512000] bootc-ephemeral-init: mounting the image root (virtiofs), then starting the image's init
[    2.100000] bootc-ephemeral-init: switching to the image root
[  OK  ] Reached target multi-user.target - Multi-User System.
Debian GNU/Linux 12 bootc-sample ttyS0
`;
const DRACUT = `[    1.500000] bootc-ephemeral-init: modprobe -a virtio_pci virtiofs overlay failed (exit 1): starting the image's own initramfs instead
[    3.000000] dracut: Don't know how to handle 'root=rootfs'
[  OK  ] Reached target initrd-root-device.target
[  131.2] dracut-initqueue[301]: Warning: dracut-initqueue: timeout, still waiting for following initqueue hooks:
[  131.5] dracut-initqueue[301]: Warning: Could not boot.
Generating "/run/initramfs/rdsosreport.txt"
Entering emergency mode. Exit the shell to continue.
Type "journalctl" to view system logs.
Cannot open access to console, the root account is locked.
`;
const INITRAMFS_TOOLS = `Begin: Waiting for root file system ... done.
Gave up waiting for root file system device.  Common problems:
ALERT!  rootfs does not exist.  Dropping to a shell!


BusyBox v1.35.0 (Debian 1:1.35.0-4+b3) built-in shell (ash)
(initramfs) `;
const SYSTEMD_EMERGENCY = `[FAILED] Failed to mount run-virtiofs\\x2dmnt\\x2ddata.mount - /run/virtiofs-mnt-data.
[DEPEND] Dependency failed for local-fs.target - Local File Systems.
You are in emergency mode. After logging in, type "journalctl -xb" to view
`;

test('a boot that cannot succeed, from the console: dracut\'s and initramfs-tools\' shells, systemd\'s emergency mode; with the line that says why', () => {
  assert.equal(bootFailureOf(NORMAL), undefined);
  assert.equal(bootFailureOf(''), undefined);
  assert.equal(
    bootFailureOf(DRACUT),
    'the image\'s initramfs gave up and dropped to its emergency shell (modprobe -a virtio_pci virtiofs overlay failed (exit 1): starting the image\'s own initramfs instead)',
    'our init\'s own reason for falling back comes first',
  );
  assert.equal(bootFailureOf(DRACUT.split('\n').slice(1).join('\n')), 'the image\'s initramfs gave up and dropped to its emergency shell (Don\'t know how to handle \'root=rootfs\')');
  assert.equal(bootFailureOf(INITRAMFS_TOOLS), 'the image\'s initramfs gave up and dropped to a shell (rootfs does not exist. Dropping to a shell)');
  assert.match(bootFailureOf(SYSTEMD_EMERGENCY)!, /^the guest's systemd entered emergency mode \(Failed to mount run-virtiofsx2dmntx2ddata\.mount/);
  assert.equal(bootFailureOf('Dropping to debug shell.\n'), 'the image\'s initramfs gave up and dropped to its emergency shell');
});

test('the guest\'s text in a boot failure is tamed: no control sequences, bounded', () => {
  const r = bootFailureOf(`Warning: \u001b]52;c;ZXZpbA==\u0007${'x'.repeat(500)} does not exist\nDropping to debug shell.\n`)!;
  assert.doesNotMatch(r, /[\u0000-\u001f\u007f-\u009f]/);
  assert.ok(r.length < 300, `${r.length}`);
});

test('ps, inspect and the VMs view: a VM whose boot cannot succeed is failed, says why, and that it still runs', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bootfail-'));
  const stateDir = path.join(root, 'vm1');
  const p = vmStatePaths(stateDir);
  fs.mkdirSync(path.dirname(p.consoleLog), { recursive: true });
  fs.writeFileSync(p.consoleLog, INITRAMFS_TOOLS);
  const base = { id: 'a'.repeat(64), image: 'img', origin: 'bootc-ephemeral', podmanState: 'running', ssh: true, labels: {}, stateDir } as const;
  const stuck: VmInfo = { ...base, name: 'vm1', state: 'booting' };
  const exited: VmInfo = { ...base, name: 'vm2', state: 'booting', podmanState: 'exited' };
  const fine: VmInfo = { ...base, name: 'vm3', state: 'booting', stateDir: path.join(root, 'none') };
  await refineLocalStates([stuck, exited, fine], false);
  assert.equal(stuck.state, 'failed');
  assert.match(stuck.bootFailure!, /dropped to a shell/);
  assert.equal(exited.state, 'booting', 'only a running VM is looked at');
  assert.equal(fine.state, 'booting', 'no console: still booting');
  assert.match(exitReason(stuck)!, /^it cannot boot: the image's initramfs gave up .*; it still runs, so that its console can be opened/);
  assert.match(psTable([stuck]), /failed \(cannot boot\)/);
  const item = vmItemProperties(stuck, Date.now());
  assert.equal(item.description?.includes('cannot boot'), true, String(item.description));
  assert.match(String(item.tooltip), /Cannot boot: .*Open Console shows where it stopped/);
  fs.rmSync(root, { recursive: true, force: true });
});
