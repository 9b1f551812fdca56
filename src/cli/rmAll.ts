import * as readline from 'node:readline/promises';
import { commandSpec, parseArgs, bool, UsageError, FlagSpec } from './args';
import type { CliContext } from './context';
import { listVms, removeVms } from '../engine/vm/vms';
import { collectStateGarbage } from '../engine/vm/stateGc';
import { EngineError } from '../engine/errors';

const FLAGS: FlagSpec[] = [{ long: 'force', short: 'f', help: 'do not ask' }];
export const RM_ALL_SPEC = commandSpec('bootc-ephemeral rm-all [-f]', 'Remove every VM started by bootc-ephemeral, running or not, and its state.', FLAGS);

export async function rmAllCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const { flags, positionals } = parseArgs(argv, FLAGS);
  if (positionals.length) throw new UsageError('rm-all takes no arguments');
  const vms = (await listVms(ctx.podman)).filter((v) => v.origin === 'bootc-ephemeral');
  if (vms.length && !bool(flags, 'force')) {
    if (!ctx.stdin.isTTY) throw new EngineError(`rm-all would remove ${vms.length} VM(s): confirm with -f when not on a terminal`);
    ctx.stdout.write(vms.map((v) => `  ${v.name} (${v.state})`).join('\n') + '\n');
    const rl = readline.createInterface({ input: ctx.stdin, output: ctx.stdout });
    const answer = (await rl.question(`Remove these ${vms.length} VM(s)? [y/N]: `)).trim().toLowerCase();
    rl.close();
    if (answer !== 'y' && answer !== 'yes') return 0; // declined: nothing to do, as bcvk
  }
  const failures = await removeVms(ctx.podman, vms, (vm) => ctx.stdout.write(`Removed ${vm.name}\n`));
  for (const f of failures) ctx.stderr.write(`Failed to remove ${f.vm.name}: ${f.error.message}\n`);
  await collectStateGarbage(ctx.podman);
  return failures.length ? 1 : 0;
}
