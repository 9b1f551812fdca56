import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { cli, containerNames, stateDirs, IMAGE, podman, TEST_LABEL } from './harness';

// Images as people build them: podman, cloud-init and NetworkManager (in place of systemd-networkd, as
// Fedora's and CentOS's images have it) installed with apt on the sample image. One VM (cloud-init
// makes its boot long under TCG) for containers in the guest (podman's default storage on the guest's
// tmpfs, an image imported from a bind, a host image through --bind-storage-ro, a container unit
// started at boot), the --cloud-init seed (a user, a file, a runcmd) and early SSH beside NetworkManager.
const PEOPLE_IMAGE = 'localhost/bootc-ephemeral-e2e-containers:latest';
const NAME = 'e2e-containers';
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-containers-'));
const seed = path.join(work, 'seed');
const images = path.join(work, 'images');
// a quadlet unit as an image ships it: the host's sample image, from the additional store, at boot
const INNER_QUADLET = `[Unit]
Description=a quadlet container started at boot
After=remote-fs.target
[Container]
Image=${IMAGE}
Exec=sleep infinity
ContainerName=inner-boot
Network=none
[Install]
WantedBy=multi-user.target
`;
// Debian 12's podman (4.3) predates quadlet (4.4): the image gets Debian 13's quadlet generator (it needs
// glibc 2.34; its units run the image's own podman), fetched with apt from the trixie suite
const TRIXIE_QUADLET = [
  "echo 'deb http://deb.debian.org/debian trixie main' > /tmp/trixie.list",
  'apt-get -o Dir::Etc::SourceList=/tmp/trixie.list -o Dir::Etc::SourceParts=/nonexistent update -q',
  'cd /tmp && apt-get -o Dir::Etc::SourceList=/tmp/trixie.list -o Dir::Etc::SourceParts=/nonexistent download podman',
  'dpkg-deb -x /tmp/podman_*.deb /tmp/podman5 && install -D -m 0755 /tmp/podman5/usr/libexec/podman/quadlet /usr/libexec/podman/quadlet',
  'ln -s ../../../libexec/podman/quadlet /usr/lib/systemd/system-generators/podman-system-generator',
  'rm -rf /tmp/podman5 /tmp/podman_*.deb /tmp/trixie.list /var/lib/apt/lists/*',
].join(' && ');
const USER_DATA = `#cloud-config
locale: C.UTF-8
users:
  - name: cloudy
    shell: /bin/sh
write_files:
  - path: /etc/cloud-init-wrote
    content: "written by cloud-init\\n"
runcmd:
  - [sh, -c, "echo ran > /run/cloud-init-runcmd"]
`;

/** A one-program image: the host's dash and its libraries, as a tar for `podman import` (no registry here). */
function tinyImageTar(file: string): void {
  const root = path.join(work, 'tiny');
  const libs = execFileSync('ldd', ['/bin/dash'], { encoding: 'utf8' }).split('\n').map((l) => /(\/\S+) \(0x/.exec(l)?.[1]).filter((p): p is string => !!p);
  for (const f of ['/bin/dash', ...libs]) {
    const to = path.join(root, f);
    fs.mkdirSync(path.dirname(to), { recursive: true });
    fs.copyFileSync(fs.realpathSync(f), to);
    fs.chmodSync(to, 0o755);
  }
  fs.symlinkSync('dash', path.join(root, 'bin/sh'));
  execFileSync('tar', ['-C', root, '-cf', file, '.']);
}

before(async () => {
  fs.mkdirSync(seed);
  fs.writeFileSync(path.join(seed, 'user-data'), USER_DATA);
  fs.writeFileSync(path.join(seed, 'meta-data'), 'instance-id: iid-e2e\nlocal-hostname: clouded\n');
  fs.mkdirSync(images);
  tinyImageTar(path.join(images, 'tiny.tar'));
  const ctx = fs.mkdtempSync(path.join(work, 'ctx-'));
  fs.writeFileSync(path.join(ctx, 'inner-boot.container'), INNER_QUADLET);
  fs.writeFileSync(path.join(ctx, 'Containerfile'), [
    `FROM ${IMAGE}`,
    'RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends podman crun cloud-init network-manager && rm -rf /var/lib/apt/lists/*',
    'RUN systemctl disable systemd-networkd.service systemd-networkd.socket && rm /etc/systemd/network/80-dhcp.network && systemctl enable NetworkManager.service',
    `RUN ${TRIXIE_QUADLET}`,
    'COPY inner-boot.container /etc/containers/systemd/inner-boot.container',
  ].join('\n') + '\n');
  const r = await podman(['build', '--pull=never', '-t', PEOPLE_IMAGE, '-f', path.join(ctx, 'Containerfile'), ctx]);
  assert.equal(r.exitCode, 0, `building ${PEOPLE_IMAGE}: ${r.stderr}`);
});

after(async () => {
  await cli(['rm', '-f', NAME]);
  await podman(['rmi', '-f', PEOPLE_IMAGE]);
  fs.rmSync(work, { recursive: true, force: true });
});

const ssh = async (script: string) => {
  const r = await cli(['ssh', '--timeout', '400', NAME, '--', 'sh', '-c', script], { timeoutMs: 500_000 });
  assert.equal(r.exitCode, 0, `${script}: ${r.stderr}`);
  return String(r.stdout).trim();
};

test('containers in the VM: podman\'s own storage works, an imported image runs on podman\'s default network, a host image runs from --bind-storage-ro, a quadlet .container starts at boot; cloud-init applies the --cloud-init seed; NetworkManager runs the image\'s NIC and leaves early SSH\'s alone', { timeout: 900_000 }, async () => {
  const r = await cli(['run', '-d', '-K', '--bind-storage-ro', '--cloud-init', seed, '--ro-bind', `${images}:images`, '--name', NAME, '--label', TEST_LABEL, PEOPLE_IMAGE]);
  assert.equal(r.exitCode, 0, String(r.stderr));
  // an image with podman is reached through the relay: a guest container on podman's default
  // network takes 10.88.0.1, the address a published port would reach the guest from
  const [vm] = (JSON.parse(String((await cli(['ps', '--json'])).stdout)) as { name: string; sshPort?: number; ssh: boolean }[]).filter((v) => v.name === NAME);
  assert.ok(vm.ssh && vm.sshPort === undefined, JSON.stringify(vm));

  // cloud-init: the seed's user, file and runcmd (and meta-data's hostname)
  const cloud = await ssh('cloud-init status --wait >/dev/null; cloud-init status; id -un cloudy; cat /etc/cloud-init-wrote /run/cloud-init-runcmd; hostname');
  assert.deepEqual(cloud.split('\n'), ['status: done', 'cloudy', 'written by cloud-init', 'ran', 'clouded'], cloud);

  // podman's storage on a tmpfs of its own; the image's default network; the VM still answers after
  const storage = await ssh('findmnt -n -o FSTYPE /var/lib/containers; podman info --format "{{.Store.GraphDriverName}}"');
  assert.deepEqual(storage.split('\n'), ['tmpfs', 'overlay']);
  const inner = await ssh('podman import -q /run/virtiofs-mnt-images/tiny.tar localhost/tiny >/dev/null && podman run --rm localhost/tiny /bin/sh -c "echo hello from a container in the VM; exit 0"');
  assert.equal(inner, 'hello from a container in the VM');

  // the host's storage as an additional image store: the host's image is listed read-only and runs
  const host = await ssh(`podman images --format "{{.Repository}}:{{.Tag}} {{.ReadOnly}}" | grep -F "${IMAGE} "; podman run --rm --network none ${IMAGE} grep ^VERSION_CODENAME= /etc/os-release; readlink /etc/containers/storage.conf`);
  assert.deepEqual(host.split('\n'), [`${IMAGE} true`, 'VERSION_CODENAME=bookworm', '/run/bootc-ephemeral-etc/containers/storage.conf'], host);
  // the quadlet the image ships became a unit at boot (the generator ran) and ran its container from that store
  const unit = await ssh('systemctl show -P SourcePath inner-boot.service; systemctl is-active inner-boot.service; podman ps --format "{{.Names}}"');
  assert.deepEqual(unit.split('\n'), ['/etc/containers/systemd/inner-boot.container', 'active', 'inner-boot'], unit);
  assert.equal(await ssh('echo still reachable'), 'still reachable');

  // NetworkManager is the image's network manager: it brings up the image's NIC (DHCP from QEMU) and
  // leaves SSH's own NIC, which early SSH addressed before it ran, alone
  const network = await ssh('nm-online -q -t 120; systemctl is-active NetworkManager.service systemd-networkd.service; ' +
    'nmcli -t -f DEVICE,STATE device | grep -E "^(enp0s2|eth1):"; systemctl is-active bootc-ephemeral-sshd.socket "bootc-ephemeral-ssh-address@eth1.service"; ' +
    'ip -4 -o address show dev enp0s2 | grep -o "inet [0-9./]*"; ip -4 -o address show dev eth1 | grep -o "inet [0-9./]*"');
  assert.deepEqual(network.split('\n'), [
    'active', 'inactive', 'enp0s2:connected', 'eth1:unmanaged', 'active', 'active', 'inet 10.0.2.15/24', 'inet 169.254.75.15/24',
  ], network);
  const rm = await cli(['rm', '-f', NAME]);
  assert.equal(rm.exitCode, 0, String(rm.stderr));
});

test('--cloud-init: a seed without user-data, or an image without cloud-init, is one error naming it; nothing is left', { timeout: 300_000 }, async () => {
  const before = { containers: await containerNames(), dirs: stateDirs() };
  const noUserData = path.join(work, 'no-user-data');
  fs.mkdirSync(noUserData);
  fs.writeFileSync(path.join(noUserData, 'meta-data'), '');
  const missing = await cli(['run', '--rm', '--label', TEST_LABEL, '--cloud-init', noUserData, '--execute', 'true', PEOPLE_IMAGE]);
  assert.equal(missing.exitCode, 1, String(missing.stderr));
  assert.match(String(missing.stderr), /--cloud-init .*no-user-data: no user-data file/);
  const noCloudInit = await cli(['run', '--rm', '--label', TEST_LABEL, '--cloud-init', seed, '--execute', 'true', IMAGE]);
  assert.equal(noCloudInit.exitCode, 1, String(noCloudInit.stderr));
  assert.match(String(noCloudInit.stderr), /has no cloud-init \(\/usr\/bin\/cloud-init\): --cloud-init would be ignored/);
  assert.deepEqual(await containerNames(), before.containers);
  assert.deepEqual(stateDirs(), before.dirs);
});
