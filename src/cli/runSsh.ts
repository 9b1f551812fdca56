import { bool, commandSpec, parseArgs, UsageError } from './args';
import { RUN_FLAGS, runOptionsInputFromFlags } from './runFlags';
import type { CliContext } from './context';
import { warn } from './context';
import { parseRunOptions } from '../engine/options/runOptions';
import { prepareLaunch, startDetached, type PreparedLaunch } from '../engine/vm/launch';
import { waitForSsh } from '../engine/guest/ready';
import { findVm, removeVm } from '../engine/vm/vms';
import { interactiveSession } from './sshSession';
import { catchInterrupts } from './interrupts';
import { progressReporter } from './progress';

export const RUN_SSH_SPEC = commandSpec(
  'bootc-ephemeral run-ssh [OPTIONS] IMAGE [-- CMD...]',
  'Boot IMAGE with SSH, connect (a shell, or CMD), and remove the VM afterwards, always.\n' +
    'Exits with the SSH session\'s exit status. Takes every option of `run` (-K and -d are implied).',
  [...RUN_FLAGS, { long: 'quiet', help: 'no boot progress (on a terminal: one live status line; otherwise a line per phase on stderr)' }],
);

export async function runSshCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const { flags, positionals, rest } = parseArgs(argv, RUN_SSH_SPEC.flags, 1);
  if (positionals.length !== 1) throw new UsageError('run-ssh takes one IMAGE (options go before it, the command after it)');
  const input = { ...runOptionsInputFromFlags(flags, positionals[0]), sshKeygen: true, detach: true };
  const options = parseRunOptions(input);
  const interrupts = catchInterrupts();
  const progress = progressReporter(ctx.stderr, { quiet: bool(flags, 'quiet') });
  let prepared: PreparedLaunch | undefined;
  try {
    progress.phase('starting');
    prepared = await prepareLaunch(options, { podman: ctx.podman, warn: (m) => warn(ctx, m) });
    if (interrupts.received()) return interrupts.exitCode();
    await startDetached(prepared, ctx.podman);
    const { client } = await waitForSsh(ctx.podman, prepared.name, { signal: interrupts.signal, onPhase: (p) => progress.phase(p) }).finally(() => progress.done());
    // SIGTERM/SIGHUP end the session (Ctrl-C in a TTY session goes to the guest, as with ssh)
    const endSession = () => client.end();
    interrupts.signal.addEventListener('abort', endSession, { once: true });
    try {
      const code = await interactiveSession(ctx, client, rest);
      return interrupts.received() ? interrupts.exitCode() : code;
    } finally {
      interrupts.signal.removeEventListener('abort', endSession);
      client.end();
    }
  } catch (e) {
    if (interrupts.received()) return interrupts.exitCode();
    throw e;
  } finally {
    interrupts.dispose();
    if (prepared) await removeLaunched(ctx, prepared);
  }
}

/** run-ssh always removes its VM: the container (by name, it is ours) and the state dir. */
async function removeLaunched(ctx: CliContext, prepared: PreparedLaunch): Promise<void> {
  const vm = await findVm(ctx.podman, prepared.name).catch(() => undefined);
  if (vm) await removeVm(ctx.podman, vm);
  else prepared.discard();
}
