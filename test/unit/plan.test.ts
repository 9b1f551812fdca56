import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseRunOptions } from '../../src/engine/options/runOptions';
import { escapeSystemdPath } from '../../src/engine/plan/systemdEscape';
import { buildCpio, alignmentPadding } from '../../src/engine/plan/cpio';
import { bindMountUnit, consoleAutologinDropIn, swapUnit, journalStreamUnit, deviceWaitDropIns } from '../../src/engine/plan/guestUnits';
import { executeUnits } from '../../src/engine/plan/executeUnits';
import { setupTmpfiles, buildGuestPayload } from '../../src/engine/plan/guestPayload';
import { buildKernelArgs } from '../../src/engine/plan/kernelArgs';
import { guestInitScript } from '../../src/engine/plan/guestInit';
import { buildVirtiofsdArgs } from '../../src/engine/plan/virtiofsd';
import { buildLaunchPlan, procFile } from '../../src/engine/plan/launchPlan';
import type { KernelInImage } from '../../src/engine/vm/kernel';
import { fakeProbe, TOOLS } from './helpers';

const IMAGE = 'localhost/bootc-sample:latest';
const KVER = '6.1.0-56-cloud-amd64';
const KERNEL: KernelInImage = { version: KVER, vmlinuz: `/usr/lib/modules/${KVER}/vmlinuz`, initramfs: `/usr/lib/modules/${KVER}/initramfs.img`, initramfsBytes: 1001 };
const IDS = { rootImage: 'localhost/bootc-ephemeral-root:abc', imageId: 'f'.repeat(64), launchId: 'l1' };

test('systemd path escaping matches systemd-escape --path', () => {
  assert.equal(escapeSystemdPath('/run/virtiofs-mnt-src'), 'run-virtiofs\\x2dmnt\\x2dsrc');
  assert.equal(escapeSystemdPath('/dev/disk/by-id/virtio-swap'), 'dev-disk-by\\x2did-virtio\\x2dswap');
  assert.equal(escapeSystemdPath('/dev/virtio-ports/org.bootc-ephemeral.journal'), 'dev-virtio\\x2dports-org.bootc\\x2dephemeral.journal');
  assert.equal(escapeSystemdPath('/a/.hidden'), 'a-\\x2ehidden');
});

test('cpio: the host cpio tool lists what we wrote, with parents first', () => {
  const archive = buildCpio([
    { path: 'usr/lib/x/file.txt', type: 'file', data: 'hello', mode: 0o600 },
    { path: 'etc/systemd/system/t.wants/u.service', type: 'symlink', data: '../u.service' },
  ]);
  assert.equal(archive.length % 4, 0);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cpio-'));
  try {
    fs.writeFileSync(path.join(dir, 'a.cpio'), archive);
    const listing = execFileSync('cpio', ['-it', '--quiet'], { input: archive }).toString().trim().split('\n');
    assert.deepEqual(listing, ['usr', 'usr/lib', 'usr/lib/x', 'usr/lib/x/file.txt', 'etc', 'etc/systemd', 'etc/systemd/system', 'etc/systemd/system/t.wants', 'etc/systemd/system/t.wants/u.service']);
    execFileSync('cpio', ['-id', '--quiet', '--no-absolute-filenames'], { cwd: dir, input: archive });
    assert.equal(fs.readFileSync(path.join(dir, 'usr/lib/x/file.txt'), 'utf8'), 'hello');
    assert.equal(fs.statSync(path.join(dir, 'usr/lib/x/file.txt')).mode & 0o777, 0o600);
    assert.equal(fs.readlinkSync(path.join(dir, 'etc/systemd/system/t.wants/u.service')), '../u.service');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('alignment padding', () => {
  assert.equal(alignmentPadding(8).length, 0);
  assert.equal(alignmentPadding(9).length, 3);
  assert.equal(alignmentPadding(11).length, 1);
});

test('guest units', () => {
  const m = bindMountUnit({ hostPath: '/h', name: 'src', readOnly: true });
  assert.equal(m.name, 'run-virtiofs\\x2dmnt\\x2dsrc.mount');
  assert.match(m.content, /What=mount_src\nWhere=\/run\/virtiofs-mnt-src\nType=virtiofs\nOptions=ro/);
  assert.equal(swapUnit().name, 'dev-disk-by\\x2did-virtio\\x2dswap.swap');
  assert.match(journalStreamUnit().content, /StandardOutput=file:\/dev\/virtio-ports\/org\.bootc-ephemeral\.journal/);
  const { units: [exec, status], unitFiles } = executeUnits(['/bin/sh -c "echo 100%"', '/bin/true'], []);
  assert.match(exec.content, /ExecStart=\/bin\/sh -c "echo 100%%"\nExecStart=\/bin\/true\n/);
  assert.match(exec.content, /^After=basic\.target remote-fs\.target$/m, 'as bcvk: after basic.target (and the --bind mounts), not the network');
  assert.match(status.content, /ExecStart=systemctl show --property=ExecMainCode --property=ExecMainStatus bootc-ephemeral-execute.service/);
  assert.match(status.content, /^ExecStart=systemctl --force --force poweroff$/m, 'no disk of the user: sync, then power off at once');
  const [withDisk, withDiskStatus] = executeUnits(['true'], ['data', 'b']).units;
  assert.match(withDiskStatus.content, /^ExecStart=systemctl --force poweroff$/m, 'a disk attached: systemd-shutdown unmounts it');
  const diskUnits = 'dev-disk-by\\x2did-virtio\\x2ddata.device dev-disk-by\\x2did-virtio\\x2db.device';
  assert.ok(withDisk.content.includes(`After=basic.target remote-fs.target ${diskUnits}\nWants=${diskUnits}\n`), 'the command finds each disk\'s by-id link');
  const slice = executeUnits(['true'], []).units[2];
  assert.equal(slice.name, 'bootc\\x2dephemeral\\x2dexecute.slice');
  assert.match(slice.content, /^StartupCPUWeight=1000$/m, 'first for the CPU while the guest starts');
  for (const u of [exec, status]) assert.match(u.content, /^Slice=bootc\\x2dephemeral\\x2dexecute\.slice$/m, u.name);
  // the wait for udev's port links is a drop-in our guest init removes once it linked the port itself
  for (const u of [exec, status]) assert.doesNotMatch(u.content, /\.device/);
  assert.deepEqual(unitFiles.map((f) => f.relPath), [
    'bootc-ephemeral-execute.service.d/50-bootc-ephemeral-udev-port-org.bootc-ephemeral.execute.conf',
    'bootc-ephemeral-execute-status.service.d/50-bootc-ephemeral-udev-port-org.bootc-ephemeral.execute-status.conf',
  ]);
  assert.equal(unitFiles[0].content, '[Unit]\nAfter=dev-virtio\\x2dports-org.bootc\\x2dephemeral.execute.device\nRequires=dev-virtio\\x2dports-org.bootc\\x2dephemeral.execute.device\n');
  const init = guestInitScript('rootfs');
  assert.match(init, /ln -s "\.\.\/\$\{port##\*\/\}" "\/dev\/virtio-ports\/\$name" 2>\/dev\/null \|\| continue\n.*\n +for wait in \/run\/systemd\/system\/\*\.d\/50-bootc-ephemeral-udev-port-"\$name"\.conf; do\n +\[ ! -e "\$wait" \] \|\| rm -f "\$wait"/);
});

test('tmpfiles setup keeps unit-name backslashes and links wants', () => {
  const conf = setupTmpfiles({ units: [bindMountUnit({ hostPath: '/h', name: 'a', readOnly: false })], sshHostKey: { privateKey: 'k', publicKey: 'p' } });
  assert.match(conf, /^C \/run\/systemd\/system\/run-virtiofs\\\\x2dmnt\\\\x2da\.mount - - - - \/usr\/lib\/bootc-ephemeral\/run-tree\/systemd\/system\/run-virtiofs\\\\x2dmnt\\\\x2da\.mount$/m);
  assert.match(conf, /^d \/run\/systemd\/system\/remote-fs\.target\.wants 0755 root root -$/m);
  assert.match(conf, /^L\+ \/run\/systemd\/system\/remote-fs\.target\.wants\/run-virtiofs\\\\x2dmnt\\\\x2da\.mount - - - - \.\.\/run-virtiofs\\\\x2dmnt\\\\x2da\.mount$/m);
  assert.match(conf, /^L\+ \/sysroot\/etc\/ssh\/ssh_host_ed25519_key - - - - \/run\/bootc-ephemeral\/ssh_host_ed25519_key$/m);
  assert.match(conf, /^z \/run\/bootc-ephemeral\/ssh_host_ed25519_key 0600 root root -$/m);
  // generators with nothing to do in an ephemeral VM are masked; cryptsetup is not (crypttab disks)
  assert.match(conf, /^L \/run\/systemd\/system-generators\/systemd-gpt-auto-generator - - - - \/dev\/null$/m);
  assert.doesNotMatch(conf, /cryptsetup/);
});

test('guest payload holds the initrd service and its enablement', () => {
  const listing = execFileSync('cpio', ['-itv', '--quiet'], { input: buildGuestPayload({ units: [journalStreamUnit()], sshHostKey: { privateKey: 'secret', publicKey: 'pub' } }) }).toString();
  assert.match(listing, /etc\/systemd\/system\/initrd\.target\.wants\/bootc-ephemeral-setup\.service -> \.\.\/bootc-ephemeral-setup\.service/);
  assert.match(listing, /-rw------- .* usr\/lib\/bootc-ephemeral\/run-tree\/bootc-ephemeral\/ssh_host_ed25519_key\n/);
});

test('kernel args: virtiofs root, volatile overlay, our guest init first, user kargs last (so --karg rdinit=/init wins)', () => {
  const k = buildKernelArgs({ kargs: ['quiet'] });
  assert.deepEqual(k.slice(0, 4), ['rootfstype=virtiofs', 'root=rootfs', 'ro', 'systemd.volatile=overlay']);
  assert.ok(k.includes('rdinit=/usr/lib/bootc-ephemeral/init'), k.join(' '));
  assert.equal(k.at(-1), 'quiet');
});

test('guest init: in the payload, executable, with the root tag and paths filled in', () => {
  const payload = buildGuestPayload({ units: [] });
  const listing = execFileSync('cpio', ['-itv', '--quiet'], { input: payload }).toString();
  assert.match(listing, /-rwxr-xr-x .* usr\/lib\/bootc-ephemeral\/init\n/);
  const script = guestInitScript('rootfs');
  assert.doesNotMatch(script, /@[A-Z_]+@/, 'every placeholder filled');
  assert.match(script, /mount -t virtiofs -o ro rootfs \/sysroot/);
  assert.match(script, /\/bin\/sh -e \/usr\/lib\/bootc-ephemeral\/setup\.sh/);
  assert.doesNotMatch(script, /systemd-tmpfiles/, 'an initramfs without systemd boots the fast way too');
  assert.match(script, /^ {2}times=\/run\/bootc-ephemeral\/init-times$/m);
  // the shell accepts it (dash: the strictest of the shells an initramfs brings)
  execFileSync('dash', ['-n'], { input: script });
});

test('guest init: the image\'s init is looked up inside the image, an absolute link meaning the image\'s root', () => {
  const imageHas = /^image_has\(\) \{\n[\s\S]*?\n\}$/m.exec(guestInitScript('rootfs'))![0];
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'unit-guest-init-'));
  try {
    // merged /usr, /sbin/init -> /lib/systemd/systemd (absolute: the host's would do if it leaked)
    fs.mkdirSync(path.join(root, 'usr/sbin'), { recursive: true });
    fs.mkdirSync(path.join(root, 'usr/lib/systemd'), { recursive: true });
    fs.symlinkSync('usr/sbin', path.join(root, 'sbin'));
    fs.symlinkSync('usr/lib', path.join(root, 'lib'));
    fs.writeFileSync(path.join(root, 'usr/lib/systemd/systemd'), '', { mode: 0o755 });
    fs.writeFileSync(path.join(root, 'usr/lib/systemd/not-executable'), '', { mode: 0o644 });
    fs.symlinkSync('/lib/systemd/systemd', path.join(root, 'usr/sbin/init'));
    fs.symlinkSync('../lib/systemd/systemd', path.join(root, 'usr/sbin/relative-init'));
    fs.symlinkSync('/usr/bin/env', path.join(root, 'usr/sbin/host-only')); // exists on the host, not in the image
    fs.symlinkSync('loop', path.join(root, 'usr/sbin/loop'));
    const has = (p: string) => spawnSync('dash', ['-c', `root=${root}\n${imageHas}\nimage_has ${p}`]).status === 0;
    assert.ok(has('/sbin/init'));
    assert.ok(has('/sbin/relative-init'));
    assert.ok(has('/usr/lib/systemd/systemd'));
    assert.ok(!has('/usr/lib/systemd/not-executable'));
    assert.ok(!has('/sbin/host-only'));
    assert.ok(!has('/sbin/loop'));
    assert.ok(!has('/sbin/missing'));
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('QEMU argv: a guest panic ends QEMU with a failure (pvpanic) when this QEMU can; older QEMU keeps its default', () => {
  const p = plan({});
  assert.ok(after(p.qemuArgs, '-device').includes('pvpanic'));
  assert.deepEqual(after(p.qemuArgs, '-action'), ['panic=exit-failure']);
  const old = plan({}, undefined, false, { ...TOOLS, qemuPanicExit: false });
  assert.ok(!after(old.qemuArgs, '-device').includes('pvpanic') && !old.qemuArgs.includes('-action'));
});

test('virtiofsd argv for both implementations', () => {
  const share = { tag: 'rootfs', source: '/run/source-image', socket: '/s.sock', readOnly: true, immutable: true };
  const c = buildVirtiofsdArgs({ flavor: 'c', command: ['vfsd'] }, share);
  assert.deepEqual(c.argv, ['vfsd', '--socket-path=/s.sock', '-o', 'source=/run/source-image', '-o', 'cache=always', '-o', 'sandbox=chroot', '--thread-pool-size=16', '--rlimit-nofile=0']);
  assert.deepEqual(c.env, ['MALLOC_ARENA_MAX=1']);
  const r = buildVirtiofsdArgs({ flavor: 'rust', command: ['vfsd'] }, { ...share, immutable: false });
  assert.ok(r.argv.includes('--shared-dir=/run/source-image') && r.argv.includes('--readonly') && r.argv.includes('--cache=auto'));
});

function plan(input: Parameters<typeof parseRunOptions>[0], probe = fakeProbe(['/host/src', '/tmp'], ['/d.img']), remote = false, tools = TOOLS, extra: { rootless?: boolean; network?: string; accel?: 'kvm' | 'tcg'; credentials?: { name: string; data: Buffer }[] } = {}) {
  const options = parseRunOptions({ image: IMAGE, ...input }, probe);
  return buildLaunchPlan(options, {
    remote,
    tools,
    name: 'vm1',
    stateDir: '/state/vm1',
    accel: 'tcg',
    kernel: KERNEL,
    ...IDS,
    ssh: options.sshKeygen ? { clientPublicKey: 'ssh-ed25519 AAAA test', hostPrivateKey: 'PRIV', hostPublicKey: 'ssh-ed25519 BBBB host' } : undefined,
    supervisorScript: '# script',
    ...extra,
  });
}

const after = (argv: string[], flag: string) => argv.filter((_, i) => argv[i - 1] === flag);

test('QEMU argv: sizing, accel, direct kernel boot from the image, shares, ports, disks', () => {
  const p = plan({ memory: '1536M', vcpus: '3', bind: ['/host/src'], roBind: ['/host/src:cfg'], sshKeygen: true, addSwap: '256M', mountDiskFile: ['/d.img:data'], execute: ['/bin/true'], virtioSerialOut: ['log:/tmp/log'] });
  const q = p.qemuArgs;
  assert.deepEqual(q.slice(0, 4), ['/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2', '--library-path', '/usr/lib/x86_64-linux-gnu:/usr/lib', '/usr/bin/qemu-system-x86_64']);
  assert.deepEqual(after(q, '-m'), ['1536M']);
  assert.deepEqual(after(q, '-smp'), ['3']);
  assert.deepEqual(after(q, '-accel'), ['tcg,thread=multi,tb-size=64']);
  assert.deepEqual(after(q, '-object'), ['memory-backend-memfd,id=mem,size=1536M,share=on']);
  assert.deepEqual(after(q, '-kernel'), ['/run/source-image/usr/lib/modules/6.1.0-56-cloud-amd64/vmlinuz']);
  assert.deepEqual(after(q, '-initrd'), ['/run/initramfs.img']);
  const devices = after(q, '-device');
  assert.deepEqual(devices.filter((d) => d.startsWith('vhost-user-fs-pci')).map((d) => /tag=([^,]+)/.exec(d)![1]), ['rootfs', 'mount_src', 'mount_cfg']);
  assert.deepEqual(devices.filter((d) => d.startsWith('virtserialport')).map((d) => /name=(.+)$/.exec(d)![1]), ['org.bootc-ephemeral.journal', 'org.bootc-ephemeral.execute', 'org.bootc-ephemeral.execute-status', 'log']);
  assert.deepEqual(devices.filter((d) => d.startsWith('virtio-blk-pci')), ['virtio-blk-pci,drive=swap,serial=swap', 'virtio-blk-pci,drive=disk-data,serial=data']);
  assert.deepEqual(after(q, '-netdev'), ['user,id=net0,hostfwd=tcp:0.0.0.0:2222-:22']);
  assert.deepEqual(after(q, '-smbios'), ['type=11,path=/run/bootc-ephemeral/smbios-ssh-authorized-keys']);
  assert.ok(after(q, '-chardev').includes('file,id=execute,path=/proc/self/fd/1'));
  const cred = p.files.find((f) => f.path.endsWith('smbios-ssh-authorized-keys'))!;
  assert.equal(cred.content, `io.systemd.credential.binary:ssh.authorized_keys.root=${Buffer.from('ssh-ed25519 AAAA test\n').toString('base64')}`);
});

test('credentials: files of their own (0600), on fw_cfg by name, or SMBIOS for a long name; the values never in an argv or a label', () => {
  const p = plan({ sshKeygen: true, credential: ['greeting=hello'] }, undefined, false, TOOLS, {
    credentials: [{ name: 'greeting', data: Buffer.from('hello') }, { name: 'an.unusually.long.credential.name', data: Buffer.from('secret-two') }],
  });
  assert.deepEqual(after(p.qemuArgs, '-fw_cfg'), ['name=opt/io.systemd.credentials/greeting,file=/run/bootc-ephemeral/fwcfg-credential-0']);
  assert.deepEqual(after(p.qemuArgs, '-smbios'), ['type=11,path=/run/bootc-ephemeral/smbios-ssh-authorized-keys', 'type=11,path=/run/bootc-ephemeral/smbios-credential-1']);
  const file = (n: string) => p.files.find((f) => f.path.endsWith(`/${n}`))!;
  assert.deepEqual([file('fwcfg-credential-0').mode, String(file('fwcfg-credential-0').content)], [0o600, 'hello']);
  assert.deepEqual([file('smbios-credential-1').mode, file('smbios-credential-1').content], [0o600, `io.systemd.credential.binary:an.unusually.long.credential.name=${Buffer.from('secret-two').toString('base64')}`]);
  const everywhere = [...p.qemuArgs, ...p.podmanArgs, String(p.files.find((f) => f.path.endsWith('options.json'))!.content)].join(' ');
  assert.doesNotMatch(everywhere, /hello|secret-two/);
  assert.match(everywhere, /"credentials":\[\{"name":"greeting"\}\]/, 'the names are recorded');
});

test('QEMU console: logged always; a socket in the state dir, or stdio with --console', () => {
  const p = plan({ name: 'vm1' });
  assert.ok(after(p.qemuArgs, '-chardev').includes('socket,id=console,path=/run/bootc-ephemeral-console/console.sock,server=on,wait=off,logfile=/run/bootc-ephemeral-console.fifo'));
  assert.equal(p.consoleDir, '/state/vm1/console');
  assert.ok(p.podmanArgs.includes('/state/vm1/console:/run/bootc-ephemeral-console'));
  const withConsole = plan({ name: 'vm1', console: true });
  assert.ok(after(withConsole.qemuArgs, '-chardev').includes('stdio,id=console,signal=off,logfile=/run/bootc-ephemeral-console.fifo'));
  assert.equal(withConsole.consoleDir, undefined);
  assert.ok(!withConsole.podmanArgs.some((a) => a.includes('/run/bootc-ephemeral-console')));
});

test('guest: the serial console logs in as root through a drop-in, next to the user\'s unit files', () => {
  const conf = setupTmpfiles({ units: [], unitFiles: [consoleAutologinDropIn(), { relPath: 'serial-getty@ttyS0.service.d/mine.conf', content: 'x' }] });
  const lines = conf.split('\n');
  assert.equal(lines.filter((l) => l.startsWith('d /run/systemd/system/serial-getty@ttyS0.service.d ')).length, 1, 'the drop-in dir is created once');
  assert.ok(lines.includes('C /run/systemd/system/serial-getty@ttyS0.service.d/50-bootc-ephemeral-autologin.conf - - - - /usr/lib/bootc-ephemeral/run-tree/systemd/system/serial-getty@ttyS0.service.d/50-bootc-ephemeral-autologin.conf'));
  assert.match(consoleAutologinDropIn().content, /^ExecStart=\n.*--autologin root/m);
});

test('guest: the units that need our virtio ports (and --execute\'s disks) wait for them as long as it takes (no 90 s device timeout)', () => {
  const conf = setupTmpfiles({ units: [], unitFiles: deviceWaitDropIns(true) }).split('\n');
  for (const port of ['journal', 'execute', 'execute\\x2dstatus']) {
    const dropIn = `/run/systemd/system/dev-virtio\\x2dports-org.bootc\\x2dephemeral.${port}.device.d/50-bootc-ephemeral-wait.conf`;
    assert.ok(conf.some((l) => l.startsWith(`C ${dropIn.replace(/\\/g, '\\\\')} `)), `${dropIn} in ${conf.join('\n')}`);
  }
  assert.deepEqual(deviceWaitDropIns(false).map((d) => d.content), ['[Unit]\nJobRunningTimeoutSec=infinity\n']);
  assert.deepEqual(deviceWaitDropIns(true, ['data']).map((d) => d.relPath).slice(3), ['dev-disk-by\\x2did-virtio\\x2ddata.device.d/50-bootc-ephemeral-wait.conf'], 'the disks an --execute command waits for');
  assert.equal(deviceWaitDropIns(false, ['data']).length, 1, 'without --execute nothing waits for a disk');
  const payload = (o: Record<string, unknown>) => String(plan(o).files.find((f) => f.path.endsWith('/initramfs-append.cpio'))?.content ?? '');
  assert.match(payload({ name: 'vm1', execute: ['true'] }), /org\.bootc\\x2dephemeral\.execute\\x2dstatus\.device\.d\/50-bootc-ephemeral-wait\.conf/);
  assert.doesNotMatch(payload({ name: 'vm1' }), /execute\\x2dstatus\.device\.d/);
});

test('podman argv: labels, mounts, publish, flags, entrypoint', () => {
  const p = plan({ name: 'vm1', sshKeygen: true, bind: ['/host/src'], label: ['team=x'], env: ['SECRET=hunter2'], rm: true, detach: true, tty: true, interactive: true, network: 'podman' });
  const a = p.podmanArgs;
  assert.equal(a[0], 'run');
  assert.ok(!a.includes('--privileged'), 'least privilege: no --privileged');
  assert.equal(a[a.indexOf('--cap-drop=all') + 1], '--cap-add', 'all capabilities dropped, then a few added');
  assert.deepEqual(after(a, '--cap-add'), ['CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'SETUID', 'SETGID', 'MKNOD', 'SETFCAP', 'SETPCAP', 'SYS_CHROOT']);
  assert.deepEqual(after(a, '--device'), [], 'TCG: no device at all');
  assert.ok(a.includes('--read-only') && after(a, '--security-opt').includes('no-new-privileges'));
  assert.ok(a.includes('--pull=never') && a.includes('--rm') && a.includes('-d') && a.includes('-t') && a.includes('-i'));
  const labels = after(a, '--label');
  assert.ok(labels.includes('io.bootc-ephemeral=1') && labels.includes('team=x') && labels.includes('io.bootc-ephemeral.ssh=1'));
  assert.ok(labels.includes(`io.bootc-ephemeral.image=${IMAGE}`) && labels.includes('io.bootc-ephemeral.launch=l1'));
  assert.ok(!labels.some((l) => l.includes('/state/vm1')), 'no state-dir path in labels: it is derived from the name');
  const recorded = JSON.parse(labels.find((l) => l.startsWith('io.bootc-ephemeral.options='))!.split('=').slice(1).join('='));
  assert.deepEqual(recorded.env, ['SECRET'], 'env values stay out of labels');
  assert.ok(!labels.join(' ').includes('hunter2'));
  const vols = after(a, '-v');
  assert.ok(vols.includes('/usr:/usr:ro'), 'the host /usr over the engine root image');
  assert.ok(vols.includes('/state/vm1/plan:/run/bootc-ephemeral:ro'));
  assert.ok(vols.includes('/state/vm1/logs:/run/bootc-ephemeral-logs'), 'the logs (journal, console, virtiofsd) in the state dir');
  assert.ok(vols.includes('/host/src:/run/host-mounts/src'));
  assert.ok(after(a, '--mount').includes(`type=image,source=${'f'.repeat(64)},target=/run/source-image`), 'the image pinned by id, only served');
  assert.deepEqual(after(a, '-p'), ['127.0.0.1::2222/tcp']);
  assert.deepEqual(after(a, '--network'), ['podman']);
  assert.deepEqual(after(a, '--env'), ['SECRET=hunter2']);
  const img = a.indexOf(IDS.rootImage);
  assert.ok(!a.includes(IMAGE), 'the bootc image is never the container image');
  assert.deepEqual(a.slice(img - 2), ['--entrypoint', '/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2', IDS.rootImage, '--library-path', '/usr/lib/x86_64-linux-gnu:/usr/lib', '/usr/bin/dash', '/run/bootc-ephemeral/supervisor.sh', '/run/bootc-ephemeral']);
});

test('remote podman: the container is created with volumes for the plan and logs, nothing of the client bound, no published port', () => {
  const p = plan({ name: 'vm1', sshKeygen: true, bind: ['/host/src'], detach: true }, undefined, true);
  const a = p.podmanArgs;
  assert.equal(a[0], 'create', 'created, so the plan can be copied in before it starts');
  assert.ok(p.remote && !a.includes('-d'));
  assert.deepEqual(after(a, '-v'), ['/usr:/usr:ro', '/host/src:/run/host-mounts/src'], 'only podman-host paths: its /usr and the user\'s bind');
  assert.ok(after(a, '--mount').includes('type=volume,target=/run/bootc-ephemeral') && after(a, '--mount').includes('type=volume,target=/run/bootc-ephemeral-logs'));
  assert.deepEqual(after(a, '-p'), [], 'sshd is reached through podman exec, never a port on the podman host');
  assert.equal(p.consoleDir, undefined);
  assert.ok(after(p.qemuArgs, '-chardev').includes('socket,id=console,host=127.0.0.1,port=2223,server=on,wait=off,logfile=/run/bootc-ephemeral-console.fifo'), 'the console on the container\'s own loopback');
  const hostNet = plan({ name: 'vm1', network: 'host' }, undefined, true);
  // --add-swap: made by the supervisor in a volume (truncate, mkswap from the podman host's /usr), before QEMU
  const withSwap = plan({ name: 'vm1', addSwap: '64M' }, undefined, true, { ...TOOLS, truncate: '/usr/bin/truncate', mkswap: '/usr/sbin/mkswap' });
  const procs = withSwap.files.filter((f) => f.path.endsWith('.proc')).map((f) => path.basename(f.path)).sort(); // the supervisor runs them in name order
  assert.deepEqual(procs.slice(0, 3), ['000-initramfs.proc', '001-swap-file.proc', '002-mkswap.proc']);
  const mk = String(withSwap.files.find((f) => f.path.endsWith('002-mkswap.proc'))!.content).split('\n');
  assert.deepEqual(mk.slice(0, 1).concat(mk.slice(-4, -1)), ['once 1', 'arg /usr/sbin/mkswap', 'arg -q', 'arg /run/bootc-ephemeral-swap/swap.img']);
  assert.ok(after(withSwap.podmanArgs, '--mount').includes('type=volume,target=/run/bootc-ephemeral-swap'));
  assert.ok(after(withSwap.qemuArgs, '-drive').includes('file=/run/bootc-ephemeral-swap/swap.img,format=raw,if=none,id=swap'));
  assert.equal(withSwap.swap, undefined, 'nothing made on the client');
  assert.throws(() => plan({ name: 'vm1', addSwap: '64M' }, undefined, true), /needs truncate and mkswap/);
  assert.ok(after(hostNet.qemuArgs, '-chardev').includes('null,id=console,logfile=/run/bootc-ephemeral-console.fifo'), 'no console listener on a shared host loopback');
});

test('rootless podman: SSH through the relay (no published port), the resolved network, KVM through the user\'s groups', () => {
  const rootful = plan({ sshKeygen: true });
  assert.deepEqual(after(rootful.podmanArgs, '-p'), ['127.0.0.1::2222/tcp'], 'rootful local: a 127.0.0.1 port');
  const rootless = plan({ sshKeygen: true }, undefined, false, TOOLS, { rootless: true, network: 'none' });
  const a = rootless.podmanArgs;
  assert.deepEqual(after(a, '-p'), [], 'no port: sshd is reached through podman exec');
  assert.deepEqual(after(a, '--network'), ['none'], 'the network the launch resolved (no /dev/net/tun for this user)');
  assert.ok(after(a, '-v').some((v) => v.startsWith('/state/vm1/plan:')), 'a local rootless podman shares the state dir as root does');
  assert.ok(after(rootless.qemuArgs, '-netdev').some((n) => n.includes('hostfwd=tcp:0.0.0.0:2222-:22')), 'QEMU forwards sshd inside the container, where the relay reaches it');
  assert.ok(!a.includes('--privileged') && after(a, '--cap-add').length === 10, 'no --privileged: the same capabilities, in the user namespace');
  // rootful with --network none: no network to publish on, so the relay too
  assert.deepEqual(after(plan({ sshKeygen: true, network: 'none' }).podmanArgs, '-p'), []);
  const kvm = plan({}, undefined, false, TOOLS, { rootless: true, accel: 'kvm' }).podmanArgs;
  assert.deepEqual(after(kvm, '--device'), ['/dev/kvm']);
  assert.deepEqual(after(kvm, '--group-add'), ['keep-groups'], 'rootless: /dev/kvm opened through the user\'s kvm group');
  assert.deepEqual(after(plan({}, undefined, false, TOOLS, { accel: 'kvm' }).podmanArgs, '--group-add'), [], 'rootful: root opens it');
});

test('podman argv: --debug-entrypoint replaces the supervisor', () => {
  const a = plan({ debugEntrypoint: 'bash -l' }).podmanArgs;
  assert.deepEqual(a.slice(-4), ['--entrypoint', 'bash', IDS.rootImage, '-l']);
});

test('an initramfs over 1 GiB is refused with its size, before any plan is made; /run is sized for the one that fits', () => {
  const huge = { ...KERNEL, initramfsBytes: 3 * 1024 ** 3 };
  assert.throws(
    () => buildLaunchPlan(parseRunOptions({ image: IMAGE }, fakeProbe()), { name: 'v', stateDir: '/s/v', tools: TOOLS, accel: 'tcg', kernel: huge, ...IDS, supervisorScript: '' }),
    (e: Error & { details?: { field?: string } }) => /initramfs\.img is 3221225472 bytes: more than the 1024 MiB a VM may load/.test(e.message) && e.details?.field === 'image',
  );
  const fits = buildLaunchPlan(parseRunOptions({ image: IMAGE }, fakeProbe()), { name: 'v', stateDir: '/s/v', tools: TOOLS, accel: 'tcg', kernel: { ...KERNEL, initramfsBytes: 100 * 1048576 }, ...IDS, supervisorScript: '' });
  const size = /target=\/run,tmpfs-mode=0755,tmpfs-size=(\d+)m/.exec(fits.podmanArgs.join(' '));
  assert.ok(size && Number(size[1]) >= 133 && Number(size[1]) < 140, `/run holds the 100 MiB initramfs, our cpio and 32 MiB: ${size?.[1]}m`);
});

test('supervisor plan files: one proc per virtiofsd, then QEMU as main', () => {
  const p = plan({ bind: ['/host/src'], execute: ['/bin/true'] });
  const procs = p.files.filter((f) => f.path.endsWith('.proc')).map((f) => path.basename(f.path));
  assert.deepEqual(procs, [
    '000-initramfs.proc',
    '003-fifos.proc',
    '004-log-cap-000-journal.proc',
    '004-log-cap-001-console.proc',
    '004-log-cap-002-execute-status.proc',
    '010-virtiofsd-rootfs.proc',
    '011-virtiofsd-mount_src.proc',
    '900-qemu.proc',
  ]);
  // the guest's output: QEMU writes FIFOs, a capped writer each fills the files (64M default: 16M head and segments)
  const fifos = String(p.files.find((f) => f.path.endsWith('003-fifos.proc'))!.content).split('\n');
  assert.deepEqual(fifos.slice(-5), ['arg --', 'arg /run/bootc-ephemeral-journal.fifo', 'arg /run/bootc-ephemeral-console.fifo', 'arg /run/bootc-ephemeral-execute-status.fifo', '']);
  const journalCap = String(p.files.find((f) => f.path.endsWith('-journal.proc'))!.content).split('\n');
  assert.deepEqual(journalCap.slice(0, 2), ['what the guest journal\'s writer', 'drain 1']);
  const q = 16 * 1024 * 1024;
  assert.deepEqual(journalCap.filter((l) => l.startsWith('arg ')).slice(-9).map((l) => l.slice(4)), [
    '/run/bootc-ephemeral/log-cap.sh', '/run/bootc-ephemeral/supervisor.conf', '/run/bootc-ephemeral-journal.fifo', '/run/bootc-ephemeral-logs/journal.log',
    String(q), String(q), '/run/bootc-ephemeral-logs/journal.log', '2', '/run/bootc-ephemeral-logs/journal.log.dropped',
  ]);
  assert.ok(after(p.qemuArgs, '-chardev').includes('file,id=journal,path=/run/bootc-ephemeral-journal.fifo'), 'QEMU writes the journal FIFO, not the file');
  const status = String(p.files.find((f) => f.path.endsWith('-execute-status.proc'))!.content).split('\n');
  assert.ok(status.includes('arg /run/bootc-ephemeral-execute.status') && status.includes(`arg ${64 * 1024}`) && status.includes('arg 0'), 'the --execute status keeps 64 KiB, nothing after');
  const conf = String(p.files.find((f) => f.path.endsWith('supervisor.conf'))!.content);
  assert.match(conf, /^head \S+ --library-path \S+ --preload \/usr\/libexec\/coreutils\/libstdbuf\.so \/usr\/bin\/head$/m, 'head writes each read at once');
  assert.ok(journalCap.includes('env _STDBUF_O=0'));
  assert.match(conf, /^rm \S+ --library-path \S+ \/usr\/bin\/rm$/m);
  assert.match(p.podmanArgs.join(' '), /--log-opt max-size=64m/, 'podman\'s own container log is capped too');
  assert.match(p.podmanArgs.join(' '), /type=tmpfs,target=\/run,tmpfs-mode=0755,tmpfs-size=\d+m/, '/run is sized, not half the host\'s memory');
  const initramfs = String(p.files.find((f) => f.path.endsWith('000-initramfs.proc'))!.content).split('\n');
  assert.deepEqual(initramfs, [
    'out /run/initramfs.img',
    'once 1',
    'arg /usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2',
    'arg --library-path',
    'arg /usr/lib/x86_64-linux-gnu:/usr/lib',
    'arg /usr/bin/cat',
    `arg /run/source-image/usr/lib/modules/${KVER}/initramfs.img`,
    'arg /run/bootc-ephemeral/initramfs-append.cpio',
    '',
  ]);
  const append = p.files.find((f) => f.path.endsWith('initramfs-append.cpio'))!;
  assert.equal(append.mode, 0o600, 'it holds the guest host key');
  assert.deepEqual([...(append.content as Buffer).subarray(0, 3)], [0, 0, 0], '1001 bytes of image initramfs: 3 zero bytes to the 4-byte boundary');
  assert.equal((append.content as Buffer).subarray(3, 9).toString(), '070701');
  assert.deepEqual(after(p.qemuArgs, '-initrd'), ['/run/initramfs.img']);
  assert.deepEqual(after(p.qemuArgs, '-kernel'), [`/run/source-image/usr/lib/modules/${KVER}/vmlinuz`]);
  const root = String(p.files.find((f) => f.path.endsWith('010-virtiofsd-rootfs.proc'))!.content).split('\n');
  assert.deepEqual(root.slice(0, 4), ['what virtiofsd for the root file system', 'log /run/bootc-ephemeral-logs/virtiofsd.log', 'socket /run/bootc-ephemeral-sock/rootfs.sock', 'env MALLOC_ARENA_MAX=1']);
  const bind = String(p.files.find((f) => f.path.endsWith('011-virtiofsd-mount_src.proc'))!.content).split('\n');
  assert.equal(bind[0], 'what virtiofsd for /run/virtiofs-mnt-src');
  const qemu = String(p.files.find((f) => f.path.endsWith('900-qemu.proc'))!.content).split('\n');
  assert.deepEqual(qemu.slice(0, 3), ['main 1', 'status /run/bootc-ephemeral-execute.status', 'env QEMU_MODULE_DIR=/usr/lib/x86_64-linux-gnu/qemu']);
  assert.equal(qemu.filter((l) => l.startsWith('arg ')).length, p.qemuArgs.length);
  assert.ok(p.podmanArgs.join(' ').includes('-v /state/vm1/logs:/run/bootc-ephemeral-logs -v'), 'the state dir\'s logs/ is bound in, for every log');
  assert.ok(bind.includes('log /run/bootc-ephemeral-logs/virtiofsd-src.log'));
});

test('network host: QEMU forwards on a host port, nothing published', () => {
  const options = parseRunOptions({ image: IMAGE, sshKeygen: true, network: 'host' }, fakeProbe());
  const p = buildLaunchPlan(options, { name: 'h', stateDir: '/s/h', tools: TOOLS, accel: 'kvm', kernel: KERNEL, ...IDS, sshHostPort: 40001, ssh: { clientPublicKey: 'a', hostPrivateKey: 'b', hostPublicKey: 'c' }, supervisorScript: '' });
  assert.deepEqual(after(p.qemuArgs, '-netdev'), ['user,id=net0,hostfwd=tcp:127.0.0.1:40001-:22']);
  assert.deepEqual(after(p.podmanArgs, '-p'), []);
  assert.ok(after(p.podmanArgs, '--label').includes('io.bootc-ephemeral.ssh-host-port=40001'));
  assert.deepEqual(after(p.qemuArgs, '-accel'), ['kvm']);
  assert.deepEqual(after(p.podmanArgs, '--device'), ['/dev/kvm'], 'KVM: /dev/kvm is the one device');
  assert.deepEqual(after(p.qemuArgs, '-cpu'), ['host']);
});

test('plan files: a value with a line break or NUL is refused, whatever its source', () => {
  assert.throws(() => procFile({ argv: ['ok', 'evil\narg --inject'] }), /line break or NUL/);
  assert.throws(() => procFile({ argv: ['x'], env: ['A=1\renv LD_PRELOAD=/x'] }), /line break or NUL/);
  assert.throws(() => procFile({ argv: ['x\0y'] }), /line break or NUL/);
  assert.throws(() => plan({ karg: ['a\narg -evil'] }), /line break|karg/);
  assert.throws(
    () => buildLaunchPlan(parseRunOptions({ image: IMAGE }, fakeProbe()), { name: 'v', stateDir: '/s/v', tools: TOOLS, accel: 'tcg', kernel: { ...KERNEL, version: '6.1\narg -evil' }, ...IDS, supervisorScript: '' }),
    /invalid kernel release/,
  );
});

test('labels carry no --execute text and no env values; the state dir copy (0600) has the commands', () => {
  const p = plan({ execute: ['echo s3cret-token'], env: ['K=hidden'] });
  const labels = after(p.podmanArgs, '--label');
  assert.ok(!labels.join('\n').includes('s3cret-token') && !labels.join('\n').includes('hidden'));
  const recorded = JSON.parse(labels.find((l) => l.startsWith('io.bootc-ephemeral.options='))!.slice('io.bootc-ephemeral.options='.length));
  assert.equal(recorded.executeCount, 1);
  const file = p.files.find((f) => f.path === '/state/vm1/options.json')!;
  assert.equal(file.mode, 0o600);
  assert.deepEqual(JSON.parse(String(file.content)).execute, ['echo s3cret-token']);
  assert.deepEqual(JSON.parse(String(file.content)).env, ['K']);
});
