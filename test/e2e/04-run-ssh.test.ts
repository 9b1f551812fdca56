import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cli, containerNames, stateDirs, IMAGE, TEST_LABEL, memTotalKiB } from './harness';

test('run-ssh --itype u1.micro: 1 vCPU, ~1 GiB, a fresh root, the command exit code, always removed', { timeout: 300_000 }, async () => {
  const containersBefore = await containerNames();
  const stateBefore = stateDirs();
  const r = await cli(['run-ssh', '--name', 'e2e-runssh', '--label', TEST_LABEL, '--itype', 'u1.micro', IMAGE, '--', 'sh', '-c', 'nproc; grep MemTotal /proc/meminfo; test -e /etc/e2e-stateless-marker && echo MARKER-PRESENT || echo marker-absent; exit 42']);
  assert.equal(r.exitCode, 42, String(r.stderr));
  const out = String(r.stdout);
  assert.equal(out.split('\n')[0], '1');
  const mem = memTotalKiB(out);
  assert.ok(mem > 850 * 1024 && mem <= 1024 * 1024, `MemTotal ${mem} KiB for u1.micro`);
  assert.ok(out.includes('marker-absent\n'), 'the file 03-main-vm wrote in its VM is not in this new one');
  assert.deepEqual(await containerNames(), containersBefore);
  assert.deepEqual(stateDirs(), stateBefore);
});
