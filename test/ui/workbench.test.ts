import { before, after } from 'node:test';
import { ROOT, sleep, screenshot, showVmsView, step as stepIn } from './helpers';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
// @ts-expect-error plain ESM helper shared with the scripts
import { startCodeServer, launchBrowser, workbenchUrl, installVsix } from '../../scripts/vscode/codeServer.mjs';

// The workbench in headless Chromium, with the extension under development, or (with
// BOOTC_EPHEMERAL_UI_VSIX=file.vsix) the packaged extension installed as a user would: a file missing
// from the package shows up here. Screenshots go to test-results/screenshots.
const WORKSPACE = path.join(ROOT, 'test/fixtures/workspace');
const VSIX = process.env.BOOTC_EPHEMERAL_UI_VSIX;
const PREFIX = VSIX ? 'vsix' : 'dev';
const BOOT_ENTRY = 'Boot as Ephemeral VM';

let server: { base: string; stop: () => Promise<void> };
let browser: Browser;
let page: Page;
const shot = (name: string) => screenshot(page, `${PREFIX}-${name}`);
const step = (name: string, fn: () => Promise<void>) => stepIn(PREFIX, () => page, name, fn);

before(async () => {
  let extensionsDir: string | undefined;
  if (VSIX) {
    extensionsDir = path.join(ROOT, 'test-results', 'vsix-extensions');
    fs.rmSync(extensionsDir, { recursive: true, force: true });
    await installVsix(VSIX, extensionsDir);
  }
  server = await startCodeServer({ smokeDriver: true, extensionsDir });
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1400, height: 850 } });
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

step('the workbench loads with the Ephemeral VMs view container', async () => {
  const devPath = VSIX ? undefined : ROOT;
  await page.goto(workbenchUrl(server.base, { folder: WORKSPACE, devPath }));
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  await page.locator('.part.activitybar [aria-label^="Ephemeral VMs"]').first().waitFor({ timeout: 60_000 });
  await page.locator('.explorer-folders-view .monaco-list-row', { hasText: /^Containerfile$/ }).first().waitFor({ timeout: 60_000 });
  await shot('01-workbench');
});

step('the VMs view opens from the activity bar', async () => {
  await showVmsView(page);
  // no VM runs during the UI suite: the welcome content offers the first steps
  await page.locator('.welcome-view-content', { hasText: 'No ephemeral VMs yet' }).first().waitFor({ timeout: 15_000 });
  assert.ok(await page.locator('.welcome-view-content a, .welcome-view-content .monaco-button', { hasText: 'Boot Sample Image' }).count());
  await shot('02-vms-view');
});

step('the command palette runs "Ephemeral VMs: Check Prerequisites"', async () => {
  await page.locator('.monaco-workbench').click({ position: { x: 700, y: 400 } }).catch(() => undefined);
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await input.fill('>Ephemeral VMs: Check Prerequisites');
  await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Ephemeral VMs: Check Prerequisites' }).first().waitFor({ timeout: 10_000 });
  await shot('03-command-palette');
  await page.keyboard.press('Enter');
  await page.locator('.monaco-editor .view-lines', { hasText: 'Ephemeral VMs: prerequisites' }).first().waitFor({ timeout: 30_000 });
  await page.locator('.monaco-editor .view-lines', { hasText: 'podman' }).first().waitFor({ timeout: 5_000 });
  await shot('04-doctor-report');
});

async function contextMenuOf(file: string): Promise<string[]> {
  const row = page.locator('.explorer-folders-view .monaco-list-row', { hasText: new RegExp(`^${file.replace(/\./g, '\\.')}$`) }).first();
  await row.waitFor({ timeout: 10_000 });
  await row.click({ button: 'right' });
  await page.locator('.context-view .monaco-menu .action-item', { hasText: 'Copy Path' }).first().waitFor({ timeout: 10_000 });
  await sleep(400); // the menu fades in
  const items = await page.locator('.context-view .monaco-menu .action-item').allInnerTexts();
  return items.map((t) => t.trim()).filter(Boolean);
}

step('the Explorer offers "Boot as Ephemeral VM" on Containerfile, Dockerfile and *.containerfile', async () => {
  await page.keyboard.press('Control+Shift+E');
  for (const file of ['Containerfile', 'Dockerfile', 'web.containerfile']) {
    const items = await contextMenuOf(file);
    if (file === 'Containerfile') await shot('05-containerfile-context-menu');
    await page.keyboard.press('Escape');
    assert.ok(items.some((i) => i.startsWith(BOOT_ENTRY)), `${file}: ${items.join(' | ')}`);
  }
});

step('and not on other files', async () => {
  for (const file of ['README.md', 'Containerfile.txt']) {
    const items = await contextMenuOf(file);
    if (file === 'README.md') await shot('06-readme-context-menu');
    await page.keyboard.press('Escape');
    assert.ok(!items.some((i) => i.startsWith(BOOT_ENTRY)), `${file}: ${items.join(' | ')}`);
  }
});
