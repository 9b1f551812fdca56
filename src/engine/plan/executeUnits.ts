import type { GuestUnit } from './guestUnits';
import { EXECUTE_PORT, EXECUTE_STATUS_PORT, EXECUTE_UNIT } from './guestUnits';
import { startupSlice } from './startupSlice';
import { deviceUnit } from './systemdEscape';

/** the --execute units, first for the CPU while the guest starts */
const EXECUTE_SLICE = 'bootc\\x2dephemeral\\x2dexecute.slice';
const STATUS_UNIT = 'bootc-ephemeral-execute-status.service';

/**
 * The drop-in that makes a unit wait for udev's link of one of our virtio ports (a device unit exists only
 * once udev has processed the port: seconds under TCG). Our guest init links the ports itself and then
 * removes these drop-ins for each port it linked (resources/guest-init.sh); where it did not run (the
 * image's own initramfs booted), the unit waits for udev.
 */
export const UDEV_PORT_WAIT_PREFIX = '50-bootc-ephemeral-udev-port-';
export function udevPortWaitDropIn(unit: string, port: string): { relPath: string; content: string } {
  const device = deviceUnit(`/dev/virtio-ports/${port}`);
  return { relPath: `${unit}.d/${UDEV_PORT_WAIT_PREFIX}${port}.conf`, content: `[Unit]\nAfter=${device}\nRequires=${device}\n` };
}

/** systemd would expand %-specifiers in ExecStart=; the user's command line means what it says. */
export function escapeExecLine(cmd: string): string {
  return cmd.replace(/%/g, '%%');
}

export interface ExecuteUnits {
  units: GuestUnit[];
  unitFiles: { relPath: string; content: string }[];
}

/**
 * --execute: run the commands once basic.target is reached (as bcvk does: the image's network and later
 * services may still be starting, and udev still naming devices), and each --mount-disk-file disk (by its
 * serial) has its /dev/disk/by-id link; report the exit status, power off. The VM is thrown away, so it
 * powers off without stopping the image's units: with no disk of the user's it syncs and powers off at
 * once (`--force --force`: writes to --bind folders are on the host after the sync); with a disk
 * systemd-shutdown also ends every process and unmounts, so its file systems are left clean (1-2 s more
 * under TCG).
 */
export function executeUnits(commands: string[], diskSerials: string[]): ExecuteUnits {
  const disks = diskSerials.map((serial) => deviceUnit(`/dev/disk/by-id/virtio-${serial}`)).join(' ');
  return {
    units: [
      {
        name: EXECUTE_UNIT,
        wantedBy: ['multi-user.target'],
        content: `[Unit]
Description=bootc-ephemeral --execute
After=basic.target remote-fs.target${disks ? ` ${disks}\nWants=${disks}` : ''}

[Service]
Slice=${EXECUTE_SLICE}
Type=oneshot
${commands.map((c) => `ExecStart=${escapeExecLine(c)}`).join('\n')}
StandardOutput=file:/dev/virtio-ports/${EXECUTE_PORT}
StandardError=inherit
`,
      },
      {
        name: STATUS_UNIT,
        wantedBy: ['multi-user.target'],
        content: `[Unit]
Description=Report the --execute exit status and power off (bootc-ephemeral)
After=${EXECUTE_UNIT}

[Service]
Slice=${EXECUTE_SLICE}
Type=oneshot
ExecStart=systemctl show --property=ExecMainCode --property=ExecMainStatus ${EXECUTE_UNIT}
ExecStart=systemctl --force ${diskSerials.length ? '' : '--force '}poweroff
StandardOutput=file:/dev/virtio-ports/${EXECUTE_STATUS_PORT}
`,
      },
      startupSlice(EXECUTE_SLICE, 'The --execute command'),
    ],
    unitFiles: [udevPortWaitDropIn(EXECUTE_UNIT, EXECUTE_PORT), udevPortWaitDropIn(STATUS_UNIT, EXECUTE_STATUS_PORT)],
  };
}
