import type { RunOptions } from '../options/runOptions';
import { GUEST_INIT } from './guestInit';
import { cloudInitKernelArg } from '../vm/cloudInit';

export const ROOT_TAG = 'rootfs';

/**
 * The guest kernel command line. The root is the image over virtiofs, read-only, under a tmpfs
 * overlay (systemd.volatile=overlay, systemd >= 242): writes live in guest RAM and die with the VM.
 * Then the image's own kernel arguments (kargs.d), then the user's --karg.
 */
export function buildKernelArgs(options: Pick<RunOptions, 'kargs' | 'ignitionFile' | 'cloudInitDir'>, imageKargs: readonly string[] = [], consoleTty = 'ttyS0'): string[] {
  return [
    `rootfstype=virtiofs`,
    `root=${ROOT_TAG}`,
    'ro',
    'systemd.volatile=overlay',
    `console=${consoleTty}`,
    'selinux=0',
    // keep the journal in /run: no writes to the overlay, and it is streamed to the host anyway
    'systemd.mask=systemd-journal-flush.service',
    // e2scrub_reap removes leftover ext4 LVM scrub snapshots: none in a throwaway VM; it ran 2-3 s of
    // guest CPU under TCG beside sshd's start and first login
    'systemd.mask=e2scrub_reap.service',
    // a guest panic or reboot ends the VM instead of hanging it (QEMU runs with -no-reboot)
    'panic=-1',
    // Ignition finds its config on QEMU's fw_cfg (plan/credentialFiles.ts)
    ...(options.ignitionFile ? ['ignition.platform.id=qemu'] : []),
    // cloud-init finds the --cloud-init seed the payload put in /run (vm/cloudInit.ts)
    ...(options.cloudInitDir ? [cloudInitKernelArg()] : []),
    // our init first: it mounts the root itself and starts the image's init, skipping the image
    // initramfs's own start-up; it falls back to that (/init) when it cannot. --karg rdinit=/init wins.
    `rdinit=${GUEST_INIT}`,
    // the image's /usr/lib/bootc/kargs.d, as bootc install applies them; the user's --karg come last and win
    ...imageKargs,
    ...options.kargs,
  ];
}
