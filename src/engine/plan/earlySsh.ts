import type { GuestUnit } from './guestUnits';

/**
 * SSH that does not wait for the network stack. An image's sshd.service starts after network.target,
 * which waits for its network manager (systemd-networkd: ~5 s to start under TCG, then DHCP), and then
 * takes another 1.5-2 s to start itself. Instead (the way systemd-ssh-generator does it on newer systemd):
 * - an early socket on port 22 (no default dependencies: listening as soon as systemd runs) starts the
 *   image's own `sshd -i` per connection, with the image's sshd_config and our pinned host key;
 * - the NIC gets QEMU user network's fixed address (10.0.2.15/24, the one its DHCP server hands out) and
 *   a default route through its gateway (at a metric any network manager's own route wins over) as soon
 *   as udev has named it, from a unit udev pulls in, so nothing waits for DHCP. The image's network
 *   manager still runs and ends with the same address.
 * That unit finishing is the guest's "SSH is possible" line (guest/bootPhases.ts). The image's own sshd
 * service and socket are skipped (a condition) while our socket holds the port. Images without
 * /usr/sbin/sshd or `ip` keep their own path (vm/kernel.ts finds both).
 */

/** QEMU's user network: the guest's fixed address and the NIC's MAC, which the engine sets (plan/qemu.ts) */
export const GUEST_ADDRESS = '10.0.2.15/24';
/** its gateway: connections through a published port come from outside 10.0.2.0/24 (podman's bridge) */
export const GUEST_GATEWAY = '10.0.2.2';
/** our default route's metric: the image's network manager adds its own beside it (lower: preferred), never in its way */
const FALLBACK_ROUTE_METRIC = 65535;
export const GUEST_NIC_MAC = '52:54:00:12:34:56';
export const EARLY_SSH_SOCKET = 'bootc-ephemeral-sshd.socket';
export const SSH_ADDRESS_UNIT_PREFIX = 'bootc-ephemeral-ssh-address@';
/** the image's own SSH units, skipped while ours serves port 22 */
const IMAGE_SSH_UNITS = ['ssh.service', 'sshd.service', 'ssh.socket', 'sshd.socket'];

/** What the image must have, as absolute paths inside it (only fixed candidates, vm/kernel.ts). */
export interface EarlySshTools {
  sshd: string;
  ip: string;
}

export interface EarlySshPayload {
  units: GuestUnit[];
  unitFiles: { relPath: string; content: string }[];
  /** a udev rule, under /run/udev/rules.d (read by the real root's udevd) */
  udevRule: { name: string; content: string };
}

export function earlySshPayload(tools: EarlySshTools): EarlySshPayload {
  const socket: GuestUnit = {
    name: EARLY_SSH_SOCKET,
    wantedBy: ['sockets.target'],
    content: `[Unit]
Description=SSH, socket-activated early (bootc-ephemeral: login without waiting for network.target)
DefaultDependencies=no
Before=sockets.target shutdown.target
Conflicts=shutdown.target

[Socket]
ListenStream=22
Accept=yes
`,
  };
  const perConnection: GuestUnit = {
    name: 'bootc-ephemeral-sshd@.service',
    wantedBy: [],
    content: `[Unit]
Description=SSH connection (the image's sshd -i, bootc-ephemeral)
DefaultDependencies=no
Before=shutdown.target
Conflicts=shutdown.target

[Service]
ExecStart=-${tools.sshd} -i
StandardInput=socket
StandardError=journal
# as the image's own sshd service: the connection's end stops only sshd, not what the session left running
KillMode=process
RuntimeDirectory=sshd
RuntimeDirectoryMode=0755
# other connections' sshd still use it
RuntimeDirectoryPreserve=yes
`,
  };
  const address: GuestUnit = {
    name: `${SSH_ADDRESS_UNIT_PREFIX}.service`,
    wantedBy: [],
    content: `[Unit]
Description=Address for SSH on %i (QEMU user network's, bootc-ephemeral)
DefaultDependencies=no
BindsTo=sys-subsystem-net-devices-%i.device
After=sys-subsystem-net-devices-%i.device ${EARLY_SSH_SOCKET}

[Service]
Type=oneshot
RemainAfterExit=yes
# one ip process for all three (each costs a few hundred ms under TCG while the system starts); "replace":
# the image's network manager may have set the address already. The default route: the replies to a
# client behind podman's published port go through QEMU's gateway, and until DHCP gives a route a
# connection's SYN-ACK had nowhere to go (the login waited seconds for a retransmission)
ExecStart=${tools.ip} -batch -
StandardInput=data
StandardInputText=link set dev %i up
StandardInputText=address replace ${GUEST_ADDRESS} dev %i
StandardInputText=route replace default via ${GUEST_GATEWAY} dev %i metric ${FALLBACK_ROUTE_METRIC}
StandardOutput=journal
`,
  };
  const skipped = '[Unit]\n# bootc-ephemeral serves port 22 from its own socket (bootc-ephemeral-sshd.socket) with this image\'s sshd\n' +
    `ConditionPathExists=!/run/systemd/system/${EARLY_SSH_SOCKET}\n`;
  return {
    units: [socket, perConnection, address],
    unitFiles: IMAGE_SSH_UNITS.map((u) => ({ relPath: `${u}.d/50-bootc-ephemeral-early-ssh.conf`, content: skipped })),
    udevRule: {
      name: '90-bootc-ephemeral-ssh.rules',
      // after 80-net-setup-link.rules: $name is the name the image's naming policy gave the NIC
      content: `# bootc-ephemeral: QEMU's NIC gets its address for SSH as soon as it is named\n` +
        `ACTION!="remove", SUBSYSTEM=="net", ATTR{address}=="${GUEST_NIC_MAC}", TAG+="systemd", ENV{SYSTEMD_WANTS}+="${SSH_ADDRESS_UNIT_PREFIX}$name.service"\n`,
    },
  };
}

/** The fixed places an image keeps sshd and ip (merged /usr: /sbin and /bin are links into it). */
export const SSHD_CANDIDATES = ['/usr/sbin/sshd'];
export const IP_CANDIDATES = ['/usr/sbin/ip', '/usr/bin/ip'];

/** The image's tools for early SSH, from the paths its listing has; undefined: the image's own path. */
export function earlySshToolsOf(paths: ReadonlySet<string>): EarlySshTools | undefined {
  const sshd = SSHD_CANDIDATES.find((p) => paths.has(p));
  const ip = IP_CANDIDATES.find((p) => paths.has(p));
  return sshd && ip ? { sshd, ip } : undefined;
}
