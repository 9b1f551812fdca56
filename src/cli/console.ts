import { commandSpec, parseArgs, UsageError, FlagSpec } from './args';
import type { CliContext } from './context';
import { findVm } from '../engine/vm/vms';
import { CONSOLE_ESCAPE } from '../engine/guest/console';
import { openConsole, readConsoleBacklog } from '../engine/vm/transport';
import { filterTerminalOutput } from '../engine/guest/terminalFilter';
import { catchInterrupts } from './interrupts';

const FLAGS: FlagSpec[] = [];
export const CONSOLE_SPEC = commandSpec(
  'bootc-ephemeral console NAME',
  'Attach to a running VM\'s serial console (ttyS0, logged in as root). Ctrl+] detaches; the VM keeps running.',
  FLAGS,
);

export async function consoleCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const { positionals } = parseArgs(argv, FLAGS);
  if (positionals.length !== 1) throw new UsageError('console takes one VM NAME');
  const vm = await findVm(ctx.podman, positionals[0]);
  const socket = await openConsole(ctx.podman, vm);
  // the backlog is a log of what the guest wrote: filtered like logs --console (live bytes are the session)
  ctx.stdout.write(filterTerminalOutput(await readConsoleBacklog(ctx.podman, vm)));
  ctx.stderr.write(`\r\n[attached to the console of ${vm.name}; Ctrl+] detaches]\r\n`);
  const raw = ctx.stdin.isTTY;
  if (raw) ctx.stdin.setRawMode(true);
  const interrupts = catchInterrupts();
  return new Promise<number>((resolve) => {
    let done = false;
    const finish = (code: number, message: string) => {
      if (done) return;
      done = true;
      interrupts.dispose();
      if (raw) ctx.stdin.setRawMode(false);
      ctx.stdin.off('data', onInput);
      ctx.stdin.pause();
      socket.destroy();
      ctx.stderr.write(`\r\n[${message}]\r\n`);
      resolve(code);
    };
    const onInput = (chunk: Buffer) => {
      const at = chunk.indexOf(CONSOLE_ESCAPE);
      if (at < 0) return void socket.write(chunk);
      if (at > 0) socket.write(chunk.subarray(0, at));
      finish(0, 'detached');
    };
    ctx.stdin.on('data', onInput);
    socket.on('data', (chunk) => ctx.stdout.write(chunk));
    socket.on('error', (e) => finish(1, `console connection failed: ${e.message}`));
    socket.on('close', () => finish(0, 'the console closed: the VM has stopped'));
    // a relay (remote podman) ends its output when the container stops
    socket.on('end', () => finish(0, 'the console closed: the VM has stopped'));
    // SIGTERM, a closed terminal (Ctrl-C goes to the guest in raw mode): detach, the VM keeps running
    interrupts.signal.addEventListener('abort', () => finish(interrupts.exitCode(), `detached (${interrupts.received()})`), { once: true });
  });
}
