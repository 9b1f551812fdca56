// Rootless beside rootful in the bench: the same `run-ssh --rm IMAGE -- true` (boot -> first SSH command)
// as root and as an ordinary user with rootless podman (scripts/rootless-user.sh), alternating.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { now } from './measure.mjs';

const USER = 'bcdev';
const CLI_DIR = '/var/tmp/bootc-ephemeral-rootless';

/** Makes the user (idempotent) and a copy of the built CLI the user can read; undefined when not root. */
export function prepareRootless(root) {
  if (process.getuid?.() !== 0) return undefined;
  execFileSync('bash', [path.join(root, 'scripts/rootless-user.sh'), USER], { stdio: 'inherit' });
  fs.mkdirSync(CLI_DIR, { recursive: true, mode: 0o755 });
  fs.rmSync(path.join(CLI_DIR, 'dist'), { recursive: true, force: true });
  fs.cpSync(path.join(root, 'dist'), path.join(CLI_DIR, 'dist'), { recursive: true });
  const uid = execFileSync('id', ['-u', USER], { encoding: 'utf8' }).trim();
  const env = [`HOME=/home/${USER}`, `USER=${USER}`, 'PATH=/usr/local/bin:/usr/bin:/bin', `XDG_RUNTIME_DIR=/run/user/${uid}`];
  /** seconds for run-ssh --rm ... -- true as that user */
  return (args) => {
    const t = now();
    const r = spawnSync('runuser', ['-u', USER, '--', 'env', '-i', ...env, 'node', path.join(CLI_DIR, 'dist/cli.js'), 'run-ssh', '--rm', '--quiet', ...args, '--', 'true'], { encoding: 'utf8', cwd: '/' });
    if (r.status !== 0) throw new Error(`rootless run-ssh: ${r.stderr}`);
    return now() - t;
  };
}
