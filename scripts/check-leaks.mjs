// The end of npm test: nothing of ours may remain. Containers labelled as ours (or by the tests), state
// dirs, image mounts, and QEMU/virtiofsd processes. Prints a node-test style summary; exits 1 on a leak.
import { execFileSync } from 'node:child_process';
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

const checks = [
  ['containers of ours', () => podman('ps', '-a', '--filter', 'label=io.bootc-ephemeral', '--format', '{{.Names}}')],
  ['test containers', () => podman('ps', '-a', '--filter', 'label=bootc-ephemeral-e2e=1', '--format', '{{.Names}}')],
  ['state dirs', () => stateDirs(stateRoot)],
  // the VM containers of a remote connection keep their plan and logs in anonymous volumes
  ['volumes no container uses', () => podman('volume', 'ls', '--quiet', '--filter', 'dangling=true')],
  ['image mounts', () => podman('image', 'mount').filter((l) => l.trim())],
  ['QEMU, virtiofsd, supervisor, test podman service or sshd processes', processes],
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
