import type { Options as ExecaOptions, ResultPromise } from 'execa';
import { execa } from '../lazyDeps';
import { EngineError, PodmanUnavailableError } from '../errors';
import { connectionArgs, describeConnection, effectiveConnection, type PodmanConnection } from './connection';
import * as l10n from '@vscode/l10n';

export type CommandLogger = (argv: string[]) => void;

/** Podman's own noise that is not about what we asked (a stale CNI config, image copy progress). */
const NOISE = [/level=warning msg="Error validating CNI config file/, /^(Getting image source signatures|Copying (blob|config) |Writing manifest|Storing signatures)/];

export function cleanStderr(stderr: string): string {
  return stderr
    .split('\n')
    .filter((l) => l.trim() && !NOISE.some((re) => re.test(l)))
    .map((l) => l.replace(/^Error: /, ''))
    .join('\n');
}

/** The argv as logged: values of --env/-e are secrets the user may have passed, so only their names show. */
export function redactArgv(argv: string[]): string[] {
  return argv.map((a, i) => (i > 0 && (argv[i - 1] === '--env' || argv[i - 1] === '-e') ? a.replace(/=.*$/s, '=<redacted>') : a.replace(/^(--env=[^=]*)=.*$/s, '$1=<redacted>')));
}

export interface PodmanResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/**
 * Runs podman with argv arrays; never a shell. Every command line goes to the logger first. With a
 * connection (or CONTAINER_HOST / CONTAINER_CONNECTION) every call goes to that podman, and `remote`
 * tells the engine to share nothing else with it (vm/transport.ts).
 */
export class Podman {
  /** true when podman runs elsewhere: no shared files, no shared loopback */
  readonly remote: boolean;
  private readonly globalArgs: string[];

  constructor(
    readonly binary: string = process.env.BOOTC_EPHEMERAL_PODMAN || 'podman',
    private readonly logger?: CommandLogger,
    readonly connection: PodmanConnection = {},
  ) {
    this.remote = effectiveConnection(connection).kind !== 'local';
    this.globalArgs = connectionArgs(connection);
  }

  /** podman's arguments for a command started elsewhere (a terminal's process): the connection flags first. */
  argsFor(args: readonly string[]): string[] {
    return [...this.globalArgs, ...args];
  }

  /** The connection as explicit flags, the environment's too: for commands run later elsewhere (an ssh ProxyCommand). */
  pinnedConnectionArgs(): string[] {
    const e = effectiveConnection(this.connection);
    return e.kind === 'url' ? ['--url', e.url] : e.kind === 'connection' ? ['--connection', e.name] : [];
  }

  /** "local", "connection NAME" or the URL */
  describe(): string {
    return describeConnection(this.connection);
  }

  private notFound(e: unknown): never {
    const err = e as NodeJS.ErrnoException;
    if (err?.code === 'ENOENT') {
      throw new PodmanUnavailableError('missing', l10n.t('podman not found (looked for "{0}")', this.binary), l10n.t('install podman (npm run host-setup on Debian 12), or set the podman path'));
    }
    throw e;
  }

  async run(args: string[], opts: { input?: string | Buffer; timeoutMs?: number } = {}): Promise<PodmanResult> {
    const argv = [...this.globalArgs, ...args];
    this.logger?.(redactArgv([this.binary, ...argv]));
    try {
      const r = await execa().execa(this.binary, argv, { reject: false, input: opts.input, timeout: opts.timeoutMs, stripFinalNewline: true });
      if (r.failed && r.exitCode === undefined) {
        if ((r as { code?: string }).code === 'ENOENT' || /ENOENT/.test(String(r.message))) this.notFound({ code: 'ENOENT' });
        throw new EngineError(l10n.t('podman {0} failed: {1}', args[0], r.message ?? ''));
      }
      return { stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? ''), exitCode: r.exitCode ?? 1 };
    } catch (e) {
      if (e instanceof EngineError) throw e;
      return this.notFound(e);
    }
  }

  /** A command whose stdout is bytes (a file's content, a tar from `podman cp`): never decoded as text. */
  async read(command: { readonly args: readonly string[] }): Promise<{ stdout: Buffer; stderr: string; exitCode: number }> {
    const argv = [...this.globalArgs, ...command.args];
    this.logger?.(redactArgv([this.binary, ...argv]));
    const r = await execa().execa(this.binary, argv, { reject: false, encoding: 'buffer', stripFinalNewline: false });
    if (r.exitCode === undefined && ((r as { code?: string }).code === 'ENOENT' || /ENOENT/.test(String(r.message)))) this.notFound({ code: 'ENOENT' });
    return { stdout: Buffer.from(r.stdout ?? []), stderr: Buffer.from(r.stderr ?? []).toString('utf8'), exitCode: r.exitCode ?? 1 };
  }

  /** Runs one command of podman/commands.ts and reads its result the way the command says. */
  async exec<T>(command: { readonly args: readonly string[]; parse(r: PodmanResult): T }, opts: { input?: string | Buffer; timeoutMs?: number } = {}): Promise<T> {
    return command.parse(await this.run([...command.args], opts));
  }

  /** A long-running podman process (a stream of podman/commands.ts, or the plan's foreground run) with the given stdio. */
  spawn(command: { readonly args: readonly string[] } | readonly string[], opts: ExecaOptions = {}): ResultPromise {
    const args = [...this.globalArgs, ...('args' in command ? command.args : command)];
    this.logger?.(redactArgv([this.binary, ...args]));
    return execa().execa(this.binary, args, { reject: false, ...opts });
  }
}

/** The fields of `podman ps --format json` we use (podman 4.x). */
export interface PodmanPsEntry {
  Id: string;
  Names: string[];
  Image: string;
  ImageID?: string;
  State: string;
  Status?: string;
  Labels?: Record<string, string> | null;
  Created?: number;
  StartedAt?: number;
  ExitedAt?: number;
  ExitCode?: number;
  Exited?: boolean;
  /** started with --rm: podman removes it as it ends */
  AutoRemove?: boolean;
  Ports?: { host_ip?: string; container_port: number; host_port: number; protocol?: string }[] | null;
}
