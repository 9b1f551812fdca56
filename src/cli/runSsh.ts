import { bool, commandSpec, parseArgs, UsageError } from './args';
import { RUN_FLAGS, runOptionsInputFromFlags } from './runFlags';
import { warn, type CliContext } from './context';
import { parseRunOptions, pathProbeFor } from '../engine/options/runOptions';
import { bootVm, type BootedVm } from '../engine/vm/lifecycle';
import { interactiveSession } from './sshSession';
import { SSH_TIMEOUT_FLAG, timeoutMs } from './ssh';
import { catchInterrupts } from './interrupts';
import { progressReporter } from './progress';

export const RUN_SSH_SPEC = commandSpec(
  'bootc-ephemeral run-ssh [OPTIONS] IMAGE [-- CMD...]',
  'Boot IMAGE with SSH, connect (a shell, or CMD), and remove the VM afterwards, always.\n' +
    'Exits with the SSH session\'s exit status. Takes every option of `run` (-K and -d are implied).',
  [...RUN_FLAGS, SSH_TIMEOUT_FLAG, { long: 'quiet', help: 'no boot progress (on a terminal: one live status line; otherwise a line per phase on stderr)' }],
);

export async function runSshCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const { flags, positionals, rest } = parseArgs(argv, RUN_SSH_SPEC.flags, 1);
  if (positionals.length !== 1) throw new UsageError('run-ssh takes one IMAGE (options go before it, the command after it)');
  const input = { ...runOptionsInputFromFlags(flags, positionals[0]), sshKeygen: true, detach: true };
  const options = parseRunOptions(input, pathProbeFor(ctx.podman));
  const sshTimeoutMs = timeoutMs(flags);
  const interrupts = catchInterrupts();
  const progress = progressReporter(ctx.stderr, { quiet: bool(flags, 'quiet') });
  let booted: BootedVm | undefined;
  try {
    // bootVm removes the VM itself when the boot fails or a signal cancels it
    booted = await bootVm(ctx.podman, options, { signal: interrupts.signal, timeoutMs: sshTimeoutMs, onPhase: (p) => progress.phase(p), warn: (m) => warn(ctx, m) }).finally(() => progress.done());
    const client = booted.client;
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
    // run-ssh always removes its VM
    await booted?.remove();
  }
}
