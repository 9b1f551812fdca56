import { execa, type Options as ExecaOptions, type ResultPromise } from 'execa';
import { EngineError } from '../errors';

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

/** Runs podman with argv arrays; never a shell. Every command line goes to the logger first. */
export class Podman {
  constructor(
    readonly binary: string = process.env.BOOTC_EPHEMERAL_PODMAN || 'podman',
    private readonly logger?: CommandLogger,
  ) {}

  private notFound(e: unknown): never {
    const err = e as NodeJS.ErrnoException;
    if (err?.code === 'ENOENT') {
      throw new EngineError(`podman not found (looked for "${this.binary}")`, { hint: 'install podman (npm run host-setup on Debian 12), or set the podman path' });
    }
    throw e;
  }

  async run(args: string[], opts: { input?: string | Buffer; timeoutMs?: number } = {}): Promise<PodmanResult> {
    this.logger?.(redactArgv([this.binary, ...args]));
    try {
      const r = await execa(this.binary, args, { reject: false, input: opts.input, timeout: opts.timeoutMs, stripFinalNewline: true });
      if (r.failed && r.exitCode === undefined) {
        if ((r as { code?: string }).code === 'ENOENT' || /ENOENT/.test(String(r.message))) this.notFound({ code: 'ENOENT' });
        throw new EngineError(`podman ${args[0]} failed: ${r.message}`);
      }
      return { stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? ''), exitCode: r.exitCode ?? 1 };
    } catch (e) {
      if (e instanceof EngineError) throw e;
      return this.notFound(e);
    }
  }

  /** Runs and returns stdout; a non-zero exit becomes an EngineError with podman's own message. */
  async check(args: string[], what = `podman ${args[0]}`): Promise<string> {
    const r = await this.run(args);
    if (r.exitCode !== 0) throw new EngineError(`${what} failed: ${cleanStderr(r.stderr) || `exit ${r.exitCode}`}`);
    return r.stdout;
  }

  async json<T>(args: string[], what?: string): Promise<T> {
    const out = await this.check(args, what);
    return JSON.parse(out || 'null') as T;
  }

  /** A long-running podman process (foreground run, logs -f, events) with the given stdio. */
  spawn(args: string[], opts: ExecaOptions = {}): ResultPromise {
    this.logger?.(redactArgv([this.binary, ...args]));
    return execa(this.binary, args, { reject: false, ...opts });
  }

  async imageExists(image: string): Promise<boolean> {
    return (await this.run(['image', 'exists', image])).exitCode === 0;
  }

  /** The image's full id, or undefined when it is not in local storage. */
  async imageId(image: string): Promise<string | undefined> {
    const r = await this.run(['image', 'inspect', '--format', '{{.Id}}', '--', image]);
    const id = r.stdout.trim();
    return r.exitCode === 0 && /^[0-9a-f]{64}$/.test(id) ? id : undefined;
  }

  async containerExists(name: string): Promise<boolean> {
    return (await this.run(['container', 'exists', name])).exitCode === 0;
  }
}

/** The fields of `podman ps --format json` we use (podman 4.x). */
export interface PodmanPsEntry {
  Id: string;
  Names: string[];
  Image: string;
  State: string;
  Status?: string;
  Labels?: Record<string, string> | null;
  Created?: number;
  StartedAt?: number;
  ExitedAt?: number;
  ExitCode?: number;
  Exited?: boolean;
  Ports?: { host_ip?: string; container_port: number; host_port: number; protocol?: string }[] | null;
}
