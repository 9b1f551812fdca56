import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { showVmsView, Workbench, runFromPalette } from './helpers';

// No podman can be used here (the podman path names nothing): the view says why and how to fix it, and
// the commands answer with the same explanation instead of failing some other way.
const MISSING = '/nonexistent/bin/podman';
const wb = new Workbench('no-podman', {
  settings: { 'bootcEphemeral.podmanPath': MISSING },
  // should the setting not take, Boot Sample Image would really boot: leave no such VM behind
  afterStop: () => {
    const names = execFileSync('podman', ['ps', '-a', '--filter', 'label=io.bootc-ephemeral', '--format', '{{.Names}}'], { encoding: 'utf8' }).split('\n').filter((n) => n.startsWith('bootc-sample-'));
    if (names.length) execFileSync('podman', ['rm', '-f', '-t', '0', ...names], { stdio: 'ignore' });
  },
});
const { shot, step } = wb;

step('the VMs view shows one welcome: podman was not found, with the fix', async () => {
  await wb.open();
  await showVmsView(wb.page);
  const welcome = wb.page.locator('.welcome-view-content', { hasText: 'podman was not found on this machine' }).first();
  await welcome.waitFor({ timeout: 30_000 });
  assert.match(await welcome.innerText(), /sudo apt-get install podman/);
  assert.ok(await welcome.locator('a, .monaco-button', { hasText: 'Set a Podman Connection' }).count(), 'a way to a podman elsewhere');
  assert.equal(await wb.page.locator('.welcome-view-content', { hasText: 'No ephemeral VMs yet' }).count(), 0, 'not the first-steps welcome');
  await shot('01-welcome');
});

async function notificationSays(text: string): Promise<void> {
  const bell = wb.page.locator('.statusbar-item[aria-label*="otification"]').first();
  const item = wb.page.locator('.notifications-center .notification-list-item', { hasText: text }).first();
  // the notification may arrive after the centre was opened (or the click closed a centre already open):
  // open it again until the item shows, for 30 s
  for (const deadline = Date.now() + 30_000; ; ) {
    if (!(await wb.page.locator('.notifications-center.visible').count())) await bell.click();
    if (await item.waitFor({ timeout: 3000 }).then(() => true, () => false)) break;
    assert.ok(Date.now() < deadline, `no notification saying ${JSON.stringify(text)} within 30 s`);
  }
  await wb.page.keyboard.press('Escape');
}

step('commands answer with the explanation: Boot Sample Image and Stop say podman is not found', async () => {
  await runFromPalette(wb.page, 'Ephemeral VMs: Boot Sample Image');
  await notificationSays(`podman not found (looked for "${MISSING}")`);
  await runFromPalette(wb.page, 'Ephemeral VMs: Stop');
  await notificationSays(`podman not found (looked for "${MISSING}")`);
  assert.equal(await wb.page.locator('.notifications-center .notification-list-item', { hasText: /command .* not found/ }).count(), 0);
  await shot('02-command-answers');
});
