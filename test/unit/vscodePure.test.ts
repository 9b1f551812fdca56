import { test } from 'node:test';
import assert from 'node:assert/strict';
import { vmItemProperties, duration } from '../../src/vscode/tree/vmItemProperties';
import { imageTagFor } from '../../src/engine/podman/build';
import { bootcImagesOf } from '../../src/engine/podman/images';
import type { VmInfo } from '../../src/engine/vm/vms';
import { exitReason } from '../../src/engine/vm/exitReason';
import { containerEndFrom, howItEnded } from '../../src/engine/vm/howItEnded';
import type { Podman } from '../../src/engine/podman/podman';
import { podmanCommands } from '../../src/engine/podman/commands';
import { panicOf } from '../../src/engine/vm/panic';
import { sshAnswers } from '../../src/engine/guest/sshProbe';
import * as net from 'node:net';

// pure pieces of the extension (no vscode import): tree item properties, image tags, image filter
const NOW = 1_700_000_000_000;
const vm: VmInfo = {
  id: 'abc', name: 'dev', image: 'localhost/bootc-sample:latest', origin: 'bootc-ephemeral', podmanState: 'running', state: 'ready',
  startedAt: NOW / 1000 - 125, ssh: true, sshPort: 40001, accel: 'tcg', labels: {},
  options: { memoryMiB: 2048, vcpus: 2, binds: [{ hostPath: '/ws', name: 'ws', readOnly: false }] },
};

test('tree item: label, description, themed icon, tooltip, context value', () => {
  const p = vmItemProperties(vm, NOW);
  assert.equal(p.label, 'dev');
  assert.equal(p.description, 'bootc-sample:latest · ready · up 2m');
  assert.deepEqual(p.icon, { id: 'vm-running', color: 'charts.green' });
  assert.match(p.tooltip, /Memory: 2G, vCPUs: 2/);
  assert.match(p.tooltip, /TCG \(software emulation\)/);
  assert.match(p.tooltip, /SSH: 127\.0\.0\.1:40001/);
  assert.match(p.tooltip, /\/ws → \/run\/virtiofs-mnt-ws/);
  assert.equal(p.contextValue, 'vm.ready.bootc-ephemeral.ssh');
  assert.equal(vmItemProperties({ ...vm, state: 'booting' }, NOW).icon.id, 'loading~spin');
  const failed = vmItemProperties({ ...vm, state: 'failed', podmanState: 'exited', exitCode: 71, ssh: false }, NOW);
  assert.equal(failed.description, 'bootc-sample:latest · failed · exit 71');
  assert.equal(failed.contextValue, 'vm.failed.bootc-ephemeral');
  assert.match(failed.tooltip, /Exit 71: a helper process failed to start/);
  assert.doesNotMatch(p.tooltip, /Exit/, 'a running VM has no exit line');
  assert.match(vmItemProperties({ ...vm, origin: 'bcvk', options: undefined, accel: undefined }, NOW).tooltip, /started by bcvk/);
  assert.equal(duration(3 * 3600 + 120), '3h 2m');
  assert.match(vmItemProperties(vm, NOW, [{ localPort: 41000, guestPort: 80 }]).tooltip, /Forwarded ports:\n\n- 127\.0\.0\.1:41000 → guest 80/);
});

test('image tag for a Containerfile: its folder name', () => {
  assert.equal(imageTagFor('/home/me/My App/Containerfile'), 'localhost/my-app-ephemeral:latest');
  assert.equal(imageTagFor('/x/web.containerfile'), 'localhost/x-ephemeral:latest');
});

test('bootc images: labelled containers.bootc=1 or ostree.bootable', () => {
  const images = bootcImagesOf([
    { Id: '1', Names: ['localhost/b:latest', 'localhost/a:latest'], Labels: { 'containers.bootc': '1' }, Size: 300e6 },
    { Id: '2', Names: ['docker.io/library/alpine:latest'], Labels: null },
    { Id: '3', Names: ['quay.io/x/os:1'], Labels: { 'ostree.bootable': 'true' } },
  ]);
  assert.deepEqual(images.map((i) => i.name), ['localhost/a:latest', 'localhost/b:latest', 'quay.io/x/os:1']);
  assert.equal(images[0].size, '300 MB');
});

test('exit reasons: the supervisor\'s codes and signals; none for a clean exit, a running VM or an --execute VM', () => {
  const failed = (exitCode: number, options: VmInfo['options'] = {}) => exitReason({ state: 'failed', exitCode, options });
  assert.match(failed(72)!, /virtiofsd\) ended, so the VM was stopped/);
  assert.match(failed(70)!, /no VM process/);
  assert.match(failed(137)!, /SIGKILL/);
  assert.match(failed(134)!, /signal 6/);
  assert.match(failed(1)!, /QEMU exited with status 1/);
  assert.match(failed(72, { execute: ['false'] })!, /--execute command's exit status/);
  assert.match(failed(3, { executeCount: 1 } as VmInfo['options'])!, /--execute command's exit status/, 'the label\'s copy counts the commands');
  assert.equal(exitReason({ state: 'failed', exitCode: 1, panic: 'sysrq triggered crash' }), 'the guest kernel panicked: sysrq triggered crash');
  assert.equal(exitReason({ state: 'exited', exitCode: 0 }), undefined);
  assert.equal(exitReason({ state: 'ready', exitCode: undefined }), undefined);
  // with the container removed (--rm) the reason does not send anyone to its logs
  assert.match(failed(72)!, /container logs/);
  assert.equal(exitReason({ state: 'failed', exitCode: 72 }, false), 'a helper process (virtiofsd) ended, so the VM was stopped');
  assert.equal(exitReason({ state: 'failed', exitCode: 1 }, false), 'QEMU exited with status 1');
});

test('how a vanished container ended: an id that is not podman\'s hex never reaches the events filter', async () => {
  const asked: unknown[] = [];
  const fake = { exec: async (c: { args: readonly string[] }) => (asked.push(c.args), []) } as unknown as Podman;
  assert.equal(await howItEnded(fake, { id: 'x,label=a', createdAt: 1 }), undefined);
  assert.deepEqual(asked, []);
  assert.equal(await howItEnded(fake, { id: 'e4e02bd30955', createdAt: 10 }), undefined, 'no died event: undefined');
  assert.deepEqual(asked, [podmanCommands.containerEventLog('e4e02bd30955', 9).args]);
});

test('how a vanished container ended, from podman\'s event log: by itself (its exit code) or on request', () => {
  // the lines as podman 4 writes them (attributes shortened; a zero exit code is left out)
  const line = (Status: string, extra: object = {}) => JSON.stringify({ ID: 'e4e0', Name: 'vm', Status, Type: 'container', Attributes: { 'io.bootc-ephemeral': '1' }, ...extra });
  const [create, start, remove] = [line('create'), line('start'), line('remove')];
  const died = (code?: unknown) => line('died', code === undefined ? {} : { ContainerExitCode: code });
  // ended by itself: a helper died (72), QEMU failed (1), killed outright (137: maybe the OOM killer)
  assert.deepEqual(containerEndFrom([create, start, died(72), remove]), { requested: false, exitCode: 72 });
  assert.deepEqual(containerEndFrom([start, died(1), remove]), { requested: false, exitCode: 1 });
  assert.deepEqual(containerEndFrom([start, died(137)]), { requested: false, exitCode: 137 });
  // on request: `podman rm -f` logs no stop event, but QEMU exits 0 on SIGTERM, the supervisor 128 + the signal
  assert.deepEqual(containerEndFrom([create, start, died(), remove]), { requested: true, exitCode: 0 });
  assert.deepEqual(containerEndFrom([start, died(143), remove]), { requested: true, exitCode: 143 });
  assert.deepEqual(containerEndFrom([start, died(130)]), { requested: true, exitCode: 130 });
  assert.deepEqual(containerEndFrom([start, line('stop'), died(1), remove]), { requested: true, exitCode: 1 });
  assert.deepEqual(containerEndFrom([start, line('kill'), died(137)]), { requested: true, exitCode: 137 });
  // no exit code podman could not have written, no end without a died event, no trust in junk lines
  assert.deepEqual(containerEndFrom([start, died('72; rm -rf /')]), { requested: false, exitCode: undefined });
  assert.deepEqual(containerEndFrom([start, died(999)]), { requested: false, exitCode: undefined });
  assert.equal(containerEndFrom([create, start, remove]), undefined);
  assert.equal(containerEndFrom(['not json', '']), undefined);
  // the command: one container, since a time, never streaming
  assert.deepEqual(podmanCommands.containerEventLog('e4e0', 1764453077.9).args, ['events', '--stream=false', '--format', 'json', '--filter', 'type=container', '--filter', 'container=e4e0', '--since', '1764453077']);
});

test('panic line from a console log: the message, reduced to plain characters', () => {
  assert.equal(panicOf('[ 12.3] sysrq: Trigger a crash\r\n[ 12.4] Kernel panic - not syncing: sysrq triggered crash\r\n[ 12.5] CPU: 0'), 'sysrq triggered crash');
  assert.equal(panicOf('Kernel panic - not syncing: VFS: Unable to mount root fs on unknown-block(0,0)'), 'VFS: Unable to mount root fs on unknown-block(0,0)');
  assert.equal(panicOf('Kernel panic - not syncing: [evil](command:x) \x1b]52;c;AAAA\x07 `code`'), 'evil(command:x) 52;c;AAAA code');
  assert.equal(panicOf('Reached target multi-user.target'), undefined);
});

test('sshd liveness: a greeting counts, a silent or closed port does not', async () => {
  const serve = (onConnection: (s: net.Socket) => void) => new Promise<net.Server>((r) => {
    const server = net.createServer(onConnection).listen(0, '127.0.0.1', () => r(server));
  });
  const portOf = (s: net.Server) => (s.address() as net.AddressInfo).port;
  const greeting = await serve((s) => s.write('SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n'));
  const silent = await serve(() => undefined); // what a hung QEMU looks like: the connection is taken, nothing comes
  const closing = await serve((s) => s.destroy()); // QEMU's user network when the guest's sshd is gone
  try {
    assert.equal(await sshAnswers(portOf(greeting)), true);
    const t0 = Date.now();
    assert.equal(await sshAnswers(portOf(silent), 300), false);
    assert.ok(Date.now() - t0 < 2_000, 'gave up at its deadline');
    assert.equal(await sshAnswers(portOf(closing)), false);
  } finally {
    for (const s of [greeting, silent, closing]) s.close();
  }
  const unused = await serve(() => undefined);
  const port = portOf(unused);
  await new Promise((r) => unused.close(r));
  assert.equal(await sshAnswers(port), false, 'nothing listening');
  assert.equal(await sshAnswers(Number('not-a-port')), false, 'a forged label\'s port is no answer, not a crash');
  assert.equal(await sshAnswers(70000), false);
});

test('workspace binds: every folder once, same-named folders get distinct mount names, options win', async () => {
  const { vmRunInput, mountNameFor } = await import('../../src/vscode/boot/workspaceBinds');
  const { parseRunOptions } = await import('../../src/engine/options/runOptions');
  const { fakeProbe } = await import('./helpers');
  const folder = (fsPath: string) => ({ name: fsPath.split('/').pop()!, uri: { fsPath } });
  const folders = [folder('/a/app'), folder('/b/app'), folder('/c/app'), folder('/d/My Project!')];
  const input = vmRunInput({ image: 'localhost/x' }, 'rw', folders);
  assert.deepEqual(input.bind, ['/a/app:app', '/b/app:app-2', '/c/app:app-3', '/d/My Project!:My-Project-']);
  assert.deepEqual(input.roBind, []);
  // the validator takes them (distinct names): the collision used to fail the boot
  const parsed = parseRunOptions(input, fakeProbe(folders.map((f) => f.uri.fsPath)));
  assert.deepEqual(parsed.binds.map((b) => b.name), ['app', 'app-2', 'app-3', 'My-Project-']);
  // a folder the configuration binds itself is not bound again; a name it uses is not reused
  const withOwn = vmRunInput({ image: 'localhost/x', bind: ['/a/app:src'], roBind: ['/elsewhere:app'] }, 'ro', folders.slice(0, 2));
  assert.deepEqual(withOwn.bind, ['/a/app:src']);
  assert.deepEqual(withOwn.roBind, ['/elsewhere:app', '/b/app:app-2']);
  // long names keep within the validator's 30 characters with their suffix
  const long = 'x'.repeat(40);
  assert.deepEqual(vmRunInput({ image: 'i' }, 'rw', [folder(`/1/${long}`), folder(`/2/${long}`)]).bind!.map((b) => b.split(':')[1]), ['x'.repeat(30), `${'x'.repeat(28)}-2`]);
  assert.equal(mountNameFor('...'), 'workspace');
  assert.deepEqual(vmRunInput({ image: 'i' }, 'off', folders).bind, []);
});

test('container stats: podman\'s JSON read defensively; the tooltip line', async () => {
  const { parseStats } = await import('../../src/engine/podman/stats');
  const { statsLine } = await import('../../src/vscode/tree/vmItemProperties');
  const [s, ...rest] = parseStats([
    { id: '5babbd2331f7', cpu_percent: '115.97%', mem_usage: '450.8MB / 25.28GB', mem_percent: '1.78%', pids: '15' },
    { id: '../etc', cpu_percent: '1%' }, // not an id: dropped
    { id: 'abcdefabcdef', cpu_percent: 'lots', mem_usage: '<b>x</b>', mem_percent: 7, pids: 'many' }, // odd fields: unknown
  ]);
  assert.deepEqual(s, { id: '5babbd2331f7', cpuPercent: 115.97, memoryUsage: '450.8MB / 25.28GB', memoryPercent: 1.78, processes: 15 });
  assert.deepEqual(rest, [{ id: 'abcdefabcdef', cpuPercent: undefined, memoryUsage: '?', memoryPercent: undefined, processes: undefined }]);
  assert.equal(statsLine(s), 'CPU 116.0 % · memory 450.8MB / 25.28GB (1.8 %) · 15 processes');
  assert.equal(statsLine(rest[0]), 'CPU ? · memory ?');
  // in the tooltip of a running VM (made on hover)
  assert.match(vmItemProperties(vm, NOW, [], s).tooltip, /Now: CPU 116\.0 % · memory 450\.8MB/);
  assert.doesNotMatch(vmItemProperties(vm, NOW).tooltip, /Now:/);
});

test('boot timeline page: phases, the chain and the slowest units as SVG; escaped; no script, no inline style', async () => {
  const { bootTimelineHtml } = await import('../../src/vscode/webview/bootTimelineHtml');
  const html = bootTimelineHtml('dev<1>', {
    phases: { kernel: 5.1, initrd: 12, userspace: 16.2, total: 33.3 },
    criticalChain: [
      { unit: 'sshd.service', depth: 0, activatedAt: 15.21, took: 1.032 },
      { unit: 'network.target', depth: 1, activatedAt: 14.893 },
      { unit: 'systemd-networkd.service', depth: 2, activatedAt: 10.738, took: 4.15 },
    ],
    slowest: [{ unit: 'systemd-networkd.service', took: 4.15 }],
  }, 'NONCE', 'vscode-resource:');
  assert.match(html, /Boot timeline: dev&#60;1&#62;/);
  assert.doesNotMatch(html, /dev<1>/);
  assert.match(html, /<rect class="kernel" x="0\.0" y="0" width="98\.0"/); // 5.1 of 33.3 s of 640 px
  assert.match(html, /= <b>33\.3 s<\/b>/);
  // the chain earliest first: networkd, then network.target, then sshd
  const order = ['systemd-networkd.service', 'network.target', 'sshd.service'].map((u) => html.indexOf(`class="unit">${u}</text>`));
  assert.ok(order.every((i, k) => i > 0 && (k === 0 || i > order[k - 1])), String(order));
  assert.match(html, /@15\.2 s \+1\.03 s/);
  // when SSH became possible, against the start-up: the chain's first unit active 15.21 s into userspace (5.1 + 12 + 15.21 s)
  assert.match(html, /<rect class="ssh" x="621\.0" y="0" width="3" height="36"><title>SSH possible at 32\.3 s<\/title>/);
  assert.match(html, /SSH possible at 32\.3 s: 0\.99 s before the guest&#39;s start-up finished\./);
  const late = bootTimelineHtml('x', { phases: { kernel: 1, userspace: 2, total: 3 }, criticalChain: [{ unit: 'sshd.service', depth: 0, activatedAt: 2.5 }], slowest: [] }, 'N', 's');
  assert.match(late, /SSH possible at 3\.50 s, once the guest&#39;s start-up had finished\./);
  assert.doesNotMatch(late, /class="ssh"/, 'no mark past the bar');
  assert.doesNotMatch(html, /<script|style="/);
  assert.match(html, /<style nonce="NONCE">/);
  assert.match(html, /default-src 'none'/);
  // nothing to show: said so, not an empty chart
  assert.match(bootTimelineHtml('x', { phases: {}, criticalChain: [], slowest: [], notFinished: true }, 'N', 's'), /has not finished starting up yet[\s\S]*did not report its start-up time[\s\S]*no chain for the unit SSH waited for/);
});

test('page head: a CSP of default-src none, the page\'s own sources and the nonce\'d style; the base style', async () => {
  const { pageHead } = await import('../../src/vscode/webview/pageHead');
  const head = pageHead({ nonce: 'N1', cspSource: 'vscode-webview:', csp: "script-src 'nonce-N1'", style: '  .x { color: red; }' });
  assert.match(head, /content="default-src 'none'; script-src 'nonce-N1'; style-src vscode-webview: 'nonce-N1';"/);
  assert.match(head, /<style nonce="N1">\n {2}body \{[^\n]+\n {2}h1 \{[^\n]+\n {2}\.x \{ color: red; \}\n<\/style><\/head>$/);
  assert.match(pageHead({ nonce: 'N2', cspSource: 's', style: '' }), /content="default-src 'none'; style-src s 'nonce-N2';"/);
});

test('view refreshes run one at a time; a refresh asked for during one sees a listing started after it', async () => {
  const { serialRefresh } = await import('../../src/vscode/tree/serialRefresh');
  let started = 0;
  const release: Array<() => void> = [];
  const refresh = serialRefresh(() => {
    const n = ++started;
    return new Promise<number>((resolve) => release.push(() => resolve(n)));
  });
  const first = refresh();
  const second = refresh();
  const third = refresh();
  assert.equal(started, 1, 'no second listing while one runs');
  release.shift()!();
  assert.equal(await first, 1);
  assert.equal(second, third, 'callers during a listing share the next one');
  await new Promise((r) => setImmediate(r));
  assert.equal(started, 2);
  release.shift()!();
  assert.equal(await second, 2, 'the later call gets the later listing, never the older one');
  const failing = serialRefresh(async () => { throw new Error('podman gone'); });
  await assert.rejects(failing(), /podman gone/);
  await assert.rejects(failing(), /podman gone/, 'a failed listing does not block the next');
});
