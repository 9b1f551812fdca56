import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import * as vscode from 'vscode';
import { until, activateExtension } from '../vscode/helpers';
import type { ExtensionApi } from '../../src/vscode/extension';
import type { VmTreeItem } from '../../src/vscode/tree/vmTreeProvider';

// VS Code as an ordinary user (the normal case), with that user's rootless podman and storage
// (scripts/vscode/code-shim-rootless.sh): Check Prerequisites and the view say rootless; Boot as
// Ephemeral VM builds into the user's storage and boots; the SSH terminal and a forward reach the guest
// through the container (no port is published rootless); the guest's files on the workspace are the
// user's; Stop removes the VM.
const run = promisify(execFile);

function transcriptOf(terminal: vscode.Terminal): () => string {
  const pty = (terminal.creationOptions as vscode.ExtensionTerminalOptions).pty;
  let text = '';
  pty.onDidWrite((d) => (text += d));
  return () => text;
}

describe('VS Code as an ordinary user with rootless podman', function () {
  this.timeout(400_000);
  let api: ExtensionApi;
  let vmName = '';
  let builtImage = '';
  const workspace = () => vscode.workspace.workspaceFolders![0].uri.fsPath;

  before(async () => {
    assert.notEqual(process.getuid?.(), 0, 'this suite runs as an ordinary user');
    api = await activateExtension();
    await vscode.workspace.getConfiguration('bootcEphemeral').update('defaultMemory', '2G', vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('bootcEphemeral.vms.focus');
  });

  after(async () => {
    if (vmName) await run('podman', ['rm', '-f', '-t', '0', vmName]).catch(() => undefined);
    if (builtImage) await run('podman', ['rmi', '-f', builtImage]).catch(() => undefined);
  });

  it('Check Prerequisites and the view say rootless', async () => {
    const report = (await vscode.commands.executeCommand('bootcEphemeral.runDoctor')) as string;
    assert.match(report, /\*\*podman mode\*\*: rootless \(user [a-z0-9]+\)/);
    assert.match(report, /\*\*Subordinate ids\*\*/);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    await until('the view\'s description', () => api.services.view.description === 'rootless' || undefined, 10_000);
  });

  it('Boot as Ephemeral VM: built into the user\'s storage, booted, ready; the SSH terminal goes through the container', async () => {
    const containerfile = vscode.Uri.file(path.join(workspace(), 'Containerfile'));
    // what the flow reports as an error, to say why in the failure
    const errors: string[] = [];
    const logger = api.services.logger.channel as unknown as { error: (m: string, ...rest: unknown[]) => void };
    const error = logger.error.bind(logger);
    logger.error = (m, ...rest) => {
      errors.push(m);
      error(m, ...rest);
    };
    try {
      vmName = (await vscode.commands.executeCommand<string | undefined>('bootcEphemeral.bootContainerfile', containerfile)) ?? '';
    } finally {
      logger.error = error;
    }
    assert.ok(vmName, `the flow resolves with the VM once SSH is ready; errors: ${errors.join('\n')}`);
    const vm = api.services.tree.current().find((v) => v.name === vmName)!;
    assert.equal(vm.state, 'ready');
    assert.equal(vm.sshRelay, true, 'no published port: the relay');
    assert.equal(vm.sshPort, undefined);
    const item = api.services.tree.getChildren().find((i) => 'vm' in i && (i as VmTreeItem).vm.name === vmName) as VmTreeItem;
    // the hover's tooltip: made even where rootless podman has no stats (cgroups v1)
    const resolved = await api.services.tree.resolveTreeItem(item, item);
    assert.match((resolved.tooltip as vscode.MarkdownString).value, /SSH: through its container \(podman exec\)/);
    builtImage = vm.image;
    await run('podman', ['image', 'exists', builtImage]); // rejects when the build is not in this user's storage
    const terminal = await until('the SSH terminal', () => vscode.window.terminals.find((t) => t.name === `SSH: ${vmName}`), 10_000);
    const transcript = transcriptOf(terminal);
    await until('a shell prompt', () => /root@bootc-sample/.test(transcript()) || undefined, 60_000);
    (terminal.creationOptions as vscode.ExtensionTerminalOptions).pty.handleInput!('echo "rootless-$((6*7))" > /run/virtiofs-mnt-workspace/from-rootless.txt; echo done-$((1+1))\r');
    await until('the command ran', () => /done-2/.test(transcript()) || undefined, 30_000);
    const file = path.join(workspace(), 'from-rootless.txt');
    await until('the file on the host', () => (fs.existsSync(file) && fs.readFileSync(file, 'utf8') === 'rootless-42\n') || undefined, 10_000);
    assert.equal(fs.statSync(file).uid, process.getuid?.(), 'the guest\'s file is the user\'s');
    fs.rmSync(file);
    terminal.dispose();
  });

  it('Forward Port: a guest port on 127.0.0.1 through the relay', async () => {
    const localPort = await vscode.commands.executeCommand<number>('bootcEphemeral.forwardPort', vmName, 22);
    assert.ok(localPort);
    const banner = await new Promise<string>((resolve, reject) => {
      const s = net.connect(localPort, '127.0.0.1');
      s.once('data', (d) => {
        resolve(d.toString());
        s.destroy();
      });
      s.once('error', reject);
    });
    assert.match(banner, /^SSH-2\.0-OpenSSH/);
  });

  it('Stop removes the VM (--rm) and its forwards', async () => {
    await vscode.commands.executeCommand('bootcEphemeral.stopVm', vmName);
    await until('the VM to leave the view', () => !api.services.tree.current().some((v) => v.name === vmName) || undefined, 30_000, 100);
    assert.equal(api.services.forwards.forVm(vmName).length, 0);
    assert.equal((await run('podman', ['ps', '-a', '--format', '{{.Names}}'])).stdout.includes(vmName), false);
    vmName = '';
  });
});
