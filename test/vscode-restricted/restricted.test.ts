import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import * as vscode from 'vscode';
import type { ExtensionApi } from '../../src/vscode/extension';
import { until, activateExtension, EXTENSION_ID, CLI } from '../vscode/helpers';
import { bootInWorkspace } from '../../src/vscode/boot/bootFlow';

const run = promisify(execFile);
const containers = async () => (await run('podman', ['ps', '-a', '--format', '{{.Names}}'])).stdout;

describe('in a restricted (untrusted) workspace', function () {
  this.timeout(60_000);
  let api: ExtensionApi;
  const ws = () => vscode.workspace.workspaceFolders![0].uri.fsPath;

  before(async () => {
    api = await activateExtension();
    fs.mkdirSync(path.join(ws(), '.vscode'), { recursive: true });
    fs.writeFileSync(path.join(ws(), '.vscode', 'bootc-ephemeral.yaml'), 'version: 1\nconfigurations:\n  - name: untrusted\n    image: localhost/bootc-sample:latest\n');
  });

  after(() => fs.rmSync(path.join(ws(), '.vscode'), { recursive: true, force: true }));

  it('the workspace is not trusted, and the extension is active (limited support)', () => {
    assert.equal(vscode.workspace.isTrusted, false);
    assert.equal(vscode.extensions.getExtension(EXTENSION_ID)!.isActive, true);
  });

  it('Boot as Ephemeral VM on a workspace Containerfile refuses and starts nothing', async () => {
    const before = await containers();
    const result = await vscode.commands.executeCommand('bootcEphemeral.bootContainerfile', vscode.Uri.file(path.join(ws(), 'Containerfile')));
    assert.equal(result, undefined);
    // the command resolves only after its boot ends (or is refused): a boot would have made its container by now
    assert.equal(await containers(), before, 'no container was created');
  });

  it('booting a saved configuration refuses too', async () => {
    await until('the configuration', () => api.services.configs.find('untrusted'), 10_000);
    const before = await containers();
    assert.equal(await vscode.commands.executeCommand('bootcEphemeral.bootConfiguration', 'untrusted'), undefined);
    assert.equal(await containers(), before);
  });

  it('the one boot function every path uses (notification, form, tasks) refuses a workspace configuration', async () => {
    const config = await until('the configuration', () => api.services.configs.find('untrusted'), 10_000);
    const before = await containers();
    await assert.rejects(
      bootInWorkspace(api.services, { configuration: config }, { report: () => undefined, signal: new AbortController().signal }),
      /This workspace is not trusted/,
    );
    assert.equal(await containers(), before, 'no container was created');
  });

  it('the Boot entries are not offered: their when clauses require a trusted workspace', () => {
    const menus = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON.contributes.menus as Record<string, { command: string; when: string }[]>;
    const boots = Object.values(menus).flat().filter((m) => m.command === 'bootcEphemeral.bootContainerfile' || m.command === 'bootcEphemeral.bootConfiguration');
    assert.ok(boots.length >= 5);
    for (const m of boots) assert.match(m.when, /^isWorkspaceTrusted( && |$)/, m.command);
  });

  it('listing VMs still works: a VM started outside VS Code is listed', async () => {
    const name = 'restricted-listed';
    const cli = CLI;
    await run('node', [cli, 'run', '-d', '--name', name, '--memory', '1G', '--label', 'bootc-ephemeral-e2e=1', 'localhost/bootc-sample:latest']);
    try {
      await vscode.commands.executeCommand('bootcEphemeral.refresh');
      const vm = await until('the VM in the view', () => api.services.tree.current().find((v) => v.name === name), 15_000);
      assert.equal(vm.image, 'localhost/bootc-sample:latest');
      assert.equal(vm.origin, 'bootc-ephemeral');
    } finally {
      await run('node', [cli, 'rm', '-f', name]);
    }
  });
});
