import assert from 'node:assert/strict';
import * as path from 'node:path';
import { execa } from 'execa';
import { ROOT, showVmsView, Workbench, menuEntries, waitUntil } from './helpers';

// Restricted Mode, as a person sees it: the workspace is not trusted, so nothing in the menus or the
// palette offers to boot what the workspace holds; the VMs view still lists VMs.
const wb = new Workbench('restricted', { trustWorkspace: false });
const { shot, step } = wb;

step('the workspace opens in Restricted Mode', async () => {
  await wb.open();
  await wb.page.locator('.statusbar-item', { hasText: 'Restricted Mode' }).first().waitFor({ timeout: 60_000 });
  await wb.page.locator('.explorer-folders-view .monaco-list-row', { hasText: /^Containerfile$/ }).first().waitFor({ timeout: 60_000 });
  // our contributions are loaded (the view container is there); the palette step below sees our commands
  await wb.page.locator('.part.activitybar [aria-label^="Ephemeral VMs"]').first().waitFor({ timeout: 60_000 });
});

step('the palette offers the image boots, not the workspace\'s Containerfile or configurations', async () => {
  await wb.page.keyboard.press('F1');
  await wb.page.locator('.quick-input-widget input').fill('>Ephemeral VMs: Boot');
  await wb.page.locator('.quick-input-list .monaco-list-row', { hasText: 'Boot Image...' }).first().waitFor({ timeout: 10_000 });
  // the list fills as the filter matches: read it once it stops changing
  let last = '';
  const rows = await waitUntil('the palette list to settle', async () => {
    const now = (await wb.page.locator('.quick-input-list .monaco-list-row').allInnerTexts()).join(' | ');
    const settled = now === last;
    last = now;
    return settled && now;
  }, 10_000, 300);
  await shot('02-palette');
  await wb.page.keyboard.press('Escape');
  assert.match(rows, /Boot Sample Image/);
  assert.doesNotMatch(rows, /Boot Configuration/);
  assert.doesNotMatch(rows, /Boot as Ephemeral VM/);
});

step('right-click Containerfile: no "Boot as Ephemeral VM"', async () => {
  const row = wb.page.locator('.explorer-folders-view .monaco-list-row', { hasText: /^Containerfile$/ }).first();
  await row.click({ button: 'right' });
  await wb.page.locator('.context-view .monaco-menu .action-item', { hasText: 'Copy Path' }).first().waitFor({ timeout: 10_000 });
  const items = await menuEntries(wb.page);
  await shot('01-containerfile-menu');
  await wb.page.keyboard.press('Escape');
  assert.ok(items.some((i) => i.startsWith('Copy Path')), items.join(' | '));
  assert.ok(!items.some((i) => i.startsWith('Boot as Ephemeral VM')), items.join(' | '));
});

step('the VMs view still lists VMs: one started with the CLI shows up', async () => {
  const name = 'ui-restricted-listed';
  const cli = path.join(ROOT, 'dist/cli.js');
  const r = await execa('node', [cli, 'run', '-d', '--name', name, '--memory', '1G', '--label', 'bootc-ephemeral-e2e=1', 'localhost/bootc-sample:latest'], { reject: false });
  assert.equal(r.exitCode, 0, String(r.stderr));
  try {
    await showVmsView(wb.page);
    await wb.page.locator('.part.sidebar .monaco-list-row', { hasText: name }).first().waitFor({ timeout: 30_000 });
    await shot('03-vms-view');
  } finally {
    await execa('node', [cli, 'rm', '-f', name], { reject: false });
  }
});
