import { commandSpec, parseArgs, str, UsageError, type FlagSpec } from './args';
import { RUN_FLAGS, runOptionsInputFromFlags } from './runFlags';
import { warn, type CliContext } from './context';
import { parseRunOptions, pathProbeFor, type RunOptions } from '../engine/options/runOptions';
import { catchInterrupts, type Interrupts } from './interrupts';
import { prepareLaunch } from '../engine/vm/launch';
import { runForeground, startDetached } from '../engine/vm/start';
import { shellLine } from '../engine/shellQuote';
import { podmanCommands } from '../engine/podman/commands';
import { DEFAULT_BOOT_TIMEOUT_MS, watchExecuteBoot } from '../engine/vm/bootWatch';

const BOOT_TIMEOUT_FLAG: FlagSpec = {
  long: 'boot-timeout', value: true, valueName: 'SECONDS',
  help: `with --execute in the foreground: end the VM (exit 125) if its command has not started after SECONDS (default ${DEFAULT_BOOT_TIMEOUT_MS / 1000}); a boot that cannot succeed (an initramfs shell, emergency mode) ends at once`,
};
/** `run --execute`'s status when the command never ran or did not finish (the VM stopped first) */
const EXECUTE_NEVER_FINISHED = 125;

export const RUN_SPEC = commandSpec(
  'bootc-ephemeral run [OPTIONS] IMAGE',
  'Boot IMAGE (a bootc container image in local podman storage) as a stateless VM: QEMU boots the image\'s\n' +
    'own kernel with the image as its root over virtiofs; nothing is written back. Foreground by default.',
  [...RUN_FLAGS, BOOT_TIMEOUT_FLAG],
);

function bootTimeoutMs(flags: Record<string, unknown>, options: RunOptions): number {
  const t = str(flags as never, 'boot-timeout');
  if (t === undefined) return DEFAULT_BOOT_TIMEOUT_MS;
  if (!/^\d+$/.test(t) || Number(t) < 1) throw new UsageError(`invalid --boot-timeout ${JSON.stringify(t)}: give whole seconds`);
  if (!options.execute.length || options.detach) throw new UsageError('--boot-timeout is for run --execute in the foreground (run-ssh and ssh take --timeout)');
  return Number(t) * 1000;
}

export async function runCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const { flags, positionals, rest } = parseArgs(argv, RUN_SPEC.flags, 1);
  if (positionals.length !== 1 || rest.length) throw new UsageError('run takes exactly one IMAGE (options go before it)');
  const options = parseRunOptions(runOptionsInputFromFlags(flags, positionals[0]), pathProbeFor(ctx.podman));
  const bootTimeout = bootTimeoutMs(flags, options);
  const interrupts = catchInterrupts();
  try {
    return await runWithInterrupts(ctx, options, interrupts, bootTimeout);
  } finally {
    interrupts.dispose();
  }
}

async function runWithInterrupts(ctx: CliContext, options: RunOptions, interrupts: Interrupts, bootTimeout: number): Promise<number> {
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
  // --execute would wait on a guest that never boots with no limit: its boot is watched until the command starts
  const watchDone = new AbortController();
  const watch = options.execute.length
    ? watchExecuteBoot(ctx.podman, prepared.name, bootTimeout, watchDone.signal).then(async (end) => {
        if (!end) return false;
        ctx.stderr.write(`bootc-ephemeral: ${end.message}: ending it${end.lastLines}\n`);
        await ctx.podman.exec(podmanCommands.stopContainer(prepared.name, 0, 'stopping the VM')).catch(() => undefined);
        return true;
      })
    : Promise.resolve(false);
  const code = await runForeground(prepared, ctx.podman, interrupts.signal).finally(() => watchDone.abort());
  if (await watch) return EXECUTE_NEVER_FINISHED;
  return interrupts.received() ? interrupts.exitCode() : code;
}
