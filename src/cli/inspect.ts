import { commandSpec, parseArgs, UsageError } from './args';
import type { CliContext } from './context';
import { findVm } from '../engine/vm/vms';
import { vmDetails } from '../engine/vm/vmDetails';
import { droppedGuestOutput, readVmLogHead } from '../engine/vm/transport';
import { BOOT_SCAN_BYTES } from '../engine/guest/logLayout';

export const INSPECT_SPEC = commandSpec(
  'bootc-ephemeral inspect NAME...',
  'Print VMs as JSON: state, options, accelerator, SSH endpoint, state dir, and the boot\'s milestones\n' +
    '(seconds from the kernel\'s start to the initrd, the switch to the real root, sshd), from the guest\'s journal.',
  [],
);

export async function inspectCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const { positionals } = parseArgs(argv, INSPECT_SPEC.flags);
  if (!positionals.length) throw new UsageError('inspect takes one or more VM NAMEs');
  const details = [];
  for (const name of positionals) {
    const vm = await findVm(ctx.podman, name);
    const journal = vm.origin === 'bootc-ephemeral' ? (await readVmLogHead(ctx.podman, vm, 'journal', BOOT_SCAN_BYTES).catch(() => Buffer.alloc(0))).toString('utf8') : '';
    details.push(vmDetails(vm, journal, ctx.podman, droppedGuestOutput(ctx.podman, vm)));
  }
  ctx.stdout.write(JSON.stringify(details, null, 2) + '\n');
  return 0;
}
