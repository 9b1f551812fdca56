import { execa, type Options } from 'execa';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from './harness';

/**
 * Ordinary users with rootless podman, as developers have them (scripts/rootless-user.sh makes them),
 * and the CLI run as one of them: `runuser` with a login-like environment (HOME, XDG_RUNTIME_DIR, a
 * plain PATH) and nothing of root's.
 */
export const DEVELOPER = 'bcdev';
/** another ordinary user: sees none of the developer's VMs */
export const OTHER_USER = 'bcdev2';
/** a user without subordinate ids */
export const NO_SUBIDS_USER = 'bcnosub';

/** The built CLI where ordinary users can read it (the checkout may be under root's 0700 home). */
export const USER_CLI_DIR = '/var/tmp/bootc-ephemeral-rootless';
export const USER_CLI = path.join(USER_CLI_DIR, 'dist/cli.js');

export interface UserRun {
  code: number;
  out: string;
  err: string;
}

export async function prepareUsers(): Promise<void> {
  const script = path.join(ROOT, 'scripts/rootless-user.sh');
  for (const args of [[DEVELOPER], [OTHER_USER, '--no-image'], [NO_SUBIDS_USER, '--no-subids']]) {
    const r = await execa('bash', [script, ...args], { reject: false });
    if (r.exitCode !== 0) throw new Error(`rootless-user.sh ${args.join(' ')} failed: ${r.stderr}`);
  }
  fs.rmSync(USER_CLI_DIR, { recursive: true, force: true });
  fs.mkdirSync(USER_CLI_DIR, { mode: 0o755 });
  fs.cpSync(path.join(ROOT, 'dist'), path.join(USER_CLI_DIR, 'dist'), { recursive: true });
  fs.mkdirSync(path.join(USER_CLI_DIR, 'scripts'), { mode: 0o755 });
  fs.cpSync(path.join(ROOT, 'scripts/ci'), path.join(USER_CLI_DIR, 'scripts/ci'), { recursive: true });
  fs.chmodSync(USER_CLI_DIR, 0o755);
}

export function uidOf(user: string): number {
  const line = fs.readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith(`${user}:`));
  if (!line) throw new Error(`no user ${user}`);
  return Number(line.split(':')[2]);
}

export const homeOf = (user: string) => `/home/${user}`;
export const stateRootOf = (user: string) => path.join(homeOf(user), '.local/state/bootc-ephemeral/vms');

/** The environment a login of that user has (what podman and the CLI look at). */
export function userEnv(user: string, extra: Record<string, string> = {}): string[] {
  const env = { HOME: homeOf(user), USER: user, LOGNAME: user, PATH: '/usr/local/bin:/usr/bin:/bin', LANG: 'C.UTF-8', XDG_RUNTIME_DIR: `/run/user/${uidOf(user)}`, ...extra };
  return Object.entries(env).map(([k, v]) => `${k}=${v}`);
}

/** argv as that user (a child process to stream from or kill). */
export function spawnAs(user: string, argv: string[], opts: Options & { env?: Record<string, string> } = {}) {
  const { env, ...rest } = opts;
  return execa('runuser', ['-u', user, '--', 'env', '-i', ...userEnv(user, env), ...argv], { reject: false, cwd: homeOf(user), stripFinalNewline: false, ...rest });
}

export async function runAs(user: string, argv: string[], opts: { input?: string; timeoutMs?: number; env?: Record<string, string> } = {}): Promise<UserRun> {
  const r = await spawnAs(user, argv, { input: opts.input ?? '', timeout: opts.timeoutMs ?? 300_000, env: opts.env });
  return { code: r.exitCode ?? -1, out: String(r.stdout), err: String(r.stderr) };
}

export const cliAs = (user: string, args: string[], opts: Parameters<typeof runAs>[2] = {}) => runAs(user, ['node', USER_CLI, ...args], opts);
export const podmanAs = (user: string, args: string[]) => runAs(user, ['podman', ...args]);

/** The user's containers (every one: the suite's users run nothing else). */
export async function containersOf(user: string): Promise<string[]> {
  return (await podmanAs(user, ['ps', '-a', '--format', '{{.Names}}'])).out.split('\n').filter(Boolean).sort();
}

export function stateDirsOf(user: string): string[] {
  try {
    return fs.readdirSync(stateRootOf(user)).filter((e) => e !== '.remote').sort();
  } catch {
    return [];
  }
}

/** Removes whatever the suite left for a user: containers, state, volumes. */
export async function cleanupUser(user: string): Promise<void> {
  for (const name of await containersOf(user).catch(() => [])) await podmanAs(user, ['rm', '-f', '-v', '-t', '0', name]);
  fs.rmSync(path.join(homeOf(user), '.local/state/bootc-ephemeral'), { recursive: true, force: true });
  await podmanAs(user, ['volume', 'prune', '-f']);
}

/** /dev/net/tun's mode: 0600 here (rootless podman then has no user-mode network), 0666 on Fedora and Ubuntu. */
export function setTunMode(mode: number): void {
  fs.chmodSync('/dev/net/tun', mode);
}
export const tunMode = () => fs.statSync('/dev/net/tun').mode & 0o777;
