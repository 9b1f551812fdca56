import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { laterPhase, phaseFromGuestOutput } from '../../src/engine/guest/bootPhases';
import { progressReporter } from '../../src/cli/progress';

test('boot phases come from the guest\'s own console and journal, and only move forward', () => {
  assert.equal(phaseFromGuestOutput('', ''), 'starting');
  assert.equal(phaseFromGuestOutput('[    0.000000] Linux version 6.1.0-56-cloud-amd64 (debian-kernel@...)', ''), 'kernel');
  assert.equal(phaseFromGuestOutput('', 'Nov 29 04:01:02 localhost systemd[1]: Running in initrd.'), 'initrd');
  assert.equal(phaseFromGuestOutput('', 'x systemd[1]: Running in initrd.\ny systemd[1]: Switching root.'), 'system');
  assert.equal(phaseFromGuestOutput('Linux version 6', 'a systemd[1]: Switching root.\nb sshd[312]: Server listening on 0.0.0.0 port 22.'), 'sshd');
  // our guest init's own lines (resources/guest-init.sh), on the console or in the journal
  const init = readFileSync('resources/guest-init.sh', 'utf8');
  const [starts, switches] = [/say "(mounting the image root[^"]*)"/.exec(init)![1], /say "(switching to the image root)"/.exec(init)![1]];
  assert.equal(phaseFromGuestOutput(`[    2.5] bootc-ephemeral-init: ${starts}`, ''), 'initrd');
  assert.equal(phaseFromGuestOutput(`[    2.5] bootc-ephemeral-init: ${starts}\n[    3.4] bootc-ephemeral-init: ${switches}`, ''), 'system');
  assert.equal(phaseFromGuestOutput('', `x kernel: bootc-ephemeral-init: ${switches}`), 'system');
  assert.equal(laterPhase('sshd', 'kernel'), 'sshd');
  assert.equal(laterPhase('kernel', 'initrd'), 'initrd');
});

function fakeStream(isTTY: boolean) {
  const chunks: string[] = [];
  return { stream: { isTTY, write: (s: string) => chunks.push(s) } as unknown as NodeJS.WriteStream, chunks };
}

test('progress: one line per phase without a terminal; nothing with --quiet', () => {
  let t = 0;
  const { stream, chunks } = fakeStream(false);
  const p = progressReporter(stream, { now: () => t });
  p.phase('starting');
  t = 3_000;
  p.phase('kernel');
  p.phase('kernel');
  t = 12_400;
  p.phase('sshd');
  p.done();
  assert.deepEqual(chunks, ['bootc-ephemeral: starting the VM container (0 s)\n', 'bootc-ephemeral: kernel (3 s)\n', 'bootc-ephemeral: sshd listening (12 s)\n']);
  const quiet = fakeStream(false);
  const q = progressReporter(quiet.stream, { quiet: true });
  q.phase('kernel');
  q.done();
  assert.deepEqual(quiet.chunks, []);
});

test('progress on a terminal: one live line redrawn in place, cleared at the end', () => {
  let t = 0;
  const { stream, chunks } = fakeStream(true);
  const p = progressReporter(stream, { now: () => t });
  p.phase('initrd');
  t = 5_000;
  p.phase('system');
  p.done();
  assert.deepEqual(chunks, ['\r\x1b[Kinitrd... 0 s', '\r\x1b[Ksystem start... 5 s', '\r\x1b[K']);
});
