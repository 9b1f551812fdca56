import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import type { FrameLocator } from 'playwright-core';
import { ROOT, runContextMenuEntry, showVmsView, Workbench, WORKSPACE, waitUntil, runFromPalette as paletteRun, pickInQuickPick, answerDialog, openFileByPath, sleep } from './helpers';

// The run form (webview): create a configuration, watch it validate, save it into a file that has the
// user's comments, reopen it from the Configurations view.
const FILE = path.join(WORKSPACE, '.vscode', 'bootc-ephemeral.yaml');
const HEADER = '# team VMs: this comment must stay\nversion: 1\nconfigurations:\n  - name: existing # keep me too\n    image: localhost/bootc-sample:latest\n';
const BIND_DIR = fs.mkdtempSync('/tmp/bootc-form-bind-');
const wb = new Workbench('form', { height: 900 });
const { shot, step } = wb;
const form = (): FrameLocator => wb.page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');

let vmsBefore: string[] = [];
before(async () => {
  vmsBefore = ourVms();
  fs.mkdirSync(path.dirname(FILE), { recursive: true });
  fs.writeFileSync(FILE, HEADER);
});

after(async () => {
  fs.rmSync(path.dirname(FILE), { recursive: true, force: true });
  fs.rmSync(BIND_DIR, { recursive: true, force: true });
  // every VM this suite started, even one booted from a half-filled form
  const started = ourVms().filter((name) => !vmsBefore.includes(name));
  // through the CLI, so their state dirs go too (podman rm would leave them to the GC)
  if (started.length) execFileSync('node', [path.join(ROOT, 'dist/cli.js'), 'rm', '-f', ...started], { stdio: 'ignore' });
});

function ourVms(): string[] {
  return execFileSync('podman', ['ps', '-a', '--filter', 'label=io.bootc-ephemeral', '--format', '{{.Names}}'], { encoding: 'utf8' }).split('\n').filter(Boolean);
}

/** VMs whose recorded options bind BIND_DIR: the one "Save and Boot" started. */
function bootedFromForm(): { name: string; options: { memoryMiB: number; vcpus: number; binds: { hostPath: string }[] } }[] {
  const out = execFileSync('podman', ['ps', '-a', '--filter', 'label=io.bootc-ephemeral', '--format', 'json'], { encoding: 'utf8' });
  return (JSON.parse(out || '[]') as { Names: string[]; Labels: Record<string, string> }[])
    .map((c) => ({ name: c.Names[0], options: JSON.parse(c.Labels['io.bootc-ephemeral.options'] ?? '{}') }))
    .filter((v) => v.options.binds?.some((b: { hostPath: string }) => b.hostPath === BIND_DIR));
}

const value = async (id: string) => form().locator(`#${id}`).evaluate((el) => (el as unknown as { value: string }).value);

const runFromPalette = (command: string) => paletteRun(wb.page, command);
/** Waits until the form's field `id` has the value `want` says it should (the page fills it in on its own time). */
const fieldValue = (id: string, want: (v: string) => boolean, what: string) => waitUntil(`${id}: ${what}`, async () => want(await value(id)) || undefined, 5_000);

/**
 * Add Folder... and the folder typed into VS Code's own file dialog. The dialog lists folders on its
 * own time: its start folder comes after it opens, and Enter takes the highlighted entry of the list,
 * which can still be the start folder's (the caller checks what the form got and tries again).
 */
async function pickFolderInDialog(folder: string) {
  await form().locator('#add-bind').click();
  const input = wb.page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await waitUntil('the dialog\'s start folder', async () => (await input.inputValue()).endsWith('/'), 5_000);
  const ours = async () => (await input.inputValue()).replace(/\/$/, '') === folder;
  await waitUntil('our path to stick in the dialog', async () => {
    if (!(await ours())) await input.fill(folder);
    return ours();
  }, 10_000, 300);
  await sleep(1000); // the list follows the path
  await shot('04-folder-dialog');
  // Enter may first complete the path in the list: press it until the dialog closes
  await waitUntil('the dialog to take the folder', async () => {
    if (!(await input.isVisible())) return true;
    if (await ours()) await wb.page.keyboard.press('Enter');
    else await input.fill(folder);
    return false;
  }, 15_000, 500);
}

async function typeInto(id: string, text: string) {
  const input = form().locator(`#${id} input, #${id} textarea`).first();
  await input.click();
  await input.fill(text);
}

step('the form opens from the palette and validates as you type', async () => {
  await wb.open();
  await showVmsView(wb.page);
  await wb.page.locator('.part.sidebar .monaco-list-row', { hasText: 'existing' }).first().waitFor({ timeout: 30_000 });
  await wb.page.keyboard.press('F1');
  await wb.page.locator('.quick-input-widget input').fill('>Ephemeral VMs: Edit Configuration (Form)');
  await wb.page.locator('.quick-input-list .monaco-list-row', { hasText: 'Edit Configuration (Form)' }).first().click();
  await form().locator('#name').waitFor({ timeout: 30_000 });
  await typeInto('name', 'from-form');
  await typeInto('memory', '4GB');
  await form().locator('#problem-memory', { hasText: 'use a number with an optional G, M or K suffix' }).waitFor({ timeout: 10_000 });
  await shot('01-invalid-memory');
  await typeInto('memory', '2G');
  await typeInto('karg', 'quiet');
  await form().locator('#status', { hasText: 'valid' }).waitFor({ timeout: 10_000 });
  await form().locator('#command-line', { hasText: 'bootc-ephemeral run -d -K --memory 2G' }).waitFor({ timeout: 10_000 });
  await form().locator('#bcvk-command-line', { hasText: 'bcvk ephemeral run -d -K --memory 2G' }).waitFor({ timeout: 10_000 });
  await shot('02-valid');
});

step('the form survives being hidden: another editor in front, then the form again, with what was typed and its check', async () => {
  await openFileByPath(wb.page, 'README.md');
  await wb.page.locator('.tabs-container .tab', { hasText: /New VM Configuration|VM: from-form/ }).first().click();
  await form().locator('#name').waitFor({ timeout: 10_000 });
  // a page made again would show the values the panel opened with: no name, the default memory
  await fieldValue('name', (v) => v === 'from-form', 'the name typed before it was hidden');
  assert.equal(await value('memory'), '2G');
  assert.equal(await value('karg'), 'quiet');
  await form().locator('#status', { hasText: 'valid' }).waitFor({ timeout: 10_000 });
});

step('Save writes the configuration into the file, keeping the comments', async () => {
  await form().locator('#save').click();
  await form().locator('#status', { hasText: 'saved to' }).waitFor({ timeout: 10_000 });
  const text = fs.readFileSync(FILE, 'utf8');
  assert.ok(text.startsWith(HEADER), text);
  assert.match(text, / {2}- name: from-form\n {4}image: localhost\/bootc-sample:latest\n {4}memory: 2G\n {4}karg:\n {6}- quiet\n/);
  await wb.page.locator('.part.sidebar .monaco-list-row', { hasText: 'from-form' }).first().waitFor({ timeout: 10_000 });
});

step('reopening it from the Configurations view shows the saved values', async () => {
  // close the form first, so that the reopened one is the only webview
  await wb.page.locator('.part.sidebar').first().click();
  await wb.page.keyboard.press('F1');
  await wb.page.locator('.quick-input-widget input').fill('>View: Close All Editors');
  await wb.page.locator('.quick-input-list .monaco-list-row', { hasText: 'Close All Editors' }).first().click();
  await wb.page.locator('iframe.webview').first().waitFor({ state: 'detached', timeout: 10_000 });
  const row = wb.page.locator('.part.sidebar .monaco-list-row', { hasText: 'from-form' }).first();
  await runContextMenuEntry(wb.page, row, 'Edit Configuration (Form)');
  await form().locator('#name').waitFor({ timeout: 30_000 });
  await fieldValue('name', (v) => v === 'from-form', 'the saved name');
  assert.equal(await value('memory'), '2G');
  assert.equal(await value('karg'), 'quiet');
  await shot('03-reopened');
});

step('a new form: the instance type fills memory and vCPUs; Add Folder binds the folder picked in the dialog', async () => {
  await runFromPalette('View: Close All Editors');
  await wb.page.locator('iframe.webview').first().waitFor({ state: 'detached', timeout: 10_000 });
  await runFromPalette('Ephemeral VMs: Edit Configuration (Form)');
  await form().locator('#name').waitFor({ timeout: 30_000 });
  await fieldValue('memory', (v) => v !== '', 'the default memory (the init message)');
  await typeInto('name', 'form-boot');
  assert.notEqual(await value('memory'), '2G', 'the default memory is not what u1.small gives');
  await form().locator('#itype').click();
  await form().locator('#itype').getByRole('option', { name: 'u1.small (1 vCPU, 2G)' }).click();
  await fieldValue('vcpus', (v) => v === '1', 'u1.small\'s vCPUs');
  assert.equal(await value('itype'), 'u1.small');
  assert.equal(await value('memory'), '2G');
  assert.equal(await value('vcpus'), '1');
  // the folder dialog (in the browser: VS Code's own file dialog, a quick input that takes a path)
  await waitUntil('the folder picked in the dialog', async () => {
    if ((await value('bind')).trim() === BIND_DIR) return true;
    await typeInto('bind', '');
    await pickFolderInDialog(BIND_DIR);
    return (await value('bind')).trim() === BIND_DIR;
  }, 60_000, 0);
  await fieldValue('bind', (v) => v.trim() === BIND_DIR, 'the picked folder');
  await form().locator('#status', { hasText: 'valid' }).waitFor({ timeout: 10_000 });
  await form().locator('#command-line', { hasText: `--itype u1.small` }).waitFor({ timeout: 10_000 });
  await form().locator('#command-line', { hasText: `--bind ${BIND_DIR}` }).waitFor({ timeout: 10_000 });
  await shot('05-itype-and-bind');
});

step('Save and Boot saves the configuration and starts a VM with those values', async () => {
  await form().locator('#boot').click();
  await form().locator('#status', { hasText: 'saved to' }).waitFor({ timeout: 10_000 });
  assert.match(fs.readFileSync(FILE, 'utf8'), /- name: form-boot\n/);
  const vms = await waitUntil('the VM the form started', async () => bootedFromForm().length > 0 && bootedFromForm(), 30_000, 500);
  assert.equal(vms.length, 1, 'one VM was started');
  assert.match(vms[0].name, /^form-boot-[0-9a-f]{4}$/, 'named after the configuration');
  assert.equal(vms[0].options.memoryMiB, 2048);
  assert.equal(vms[0].options.vcpus, 1);
  await wb.page.locator('.part.sidebar .monaco-list-row', { hasText: vms[0].name }).first().waitFor({ timeout: 30_000 });
  await shot('06-booted-from-form');
});

step('Add Configuration... from the palette: the name input box refuses a taken name; the image quick pick; the file gets it', async () => {
  await runFromPalette('Ephemeral VMs: Add Configuration...');
  const input = wb.page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await input.fill('existing');
  await wb.page.locator('.quick-input-widget .quick-input-message', { hasText: 'That name is taken' }).first().waitFor({ timeout: 10_000 });
  await input.fill('from-input-box');
  await wb.page.keyboard.press('Enter');
  // the second question: an image, or a Containerfile of the workspace to build
  await wb.page.locator('.quick-input-list .monaco-list-row', { hasText: 'web.containerfile' }).first().waitFor({ timeout: 30_000 });
  await pickInQuickPick(wb.page, 'localhost/bootc-sample:latest');
  await waitUntil('the file to hold it', async () => /- name: from-input-box\n {4}image: localhost\/bootc-sample:latest\n/.test(fs.readFileSync(FILE, 'utf8')), 10_000);
  assert.ok(fs.readFileSync(FILE, 'utf8').startsWith(HEADER), 'the comments stay');
  await wb.page.locator('.part.sidebar .monaco-list-row', { hasText: 'from-input-box' }).first().waitFor({ timeout: 10_000 });
});

step('Open in Editor on a configuration shows the YAML with the cursor on it', async () => {
  await runFromPalette('View: Close All Editors');
  const row = wb.page.locator('.part.sidebar .monaco-list-row', { hasText: 'from-input-box' }).first();
  await runContextMenuEntry(wb.page, row, 'Open in Editor');
  await wb.page.locator('.tabs-container .tab.active', { hasText: 'bootc-ephemeral.yaml' }).first().waitFor({ timeout: 15_000 });
  // the status bar's cursor position: the line of "- name: from-input-box"
  const line = fs.readFileSync(FILE, 'utf8').split('\n').findIndex((l) => l.includes('- name: from-input-box')) + 1;
  await wb.page.locator('.statusbar-item', { hasText: new RegExp(`^Ln ${line}, Col \\d+`) }).first().waitFor({ timeout: 10_000 });
});

step('Delete on a configuration asks first: Cancel keeps it, Delete removes it from the file and the view', async () => {
  await runFromPalette('View: Close All Editors');
  const row = () => wb.page.locator('.part.sidebar .monaco-list-row', { hasText: 'from-input-box' }).first();
  await runContextMenuEntry(wb.page, row(), /^Delete/);
  await answerDialog(wb.page, 'Delete the configuration "from-input-box"?', 'Cancel');
  assert.match(fs.readFileSync(FILE, 'utf8'), /from-input-box/, 'Cancel kept it');
  await runContextMenuEntry(wb.page, row(), /^Delete/);
  await answerDialog(wb.page, 'Delete the configuration "from-input-box"?', 'Delete');
  await row().waitFor({ state: 'detached', timeout: 10_000 });
  const text = fs.readFileSync(FILE, 'utf8');
  assert.doesNotMatch(text, /from-input-box/);
  assert.ok(text.startsWith(HEADER), 'the comments stay');
});
