import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import * as vscode from 'vscode';
import type { ExtensionApi } from '../../src/vscode/extension';
import { until, activateExtension } from './helpers';

const run = promisify(execFile);

describe('the bootc-ephemeral task type', function () {
  this.timeout(300_000);
  let api: ExtensionApi;
  const ws = () => vscode.workspace.workspaceFolders![0].uri.fsPath;
  const marker = () => path.join(ws(), '.vscode', 'debuggee-ran.txt');

  before(async () => {
    api = await activateExtension();
    fs.mkdirSync(path.join(ws(), '.vscode'), { recursive: true });
    fs.writeFileSync(path.join(ws(), '.vscode', 'bootc-ephemeral.yaml'), 'version: 1\nconfigurations:\n  - name: task-vm\n    image: localhost/bootc-sample:latest\n    memory: 2G\n    bindWorkspace: off\n');
    // (an earlier suite deleted .vscode/, and a watcher may miss the re-created folder: read it now)
    await api.services.configs.reload();
    await until('the configuration', () => api.services.configs.find('task-vm'), 10_000);
    await vscode.workspace.getConfiguration('bootcEphemeral').update('openSshTerminalWhenReady', false, vscode.ConfigurationTarget.Global);
  });

  after(async () => {
    await vscode.workspace.getConfiguration('bootcEphemeral').update('openSshTerminalWhenReady', undefined, vscode.ConfigurationTarget.Global);
    for (const vm of api.services.tree.current().filter((v) => v.image === 'localhost/bootc-sample:latest')) await run('podman', ['rm', '-f', '-t', '0', vm.name]).catch(() => undefined);
    fs.rmSync(path.join(ws(), '.vscode'), { recursive: true, force: true });
  });

  it('offers a task per saved configuration', async () => {
    const tasks = await vscode.tasks.fetchTasks({ type: 'bootc-ephemeral' });
    assert.deepEqual(tasks.map((t) => [t.name, t.definition.configuration, t.isBackground]), [['boot task-vm', 'task-vm', true]]);
  });

  it('as a preLaunchTask: the launch starts once the VM is ready; Terminate Task removes the VM', async () => {
    const debuggee = path.join(ws(), '.vscode', 'debuggee.js');
    fs.writeFileSync(debuggee, `require('fs').writeFileSync(${JSON.stringify(marker())}, 'ran');\n`);
    const started = new Promise<void>((resolve) => {
      const d = vscode.debug.onDidStartDebugSession(() => {
        d.dispose();
        resolve();
      });
    });
    const launched = vscode.debug.startDebugging(vscode.workspace.workspaceFolders![0], {
      type: 'node', request: 'launch', name: 'after the VM', program: debuggee, preLaunchTask: 'bootc-ephemeral: boot task-vm',
    });
    await started;
    // the debug session starts only after the task's background matcher saw the VM ready
    const vms = await api.services.tree.refresh();
    // this task's VM (named after its configuration), not any other VM of the same image that may be booting
    const vm = vms.find((v) => v.name.startsWith('task-vm-') && v.podmanState === 'running');
    assert.ok(vm, 'the VM runs when the launch starts');
    assert.equal(vm.state, 'ready', 'and it is ready');
    assert.equal(await launched, true);
    await until('the debuggee to run', () => fs.existsSync(marker()) || undefined, 30_000);
    const execution = vscode.tasks.taskExecutions.find((e) => e.task.definition.type === 'bootc-ephemeral');
    assert.ok(execution, 'the task still runs (it lives as long as the VM)');
    const ended = new Promise<void>((resolve) => vscode.tasks.onDidEndTask((e) => e.execution === execution && resolve()));
    execution.terminate();
    await ended;
    await until('the VM to be removed', async () => !(await run('podman', ['ps', '-a', '--format', '{{.Names}}'])).stdout.includes(vm.name) || undefined, 20_000, 250);
  });
});
