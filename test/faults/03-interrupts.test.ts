import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { podman, containerNames, stateDirs, IMAGE, TEST_LABEL, STATE_ROOT, CLI, waitFor } from '../e2e/harness';

// A foreground `run --rm` interrupted the ways a user does it: Ctrl-C typed into its terminal (the kernel
// signals the terminal's whole foreground process group, podman included), the terminal closed (a hang-up
// to the session the CLI leads) and `kill` (SIGTERM). Each time it must stop its VM and remove what it
// made, the container and the state dir with the private key, before it exits.
const running = async (name: string) => String((await podman(['inspect', '--format', '{{.State.Status}}', name])).stdout).trim() === 'running';

/** the CLI processes booting `name` */
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
const WAYS: [Way, string, number | undefined][] = [
  ['Ctrl-C typed in its terminal', 'e2e-interrupt-ctrl-c', 130],
  // the terminal's owner is gone: nobody collects an exit status, the hang-up must still clean up
  ['its terminal closed', 'e2e-interrupt-hangup', undefined],
  ['kill (SIGTERM)', 'e2e-interrupt-sigterm', 143],
];

for (const [way, name, code] of WAYS) {
  test(`a foreground run --rm interrupted by ${way}: its VM stopped, its container and state dir (with the key) removed${code ? `, exit ${code}` : ''}`, { timeout: 120_000 }, async () => {
    const argv = ['run', '--rm', '-K', '--name', name, '--label', TEST_LABEL, IMAGE];
    // in a real pseudo-terminal (script(1)); `exec` makes the CLI the session leader, as in a terminal tab.
    // No forced SIGKILL after 5 s (execa's default): stopping the VM may take longer under load
    const child: ResultPromise =
      way === 'kill (SIGTERM)'
        ? execa('node', [CLI, ...argv], { reject: false, stdin: 'ignore', forceKillAfterDelay: false })
        : execa('script', ['-qfec', `exec node ${CLI} ${argv.join(' ')}`, '/dev/null'], { reject: false, stdin: 'pipe', forceKillAfterDelay: false });
    try {
      await waitFor(`${name} running`, () => running(name));
      assert.ok(fs.existsSync(path.join(STATE_ROOT, name, 'ssh', 'id_ed25519')), 'the private key exists while it runs');
      if (way === 'Ctrl-C typed in its terminal') child.stdin!.write('\x03');
      else if (way === 'its terminal closed') child.kill('SIGKILL'); // the pty's master side closes: a hang-up
      else child.kill('SIGTERM');
      const r = await child;
      if (code !== undefined) assert.equal(r.exitCode, code, `${String(r.stdout)}\n${String(r.stderr)}`);
      // the CLI itself cleans up before it exits (after a hang-up nobody waits for it: watch it go)
      await waitFor('the CLI to exit', async () => (cliProcesses(name).length ? undefined : true), 60_000);
      assert.ok(!(await containerNames()).includes(name), 'container removed');
      assert.ok(!stateDirs().includes(name), 'state dir (with the private key) removed');
    } finally {
      child.kill('SIGKILL');
      for (const pid of cliProcesses(name)) process.kill(Number(pid), 'SIGKILL');
      await podman(['rm', '-f', '-t', '0', name]);
      fs.rmSync(path.join(STATE_ROOT, name), { recursive: true, force: true }); // only if the test failed
    }
  });
}
