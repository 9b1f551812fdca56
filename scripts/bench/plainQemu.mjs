// The bench's baselines: the same image booted by plain QEMU + virtiofsd straight from the host, as bcvk
// does it (no podman container, no supervisor, the image's own initramfs, no units of ours), with the
// same vCPUs, memory and accelerator. The host's ssh client polls every 0.2 s. Bench only: the engine
// itself never mounts or runs an image on the host.
// Two configurations: `plain` (virtiofsd's default cache, QEMU's default TCG setup) and `tuned`,
// configured as the engine is wherever anyone could copy it: virtiofs cache=always on the read-only
// image, the same TCG options and the same kernel arguments (units masked, tmpfs overlay), and its round
// trip powers off as the engine's --execute does without a disk (`systemctl --force --force poweroff`: sync, then off).
// What the tuned one lacks is only the engine's own work: its guest init, units and SSH path.
import { spawn, execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

const QEMU = process.env.QEMU_BIN ?? 'qemu-system-x86_64';
const VIRTIOFSD = ['/usr/libexec/virtiofsd', '/usr/lib/qemu/virtiofsd'].find((p) => fs.existsSync(p));
/**
 * virtiofsd's cache mode for the plain baseline: its default (auto). bcvk uses never (it ran out of fds
 * with caching): the bench boots that once, for the record (minutes under TCG with Debian 12's C virtiofsd).
 */
const PLAIN_CACHE = process.env.BENCH_BASELINE_CACHE ?? 'auto';
/** the kernel arguments both share (bcvk's; it mounts the root with an injected unit, plain boots say root= instead) */
const KARGS = ['rootfstype=virtiofs', 'root=rootfs', 'ro', 'systemd.volatile=overlay', 'systemd.mask=systemd-journal-flush.service', 'selinux=0', 'console=ttyS0', 'panic=-1'];
/** what the engine adds that anyone could (plan/kernelArgs.ts, plan/machine.ts, plan/virtiofsd.ts) */
const TUNED = { cache: 'always', tcg: 'tcg,thread=multi,tb-size=64', kargs: ['systemd.mask=e2scrub_reap.service'], poweroff: 'systemctl --force --force poweroff' };
const now = () => performance.now() / 1000;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer().once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** The image's kernel and initramfs, from its mounted root. */
function kernelOf(root) {
  const modules = path.join(root, 'usr/lib/modules');
  for (const v of fs.readdirSync(modules)) {
    const dir = path.join(modules, v);
    if (fs.existsSync(path.join(dir, 'vmlinuz')) && fs.existsSync(path.join(dir, 'initramfs.img'))) return { kernel: path.join(dir, 'vmlinuz'), initrd: path.join(dir, 'initramfs.img') };
  }
  throw new Error(`no vmlinuz + initramfs.img under ${modules}`);
}

/**
 * Boots the image; resolves when `ssh root@127.0.0.1 true` first succeeds. Returns the times (seconds
 * from the start), an `ssh(cmd)` helper, and `stop()` (poweroff in the guest, wait for QEMU; or kill).
 */
export async function bootPlain({ image, memoryMiB, vcpus, accel = 'tcg', timeoutS = 300, tuned = false, cache = tuned ? TUNED.cache : PLAIN_CACHE }) {
  if (!VIRTIOFSD) throw new Error('virtiofsd not found');
  const t0 = now();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-plain-'));
  const root = execFileSync('podman', ['image', 'mount', image], { encoding: 'utf8' }).trim();
  const procs = [];
  const cleanup = () => {
    for (const p of procs) if (p.exitCode === null) p.kill('SIGKILL');
    spawnSync('podman', ['image', 'unmount', image]);
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    const { kernel, initrd } = kernelOf(root);
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(dir, 'key')]);
    const pub = fs.readFileSync(path.join(dir, 'key.pub'), 'utf8').trim();
    const sock = path.join(dir, 'vfs.sock');
    const virtiofsdArgs = VIRTIOFSD.includes('/qemu/')
      ? [`--socket-path=${sock}`, '-o', `source=${root}`, '-o', `cache=${cache === 'never' ? 'none' : cache}`] // QEMU's C virtiofsd (Debian 12)
      : [`--socket-path=${sock}`, `--shared-dir=${root}`, `--cache=${cache}`, '--readonly', '--sandbox=none'];
    const virtiofsd = spawn(VIRTIOFSD, virtiofsdArgs, { stdio: 'ignore' });
    procs.push(virtiofsd);
    for (let i = 0; i < 100 && !fs.existsSync(sock); i++) await sleep(20);
    const port = await freePort();
    const cred = Buffer.from(`${pub}\n`).toString('base64');
    const qemu = spawn(QEMU, [
      '-nodefaults', '-no-user-config', '-no-reboot', '-machine', 'q35',
      ...(accel === 'kvm' ? ['-accel', 'kvm', '-cpu', 'host'] : ['-accel', tuned ? TUNED.tcg : 'tcg', '-cpu', 'max']),
      '-m', `${memoryMiB}M`, '-smp', String(vcpus),
      '-object', `memory-backend-memfd,id=mem,size=${memoryMiB}M,share=on`, '-numa', 'node,memdev=mem',
      '-kernel', kernel, '-initrd', initrd,
      '-append', [...KARGS, ...(tuned ? TUNED.kargs : [])].join(' '),
      '-display', 'none', '-serial', `file:${path.join(dir, 'console.log')}`,
      '-netdev', `user,id=n0,hostfwd=tcp:127.0.0.1:${port}-:22`, '-device', 'virtio-net-pci,netdev=n0,romfile=',
      '-chardev', `socket,id=vfs,path=${sock}`, '-device', 'vhost-user-fs-pci,chardev=vfs,tag=rootfs',
      // entropy: without it the guest's first getrandom() (sshd's key exchange) can stall for tens of seconds
      '-device', 'virtio-rng-pci',
      '-smbios', `type=11,value=io.systemd.credential.binary:ssh.authorized_keys.root=${cred}`,
    ], { stdio: 'ignore' });
    procs.push(qemu);
    const sshArgs = ['-i', path.join(dir, 'key'), '-p', String(port), '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=2', '-o', 'LogLevel=ERROR', 'root@127.0.0.1'];
    const ssh = (cmd) => spawnSync('ssh', [...sshArgs, cmd], { encoding: 'utf8', timeout: 60_000 });
    // every 0.2 s a cheap probe for sshd's banner (a full ssh per probe would pile key exchanges onto a
    // slow guest), then `ssh true` until it succeeds
    const banner = () =>
      new Promise((resolve) => {
        const c = net.connect(port, '127.0.0.1');
        const done = (ok) => {
          clearTimeout(timer);
          c.destroy();
          resolve(ok);
        };
        const timer = setTimeout(() => done(false), 2000);
        c.on('data', (d) => done(d.toString().startsWith('SSH-')));
        c.on('error', () => done(false));
        c.on('close', () => done(false));
      });
    let sshAt;
    while (sshAt === undefined) {
      if (qemu.exitCode !== null) throw new Error(`QEMU exited (${qemu.exitCode}) before SSH answered; console: ${path.join(dir, 'console.log')}`);
      if (now() - t0 > timeoutS) throw new Error(`no SSH after ${timeoutS} s`);
      const tick = sleep(200);
      if ((await banner()) && ssh('true').status === 0) sshAt = now();
      await tick;
    }
    const sshS = sshAt - t0;
    return {
      sshS,
      ssh,
      pids: { qemu: qemu.pid, virtiofsd: virtiofsd.pid },
      /** poweroff in the guest and wait for QEMU to end; returns seconds from the start */
      async poweroff() {
        ssh(tuned ? TUNED.poweroff : 'systemctl poweroff');
        for (let i = 0; i < 600 && qemu.exitCode === null; i++) await sleep(50);
        const s = now() - t0;
        cleanup();
        return s;
      },
      stop: cleanup,
    };
  } catch (e) {
    cleanup();
    throw e;
  }
}
