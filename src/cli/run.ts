import { formatHelp, parseArgs, UsageError } from './args';
import { RUN_FLAGS, runOptionsInputFromFlags } from './runFlags';
import type { CliContext } from './context';
import { quoteForDisplay, warn } from './context';
import { parseRunOptions } from '../engine/options';
import { prepareLaunch, runForeground, startDetached } from '../engine/launch';

export const RUN_HELP = formatHelp(
  'bootc-ephemeral run [OPTIONS] IMAGE',
  'Boot IMAGE (a bootc container image in local podman storage) as a stateless VM: QEMU boots the image\'s\n' +
    'own kernel with the image as its root over virtiofs; nothing is written back. Foreground by default.',
  RUN_FLAGS,
);

export async function runCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const { flags, positionals, rest } = parseArgs(argv, RUN_FLAGS, 1);
  if (positionals.length !== 1 || rest.length) throw new UsageError('run takes exactly one IMAGE (options go before it)');
  const options = parseRunOptions(runOptionsInputFromFlags(flags, positionals[0]));
  const prepared = await prepareLaunch(options, { podman: ctx.podman, warn: (m) => warn(ctx, m) });
  if (options.debug) ctx.stderr.write(`+ qemu: ${prepared.plan.qemuArgs.map(quoteForDisplay).join(' ')}\n`);
  if (options.detach) {
    const id = await startDetached(prepared, ctx.podman);
    ctx.stdout.write(`${id}\n`);
    if (ctx.stderr.isTTY) {
      ctx.stderr.write(`VM ${prepared.name} is booting.${options.sshKeygen ? ` Connect: bootc-ephemeral ssh ${prepared.name}` : ''} Logs: bootc-ephemeral logs ${prepared.name} --journal -f\n`);
    }
    return 0;
  }
  if (ctx.stderr.isTTY && !options.console && !options.execute.length) {
    ctx.stderr.write(`VM ${prepared.name} is booting in the foreground (Ctrl-C stops it).${options.sshKeygen ? ` In another terminal: bootc-ephemeral ssh ${prepared.name}` : ' Add --console to watch the boot.'}\n`);
  }
  return runForeground(prepared, ctx.podman);
}
