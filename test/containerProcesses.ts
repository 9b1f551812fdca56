import * as fs from 'node:fs';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

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
  const victims = descendantsOf(Number(pid)).filter((p) => commandLine.test(commandLineOf(p)));
  for (const p of victims) process.kill(p, 'SIGKILL');
  return victims.length;
}

function descendantsOf(root: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so read after the last ')'
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // ended while we looked
    }
  }
  const found: number[] = [];
  const below = (p: number) => {
    for (const [child, parent] of parents) {
      if (parent !== p) continue;
      found.push(child);
      below(child);
    }
  };
  below(root);
  return found;
}

function commandLineOf(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
}
