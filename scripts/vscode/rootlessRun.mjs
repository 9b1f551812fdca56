// The rootless run of npm run test:vscode: VS Code as an ordinary user (scripts/rootless-user.sh) with
// that user's rootless podman. Root prepares what the user needs and undoes it afterwards: the
// checkout where the user can read it (bound at a path of its own when its folders are root's only),
// a workspace the user owns, a log the user can write, and /dev/net/tun usable (0666, as Fedora and
// Ubuntu ship it: Boot as Ephemeral VM builds a Containerfile whose RUN step needs a network).
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';

export const ROOTLESS_USER = 'bcdev';
const VISIBLE_REPO = '/var/tmp/bootc-ephemeral-rootless/repo';

const readableBy = (user, file) => spawnSync('runuser', ['-u', user, '--', 'test', '-r', file]).status === 0;

export function prepareRootlessRun(root) {
  execFileSync('bash', [path.join(root, 'scripts/rootless-user.sh'), ROOTLESS_USER], { stdio: 'inherit' });
  const uid = Number(execFileSync('id', ['-u', ROOTLESS_USER], { encoding: 'utf8' }).trim());
  const home = execFileSync('getent', ['passwd', ROOTLESS_USER], { encoding: 'utf8' }).split(':')[5];
  let repo = root;
  let bound = false;
  if (!readableBy(ROOTLESS_USER, path.join(root, 'package.json'))) {
    fs.mkdirSync(VISIBLE_REPO, { recursive: true, mode: 0o755 });
    execFileSync('mount', ['--bind', '-o', 'ro', root, VISIBLE_REPO]);
    repo = VISIBLE_REPO;
    bound = true;
  }
  // named like the fixture: the guest sees it at /run/virtiofs-mnt-workspace
  const workspace = path.join(home, 'vscode-rootless', 'workspace');
  fs.rmSync(path.dirname(workspace), { recursive: true, force: true });
  fs.cpSync(path.join(root, 'test/fixtures/workspace'), workspace, { recursive: true });
  execFileSync('chown', ['-R', `${uid}:${uid}`, path.dirname(workspace)]);
  const log = path.join('/tmp', `bootc-ephemeral-rootless-${process.pid}.log`);
  fs.writeFileSync(log, '');
  fs.chownSync(log, uid, uid);
  const tunMode = fs.statSync('/dev/net/tun').mode & 0o777;
  fs.chmodSync('/dev/net/tun', 0o666);
  return {
    repo,
    workspace,
    log,
    env: { BOOTC_EPHEMERAL_TEST_USER: ROOTLESS_USER, BOOTC_EPHEMERAL_TEST_REPO: repo },
    cleanup() {
      fs.chmodSync('/dev/net/tun', tunMode);
      fs.rmSync(log, { force: true });
      fs.rmSync(path.dirname(workspace), { recursive: true, force: true });
      if (bound) spawnSync('umount', [VISIBLE_REPO]);
    },
  };
}
