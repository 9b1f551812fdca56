import { commandSpec, parseArgs, bool, UsageError, FlagSpec } from './args';
import type { CliContext } from './context';
import { findVm, removeVm } from '../engine/vm/vms';
import { EngineError } from '../engine/errors';

const FLAGS: FlagSpec[] = [{ long: 'force', short: 'f', help: 'remove running VMs too' }];
export const RM_SPEC = commandSpec('bootc-ephemeral rm [-f] NAME...', 'Remove VMs: the container and the VM\'s state (keys, logs).', FLAGS);

export async function rmCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const { flags, positionals } = parseArgs(argv, FLAGS);
  if (!positionals.length) throw new UsageError('rm takes one or more VM NAMEs');
  for (const name of positionals) {
    const vm = await findVm(ctx.podman, name);
    if ((vm.podmanState === 'running' || vm.podmanState === 'stopping') && !bool(flags, 'force')) {
      throw new EngineError(`${vm.name} is running: stop it first, or use rm -f`, { field: 'name', value: name });
    }
    await removeVm(ctx.podman, vm);
    ctx.stdout.write(`${vm.name}\n`);
  }
  return 0;
}
