import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import * as vscode from 'vscode';
import { until, activateExtension } from '../vscode/helpers';
import type { ExtensionApi } from '../../src/vscode/extension';
import { waitForSsh } from '../../src/engine/guest/ready';
import { execCollect } from '../../src/engine/guest/ssh';

// The extension with bootcEphemeral.podmanConnection set: a podman service on a unix socket (started by
// scripts/vscode/run-vscode-tests.mjs) stands for another machine, and this VS Code runs as a client that
// shares nothing else with it (test/isolated.sh: its own mount and network namespace, podman's local
// storage, the engine's state root, QEMU and virtiofsd hidden). So every check below fails if anything
// still reads local files, a 127.0.0.1 port of the host, or the local podman.
const run = promisify(execFile);
const url = process.env.BOOTC_EPHEMERAL_TEST_PODMAN_URL ?? '';
/** the podman host, for checks from outside the extension */
const remotePodman = (args: string[]) => run('podman', ['--url', url, ...args]);
const IMAGE = 'localhost/bootc-sample:latest';

function transcriptOf(terminal: vscode.Terminal): () => string {
  const pty = (terminal.creationOptions as vscode.ExtensionTerminalOptions).pty;
  let text = '';
  pty.onDidWrite((d) => (text += d));
  return () => text;
}

const type = (terminal: vscode.Terminal, text: string) => (terminal.creationOptions as vscode.ExtensionTerminalOptions).pty.handleInput!(text);

describe('VMs through a podman connection (bootcEphemeral.podmanConnection)', function () {
  this.timeout(400_000);
  let api: ExtensionApi;
  let vmName: string | undefined;
  let logsTerminal: vscode.Terminal | undefined;
  let logsTranscript: () => string = () => '';
  const settings = () => vscode.workspace.getConfiguration('bootcEphemeral');

  before(async () => {
    assert.ok(url, 'the runner passes the podman service URL');
    const localImage = await run('podman', ['image', 'exists', IMAGE]).then(() => true, () => false);
    assert.equal(localImage, false, 'the local podman storage is hidden in this namespace');
    assert.equal(fs.statSync('/usr/bin/qemu-system-x86_64').size, 0, 'so is the local QEMU');
    api = await activateExtension();
    await settings().update('defaultMemory', '2G', vscode.ConfigurationTarget.Global);
    await settings().update('podmanConnection', url, vscode.ConfigurationTarget.Global);
    // Remove's confirmation is a modal dialog, driven in the UI suite; here the command runs unasked
    await settings().update('confirmRemove', false, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('bootcEphemeral.vms.focus');
  });

  after(async () => {
    if (vmName) await remotePodman(['rm', '-f', '-v', vmName]).catch(() => undefined);
    await settings().update('podmanConnection', undefined, vscode.ConfigurationTarget.Global);
    await settings().update('confirmRemove', undefined, vscode.ConfigurationTarget.Global);
  });

  it('the VMs view says which podman host it shows; doctor checks that host', async () => {
    await until('the view description', () => api.services.view.description === `${url} · rootful` || undefined, 10_000);
    assert.equal(api.services.podman().remote, true);
    const report = (await vscode.commands.executeCommand('bootcEphemeral.runDoctor')) as string;
    assert.ok(report.includes(`**podman connection**: ${url}`), report);
    assert.match(report, /\[ok\] \*\*QEMU\*\*: \/usr\/bin\/qemu-system-x86_64/, 'found on the podman host although hidden here');
    assert.match(report, /\[ok\] \*\*podman mode\*\*: rootful service on that host/);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  it('Boot Image through the connection: ready, the workspace not bound, an SSH terminal through podman', async () => {
    const booted = vscode.commands.executeCommand<string | undefined>('bootcEphemeral.bootImage', IMAGE);
    const booting = await until('the VM in the view', () => api.services.tree.current().find((v) => v.image === IMAGE && v.options?.sshKeygen), 120_000);
    vmName = booting.name;
    assert.equal(await booted, vmName);
    const vm = api.services.tree.current().find((v) => v.name === vmName)!;
    assert.equal(vm.state, 'ready');
    assert.equal(vm.sshPort, undefined, 'no port: sshd is reached through podman exec');
    assert.deepEqual(vm.options?.binds ?? [], [], 'this machine\'s folder is not bound into a VM on another host');
    assert.ok(vm.stateDir?.includes(`${path.sep}.remote${path.sep}`), `client state kept per connection: ${vm.stateDir}`);
    assert.ok(!fs.existsSync(path.join(vm.stateDir!, 'logs')), 'no logs on the client');
    const terminal = await until('the SSH terminal', () => vscode.window.terminals.find((t) => t.name === `SSH: ${vmName}`), 10_000);
    const transcript = transcriptOf(terminal);
    await until('a shell prompt', () => /root@bootc-sample/.test(transcript()) || undefined, 60_000);
    type(terminal, 'echo "remote-$((6*7))"\r');
    await until('the command output', () => /remote-42/.test(transcript()) || undefined, 30_000);
  });

  it('the console and the journal open through the connection', async () => {
    const consoleTerminal = (await vscode.commands.executeCommand<vscode.Terminal>('bootcEphemeral.openConsole', vmName))!;
    const consoleText = transcriptOf(consoleTerminal);
    await until('the console attached', () => /attached to the serial console/.test(consoleText()) || undefined, 30_000);
    // the VM is ready before the image's own units, its serial getty among them: agetty drops what was typed
    // before it started, so type only once the autologin shell shows its prompt
    type(consoleTerminal, '\r');
    await until('a root prompt on the console', () => /root@bootc-sample:~# /.test(consoleText()) || undefined, 60_000);
    type(consoleTerminal, 'echo MARK$((40+2))\r');
    await until('the console shell answered', () => /MARK42/.test(consoleText()) || undefined, 30_000);
    consoleTerminal.dispose();
    const journal = (await vscode.commands.executeCommand<vscode.Terminal>('bootcEphemeral.tailJournal', vmName))!;
    const journalText = transcriptOf(journal);
    await until('the journal in the terminal', () => /Finished bootc-ephemeral-ssh-address@/.test(journalText()) || undefined, 60_000).catch((e: Error) => {
      throw new Error(`${e.message}; the terminal showed ${journalText().length} characters, ending: ${JSON.stringify(journalText().slice(-400))}`);
    });
    journal.dispose();
  });

  it('Forward Port rides the SSH connection through podman; Copy Command Line and Inspect name the connection\'s VM', async () => {
    const { client } = await waitForSsh(api.services.podman(), vmName!);
    try {
      const r = await execCollect(client, 'mkdir -p /run/www && echo hello-remote > /run/www/index.html && (busybox httpd -p 127.0.0.1:8080 -h /run/www &); for i in $(seq 100); do busybox wget -q -O /dev/null http://127.0.0.1:8080/index.html && echo serving && break; sleep 0.1; done');
      assert.equal(r.stdout, 'serving\n');
    } finally {
      client.end();
    }
    const localPort = await vscode.commands.executeCommand<number>('bootcEphemeral.forwardPort', vmName, 8080);
    assert.equal(await (await fetch(`http://127.0.0.1:${localPort}/index.html`)).text(), 'hello-remote\n');
    const line = await vscode.commands.executeCommand<string>('bootcEphemeral.copyCommandLine', vmName);
    assert.ok(line!.startsWith(`bootc-ephemeral --url ${url} run `), line);
    const doc = await vscode.commands.executeCommand<vscode.TextDocument>('bootcEphemeral.inspectVm', vmName);
    assert.equal(JSON.parse(doc!.getText()).Name, vmName, 'podman inspect through the connection');
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    // Show Container Logs follows the container through the connection until it ends (checked at Stop)
    logsTerminal = (await vscode.commands.executeCommand<vscode.Terminal>('bootcEphemeral.showContainerLogs', vmName))!;
    logsTranscript = transcriptOf(logsTerminal);
  });

  it('Open SSH Terminal (the command) opens another session through podman', async () => {
    const before = vscode.window.terminals.filter((t) => t.name === `SSH: ${vmName}`).length;
    await vscode.commands.executeCommand('bootcEphemeral.openSshTerminal', vmName);
    const terminals = await until('a second SSH terminal', () => {
      const ts = vscode.window.terminals.filter((t) => t.name === `SSH: ${vmName}`);
      return ts.length > before ? ts : undefined;
    }, 10_000);
    const terminal = terminals[terminals.length - 1];
    const transcript = transcriptOf(terminal);
    await until('a shell prompt', () => /root@bootc-sample/.test(transcript()) || undefined, 60_000);
    terminal.dispose();
  });

  it('Stop ends the VM through the connection (it was started --rm: gone, with its volumes); the logs terminal saw it end', async () => {
    // still following (a podman that could not find the container would have ended it with an error)
    assert.doesNotMatch(logsTranscript(), /container has ended|no container|Error/, logsTranscript());
    await vscode.commands.executeCommand('bootcEphemeral.stopVm', vmName);
    await until('the logs terminal to see the container end', () => /\[the container has ended\]/.test(logsTranscript()) || undefined, 60_000);
    logsTerminal?.dispose();
    await until('the VM gone from the view', () => !api.services.tree.current().some((v) => v.name === vmName) || undefined, 60_000);
    await until('its forward closed', () => api.services.forwards.forVm(vmName!).length === 0 || undefined, 10_000);
    const volumes = String((await remotePodman(['volume', 'ls', '--quiet', '--filter', 'dangling=true'])).stdout).trim();
    assert.equal(volumes, '', 'its plan and log volumes went with it');
    vmName = undefined;
  });

  it('Boot as Ephemeral VM on the Containerfile: built by the podman host (context sent through the connection), then Remove', async () => {
    const workspace = vscode.workspace.workspaceFolders![0].uri.fsPath;
    const containerfile = vscode.Uri.file(path.join(workspace, 'Containerfile'));
    const name = await vscode.commands.executeCommand<string | undefined>('bootcEphemeral.bootContainerfile', containerfile);
    assert.ok(name, 'the flow resolves with the VM once SSH is ready');
    vmName = name;
    const vm = api.services.tree.current().find((v) => v.name === name);
    assert.equal(vm?.state, 'ready');
    assert.equal(vm?.image, 'localhost/workspace-ephemeral:latest');
    await remotePodman(['image', 'exists', 'localhost/workspace-ephemeral:latest']);
    await vscode.commands.executeCommand('bootcEphemeral.removeVm', name);
    await until('the VM gone from the view', () => !api.services.tree.current().some((v) => v.name === name) || undefined, 60_000);
    const left = String((await remotePodman(['ps', '-a', '--filter', `name=^${name}$`, '--quiet'])).stdout).trim();
    assert.equal(left, '', 'the container is gone on the podman host');
    assert.ok(!fs.existsSync(vm!.stateDir!), 'its client state too');
    vmName = undefined;
  });
});
