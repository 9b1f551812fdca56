import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cli, containerNames, stateDirs, IMAGE, TEST_LABEL, memTotalKiB } from './harness';

test('run-ssh --itype u1.micro: 1 vCPU, ~1 GiB, a root in RAM, the command exit code, removed after', { timeout: 300_000 }, async () => {
  const containersBefore = await containerNames();
  const stateBefore = stateDirs();
  const r = await cli(['run-ssh', '--name', 'e2e-runssh', '--label', TEST_LABEL, '--itype', 'u1.micro', IMAGE, '--', 'sh', '-c', 'nproc; grep MemTotal /proc/meminfo; findmnt -n -o FSTYPE /; a=$(awk \'/^Shmem:/ {print $2}\' /proc/meminfo); dd if=/dev/zero of=/var/tmp/ram-probe bs=1M count=32 status=none; b=$(awk \'/^Shmem:/ {print $2}\' /proc/meminfo); echo shmem-grew-kib=$((b - a)); exit 42']);
  assert.equal(r.exitCode, 42, String(r.stderr));
  // without a terminal: one progress line per phase on stderr, in order
  const phases = String(r.stderr).split('\n').map((l) => /^bootc-ephemeral: (.*) \(\d+ s\)$/.exec(l)?.[1]).filter(Boolean);
  assert.deepEqual(phases, ['starting the VM container', 'kernel', 'initrd', 'system start', 'sshd listening', 'connecting', 'ready']);
  const out = String(r.stdout);
  assert.equal(out.split('\n')[0], '1');
  const mem = memTotalKiB(out);
  assert.ok(mem > 850 * 1024 && mem <= 1024 * 1024, `MemTotal ${mem} KiB for u1.micro`);
  // the root is an overlay whose writes land in RAM (tmpfs pages count as Shmem): they die with the VM
  // (03 checks that the image itself is untouched)
  assert.match(out, /\noverlay\n/);
  const grew = Number(/shmem-grew-kib=(-?\d+)/.exec(out)?.[1]);
  assert.ok(grew >= 30 * 1024, `writing 32 MiB to the root grew guest shared memory by ${grew} KiB`);
  assert.deepEqual(await containerNames(), containersBefore);
  assert.deepEqual(stateDirs(), stateBefore);
});

test('run-ssh whose VM dies before SSH is up: a clear error, and still nothing left', { timeout: 300_000 }, async () => {
  const containersBefore = await containerNames();
  const stateBefore = stateDirs();
  // the kernel finds no init (no such rdinit=, and the root is no block device): it panics, QEMU exits
  const r = await cli(['run-ssh', '--name', 'e2e-runssh-dies', '--label', TEST_LABEL, '--karg', 'rdinit=/nonexistent', IMAGE, '--', 'true']);
  assert.equal(r.exitCode, 255, 'no connection, as with ssh');
  assert.match(String(r.stderr), /stopped before SSH became available/);
  assert.match(String(r.stderr), /^bootc-ephemeral: starting the VM container \(\d+ s\)$/m);
  assert.deepEqual(await containerNames(), containersBefore, 'the container was removed on the failure path too');
  assert.deepEqual(stateDirs(), stateBefore, 'and the state dir with the key');
});
