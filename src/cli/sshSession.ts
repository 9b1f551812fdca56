import type { Client } from 'ssh2';
import type { CliContext } from './context';
import { forwardLocal, forwardRemote, parseForwardSpec, remoteCommand, runRemote, ForwardSpec } from '../engine/guest/ssh';
import { UsageError } from './args';

export function parseForwards(local: string[] = [], remote: string[] = []): { local: ForwardSpec[]; remote: ForwardSpec[] } {
  const parse = (flag: string) => (s: string) => {
    const spec = parseForwardSpec(s);
    if (!spec) throw new UsageError(`invalid ${flag} ${JSON.stringify(s)}: use [BIND_ADDRESS:]PORT:HOST:HOSTPORT`);
    return spec;
  };
  return { local: local.map(parse('-L')), remote: remote.map(parse('-R')) };
}

/**
 * Runs CMD (or a shell) over an authenticated client with the terminal wired up: a pty when asked
 * or when a shell runs on a terminal, raw mode, resize. Resolves with the remote exit code.
 */
export async function interactiveSession(
  ctx: CliContext,
  client: Client,
  command: string[],
  opts: { forceTty?: boolean; forwards?: { local: ForwardSpec[]; remote: ForwardSpec[] } } = {},
): Promise<number> {
  const servers = [];
  for (const f of opts.forwards?.local ?? []) servers.push(await forwardLocal(client, f));
  for (const f of opts.forwards?.remote ?? []) await forwardRemote(client, f);
  const isTty = !!ctx.stdin.isTTY && !!ctx.stdout.isTTY;
  const wantPty = opts.forceTty || (command.length === 0 && isTty);
  const pty = wantPty ? { rows: ctx.stdout.rows || 24, cols: ctx.stdout.columns || 80, term: process.env.TERM || 'xterm-256color' } : undefined;
  const raw = wantPty && ctx.stdin.isTTY;
  if (raw) ctx.stdin.setRawMode(true);
  try {
    return await runRemote(client, command.length ? remoteCommand(command) : undefined, {
      stdin: ctx.stdin,
      stdout: ctx.stdout,
      stderr: ctx.stderr,
      pty,
      onChannel: (channel) => {
        if (pty) ctx.stdout.on('resize', () => channel.setWindow(ctx.stdout.rows, ctx.stdout.columns, 0, 0));
      },
      onDrop: () => ctx.stderr.write(`${raw ? '\r\n' : ''}bootc-ephemeral: the connection to the VM closed before the command ended\n`),
    });
  } finally {
    if (raw) ctx.stdin.setRawMode(false);
    ctx.stdin.unref?.();
    ctx.stdin.pause();
    for (const s of servers) s.close();
  }
}

/** Like `ssh -N`: keep the forwards up until interrupted or the connection drops. */
export async function holdForwards(client: Client, forwards: { local: ForwardSpec[]; remote: ForwardSpec[] }): Promise<void> {
  const servers = [];
  for (const f of forwards.local) servers.push(await forwardLocal(client, f));
  for (const f of forwards.remote) await forwardRemote(client, f);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
    client.once('close', () => resolve());
  });
  for (const s of servers) s.close();
}
