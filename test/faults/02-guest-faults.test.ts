import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cli, podman, IMAGE, TEST_LABEL, cleanupTestVms, waitFor } from '../e2e/harness';

// Faults inside real guests, seen from outside as a user would: a hung QEMU, a stopped sshd, a kernel
// panic, an out-of-memory guest, a guest power-off. Two VMs boot at once and share the checks.
const HANG = 'faults-hang';
const PANIC = 'faults-panic';

interface PsEntry { name: string; state: string; exitCode: number | null }
async function psOf(name: string): Promise<PsEntry | undefined> {
  const r = await cli(['ps', '--json']);
  return (JSON.parse(String(r.stdout)) as PsEntry[]).find((v) => v.name === name);
}

const stateIs = (name: string, state: string, timeoutMs: number) =>
  waitFor(`${name} to be ${state}`, async () => {
    const v = await psOf(name);
    return v?.state === state ? v : undefined;
  }, timeoutMs);

/** QEMU's pid inside the VM container (the container's pid namespace: podman exec kill reaches it). */
async function qemuPid(name: string): Promise<string> {
  const r = await podman(['exec', name, 'sh', '-c', 'for d in /proc/[0-9]*; do [ "${d#/proc/}" = $$ ] && continue; if tr "\\0" " " < $d/cmdline 2>/dev/null | grep -q "qemu-system-x86_64 -name"; then echo ${d#/proc/}; fi; done']);
  const pids = String(r.stdout).split('\n').filter(Boolean);
  assert.equal(pids.length, 1, `one QEMU in ${name}: ${r.stdout}${r.stderr}`);
  return pids[0];
}

before(async () => {
  await cleanupTestVms();
  const started = await Promise.all([HANG, PANIC].map((name) => cli(['run', '-d', '-K', '--name', name, '--memory', '1G', '--label', TEST_LABEL, IMAGE])));
  for (const r of started) assert.equal(r.exitCode, 0, String(r.stderr));
  // ssh waits for the boot: both ready
  const ready = await Promise.all([HANG, PANIC].map((name) => cli(['ssh', '--quiet', name, 'true'], { timeoutMs: 400_000 })));
  for (const r of ready) assert.equal(r.exitCode, 0, String(r.stderr));
});

after(async () => {
  await cli(['rm', '-f', HANG, PANIC]);
  await cleanupTestVms();
});

test('a hung QEMU (SIGSTOP) makes a ready VM unresponsive in ps; resumed, it is ready again', { timeout: 60_000 }, async () => {
  assert.equal((await psOf(HANG))?.state, 'ready');
  const pid = await qemuPid(HANG);
  await podman(['exec', HANG, 'kill', '-STOP', pid]);
  try {
    await stateIs(HANG, 'unresponsive', 15_000);
  } finally {
    await podman(['exec', HANG, 'kill', '-CONT', pid]);
  }
  await stateIs(HANG, 'ready', 30_000);
});

test('sshd stopped in the guest: unresponsive; then a kernel panic ends the VM as failed (1) with the panic as its reason', { timeout: 180_000 }, async () => {
  // the panic comes from a timer in the guest: once sshd is gone nothing else can reach in (early SSH's socket
  // serves port 22 here; stopping it ends new logins, as stopping ssh.service does on the image's own path)
  const r = await cli(['ssh', PANIC, '--', 'sh', '-c', 'systemd-run --quiet --on-active=20 /bin/sh -c "echo c > /proc/sysrq-trigger" && systemctl stop bootc-ephemeral-sshd.socket ssh.service']);
  assert.equal(r.exitCode, 0, String(r.stderr));
  await stateIs(PANIC, 'unresponsive', 15_000);
  const failed = await stateIs(PANIC, 'failed', 120_000);
  assert.equal(failed.exitCode, 1, 'QEMU exits with a failure on the guest\'s pvpanic');
  const [details] = JSON.parse(String((await cli(['inspect', PANIC])).stdout)) as { exitReason: string }[];
  assert.match(details.exitReason, /^the guest kernel panicked: sysrq triggered crash/);
});

test('an out-of-memory guest: the OOM killer ends the hog, the VM stays ready and its journal says why', { timeout: 180_000 }, async () => {
  // the hog volunteers for the OOM killer, as the biggest process would anyway
  const hog = await cli(['ssh', HANG, '--', 'sh', '-c', 'echo 1000 > /proc/self/oom_score_adj && exec tail /dev/zero'], { timeoutMs: 170_000 });
  assert.notEqual(hog.exitCode, 0, 'the hog did not finish');
  // right after the kill the guest is still reclaiming: its sshd answers again soon
  await stateIs(HANG, 'ready', 60_000);
  const journal = await cli(['logs', '--journal', HANG]);
  assert.match(String(journal.stdout), /Out of memory: Killed process \d+ \(tail\)/);
});

test('a guest power-off ends the VM as exited (0): not a failure', { timeout: 120_000 }, async () => {
  await cli(['ssh', HANG, '--', 'systemctl', 'poweroff'], { timeoutMs: 60_000 });
  const exited = await stateIs(HANG, 'exited', 90_000);
  assert.equal(exited.exitCode, 0);
  const [details] = JSON.parse(String((await cli(['inspect', HANG])).stdout)) as { exitReason: string | null }[];
  assert.equal(details.exitReason, null);
});
