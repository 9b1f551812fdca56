import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import { launchBrowser, startCodeServer, workbenchUrl, type CodeServer } from '../../scripts/vscode/codeServer.mjs';

export const ROOT = path.resolve(__dirname, '../../..');
export const SHOTS = path.join(ROOT, 'test-results', 'screenshots');
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const WORKSPACE = path.join(ROOT, 'test/fixtures/workspace');
export { workbenchUrl };

/**
 * One real VS Code for a suite: a private code-server and headless Chromium, started before the suite's
 * first test and stopped after its last; `step` names screenshots after the suite.
 */
export class Workbench {
  private started: { server: CodeServer; browser: Browser; page: Page } | undefined;

  constructor(
    readonly prefix: string,
    opts: { settings?: Record<string, unknown>; trustWorkspace?: boolean; extensionsDir?: () => Promise<string | undefined>; height?: number; afterStop?: () => void | Promise<void> } = {},
  ) {
    before(async () => {
      const server = await startCodeServer({ smokeDriver: true, settings: opts.settings, trustWorkspace: opts.trustWorkspace ?? true, extensionsDir: await opts.extensionsDir?.() });
      const browser = await launchBrowser();
      this.started = { server, browser, page: await browser.newPage({ viewport: { width: 1400, height: opts.height ?? 850 } }) };
    });
    after(async () => {
      await this.started?.browser.close();
      await this.started?.server.stop();
      await opts.afterStop?.();
    });
  }

  get page(): Page {
    if (!this.started) throw new Error('the workbench is not started (used outside a test?)');
    return this.started.page;
  }

  get server(): CodeServer {
    if (!this.started) throw new Error('the workbench is not started (used outside a test?)');
    return this.started.server;
  }

  /** Opens the fixture workspace with the extension under development. */
  open(): Promise<unknown> {
    return this.page.goto(workbenchUrl(this.server.base, { folder: WORKSPACE, devPath: ROOT }));
  }

  shot = (name: string): Promise<void> => screenshot(this.page, `${this.prefix}-${name}`);

  step = (name: string, fn: () => Promise<void>, timeout?: number): void => step(this.prefix, () => this.page, name, fn, timeout);
}

export async function screenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
}

/** A test step that leaves a screenshot behind when it fails. */
export function step(prefix: string, page: () => Page, name: string, fn: () => Promise<void>, timeout = 300_000): void {
  test(name, { timeout }, async () => {
    try {
      await fn();
    } catch (e) {
      await screenshot(page(), `${prefix}-FAILED-${name.replace(/\W+/g, '_')}`).catch(() => undefined);
      throw e;
    }
  });
}

/**
 * Shows the Ephemeral VMs container. Clicking its activity-bar icon when it is already shown would hide the
 * side bar, and once a VM runs the icon's badge lies over it (the whole icon, in some layouts): the click
 * goes near the top-left corner, forced (a click on the badge is the icon's: the action item takes it).
 */
export async function showVmsView(page: Page): Promise<void> {
  const icon = page.locator('.part.activitybar [aria-label^="Ephemeral VMs"]').first();
  await icon.waitFor({ timeout: 60_000 });
  const title = page.locator('.part.sidebar .title-label', { hasText: /Ephemeral VMs/i }).first();
  // a click the workbench did not take (it was busy, e.g. right after a view switch) is made again
  await waitUntil('the Ephemeral VMs view', async () => {
    if (await title.isVisible()) return true;
    await icon.click({ position: { x: 4, y: 4 }, force: true, timeout: 5_000 });
    return title.waitFor({ timeout: 3_000 }).then(() => true, () => false);
  }, 20_000, 0);
}

/** Polls `fn` until it gives a value (not undefined/false/empty string); fails after `timeoutMs` saying what it waited for. */
export async function waitUntil<T>(what: string, fn: () => Promise<T | undefined | false | ''>, timeoutMs = 10_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false && v !== '') return v as T;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** Waits until the open context menu has finished fading in: a click during the animation is lost. */
export async function menuSettled(page: Page): Promise<void> {
  await page.waitForFunction(() => {
    const menu = document.querySelector('.context-view .monaco-menu');
    return !!menu && document.querySelector('.context-view')!.getAnimations({ subtree: true }).every((a) => a.playState === 'finished');
  }, undefined, { timeout: 10_000 });
}

/** The entries of the open context menu, once it has settled. */
export async function menuEntries(page: Page): Promise<string[]> {
  await menuSettled(page);
  return (await page.locator('.context-view .monaco-menu .action-item').allInnerTexts()).map((t) => t.trim()).filter(Boolean);
}

/**
 * Right-clicks `row` and runs the context-menu entry `entry`, once the menu has settled; clicks again
 * while the menu stays open (a click VS Code did not take).
 */
export async function runContextMenuEntry(page: Page, row: Locator, entry: string | RegExp, modifiers: ('Control' | 'Shift')[] = []): Promise<void> {
  const item = page.locator('.context-view .monaco-menu .action-item', { hasText: entry }).first();
  // a tree that re-renders under the right-click (a view refresh) takes the menu away, or gives the
  // row's previous one: right-click again; in the end, say what the menu offered
  for (let attempt = 1; ; attempt++) {
    await row.click({ button: 'right', modifiers });
    if (await item.waitFor({ timeout: 5_000 }).then(() => true, () => false)) break;
    const offered = await menuEntries(page).catch((): string[] => []);
    await page.keyboard.press('Escape');
    if (attempt === 3) throw new Error(`the context menu has no entry ${entry} after 3 right-clicks; it offered: ${offered.join(' | ') || 'nothing (no menu)'}`);
  }
  for (let i = 0; i < 5; i++) {
    await menuSettled(page).catch(() => undefined); // gone meanwhile: the click below finds out
    if (!(await item.isVisible())) return;
    await item.click().catch(() => undefined);
    try {
      await page.locator('.context-view .monaco-menu').first().waitFor({ state: 'hidden', timeout: 2_000 });
      return;
    } catch {
      /* still open: the click was lost */
    }
  }
  throw new Error(`the context menu entry ${entry} could not be clicked`);
}

/** Runs a command from the palette (F1), by its full title. */
export async function runFromPalette(page: Page, title: string): Promise<void> {
  const input = page.locator('.quick-input-widget input');
  // F1 that did not open it (focus in a settings input), or a palette closed again at once (an editor
  // taking the focus back), is tried again
  await waitUntil('the command palette', async () => {
    await page.keyboard.press('F1');
    const open = await input.waitFor({ state: 'visible', timeout: 3_000 }).then(() => true, () => false);
    return open && input.fill(`>${title}`, { timeout: 3_000 }).then(() => true, () => false);
  }, 30_000, 500);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().click();
}

/** Picks the row of the open quick pick that shows `text`. */
export async function pickInQuickPick(page: Page, text: string | RegExp): Promise<void> {
  const row = page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: text }).first();
  await row.waitFor({ timeout: 30_000 });
  await row.click();
}

/** Types into the open input box and presses Enter. */
export async function answerInputBox(page: Page, text: string): Promise<void> {
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await input.fill(text);
  await page.keyboard.press('Enter');
}

/** Clicks a button of the modal dialog that says `question`. */
export async function answerDialog(page: Page, question: string | RegExp, button: string): Promise<void> {
  const dialog = page.locator('.monaco-dialog-box', { hasText: question }).first();
  await dialog.waitFor({ timeout: 15_000 });
  await dialog.locator('.monaco-button', { hasText: new RegExp(`^${button.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) }).first().click();
  await dialog.waitFor({ state: 'detached', timeout: 10_000 });
}

/**
 * The notification centre's item that says `text`, the centre opened (the smoke-test driver hides
 * toasts); a click on the bell that did not take (a menu still closing) is made again.
 */
export async function notificationItem(page: Page, text: string | RegExp, timeoutMs: number): Promise<Locator> {
  const item = page.locator('.notifications-center .notification-list-item', { hasText: text }).first();
  await waitUntil(`a notification saying ${text}`, async () => {
    if (!(await page.locator('.notifications-center').first().isVisible())) await page.locator('.statusbar-item[aria-label*="otification"]').first().click();
    return item.isVisible();
  }, timeoutMs, 1_000);
  return item;
}

/**
 * The notification that says `text`, from the notification centre (the smoke-test driver hides toasts):
 * its buttons' labels; with `click`, that button is pressed.
 */
export async function notificationActions(page: Page, text: string | RegExp, click?: string): Promise<string[]> {
  const item = await notificationItem(page, text, 120_000);
  const labels = (await item.locator('.monaco-button').allInnerTexts()).map((t) => t.trim()).filter(Boolean);
  if (click) await item.locator('.monaco-button', { hasText: new RegExp(`^${click}$`) }).first().click();
  return labels;
}

/** Opens a file of the workspace in an editor through Quick Open. */
export async function openFileByPath(page: Page, relativePath: string): Promise<void> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await input.fill(relativePath);
  const [dir, base] = [path.dirname(relativePath), path.basename(relativePath)];
  await page.locator('.quick-input-list .monaco-list-row', { hasText: base }).filter({ hasText: dir }).first().click({ timeout: 30_000 });
  await page.locator('.tabs-container .tab.active', { hasText: base }).first().waitFor({ timeout: 15_000 });
}

/**
 * Sets a user setting through the Settings editor, as a person would (code-server does not pick up
 * writes to its settings file while it runs); returns once the editor has written it to that file
 * (a default value is written by removing the key). `value` is typed into the setting's input.
 */
export async function setUserSetting(page: Page, server: { state: string }, key: string, title: RegExp, value: string, isDefault = false): Promise<void> {
  await runFromPalette(page, 'Preferences: Open User Settings');
  await page.locator('.settings-editor .settings-header .suggest-input-container').first().click({ timeout: 15_000 });
  await page.keyboard.type(`@id:${key}`);
  const input = page.locator('.settings-editor .setting-item-contents', { hasText: title }).locator('input').first();
  await input.waitFor({ timeout: 15_000 });
  await input.fill(value);
  await input.press('Tab');
  const file = path.join(server.state, 'data/User/settings.json');
  const written = () => {
    const text = fs.readFileSync(file, 'utf8');
    return isDefault ? !text.includes(`"${key}"`) : new RegExp(`"${key.replace(/\./g, '\\.')}":\\s*"?${value}"?\\s*[,}\\n]`).test(text);
  };
  await waitUntil(`${key} written to the user settings`, async () => written(), 15_000, 250).catch((e: Error) => {
    throw new Error(`${e.message}; the file has:\n${fs.readFileSync(file, 'utf8').slice(-300)}`);
  });
  await runFromPalette(page, 'View: Close Editor');
}

/** Picks a colour theme from Preferences: Color Theme (e.g. "Dark Modern"). */
export async function pickColorTheme(page: Page, label: string): Promise<void> {
  await runFromPalette(page, 'Preferences: Color Theme');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await input.fill(label);
  await page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: new RegExp(`^${label}`) }).first().click({ timeout: 10_000 });
}
