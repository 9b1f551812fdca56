import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cli, podman, IMAGE, TEST_LABEL, STATE_ROOT } from '../e2e/harness';
import { Podman } from '../../src/engine/podman/podman';
import { parseRunOptions } from '../../src/engine/options/runOptions';
import { bootVm } from '../../src/engine/vm/lifecycle';
import { execCollect } from '../../src/engine/guest/ssh';

// Boot → SSH command → gone, over and over, the ways users do it; then nothing may have grown. `npm run
// soak` runs SOAK_CYCLES=100; the test suite runs 3. The last cycles run SOAK_PARALLEL VMs at once.
const CYCLES = Number(process.env.SOAK_CYCLES ?? 5);
const PARALLEL = Number(process.env.SOAK_PARALLEL ?? 4);
/** the cycles that run PARALLEL VMs at once: the last tenth (at least one) */
const PARALLEL_CYCLES = Math.max(1, Math.round(CYCLES / 10));

type Mode = 'execute' | 'detach-ssh-rm' | 'run-ssh' | 'engine';
/** how long a cycle waits for SSH: four VMs at once on two TCG cores take over 4 minutes to boot (240 s is the default) */
const SSH_TIMEOUT_S = 600;
/** The CLI gives up on a cycle after this long (SIGTERM: a --rm VM's state dir and its logs go with it). */
const CYCLE_LIMIT_MS = 900_000;
const LOGS_KEPT_AFTER_MS = SSH_TIMEOUT_S * 1000 - 60_000;
const MODES: Mode[] = ['execute', 'detach-ssh-rm', 'run-ssh', 'engine'];

const count = (lines: string) => lines.split('\n').filter(Boolean).length;
const entries = (dir: string) => {
  try {
    return fs.readdirSync(dir).length;
  } catch {
    return 0;
  }
};
function processes(pattern: RegExp): number {
  return fs.readdirSync('/proc').filter((p) => {
    if (!/^\d+$/.test(p)) return false;
    try {
      return pattern.test(fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').replace(/\0/g, ' '));
    } catch {
      return false;
    }
  }).length;
}

/** Everything a cycle could leave behind, counted. */
async function snapshot(): Promise<Record<string, number>> {
  // podman 4.3 prints one JSON object per line with --format '{{json .}}'
  const df = String((await podman(['system', 'df', '--format', '{{json .}}'])).stdout).split('\n').filter(Boolean).map((l) => JSON.parse(l) as { Type: string; Total: number; Size: number });
  const dfOf = (type: string) => df.find((d) => d.Type === type);
  return {
    'containers (all)': count(String((await podman(['ps', '-aq'])).stdout)),
    'state dirs': entries(STATE_ROOT),
    'podman image mounts': count(String((await podman(['image', 'mount'])).stdout)),
    'host mounts': count(fs.readFileSync('/proc/self/mountinfo', 'utf8')),
    'QEMU processes': processes(/qemu-system/),
    'virtiofsd processes': processes(/virtiofsd/),
    'supervisor processes': processes(/bootc-ephemeral\/supervisor\.sh/),
    'podman exec / ssh relays': processes(/podman (--\S+ \S+ )*exec/),
    'open fds of this process (the engine in-process)': entries('/proc/self/fd'),
    [`files in ${os.tmpdir()}`]: entries(os.tmpdir()),
    'files in /var/tmp': entries('/var/tmp'),
    'podman: containers': dfOf('Containers')?.Total ?? 0,
    'podman: images': dfOf('Images')?.Total ?? 0,
    'podman: volumes': dfOf('Local Volumes')?.Total ?? 0,
    'podman: volume bytes': dfOf('Local Volumes')?.Size ?? 0,
  };
}

async function cycle(mode: Mode, name: string): Promise<void> {
  const ok = (r: { exitCode?: number; stderr: unknown }, what: string) => assert.equal(r.exitCode, 0, `${name} ${what}: ${String(r.stderr)}`);
  switch (mode) {
    case 'execute':
      return ok(await cli(['run', '--rm', '--name', name, '--memory', '1G', '--label', TEST_LABEL, '--execute', 'true', IMAGE], { timeoutMs: CYCLE_LIMIT_MS }), 'run --rm --execute');
    case 'detach-ssh-rm':
      ok(await cli(['run', '-d', '-K', '--name', name, '--memory', '1G', '--label', TEST_LABEL, IMAGE]), 'run -d');
      try {
        ok(await cli(['ssh', '--quiet', '--timeout', String(SSH_TIMEOUT_S), name, 'true'], { timeoutMs: CYCLE_LIMIT_MS }), 'ssh');
      } finally {
        // also when ssh failed: a failed cycle leaves no VM behind to muddle the counts
        ok(await cli(['rm', '-f', name]), 'rm');
      }
      return;
    case 'run-ssh':
      return ok(await cli(['run-ssh', '--quiet', '--timeout', String(SSH_TIMEOUT_S), '--name', name, '--memory', '1G', '--label', TEST_LABEL, IMAGE, '--', 'true'], { timeoutMs: CYCLE_LIMIT_MS }), 'run-ssh');
    case 'engine': {
      // the extension's path, in this process: leaked sockets or handles would show in its fds
      const pm = new Podman();
      const vm = await bootVm(pm, parseRunOptions({ image: IMAGE, name, memory: '1G', sshKeygen: true, detach: true, label: [TEST_LABEL] }), { timeoutMs: SSH_TIMEOUT_S * 1000 });
      try {
        assert.equal((await execCollect(vm.client, 'true')).code, 0);
      } finally {
        vm.client.end();
        await vm.remove();
      }
    }
  }
}

/** A cycle still running a minute before the first limit that ends it (the SSH wait) copies its VM's logs to soak-failures/ (a failed run or run-ssh removes them). */
async function keepingLogsIfSlow(name: string, run: () => Promise<void>): Promise<void> {
  const timer = setTimeout(() => {
    const dest = path.resolve('soak-failures', name);
    fs.mkdirSync(dest, { recursive: true });
    try {
      fs.cpSync(path.join(STATE_ROOT, name, 'logs'), dest, { recursive: true });
    } catch (e) {
      fs.writeFileSync(path.join(dest, 'copy-failed.txt'), String(e));
    }
    console.log(`${name}: still running after ${LOGS_KEPT_AFTER_MS / 1000} s; its logs: ${dest}`);
  }, LOGS_KEPT_AFTER_MS);
  try {
    await run();
  } finally {
    clearTimeout(timer);
  }
}

test(`soak: ${CYCLES} cycles (${MODES.join(', ')}; the last ${PARALLEL_CYCLES} with ${PARALLEL} VMs at once) leave nothing behind`, { timeout: (CYCLES + 1) * 300_000 + PARALLEL_CYCLES * SSH_TIMEOUT_S * 1000 }, async () => {
  // one uncounted cycle first: the first VM on a machine makes what every later one reuses (the engine's
  // container root image, podman's /run/netns mount), which is not growth
  await cycle('execute', 'soak-warmup');
  const before = await snapshot();
  const started = Date.now();
  for (let i = 0; i < CYCLES; i++) {
    const parallel = i >= CYCLES - PARALLEL_CYCLES;
    const t0 = Date.now();
    const modes = parallel ? Array.from({ length: PARALLEL }, (_, k) => MODES[(i + k) % MODES.length]) : [MODES[i % MODES.length]];
    await Promise.all(modes.map((mode, k) => keepingLogsIfSlow(`soak-${i}-${k}`, () => cycle(mode, `soak-${i}-${k}`))));
    console.log(`cycle ${i + 1}/${CYCLES} (${modes.join(' + ')}): ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }
  // podman finishes its cleanup of the last containers just after they end (conmon exits last): take the
  // first snapshot that shows no growth, or the last one after 30 s
  const grownIn = (s: Record<string, number>) => Object.keys(before).filter((k) => s[k] > before[k]);
  let after = await snapshot();
  for (const deadline = Date.now() + 30_000; grownIn(after).length && Date.now() < deadline; ) {
    await new Promise((r) => setTimeout(r, 500));
    after = await snapshot();
  }
  const rows = Object.keys(before).map((k) => `${k}: ${before[k]} → ${after[k]}`);
  console.log(`after ${CYCLES} cycles in ${((Date.now() - started) / 60_000).toFixed(1)} min:\n  ${rows.join('\n  ')}`);
  const grown = grownIn(after);
  assert.deepEqual(grown, [], `grew: ${grown.map((k) => `${k} ${before[k]} → ${after[k]}`).join(', ')}`);
});
