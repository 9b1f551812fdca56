import { HelpRequested, UsageError } from './args';
import { createContext } from './context';
import { EngineError } from '../engine/errors';
import { COMMANDS } from './commands';
import { fileSystemError } from './fsErrors';
import { validateConnection } from '../engine/podman/connection';
import { parseGlobalOptions } from './globalOptions';

export const MAIN_HELP = `Usage: bootc-ephemeral COMMAND [OPTIONS]

Boot bootc container images as stateless VMs (podman + QEMU + virtiofs). Flags follow \`bcvk ephemeral\`.

Commands:
${Object.entries(COMMANDS)
  .map(([n, c]) => `  ${n.padEnd(12)}${c.summary}`)
  .join('\n')}

Global options (before COMMAND), as podman's:
  --connection NAME   use this podman connection (podman system connection ls); also CONTAINER_CONNECTION
  --url URL           use the podman service at URL (unix://, ssh://user@host/path, tcp://); also CONTAINER_HOST

Run \`bootc-ephemeral COMMAND --help\` (or \`bootc-ephemeral help COMMAND\`) for a command's options.
`;


/** Exit codes: 0 ok, 1 engine error, 2 usage or invalid option; run --execute / ssh: the command's own. */
export async function main(fullArgv: string[]): Promise<number> {
  let globals: ReturnType<typeof parseGlobalOptions>;
  try {
    globals = parseGlobalOptions(fullArgv);
    validateConnection(globals.connection);
  } catch (e) {
    process.stderr.write(`bootc-ephemeral: ${(e as Error).message}\n`);
    return 2;
  }
  const [name, ...rest] = globals.rest;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' ? rest[0] : undefined;
    if (topic && COMMANDS[topic]) {
      process.stdout.write(COMMANDS[topic].spec.help);
      return 0;
    }
    if (topic) {
      process.stderr.write(`bootc-ephemeral: no help for "${topic}": not a command\n\n${MAIN_HELP}`);
      return 2;
    }
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
  const ctx = createContext(rest.includes('--debug') || !!process.env.BOOTC_EPHEMERAL_DEBUG, globals.connection);
  try {
    return await cmd.run(ctx, rest);
  } catch (e) {
    if (e instanceof HelpRequested) {
      process.stdout.write(cmd.spec.help);
      return 0;
    }
    if (e instanceof UsageError) {
      process.stderr.write(`bootc-ephemeral ${name}: ${e.message}\n(see bootc-ephemeral ${name} --help)\n`);
      return 2;
    }
    if (e instanceof EngineError) {
      process.stderr.write(`bootc-ephemeral ${name}: ${e.message}\n`);
      if (e.details.hint) process.stderr.write(`hint: ${e.details.hint}\n`);
      return e.name === 'InvalidOptionsError' ? 2 : (e.details.exitCode ?? 1);
    }
    const fsMessage = fileSystemError(e);
    if (fsMessage) {
      process.stderr.write(`bootc-ephemeral ${name}: ${fsMessage}\n`);
      return 1;
    }
    process.stderr.write(`bootc-ephemeral ${name}: ${(e as Error).stack ?? e}\n`);
    return 1;
  }
}

/**
 * A closed terminal (EIO after a hang-up) or a closed pipe (EPIPE) must not kill a command before it has
 * stopped and removed what it started: what it would still print is lost anyway.
 */
export function outliveClosedOutput(streams: NodeJS.EventEmitter[] = [process.stdin, process.stdout, process.stderr]): void {
  for (const stream of streams) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EIO' && e.code !== 'EPIPE') throw e;
    });
  }
}

if (require.main === module) {
  outliveClosedOutput();
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
