import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRunOptions } from '../../src/engine/options/runOptions';
import { InvalidOptionsError } from '../../src/engine/errors';
import { INSTANCE_TYPES } from '../../src/engine/options/instanceTypes';
import { fakeProbe } from './helpers';

const IMAGE = 'localhost/bootc-sample:latest';

function problems(fn: () => unknown) {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof InvalidOptionsError, String(e));
    return e.problems;
  }
  assert.fail('expected InvalidOptionsError');
}

test('defaults: 4G, host CPUs, auto accel, nothing else', () => {
  const o = parseRunOptions({ image: IMAGE }, fakeProbe());
  assert.equal(o.memoryMiB, 4096);
  assert.equal(o.vcpus, 2);
  assert.equal(o.accel, 'auto');
  assert.deepEqual(o.binds, []);
  assert.equal(o.sshKeygen, false);
});

test('itype table and override of memory/vcpus', () => {
  assert.deepEqual(INSTANCE_TYPES['u1.micro'], { vcpus: 1, memoryMiB: 1024 });
  assert.deepEqual(INSTANCE_TYPES['u1.2xmedium'], { vcpus: 2, memoryMiB: 4096 });
  assert.deepEqual(INSTANCE_TYPES['u1.8xlarge'], { vcpus: 32, memoryMiB: 131072 });
  assert.equal(Object.keys(INSTANCE_TYPES).length, 10);
  const o = parseRunOptions({ image: IMAGE, itype: 'u1.micro', memory: '8G', vcpus: '4' }, fakeProbe());
  assert.equal(o.memoryMiB, 1024);
  assert.equal(o.vcpus, 1);
});

test('each bad value is named with its field and value', () => {
  const p = problems(() => parseRunOptions({ image: IMAGE, memory: '4GB', itype: 'u9.huge', vcpus: '0', name: 'bad name', accel: 'xen' }, fakeProbe()));
  assert.deepEqual(p.map((x) => [x.field, x.value]), [['name', 'bad name'], ['memory', '4GB'], ['vcpus', '0'], ['itype', 'u9.huge'], ['accel', 'xen']]);
  assert.match(new InvalidOptionsError(p).message, /invalid memory "4GB"/);
});

test('memory bounds', () => {
  assert.equal(problems(() => parseRunOptions({ image: IMAGE, memory: '64M' }, fakeProbe()))[0].field, 'memory');
  assert.equal(parseRunOptions({ image: IMAGE, memory: 1536 }, fakeProbe()).memoryMiB, 1536);
});

test('image is required', () => {
  assert.equal(problems(() => parseRunOptions({}, fakeProbe()))[0].field, 'image');
  assert.equal(problems(() => parseRunOptions({ image: 'a b' }, fakeProbe()))[0].field, 'image');
});

test('binds: NAME defaults to the basename, relative paths resolve against cwd, ro-bind is read-only', () => {
  const o = parseRunOptions({ image: IMAGE, bind: ['src', '/data/x:stuff'], roBind: ['/etc/cfg'] }, fakeProbe(['/work/src', '/data/x', '/etc/cfg']));
  assert.deepEqual(o.binds, [
    { hostPath: '/work/src', name: 'src', readOnly: false },
    { hostPath: '/data/x', name: 'stuff', readOnly: false },
    { hostPath: '/etc/cfg', name: 'cfg', readOnly: true },
  ]);
});

test('binds: missing path, file, duplicate and bad NAME', () => {
  const p = problems(() =>
    parseRunOptions({ image: IMAGE, bind: ['/nope', '/f', '/a:x', '/b:x', '/a:bad/name'] }, fakeProbe(['/a', '/b'], ['/f'])),
  );
  assert.deepEqual(p.map((x) => x.value), ['/nope', '/f', '/b:x', '/a:bad/name']);
  assert.match(p[0].message, /does not exist/);
  assert.match(p[1].message, /not a directory/);
  assert.match(p[2].message, /used twice/);
});

test('SSH with any network: none (reached through the podman exec relay) and host', () => {
  assert.equal(parseRunOptions({ image: IMAGE, sshKeygen: true, network: 'none' }, fakeProbe()).network, 'none');
  assert.equal(parseRunOptions({ image: IMAGE, sshKeygen: true, network: 'host' }, fakeProbe()).network, 'host');
});

test('labels and env', () => {
  const o = parseRunOptions({ image: IMAGE, label: ['a=b', 'flag='], env: ['X=1', 'Y=a=b'] }, fakeProbe());
  assert.deepEqual(o.labels, { a: 'b', flag: '' });
  assert.deepEqual(problems(() => parseRunOptions({ image: IMAGE, label: ['k'] }, fakeProbe())).map((x) => x.field), ['label'], 'no "=": refused');
  assert.deepEqual(o.env, { X: '1', Y: 'a=b' });
  const p = problems(() => parseRunOptions({ image: IMAGE, label: ['io.bootc-ephemeral.x=1'], env: ['1X=2', 'NOVALUE'] }, fakeProbe()));
  assert.deepEqual(p.map((x) => x.field), ['label', 'env', 'env']);
});

test('disk files: must exist, NAME default output, format from suffix', () => {
  const o = parseRunOptions({ image: IMAGE, mountDiskFile: ['/d/a.img', '/d/b.qcow2:b', '/d/c:c:qcow2'] }, fakeProbe([], ['/d/a.img', '/d/b.qcow2', '/d/c']));
  assert.deepEqual(o.diskFiles, [
    { file: '/d/a.img', name: 'output', format: 'raw' },
    { file: '/d/b.qcow2', name: 'b', format: 'qcow2' },
    { file: '/d/c', name: 'c', format: 'qcow2' },
  ]);
  const p = problems(() => parseRunOptions({ image: IMAGE, mountDiskFile: ['/d/missing', '/d/a.img:swap', '/d/a.img:x:vmdk'] }, fakeProbe([], ['/d/a.img'])));
  assert.equal(p.length, 3);
  assert.match(p[0].message, /does not exist/);
});

test('swap, units dir, virtio-serial-out, execute, kargs', () => {
  const o = parseRunOptions(
    { image: IMAGE, addSwap: '1G', systemdUnits: 'units', virtioSerialOut: ['log:/tmp/out.txt'], execute: ['/bin/true'], karg: ['quiet', 'x="a b"'] },
    fakeProbe(['/work/units', '/tmp']),
  );
  assert.equal(o.swapBytes, 1024 ** 3);
  assert.equal(o.systemdUnitsDir, '/work/units');
  assert.deepEqual(o.virtioSerialOut, [{ name: 'log', file: '/tmp/out.txt' }]);
  assert.deepEqual(o.kargs, ['quiet', 'x="a b"']);
  const p = problems(() =>
    parseRunOptions({ image: IMAGE, addSwap: 'lots', systemdUnits: '/nope', virtioSerialOut: ['nofile', 'x:/nodir/f'], execute: ['a\nb'], karg: ['a b'] }, fakeProbe()),
  );
  assert.deepEqual(p.map((x) => x.field), ['systemd-units', 'add-swap', 'virtio-serial-out', 'virtio-serial-out', 'karg', 'execute']);
});

test('run options: a --virtio-serial-out port cannot take the name of one of the engine\'s own', () => {
  const p = problems(() => parseRunOptions({ image: IMAGE, virtioSerialOut: ['org.bootc-ephemeral.execute:/tmp/x'] }, fakeProbe()));
  assert.deepEqual(p.map((x) => x.field), ['virtio-serial-out']);
  assert.match(p[0].message, /^port names beginning with "org\.bootc-ephemeral\." are the engine's own$/);
  assert.equal(p[0].value, 'org.bootc-ephemeral.execute:/tmp/x');
});
