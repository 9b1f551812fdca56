import { formatHelp, parseArgs, UsageError } from './args';
import { RUN_FLAGS, runOptionsInputFromFlags } from './runFlags';
import type { CliContext } from './context';
import { warn } from './context';
import { parseRunOptions } from '../engine/options';
import { prepareLaunch, startDetached } from '../engine/launch';
import { waitForSsh } from '../engine/ready';
import { findVm, removeVm } from '../engine/vms';
import { interactiveSession } from './sshSession';

export const RUN_SSH_HELP = formatHelp(
  'bootc-ephemeral run-ssh [OPTIONS] IMAGE [-- CMD...]',
  'Boot IMAGE with SSH, connect (a shell, or CMD), and remove the VM afterwards, always.\n' +
    'Exits with the SSH session\'s exit status. Takes every option of `run` (-K and -d are implied).',
  RUN_FLAGS,
);

export async function runSshCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const { flags, positionals, rest } = parseArgs(argv, RUN_FLAGS, 1);
  if (positionals.length !== 1) throw new UsageError('run-ssh takes one IMAGE (options go before it, the command after it)');
  const input = { ...runOptionsInputFromFlags(flags, positionals[0]), sshKeygen: true, detach: true };
  const options = parseRunOptions(input);
  const prepared = await prepareLaunch(options, { podman: ctx.podman, warn: (m) => warn(ctx, m) });
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    await startDetached(prepared, ctx.podman);
    const { client } = await waitForSsh(ctx.podman, prepared.name, { signal: abort.signal });
    try {
      return await interactiveSession(ctx, client, rest);
    } finally {
      client.end();
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    const vm = await findVm(ctx.podman, prepared.name).catch(() => undefined);
    if (vm) await removeVm(ctx.podman, vm);
    else prepared.discard();
  }
}
