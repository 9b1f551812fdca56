import { UsageError } from './args';
import { createContext } from './context';
import { EngineError } from '../engine/errors';
import { runCommand, RUN_HELP } from './run';
import { sshCommand, SSH_HELP } from './ssh';
import { runSshCommand, RUN_SSH_HELP } from './runSsh';
import { psCommand, PS_HELP } from './ps';
import { stopCommand, STOP_HELP } from './stop';
import { rmCommand, RM_HELP } from './rm';
import { rmAllCommand, RM_ALL_HELP } from './rmAll';
import { logsCommand, LOGS_HELP } from './logs';
import { doctorCommand, DOCTOR_HELP } from './doctor';
import { consoleCommand, CONSOLE_HELP } from './console';
import type { CliContext } from './context';

interface Subcommand {
  help: string;
  summary: string;
  run: (ctx: CliContext, argv: string[]) => Promise<number>;
}

const COMMANDS: Record<string, Subcommand> = {
  run: { help: RUN_HELP, summary: 'boot an image as an ephemeral VM', run: runCommand },
  ssh: { help: SSH_HELP, summary: 'connect to a VM over SSH', run: sshCommand },
  'run-ssh': { help: RUN_SSH_HELP, summary: 'boot, connect over SSH, remove', run: runSshCommand },
  ps: { help: PS_HELP, summary: 'list VMs', run: psCommand },
  stop: { help: STOP_HELP, summary: 'stop VMs', run: stopCommand },
  rm: { help: RM_HELP, summary: 'remove VMs', run: rmCommand },
  'rm-all': { help: RM_ALL_HELP, summary: 'remove every VM', run: rmAllCommand },
  console: { help: CONSOLE_HELP, summary: 'attach to a VM\'s serial console', run: consoleCommand },
  logs: { help: LOGS_HELP, summary: 'show a VM\'s container output, journal or console', run: logsCommand },
  doctor: { help: DOCTOR_HELP, summary: 'check this host and print fixes', run: doctorCommand },
};

export const MAIN_HELP = `Usage: bootc-ephemeral COMMAND [OPTIONS]

Boot bootc container images as stateless VMs (podman + QEMU + virtiofs). Flags follow \`bcvk ephemeral\`.

Commands:
${Object.entries(COMMANDS)
  .map(([n, c]) => `  ${n.padEnd(10)}${c.summary}`)
  .join('\n')}

Run \`bootc-ephemeral COMMAND --help\` for a command's options.
`;

/** Exit codes: 0 ok, 1 engine error, 2 usage or invalid option; run --execute / ssh: the command's own. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(MAIN_HELP);
    return name ? 0 : 2;
  }
  if (name === '--version' || name === '-V') {
    process.stdout.write(`bootc-ephemeral ${require('../../package.json').version}\n`);
    return 0;
  }
  const cmd = COMMANDS[name];
  if (!cmd) {
    process.stderr.write(`bootc-ephemeral: unknown command "${name}"\n\n${MAIN_HELP}`);
    return 2;
  }
  if (rest.includes('--help') && !rest.slice(0, rest.indexOf('--help')).includes('--')) {
    process.stdout.write(cmd.help);
    return 0;
  }
  const ctx = createContext(rest.includes('--debug') || !!process.env.BOOTC_EPHEMERAL_DEBUG);
  try {
    return await cmd.run(ctx, rest);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`bootc-ephemeral ${name}: ${e.message}\n(see bootc-ephemeral ${name} --help)\n`);
      return 2;
    }
    if (e instanceof EngineError) {
      process.stderr.write(`bootc-ephemeral ${name}: ${e.message}\n`);
      if (e.details.hint) process.stderr.write(`hint: ${e.details.hint}\n`);
      return e.name === 'InvalidOptionsError' ? 2 : 1;
    }
    process.stderr.write(`bootc-ephemeral ${name}: ${(e as Error).stack ?? e}\n`);
    return 1;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
      // an ssh2 socket or stdin may keep the loop alive after the work is done
      setTimeout(() => process.exit(code), 50).unref();
    },
    (e) => {
      process.stderr.write(`${e}\n`);
      process.exit(1);
    },
  );
}
