import { commandSpec, parseArgs, UsageError } from './args';
import { RUN_FLAGS, runOptionsInputFromFlags } from './runFlags';
import { warn, type CliContext } from './context';
import { parseRunOptions, pathProbeFor, type RunOptions } from '../engine/options/runOptions';
import { catchInterrupts, type Interrupts } from './interrupts';
import { prepareLaunch } from '../engine/vm/launch';
import { runForeground, startDetached } from '../engine/vm/start';
import { shellLine } from '../engine/shellQuote';

export const RUN_SPEC = commandSpec(
  'bootc-ephemeral run [OPTIONS] IMAGE',
  'Boot IMAGE (a bootc container image in local podman storage) as a stateless VM: QEMU boots the image\'s\n' +
    'own kernel with the image as its root over virtiofs; nothing is written back. Foreground by default.',
  RUN_FLAGS,
);

export async function runCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const { flags, positionals, rest } = parseArgs(argv, RUN_FLAGS, 1);
  if (positionals.length !== 1 || rest.length) throw new UsageError('run takes exactly one IMAGE (options go before it)');
  const options = parseRunOptions(runOptionsInputFromFlags(flags, positionals[0]), pathProbeFor(ctx.podman));
  const interrupts = catchInterrupts();
  try {
    return await runWithInterrupts(ctx, options, interrupts);
  } finally {
    interrupts.dispose();
  }
}

async function runWithInterrupts(ctx: CliContext, options: RunOptions, interrupts: Interrupts): Promise<number> {
  const prepared = await prepareLaunch(options, { podman: ctx.podman, warn: (m) => warn(ctx, m) });
  // a signal while preparing: nothing runs yet, remove what was made
  if (interrupts.received()) {
    prepared.discard();
    return interrupts.exitCode();
  }
  if (options.debug) ctx.stderr.write(`+ qemu: ${shellLine(prepared.plan.qemuArgs)}\n`);
  if (options.detach) {
    const id = await startDetached(prepared, ctx.podman);
    if (interrupts.received()) return interrupts.exitCode(); // the VM runs on, as asked: -d
    ctx.stdout.write(`${id}\n`);
    if (ctx.stderr.isTTY) {
      ctx.stderr.write(`VM ${prepared.name} is booting.${options.sshKeygen ? ` Connect: bootc-ephemeral ssh ${prepared.name}` : ''} Logs: bootc-ephemeral logs ${prepared.name} --journal -f\n`);
    }
    return 0;
  }
  if (ctx.stderr.isTTY && !options.console && !options.execute.length) {
    ctx.stderr.write(`VM ${prepared.name} is booting in the foreground (Ctrl-C stops it).${options.sshKeygen ? ` In another terminal: bootc-ephemeral ssh ${prepared.name}` : ' Add --console to watch the boot.'}\n`);
  }
  const code = await runForeground(prepared, ctx.podman, interrupts.signal);
  return interrupts.received() ? interrupts.exitCode() : code;
}
