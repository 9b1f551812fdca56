import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { earlySshPayload, earlySshToolsOf, EARLY_SSH_SOCKET, GUEST_NIC_MAC, SSH_NIC_ADDRESS, SSH_NIC_MAC } from '../../src/engine/plan/earlySsh';
import { bindMountUnit, journalStreamUnit } from '../../src/engine/plan/guestUnits';
import { parseRunOptions } from '../../src/engine/options/runOptions';
import { buildLaunchPlan } from '../../src/engine/plan/launchPlan';
import type { KernelInImage } from '../../src/engine/vm/kernel';
import { kernelProbeArgs } from '../../src/engine/vm/kernel';
import { journalSaysReady } from '../../src/engine/vm/readiness';
import { phaseFromGuestOutput, sshPossible } from '../../src/engine/guest/bootPhases';
import { bootTimeline } from '../../src/engine/vm/vmDetails';
import { BOOT_ANALYSIS_COMMAND } from '../../src/engine/guest/bootAnalysis';
import { fakeProbe, TOOLS } from './helpers';

const TOOLS_IN_IMAGE = { sshd: '/usr/sbin/sshd', ip: '/usr/bin/ip' };
const KVER = '6.1.0-56-cloud-amd64';
const KERNEL: KernelInImage = { version: KVER, vmlinuz: `/usr/lib/modules/${KVER}/vmlinuz`, initramfs: `/usr/lib/modules/${KVER}/initramfs.img`, initramfsBytes: 1001 };
/** the address unit's line as systemd 252 logs it, in the journal stream's short-precise form */
const ADDRESS_DONE = 'Dec 05 14:06:18.810843 bootc-sample systemd[1]: Finished bootc-ephemeral-ssh-address@enp0s2.service - Address for SSH on enp0s2.';

test('early SSH: a socket with no default dependencies runs the image\'s sshd -i per connection', () => {
  const p = earlySshPayload(TOOLS_IN_IMAGE);
  const socket = p.units.find((u) => u.name === EARLY_SSH_SOCKET)!;
  assert.deepEqual(socket.wantedBy, ['sockets.target']);
  assert.match(socket.content, /^DefaultDependencies=no$/m);
  assert.match(socket.content, /^ListenStream=22$/m);
  assert.match(socket.content, /^Accept=yes$/m);
  const service = p.units.find((u) => u.name === 'bootc-ephemeral-sshd@.service')!;
  assert.match(service.content, /^ExecStart=-\/usr\/sbin\/sshd -i$/m);
  assert.match(service.content, /^StandardInput=socket$/m);
  assert.match(service.content, /^KillMode=process$/m, 'a server the session started in the background outlives it');
  assert.match(service.content, /^RuntimeDirectory=sshd$/m);
  assert.match(service.content, /^RuntimeDirectoryPreserve=yes$/m, 'one connection ending keeps /run/sshd for the others');
  assert.doesNotMatch(service.content, /network/i, 'nothing waits for the network');
  // first for the CPU while the guest starts: a top-level slice, ten times system.slice's share until start-up finished
  assert.match(service.content, /^Slice=bootc\\x2dephemeral\\x2dssh\.slice$/m);
  const slice = p.units.find((u) => u.name === 'bootc\\x2dephemeral\\x2dssh.slice')!;
  assert.match(slice.content, /^StartupCPUWeight=1000$/m);
  assert.doesNotMatch(slice.content, /^CPUWeight=/m, 'once started, the default share');
  for (const u of ['bootc-ephemeral-ssh-address@.service', 'bootc-ephemeral-ssh-key.service']) {
    assert.match(p.units.find((x) => x.name === u)!.content, /^Slice=bootc\\x2dephemeral\\x2dssh\.slice$/m, u);
  }
});

test('early SSH: its own NIC gets its address as systemd starts (our init links the unit by the NIC\'s MAC; udev\'s rule where it did not)', () => {
  const p = earlySshPayload(TOOLS_IN_IMAGE);
  const file = (name: string) => p.runFiles.find((f) => f.path.endsWith(name))!.content;
  assert.match(file('/run/udev/rules.d/90-bootc-ephemeral-ssh.rules'), new RegExp(`ACTION!="remove", SUBSYSTEM=="net", ATTR\\{address\\}=="${SSH_NIC_MAC}", TAG\\+="systemd", ENV\\{SYSTEMD_WANTS\\}\\+="bootc-ephemeral-ssh-address@\\$name\\.service"`));
  // its kernel name stays (udev could not rename a link that is up), and no network manager touches it
  const link = file('/run/systemd/network/00-bootc-ephemeral-ssh.link');
  assert.match(link, new RegExp(`^MACAddress=${SSH_NIC_MAC}$`, 'm'));
  assert.match(link, /^NamePolicy=keep$/m);
  assert.doesNotMatch(link, /^Name=/m);
  assert.match(file('/run/systemd/network/00-bootc-ephemeral-ssh.network'), /^Unmanaged=yes$/m);
  assert.match(file('/run/NetworkManager/conf.d/90-bootc-ephemeral-ssh.conf'), new RegExp(`^match-device=mac:${SSH_NIC_MAC}\nmanaged=0$`, 'm'));
  const address = p.units.find((u) => u.name === 'bootc-ephemeral-ssh-address@.service')!;
  assert.doesNotMatch(address.content, /\.device/, 'no wait for udev\'s device unit');
  assert.match(address.content, /^DefaultDependencies=no$/m);
  assert.match(address.content, /^After=bootc-ephemeral-sshd\.socket$/m, 'the address does not wait for the key: a connection does');
  assert.match(address.content, /^Wants=bootc-ephemeral-ssh-key\.service$/m);
  assert.match(p.units.find((u) => u.name === 'bootc-ephemeral-sshd@.service')!.content, /^After=bootc-ephemeral-ssh-key\.service$/m, 'a connection\'s sshd starts once our key is in place');
  // one ip process, commands on its standard input (specifiers expanded there too). Replies from the SSH
  // address (to a client behind podman's published port, 10.88.0.1) go by a table of their own; the rule
  // is marked the kernel's so systemd-networkd does not remove it as foreign
  assert.match(address.content, /^ExecStart=\/usr\/bin\/ip -batch -$/m);
  assert.match(address.content, /^StandardInput=data$/m);
  const batch = [...address.content.matchAll(/^StandardInputText=(.*)$/gm)].map((m) => m[1]);
  assert.deepEqual(batch, [
    'link set dev %i up', `address replace ${SSH_NIC_ADDRESS} dev %i`,
    'rule add from 169.254.75.15 lookup 7522 priority 7522 protocol kernel', 'route replace default via 169.254.75.2 dev %i table 7522',
  ]);
  // a login expects the --bind mounts in place: a connection's sshd starts only once they are (they mount as systemd starts)
  const withBinds = earlySshPayload(TOOLS_IN_IMAGE, ['run-virtiofs\\x2dmnt\\x2dsrc.mount']).units.find((u) => u.name === 'bootc-ephemeral-sshd@.service')!;
  assert.match(withBinds.content, /^After=bootc-ephemeral-ssh-key\.service run-virtiofs\\x2dmnt\\x2dsrc\.mount$/m);
  // the panic device's driver, loaded early (udev would load it seconds after a login is possible)
  const withPanic = earlySshPayload(TOOLS_IN_IMAGE, [], 'pvpanic-mmio');
  assert.match(withPanic.units.find((u) => u.name === 'bootc-ephemeral-panic-driver.service')!.content, /^ExecStart=-modprobe pvpanic-mmio$/m);
  assert.match(withPanic.units.find((u) => u.name === 'bootc-ephemeral-ssh-address@.service')!.content, /^Wants=bootc-ephemeral-ssh-key\.service bootc-ephemeral-panic-driver\.service$/m);
  assert.match(withPanic.units.find((u) => u.name === 'bootc-ephemeral-sshd@.service')!.content, /^After=bootc-ephemeral-ssh-key\.service bootc-ephemeral-panic-driver\.service$/m, 'a panic right after login reaches QEMU');
  assert.ok(!p.units.some((u) => u.name === 'bootc-ephemeral-panic-driver.service'), 'no panic device (QEMU without -action panic=): no driver unit');
  const key = p.units.find((u) => u.name === 'bootc-ephemeral-ssh-key.service')!;
  assert.match(key.content, /^LoadCredential=ssh\.authorized_keys\.root$/m);
  assert.match(key.content, /^ExecStart=systemd-tmpfiles --create --prefix=\/root provision\.conf$/m);
  assert.match(key.content, /^DefaultDependencies=no$/m);
  // the image's own sshd units step aside while ours holds port 22
  assert.deepEqual(p.unitFiles.map((f) => f.relPath), ['ssh.service', 'sshd.service', 'ssh.socket', 'sshd.socket'].map((u) => `${u}.d/50-bootc-ephemeral-early-ssh.conf`));
  for (const f of p.unitFiles) assert.match(f.content, /^ConditionPathExists=!\/run\/systemd\/system\/bootc-ephemeral-sshd\.socket$/m);
});

test('early SSH is used only when the image has sshd and ip at their fixed places', () => {
  assert.deepEqual(earlySshToolsOf(new Set(['/usr/sbin/sshd', '/usr/sbin/ip', '/usr/bin/ip'])), { sshd: '/usr/sbin/sshd', ip: '/usr/sbin/ip' });
  assert.deepEqual(earlySshToolsOf(new Set(['/usr/sbin/sshd', '/usr/bin/ip'])), { sshd: '/usr/sbin/sshd', ip: '/usr/bin/ip' });
  assert.equal(earlySshToolsOf(new Set(['/usr/bin/ip'])), undefined, 'no sshd: the image\'s own path');
  assert.equal(earlySshToolsOf(new Set(['/usr/sbin/sshd'])), undefined, 'no ip: the image\'s own path');
  // the probe lists those paths (and only descends /usr/sbin for them)
  const argv = kernelProbeArgs('root', 'img', TOOLS);
  for (const p of ['/usr/sbin', '/usr/sbin/sshd', '/usr/sbin/ip', '/usr/bin/ip']) assert.ok(argv.includes(`/run/source-image${p}`), p);
});

function payloadOf(o: Record<string, unknown>, earlySsh?: typeof TOOLS_IN_IMAGE): string {
  const options = parseRunOptions({ image: 'localhost/bootc-sample:latest', ...o }, fakeProbe());
  const plan = buildLaunchPlan(options, {
    tools: TOOLS, name: 'vm1', stateDir: '/state/vm1', accel: 'tcg', kernel: KERNEL, rootImage: 'r', imageId: 'f'.repeat(64), launchId: 'l1', supervisorScript: '',
    ssh: options.sshKeygen ? { clientPublicKey: 'ssh-ed25519 AAAA test', hostPrivateKey: 'PRIV', hostPublicKey: 'ssh-ed25519 BBBB host' } : undefined,
    earlySsh,
  });
  const cpio = plan.files.find((f) => f.path.endsWith('/initramfs-append.cpio'))!.content as Buffer;
  return execFileSync('cpio', ['-it', '--quiet'], { input: cpio }).toString();
}

test('the guest payload has early SSH for an SSH VM whose image allows it, and only then; so has QEMU: SSH\'s own restricted NIC, with the forward', () => {
  const listing = payloadOf({ sshKeygen: true }, TOOLS_IN_IMAGE);
  assert.match(listing, /run-tree\/systemd\/system\/bootc-ephemeral-sshd\.socket/);
  assert.match(listing, /run-tree\/systemd\/system\/bootc-ephemeral-ssh-address@\.service/);
  assert.match(listing, /run-tree\/systemd\/system\/ssh\.service\.d\/50-bootc-ephemeral-early-ssh\.conf/);
  assert.match(listing, /usr\/lib\/bootc-ephemeral\/run-tree\/udev\/rules\.d\/90-bootc-ephemeral-ssh\.rules/);
  assert.match(listing, /usr\/lib\/bootc-ephemeral\/run-tree\/systemd\/network\/00-bootc-ephemeral-ssh\.link/);
  const bind = bindMountUnit({ name: 'src', source: '/w', readOnly: false } as never).content;
  assert.match(bind, /^DefaultDependencies=no$/m, 'a bind mounts as systemd starts, so SSH waiting for it costs little');
  assert.match(bind, /^Conflicts=umount\.target$/m);
  assert.match(bind, /^Before=remote-fs\.target umount\.target$/m);
  assert.doesNotMatch(payloadOf({ sshKeygen: true }), /bootc-ephemeral-sshd/, 'the image lacks sshd or ip: its own sshd service');
  assert.doesNotMatch(payloadOf({ execute: ['true'] }, TOOLS_IN_IMAGE), /bootc-ephemeral-sshd/, 'no SSH asked for: nothing of it');
  const qemuOf = (earlySsh?: typeof TOOLS_IN_IMAGE) => buildLaunchPlan(parseRunOptions({ image: 'i', sshKeygen: true }, fakeProbe()), {
    tools: TOOLS, name: 'v', stateDir: '/s/v', accel: 'tcg', kernel: KERNEL, rootImage: 'r', imageId: 'f'.repeat(64), launchId: 'l', supervisorScript: '',
    ssh: { clientPublicKey: 'ssh-ed25519 AAAA test', hostPrivateKey: 'PRIV', hostPublicKey: 'ssh-ed25519 BBBB host' }, earlySsh,
  }).qemuArgs;
  const early = qemuOf(TOOLS_IN_IMAGE);
  assert.ok(early.includes('user,id=net0'), 'the image\'s network has no forward');
  assert.ok(early.includes(`virtio-net-pci,netdev=net0,mac=${GUEST_NIC_MAC},romfile=`), early.join(' '));
  assert.ok(early.includes('user,id=ssh0,restrict=on,ipv6=off,net=169.254.75.0/24,hostfwd=tcp:0.0.0.0:2222-:22'), early.join(' '));
  assert.ok(early.includes(`virtio-net-pci,netdev=ssh0,mac=${SSH_NIC_MAC},romfile=`));
  assert.equal(early[early.lastIndexOf('-device') + 1], `virtio-net-pci,netdev=ssh0,mac=${SSH_NIC_MAC},romfile=`, 'SSH\'s NIC comes last: the other devices keep their PCI slots');
  const own = qemuOf();
  assert.ok(own.includes('user,id=net0,hostfwd=tcp:0.0.0.0:2222-:22'), 'without early SSH the image\'s own sshd is reached on its network');
  assert.ok(!own.some((a) => a.includes('ssh0')));
});

test('the address unit\'s line means SSH is possible: ready, the sshd phase, the timeline\'s sshd mark; the boot analysis chains to it', () => {
  assert.ok(journalSaysReady(ADDRESS_DONE, true));
  assert.ok(!journalSaysReady('Dec 05 14:06:18.1 h systemd[1]: Starting bootc-ephemeral-ssh-address@enp0s2.service - Address...', true), 'starting is not done');
  assert.ok(!journalSaysReady('Dec 05 14:06:18.1 h evil[9]: Finished bootc-ephemeral-ssh-address@x.service', true), 'only systemd\'s own line');
  assert.equal(phaseFromGuestOutput('Linux version 6', `x systemd[1]: Switching root.\n${ADDRESS_DONE}`), 'sshd');
  // before journald runs systemd writes the line to the kernel log, which the console shows at once
  const onConsole = '[    7.438176] systemd[1]: Finished bootc-ephemeral-ssh-address@eth1.service - Address for SSH on eth1.';
  assert.ok(sshPossible(`Linux version 6\n${onConsole}`, ''));
  assert.equal(phaseFromGuestOutput(`Linux version 6\n${onConsole}`, ''), 'sshd');
  assert.ok(!sshPossible('[    6.399910] systemd[1]: Starting bootc-ephemeral-ssh-address@eth1.service - Address...', ''), 'starting is not done');
  const t = bootTimeline(['Dec 05 14:06:00.000000 h kernel: Linux version 6', 'Dec 05 14:06:08.000000 h systemd[1]: Switching root.', ADDRESS_DONE].join('\n'));
  assert.equal(t.sshd, 18.811);
  assert.match(BOOT_ANALYSIS_COMMAND, /systemctl list-units --plain --no-legend --state=active 'bootc-ephemeral-ssh-address@\*'/);
  assert.match(BOOT_ANALYSIS_COMMAND, /systemd-analyze critical-chain "\$\{u:-sshd\.service\}"/);
});

test('the journal stream starts without udev only with early SSH (its line must reach the host); otherwise it waits for the port\'s device', () => {
  const early = journalStreamUnit(true).content;
  assert.doesNotMatch(early, /\.device/);
  assert.match(early, /^After=systemd-journald\.socket systemd-journald\.service$/m, 'after journald\'s files exist');
  assert.match(early, /^StartLimitIntervalSec=0$/m, 'where our init did not link the port, it retries until udev has');
  const late = journalStreamUnit().content;
  assert.match(late, /^Requires=dev-virtio\\x2dports-org\.bootc\\x2dephemeral\.journal\.device$/m);
});
