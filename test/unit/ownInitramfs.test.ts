import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { staticElfArch, findStaticBusybox, BUSYBOX_APPLETS, type BusyboxFileView } from '../../src/engine/host/busybox';
import { initramfsModulesOf } from '../../src/engine/vm/initramfsModules';
import { findKernel, kernelProbeArgs, parseImageListing, type ImageEntry } from '../../src/engine/vm/kernel';
import { initramfsFor, initramfsPlanFiles, ownInitramfsParts, type OwnInitramfs } from '../../src/engine/plan/ownInitramfs';
import { streamedCpio } from '../../src/engine/plan/cpio';
import { guestInitScript } from '../../src/engine/plan/guestInit';
import { bootFailureOf } from '../../src/engine/guest/bootFailure';
import { BUSYBOX_SCRIPT, listedFileView, parseBusyboxProbe } from '../../src/engine/host/remoteTools';

/** A 64-bit little-endian ELF header with program headers of these types. */
function elf(machine: number, phTypes: number[]): Buffer {
  const b = Buffer.alloc(64 + 56 * phTypes.length);
  b.writeUInt32BE(0x7f454c46, 0);
  b[4] = 2;
  b[5] = 1;
  b.writeUInt16LE(2, 16);
  b.writeUInt16LE(machine, 18);
  b.writeBigUInt64LE(64n, 32);
  b.writeUInt16LE(56, 54);
  b.writeUInt16LE(phTypes.length, 56);
  phTypes.forEach((t, i) => b.writeUInt32LE(t, 64 + 56 * i));
  return b;
}

test('a static busybox is told by its ELF header: no program interpreter, the guest\'s machine', () => {
  assert.equal(staticElfArch(elf(62, [1, 1])), 'amd64');
  assert.equal(staticElfArch(elf(183, [1])), 'arm64');
  assert.equal(staticElfArch(elf(62, [6, 3, 1])), undefined, 'PT_INTERP: dynamically linked');
  assert.equal(staticElfArch(elf(40, [1])), undefined, 'another machine (32-bit ARM)');
  assert.equal(staticElfArch(elf(62, [1]).subarray(0, 100)), undefined, 'program headers cut off');
  assert.equal(staticElfArch(Buffer.from('#!/bin/sh\necho busybox\n'.padEnd(80))), undefined);
  const host = '/usr/bin/busybox';
  if (fs.existsSync(host) && fs.realpathSync(host).startsWith('/usr/')) {
    const real = fs.readFileSync(host).subarray(0, 4096);
    assert.equal(staticElfArch(real), process.arch === 'x64' ? 'amd64' : 'arm64', 'this host\'s busybox-static');
  }
});

test('busybox discovery takes the first static one under /usr with every applet our init uses', () => {
  const heads: Record<string, Buffer> = { '/usr/bin/busybox': elf(62, [3, 1]), '/usr/sbin/busybox': elf(62, [1]) };
  const view = (applets: string, real = (p: string) => p): BusyboxFileView => ({
    isExecutable: (p) => p in heads,
    realpath: real,
    headOf: (p) => (heads[p] ? { head: heads[p], size: 1234 } : undefined),
    appletsOf: () => applets,
  });
  const all = BUSYBOX_APPLETS.join('\n') + '\nvi\n';
  assert.deepEqual(findStaticBusybox(view(all)), { path: '/usr/sbin/busybox', bytes: 1234, arch: 'amd64' }, 'the dynamic /usr/bin one is passed over');
  assert.equal(findStaticBusybox(view(all.replace('switch_root\n', ''))), undefined, 'a build without switch_root');
  assert.equal(findStaticBusybox(view(all, (p) => p.replace('/usr/sbin', '/opt'))), undefined, 'outside /usr the container cannot see it');
  assert.equal(findStaticBusybox({ ...view(all), headOf: () => undefined }), undefined, 'unreadable (a remote host): none');
});

const KVER = '6.1.0-9-amd64';
const DIR = `/usr/lib/modules/${KVER}`;
const e = (type: string, p: string, size = 100): ImageEntry => ({ type, path: p, target: '', size });

test('the modules carried: the virtio, FUSE and overlay folders whole, four single modules, the indexes; links and others not', () => {
  const kernel = { version: KVER, vmlinuz: `${DIR}/vmlinuz`, initramfs: `${DIR}/initramfs.img`, initramfsBytes: 1 };
  const listing = [
    e('f', `${DIR}/modules.dep`, 300), e('f', `${DIR}/modules.builtin`, 30), e('f', `${DIR}/modules.alias`),
    e('f', `${DIR}/kernel/drivers/virtio/virtio.ko`), e('f', `${DIR}/kernel/drivers/virtio/virtio_pci.ko.xz`),
    e('l', `${DIR}/kernel/drivers/virtio/linked.ko`), e('f', `${DIR}/kernel/drivers/virtio/README`),
    e('f', `${DIR}/kernel/fs/fuse/virtiofs.ko`), e('f', `${DIR}/kernel/fs/overlayfs/overlay.ko.gz`),
    e('f', `${DIR}/kernel/drivers/net/virtio_net.ko`), e('f', `${DIR}/kernel/drivers/net/e1000.ko`),
    e('f', `${DIR}/kernel/net/core/failover.ko`), e('f', `${DIR}/kernel/drivers/char/virtio_console.ko`),
    e('f', `/usr/lib/modules/other/kernel/fs/fuse/fuse.ko`),
  ];
  const r = initramfsModulesOf(listing, kernel);
  assert.ok('files' in r, JSON.stringify(r));
  assert.deepEqual(r.files.map((f) => f.path.slice(DIR.length + 1)), [
    'kernel/drivers/char/virtio_console.ko', 'kernel/drivers/net/virtio_net.ko', 'kernel/drivers/virtio/virtio_pci.ko.xz', 'kernel/drivers/virtio/virtio.ko',
    'kernel/fs/fuse/virtiofs.ko', 'kernel/fs/overlayfs/overlay.ko.gz', 'kernel/net/core/failover.ko', 'modules.builtin', 'modules.dep',
  ]);
  assert.deepEqual(initramfsModulesOf([...listing, e('f', `${DIR}/kernel/fs/fuse/fuse.ko.zst`)], kernel), { unusable: 'its kernel module kernel/fs/fuse/fuse.ko.zst is compressed in a way busybox\'s modprobe cannot read' });
  assert.deepEqual(initramfsModulesOf(listing.filter((x) => !x.path.endsWith('modules.dep')), kernel), { unusable: `it has no ${DIR}/modules.dep` });
  assert.match(JSON.stringify(initramfsModulesOf([...listing, e('f', `${DIR}/kernel/fs/fuse/fuse.ko`, 2 ** 40)], kernel)), /unusable.*bytes/);
});

test('the probe lists the module folders (run with this host\'s find on a fake image): deeper folders and other modules not', (t) => {
  if (spawnSync('find', ['--version']).status !== 0) return t.skip('no GNU find');
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'probe-'));
  try {
    for (const f of ['vmlinuz', 'initramfs.img', 'modules.dep', 'kernel/drivers/virtio/virtio.ko', 'kernel/drivers/virtio/sub/deep.ko', 'kernel/fs/fuse/virtiofs.ko',
      'kernel/drivers/net/virtio_net.ko', 'kernel/drivers/net/e1000.ko', 'kernel/net/core/failover.ko', 'kernel/sound/snd.ko']) {
      fs.mkdirSync(path.dirname(path.join(root, DIR, f)), { recursive: true });
      fs.writeFileSync(path.join(root, DIR, f), 'x'.repeat(7));
    }
    fs.mkdirSync(path.join(root, 'usr/lib/bootc/kargs.d/sub'), { recursive: true });
    fs.writeFileSync(path.join(root, 'usr/lib/bootc/kargs.d/sub/deep.toml'), '');
    fs.mkdirSync(path.join(root, 'etc'));
    const args = kernelProbeArgs('root', 'img', { loader: '/l', libraryPath: [], find: '/usr/bin/find' } as never);
    const findArgs = args.slice(args.indexOf('/usr/bin/find') + 1).map((a) => a.replaceAll('/run/source-image', root));
    const r = spawnSync('find', findArgs, { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const entries = parseImageListing(r.stdout.replaceAll(root, '/run/source-image'));
    const listed = entries.map((x) => x.path);
    assert.ok(!listed.some((p) => p.includes('deep') || p.includes('e1000') || p.includes('sound')), listed.join('\n'));
    const modules = initramfsModulesOf(entries, findKernel(entries, 'img'));
    assert.ok('files' in modules);
    assert.deepEqual(modules.files.map((f) => [path.posix.basename(f.path), f.bytes]), [['virtio_net.ko', 7], ['virtio.ko', 7], ['virtiofs.ko', 7], ['failover.ko', 7], ['modules.dep', 7]]);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

const BUSYBOX = { path: '/usr/bin/busybox', bytes: 11, arch: 'amd64' as const };

test('whose initramfs boots: ours, unless the kargs name an rdinit=, the host has no static busybox of the guest\'s architecture, or the modules cannot be read', () => {
  const modules = { files: [{ path: `${DIR}/modules.dep`, bytes: 5 }] };
  assert.deepEqual(initramfsFor(BUSYBOX, modules, 'amd64', KVER, ['quiet']), { own: { busybox: BUSYBOX, kernelVersion: KVER, modules: modules.files } });
  assert.match(JSON.stringify(initramfsFor(BUSYBOX, modules, 'amd64', KVER, ['rdinit=/init'])), /"image":"the kernel arguments name their own rdinit="/);
  assert.match(JSON.stringify(initramfsFor(undefined, modules, 'amd64', KVER, [])), /no statically linked busybox/);
  assert.match(JSON.stringify(initramfsFor(BUSYBOX, modules, 'arm64', KVER, [])), /busybox is for amd64, the guest is arm64/);
  assert.deepEqual(initramfsFor(BUSYBOX, { unusable: 'why' }, 'amd64', KVER, []), { image: 'why' });
});

test('the streamed archive: pieces, the busybox and the modules read by cat, then our payload, unpack as one (host cpio)', (t) => {
  if (spawnSync('cpio', ['--version']).status !== 0) return t.skip('no cpio');
  const own: OwnInitramfs = { busybox: BUSYBOX, kernelVersion: KVER, modules: [{ path: `${DIR}/kernel/fs/fuse/virtiofs.ko`, bytes: 5 }, { path: `${DIR}/modules.dep`, bytes: 2 }] };
  const plan = initramfsPlanFiles('/state/plan', ['/usr/bin/cat'], { own }, { path: `${DIR}/initramfs.img`, bytes: 9 }, Buffer.from('PAYLOAD'));
  const proc = plan.files.find((f) => f.path.endsWith('000-initramfs.proc'))!;
  const argv = String(proc.content).split('\n').filter((l) => l.startsWith('arg ')).map((l) => l.slice(4));
  assert.deepEqual(argv, ['/usr/bin/cat', '/run/bootc-ephemeral/initramfs-000.part', '/usr/bin/busybox', '/run/bootc-ephemeral/initramfs-001.part', `/run/source-image${DIR}/kernel/fs/fuse/virtiofs.ko`,
    '/run/bootc-ephemeral/initramfs-002.part', `/run/source-image${DIR}/modules.dep`, '/run/bootc-ephemeral/initramfs-003.part', '/run/bootc-ephemeral/initramfs-append.cpio']);
  assert.equal(String(plan.files.find((f) => f.path.endsWith('initramfs.txt'))!.content), 'engine\n');
  const contents: Record<string, Buffer> = { '/usr/bin/busybox': Buffer.from('BUSYBOX-ELF'), [`/run/source-image${DIR}/kernel/fs/fuse/virtiofs.ko`]: Buffer.from('VIRTI'), [`/run/source-image${DIR}/modules.dep`]: Buffer.from('d\n') };
  const byName = (p: string) => contents[p] ?? (plan.files.find((f) => f.path === p.replace('/run/bootc-ephemeral', '/state/plan'))!.content as Buffer);
  const image = Buffer.concat(argv.slice(1).map(byName));
  assert.equal(plan.bytes, image.length, 'the size the /run tmpfs is made for');
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'own-initramfs-'));
  try {
    // the kernel reads concatenated archives; cpio reads the first, which ends before our payload
    const r = spawnSync('cpio', ['-idm', '--quiet'], { cwd: root, input: image });
    assert.equal(r.status, 0, String(r.stderr));
    assert.equal(fs.readFileSync(path.join(root, 'bin/busybox'), 'utf8'), 'BUSYBOX-ELF');
    assert.equal(fs.statSync(path.join(root, 'bin/busybox')).mode & 0o777, 0o755);
    assert.equal(fs.readlinkSync(path.join(root, 'bin/switch_root')), 'busybox');
    assert.equal(fs.readlinkSync(path.join(root, 'lib')), 'usr/lib');
    assert.equal(fs.readFileSync(path.join(root, `${DIR.slice(1)}/kernel/fs/fuse/virtiofs.ko`), 'utf8'), 'VIRTI');
    assert.equal(fs.readFileSync(path.join(root, `${DIR.slice(1)}/modules.dep`), 'utf8'), 'd\n');
    assert.match(fs.readFileSync(path.join(root, 'init'), 'utf8'), /^#!\/bin\/sh\nexec \/usr\/lib\/bootc-ephemeral\/init "\$@"\n$/);
    assert.equal(image.subarray(image.length - 'PAYLOAD'.length).toString(), 'PAYLOAD');
    assert.equal((image.length - 'PAYLOAD'.length) % 4, 0, 'our payload starts 4-aligned');
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
  // the image's initramfs: as before, one file then ours
  const theirs = initramfsPlanFiles('/state/plan', ['/usr/bin/cat'], { image: 'no busybox' }, { path: `${DIR}/initramfs.img`, bytes: 9 }, Buffer.from('P'));
  assert.match(String(theirs.files.find((f) => f.path.endsWith('000-initramfs.proc'))!.content), new RegExp(`arg /run/source-image${DIR}/initramfs.img\narg /run/bootc-ephemeral/initramfs-append.cpio\n$`));
  assert.equal(String(theirs.files.find((f) => f.path.endsWith('initramfs.txt'))!.content), 'image: no busybox\n');
  assert.equal(theirs.bytes, 9 + 3 + 1);
  assert.equal(streamedCpio([], []).length, 1, 'no files: one piece, the trailer');
  assert.equal(ownInitramfsParts(own).pieces.length, 4);
});

test('the guest init in our initramfs: busybox\'s switch_root, no image /init to fall back to: it says why (the boot watch reads it) and waits', () => {
  const own = guestInitScript('rootfs', '', true);
  const theirs = guestInitScript('rootfs');
  assert.doesNotMatch(own + theirs, /@[A-Z_]+@/, 'every placeholder filled');
  assert.match(own, /^own_initramfs=1$/m);
  assert.match(theirs, /^own_initramfs=$/m);
  assert.match(own, /<2>bootc-ephemeral-init: \$failed; the engine.s initramfs gave up/);
  assert.match(own, /mount -o move \$m \/sysroot\$m/, "busybox's switch_root moves no mounts: our init moves them");
  const console = '[ 1.7] bootc-ephemeral-init: modprobe -a virtio_pci virtiofs overlay failed (exit 1); the engine\'s initramfs gave up (--karg rdinit=/init boots the image\'s own)\n';
  assert.equal(bootFailureOf(console), 'the engine\'s initramfs could not boot the image (modprobe -a virtio_pci virtiofs overlay failed (exit 1); the engine\'s initramfs gave up (--karg rdinit=/init boots the image\'s own))');
});

test('over a podman connection the host\'s busybox is judged from a probe\'s output (size, od of its head, --list): the same decision', (t) => {
  assert.equal(parseBusyboxProbe('12\nzz\n'), undefined, 'not hex');
  assert.equal(parseBusyboxProbe(''), undefined);
  const listed = new Map([['/usr/bin/busybox', { type: 'x' as const, real: '/usr/bin/busybox' }]]);
  const head = elf(62, [1]);
  const facts = parseBusyboxProbe(`  ${head.length + 5}\n${head.toString('hex')}\n${BUSYBOX_APPLETS.join('\n')}\n`);
  assert.deepEqual(findStaticBusybox(listedFileView(listed, new Map(), { path: '/usr/bin/busybox', facts: facts! }) as never), { path: '/usr/bin/busybox', bytes: head.length + 5, arch: 'amd64' });
  assert.equal(findStaticBusybox(listedFileView(listed, new Map()) as never), undefined, 'no probe output: none');
  // the probe's script, run here on this host's busybox
  if (!fs.existsSync('/usr/bin/busybox')) return t.skip('no busybox here');
  const script = spawnSync('sh', ['-c', BUSYBOX_SCRIPT, 'sh', '/usr/bin/busybox'], { encoding: 'utf8' });
  const real = parseBusyboxProbe(script.stdout);
  assert.equal(real?.size, fs.statSync('/usr/bin/busybox').size);
  assert.deepEqual(real?.head, fs.readFileSync('/usr/bin/busybox').subarray(0, 4096));
});
