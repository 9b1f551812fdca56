import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { until, activateExtension, EXTENSION_ID } from './helpers';



describe('the extension in real VS Code', () => {
  it('is the one under development, and activates without errors', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `${EXTENSION_ID} is installed`);
    await ext.activate();
    assert.equal(ext.isActive, true);
    assert.ok(fs.existsSync(path.join(ext.extensionPath, 'dist', 'extension.js')));
  });

  it('registers every command it declares in contributes.commands', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    await ext.activate();
    const declared: string[] = ext.packageJSON.contributes.commands.map((c: { command: string }) => c.command);
    assert.ok(declared.length >= 5, 'declares its commands');
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = declared.filter((c) => !registered.has(c));
    assert.deepEqual(missing, [], 'declared but not registered');
  });

  it('every command referenced from menus and the welcome view is declared (ours) or exists (VS Code\'s own)', async () => {
    const pkg = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON.contributes;
    const declared = new Set(pkg.commands.map((c: { command: string }) => c.command));
    const inMenus = Object.values(pkg.menus as Record<string, { command: string }[]>).flat().map((m) => m.command);
    // the manifest's strings may still be %keys% here: resolve them from package.nls.json
    const nls = JSON.parse(fs.readFileSync(path.join(vscode.extensions.getExtension(EXTENSION_ID)!.extensionPath, 'package.nls.json'), 'utf8')) as Record<string, string>;
    const text = JSON.stringify([pkg.viewsWelcome, pkg.walkthroughs]).replace(/%([\w.]+)%/g, (all, k: string) => (k in nls ? JSON.stringify(nls[k]).slice(1, -1) : all));
    const inWelcome = [...text.matchAll(/command:([\w.]+)/g)].map((m) => m[1]);
    assert.ok(inWelcome.includes('bootcEphemeral.editConfiguration'), 'the walkthrough links are checked too');
    const registered = new Set(await vscode.commands.getCommands(true));
    for (const c of [...inMenus, ...inWelcome]) {
      if (c.startsWith('bootcEphemeral.')) assert.ok(declared.has(c), `${c} is declared`);
      else assert.ok(registered.has(c), `${c} is a command of VS Code`);
    }
    assert.ok(inWelcome.includes('workbench.action.openSettings'), 'the no-podman welcome links to the setting');
  });

  it('contributes the Ephemeral VMs view container and the VMs view, which can be shown', async () => {
    const pkg = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON.contributes;
    assert.deepEqual(pkg.viewsContainers.activitybar.map((c: { id: string }) => c.id), ['bootcEphemeral']);
    assert.deepEqual(pkg.views.bootcEphemeral.map((v: { id: string }) => v.id), ['bootcEphemeral.vms', 'bootcEphemeral.configurations']);
    await vscode.commands.executeCommand('bootcEphemeral.vms.focus');
    const api = await activateExtension();
    await until('the VMs view shown and following podman events', () => api.services.tree.watching || undefined, 10_000);
    await vscode.commands.executeCommand('workbench.view.explorer');
    await until('the view hidden and its events stream stopped', () => !api.services.tree.watching || undefined, 10_000);
    await vscode.commands.executeCommand('bootcEphemeral.vms.focus');
    await until('shown again', () => api.services.tree.watching || undefined, 10_000);
  });

  it('offers "Boot as Ephemeral VM" for Containerfile, Dockerfile and *.containerfile only', () => {
    const pkg = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON.contributes;
    const entry = pkg.menus['explorer/context'].find((m: { command: string }) => m.command === 'bootcEphemeral.bootContainerfile');
    const m = /resourceFilename =~ \/(.*)\/(i?)$/.exec(entry.when);
    assert.ok(m, entry.when);
    const re = new RegExp(m[1], m[2]);
    for (const yes of ['Containerfile', 'Dockerfile', 'web.containerfile', 'api.Dockerfile', 'x.dockerfile']) assert.ok(re.test(yes), yes);
    for (const no of ['README.md', 'Containerfile.txt', 'Containerfile.md', 'mycontainerfile', 'package.json']) assert.ok(!re.test(no), no);
  });

  it('the sample workspace is open', () => {
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'a folder is open');
    assert.ok(fs.existsSync(path.join(folder.uri.fsPath, 'Containerfile')));
  });

  it('Check Prerequisites runs the engine doctor on this host and shows the report', async () => {
    const report = (await vscode.commands.executeCommand('bootcEphemeral.runDoctor')) as string;
    assert.match(report, /podman/);
    assert.match(report, /QEMU/);
    const doc = vscode.window.activeTextEditor!.document;
    assert.equal(doc.languageId, 'markdown');
    assert.match(doc.getText(), /Ephemeral VMs: prerequisites/);
    // a read-only virtual document: not an untitled buffer that asks to be saved on close
    assert.equal(doc.uri.scheme, 'bootc-ephemeral');
    assert.equal(doc.isUntitled, false);
    assert.equal(doc.isDirty, false);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    assert.ok(!vscode.workspace.textDocuments.some((d) => d.isUntitled && /prerequisites/.test(d.getText())), 'no untitled report left');
  });

  if (process.env.BOOTC_EPHEMERAL_FORCE_FAIL) {
    it('fails on purpose (BOOTC_EPHEMERAL_FORCE_FAIL is set)', () => assert.fail('forced failure'));
  }
});
