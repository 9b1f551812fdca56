import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bootTimeline, knownHostsLine, sshConfigBlock } from '../../src/engine/vm/vmDetails';
import { parseRunOptions, toRunOptionsInput } from '../../src/engine/options/runOptions';
import { fakeProbe } from './helpers';

test('boot timeline: seconds from the kernel\'s start to each milestone, from journal timestamps', () => {
  const journal = [
    'Nov 29 23:59:58.500000 localhost kernel: Linux version 6.1.0',
    'Nov 29 23:59:59.000000 localhost systemd[1]: Running in initrd.',
    'not a journal line',
    'Nov 30 00:00:10.250000 localhost systemd[1]: Switching root.',
    'Nov 30 00:00:20.000000 localhost sshd[301]: Server listening on 0.0.0.0 port 22.',
    'Nov 30 00:00:25.500000 localhost systemd[1]: Startup finished in 4.1s (kernel) + 7.2s (initrd) + 15s (userspace) = 26.3s.',
  ].join('\n');
  assert.deepEqual(bootTimeline(journal), { initrd: 0.5, system: 11.75, sshd: 21.5, startupFinished: 27 });
  assert.deepEqual(bootTimeline(''), {});
  // booted through our guest init: its two lines mark the initrd and the switch
  const fast = [
    'Nov 30 07:43:50.000000 localhost kernel: Linux version 6.1.0',
    'Nov 30 07:43:52.500000 localhost kernel: bootc-ephemeral-init: mounting the image root (virtiofs), then starting the image\'s init',
    'Nov 30 07:43:53.250000 localhost kernel: bootc-ephemeral-init: switching to the image root',
    'Nov 30 07:44:01.000000 localhost sshd[301]: Server listening on 0.0.0.0 port 22.',
  ].join('\n');
  assert.deepEqual(bootTimeline(fast), { initrd: 2.5, system: 3.25, sshd: 11 });
});

test('ssh-config: a Host block with the key and a known_hosts pinning the guest host key to its port', () => {
  assert.equal(
    sshConfigBlock('dev', 40001, '/var/lib/bootc-ephemeral/vms/dev'),
    [
      'Host dev',
      '  HostName 127.0.0.1',
      '  Port 40001',
      '  User root',
      '  IdentityFile /var/lib/bootc-ephemeral/vms/dev/ssh/id_ed25519',
      '  IdentitiesOnly yes',
      '  UserKnownHostsFile /var/lib/bootc-ephemeral/vms/dev/ssh/known_hosts',
      '  StrictHostKeyChecking yes',
      '',
    ].join('\n'),
  );
  assert.equal(knownHostsLine(40001, 'ssh-ed25519 AAAAC3Nz host-comment\n'), '[127.0.0.1]:40001 ssh-ed25519 AAAAC3Nz\n');
});

test('options round-trip: options -> input -> options (restart boots exactly the recorded options)', () => {
  const probe = fakeProbe(['/src', '/cfg', '/units', '/tmp'], ['/d.img', '/q.qcow2']);
  const cases = [
    { image: 'localhost/x:1', memory: '1536M', vcpus: '3', bind: ['/src:work'], roBind: ['/cfg'], karg: ['quiet', 'a=b'], execute: ['/bin/true', "/bin/sh -c 'exit 3'"], sshKeygen: true, rm: true, name: 'vm1', network: 'podman', label: ['team=x', 'empty='], systemdUnits: '/units', bindStorageRo: true, addSwap: '512M', mountDiskFile: ['/d.img', '/q.qcow2:q'], virtioSerialOut: ['p:/tmp/out'], accel: 'tcg', console: true, debug: true, debugEntrypoint: 'bash -l', allowSystemBind: true },
    { image: 'localhost/y', itype: 'u1.small' },
  ];
  for (const input of cases) {
    const once = parseRunOptions(input, probe);
    assert.deepEqual(parseRunOptions(toRunOptionsInput(once), probe), once, JSON.stringify(input));
  }
});
