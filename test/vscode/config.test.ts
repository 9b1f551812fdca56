import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import * as vscode from 'vscode';
import { until, activateExtension } from './helpers';
import type { ExtensionApi } from '../../src/vscode/extension';
import { waitForSsh } from '../../src/engine/guest/ready';
import { execCollect } from '../../src/engine/guest/ssh';
import { bootInWorkspace } from '../../src/vscode/boot/bootFlow';

const run = promisify(execFile);

describe('saved configurations (.vscode/bootc-ephemeral.yaml)', function () {
  this.timeout(300_000);
  let api: ExtensionApi;
  const ws = () => vscode.workspace.workspaceFolders![0].uri.fsPath;
  const file = () => path.join(ws(), '.vscode', 'bootc-ephemeral.yaml');
  const dataDir = () => path.join(ws(), '.vscode', 'cfg-data');
  let vmName = '';

  before(async () => {
    api = await activateExtension();
    fs.mkdirSync(dataDir(), { recursive: true });
    fs.writeFileSync(path.join(dataDir(), 'hello.txt'), 'from a configured bind\n');
  });

  after(async () => {
    if (vmName) await run('podman', ['rm', '-f', '-t', '0', vmName]).catch(() => undefined);
    fs.rmSync(path.join(ws(), '.vscode'), { recursive: true, force: true });
  });

  it('a file written by hand shows in the Configurations view at once', async () => {
    fs.writeFileSync(file(), '# our team VMs: keep this comment\nversion: 1\nconfigurations:\n  - name: by-hand # typed in an editor\n    image: localhost/bootc-sample:latest\n    memory: 2G\n');
    await until('the configuration in the view', () => api.services.configs.find('by-hand'), 10_000);
  });

  it('Add Configuration writes the YAML and keeps the user\'s comments', async () => {
    await vscode.commands.executeCommand('bootcEphemeral.addConfiguration', {
      name: 'with-bind',
      image: 'localhost/bootc-sample:latest',
      memory: '2G',
      bind: ['${workspaceFolder}/.vscode/cfg-data:cfgdata'],
      karg: ['bootc.config.test=42'],
      bindWorkspace: 'off',
    });
    const text = fs.readFileSync(file(), 'utf8');
    assert.ok(text.startsWith('# our team VMs: keep this comment\nversion: 1\nconfigurations:\n  - name: by-hand # typed in an editor\n'), text);
    assert.match(text, / {2}- name: with-bind\n {4}image: localhost\/bootc-sample:latest\n {4}memory: 2G\n {4}bind:\n {6}- \$\{workspaceFolder\}\/\.vscode\/cfg-data:cfgdata\n/);
    await until('both in the view', () => (api.services.configs.all().length === 2 ? true : undefined), 10_000);
  });

  it('an invalid value gets a diagnostic on its own line', async () => {
    const doc = await vscode.workspace.openTextDocument(file());
    const editor = await vscode.window.showTextDocument(doc);
    const line = doc.lineAt(5); // "    memory: 2G" of by-hand
    assert.equal(line.text, '    memory: 2G');
    await editor.edit((e) => e.replace(line.range, '    memory: 4GB'));
    const diag = await until('a diagnostic', () => vscode.languages.getDiagnostics(doc.uri).find((d) => d.source === 'bootc-ephemeral'), 10_000);
    assert.equal(diag.range.start.line, 5);
    assert.match(diag.message, /memory: "4GB": use a number with an optional G, M or K suffix/);
    await editor.edit((e) => e.replace(doc.lineAt(5).range, '    memory: 2G'));
    await until('the diagnostic to go', () => (vscode.languages.getDiagnostics(doc.uri).length === 0 ? true : undefined), 10_000);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  it('a configuration with problems does not boot: the error names them, no container is made', async () => {
    fs.appendFileSync(file(), '  - name: broken\n    image: localhost/bootc-sample:latest\n    memory: 2 G\n    bind: ["${env:BOOTC_EPHEMERAL_UNSET_FOR_TEST}:x"]\n');
    const broken = await until('the broken configuration', () => api.services.configs.find('broken'), 10_000);
    assert.ok(broken.problems.some((p) => /memory/.test(p)) && broken.problems.some((p) => /cannot be resolved/.test(p)), broken.problems.join('\n'));
    const before = (await run('podman', ['ps', '-a', '--format', '{{.Names}}'])).stdout;
    // the command (what a click runs) and the shared boot function (what tasks and the form use)
    assert.equal(await vscode.commands.executeCommand('bootcEphemeral.bootConfiguration', 'broken'), undefined);
    await assert.rejects(
      bootInWorkspace(api.services, { configuration: broken }, { report: () => undefined, signal: new AbortController().signal }),
      /Configuration "broken" has problems, so it does not boot: .*memory: "2 G".*BOOTC_EPHEMERAL_UNSET_FOR_TEST/,
    );
    assert.equal((await run('podman', ['ps', '-a', '--format', '{{.Names}}'])).stdout, before, 'no container was created');
    fs.writeFileSync(file(), fs.readFileSync(file(), 'utf8').replace(/ {2}- name: broken\n[\s\S]*$/, ''));
    await until('the broken one to go', () => (api.services.configs.find('broken') ? undefined : true), 10_000);
  });

  it('booting a saved configuration gives a VM with its bind and karg (checked over SSH)', async () => {
    await vscode.workspace.getConfiguration('bootcEphemeral').update('openSshTerminalWhenReady', false, vscode.ConfigurationTarget.Global);
    try {
      vmName = (await vscode.commands.executeCommand<string>('bootcEphemeral.bootConfiguration', 'with-bind'))!;
    } finally {
      await vscode.workspace.getConfiguration('bootcEphemeral').update('openSshTerminalWhenReady', undefined, vscode.ConfigurationTarget.Global);
    }
    assert.match(vmName, /^with-bind-[0-9a-f]{4}$/, 'named after the configuration');
    const { client } = await waitForSsh(api.services.podman(), vmName);
    try {
      const r = await execCollect(client, 'cat /run/virtiofs-mnt-cfgdata/hello.txt; cat /proc/cmdline; ls /run/virtiofs-mnt-workspace 2>&1 | head -1');
      const [hello, cmdline, ws] = r.stdout.trim().split('\n');
      assert.equal(hello, 'from a configured bind');
      assert.match(cmdline, /(^| )bootc\.config\.test=42( |$)/);
      assert.match(ws, /No such file or directory/, 'bindWorkspace: off');
    } finally {
      client.end();
    }
    await run('podman', ['rm', '-f', '-t', '0', vmName]);
    vmName = '';
  });

  it('Delete removes it from the file and the view', async () => {
    const item = api.services.configs.find('by-hand')!;
    await vscode.commands.executeCommand('bootcEphemeral.deleteConfiguration', { config: item }, true);
    assert.ok(!fs.readFileSync(file(), 'utf8').includes('by-hand'));
    assert.ok(fs.readFileSync(file(), 'utf8').startsWith('# our team VMs: keep this comment\n'));
    await until('the view to drop it', () => (api.services.configs.find('by-hand') ? undefined : true), 10_000);
  });
});
