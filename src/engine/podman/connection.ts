import * as crypto from 'node:crypto';
import { EngineError } from '../errors';
import * as l10n from '@vscode/l10n';

/**
 * Which podman the engine talks to, chosen the way podman itself chooses: `--connection NAME` or
 * `--url URL` (the CLI's global flags, the extension's setting), else `CONTAINER_CONNECTION` /
 * `CONTAINER_HOST` in the environment (podman reads those itself), else the local podman.
 *
 * Any connection is treated as another machine: nothing is shared with it but podman's API (no
 * files, no loopback), even when it happens to run here.
 */
export interface PodmanConnection {
  /** a name from `podman system connection ls` */
  connection?: string;
  /** unix:///path/podman.sock, ssh://user@host[:port]/run/podman/podman.sock, tcp://host:port */
  url?: string;
}

const URL_SCHEME = /^(unix|ssh|tcp):\/\/\S+$/;
/** podman's connection names are free text; ours must stay one argv word without a leading dash */
const CONNECTION_NAME = /^[^\s-][^\s]*$/;

/** Checks a connection given by the user (flag, setting); one clear error naming the value otherwise. */
export function validateConnection(c: PodmanConnection): PodmanConnection {
  if (c.connection !== undefined && c.url !== undefined) {
    throw new EngineError(l10n.t('give either a connection name or a URL, not both'), { field: 'connection', value: `${c.connection} / ${c.url}` });
  }
  if (c.url !== undefined && !URL_SCHEME.test(c.url)) {
    throw new EngineError(l10n.t('invalid podman URL {0}: expected unix:///path, ssh://user@host/path or tcp://host:port', JSON.stringify(c.url)), { field: 'url', value: c.url });
  }
  if (c.connection !== undefined && !CONNECTION_NAME.test(c.connection)) {
    throw new EngineError(l10n.t('invalid podman connection name {0}', JSON.stringify(c.connection)), { field: 'connection', value: c.connection });
  }
  return c;
}

/** The flags every podman call gets for this connection (none for the environment's or the local one). */
export function connectionArgs(c: PodmanConnection): string[] {
  if (c.url) return ['--url', c.url];
  if (c.connection) return ['--connection', c.connection];
  return [];
}

/** The connection in effect: explicit first, then podman's own environment variables. */
export function effectiveConnection(c: PodmanConnection, env: NodeJS.ProcessEnv = process.env): { kind: 'local' } | { kind: 'connection'; name: string } | { kind: 'url'; url: string } {
  if (c.url) return { kind: 'url', url: c.url };
  if (c.connection) return { kind: 'connection', name: c.connection };
  if (env.CONTAINER_HOST) return { kind: 'url', url: env.CONTAINER_HOST };
  if (env.CONTAINER_CONNECTION) return { kind: 'connection', name: env.CONTAINER_CONNECTION };
  return { kind: 'local' };
}

/** How the connection is shown (view description, doctor, ps): "local", "connection NAME", or the URL. */
export function describeConnection(c: PodmanConnection, env: NodeJS.ProcessEnv = process.env): string {
  const e = effectiveConnection(c, env);
  return e.kind === 'local' ? 'local' : e.kind === 'connection' ? `connection ${e.name}` : e.url;
}

/**
 * Part of a VM's identity: two podman hosts may both have a VM `dev`, so client-side state (keys, the
 * pinned host key) is kept per connection. undefined for the local podman.
 */
export function connectionKey(c: PodmanConnection, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const e = effectiveConnection(c, env);
  if (e.kind === 'local') return undefined;
  const id = e.kind === 'connection' ? `connection:${e.name}` : `url:${e.url}`;
  return crypto.createHash('sha256').update(id).digest('hex').slice(0, 16);
}

/** VMs need a Linux podman host: on another OS only a podman connection (a podman machine, a server) can serve them. */
export function needsRemotePodman(platform: NodeJS.Platform, connection: PodmanConnection): boolean {
  return platform !== 'linux' && effectiveConnection(connection).kind === 'local';
}
