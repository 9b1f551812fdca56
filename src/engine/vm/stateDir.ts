import * as fs from 'node:fs';
import * as path from 'node:path';
import * as os from 'node:os';
import { EngineError } from '../errors';
import { connectionKey, type PodmanConnection } from '../podman/connection';
import * as l10n from '@vscode/l10n';

/**
 * Each VM has a state dir (0700) on the host: <state root>/<VM name>. Its path is always derived from
 * the VM's name, never read from a label or anything else a container or an image could forge.
 * It holds what outlives a VS Code reload: the SSH keys, the logs, the plan the supervisor ran.
 */
export function stateRoot(): string {
  if (process.env.BOOTC_EPHEMERAL_STATE_DIR) return process.env.BOOTC_EPHEMERAL_STATE_DIR;
  if (process.getuid?.() === 0) return '/var/lib/bootc-ephemeral/vms';
  const xdg = process.env.XDG_STATE_HOME || path.join(os.homedir(), '.local', 'state');
  return path.join(xdg, 'bootc-ephemeral', 'vms');
}

/**
 * The state root for the VMs of one podman: the local one, or one per connection (under `.remote/`,
 * which no VM name can be), so that two hosts' VMs named `dev` never share keys or markers.
 */
export function stateRootFor(podman: { connection: PodmanConnection }): string {
  const key = connectionKey(podman.connection);
  return key ? path.join(stateRoot(), '.remote', key) : stateRoot();
}

/** Podman's own rule for container names; it also keeps a name a single, harmless path component. */
export const VM_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

/** The state dir of the VM with this name, or undefined for a name that cannot be one of ours. */
export function stateDirOf(name: string, root = stateRoot()): string | undefined {
  if (!VM_NAME.test(name) || name.length > 253) return undefined;
  return path.join(root, name);
}

/** Written by the launch that created the dir: removal and GC touch only dirs that carry it. */
export const OWNER_MARKER = '.bootc-ephemeral-owner';

export function vmStatePaths(stateDir: string) {
  const logs = path.join(stateDir, 'logs');
  const ssh = path.join(stateDir, 'ssh');
  return {
    root: stateDir,
    owner: path.join(stateDir, OWNER_MARKER),
    plan: path.join(stateDir, 'plan'),
    /** the options the VM was started with, --execute commands included (0600: they may hold secrets) */
    options: path.join(stateDir, 'options.json'),
    logs,
    journalLog: path.join(logs, 'journal.log'),
    consoleLog: path.join(logs, 'console.log'),
    /** QEMU's serial console listens here (the dir is bound into the VM container) */
    consoleDir: path.join(stateDir, 'console'),
    consoleSocket: path.join(stateDir, 'console', 'console.sock'),
    virtiofsdLog: (mountName?: string) => path.join(logs, mountName ? `virtiofsd-${mountName}.log` : 'virtiofsd.log'),
    ssh,
    clientKey: path.join(ssh, 'id_ed25519'),
    clientPublicKey: path.join(ssh, 'id_ed25519.pub'),
    guestHostKey: path.join(ssh, 'guest_host_ed25519_key.pub'),
    swap: path.join(stateDir, 'swap.img'),
    readyMarker: path.join(stateDir, 'ready'),
  };
}

interface OwnerRecord {
  pid: number;
  host: string;
}

function readOwner(dir: string): OwnerRecord | undefined {
  const marker = path.join(dir, OWNER_MARKER);
  try {
    if (!fs.lstatSync(marker).isFile()) return undefined;
    const o = JSON.parse(fs.readFileSync(marker, 'utf8')) as Partial<OwnerRecord>;
    return typeof o.pid === 'number' && typeof o.host === 'string' ? { pid: o.pid, host: o.host } : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A real directory (not a symlink) directly under the root, carrying our marker. */
export function isOwnedStateDir(dir: string, root = stateRoot()): boolean {
  if (path.dirname(dir) !== root || !VM_NAME.test(path.basename(dir))) return false;
  try {
    return fs.lstatSync(dir).isDirectory() && readOwner(dir) !== undefined;
  } catch {
    return false;
  }
}

/** True while the process that created the dir (on this host) is still running: its launch may be in progress. */
export function launchInProgress(dir: string): boolean {
  const o = readOwner(dir);
  return !!o && o.host === os.hostname() && o.pid !== process.pid && isAlive(o.pid);
}

/** True when the dir's launcher ran on this host and has exited: its launch is over for sure. */
export function launcherGone(dir: string): boolean {
  const o = readOwner(dir);
  return !!o && o.host === os.hostname() && o.pid !== process.pid && !isAlive(o.pid);
}

/** Removes a state dir the engine created; anything else (no marker, a symlink, outside the root) is left alone. */
export function removeStateDir(dir: string | undefined, root = stateRoot()): boolean {
  if (!dir || !isOwnedStateDir(dir, root)) return false;
  // rmSync removes symlinks inside the tree as links, never what they point to
  fs.rmSync(dir, { recursive: true, force: true });
  return true;
}

/**
 * Creates the state root (0700). Node's recursive mkdir reports a read-only or full file system as
 * ENOENT; the deepest existing folder says what is really wrong.
 */
function ensureStateRoot(root: string): void {
  try {
    fs.mkdirSync(root, { recursive: true, mode: 0o700 });
  } catch (e) {
    let existing = path.dirname(root);
    while (!fs.existsSync(existing) && existing !== path.dirname(existing)) existing = path.dirname(existing);
    try {
      fs.accessSync(existing, fs.constants.W_OK);
    } catch (why) {
      throw Object.assign(why as Error, { path: root, syscall: 'mkdir' });
    }
    throw e;
  }
}

/**
 * Creates the VM's state dir, failing if it exists (mkdir is atomic: two launches with one name cannot
 * both get it). A leftover dir of ours may be replaced: `leftoverReplaceable` is asked, at that moment,
 * whether its launch is over and no container has the name (a value known from before is stale: the
 * launch that made the dir may just have created its container and exited).
 */
export async function reserveStateDir(name: string, leftoverReplaceable: (dir: string) => Promise<boolean>, root = stateRoot()): Promise<string> {
  const dir = stateDirOf(name, root);
  if (!dir) throw new EngineError(l10n.t('invalid VM name {0}: use letters, digits, \'_\', \'.\' and \'-\', starting with a letter or digit', JSON.stringify(name)), { field: 'name', value: name });
  ensureStateRoot(root);
  for (let attempt = 0; ; attempt++) {
    try {
      fs.mkdirSync(dir, { mode: 0o700 });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw e;
      if (!isOwnedStateDir(dir, root) || launchInProgress(dir) || !(await leftoverReplaceable(dir))) {
        throw new EngineError(l10n.t('a VM named {0} exists or is being started (state dir {1}): pick another --name or remove it (bootc-ephemeral rm {2})', name, dir, name), { field: 'name', value: name });
      }
      removeStateDir(dir, root);
    }
  }
  fs.writeFileSync(path.join(dir, OWNER_MARKER), JSON.stringify({ pid: process.pid, host: os.hostname() } satisfies OwnerRecord) + '\n', { mode: 0o600, flag: 'wx' });
  return dir;
}
