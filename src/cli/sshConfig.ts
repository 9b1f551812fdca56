import { commandSpec, parseArgs } from './args';
import type { CliContext } from './context';
import { findVm, listVms } from '../engine/vm/vms';
import { writeSshConfig } from '../engine/vm/vmDetails';
import { EngineError } from '../engine/errors';

export const SSH_CONFIG_SPEC = commandSpec(
  'bootc-ephemeral ssh-config [NAME...]',
  'Print OpenSSH Host blocks for running -K VMs (all, or those named), with their key and a known_hosts\n' +
    'file holding the pinned host key, so plain `ssh NAME` and VS Code Remote-SSH work, e.g.\n' +
    '  bootc-ephemeral ssh-config > ~/.ssh/bootc-ephemeral.conf   (and "Include bootc-ephemeral.conf" in ~/.ssh/config)',
  [],
);

export async function sshConfigCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const { positionals } = parseArgs(argv, SSH_CONFIG_SPEC.flags);
  const vms = positionals.length ? await Promise.all(positionals.map((n) => findVm(ctx.podman, n))) : (await listVms(ctx.podman)).filter((v) => v.origin === 'bootc-ephemeral');
  const blocks: string[] = [];
  for (const vm of vms) {
    let block: string | undefined;
    try {
      block = writeSshConfig(vm, ctx.podman);
    } catch (e) {
      // one VM whose keys are gone (removed by hand, a half-made state dir) does not cost the others theirs
      if (positionals.length) throw e;
      ctx.stderr.write(`bootc-ephemeral: ${vm.name} left out: ${(e as Error).message}\n`);
      continue;
    }
    if (block) blocks.push(block);
    else if (positionals.length) throw new EngineError(`${vm.name} has no SSH endpoint (${vm.ssh ? 'it is not running' : 'it was started without -K'})`, { field: 'name', value: vm.name });
  }
  ctx.stdout.write(blocks.join('\n'));
  return 0;
}
