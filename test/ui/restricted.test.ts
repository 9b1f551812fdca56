import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { execa } from 'execa';
import { ROOT, sleep, screenshot, showVmsView, step as stepIn } from './helpers';
// @ts-expect-error plain ESM helper shared with the scripts
import { startCodeServer, launchBrowser, workbenchUrl } from '../../scripts/vscode/codeServer.mjs';

// Restricted Mode, as a person sees it: the workspace is not trusted, so nothing in the menus or the
// palette offers to boot what the workspace holds; the VMs view still lists VMs.
const WORKSPACE = path.join(ROOT, 'test/fixtures/workspace');
let server: { base: string; stop: () => Promise<void> };
let browser: Browser;
let page: Page;
const shot = (name: string) => screenshot(page, `restricted-${name}`);
const step = (name: string, fn: () => Promise<void>) => stepIn('restricted', () => page, name, fn);

before(async () => {
  server = await startCodeServer({ smokeDriver: true, trustWorkspace: false });
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1400, height: 850 } });
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

step('the workspace opens in Restricted Mode', async () => {
  await page.goto(workbenchUrl(server.base, { folder: WORKSPACE, devPath: ROOT }));
  await page.locator('.statusbar-item', { hasText: 'Restricted Mode' }).first().waitFor({ timeout: 60_000 });
  await page.locator('.explorer-folders-view .monaco-list-row', { hasText: /^Containerfile$/ }).first().waitFor({ timeout: 60_000 });
  // the extension is active (its view container is there) and has seen the trust state
  await page.locator('.part.activitybar [aria-label^="Ephemeral VMs"]').first().waitFor({ timeout: 60_000 });
  await sleep(2000);
});

step('right-click Containerfile: no "Boot as Ephemeral VM"', async () => {
  const row = page.locator('.explorer-folders-view .monaco-list-row', { hasText: /^Containerfile$/ }).first();
  await row.click({ button: 'right' });
  await page.locator('.context-view .monaco-menu .action-item', { hasText: 'Copy Path' }).first().waitFor({ timeout: 10_000 });
  await sleep(500);
  const items = (await page.locator('.context-view .monaco-menu .action-item').allInnerTexts()).map((t) => t.trim()).filter(Boolean);
  await shot('01-containerfile-menu');
  await page.keyboard.press('Escape');
  assert.ok(items.some((i) => i.startsWith('Copy Path')), items.join(' | '));
  assert.ok(!items.some((i) => i.startsWith('Boot as Ephemeral VM')), items.join(' | '));
});

step('the palette offers the image boots, not the workspace\'s Containerfile or configurations', async () => {
  await page.keyboard.press('F1');
  await page.locator('.quick-input-widget input').fill('>Ephemeral VMs: Boot');
  await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Boot Image...' }).first().waitFor({ timeout: 10_000 });
  await sleep(500);
  const rows = (await page.locator('.quick-input-list .monaco-list-row').allInnerTexts()).join(' | ');
  await shot('02-palette');
  await page.keyboard.press('Escape');
  assert.match(rows, /Boot Sample Image/);
  assert.doesNotMatch(rows, /Boot Configuration/);
  assert.doesNotMatch(rows, /Boot as Ephemeral VM/);
});

step('the VMs view still lists VMs: one started with the CLI shows up', async () => {
  const name = 'ui-restricted-listed';
  const cli = path.join(ROOT, 'dist/cli.js');
  const r = await execa('node', [cli, 'run', '-d', '--name', name, '--memory', '1G', '--label', 'bootc-ephemeral-e2e=1', 'localhost/bootc-sample:latest'], { reject: false });
  assert.equal(r.exitCode, 0, String(r.stderr));
  try {
    await showVmsView(page);
    await page.locator('.part.sidebar .monaco-list-row', { hasText: name }).first().waitFor({ timeout: 30_000 });
    await shot('03-vms-view');
  } finally {
    await execa('node', [cli, 'rm', '-f', name], { reject: false });
  }
});
