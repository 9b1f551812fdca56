import { commandSpec, list, parseArgs, str, bool, UsageError, FlagSpec } from './args';
import type { CliContext } from './context';
import { SSH_NO_CONNECTION, waitForSsh } from '../engine/guest/ready';
import { EngineError } from '../engine/errors';
import { progressReporter } from './progress';
import { holdForwards, interactiveSession, parseForwards } from './sshSession';
import { podmanStreams } from '../engine/podman/commands';

/** `ssh` and `run-ssh`: how long to wait for the guest's sshd */
export const SSH_TIMEOUT_FLAG: FlagSpec = { long: 'timeout', value: true, valueName: 'SECONDS', help: 'how long to wait for the VM\'s sshd (default 240)' };

export const SSH_FLAGS: FlagSpec[] = [
  { long: 'local-forward', short: 'L', value: true, repeatable: true, valueName: '[ADDR:]PORT:HOST:HOSTPORT', help: 'forward a local port to HOST:HOSTPORT as seen from the VM' },
  { long: 'remote-forward', short: 'R', value: true, repeatable: true, valueName: '[ADDR:]PORT:HOST:HOSTPORT', help: 'forward a VM port to HOST:HOSTPORT as seen from here' },
  { long: 'tty', short: 't', help: 'allocate a pty for CMD too' },
  SSH_TIMEOUT_FLAG,
  { long: 'quiet', short: 'q', help: 'no boot progress while waiting for the VM (on a terminal: one live status line; otherwise a line per phase on stderr)' },
];

export const SSH_SPEC = commandSpec(
  'bootc-ephemeral ssh NAME [-L SPEC] [-R SPEC] [-t] [-- CMD...]',
  'Connect to a VM started with -K (as root, over SSH from this host, host key pinned). Waits for sshd.\n' +
    'Without CMD: an interactive shell. Exits with CMD\'s exit status (255: no connection).',
  SSH_FLAGS,
);

export function timeoutMs(flags: Record<string, unknown>): number | undefined {
  const t = str(flags as never, 'timeout');
  if (t === undefined) return undefined;
  if (!/^\d+$/.test(t) || Number(t) < 1) throw new UsageError(`invalid --timeout ${JSON.stringify(t)}: give whole seconds`);
  return Number(t) * 1000;
}

export async function sshCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const { flags, positionals, rest } = parseArgs(argv, SSH_FLAGS, 1);
  if (positionals.length !== 1) throw new UsageError('ssh takes one VM NAME');
  const forwards = parseForwards(list(flags, 'local-forward'), list(flags, 'remote-forward'));
  const progress = progressReporter(ctx.stderr, { quiet: bool(flags, 'quiet') });
  const { vm, client } = await waitForSsh(ctx.podman, positionals[0], { timeoutMs: timeoutMs(flags), onPhase: (p) => progress.phase(p) })
    .catch((e: unknown) => {
      // whatever kept us from connecting (no such VM, not running, not ready in time) is 255, as with ssh
      throw e instanceof EngineError ? new EngineError(e.message, { ...e.details, exitCode: SSH_NO_CONNECTION }) : e;
    })
    .finally(() => progress.done());
  const stopWatching = closeWhenVmStops(ctx, vm.id, client);
  try {
    const justForward = rest.length === 0 && !ctx.stdin.isTTY && (forwards.local.length > 0 || forwards.remote.length > 0);
    if (justForward) {
      await holdForwards(client, forwards);
      return 0;
    }
    return await interactiveSession(ctx, client, rest, { forceTty: bool(flags, 'tty'), forwards });
  } finally {
    stopWatching();
    client.end();
  }
}

/**
 * A VM that stops under an open session would leave it waiting for TCP keepalives (a minute or
 * more): `podman wait` (no polling) tells us at once, and the session ends (255, with a message).
 */
export function closeWhenVmStops(ctx: CliContext, containerId: string, client: { destroy(): void }): () => void {
  const waiter = ctx.podman.spawn(podmanStreams.wait(containerId), { stdio: 'ignore' });
  let done = false;
  void waiter.then(() => {
    if (!done) client.destroy();
  });
  return () => {
    done = true;
    waiter.kill();
  };
}
