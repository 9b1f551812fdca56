import type { CommandSpec } from './args';
import type { CliContext } from './context';
import { runCommand, RUN_SPEC } from './run';
import { sshCommand, SSH_SPEC } from './ssh';
import { runSshCommand, RUN_SSH_SPEC } from './runSsh';
import { psCommand, PS_SPEC } from './ps';
import { stopCommand, STOP_SPEC } from './stop';
import { rmCommand, RM_SPEC } from './rm';
import { rmAllCommand, RM_ALL_SPEC } from './rmAll';
import { logsCommand, LOGS_SPEC } from './logs';
import { doctorCommand, DOCTOR_SPEC } from './doctor';
import { consoleCommand, CONSOLE_SPEC } from './console';
import { completionCommand, COMPLETION_SPEC } from './completion';
import { inspectCommand, INSPECT_SPEC } from './inspect';
import { restartCommand, RESTART_SPEC } from './restart';
import { sshConfigCommand, SSH_CONFIG_SPEC } from './sshConfig';

/** What a command's words after its flags are: completion offers VM names or local images for them. */
export type Operand = 'vm' | 'vms' | 'image' | 'shell' | 'none';

export interface Subcommand {
  spec: CommandSpec;
  summary: string;
  operand: Operand;
  run: (ctx: CliContext, argv: string[]) => Promise<number>;
}

/** Every subcommand, once: main dispatches from it; help, completion and the man page describe it. */
export const COMMANDS: Record<string, Subcommand> = {
  run: { spec: RUN_SPEC, summary: 'boot an image as an ephemeral VM', operand: 'image', run: runCommand },
  ssh: { spec: SSH_SPEC, summary: 'connect to a VM over SSH', operand: 'vm', run: sshCommand },
  'run-ssh': { spec: RUN_SSH_SPEC, summary: 'boot, connect over SSH, remove', operand: 'image', run: runSshCommand },
  ps: { spec: PS_SPEC, summary: 'list VMs', operand: 'none', run: psCommand },
  stop: { spec: STOP_SPEC, summary: 'stop VMs', operand: 'vms', run: stopCommand },
  restart: { spec: RESTART_SPEC, summary: 'boot a VM again with its options', operand: 'vm', run: restartCommand },
  rm: { spec: RM_SPEC, summary: 'remove VMs', operand: 'vms', run: rmCommand },
  'rm-all': { spec: RM_ALL_SPEC, summary: 'remove every VM', operand: 'none', run: rmAllCommand },
  console: { spec: CONSOLE_SPEC, summary: 'attach to a VM\'s serial console', operand: 'vm', run: consoleCommand },
  inspect: { spec: INSPECT_SPEC, summary: 'print VMs as JSON, with their boot milestones', operand: 'vms', run: inspectCommand },
  'ssh-config': { spec: SSH_CONFIG_SPEC, summary: 'OpenSSH Host blocks for running VMs', operand: 'vms', run: sshConfigCommand },
  logs: { spec: LOGS_SPEC, summary: 'show a VM\'s container output, journal or console', operand: 'vm', run: logsCommand },
  doctor: { spec: DOCTOR_SPEC, summary: 'check this host and print fixes', operand: 'none', run: doctorCommand },
  completion: { spec: COMPLETION_SPEC, summary: 'print a shell completion script (bash, zsh, fish) or the man page', operand: 'shell', run: (ctx, argv) => completionCommand(ctx, argv, COMMANDS) },
};
