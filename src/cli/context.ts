import { Podman } from '../engine/podman/podman';
import { shellLine } from '../engine/shellQuote';
import type { PodmanConnection } from '../engine/podman/connection';

/** What every subcommand gets: podman, and where to print. */
export interface CliContext {
  podman: Podman;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  stdin: NodeJS.ReadStream;
  /** --debug: print command lines */
  debug: boolean;
}

export function createContext(debug: boolean, connection: PodmanConnection = {}): CliContext {
  const ctx: CliContext = {
    podman: new Podman(undefined, debug ? (argv) => process.stderr.write(`+ ${shellLine(argv)}\n`) : undefined, connection),
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    debug,
  };
  return ctx;
}


export function warn(ctx: CliContext, message: string): void {
  ctx.stderr.write(`bootc-ephemeral: warning: ${message}\n`);
}

