import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cli, containerNames, stateDirs, IMAGE, TEST_LABEL, memTotalKiB } from './harness';

// One real boot (TCG): --execute output and the command's own exit status, --memory/--vcpus,
// --virtio-serial-out, --rm leaves nothing.
test('--execute streams output and exits with the guest command status', { timeout: 300_000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-exec-'));
  const serialFile = path.join(dir, 'serial.out');
  const containersBefore = await containerNames();
  const stateBefore = stateDirs();
  try {
    const script = [
      'echo exec-start',
      'nproc',
      'grep MemTotal /proc/meminfo',
      'echo via-virtio-serial > /dev/virtio-ports/e2e.port',
      'exit 3',
    ].join('; ');
    const r = await cli(['run', '--rm', '--name', 'e2e-exec', '--label', TEST_LABEL, '--memory', '1536M', '--vcpus', '2', '--virtio-serial-out', `e2e.port:${serialFile}`, '--execute', `/bin/sh -c '${script}'`, IMAGE]);
    const out = String(r.stdout);
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
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
