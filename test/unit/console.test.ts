import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { backlogOf, consoleSocketPath, connectConsole } from '../../src/engine/guest/console';
import { readConsoleBacklog } from '../../src/engine/vm/transport';
import type { Podman } from '../../src/engine/podman/podman';
import { vmStatePaths } from '../../src/engine/vm/stateDir';
import type { VmInfo } from '../../src/engine/vm/vms';

const vmIn = (stateDir: string | undefined, podmanState = 'running'): VmInfo =>
  ({ id: 'x', name: 'vm1', image: 'i', origin: 'bootc-ephemeral', podmanState, state: 'ready', ssh: true, labels: {}, stateDir }) as VmInfo;

test('console backlog: the end of the log, starting on a line boundary', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'console-'));
  try {
    const p = vmStatePaths(dir);
    fs.mkdirSync(p.logs);
    fs.writeFileSync(p.consoleLog, 'first line\nsecond line\nlogin: ');
    const local = { remote: false } as Podman;
    assert.equal((await readConsoleBacklog(local, vmIn(dir))).toString(), 'first line\nsecond line\nlogin: ', 'short logs whole');
    assert.equal(backlogOf(fs.readFileSync(p.consoleLog), 15).toString(), 'login: ', 'cut after the first newline in the window');
    // a capped log: the backlog comes from its newest segment
    fs.writeFileSync(`${p.consoleLog}.7`, 'old\n');
    fs.writeFileSync(`${p.consoleLog}.8`, 'newest line\n# ');
    assert.equal((await readConsoleBacklog(local, vmIn(dir))).toString(), 'old\nnewest line\n# ', 'the newest segments, in order, never the head across a drop');
    fs.renameSync(`${p.consoleLog}.7`, `${p.consoleLog}.1`);
    fs.renameSync(`${p.consoleLog}.8`, `${p.consoleLog}.2`);
    assert.equal((await readConsoleBacklog(local, vmIn(dir))).toString(), 'first line\nsecond line\nlogin: old\nnewest line\n# ', 'nothing dropped: the head, then the segments');
    assert.equal((await readConsoleBacklog(local, vmIn(undefined))).length, 0);
  } finally {
    fs.rmSync(dir, { recursive: true });
  }
});

test('console socket: a clear error when there is none; connects when there is', async () => {
  assert.throws(() => consoleSocketPath(vmIn(undefined)), /vm1 was not started by bootc-ephemeral/);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'console-'));
  const server = net.createServer((s) => s.end('hello'));
  try {
    assert.throws(() => consoleSocketPath(vmIn(dir)), (e: Error & { details?: { hint?: string } }) => /has no console socket/.test(e.message) && /--console/.test(e.details!.hint!));
    fs.mkdirSync(vmStatePaths(dir).consoleDir);
    await new Promise<void>((r) => server.listen(vmStatePaths(dir).consoleSocket, r));
    const socket = await connectConsole(consoleSocketPath(vmIn(dir)));
    const got = await new Promise<string>((r) => socket.once('data', (d) => r(d.toString())));
    assert.equal(got, 'hello');
    socket.destroy();
    await assert.rejects(connectConsole(path.join(dir, 'nope.sock')), /cannot connect to the console at .*nope\.sock/);
  } finally {
    server.close();
    fs.rmSync(dir, { recursive: true });
  }
});
