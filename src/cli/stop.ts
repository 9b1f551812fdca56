import { commandSpec, parseArgs, str, UsageError, FlagSpec } from './args';
import type { CliContext } from './context';
import { findVm, stopVm } from '../engine/vm/vms';

const FLAGS: FlagSpec[] = [{ long: 'time', value: true, valueName: 'SECONDS', help: 'seconds to wait before killing (default 10)' }];
export const STOP_SPEC = commandSpec('bootc-ephemeral stop NAME...', 'Stop VMs (QEMU is stopped at once; the guest keeps nothing anyway).', FLAGS);

export async function stopCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const { flags, positionals } = parseArgs(argv, FLAGS);
  if (!positionals.length) throw new UsageError('stop takes one or more VM NAMEs');
  const t = str(flags, 'time') ?? '10';
  if (!/^\d+$/.test(t)) throw new UsageError(`invalid --time ${JSON.stringify(t)}: give whole seconds`);
  for (const name of positionals) {
    const vm = await findVm(ctx.podman, name);
    await stopVm(ctx.podman, vm, Number(t));
    ctx.stdout.write(`${vm.name}\n`);
  }
  return 0;
}
