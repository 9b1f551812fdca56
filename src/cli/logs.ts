import { commandSpec, parseArgs, bool, UsageError, FlagSpec } from './args';
import type { CliContext } from './context';
import { findVm, stillRunning, type VmInfo } from '../engine/vm/vms';
import { followContainerOutput, streamVmLog } from '../engine/vm/transport';
import { EngineError } from '../engine/errors';
import { TerminalFilter } from '../engine/guest/terminalFilter';
import { catchInterrupts } from './interrupts';

const FLAGS: FlagSpec[] = [
  { long: 'journal', help: 'the guest journal, streamed from the first boot message on' },
  { long: 'console', help: 'the guest serial console (kernel messages)' },
  { long: 'follow', short: 'f', help: 'keep printing until the VM stops' },
  { long: 'raw', help: 'print the bytes as they are (by default, control sequences that could rewrite your terminal, e.g. OSC 52 clipboard or title, are dropped: the guest wrote them)' },
];
export const LOGS_SPEC = commandSpec(
  'bootc-ephemeral logs NAME [--journal|--console] [-f]',
  'Show a VM\'s logs: by default the container\'s output (supervisor, QEMU, --console, --execute).',
  FLAGS,
);

export async function logsCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const { flags, positionals } = parseArgs(argv, FLAGS);
  if (positionals.length !== 1) throw new UsageError('logs takes one VM NAME');
  if (bool(flags, 'journal') && bool(flags, 'console')) throw new UsageError('choose one of --journal and --console');
  const vm = await findVm(ctx.podman, positionals[0]);
  const follow = bool(flags, 'follow');
  const raw = bool(flags, 'raw');
  if (!bool(flags, 'journal') && !bool(flags, 'console')) return containerOutput(ctx, vm, follow, raw);
  if (!vm.stateDir) throw new EngineError(`${vm.name} was not started by bootc-ephemeral: its journal is not streamed to the host`);
  const log = bool(flags, 'journal') ? 'journal' : 'console';
  // the guest wrote these bytes: filtered unless --raw
  const filter = raw ? undefined : new TerminalFilter();
  const show = (chunk: Buffer) => ctx.stdout.write(filter ? filter.push(chunk) : chunk);
  if (!follow) {
    await streamVmLog(ctx.podman, vm, log, show, { follow: false });
    return 0;
  }
  const interrupts = catchInterrupts();
  try {
    await streamVmLog(ctx.podman, vm, log, show, {
      follow: true,
      signal: interrupts.signal,
      isAlive: () => stillRunning(ctx.podman, vm.id),
    });
  } finally {
    interrupts.dispose();
  }
  // Ctrl-C ends a follow as with podman logs -f / tail -f: 130 (143, 129 for SIGTERM, SIGHUP)
  return interrupts.received() ? interrupts.exitCode() : 0;
}

/** `podman logs [-f]`: the container's stdout and stderr to ours (with --console/--execute they hold guest output: filtered unless --raw). */
async function containerOutput(ctx: CliContext, vm: VmInfo, follow: boolean, raw: boolean): Promise<number> {
  const filters = { stdout: new TerminalFilter(), stderr: new TerminalFilter() };
  const interrupts = follow ? catchInterrupts() : undefined;
  try {
    const code = await followContainerOutput(ctx.podman, vm, (chunk, stream) => (stream === 'stdout' ? ctx.stdout : ctx.stderr).write(raw ? chunk : filters[stream].push(chunk)), { signal: interrupts?.signal, follow });
    return interrupts?.received() ? interrupts.exitCode() : code;
  } finally {
    interrupts?.dispose();
  }
}
