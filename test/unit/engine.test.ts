import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { shellQuote, remoteCommand, parseForwardSpec, exitCodeOf, generateSshKeys } from '../../src/engine/ssh';
import { toVmInfo, journalSaysReady } from '../../src/engine/vms';
import { findKernel } from '../../src/engine/kernel';
import { installTargets, readUserUnits } from '../../src/engine/userUnits';
import { virtiofsdFlavorOf, inContainer } from '../../src/engine/host';
import { collectStaleStateDirs } from '../../src/engine/stateGc';
import { generateVmName } from '../../src/engine/launch';
import { cleanStderr } from '../../src/engine/podman';

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'bootc-eph-unit-'));
}

test('remote command quoting', () => {
  assert.equal(shellQuote('plain'), 'plain');
  assert.equal(shellQuote("it's"), `'it'\\''s'`);
  assert.equal(remoteCommand(['ls -l /']), 'ls -l /');
  assert.equal(remoteCommand(['sh', '-c', 'exit 42']), `sh -c 'exit 42'`);
});

test('forward specs', () => {
  assert.deepEqual(parseForwardSpec('8080:localhost:80'), { bindAddress: '127.0.0.1', bindPort: 8080, targetHost: 'localhost', targetPort: 80 });
  assert.deepEqual(parseForwardSpec('0.0.0.0:8080:10.0.2.2:80'), { bindAddress: '0.0.0.0', bindPort: 8080, targetHost: '10.0.2.2', targetPort: 80 });
  assert.equal(parseForwardSpec('8080'), undefined);
  assert.equal(parseForwardSpec('99999:h:80'), undefined);
});

test('exit codes: status, signal, none', () => {
  assert.equal(exitCodeOf(42), 42);
  assert.equal(exitCodeOf(null, 'TERM'), 143);
  assert.equal(exitCodeOf(undefined), 255);
});

test('ssh keys are ed25519 OpenSSH keys', () => {
  const k = generateSshKeys('vm');
  assert.match(k.clientPrivate, /^-----BEGIN OPENSSH PRIVATE KEY-----/);
  assert.match(k.clientPublic, /^ssh-ed25519 AAAA\S+ bootc-ephemeral@vm$/);
  assert.match(k.hostPublic, /^ssh-ed25519 /);
  assert.notEqual(k.clientPublic, k.hostPublic);
});

test('podman ps entries become VMs; others are ignored', () => {
  const base = { Id: 'c0ffee1234567890', Names: ['vm1'], Image: 'img', Created: 10 };
  const ours = { ...base, State: 'running', Labels: { 'io.bootc-ephemeral': '1', 'io.bootc-ephemeral.ssh': '1', 'io.bootc-ephemeral.accel': 'tcg', 'io.bootc-ephemeral.options': '{"memoryMiB":1024}' }, Ports: [{ host_ip: '127.0.0.1', container_port: 2222, host_port: 40001, protocol: 'tcp' }] };
  const booting = toVmInfo(ours, () => false)!;
  assert.equal(booting.state, 'booting');
  assert.equal(booting.sshPort, 40001);
  assert.equal(booting.options?.memoryMiB, 1024);
  assert.equal(toVmInfo(ours, () => true)!.state, 'ready');
  assert.equal(toVmInfo({ ...ours, State: 'exited', ExitCode: 0 }, () => true)!.state, 'exited');
  assert.equal(toVmInfo({ ...ours, State: 'exited', ExitCode: 137 }, () => true)!.state, 'failed');
  assert.equal(toVmInfo({ ...ours, State: 'stopping' }, () => true)!.state, 'stopping');
  const bcvk = toVmInfo({ ...base, State: 'running', Labels: { 'bcvk.ephemeral': '1' } }, () => false)!;
  assert.equal(bcvk.origin, 'bcvk');
  assert.equal(toVmInfo({ ...base, State: 'running', Labels: {} }, () => true), undefined);
});

test('readiness from the journal', () => {
  assert.ok(journalSaysReady('Nov 28 12:00:00 h sshd[301]: Server listening on 0.0.0.0 port 22.', true));
  assert.ok(!journalSaysReady('Reached target multi-user.target', true));
  assert.ok(journalSaysReady('systemd[1]: Reached target multi-user.target - Multi-User System.', false));
});

test('kernel lookup: exactly one vmlinuz + initramfs.img', () => {
  const root = tmp();
  try {
    assert.throws(() => findKernel(root, 'img'), /no kernel found in image img/);
    const mod = (v: string, files: string[]) => {
      fs.mkdirSync(path.join(root, 'usr/lib/modules', v), { recursive: true });
      for (const f of files) fs.writeFileSync(path.join(root, 'usr/lib/modules', v, f), '');
    };
    mod('6.1.0', ['vmlinuz']);
    assert.throws(() => findKernel(root, 'img'), /no kernel found/);
    fs.writeFileSync(path.join(root, 'usr/lib/modules/6.1.0/initramfs.img'), '');
    assert.equal(findKernel(root, 'img').version, '6.1.0');
    mod('6.2.0', ['vmlinuz', 'initramfs.img']);
    assert.throws(() => findKernel(root, 'img'), /has 2 kernels \(6\.1\.0, 6\.2\.0\)/);
    fs.rmSync(path.join(root, 'usr/lib/modules'), { recursive: true });
    mod('6.3.0', ['6.3.0.efi']);
    assert.throws(() => findKernel(root, 'img'), /UKI-only images are not supported/);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('user units: [Install] enablement, wants links, drop-ins', () => {
  assert.deepEqual(installTargets('[Unit]\nWantedBy=no\n[Install]\nWantedBy=multi-user.target  default.target\nRequiredBy=x.target\n'), ['multi-user.target', 'default.target', 'x.target']);
  const dir = tmp();
  try {
    fs.mkdirSync(path.join(dir, 'system/default.target.wants'), { recursive: true });
    fs.mkdirSync(path.join(dir, 'system/sshd.service.d'));
    fs.writeFileSync(path.join(dir, 'system/a.service'), '[Service]\nExecStart=/bin/true\n');
    fs.writeFileSync(path.join(dir, 'system/b.mount'), '[Mount]\nWhat=x\n[Install]\nWantedBy=local-fs.target\n');
    fs.symlinkSync('../a.service', path.join(dir, 'system/default.target.wants/a.service'));
    fs.writeFileSync(path.join(dir, 'system/sshd.service.d/x.conf'), '[Service]\n');
    fs.writeFileSync(path.join(dir, 'system/README'), 'ignored');
    const r = readUserUnits(dir);
    const byName = Object.fromEntries(r.units.map((u) => [u.name, u.wantedBy]));
    assert.deepEqual(byName, { 'a.service': ['default.target'], 'b.mount': ['local-fs.target'] });
    assert.deepEqual(r.unitFiles.map((f) => f.relPath), ['sshd.service.d/x.conf']);
    fs.rmSync(path.join(dir, 'system'), { recursive: true });
    assert.throws(() => readUserUnits(dir), /no unit files/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('host helpers', () => {
  assert.equal(virtiofsdFlavorOf('Usage: virtiofsd [OPTIONS] --shared-dir <dir>'), 'rust');
  assert.equal(virtiofsdFlavorOf('-o source=PATH'), 'c');
  assert.equal(inContainer('/usr/bin/qemu-system-x86_64'), '/run/host/usr/bin/qemu-system-x86_64');
  assert.match(generateVmName('localhost/bootc-sample:latest'), /^bootc-sample-[0-9a-f]{4}$/);
  assert.match(generateVmName('My dev VM'), /^My-dev-VM-[0-9a-f]{4}$/, 'a configuration name');
  assert.match(generateVmName('quay.io/x/y@sha256:abc'), /^y-[0-9a-f]{4}$/);
  assert.equal(cleanStderr('time="x" level=warning msg="Error validating CNI config file /etc/cni/a"\nError: no such image'), 'no such image');
});

test('stale state dirs: removed when old and containerless, kept when live or young', () => {
  const root = tmp();
  try {
    for (const d of ['live', 'stale', 'young']) fs.mkdirSync(path.join(root, d));
    const old = new Date(Date.now() - 3600_000);
    fs.utimesSync(path.join(root, 'stale'), old, old);
    fs.utimesSync(path.join(root, 'live'), old, old);
    const vms = [{ stateDir: path.join(root, 'live') }] as never;
    assert.deepEqual(collectStaleStateDirs(vms, Date.now(), root), [path.join(root, 'stale')]);
    assert.deepEqual(fs.readdirSync(root).sort(), ['live', 'young']);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('podman events: only VM containers', async () => {
  const { parseVmEvent } = await import('../../src/engine/events');
  assert.deepEqual(parseVmEvent('{"Type":"container","Name":"vm1","Status":"died","Attributes":{"io.bootc-ephemeral":"1","image":"x"}}'), { name: 'vm1', status: 'died' });
  assert.deepEqual(parseVmEvent('{"Type":"container","Name":"b","Status":"start","Attributes":{"bcvk.ephemeral":"1"}}'), { name: 'b', status: 'start' });
  assert.equal(parseVmEvent('{"Type":"container","Name":"web","Status":"start","Attributes":{}}'), undefined);
  assert.equal(parseVmEvent('{"Type":"image","Name":"x","Status":"pull"}'), undefined);
  assert.equal(parseVmEvent('not json'), undefined);
});

test('command line for recorded options, ours and bcvk\'s', async () => {
  const { runCommandLine } = await import('../../src/engine/commandLine');
  const { parseRunOptions } = await import('../../src/engine/options');
  const o = parseRunOptions({ image: 'localhost/x:1', sshKeygen: true, detach: true, name: 'vm', memory: '2G', vcpus: 2, bind: ['/tmp:tmp'], karg: ['quiet'], execute: ["/bin/sh -c 'exit 3'"], accel: 'tcg' }, { kind: () => 'dir', cwd: () => '/', cpuCount: () => 2 });
  const line = runCommandLine(o);
  assert.equal(line, `bootc-ephemeral run -d -K --name vm --memory 2G --vcpus 2 --bind /tmp:tmp --karg quiet --execute '/bin/sh -c '\\''exit 3'\\''' --accel tcg localhost/x:1`);
  assert.ok(runCommandLine(o, 'bcvk').startsWith('bcvk ephemeral run -d -K'));
  assert.ok(!runCommandLine(o, 'bcvk').includes('--accel'));
  assert.equal(runCommandLine({ image: 'i', itype: 'u1.micro', memoryMiB: 1024, vcpus: 1 }), 'bootc-ephemeral run --itype u1.micro i');
});
