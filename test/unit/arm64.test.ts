import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRunOptions } from '../../src/engine/options/runOptions';
import { buildLaunchPlan } from '../../src/engine/plan/launchPlan';
import { guestCredentialFiles } from '../../src/engine/plan/credentialFiles';
import { machineFor } from '../../src/engine/plan/machine';
import { findHostTools, type HostFileView } from '../../src/engine/host/host';
import { foreignGuestAccel, guestArchFor } from '../../src/engine/vm/guestArch';
import { toVmInfo } from '../../src/engine/vm/vms';
import { podmanCommands, podmanStreams } from '../../src/engine/podman/commands';
import { vmItemProperties } from '../../src/vscode/tree/vmItemProperties';
import type { KernelInImage } from '../../src/engine/vm/kernel';
import type { GuestArch } from '../../src/engine/options/types';
import type { EngineError } from '../../src/engine/errors';
import { fakeProbe, TOOLS } from './helpers';

const KVER = '6.1.0-57-cloud-arm64';
const KERNEL: KernelInImage = { version: KVER, vmlinuz: `/usr/lib/modules/${KVER}/vmlinuz`, initramfs: `/usr/lib/modules/${KVER}/initramfs.img`, initramfsBytes: 1001 };
const after = (argv: string[], flag: string) => argv.filter((_, i) => argv[i - 1] === flag);

function plan(arch: GuestArch | undefined, accel: 'kvm' | 'tcg' = 'tcg', tools = TOOLS) {
  const options = parseRunOptions({ image: 'localhost/bootc-sample:arm64', sshKeygen: true }, fakeProbe());
  return buildLaunchPlan(options, {
    name: 'vm1', stateDir: '/state/vm1', tools, accel, arch, kernel: KERNEL, rootImage: 'localhost/root:1', imageId: 'f'.repeat(64), launchId: 'l1',
    ssh: { clientPublicKey: 'ssh-ed25519 AAAA test', hostPrivateKey: 'PRIV', hostPublicKey: 'ssh-ed25519 BBBB host' },
    credentials: [{ name: 'greeting', data: Buffer.from('hello') }],
    supervisorScript: '',
  });
}

test('an arm64 guest: qemu-system-aarch64, the virt machine, the PL011 console, pvpanic-pci, every credential on fw_cfg, the arch label', () => {
  const p = plan('arm64');
  const q = p.qemuArgs;
  assert.equal(q[3], '/usr/bin/qemu-system-aarch64');
  assert.deepEqual(after(q, '-machine'), ['virt,gic-version=max']);
  assert.deepEqual(after(q, '-accel'), ['tcg,thread=multi,tb-size=64']);
  assert.deepEqual(after(q, '-cpu'), ['max,pauth-impdef=on']);
  assert.ok(after(q, '-device').includes('pvpanic-pci') && !after(q, '-device').includes('pvpanic'));
  assert.ok(p.kernelArgs.includes('console=ttyAMA0') && !p.kernelArgs.includes('console=ttyS0'));
  // no firmware, no SMBIOS tables: the -K key travels on fw_cfg like the user's credentials
  assert.deepEqual(after(q, '-smbios'), []);
  assert.deepEqual(after(q, '-fw_cfg'), [
    'name=opt/io.systemd.credentials/ssh.authorized_keys.root,file=/run/bootc-ephemeral/fwcfg-ssh-authorized-keys',
    'name=opt/io.systemd.credentials/greeting,file=/run/bootc-ephemeral/fwcfg-credential-0',
  ]);
  const key = p.files.find((f) => f.path.endsWith('/fwcfg-ssh-authorized-keys'))!;
  assert.deepEqual([String(key.content), key.mode], ['ssh-ed25519 AAAA test\n', 0o644]);
  // the console's autologin drop-in is for the arm64 console's getty
  const payload = p.files.find((f) => f.path.endsWith('initramfs-append.cpio'))!.content.toString('latin1');
  assert.match(payload, /serial-getty@ttyAMA0\.service\.d\/50-bootc-ephemeral-autologin\.conf/);
  assert.doesNotMatch(payload, /serial-getty@ttyS0/);
  assert.ok(p.podmanArgs.includes('io.bootc-ephemeral.arch=arm64'));
  // on an arm64 host with KVM: the host's CPU and GIC
  assert.deepEqual(machineFor('arm64', 'kvm').machineArgs, ['-machine', 'virt,gic-version=host', '-accel', 'kvm', '-cpu', 'host']);
});

test('an amd64 guest is as before: q35, ttyS0, pvpanic, the -K key on SMBIOS', () => {
  for (const p of [plan('amd64'), plan(undefined)]) {
    assert.equal(p.qemuArgs[3], '/usr/bin/qemu-system-x86_64');
    assert.deepEqual(after(p.qemuArgs, '-machine'), ['q35']);
    assert.ok(p.kernelArgs.includes('console=ttyS0'));
    assert.deepEqual(after(p.qemuArgs, '-smbios'), ['type=11,path=/run/bootc-ephemeral/smbios-ssh-authorized-keys']);
    assert.ok(after(p.qemuArgs, '-device').includes('pvpanic'));
  }
});

test('a guest whose QEMU is not installed: one error naming --arch and how to install it', () => {
  assert.throws(() => plan('arm64', 'tcg', { ...TOOLS, qemu: { amd64: '/usr/bin/qemu-system-x86_64' } }), (e: EngineError) => {
    assert.match(e.message, /QEMU for arm64 guests \(qemu-system-aarch64\) was not found on the podman host/);
    assert.equal(e.details.field, 'arch');
    assert.match(e.details.hint ?? '', /apt-get install qemu-system-arm/);
    return true;
  });
});

test('without SMBIOS a credential name too long for fw_cfg is refused, naming it', () => {
  const long = 'an.unusually.long.credential.name';
  assert.throws(() => guestCredentialFiles(undefined, [{ name: long, data: Buffer.from('x') }], undefined, false), new RegExp(`credential ${long}: this guest has no SMBIOS \\(arm64\\).*28 characters`));
  assert.equal(guestCredentialFiles(undefined, [{ name: long, data: Buffer.from('x') }], undefined, true)[0].name, 'smbios-credential-0');
});

test('the guest architecture: --arch, else the image\'s when it is one we boot, else the host\'s; KVM only for the host\'s own', () => {
  const image = 'localhost/x:1';
  assert.equal(guestArchFor({ image, arch: 'amd64' }, 'arm64', 'amd64'), 'amd64', '--arch wins over the image metadata');
  assert.equal(guestArchFor({ image }, 'arm64', 'amd64'), 'arm64');
  assert.equal(guestArchFor({ image }, '', 'arm64'), 'arm64', 'an image without an architecture: the host\'s');
  assert.throws(() => guestArchFor({ image }, 's390x', 'amd64'), /image localhost\/x:1 is for the "s390x" architecture: VMs boot amd64 and arm64 images/);
  assert.throws(() => guestArchFor({ image }, 'a'.repeat(100), 'amd64'), (e: Error) => e.message.length < 200);
  assert.equal(podmanCommands.imageIdentity(image).parse({ exitCode: 0, stdout: `${'a'.repeat(64)} arm64\n`, stderr: '' })?.architecture, 'arm64');
  assert.equal(podmanCommands.imageIdentity(image).parse({ exitCode: 0, stdout: `${'a'.repeat(64)} ../x$(id)\n`, stderr: '' })?.architecture, '', 'metadata that is no name is dropped');

  const warnings: string[] = [];
  assert.equal(foreignGuestAccel('auto', 'amd64', 'amd64'), undefined, 'native: KVM when usable, as before');
  assert.equal(foreignGuestAccel('auto', 'arm64', 'amd64', (m) => warnings.push(m)), 'tcg');
  assert.match(warnings[0], /an arm64 image on an amd64 host: QEMU emulates it/);
  assert.equal(foreignGuestAccel('tcg', 'arm64', 'amd64', (m) => warnings.push(m)), 'tcg');
  assert.equal(warnings.length, 1, 'no warning when TCG was asked for');
  assert.throws(() => foreignGuestAccel('kvm', 'arm64', 'amd64'), (e: EngineError) => e.details.field === 'accel' && /KVM cannot run an arm64 guest on this amd64 host/.test(e.message));
  assert.throws(() => parseRunOptions({ image, arch: 'riscv64' }, fakeProbe()), /arch.*riscv64.*must be one of amd64, arm64/s);
});

/** A host's /usr as a set of executables and other paths (merged /usr: /lib is /usr/lib). */
function fakeHost(executables: string[], others: string[] = []): HostFileView {
  const realpath = (p: string) => p.replace(/^\/(lib|lib64)\//, '/usr/$1/');
  return { isExecutable: (p) => executables.includes(p), exists: (p) => executables.includes(p) || others.includes(p), realpath, helpOf: () => '' };
}

test('host discovery: the host\'s architecture from its loader; its own QEMU required, the other one optional (never qemu-kvm)', () => {
  const common = ['/usr/libexec/virtiofsd', '/usr/bin/dash', '/usr/bin/sleep', '/usr/bin/find', '/usr/bin/cat', '/usr/bin/head', '/usr/bin/rm', '/usr/bin/mkfifo'];
  const amd64 = findHostTools(fakeHost([...common, '/usr/bin/qemu-system-x86_64', '/usr/bin/qemu-system-aarch64'], ['/lib64/ld-linux-x86-64.so.2', '/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu']), {});
  assert.equal(amd64.hostArch, 'amd64');
  assert.equal(amd64.busybox, undefined, 'a view that cannot read files finds no busybox: the image\'s initramfs boots');
  assert.deepEqual(amd64.libraryPath, ['/usr/lib/x86_64-linux-gnu'], 'a multiarch host\'s arm64 libraries are not on the x86-64 loader\'s path');
  assert.deepEqual(amd64.qemu, { amd64: '/usr/bin/qemu-system-x86_64', arm64: '/usr/bin/qemu-system-aarch64' });
  // with a static busybox readable: the engine's own initramfs for guests of its architecture
  const head = Buffer.alloc(120);
  head.writeUInt32BE(0x7f454c46, 0); head[4] = 2; head[5] = 1; head.writeUInt16LE(2, 16); head.writeUInt16LE(62, 18);
  head.writeBigUInt64LE(64n, 32); head.writeUInt16LE(56, 54); head.writeUInt16LE(1, 56); head.writeUInt32LE(1, 64);
  const withBusybox = findHostTools({ ...fakeHost([...common, '/usr/bin/qemu-system-x86_64', '/usr/sbin/busybox'], ['/lib64/ld-linux-x86-64.so.2']),
    headOf: (p) => (p === '/usr/sbin/busybox' ? { head, size: 99 } : undefined), appletsOf: () => 'sh\nmount\numount\nmodprobe\nmkdir\nln\ncp\ncat\nrm\nreadlink\nsleep\nswitch_root\n' }, {});
  assert.deepEqual(withBusybox.busybox, { path: '/usr/sbin/busybox', bytes: 99, arch: 'amd64' });
  const onlyX86 = findHostTools(fakeHost([...common, '/usr/libexec/qemu-kvm'], ['/lib64/ld-linux-x86-64.so.2']), {});
  assert.deepEqual(onlyX86.qemu, { amd64: '/usr/libexec/qemu-kvm', arm64: undefined }, 'qemu-kvm runs the host\'s architecture only');
  const arm64 = findHostTools(fakeHost([...common, '/usr/bin/qemu-system-aarch64'], ['/lib/ld-linux-aarch64.so.1', '/usr/lib/aarch64-linux-gnu']), {});
  assert.equal(arm64.hostArch, 'arm64');
  assert.deepEqual(arm64.qemu, { arm64: '/usr/bin/qemu-system-aarch64', amd64: undefined });
  assert.deepEqual(arm64.libraryPath, ['/usr/lib/aarch64-linux-gnu']);
  assert.throws(() => findHostTools(fakeHost(common, ['/lib/ld-linux-aarch64.so.1']), {}), /QEMU \(qemu-system-aarch64\) not found/);
});

test('ps, inspect and the VMs view show the architecture from the label, only when it is one we boot', () => {
  const entry = { Id: 'c0ffee1234567890', Names: ['vm1'], Image: 'localhost/bootc-ephemeral-root:0123456789ab', ImageID: 'a'.repeat(64), Created: 10, State: 'running', Labels: { 'io.bootc-ephemeral': '1', 'io.bootc-ephemeral.image': 'localhost/bootc-sample:arm64', 'io.bootc-ephemeral.arch': 'arm64' } };
  const vm = toVmInfo(entry, () => true)!;
  assert.equal(vm.arch, 'arm64');
  assert.equal(toVmInfo({ ...entry, Labels: { ...entry.Labels, 'io.bootc-ephemeral.arch': 'arm64;rm -rf' } }, () => true)!.arch, undefined);
  const item = vmItemProperties(vm, Date.now());
  assert.match(item.tooltip, /Architecture: arm64/);
  // this test host is amd64: an arm64 VM says so in its one-line description
  if (process.arch === 'x64') assert.match(item.description, /^bootc-sample:arm64 · arm64 · ready/);
  assert.doesNotMatch(vmItemProperties({ ...vm, arch: 'amd64' }, Date.now()).description, /amd64/);
  const arches = podmanCommands.imageArchitectures(['x']).parse({ exitCode: 0, stdout: `${'a'.repeat(64)} arm64\n${'b'.repeat(64)} amd64\n${'c'.repeat(64)} bad name\n`, stderr: '' });
  assert.deepEqual([...arches], [['a'.repeat(64), 'arm64'], ['b'.repeat(64), 'amd64']]);
});

test('a configuration with arch: builds its Containerfile for that architecture', () => {
  assert.deepEqual(podmanStreams.build('localhost/t:1', '/w/Containerfile', '/w', 'arm64').args, ['build', '--arch', 'arm64', '-t', 'localhost/t:1', '-f', '/w/Containerfile', '/w']);
  assert.deepEqual(podmanStreams.build('localhost/t:1', '/w/Containerfile', '/w').args, ['build', '-t', 'localhost/t:1', '-f', '/w/Containerfile', '/w']);
});
