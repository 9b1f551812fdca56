import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { cli, podman, containerNames, stateDirs, IMAGE, TEST_LABEL, STATE_ROOT, CLI, waitFor } from '../e2e/harness';

// Foreground commands interrupted the ways a user does it: Ctrl-C typed into their terminal (the kernel
// signals the terminal's whole foreground process group, podman included), the terminal closed (a
// hang-up to the session the CLI leads) and `kill` (SIGTERM). A command that started a VM must stop it
// and remove what it made (the container, the state dir with the private key) before it exits; one that
// only attached to a VM must let go of it and leave the VM running.
const running = async (name: string) => String((await podman(['inspect', '--format', '{{.State.Status}}', name])).stdout).trim() === 'running';

/** the CLI processes whose command line names `name` */
function cliProcesses(name: string): string[] {
  return fs.readdirSync('/proc').filter((p) => {
    if (!/^\d+$/.test(p)) return false;
    try {
      const argv = fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0');
      return argv.includes(CLI) && argv.includes(name);
    } catch {
      return false;
    }
  });
}

type Way = 'Ctrl-C typed in its terminal' | 'its terminal closed' | 'kill (SIGTERM)';
interface Case {
  command: string;
  way: Way;
  /** the VM the command works on */
  name: string;
  argv: string[];
  /** exit status; none after a hang-up: the terminal's owner is gone, nobody collects it */
  code?: number;
  /** the command started the VM (so it must remove it), or attached to one that runs on */
  owns: boolean;
}

const run = (name: string) => ['run', '--rm', '-K', '--name', name, '--label', TEST_LABEL, IMAGE];
const runSsh = (name: string) => ['run-ssh', '--name', name, '--label', TEST_LABEL, IMAGE];
/** a VM that runs on its own: `ssh` and `console` attach to it */
const SHARED = 'e2e-interrupt-shared';
const CASES: Case[] = [
  { command: 'run --rm', way: 'Ctrl-C typed in its terminal', name: 'e2e-interrupt-ctrl-c', argv: run('e2e-interrupt-ctrl-c'), code: 130, owns: true },
  { command: 'run --rm', way: 'its terminal closed', name: 'e2e-interrupt-hangup', argv: run('e2e-interrupt-hangup'), owns: true },
  { command: 'run --rm', way: 'kill (SIGTERM)', name: 'e2e-interrupt-sigterm', argv: run('e2e-interrupt-sigterm'), code: 143, owns: true },
  { command: 'run-ssh (booting)', way: 'Ctrl-C typed in its terminal', name: 'e2e-interrupt-run-ssh', argv: runSsh('e2e-interrupt-run-ssh'), code: 130, owns: true },
  { command: 'run-ssh (booting)', way: 'its terminal closed', name: 'e2e-interrupt-run-ssh-hup', argv: runSsh('e2e-interrupt-run-ssh-hup'), owns: true },
  { command: 'ssh (waiting for the boot)', way: 'Ctrl-C typed in its terminal', name: SHARED, argv: ['ssh', SHARED], code: 130, owns: false },
  { command: 'console', way: 'its terminal closed', name: SHARED, argv: ['console', SHARED], owns: false },
];

after(async () => {
  await cli(['rm', '-f', SHARED]);
});

for (const c of CASES) {
  const { command, way, name, argv, code, owns } = c;
  const effect = owns ? 'its VM stopped, its container and state dir (with the key) removed' : 'it lets go, the VM runs on';
  test(`${command} interrupted by ${way}: ${effect}${code ? `, exit ${code}` : ''}`, { timeout: 120_000 }, async () => {
    if (!owns && !(await running(name))) assert.equal((await cli(['run', '-d', '-K', '--name', name, '--label', TEST_LABEL, IMAGE])).exitCode, 0);
    // in a real pseudo-terminal (script(1)); `exec` makes the CLI the session leader, as in a terminal tab.
    // No forced SIGKILL after 5 s (execa's default): stopping a VM may take longer under load
    const child: ResultPromise =
      way === 'kill (SIGTERM)'
        ? execa('node', [CLI, ...argv], { reject: false, stdin: 'ignore', forceKillAfterDelay: false })
        : execa('script', ['-qfec', `exec node ${CLI} ${argv.join(' ')}`, '/dev/null'], { reject: false, stdin: 'pipe', forceKillAfterDelay: false });
    try {
      await waitFor(`${name} running`, () => running(name));
      await waitFor('the CLI running', () => cliProcesses(name).length > 0);
      if (owns) assert.ok(fs.existsSync(path.join(STATE_ROOT, name, 'ssh', 'id_ed25519')), 'the private key exists while it runs');
      else await new Promise((r) => setTimeout(r, 1000)); // attached (waiting for SSH, or on the console)
      if (way === 'Ctrl-C typed in its terminal') child.stdin!.write('\x03');
      else if (way === 'its terminal closed') child.kill('SIGKILL'); // the pty's master side closes: a hang-up
      else child.kill('SIGTERM');
      const r = await child;
      if (code !== undefined) assert.equal(r.exitCode, code, `${String(r.stdout)}\n${String(r.stderr)}`);
      // the CLI cleans up before it exits (after a hang-up nobody waits for it: watch it go)
      await waitFor('the CLI to exit', () => cliProcesses(name).length === 0 || undefined, 60_000);
      if (owns) {
        assert.ok(!(await containerNames()).includes(name), 'container removed');
        assert.ok(!stateDirs().includes(name), 'state dir (with the private key) removed');
      } else {
        assert.ok(await running(name), 'the VM it attached to runs on');
      }
    } finally {
      child.kill('SIGKILL');
      for (const pid of cliProcesses(name)) process.kill(Number(pid), 'SIGKILL');
      if (owns) {
        await podman(['rm', '-f', '-t', '0', name]);
        fs.rmSync(path.join(STATE_ROOT, name), { recursive: true, force: true }); // only if the test failed
      }
    }
  });
}
