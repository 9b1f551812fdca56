import { commandSpec, parseArgs, UsageError } from './args';
import type { CliContext } from './context';
import { warn } from './context';
import { findVm } from '../engine/vm/vms';
import { restartVm } from '../engine/vm/restart';

export const RESTART_SPEC = commandSpec(
  'bootc-ephemeral restart NAME',
  'Boot a VM again with the options it was started with (a new, fresh boot; detached). Prints the new\n' +
    'container ID. VMs started with -e cannot be restarted: env values are never stored.',
  [],
);

export async function restartCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const { positionals } = parseArgs(argv, RESTART_SPEC.flags);
  if (positionals.length !== 1) throw new UsageError('restart takes one VM NAME');
  const vm = await findVm(ctx.podman, positionals[0]);
  const id = await restartVm(ctx.podman, vm, { warn: (m) => warn(ctx, m) });
  ctx.stdout.write(`${id}\n`);
  return 0;
}
