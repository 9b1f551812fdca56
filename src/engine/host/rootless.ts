import * as fs from 'node:fs';
import * as os from 'node:os';
import { childProcess } from '../lazyDeps';
import * as l10n from '@vscode/l10n';

/**
 * What rootless podman needs from the host, for the local user (remote hosts are judged by their own
 * podman). Pure parsers here; the readers below are the only file and process access.
 */

/** Whether /etc/subuid or /etc/subgid text gives this user (by name or uid) a range of at least 65536 ids. */
export function hasSubordinateRange(text: string, user: string, uid: number): boolean {
  return text.split('\n').some((line) => {
    const [owner, start, count] = line.trim().split(':');
    return (owner === user || owner === String(uid)) && /^\d+$/.test(start ?? '') && Number(count) >= 65536;
  });
}

export interface CurrentUser {
  name: string;
  uid: number;
}

export function currentUser(): CurrentUser {
  return { name: os.userInfo().username, uid: process.getuid?.() ?? 0 };
}

/**
 * The user's subordinate uid and gid ranges: /etc/subuid and /etc/subgid, else `getsubids` (shadow's
 * tool, which also asks other sources such as LDAP or SSSD when the host is set up for them).
 */
export function subordinateIds(user: CurrentUser = currentUser(), read: (p: string) => string = (p) => fs.readFileSync(p, 'utf8')): { uids: boolean; gids: boolean } {
  const fromFile = (file: string) => {
    try {
      return hasSubordinateRange(read(file), user.name, user.uid);
    } catch {
      return false;
    }
  };
  const fromTool = (args: string[]) => {
    const r = childProcess().spawnSync('getsubids', [...args, user.name], { encoding: 'utf8', timeout: 5000 });
    // "0: user 100000 65536"
    return r.status === 0 && /^\d+: \S+ \d+ (\d+)$/m.test(r.stdout) && Number(/ (\d+)$/m.exec(r.stdout)?.[1]) >= 65536;
  };
  return { uids: fromFile('/etc/subuid') || fromTool([]), gids: fromFile('/etc/subgid') || fromTool(['-g']) };
}

/** The fix for a user without subordinate ids, to copy. */
export function subordinateIdsFix(user: string): string[] {
  return [`sudo usermod --add-subuids 100000-165535 --add-subgids 100000-165535 ${user}`, 'podman system migrate'];
}

/** One message for a user rootless podman cannot give a user namespace to, naming the fix. */
export function missingSubordinateIds(user: string, ids: { uids: boolean; gids: boolean }): string | undefined {
  const missing = [...(ids.uids ? [] : ['/etc/subuid']), ...(ids.gids ? [] : ['/etc/subgid'])];
  if (!missing.length) return undefined;
  return l10n.t('{0} has no subordinate id range in {1}: rootless podman cannot map the image\'s files into a user namespace', user, missing.join(l10n.t(' and ')));
}

/** newuidmap and newgidmap (Debian: uidmap; Fedora: shadow-utils) set up the user namespace for rootless podman. */
export function idMapHelpers(exists: (p: string) => boolean = fs.existsSync): { ok: boolean; missing: string[] } {
  const missing = ['newuidmap', 'newgidmap'].filter((b) => !['/usr/bin', '/bin', '/usr/sbin'].some((d) => exists(`${d}/${b}`)));
  return { ok: missing.length === 0, missing };
}
