import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { processTree } from '../scripts/bench/measure.mjs';

const run = promisify(execFile);

/**
 * Kills (SIGKILL, as a crash would) the processes of a running container whose command line matches,
 * from the host: the kill is done when this returns, whatever the container does next. (Killing through
 * `podman exec` could not tell: a helper's death stops the VM at once, which can cut the exec's output.)
 * Returns how many were killed: 0 while none runs yet. Throws when the container is not running.
 */
export async function killContainerProcesses(container: string, commandLine: RegExp): Promise<number> {
  const state = (await run('podman', ['inspect', '--format', '{{.State.Status}} {{.State.Pid}} {{.State.ExitCode}}', container])).stdout.trim();
  const [status, pid] = state.split(' ');
  if (status === 'created' || status === 'initialized') return 0;
  if (status !== 'running') throw new Error(`the container ${container} is not running: ${state}`);
  const victims = processTree(pid).filter((p) => p.pid !== pid && commandLine.test(`${p.args} `));
  for (const p of victims) process.kill(Number(p.pid), 'SIGKILL');
  return victims.length;
}
