import { sleep, runContextMenuEntry, showVmsView, Workbench } from './helpers';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';

// A person's everyday loop, in the workbench: right-click the Containerfile, watch the VM boot in
// the view, type in the SSH terminal, stop it. The screenshots are the README's.
let vmName = '';
const wb = new Workbench('vm', {
  settings: { 'bootcEphemeral.defaultMemory': '2G', 'terminal.integrated.gpuAcceleration': 'off' },
  afterStop: () => {
    // by label, not by the name read from the view: a step that fails before reading it leaves no VM behind
    const ours = execFileSync('podman', ['ps', '-a', '--filter', 'label=io.bootc-ephemeral', '--format', '{{.Names}}'], { encoding: 'utf8' })
      .split('\n')
      .filter((name) => name.startsWith('workspace-ephemeral-'));
    if (ours.length) execFileSync('podman', ['rm', '-f', '-t', '0', ...ours], { stdio: 'ignore' });
  },
});
const { shot, step } = wb;

const vmRow = () => wb.page.locator('.part.sidebar .monaco-list-row', { hasText: 'workspace-ephemeral' }).first();

step('right-click Containerfile → Boot as Ephemeral VM shows the boot progress', async () => {
  await wb.open();
  await wb.page.locator('.part.activitybar [aria-label^="Ephemeral VMs"]').first().waitFor({ timeout: 60_000 });
  const row = wb.page.locator('.explorer-folders-view .monaco-list-row', { hasText: /^Containerfile$/ }).first();
  await row.waitFor({ timeout: 60_000 });
  // right after load the workbench may still be settling workspace trust (the entry needs it): retry
  const entry = wb.page.locator('.context-view .monaco-menu .action-item', { hasText: 'Boot as Ephemeral VM' }).first();
  for (let i = 0; ; i++) {
    await row.click({ button: 'right' });
    await wb.page.locator('.context-view .monaco-menu .action-item', { hasText: 'Copy Path' }).first().waitFor({ timeout: 10_000 });
    if (await entry.count()) break;
    await wb.page.keyboard.press('Escape');
    if (i > 20) throw new Error('no "Boot as Ephemeral VM" entry on Containerfile');
    await sleep(500);
  }
  await sleep(500); // the menu fades in; a click during the animation is lost
  await entry.click();
  // the smoke-test driver hides toasts: the progress is in the notification centre
  await sleep(1500);
  await wb.page.locator('.statusbar-item[aria-label*="otification"]').first().click();
  await wb.page.locator('.notifications-center .notification-list-item', { hasText: /Ephemeral VM/ }).first().waitFor({ timeout: 30_000 });
  await wb.page.locator('.notifications-center .notification-list-item', { hasText: /Booting|Starting|Building/ }).first().waitFor({ timeout: 120_000 });
  await shot('01-boot-progress');
  await wb.page.locator('.statusbar-item[aria-label*="otification"]').first().click();
});

step('the VM is listed as booting, then ready', async () => {
  await showVmsView(wb.page);
  await vmRow().waitFor({ timeout: 60_000 });
  vmName = (await vmRow().locator('.label-name').first().innerText()).trim();
  await wb.page.locator('.part.sidebar .monaco-list-row', { hasText: /booting|ready/ }).first().waitFor({ timeout: 30_000 });
  await wb.page.locator('.part.sidebar .monaco-list-row', { hasText: /· ready/ }).first().waitFor({ timeout: 240_000 });
  await vmRow().hover();
  await sleep(1200); // the tooltip
  await shot('02-vm-ready');
  assert.match(vmName, /^workspace-ephemeral-[0-9a-f]{4}$/);
});

step('an SSH terminal opened; a command typed in it runs in the guest', async () => {
  const term = wb.page.locator('.terminal-wrapper .xterm-rows').first();
  await term.waitFor({ timeout: 60_000 });
  await wb.page.locator('.terminal-wrapper .xterm-rows', { hasText: 'root@bootc-sample' }).first().waitFor({ timeout: 90_000 });
  await wb.page.locator('.terminal-wrapper').first().click();
  await wb.page.keyboard.type('uname -sr; ls /run/virtiofs-mnt-workspace\n');
  await wb.page.locator('.terminal-wrapper .xterm-rows', { hasText: 'Linux 6.' }).first().waitFor({ timeout: 30_000 });
  await wb.page.locator('.terminal-wrapper .xterm-rows', { hasText: 'web.containerfile' }).first().waitFor({ timeout: 30_000 });
  await shot('03-ssh-terminal');
});

step('Open Console from the VM\'s context menu: the boot log, then a root shell on ttyS0', async () => {
  await runContextMenuEntry(wb.page, vmRow(), 'Open Console');
  const rows = wb.page.locator('.terminal-wrapper .xterm-rows', { hasText: 'attached to the serial console' }).first();
  await rows.waitFor({ timeout: 30_000 });
  // xterm's widget layer sits over the rows: click their wrapper (its parent) to focus the terminal
  await wb.page.locator('.terminal-wrapper', { has: wb.page.locator('.xterm-rows', { hasText: 'attached to the serial console' }) }).first().click();
  await wb.page.keyboard.type('echo console-$((6*7)) $(tty)');
  await wb.page.keyboard.press('Enter');
  await wb.page.locator('.terminal-wrapper .xterm-rows', { hasText: 'console-42 /dev/ttyS0' }).first().waitFor({ timeout: 30_000 });
  await shot('04-console');
});

step('Stop from the VM\'s context menu removes it from the view', async () => {
  await runContextMenuEntry(wb.page, vmRow(), /^Stop$/);
  await vmRow().waitFor({ state: 'detached', timeout: 30_000 });
  await shot('05-after-stop');
  const names = execFileSync('podman', ['ps', '-a', '--format', '{{.Names}}'], { encoding: 'utf8' });
  assert.ok(!names.includes(vmName), 'the container is gone');
  vmName = '';
});
