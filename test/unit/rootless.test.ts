import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { hasSubordinateRange, idMapHelpers, missingSubordinateIds, subordinateIds } from '../../src/engine/host/rootless';
import { networkFailureHint, resolveNetwork, sshRouteFor } from '../../src/engine/plan/network';
import { toVmInfo, sshTargetOf } from '../../src/engine/vm/vms';
import { vmDetails } from '../../src/engine/vm/vmDetails';
import { Podman } from '../../src/engine/podman/podman';
import { vmStatePaths } from '../../src/engine/vm/stateDir';

test('subordinate ids: a range of 65536 or more, for the user by name or uid', () => {
  const text = 'alice:100000:65536\n1002:165536:65536\nbob:231072:1000\n# comment\n';
  assert.equal(hasSubordinateRange(text, 'alice', 1001), true);
  assert.equal(hasSubordinateRange(text, 'carol', 1002), true, 'by uid');
  assert.equal(hasSubordinateRange(text, 'bob', 1003), false, 'too few ids for an image\'s users');
  assert.equal(hasSubordinateRange(text, 'dave', 1004), false);
  assert.equal(hasSubordinateRange('alice:x:65536', 'alice', 1), false, 'a malformed start');
  const files: Record<string, string> = { '/etc/subuid': 'alice:100000:65536\n', '/etc/subgid': '' };
  // the gid range missing from the file: getsubids (shadow's tool) is asked next, and has none for this user either
  const ids = subordinateIds({ name: 'alice', uid: 1001 }, (p) => files[p] ?? '');
  assert.equal(ids.uids, true);
  assert.equal(missingSubordinateIds('alice', { uids: true, gids: false }), 'alice has no subordinate id range in /etc/subgid: rootless podman cannot map the image\'s files into a user namespace');
  assert.match(missingSubordinateIds('alice', { uids: false, gids: false })!, /in \/etc\/subuid and \/etc\/subgid/);
  assert.equal(missingSubordinateIds('alice', { uids: true, gids: true }), undefined);
  assert.deepEqual(idMapHelpers((p) => p === '/usr/bin/newuidmap'), { ok: false, missing: ['newgidmap'] });
});

test('network: rootless without /dev/net/tun gets none with a warning; SSH goes through the relay unless rootful podman can publish', () => {
  const local = { remote: false, rootless: false };
  assert.deepEqual(resolveNetwork(undefined, local), {}, 'rootful: podman\'s default');
  assert.deepEqual(resolveNetwork(undefined, { ...local, rootless: true, tunUsable: true }), {}, 'rootless with tun: slirp4netns or pasta');
  const none = resolveNetwork(undefined, { ...local, rootless: true, tunUsable: false });
  assert.equal(none.network, 'none');
  assert.match(none.warning!, /\/dev\/net\/tun .*--network none: SSH works.*chmod 0666 \/dev\/net\/tun/);
  assert.deepEqual(resolveNetwork('slirp4netns', { ...local, rootless: true, tunUsable: false }), { network: 'slirp4netns' }, 'what the user asked for stands');
  assert.deepEqual(resolveNetwork(undefined, { remote: true, rootless: true }), {}, 'a remote rootless host is not judged from here');
  assert.equal(sshRouteFor(undefined, local), 'published');
  assert.equal(sshRouteFor('none', local), 'relay');
  assert.equal(sshRouteFor(undefined, { ...local, rootless: true }), 'relay');
  assert.equal(sshRouteFor(undefined, { remote: true, rootless: false }), 'relay');
  assert.equal(sshRouteFor('host', { ...local, rootless: true }), 'host-port');
  assert.match(networkFailureHint('/usr/bin/slirp4netns failed: "open(\\"/dev/net/tun\\"): Permission denied"')!, /--network none/);
  assert.equal(networkFailureHint('some other failure'), undefined);
});

test('a VM without a port on this host is reached through its container: ssh target, ssh-config, inspect', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bce-relay-'));
  try {
    const p = vmStatePaths(path.join(dir, 'vm1'));
    fs.mkdirSync(p.ssh, { recursive: true });
    fs.writeFileSync(p.clientKey, 'KEY');
    fs.writeFileSync(p.guestHostKey, 'ssh-ed25519 AAAA host\n');
    const entry = { Id: 'c0ffee1234567890', Names: ['vm1'], Image: 'localhost/bootc-ephemeral-root:0123456789ab', ImageID: 'a'.repeat(64), Created: 10, State: 'running', Labels: { 'io.bootc-ephemeral': '1', 'io.bootc-ephemeral.ssh': '1' }, Ports: [] };
    const vm = toVmInfo(entry, () => true, dir)!;
    assert.equal(vm.sshPort, undefined);
    assert.equal(vm.sshRelay, true);
    const podman = new Podman('podman');
    const target = sshTargetOf(vm, podman);
    assert.equal(typeof target.openStream, 'function', 'a podman exec relay, not an address');
    assert.match(target.host, /vm1 \(through local\)/);
    assert.deepEqual((vmDetails(vm, '', podman).ssh as { through: string }).through, 'podman exec relay in the VM container (local)');
    const stopped = toVmInfo({ ...entry, State: 'exited' }, () => false, dir)!;
    assert.equal(stopped.sshRelay, false);
    assert.throws(() => sshTargetOf(stopped, podman), /vm1 is not running/);
    const published = toVmInfo({ ...entry, Ports: [{ host_ip: '127.0.0.1', container_port: 2222, host_port: 40001, protocol: 'tcp' }] }, () => true, dir)!;
    assert.equal(published.sshRelay, false);
    assert.equal(sshTargetOf(published, podman).port, 40001);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
