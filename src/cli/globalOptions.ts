import { UsageError } from './args';
import type { PodmanConnection } from '../engine/podman/connection';

/** The global options before the command: podman's connection choice. */
export function parseGlobalOptions(argv: string[]): { connection: PodmanConnection; rest: string[] } {
  const connection: PodmanConnection = {};
  let i = 0;
  for (; i < argv.length; i++) {
    const m = /^--(connection|url)(?:=(.*))?$/s.exec(argv[i]);
    if (!m) break;
    const value = m[2] ?? argv[++i];
    if (value === undefined) throw new UsageError(`--${m[1]} needs a value`);
    connection[m[1] as 'connection' | 'url'] = value;
  }
  return { connection, rest: argv.slice(i) };
}
