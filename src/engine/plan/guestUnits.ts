import { escapeSystemdPath, deviceUnit } from './systemdEscape';
import type { BindMount } from '../options/runOptions';

/**
 * Guest-side configuration. It reaches the guest in a cpio appended to the image's initramfs, so it
 * works on any systemd (252 has no systemd.extra-unit.* credentials): an initrd service runs
 * systemd-tmpfiles with our config, which copies the units for the real root into /run/systemd/system
 * (kept across switch-root) and, for SSH, the pinned host key into the volatile /sysroot/etc.
 */
export const PAYLOAD_DIR = 'usr/lib/bootc-ephemeral';
/** ours in the guest's /run (0700): what the guest keeps across switch-root (host key, the init's times) */
export const GUEST_RUN_DIR = '/run/bootc-ephemeral';
export const JOURNAL_PORT = 'org.bootc-ephemeral.journal';
export const EXECUTE_PORT = 'org.bootc-ephemeral.execute';
export const EXECUTE_STATUS_PORT = 'org.bootc-ephemeral.execute-status';
export const VIRTIOFS_MOUNT_PREFIX = '/run/virtiofs-mnt-';
export const SWAP_DISK_SERIAL = 'swap';
export const EXECUTE_UNIT = 'bootc-ephemeral-execute.service';
/** where podman keeps its images and containers as root, unless the image's storage.conf says otherwise */
export const CONTAINER_STORAGE_DIR = '/var/lib/containers';

/**
 * systemd generators with nothing to find in an ephemeral VM, masked (a link to /dev/null in
 * /run/systemd/system-generators wins over the image's): under TCG each costs an exec before any unit
 * starts (0.3 s together, measured). The root is virtiofs, so no partition table for gpt-auto; nothing
 * hibernates or resumes; an offline update (/system-update) has no place in a throwaway boot; verity and
 * integrity volumes are set up by an image's own initrd and disks, never here. cryptsetup stays: a
 * --mount-disk-file disk may be listed in the image's crypttab.
 */
export const UNNEEDED_GENERATORS = ['systemd-gpt-auto-generator', 'systemd-hibernate-resume-generator', 'systemd-system-update-generator', 'systemd-veritysetup-generator', 'systemd-integritysetup-generator'];

export interface GuestUnit {
  name: string;
  content: string;
  /** targets whose .wants/ gets a link to this unit */
  wantedBy: string[];
}

export function virtiofsTag(mountName: string): string {
  return `mount_${mountName}`;
}

/**
 * `early` (early SSH: its "SSH possible" line must reach the host as soon as it is logged): no wait for
 * udev's device unit (seconds under TCG), our guest init links the port's name itself; where it did not
 * run, the stream starts again each second until udev has made the link. Otherwise the stream waits for
 * udev: started that early it costs a VM that waits for nothing in it (--execute) ~2 s under TCG.
 */
export function journalStreamUnit(early = false): GuestUnit {
  const port = `/dev/virtio-ports/${JOURNAL_PORT}`;
  const order = early
    ? '# journald\'s files must exist: a journalctl started before them follows nothing\nAfter=systemd-journald.socket systemd-journald.service\nStartLimitIntervalSec=0\n'
    : `After=systemd-journald.socket ${deviceUnit(port)}\nRequires=${deviceUnit(port)}\n`;
  return {
    name: 'bootc-ephemeral-journal.service',
    wantedBy: ['sysinit.target'],
    content: `[Unit]
Description=Stream the journal to the host (bootc-ephemeral)
DefaultDependencies=no
${order}
[Service]
ExecStart=journalctl --boot --follow --since=@0 --output=short-precise --no-pager
StandardOutput=file:${port}
StandardError=journal
Restart=always
RestartSec=1s
`,
  };
}

export function bindMountUnit(bind: BindMount): GuestUnit {
  const where = `${VIRTIOFS_MOUNT_PREFIX}${bind.name}`;
  return {
    name: `${escapeSystemdPath(where)}.mount`,
    wantedBy: ['remote-fs.target'],
    content: `[Unit]
Description=Host folder ${bind.name} (virtiofs${bind.readOnly ? ', read-only' : ''})
# mounted as soon as systemd runs (nothing it needs comes later): early SSH is ready only once it is
DefaultDependencies=no
Conflicts=umount.target
Before=remote-fs.target umount.target

[Mount]
What=${virtiofsTag(bind.name)}
Where=${where}
Type=virtiofs
Options=${bind.readOnly ? 'ro' : 'rw'}
`,
  };
}

/**
 * podman's overlay driver cannot keep its layers on an overlay file system (the guest's root): a tmpfs
 * of its own under /var/lib/containers makes podman in the guest work as on an installed system, with
 * nothing kept and the image untouched (bcvk keeps all of /var as a tmpfs copy for the same reason). It
 * hides what the image has there, as bootc does after install (an image's /var is only its first state):
 * images meant to ship with it belong in an additional image store under /usr.
 */
export function containerStorageUnit(): GuestUnit {
  return {
    name: `${escapeSystemdPath(CONTAINER_STORAGE_DIR)}.mount`,
    wantedBy: ['local-fs.target'],
    content: `[Unit]
Description=Container storage on a tmpfs of its own (bootc-ephemeral: an overlay root cannot hold overlay layers)
DefaultDependencies=no
Conflicts=umount.target
Before=local-fs.target umount.target

[Mount]
What=tmpfs
Where=${CONTAINER_STORAGE_DIR}
Type=tmpfs
Options=mode=0700,nosuid,nodev
`,
  };
}

export function swapUnit(): GuestUnit {
  const what = `/dev/disk/by-id/virtio-${SWAP_DISK_SERIAL}`;
  return {
    name: `${escapeSystemdPath(what)}.swap`,
    wantedBy: ['swap.target'],
    content: `[Unit]
Description=Swap disk (bootc-ephemeral --add-swap)

[Swap]
What=${what}
`,
  };
}

/**
 * The serial console logs in as root: the image has no password (bootc images get keys, not passwords),
 * so a login prompt would be a dead end, and the console is the way in when sshd does not come up.
 * Only root on the host reaches the console socket (it lives in the 0700 state dir).
 */
export function consoleAutologinDropIn(consoleTty = 'ttyS0'): { relPath: string; content: string } {
  return {
    relPath: `serial-getty@${consoleTty}.service.d/50-bootc-ephemeral-autologin.conf`,
    content: `[Service]
ExecStart=
ExecStart=-/sbin/agetty --autologin root --noclear --keep-baud 115200,57600,38400,9600 - $TERM
`,
  };
}

/**
 * systemd gives up on a device after 90 s (DefaultDeviceTimeoutSec), and a unit that Requires= it fails
 * with it. With several TCG VMs on few cores udev can take that long to name our virtio ports (12 s for
 * one VM here), and a failed --execute status unit never powers off: the VM would run forever. QEMU always
 * creates these ports, and the --execute disks (`diskSerials`) the command waits for, so the wait for them
 * is never in vain.
 */
export function deviceWaitDropIns(execute: boolean, diskSerials: string[] = []): { relPath: string; content: string }[] {
  const ports = [JOURNAL_PORT, ...(execute ? [EXECUTE_PORT, EXECUTE_STATUS_PORT] : [])].map((p) => `/dev/virtio-ports/${p}`);
  const disks = execute ? diskSerials.map((serial) => `/dev/disk/by-id/virtio-${serial}`) : [];
  return [...ports, ...disks].map((device) => ({
    relPath: `${deviceUnit(device)}.d/50-bootc-ephemeral-wait.conf`,
    content: '[Unit]\nJobRunningTimeoutSec=infinity\n',
  }));
}

/** The initrd service that applies our tmpfiles config before switch-root. */
export function initrdSetupUnit(): GuestUnit {
  return {
    name: 'bootc-ephemeral-setup.service',
    wantedBy: ['initrd.target'],
    content: `[Unit]
Description=Install bootc-ephemeral guest configuration
DefaultDependencies=no
ConditionPathExists=/etc/initrd-release
After=initrd-root-fs.target
Before=initrd-fs.target initrd.target initrd-switch-root.target

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=systemd-tmpfiles --create /${PAYLOAD_DIR}/setup.conf
`,
  };
}
