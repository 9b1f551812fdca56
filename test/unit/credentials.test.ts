import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readCredentials, MAX_CREDENTIAL_BYTES } from '../../src/engine/vm/credentials';
import { fitsFwCfg, guestCredentialFiles } from '../../src/engine/plan/credentialFiles';
import { imageRunsIgnition, readIgnitionConfig, MAX_IGNITION_BYTES } from '../../src/engine/vm/ignition';
import { buildKernelArgs } from '../../src/engine/plan/kernelArgs';
import { parseRunOptions } from '../../src/engine/options/runOptions';
import { InvalidOptionsError } from '../../src/engine/errors';
import { fakeProbe } from './helpers';

test('credential files are read at launch: a regular file within the size; a FIFO or a folder refused without blocking', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'creds-'));
  try {
    fs.writeFileSync(path.join(dir, 'token'), 'abc');
    fs.writeFileSync(path.join(dir, 'big'), Buffer.alloc(MAX_CREDENTIAL_BYTES + 1));
    execFileSync('mkfifo', [path.join(dir, 'fifo')]);
    assert.deepEqual(readCredentials([{ name: 'v', value: 'x y' }, { name: 't', file: path.join(dir, 'token') }]).map((k) => [k.name, String(k.data)]), [['v', 'x y'], ['t', 'abc']]);
    assert.throws(() => readCredentials([{ name: 't', file: path.join(dir, 'big') }]), /credential t: .*big is 32769 bytes: more than 32 KiB/);
    assert.throws(() => readCredentials([{ name: 't', file: path.join(dir, 'fifo') }]), /fifo is not a regular file/);
    assert.throws(() => readCredentials([{ name: 't', file: dir }]), /is not a regular file/);
    assert.throws(() => readCredentials([{ name: 't', file: path.join(dir, 'gone') }]), /cannot read .*gone: ENOENT/);
    assert.throws(() => readCredentials([{ name: 'v', value: 'x'.repeat(MAX_CREDENTIAL_BYTES + 1) }]), /credential v is 32769 bytes/);
    const many = Array.from({ length: 5 }, (_, i) => ({ name: `c${i}`, value: 'x'.repeat(30 * 1024) }));
    assert.throws(() => readCredentials(many), /more than 128 KiB in all/);
    assert.throws(() => readCredentials([{ name: 'a.name.that.is.much.too.long.for.fw_cfg', value: 'x'.repeat(3000) }]), /travels as an SMBIOS string, which holds 2048 bytes; shorten its name/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('credential names travel on fw_cfg up to 28 characters', () => {
  assert.equal(fitsFwCfg('x'.repeat(28)), true);
  assert.equal(fitsFwCfg('x'.repeat(29)), false);
});

test('credential options: NAME=VALUE and NAME=PATH; names checked, given once, not the -K key', () => {
  const probe = fakeProbe(['/w'], ['/w/token']);
  const o = parseRunOptions({ image: 'i', credential: ['a=1', 'b='], credentialFile: ['c=/w/token'] }, probe);
  assert.deepEqual(o.credentials, [{ name: 'a', value: '1' }, { name: 'b', value: '' }, { name: 'c', file: '/w/token' }]);
  const bad = (input: object, re: RegExp) => assert.throws(() => parseRunOptions({ image: 'i', ...input }, probe), (e: InvalidOptionsError) => re.test(e.message));
  bad({ credential: ['novalue'] }, /invalid credential "novalue": use NAME=VALUE/);
  bad({ credential: ['../x=1'] }, /invalid credential/);
  bad({ credential: ['..=1'] }, /invalid credential/);
  bad({ credential: ['a=1'], credentialFile: ['a=/w/token'] }, /credential a is given twice/);
  bad({ sshKeygen: true, credential: ['ssh.authorized_keys.root=k'] }, /-K gives the VM its own ssh\.authorized_keys\.root/);
  bad({ credentialFile: ['c=/w'] }, /\/w is not a regular file/);
  bad({ credentialFile: ['c=/nope'] }, /\/nope does not exist/);
  bad({ credentialFile: ['c='] }, /use NAME=PATH/);
});

test('--ignition: a JSON Ignition config of at most 1 MiB, for an image labelled as running Ignition', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ign-'));
  try {
    const write = (name: string, text: string | Buffer) => (fs.writeFileSync(path.join(dir, name), text), path.join(dir, name));
    assert.equal(String(readIgnitionConfig(write('ok.ign', '{"ignition":{"version":"3.4.0"}}'))), '{"ignition":{"version":"3.4.0"}}');
    assert.throws(() => readIgnitionConfig(write('y.bu', 'variant: fcos\nversion: 1.5.0\n')), /--ignition .*y\.bu: not JSON .*butane/);
    assert.throws(() => readIgnitionConfig(write('n.json', '{"storage":{}}')), /no ignition\.version: not an Ignition config/);
    assert.throws(() => readIgnitionConfig(write('null.json', 'null')), /no ignition\.version/);
    assert.throws(() => readIgnitionConfig(write('big.json', Buffer.alloc(MAX_IGNITION_BYTES + 1, 32))), /more than 1 MiB/);
    execFileSync('mkfifo', [path.join(dir, 'fifo')]);
    assert.throws(() => readIgnitionConfig(path.join(dir, 'fifo')), /not a regular file/);
    assert.equal(imageRunsIgnition({ 'coreos.ignition': '1' }), true);
    assert.equal(imageRunsIgnition({ 'com.coreos.osname': 'fedora-coreos' }), true);
    assert.equal(imageRunsIgnition({ 'containers.bootc': '1' }), false);
    assert.equal(imageRunsIgnition(undefined), false);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('--ignition in the plan: served on fw_cfg as opt/com.coreos/config from a 0600 plan file, ignition.platform.id=qemu', () => {
  const options = parseRunOptions({ image: 'i', ignition: '/w/token' }, fakeProbe(['/w'], ['/w/token']));
  assert.equal(options.ignitionFile, '/w/token');
  const files = guestCredentialFiles(undefined, [], Buffer.from('{}'));
  assert.deepEqual(files.map((f) => [f.name, f.mode, f.fwCfg]), [['ignition.json', 0o600, 'opt/com.coreos/config']]);
  assert.ok(buildKernelArgs(options).includes('ignition.platform.id=qemu'));
  assert.ok(!buildKernelArgs({ ...options, ignitionFile: undefined }).includes('ignition.platform.id=qemu'));
});
