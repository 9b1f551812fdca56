import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { until, activateExtension, sleep } from '../vscode/helpers';
import type { ExtensionApi } from '../../src/vscode/extension';
import { findVm, removeVm } from '../../src/engine/vm/vms';
import { waitForSsh } from '../../src/engine/guest/ready';
import { execCollect } from '../../src/engine/guest/ssh';

// Two workspace folders, a/app and b/app: the same folder name, each with its own configuration "dev".
describe('a multi-root workspace whose two folders are both named "app"', function () {
  this.timeout(600_000);
  let api: ExtensionApi;
  const folders = () => vscode.workspace.workspaceFolders!;
  const yamlOf = (f: vscode.WorkspaceFolder) => path.join(f.uri.fsPath, '.vscode', 'bootc-ephemeral.yaml');

  before(async () => {
    api = await activateExtension();
    await until('both folders\' configurations', () => (api.services.configs.all().length === 2 ? true : undefined), 20_000);
  });

  it('configurations are told apart by folder: each folder\'s "dev", and a task for each', async () => {
    const [a, b] = folders();
    assert.deepEqual([a.name, b.name], ['app', 'app']);
    assert.equal(api.services.configs.find('dev', a)?.input.memory, '1536M');
    assert.equal(api.services.configs.find('dev', b)?.input.memory, '1280M');
    const tasks = await vscode.tasks.fetchTasks({ type: 'bootc-ephemeral' });
    assert.deepEqual(tasks.map((t) => [(t.scope as vscode.WorkspaceFolder).uri.fsPath, t.name]), [[a.uri.fsPath, 'boot dev'], [b.uri.fsPath, 'boot dev']]);
  });

  it('the task of folder b boots b\'s "dev" (its memory), and Terminate Task removes it', async () => {
    const [, b] = folders();
    const task = (await vscode.tasks.fetchTasks({ type: 'bootc-ephemeral' })).find((t) => (t.scope as vscode.WorkspaceFolder).uri.fsPath === b.uri.fsPath)!;
    const execution = await vscode.tasks.executeTask(task);
    try {
      // the container carries its options from the start: no need to wait for the boot
      const vm = await until('a "dev" VM', async () => (await api.services.tree.refresh()).find((v) => /^dev-[0-9a-f]{4}$/.test(v.name)), 120_000, 500);
      assert.equal(vm.options?.memoryMiB, 1280, 'b\'s configuration, not a\'s (1536)');
    } finally {
      execution.terminate();
    }
    await until('the VM removed', async () => ((await api.services.tree.refresh()).some((v) => /^dev-/.test(v.name)) ? undefined : true), 60_000, 500);
  });

  it('Add Configuration asks which folder (the active file\'s first) and writes to that folder\'s file only', async () => {
    const [a, b] = folders();
    const before = [fs.readFileSync(yamlOf(a), 'utf8'), fs.readFileSync(yamlOf(b), 'utf8')];
    await vscode.window.showTextDocument(vscode.Uri.file(path.join(b.uri.fsPath, 'where.txt')));
    const saved = vscode.commands.executeCommand<vscode.Uri>('bootcEphemeral.addConfiguration', { name: 'extra', image: 'localhost/bootc-sample:latest' });
    await sleep(1_500); // the folder quick pick opens; its first item is the active file's folder
    await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    try {
      assert.equal((await saved)?.fsPath, yamlOf(b));
      assert.match(fs.readFileSync(yamlOf(b), 'utf8'), /name: extra/);
      assert.equal(fs.readFileSync(yamlOf(a), 'utf8'), before[0], 'folder a\'s file is untouched');
      await until('b\'s "extra" listed', () => (api.services.configs.find('extra', b) && !api.services.configs.find('extra', a) ? true : undefined), 10_000);
    } finally {
      fs.writeFileSync(yamlOf(b), before[1]);
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    }
  });

  it('a boot binds both folders, as app and app-2, each its own folder in the guest', async () => {
    const name = await api.boot({ image: 'localhost/bootc-sample:latest' });
    assert.ok(name, 'the boot finished');
    try {
      const { client } = await waitForSsh(api.services.podman(), name);
      try {
        const r = await execCollect(client, 'cat /run/virtiofs-mnt-app/where.txt /run/virtiofs-mnt-app-2/where.txt');
        assert.equal(r.stdout, 'a\nb\n');
      } finally {
        client.end();
      }
    } finally {
      for (const t of vscode.window.terminals) t.dispose();
      await removeVm(api.services.podman(), await findVm(api.services.podman(), name));
    }
  });
});
