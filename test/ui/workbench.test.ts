import { ROOT, showVmsView, Workbench, WORKSPACE, workbenchUrl, menuEntries } from './helpers';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { installVsix } from '../../scripts/vscode/codeServer.mjs';

// The workbench in headless Chromium, with the extension under development, or (with
// BOOTC_EPHEMERAL_UI_VSIX=file.vsix) the packaged extension installed as a user would: a file missing
// from the package shows up here. Screenshots go to test-results/screenshots.
const VSIX = process.env.BOOTC_EPHEMERAL_UI_VSIX;
const PREFIX = VSIX ? 'vsix' : 'dev';
const BOOT_ENTRY = 'Boot as Ephemeral VM';

const wb = new Workbench(PREFIX, {
  extensionsDir: async () => {
    if (!VSIX) return undefined;
    const dir = path.join(ROOT, 'test-results', 'vsix-extensions');
    fs.rmSync(dir, { recursive: true, force: true });
    await installVsix(VSIX, dir);
    return dir;
  },
});
const { shot, step } = wb;

step('the workbench loads with the Ephemeral VMs view container', async () => {
  const devPath = VSIX ? undefined : ROOT;
  await wb.page.goto(workbenchUrl(wb.server.base, { folder: WORKSPACE, devPath }));
  await wb.page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  await wb.page.locator('.part.activitybar [aria-label^="Ephemeral VMs"]').first().waitFor({ timeout: 60_000 });
  await wb.page.locator('.explorer-folders-view .monaco-list-row', { hasText: /^Containerfile$/ }).first().waitFor({ timeout: 60_000 });
  await shot('01-workbench');
});

step('the VMs view opens from the activity bar', async () => {
  await showVmsView(wb.page);
  // no VM runs during the UI suite: the welcome content offers the first steps
  await wb.page.locator('.welcome-view-content', { hasText: 'No ephemeral VMs yet' }).first().waitFor({ timeout: 15_000 });
  assert.ok(await wb.page.locator('.welcome-view-content a, .welcome-view-content .monaco-button', { hasText: 'Boot Sample Image' }).count());
  await shot('02-vms-view');
});

step('the command palette runs "Ephemeral VMs: Check Prerequisites"', async () => {
  await wb.page.locator('.monaco-workbench').click({ position: { x: 700, y: 400 } }).catch(() => undefined);
  await wb.page.keyboard.press('F1');
  const input = wb.page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await input.fill('>Ephemeral VMs: Check Prerequisites');
  await wb.page.locator('.quick-input-list .monaco-list-row', { hasText: 'Ephemeral VMs: Check Prerequisites' }).first().waitFor({ timeout: 10_000 });
  await shot('03-command-palette');
  await wb.page.keyboard.press('Enter');
  await wb.page.locator('.monaco-editor .view-lines', { hasText: 'Ephemeral VMs: prerequisites' }).first().waitFor({ timeout: 30_000 });
  await wb.page.locator('.monaco-editor .view-lines', { hasText: 'podman' }).first().waitFor({ timeout: 5_000 });
  await shot('04-doctor-report');
});

async function contextMenuOf(file: string): Promise<string[]> {
  const row = wb.page.locator('.explorer-folders-view .monaco-list-row', { hasText: new RegExp(`^${file.replace(/\./g, '\\.')}$`) }).first();
  await row.waitFor({ timeout: 10_000 });
  await row.click({ button: 'right' });
  await wb.page.locator('.context-view .monaco-menu .action-item', { hasText: 'Copy Path' }).first().waitFor({ timeout: 10_000 });
  return menuEntries(wb.page);
}

step('the Explorer offers "Boot as Ephemeral VM" on Containerfile, Dockerfile and *.containerfile', async () => {
  await wb.page.keyboard.press('Control+Shift+E');
  for (const file of ['Containerfile', 'Dockerfile', 'web.containerfile']) {
    const items = await contextMenuOf(file);
    if (file === 'Containerfile') await shot('05-containerfile-context-menu');
    await wb.page.keyboard.press('Escape');
    assert.ok(items.some((i) => i.startsWith(BOOT_ENTRY)), `${file}: ${items.join(' | ')}`);
  }
});

step('and not on other files', async () => {
  for (const file of ['README.md', 'Containerfile.txt']) {
    const items = await contextMenuOf(file);
    if (file === 'README.md') await shot('06-readme-context-menu');
    await wb.page.keyboard.press('Escape');
    assert.ok(!items.some((i) => i.startsWith(BOOT_ENTRY)), `${file}: ${items.join(' | ')}`);
  }
});
