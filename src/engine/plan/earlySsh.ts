import type { GuestUnit } from './guestUnits';
import { startupSlice } from './startupSlice';

/**
 * SSH that does not wait for the network stack. An image's sshd.service starts after network.target,
 * which waits for its network manager (systemd-networkd: ~5 s to start under TCG, then DHCP), and then
 * takes another 1.5-2 s to start itself. Instead (the way systemd-ssh-generator does it on newer systemd):
 * - an early socket on port 22 (no default dependencies: listening as soon as systemd runs) starts the
 *   image's own `sshd -i` per connection, with the image's sshd_config and our pinned host key;
 * - SSH has a NIC of its own: a second QEMU user network, restricted (it reaches nothing, QEMU only
 *   forwards SSH into it), on a link-local subnet. Our guest init finds it by its MAC and has systemd
 *   give it its fixed address as soon as systemd runs: nothing waits for udev (whose coldplug and
 *   naming took 6-8 s under TCG) or DHCP. A .link file keeps its kernel name (udev could not rename a
 *   link that is up), and networkd and NetworkManager are told to leave it alone. Where our init did not
 *   run (the image's own initramfs), a udev rule starts the same unit once udev sees the NIC.
 * The image's own network (the first NIC) is the image's alone. The address unit finishing is the
 * guest's "SSH is possible" line (guest/bootPhases.ts). The image's own sshd service and socket are
 * skipped (a condition) while our socket holds the port. Images without /usr/sbin/sshd or `ip` keep
 * their own path and SSH on the first NIC (vm/kernel.ts finds both).
 */

/** QEMU's user network (the image's own): the first NIC's MAC, which the engine sets (plan/qemu.ts) */
export const GUEST_NIC_MAC = '52:54:00:12:34:56';
/** SSH's own NIC: its MAC, the QEMU user network behind it, the guest's address there and QEMU's side */
export const SSH_NIC_MAC = '52:54:00:be:ec:22';
export const SSH_NIC_NET = '169.254.75.0/24';
export const SSH_NIC_ADDRESS = '169.254.75.15/24';
const SSH_NIC_GATEWAY = '169.254.75.2';
/**
 * A routing table of our own for replies from the SSH address: a client behind podman's published port
 * comes from outside the link (podman's bridge, 10.88.0.1), and the guest's own routes must not change.
 */
const SSH_ROUTE_TABLE = 7522;
export const EARLY_SSH_SOCKET = 'bootc-ephemeral-sshd.socket';
export const SSH_ADDRESS_UNIT_PREFIX = 'bootc-ephemeral-ssh-address@';
const SSH_KEY_UNIT = 'bootc-ephemeral-ssh-key.service';
const PANIC_DRIVER_UNIT = 'bootc-ephemeral-panic-driver.service';
/** SSH's units and connections, first for the CPU while the guest starts */
const SSH_SLICE = 'bootc\\x2dephemeral\\x2dssh.slice';
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
  /** files under /run: the udev rule, the .link and .network files, NetworkManager's configuration */
  runFiles: { path: string; content: string }[];
}

/**
 * `readyAfter`: units a login expects in place (the --bind mounts): each connection's sshd waits for them.
 * `panicModule`: the panic device's driver (machine.ts), loaded early: udev loads it seconds after a
 * login is possible, and a guest that panicked before then reset without telling QEMU (seen as exited).
 */
export function earlySshPayload(tools: EarlySshTools, readyAfter: string[] = [], panicModule?: string): EarlySshPayload {
  /** what a login needs in place besides the address: pulled in by the address unit, waited for by each connection */
  const loginNeeds = [SSH_KEY_UNIT, ...(panicModule ? [PANIC_DRIVER_UNIT] : [])];
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
# a connection that comes as soon as the address is up waits here, not the address: they start together
After=${[...loginNeeds, ...readyAfter].join(' ')}
Before=shutdown.target
Conflicts=shutdown.target

[Service]
Slice=${SSH_SLICE}
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
  // started by our guest init's link (sockets.target.wants) or by the udev rule; no device dependency:
  // the init saw the NIC, and waiting for udev's device unit is what this avoids
  const address: GuestUnit = {
    name: `${SSH_ADDRESS_UNIT_PREFIX}.service`,
    wantedBy: [],
    content: `[Unit]
Description=Address for SSH on %i (its own QEMU user network, bootc-ephemeral)
DefaultDependencies=no
# its end is the guest's "SSH is possible"; a connection's sshd waits for our key, the panic driver and
# the --bind mounts (its own After=), so those start beside this one instead of before it
Wants=${loginNeeds.join(' ')}
After=${EARLY_SSH_SOCKET}
Before=shutdown.target
Conflicts=shutdown.target

[Service]
Slice=${SSH_SLICE}
Type=oneshot
RemainAfterExit=yes
# one ip process (each costs a few hundred ms under TCG while the system starts); replies from the SSH
# address go through QEMU's side of this link by a table of their own, so the guest's routes stay its
# own. The rule is marked as the kernel's: systemd-networkd removes rules it did not make when it starts
# (ManageForeignRoutingPolicyRules=), and SSH through a published port then stalled; it keeps those
ExecStart=${tools.ip} -batch -
StandardInput=data
StandardInputText=link set dev %i up
StandardInputText=address replace ${SSH_NIC_ADDRESS} dev %i
StandardInputText=rule add from ${SSH_NIC_ADDRESS.split('/')[0]} lookup ${SSH_ROUTE_TABLE} priority ${SSH_ROUTE_TABLE} protocol kernel
StandardInputText=route replace default via ${SSH_NIC_GATEWAY} dev %i table ${SSH_ROUTE_TABLE}
StandardOutput=journal
`,
  };
  // the engine's key comes as a credential (ssh.authorized_keys.root), which systemd-tmpfiles-setup
  // installs only once local file systems and sysusers are done (seconds into a TCG boot): the same
  // tmpfiles lines for /root (only systemd's provision.conf is read: all of tmpfiles.d cost a second
  // under TCG), run as soon as systemd does (run twice, they do nothing the second time)
  const key: GuestUnit = {
    name: SSH_KEY_UNIT,
    wantedBy: [],
    content: `[Unit]
Description=Root's authorized SSH key from its credential, early (bootc-ephemeral)
DefaultDependencies=no
Before=shutdown.target
Conflicts=shutdown.target

[Service]
Slice=${SSH_SLICE}
Type=oneshot
RemainAfterExit=yes
LoadCredential=ssh.authorized_keys.root
ExecStart=systemd-tmpfiles --create --prefix=/root provision.conf
`,
  };
  const panicDriver: GuestUnit = {
    name: PANIC_DRIVER_UNIT,
    wantedBy: [],
    content: `[Unit]
Description=The panic device's driver, early (bootc-ephemeral: a panic right after login still reaches QEMU)
DefaultDependencies=no

[Service]
Slice=${SSH_SLICE}
Type=oneshot
RemainAfterExit=yes
ExecStart=-modprobe ${panicModule ?? ''}
`,
  };
  const slice = startupSlice(SSH_SLICE, 'SSH into the VM');
  const skipped = '[Unit]\n# bootc-ephemeral serves port 22 from its own socket (bootc-ephemeral-sshd.socket) with this image\'s sshd\n' +
    `ConditionPathExists=!/run/systemd/system/${EARLY_SSH_SOCKET}\n`;
  return {
    units: [socket, perConnection, address, key, slice, ...(panicModule ? [panicDriver] : [])],
    unitFiles: IMAGE_SSH_UNITS.map((u) => ({ relPath: `${u}.d/50-bootc-ephemeral-early-ssh.conf`, content: skipped })),
    runFiles: [
      {
        path: '/run/udev/rules.d/90-bootc-ephemeral-ssh.rules',
        content: '# bootc-ephemeral: SSH\'s NIC gets its address when udev sees it, where our guest init did not start that already\n' +
          `ACTION!="remove", SUBSYSTEM=="net", ATTR{address}=="${SSH_NIC_MAC}", TAG+="systemd", ENV{SYSTEMD_WANTS}+="${SSH_ADDRESS_UNIT_PREFIX}$name.service"\n`,
      },
      {
        // first in name order: this file, not the image's 99-default.link, applies to the NIC; with no
        // name from a policy udev leaves the kernel's name (renaming a link that is up would fail)
        path: '/run/systemd/network/00-bootc-ephemeral-ssh.link',
        content: `# bootc-ephemeral: SSH's own NIC keeps its kernel name\n[Match]\nMACAddress=${SSH_NIC_MAC}\n\n[Link]\nNamePolicy=keep\nMACAddressPolicy=none\n`,
      },
      {
        path: '/run/systemd/network/00-bootc-ephemeral-ssh.network',
        content: `# bootc-ephemeral: SSH's own NIC, configured by bootc-ephemeral-ssh-address@.service\n[Match]\nMACAddress=${SSH_NIC_MAC}\n\n[Link]\nUnmanaged=yes\n`,
      },
      {
        path: '/run/NetworkManager/conf.d/90-bootc-ephemeral-ssh.conf',
        content: `# bootc-ephemeral: SSH's own NIC, configured by bootc-ephemeral-ssh-address@.service\n[device-bootc-ephemeral-ssh]\nmatch-device=mac:${SSH_NIC_MAC}\nmanaged=0\n`,
      },
    ],
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
