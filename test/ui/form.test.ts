import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser, Page, FrameLocator } from 'playwright-core';
import { ROOT, sleep, screenshot, runContextMenuEntry, showVmsView, step as stepIn } from './helpers';
// @ts-expect-error plain ESM helper shared with the scripts
import { startCodeServer, launchBrowser, workbenchUrl } from '../../scripts/vscode/codeServer.mjs';

// The run form (webview): create a configuration, watch it validate, save it into a file that has the
// user's comments, reopen it from the Configurations view.
const WORKSPACE = path.join(ROOT, 'test/fixtures/workspace');
const FILE = path.join(WORKSPACE, '.vscode', 'bootc-ephemeral.yaml');
const HEADER = '# team VMs: this comment must stay\nversion: 1\nconfigurations:\n  - name: existing # keep me too\n    image: localhost/bootc-sample:latest\n';
let server: { base: string; stop: () => Promise<void> };
let browser: Browser;
let page: Page;
const shot = (name: string) => screenshot(page, `form-${name}`);
const step = (name: string, fn: () => Promise<void>) => stepIn('form', () => page, name, fn);
const form = (): FrameLocator => page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');

before(async () => {
  fs.mkdirSync(path.dirname(FILE), { recursive: true });
  fs.writeFileSync(FILE, HEADER);
  server = await startCodeServer({ smokeDriver: true });
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
});

after(async () => {
  await browser?.close();
  await server?.stop();
  fs.rmSync(path.dirname(FILE), { recursive: true, force: true });
});

async function typeInto(id: string, text: string) {
  const input = form().locator(`#${id} input, #${id} textarea`).first();
  await input.click();
  await input.fill(text);
}

step('the form opens from the palette and validates as you type', async () => {
  await page.goto(workbenchUrl(server.base, { folder: WORKSPACE, devPath: ROOT }));
  await showVmsView(page);
  await page.locator('.part.sidebar .monaco-list-row', { hasText: 'existing' }).first().waitFor({ timeout: 30_000 });
  await page.keyboard.press('F1');
  await page.locator('.quick-input-widget input').fill('>Ephemeral VMs: Edit Configuration (Form)');
  await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Edit Configuration (Form)' }).first().click();
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
  await sleep(300);
  await shot('02-valid');
});

step('Save writes the configuration into the file, keeping the comments', async () => {
  await form().locator('#save').click();
  await form().locator('#status', { hasText: 'saved to' }).waitFor({ timeout: 10_000 });
  const text = fs.readFileSync(FILE, 'utf8');
  assert.ok(text.startsWith(HEADER), text);
  assert.match(text, / {2}- name: from-form\n {4}image: localhost\/bootc-sample:latest\n {4}memory: 2G\n {4}karg:\n {6}- quiet\n/);
  await page.locator('.part.sidebar .monaco-list-row', { hasText: 'from-form' }).first().waitFor({ timeout: 10_000 });
});

step('reopening it from the Configurations view shows the saved values', async () => {
  // close the form first, so that the reopened one is the only webview
  await page.locator('.part.sidebar').first().click();
  await page.keyboard.press('F1');
  await page.locator('.quick-input-widget input').fill('>View: Close All Editors');
  await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Close All Editors' }).first().click();
  await page.locator('iframe.webview').first().waitFor({ state: 'detached', timeout: 10_000 });
  const row = page.locator('.part.sidebar .monaco-list-row', { hasText: 'from-form' }).first();
  await runContextMenuEntry(page, row, 'Edit Configuration (Form)');
  await form().locator('#name').waitFor({ timeout: 30_000 });
  const value = async (id: string) => form().locator(`#${id}`).evaluate((el) => (el as unknown as { value: string }).value);
  for (let i = 0; i < 50 && (await value('name')) !== 'from-form'; i++) await sleep(100);
  assert.equal(await value('name'), 'from-form');
  assert.equal(await value('memory'), '2G');
  assert.equal(await value('karg'), 'quiet');
  await shot('03-reopened');
});
