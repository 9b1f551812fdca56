import { commandSpec, parseArgs, bool, FlagSpec } from './args';
import type { CliContext } from './context';
import { runDoctor } from '../engine/host/doctor';

const FLAGS: FlagSpec[] = [{ long: 'json', help: 'print the checks as JSON' }];
export const DOCTOR_SPEC = commandSpec('bootc-ephemeral doctor [--json]', 'Check this host for what VMs need, and print fixes.', FLAGS);

const MARK = { ok: 'ok  ', warn: 'WARN', fail: 'FAIL' } as const;

export async function doctorCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const { flags } = parseArgs(argv, FLAGS);
  const checks = await runDoctor(ctx.podman);
  if (bool(flags, 'json')) ctx.stdout.write(JSON.stringify(checks, null, 2) + '\n');
  else {
    for (const c of checks) {
      ctx.stdout.write(`[${MARK[c.status]}] ${c.title}: ${c.detail}\n`);
      if (c.status !== 'ok') for (const f of c.fix ?? []) ctx.stdout.write(`         fix: ${f}\n`);
    }
  }
  return checks.some((c) => c.status === 'fail') ? 1 : 0;
}
