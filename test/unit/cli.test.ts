import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseArgs, UsageError } from '../../src/cli/args';
import { RUN_FLAGS, runOptionsInputFromFlags } from '../../src/cli/runFlags';
import { psTable, ago } from '../../src/cli/ps';
import type { VmInfo } from '../../src/engine/vm/vms';

test('bcvk-style flags: combined shorts, =values, repeatable, positionals stop at IMAGE', () => {
  const r = parseArgs(['-itdK', '--memory=2G', '--bind', '/a', '--bind=/b:x', '-e', 'A=1', '--karg', 'quiet', 'img', 'echo', '--hi'], RUN_FLAGS, 1);
  assert.deepEqual(r.positionals, ['img']);
  assert.deepEqual(r.rest, ['echo', '--hi']);
  const input = runOptionsInputFromFlags(r.flags, r.positionals[0]);
  assert.equal(input.interactive && input.tty && input.detach && input.sshKeygen, true);
  assert.equal(input.memory, '2G');
  assert.deepEqual(input.bind, ['/a', '/b:x']);
  assert.deepEqual(input.env, ['A=1']);
  assert.deepEqual(input.karg, ['quiet']);
});

test('flags after NAME are still flags; the first extra word starts the command', () => {
  const specs = [{ long: 'local-forward', short: 'L', value: true, help: '' }, { long: 'tty', short: 't', help: '' }];
  const r = parseArgs(['vm', '-L', '1:h:2', '-t', 'ls', '-l'], specs, 1);
  assert.deepEqual(r.positionals, ['vm']);
  assert.deepEqual(r.flags, { 'local-forward': '1:h:2', tty: true });
  assert.deepEqual(r.rest, ['ls', '-l']);
});

test('`--` ends options; unknown and valueless flags are usage errors', () => {
  assert.deepEqual(parseArgs(['vm', '--', 'ls', '-l'], [], 1).rest, ['ls', '-l']);
  assert.throws(() => parseArgs(['--nope'], RUN_FLAGS), UsageError);
  assert.throws(() => parseArgs(['--memory'], RUN_FLAGS), /needs a value/);
  assert.throws(() => parseArgs(['--rm=yes'], RUN_FLAGS), /takes no value/);
});

test('every bcvk ephemeral run flag is known', () => {
  const names = RUN_FLAGS.map((f) => f.long);
  for (const f of ['itype', 'memory', 'vcpus', 'console', 'debug', 'virtio-serial-out', 'execute', 'ssh-keygen', 'tty', 'interactive', 'detach', 'rm', 'name', 'network', 'label', 'env', 'debug-entrypoint', 'bind', 'ro-bind', 'systemd-units', 'bind-storage-ro', 'add-swap', 'mount-disk-file', 'karg', 'accel']) {
    assert.ok(names.includes(f), f);
  }
});

test('ps table', () => {
  const now = 1_000_000_000_000;
  const vm: VmInfo = { id: 'abc', name: 'vm1', image: 'localhost/bootc-sample:latest', origin: 'bootc-ephemeral', podmanState: 'running', state: 'ready', createdAt: now / 1000 - 125, ssh: true, sshPort: 40000, accel: 'tcg', arch: 'arm64', options: { memoryMiB: 4096, vcpus: 2 }, labels: {} };
  const out = psTable([vm, { ...vm, name: 'vm2', state: 'failed', podmanState: 'exited', exitCode: 3, ssh: false, arch: undefined }], now);
  const lines = out.trim().split('\n');
  assert.match(lines[0], /^NAME\s+IMAGE\s+STATE\s+ACCEL\s+ARCH\s+MEMORY\s+VCPUS\s+SSH\s+CREATED$/);
  assert.match(lines[1], /^vm1\s+localhost\/bootc-sample:latest\s+ready\s+tcg\s+arm64\s+4G\s+2\s+127\.0\.0\.1:40000\s+2m ago$/);
  assert.match(lines[2], /failed \(3\)\s+tcg\s+-\s/, 'a VM without the label (older, or bcvk\'s): no architecture');
  assert.equal(ago(undefined), '-');
});
