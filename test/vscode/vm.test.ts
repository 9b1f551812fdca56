import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import * as vscode from 'vscode';
import { until, activateExtension, CLI } from './helpers';
import { killContainerProcesses } from '../containerProcesses';
import type { ExtensionApi } from '../../src/vscode/extension';
import type { ForwardTreeItem, VmTreeItem } from '../../src/vscode/tree/vmTreeProvider';
import { waitForSsh } from '../../src/engine/guest/ready';
import { execCollect } from '../../src/engine/guest/ssh';

// One real VM (TCG) booted the way "Boot as Ephemeral VM" does, shared by the checks below.
const run = promisify(execFile);


/** Everything a Pseudoterminal we created writes, to read terminal output back in tests. */
function transcriptOf(terminal: vscode.Terminal): () => string {
  const pty = (terminal.creationOptions as vscode.ExtensionTerminalOptions).pty;
  let text = '';
  pty.onDidWrite((d) => (text += d));
  return () => text;
}

/** Kills the root file system's virtiofsd of a VM container (as a crash would); false if none runs yet. */
async function killRootVirtiofsd(vmName: string): Promise<boolean> {
  return (await killContainerProcesses(vmName, /\/virtiofsd --socket-path=\S+ (--shared-dir=|-o source=)\/run\/source-image /)) > 0;
}

/** Counts the refreshes the VMs view's podman events watch asks for (its `soon()`), until restored. */
function countRefreshRequests(api: ExtensionApi): { count: () => number; restore: () => void } {
  const tree = api.services.tree as unknown as { soon(): void };
  const soon = tree.soon.bind(tree);
  let asked = 0;
  tree.soon = () => {
    asked++;
    soon();
  };
  return { count: () => asked, restore: () => (tree.soon = soon) };
}

describe('a real VM from VS Code', function () {
  this.timeout(400_000);
  let api: ExtensionApi;
  let vmName: string;
  const workspace = () => vscode.workspace.workspaceFolders![0].uri.fsPath;

  before(async () => {
    api = await activateExtension();
    await vscode.workspace.getConfiguration('bootcEphemeral').update('defaultMemory', '2G', vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('bootcEphemeral.vms.focus');
    for (const f of ['from-terminal.txt', 'from-vscode.txt']) fs.rmSync(path.join(workspace(), f), { force: true });
  });

  after(async () => {
    if (vmName) await run('node', [CLI, 'rm', '-f', vmName]).catch(() => undefined);
    for (const f of ['from-terminal.txt', 'from-vscode.txt']) fs.rmSync(path.join(workspace(), f), { force: true });
  });

  it('Boot as Ephemeral VM on the Containerfile: built, listed as booting, then ready, SSH terminal open', async () => {
    const containerfile = vscode.Uri.file(path.join(workspace(), 'Containerfile'));
    const booted = vscode.commands.executeCommand<string | undefined>('bootcEphemeral.bootContainerfile', containerfile);
    const booting = await until('the VM in the view as booting', () => api.services.tree.current().find((v) => v.image === 'localhost/workspace-ephemeral:latest' && v.state === 'booting'), 120_000);
    vmName = booting.name;
    // (the test bundle has its own copy of the classes: compare by shape, not instanceof)
    const item = api.services.tree.getChildren().find((i) => 'vm' in i && (i as VmTreeItem).vm.name === vmName) as VmTreeItem;
    assert.equal((item.iconPath as vscode.ThemeIcon).id, 'loading~spin');
    assert.equal(await booted, vmName, 'the flow resolves with the VM once SSH is ready');
    const ready = api.services.tree.current().find((v) => v.name === vmName);
    assert.equal(ready?.state, 'ready');
    assert.ok(ready?.options?.binds?.some((b) => b.name === 'workspace' && !b.readOnly), 'the workspace folder is bound read-write');
    await until('the SSH terminal', () => vscode.window.terminals.find((t) => t.name === `SSH: ${vmName}`), 10_000);
  });

  it('the SSH terminal runs a command and shows its output; the guest writes into the workspace', async () => {
    const terminal = vscode.window.terminals.find((t) => t.name === `SSH: ${vmName}`)!;
    const transcript = transcriptOf(terminal);
    await until('a shell prompt', () => /root@bootc-sample/.test(transcript()) || undefined, 60_000);
    // keystrokes into our own Pseudoterminal (its handleInput), as a person would type them
    (terminal.creationOptions as vscode.ExtensionTerminalOptions).pty.handleInput!('echo "terminal-$((6*7))" | tee /run/virtiofs-mnt-workspace/from-terminal.txt\r');
    await until('the command output', () => /terminal-42/.test(transcript()) || undefined, 30_000);
    // tee creates the file, then writes: wait for the content, not just the file
    const file = path.join(workspace(), 'from-terminal.txt');
    await until('the file on the host', () => (fs.existsSync(file) && fs.readFileSync(file, 'utf8') === 'terminal-42\n') || undefined, 10_000);
  });

  it('a file saved in VS Code is read in the guest', async () => {
    const uri = vscode.Uri.file(path.join(workspace(), 'from-vscode.txt'));
    await vscode.workspace.fs.writeFile(uri, new Uint8Array());
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    const edit = new vscode.WorkspaceEdit();
    edit.insert(doc.uri, new vscode.Position(0, 0), 'saved in VS Code\n');
    await vscode.workspace.applyEdit(edit);
    assert.equal(await doc.save(), true);
    const { client } = await waitForSsh(api.services.podman(), vmName);
    try {
      const r = await execCollect(client, 'cat /run/virtiofs-mnt-workspace/from-vscode.txt');
      assert.equal(r.stdout, 'saved in VS Code\n');
    } finally {
      client.end();
    }
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  it('Tail Journal shows guest journal lines as they come', async () => {
    const terminal = (await vscode.commands.executeCommand<vscode.Terminal>('bootcEphemeral.tailJournal', vmName))!;
    const transcript = transcriptOf(terminal);
    await until('boot messages', () => /Reached target|Linux version/.test(transcript()) || undefined, 20_000);
    const { client } = await waitForSsh(api.services.podman(), vmName);
    try {
      await execCollect(client, 'logger -t vscode-e2e journal-marker-$((40+2))');
    } finally {
      client.end();
    }
    await until('the new journal line', () => /vscode-e2e.*journal-marker-42/.test(transcript()) || undefined, 30_000);
    terminal.dispose();
  });

  it('Open Console attaches to the serial console, where a root shell runs commands', async () => {
    const terminal = (await vscode.commands.executeCommand<vscode.Terminal>('bootcEphemeral.openConsole', vmName))!;
    const transcript = transcriptOf(terminal);
    await until('the console attached', () => /attached to the serial console/.test(transcript()) || undefined, 20_000);
    const pty = (terminal.creationOptions as vscode.ExtensionTerminalOptions).pty;
    pty.handleInput!('\r');
    await until('a root prompt on ttyS0', () => /root@bootc-sample:~# /.test(transcript()) || undefined, 30_000);
    pty.handleInput!('echo console-$((6*7)) $(tty)\r');
    await until('the command output', () => /console-42 \/dev\/ttyS0/.test(transcript()) || undefined, 30_000);
    terminal.dispose();
  });

  it('closing a terminal lets go of what it held: its SSH session ends in the guest; the console attaches again', async () => {
    /** interactive SSH sessions in the guest (a pty each; this count's own session has none) */
    const ptySessions = async () => {
      const { client } = await waitForSsh(api.services.podman(), vmName);
      try {
        return Number((await execCollect(client, "pgrep -c -f '^sshd: root@pts' || true")).stdout.trim());
      } finally {
        client.end();
      }
    };
    const before = await ptySessions();
    const ssh = (await vscode.commands.executeCommand<vscode.Terminal>('bootcEphemeral.openSshTerminal', vmName))!;
    const sshText = transcriptOf(ssh);
    await until('a shell prompt', () => /root@bootc-sample/.test(sshText()) || undefined, 60_000);
    await until('its session in the guest', async () => ((await ptySessions()) === before + 1 ? true : undefined), 20_000);
    ssh.dispose();
    await until('its session to end in the guest', async () => ((await ptySessions()) === before ? true : undefined), 20_000, 500);
    // the serial console takes one client: closed, it can be attached again and takes commands
    const consoleTerminal = (await vscode.commands.executeCommand<vscode.Terminal>('bootcEphemeral.openConsole', vmName))!;
    const transcript = transcriptOf(consoleTerminal);
    await until('the console attached again', () => /attached to the serial console/.test(transcript()) || undefined, 20_000);
    (consoleTerminal.creationOptions as vscode.ExtensionTerminalOptions).pty.handleInput!('echo again-$((6*7))\r');
    await until('the command output', () => /again-42/.test(transcript()) || undefined, 30_000);
    consoleTerminal.dispose();
  });

  it('Forward Port reaches an HTTP server in the guest and shows under the VM', async () => {
    const { client } = await waitForSsh(api.services.podman(), vmName);
    try {
      const r = await execCollect(client, 'mkdir -p /run/www && echo hello-over-forward > /run/www/index.html && (busybox httpd -p 127.0.0.1:8080 -h /run/www &); for i in $(seq 100); do busybox wget -q -O /dev/null http://127.0.0.1:8080/index.html && echo serving && break; sleep 0.1; done');
      assert.equal(r.stdout, 'serving\n', 'the guest\'s server answers (waited for, not slept on)');
    } finally {
      client.end();
    }
    const localPort = await vscode.commands.executeCommand<number>('bootcEphemeral.forwardPort', vmName, 8080);
    assert.ok(localPort && localPort > 0);
    const body = await (await fetch(`http://127.0.0.1:${localPort}/index.html`)).text();
    assert.equal(body, 'hello-over-forward\n');
    const vmItem = api.services.tree.item(vmName)!;
    assert.equal(vmItem.collapsibleState, vscode.TreeItemCollapsibleState.Expanded);
    const children = api.services.tree.getChildren(vmItem);
    assert.equal(children.length, 1);
    assert.equal((children[0] as ForwardTreeItem).forward.guestPort, 8080);
    assert.equal(children[0].label, `127.0.0.1:${localPort}`);
    assert.equal(children[0].contextValue, 'forward');
  });

  it('Copy Command Line gives the CLI line for this VM', async () => {
    const line = await vscode.commands.executeCommand<string>('bootcEphemeral.copyCommandLine', vmName);
    assert.match(line!, /^bootc-ephemeral run -d --rm -K --memory 2G .*--bind \S+:workspace .*localhost\/workspace-ephemeral:latest$/);
    assert.equal(await vscode.env.clipboard.readText(), line);
  });

  it('Inspect opens the container JSON', async () => {
    const doc = await vscode.commands.executeCommand<vscode.TextDocument>('bootcEphemeral.inspectVm', vmName);
    assert.equal(doc!.languageId, 'json');
    assert.equal(JSON.parse(doc!.getText()).Config.Labels['io.bootc-ephemeral'], '1');
    assert.equal(doc!.uri.toString(), `bootc-ephemeral:/inspect/${vmName}.json`, 'a read-only virtual document');
    assert.equal(doc!.isUntitled, false);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  it('Show Stats: the container\'s CPU and memory in a read-only document, sampled again while it is shown', async () => {
    const doc = await vscode.commands.executeCommand<vscode.TextDocument>('bootcEphemeral.showStats', vmName);
    assert.equal(doc!.uri.toString(), `bootc-ephemeral:/stats/${vmName}.md`);
    assert.equal(doc!.languageId, 'markdown');
    const first = doc!.getText();
    // a VM with 2 GiB whose guest has booted has touched hundreds of MB; QEMU, virtiofsd and the supervisor are processes
    assert.match(first, /\| CPU \| \d+\.\d % \|/);
    assert.match(first, /\| Memory \| [0-9.]+(MB|GB) \/ [0-9.]+(MB|GB|kB) \(\d+\.\d %\) \|/);
    assert.match(first, /\| Processes \| ([3-9]|\d\d+) \|/);
    const sampledAt = (text: string) => /Sampled at ([^,]+),/.exec(text)?.[1];
    await until('a new sample while shown', () => (sampledAt(doc!.getText()) !== sampledAt(first) ? true : undefined), 10_000);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  it('Show Boot Timeline: the guest\'s own systemd-analyze in a page (phases, the chain to SSH, the slowest units)', async () => {
    const shown = await vscode.commands.executeCommand<{ panel: vscode.WebviewPanel; analysis: import('../../src/engine/guest/bootAnalysis').BootAnalysis }>('bootcEphemeral.showBootTimeline', vmName);
    const { phases, criticalChain, slowest } = shown!.analysis;
    // the guest's start-up has finished (it is ready): each phase took time, and they add up to the total
    assert.ok(phases.kernel! > 0 && phases.initrd! > 0 && phases.userspace! > 0, JSON.stringify(phases));
    assert.ok(Math.abs(phases.kernel! + phases.initrd! + phases.userspace! - phases.total!) < 0.01, JSON.stringify(phases));
    assert.match(criticalChain[0]?.unit ?? '', /^bootc-ephemeral-ssh-address@eth1\.service$/, 'the chain starts at early SSH\'s address unit (what SSH waited for)');
    // early SSH's unit waits only for its socket, the key unit and its slice: a short chain
    assert.ok(criticalChain.length >= 2 && slowest.length >= 1 && criticalChain[0].took! > 0, JSON.stringify({ criticalChain, slowest }));
    const html = shown!.panel.webview.html;
    assert.match(html, new RegExp(`Boot timeline: ${vmName}`));
    assert.match(html, /<title>bootc-ephemeral-ssh-address@eth1\.service: [^<]+<\/title><text x="0" y="\d+" class="unit">bootc-ephemeral-ssh-address@eth1\.…<\/text>/, 'the row, its long name shortened, whole in its title');
    // early SSH: possible seconds before the guest's start-up finished, marked on the phases bar
    assert.match(html, /<rect class="ssh" x="[\d.]+"[^>]*><title>SSH possible at [\d.]+ s<\/title>/);
    assert.match(html, /SSH possible at [\d.]+ s: [\d.]+ s before the guest&#39;s start-up finished\./);
    assert.equal(shown!.panel.title, `Boot Timeline: ${vmName}`);
    shown!.panel.dispose();
  });

  it('a VM started with the CLI shows up through podman events; its virtiofsd killed, the view says failed and why, Show Container Logs shows the supervisor\'s reason', async () => {
    const name = 'vscode-e2e-cli';
    // count the refreshes podman events ask for: the VM must first show up after one (the poll is 30 s)
    const requests = countRefreshRequests(api);
    let eventsWhenFound = -1;
    const watch = api.services.tree.onDidRefresh((vms) => {
      if (eventsWhenFound < 0 && vms.some((v) => v.name === name)) eventsWhenFound = requests.count();
    });
    try {
      const started = Date.now();
      await run('node', [CLI, 'run', '-d', '--name', name, '--memory', '1G', 'localhost/bootc-sample:latest']);
      await until('the CLI VM in the view', () => api.services.tree.current().find((v) => v.name === name), 20_000, 50);
      assert.ok(eventsWhenFound > 0, `listed ${Date.now() - started} ms after the start, by a refresh no podman event asked for`);
      // a helper that dies ends the VM with the reason (the root file system's virtiofsd here)
      assert.ok(await killRootVirtiofsd(name), 'virtiofsd killed');
      const failed = await until('the view to show it failed', () => api.services.tree.current().find((v) => v.name === name && v.state === 'failed'), 30_000, 50);
      assert.equal(failed.exitCode, 72);
      const tooltip = String((api.services.tree.item(name)!.tooltip as vscode.MarkdownString).value);
      assert.match(tooltip, /Exit 72: a helper process \(virtiofsd\) ended, so the VM was stopped/);
      // Show Container Logs: the container's own output, in a terminal, until the container's end
      const logs = (await vscode.commands.executeCommand<vscode.Terminal>('bootcEphemeral.showContainerLogs', name))!;
      assert.equal(logs.name, `Logs: ${name}`);
      const transcript = transcriptOf(logs);
      await until('the supervisor\'s reason in the logs terminal', () => /virtiofsd for the root file system was killed by signal 9: stopping the VM/.test(transcript()) || undefined, 15_000).catch((e: Error) => {
        throw new Error(`${e.message}; the terminal showed: ${JSON.stringify(transcript())}`);
      });
      await until('the end of the logs', () => /\[the container has ended\]/.test(transcript()) || undefined, 15_000);
      logs.dispose();
    } finally {
      watch.dispose();
      requests.restore();
      await run('node', [CLI, 'rm', '-f', name]);
    }
  });

  it('guests that panic or power off: the view says failed (the panic is the reason) and exited, as ps does', async () => {
    const [panics, powersOff] = ['vscode-e2e-panic', 'vscode-e2e-poweroff'];
    try {
      await Promise.all([panics, powersOff].map((n) => run('node', [CLI, 'run', '-d', '-K', '--name', n, '--memory', '1G', 'localhost/bootc-sample:latest'])));
      // the CLI's ssh waits for each to boot; the crash drops the connection (255), poweroff may too
      await Promise.all([
        run('node', [CLI, 'ssh', panics, '--', 'sh', '-c', 'echo c > /proc/sysrq-trigger']).catch(() => undefined),
        run('node', [CLI, 'ssh', powersOff, '--', 'systemctl', 'poweroff']).catch(() => undefined),
      ]);
      const panicked = await until('the panicked VM failed in the view', async () => (await api.services.tree.refresh()).find((v) => v.name === panics && v.state === 'failed'), 60_000, 500);
      assert.equal(panicked.exitCode, 1);
      assert.match(String((api.services.tree.item(panics)!.tooltip as vscode.MarkdownString).value), /Exit 1: the guest kernel panicked: sysrq triggered crash/);
      const off = await until('the powered-off VM exited in the view', async () => (await api.services.tree.refresh()).find((v) => v.name === powersOff && v.state === 'exited'), 60_000, 500);
      assert.equal(off.exitCode, 0);
      assert.doesNotMatch(String((api.services.tree.item(powersOff)!.tooltip as vscode.MarkdownString).value), /Exit/);
    } finally {
      await run('node', [CLI, 'rm', '-f', panics, powersOff]).catch(() => undefined);
    }
  });

  it('the podman events stream killed from outside is restarted, and the view catches up with what it missed', async () => {
    const name = 'vscode-e2e-events';
    const eventsPids = async () => (await run('pgrep', ['-f', 'podman events --format json']).catch(() => ({ stdout: '' }))).stdout.split('\n').filter(Boolean);
    const before = await until('the view\'s events stream', async () => ((await eventsPids()).length ? await eventsPids() : undefined), 10_000);
    const requests = countRefreshRequests(api);
    try {
      await run('kill', ['-KILL', ...before]);
      // made while the stream is down (it restarts after 1 s): only the catch-up can see it
      await run('node', [CLI, 'run', '-d', '--name', name, '--memory', '1G', 'localhost/bootc-sample:latest']);
      await until('the VM in the view', () => api.services.tree.current().find((v) => v.name === name), 20_000, 50);
      // the restarted watch asks for a refresh (its catch-up, or the create event it saw); a poll of a
      // booting VM's state (every 1.5 s) may list the VM a moment before that refresh runs
      assert.ok(await until('a refresh the events watch asked for, not the 30 s poll', () => requests.count() > 0 || undefined, 10_000, 50));
      const after = await until('a new events stream', async () => ((await eventsPids()).some((p) => !before.includes(p)) ? true : undefined), 10_000);
      assert.ok(after);
    } finally {
      requests.restore();
      await run('node', [CLI, 'rm', '-f', name]);
    }
  });

  it('with the view hidden, the list (status bar, badge) follows a VM that runs: events keep flowing', async () => {
    const name = 'vscode-e2e-hidden';
    await run('node', [CLI, 'run', '-d', '--name', name, '--memory', '1G', 'localhost/bootc-sample:latest']);
    try {
      await until('the CLI VM in the list', () => api.services.tree.current().find((v) => v.name === name), 15_000, 50);
      await vscode.commands.executeCommand('workbench.view.explorer');
      await until('the view hidden', () => !api.services.view.visible || undefined, 10_000);
      assert.ok(api.services.tree.watching, 'VMs run, so the events stream stays on with the view hidden');
      await run('podman', ['rm', '-f', '-t', '0', name]);
      await until('the hidden list to drop the VM removed from outside', () => !api.services.tree.current().some((v) => v.name === name) || undefined, 15_000, 50);
    } finally {
      await run('node', [CLI, 'rm', '-f', name]).catch(() => undefined);
      await vscode.commands.executeCommand('bootcEphemeral.vms.focus');
    }
  });

  it('a container labelled by bcvk (bcvk.ephemeral=1) is listed as bcvk\'s; SSH says to use bcvk', async () => {
    // no bcvk here: a container with its label stands in (what the view sees of a bcvk VM is podman's view)
    const name = 'vscode-e2e-bcvk';
    await run('podman', ['run', '-d', '--rm', '--name', name, '--label', 'bcvk.ephemeral=1', '--entrypoint', 'sleep', 'localhost/bootc-sample:latest', '300']);
    try {
      const vm = await until('the bcvk VM in the view', () => api.services.tree.current().find((v) => v.name === name), 10_000, 50);
      assert.equal(vm.origin, 'bcvk');
      // a running VM's tooltip is made on hover, with one sample of its container's CPU and memory
      const item = api.services.tree.item(name)!;
      assert.equal(item.tooltip, undefined);
      const tooltip = String(((await api.services.tree.resolveTreeItem(item, item)).tooltip as vscode.MarkdownString).value);
      assert.match(tooltip, /started by bcvk/);
      assert.match(tooltip, /Now: CPU \d+\.\d % · memory [0-9.]+[kMG]?i?B \/ [0-9.]+[kMG]?i?B \(\d+\.\d %\) · [1-9]\d* processes/);
      await assert.rejects(waitForSsh(api.services.podman(), name, { timeoutMs: 5_000 }), /started by bcvk: use "bcvk ephemeral ssh vscode-e2e-bcvk"/);
    } finally {
      await run('podman', ['rm', '-f', '-t', '0', name]);
    }
  });

  it('Stop (the extension\'s command): the container goes (--rm), the view drops it, forwards close', async () => {
    const forward = api.services.forwards.forVm(vmName)[0];
    const started = Date.now();
    await vscode.commands.executeCommand('bootcEphemeral.stopVm', vmName);
    await until('the VM to leave the view', () => !api.services.tree.current().some((v) => v.name === vmName) || undefined, 15_000, 20);
    const took = Date.now() - started;
    assert.ok(took < 15_000, `left the view ${took} ms after Stop`);
    assert.equal(api.services.forwards.forVm(vmName).length, 0);
    await assert.rejects(fetch(`http://127.0.0.1:${forward.localPort}/`));
    assert.equal((await run('podman', ['ps', '-a', '--format', '{{.Names}}'])).stdout.includes(vmName), false, '--rm removed the container');
    vmName = '';
  });

  it('a VM that dies while it boots (--rm, so podman removes it): an error with the reason; one removed while it boots is no error; neither leaves state', async () => {
    // what the boot's notifications show, and what the extension's log says
    const shown: { message: string; buttons: string[] }[] = [];
    const logged: string[] = [];
    const window = vscode.window as { showErrorMessage: unknown };
    const showErrorMessage = vscode.window.showErrorMessage;
    window.showErrorMessage = async (message: string, ...buttons: string[]) => void shown.push({ message, buttons });
    const channel = api.services.logger.channel as unknown as Record<'info' | 'error', (m: string) => void>;
    const [logInfo, logError] = [channel.info, channel.error];
    channel.info = (m) => (logged.push(`info: ${m}`), logInfo.call(channel, m));
    channel.error = (m) => (logged.push(`error: ${m}`), logError.call(channel, m));
    // this boot's VM: named after the image by the extension, new, booting (never another's: it gets killed)
    const booting = (known: string[]) => until('a new VM booting', () => api.services.tree.current().find((v) => v.state === 'booting' && /^bootc-sample-[0-9a-f]{4}$/.test(v.name) && !known.includes(v.name)), 60_000, 50);
    const names: string[] = [];
    try {
      // a helper process dies (the root file system's virtiofsd): the VM ends by itself while it boots
      const before = api.services.tree.current().map((v) => v.name);
      const dies = api.boot({ image: 'localhost/bootc-sample:latest' });
      const failing = await booting(before);
      names.push(failing.name);
      await until('its virtiofsd running, then killed', () => killRootVirtiofsd(failing.name), 30_000, 200);
      assert.equal(await dies, undefined);
      const error = logged.find((l) => l.startsWith('error: '));
      assert.ok(error, `an error in the log, not "removed": ${logged.join('\n')}`);
      assert.match(error, new RegExp(`the VM ${failing.name} stopped before SSH became available \\(exit 72: a helper process \\(virtiofsd\\) ended, so the VM was stopped\\); it was started with --rm, so podman removed it and its logs`));
      // the notification: only what can still help (its container and logs are gone)
      assert.deepEqual(shown.map((e) => e.buttons), [['Show Log']]);
      assert.ok(failing.stateDir && !fs.existsSync(failing.stateDir), 'no state dir left');

      // removed from outside while it boots: what the user asked for, no error
      const removed = api.boot({ image: 'localhost/bootc-sample:latest' });
      const gone = await booting([...before, ...names]);
      names.push(gone.name);
      await run('podman', ['rm', '-f', gone.name]);
      assert.equal(await removed, undefined);
      // `podman rm -f` stops the container first: the wait sees it stopping, or already gone (both a request, not an error)
      assert.ok(logged.some((l) => l === `info: the VM ${gone.name} was removed before SSH became available` || l === `info: the VM ${gone.name} was stopped before SSH became available`), logged.join('\n'));
      assert.equal(shown.length, 1, `no second error: ${shown.slice(1).map((e) => e.message).join('; ')}`);
      assert.ok(gone.stateDir && !fs.existsSync(gone.stateDir), 'no state dir left');
      const containers = (await run('podman', ['ps', '-a', '--format', '{{.Names}}'])).stdout;
      assert.ok(!names.some((n) => containers.includes(n)), 'no container left');
    } finally {
      window.showErrorMessage = showErrorMessage;
      Object.assign(channel, { info: logInfo, error: logError });
      if (names.length) await run('node', [CLI, 'rm', '-f', ...names]).catch(() => undefined);
    }
  });

  it('a cancelled boot leaves no container and no state', async () => {
    const cts = new vscode.CancellationTokenSource();
    const result = api.boot({ image: 'localhost/bootc-sample:latest' }, cts.token);
    const vm = await until('the VM to appear', () => api.services.tree.current().find((v) => v.state === 'booting' && v.image === 'localhost/bootc-sample:latest'), 60_000, 50);
    cts.cancel();
    assert.equal(await result, undefined);
    const names = (await run('podman', ['ps', '-a', '--format', '{{.Names}}'])).stdout;
    assert.ok(!names.includes(vm.name), 'no container left');
    assert.ok(vm.stateDir, 'the VM had a state dir');
    assert.ok(!fs.existsSync(vm.stateDir), 'no state dir left');
    await until('the view to drop it', () => !api.services.tree.current().some((v) => v.name === vm.name) || undefined, 3_000);
  });

  // last: it shuts the boots down for good in this extension host
  it('deactivation (what a window reload or close runs) cancels a boot under way and removes its VM', async () => {
    const result = api.boot({ image: 'localhost/bootc-sample:latest' });
    const vm = await until('the VM to appear', () => api.services.tree.current().find((v) => v.state === 'booting' && v.image === 'localhost/bootc-sample:latest'), 60_000, 50);
    assert.equal(api.services.boots.size, 1, 'the boot is tracked');
    const t0 = Date.now();
    await api.services.boots.shutdown(20_000);
    assert.equal(await result, undefined);
    assert.equal(api.services.boots.size, 0, `the boot ended (${Date.now() - t0} ms)`);
    const names = (await run('podman', ['ps', '-a', '--format', '{{.Names}}'])).stdout;
    assert.ok(!names.includes(vm.name), 'no container left once deactivation returned');
    assert.ok(vm.stateDir && !fs.existsSync(vm.stateDir), 'no state dir left');
  });
});
