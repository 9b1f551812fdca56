// The end of npm test: nothing of ours may remain. Containers labelled as ours (or by the tests), state
// dirs, image mounts, and QEMU/virtiofsd processes. Prints a node-test style summary; exits 1 on a leak.
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

const stateRoot = process.env.BOOTC_EPHEMERAL_STATE_DIR ?? '/var/lib/bootc-ephemeral/vms';
const podman = (...args) => execFileSync('podman', args, { encoding: 'utf8' }).split('\n').filter(Boolean);
const processes = () =>
  readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .map((p) => {
      try {
        return readFileSync(`/proc/${p}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
      } catch {
        return '';
      }
    })
    .filter((c) => /qemu-system|virtiofsd|bootc-ephemeral\/supervisor\.sh|podman system service|sshd -D -f \/tmp\//.test(c));

const list = (dir) => {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
};
// VM state dirs: the local podman's, and each connection's under .remote/<key>/ (those roots may stay)
const stateDirs = (root) => [
  ...list(root).filter((e) => e !== '.remote'),
  ...list(`${root}/.remote`).flatMap((key) => list(`${root}/.remote/${key}`).map((vm) => `.remote/${key}/${vm}`)),
];

// the rootless suites' ordinary users (scripts/rootless-user.sh): their own podman, storage and state
const ROOTLESS_USERS = ['bcdev', 'bcdev2'].filter((u) => spawnSync('id', [u]).status === 0);
const asUser = (user, ...args) => {
  const uid = execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim();
  return execFileSync('runuser', ['-u', user, '--', 'env', `HOME=/home/${user}`, `XDG_RUNTIME_DIR=/run/user/${uid}`, 'podman', ...args], { encoding: 'utf8', cwd: '/' }).split('\n').filter(Boolean);
};
const rootlessChecks = ROOTLESS_USERS.flatMap((u) => [
  [`${u}'s containers`, () => asUser(u, 'ps', '-a', '--format', '{{.Names}}')],
  [`${u}'s state dirs`, () => stateDirs(`/home/${u}/.local/state/bootc-ephemeral/vms`)],
  [`${u}'s volumes no container uses`, () => asUser(u, 'volume', 'ls', '--quiet', '--filter', 'dangling=true')],
  // the sample image and the engine's root image stay; a test's build or a dangling layer does not
  [`${u}'s images other than the sample and the container root`, () => asUser(u, 'images', '--format', '{{.Repository}}:{{.Tag}}').filter((i) => !/^localhost\/(bootc-sample:latest|bootc-ephemeral-root:[0-9a-f]+)$/.test(i))],
]);

const checks = [
  ['containers of ours', () => podman('ps', '-a', '--filter', 'label=io.bootc-ephemeral', '--format', '{{.Names}}')],
  ['test containers', () => podman('ps', '-a', '--filter', 'label=bootc-ephemeral-e2e=1', '--format', '{{.Names}}')],
  ['state dirs', () => stateDirs(stateRoot)],
  // the VM containers of a remote connection keep their plan and logs in anonymous volumes
  ['volumes no container uses', () => podman('volume', 'ls', '--quiet', '--filter', 'dangling=true')],
  ['image mounts', () => podman('image', 'mount').filter((l) => l.trim())],
  ['QEMU, virtiofsd, supervisor, test podman service or sshd processes', processes],
  ...rootlessChecks,
];
let failed = 0;
for (const [what, list] of checks) {
  const left = list();
  if (left.length) {
    failed++;
    console.log(`✖ left behind: ${what}: ${left.join(', ')}`);
  } else console.log(`✔ no ${what} left`);
}
console.log(`ℹ pass ${checks.length - failed}`);
console.log(`ℹ fail ${failed}`);
process.exit(failed ? 1 : 0);
