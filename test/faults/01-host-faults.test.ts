import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execa } from 'execa';
import { killContainerProcesses } from '../containerProcesses';
import { cli, podman, containerNames, IMAGE, TEST_LABEL, CLI, STATE_ROOT, waitFor } from '../e2e/harness';

// Faults on the host side of a real VM: a helper process dying must end the VM truthfully, not leave it
// hanging; a state root that cannot be written gives one clear message.
test('virtiofsd killed: the VM ends at once, failed (72), and logs say which virtiofsd died how', { timeout: 120_000 }, async () => {
  const name = 'e2e-virtiofsd-dies';
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-faults-'));
  try {
    const r = await cli(['run', '-d', '--name', name, '--label', TEST_LABEL, '--bind', `${work}:work`, IMAGE]);
    assert.equal(r.exitCode, 0, String(r.stderr));
    const inspectState = async () => String((await podman(['inspect', '--format', '{{.State.Status}} {{.State.ExitCode}}', name])).stdout).trim();
    await waitFor('the VM container running', async () => ((await inspectState()).startsWith('running') ? true : undefined));
    // the supervisor starts the bind's virtiofsd just after the container runs: kill it once it is there
    await waitFor('the bind\'s virtiofsd running, then killed', async () => ((await killContainerProcesses(name, /\/virtiofsd --socket-path=\S+ (--shared-dir=|-o source=)\/run\/host-mounts\/work /)) > 0 ? true : undefined), 30_000);
    const ended = await waitFor('the VM container to end', async () => {
      const s = await inspectState();
      return s.startsWith('exited') ? s : undefined;
    }, 30_000);
    assert.equal(ended, 'exited 72');
    const ps = JSON.parse(String((await cli(['ps', '--json'])).stdout)) as { name: string; state: string; exitCode?: number }[];
    assert.deepEqual(ps.filter((v) => v.name === name).map((v) => [v.state, v.exitCode]), [['failed', 72]]);
    // logs NAME: the container's own output, where the supervisor said why
    const logs = await cli(['logs', name]);
    assert.match(String(logs.stdout) + String(logs.stderr), /virtiofsd for \/run\/virtiofs-mnt-work was killed by signal 9: stopping the VM/);
    // restart: the same options, a new boot
    const restarted = await cli(['restart', name]);
    assert.equal(restarted.exitCode, 0, String(restarted.stderr));
    assert.match(String(restarted.stdout).trim(), /^[0-9a-f]{64}$/);
    await waitFor('the restarted VM running', async () => ((await inspectState()).startsWith('running') ? true : undefined));
    const [again] = JSON.parse(String((await cli(['inspect', name])).stdout)) as { options: { binds: { hostPath: string; name: string }[] } }[];
    assert.deepEqual(again.options.binds.map((b) => [b.hostPath, b.name]), [[work, 'work']], 'the same --bind');
    const rm = await cli(['rm', '-f', name]);
    assert.equal(rm.exitCode, 0, String(rm.stderr));
    assert.equal((await podman(['container', 'exists', name])).exitCode, 1, 'rm removed the container');
    assert.ok(!fs.existsSync(path.join(STATE_ROOT, name)), 'and its state dir');
  } finally {
    await cli(['rm', '-f', name]);
    fs.rmSync(work, { recursive: true, force: true });
  }
});

test('a read-only or full state root: one clear message naming the path and the cause, exit 1, nothing left', { timeout: 60_000 }, async () => {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-fs-'));
  const ro = path.join(base, 'ro');
  const full = path.join(base, 'full');
  fs.mkdirSync(ro);
  fs.mkdirSync(full);
  const mounted: string[] = [];
  try {
    for (const [dir, opts] of [[ro, 'size=1m,ro'], [full, 'size=8k']]) {
      const m = await execa('mount', ['-t', 'tmpfs', '-o', opts, 'tmpfs', dir], { reject: false });
      assert.equal(m.exitCode, 0, String(m.stderr));
      mounted.push(dir);
    }
    const before = await containerNames();
    const run = (root: string, name: string) => execa('node', [CLI, 'run', '-d', '-K', '--name', name, '--label', TEST_LABEL, IMAGE], { reject: false, env: { BOOTC_EPHEMERAL_STATE_DIR: path.join(root, 'vms') } });
    const r1 = await run(ro, 'e2e-fs-ro');
    assert.equal(r1.exitCode, 1);
    assert.match(String(r1.stderr), new RegExp(`^bootc-ephemeral run: cannot create ${ro}/vms: the file system is read-only \\(EROFS\\)$`, 'm'));
    const r2 = await run(full, 'e2e-fs-full');
    assert.equal(r2.exitCode, 1);
    assert.match(String(r2.stderr), new RegExp(`^bootc-ephemeral run: cannot write ${full}/vms/e2e-fs-full: no space left on the device \\(ENOSPC\\)$`, 'm'));
    for (const r of [r1, r2]) assert.doesNotMatch(String(r.stderr), /^\s+at /m, 'no stack trace');
    assert.deepEqual(fs.readdirSync(path.join(full, 'vms')), [], 'the half-made state dir was removed');
    assert.deepEqual(await containerNames(), before, 'no container');
  } finally {
    for (const dir of mounted) await execa('umount', [dir], { reject: false });
    fs.rmSync(base, { recursive: true, force: true });
  }
});
