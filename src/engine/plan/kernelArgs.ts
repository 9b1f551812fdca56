import type { RunOptions } from '../options/runOptions';

export const ROOT_TAG = 'rootfs';

/**
 * The guest kernel command line. The root is the image over virtiofs, read-only, under a tmpfs
 * overlay (systemd.volatile=overlay, systemd >= 242): writes live in guest RAM and die with the VM.
 */
export function buildKernelArgs(options: Pick<RunOptions, 'kargs'>): string[] {
  return [
    `rootfstype=virtiofs`,
    `root=${ROOT_TAG}`,
    'ro',
    'systemd.volatile=overlay',
    'console=ttyS0',
    'selinux=0',
    // keep the journal in /run: no writes to the overlay, and it is streamed to the host anyway
    'systemd.mask=systemd-journal-flush.service',
    // a guest panic or reboot ends the VM instead of hanging it (QEMU runs with -no-reboot)
    'panic=-1',
    ...options.kargs,
  ];
}
