import { ROOT, sleep, runContextMenuEntry, showVmsView, Workbench, menuSettled, waitUntil, runFromPalette, pickInQuickPick, answerInputBox, answerDialog, notificationActions, notificationItem, openFileByPath, WORKSPACE, setUserSetting, pickColorTheme } from './helpers';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

// A person's everyday loop, in the workbench: right-click the Containerfile, watch the VM boot in
// the view, type in the SSH terminal, forward a port, then the palette's boots, the status bar, the
// multi-select, Remove and Remove All with their dialogs. The screenshots are the README's.
let vmName = '';
const wb = new Workbench('vm', {
  settings: { 'bootcEphemeral.defaultMemory': '2G', 'terminal.integrated.gpuAcceleration': 'off' },
  afterStop: () => {
    fs.rmSync(BROKEN_BUILD, { recursive: true, force: true });
    // by label, not by the names read from the view: a step that fails before reading them leaves no VM behind
    const ours = ourVms().filter((name) => /^(workspace-ephemeral|bootc-sample)-/.test(name));
    if (ours.length) execFileSync('podman', ['rm', '-f', '-t', '0', ...ours], { stdio: 'ignore' });
  },
});
const { shot, step } = wb;
/** a Containerfile whose build fails, made and removed by its step */
const BROKEN_BUILD = path.join(WORKSPACE, 'broken-build');

function ourVms(): string[] {
  return execFileSync('podman', ['ps', '-a', '--filter', 'label=io.bootc-ephemeral', '--format', '{{.Names}}'], { encoding: 'utf8' }).split('\n').filter(Boolean);
}

const rows = (text: string | RegExp) => wb.page.locator('.part.sidebar .monaco-list-row', { hasText: text });
const vmRow = () => rows('workspace-ephemeral').first();
const forwardRow = () => rows(/^127\.0\.0\.1:\d+/).first();
const terminalRows = (text: string | RegExp) => wb.page.locator('.terminal-wrapper .xterm-rows', { hasText: text }).first();
/** The sample-image VMs in the view (not the Containerfile's), by name. */
const sampleVmNames = async () => (await rows(/^bootc-sample-[0-9a-f]{4}/).locator('.label-name').allInnerTexts()).map((t) => t.trim());

/** Focuses the terminal whose rows show `text` (xterm's widget layer sits over the rows: click their wrapper). */
async function focusTerminal(text: string | RegExp): Promise<void> {
  await wb.page.locator('.terminal-wrapper', { has: wb.page.locator('.xterm-rows', { hasText: text }) }).first().click();
}

step('right-click Containerfile → Boot as Ephemeral VM shows the boot progress', async () => {
  await wb.open();
  await wb.page.locator('.part.activitybar [aria-label^="Ephemeral VMs"]').first().waitFor({ timeout: 60_000 });
  const row = wb.page.locator('.explorer-folders-view .monaco-list-row', { hasText: /^Containerfile$/ }).first();
  await row.waitFor({ timeout: 60_000 });
  // right after load the workbench may still be settling workspace trust (the entry needs it): ask again until it is there
  const entry = wb.page.locator('.context-view .monaco-menu .action-item', { hasText: 'Boot as Ephemeral VM' }).first();
  await waitUntil('"Boot as Ephemeral VM" on Containerfile', async () => {
    await row.click({ button: 'right' });
    await wb.page.locator('.context-view .monaco-menu .action-item', { hasText: 'Copy Path' }).first().waitFor({ timeout: 10_000 });
    await menuSettled(wb.page);
    if (await entry.count()) return true;
    await wb.page.keyboard.press('Escape');
    return false;
  }, 30_000, 200);
  await entry.click();
  // the smoke-test driver hides toasts: the progress is in the notification centre (which updates while open)
  await notificationItem(wb.page, /Ephemeral VM/, 30_000);
  await wb.page.locator('.notifications-center .notification-list-item', { hasText: /Booting|Starting|Building/ }).first().waitFor({ timeout: 120_000 });
  await shot('01-boot-progress');
  await wb.page.locator('.statusbar-item[aria-label*="otification"]').first().click();
});

step('the VM is listed as booting, then ready', async () => {
  await showVmsView(wb.page);
  await vmRow().waitFor({ timeout: 60_000 });
  vmName = (await vmRow().locator('.label-name').first().innerText()).trim();
  await rows(/booting|ready/).first().waitFor({ timeout: 30_000 });
  await rows(/· ready/).first().waitFor({ timeout: 240_000 });
  await vmRow().hover();
  await wb.page.locator('.monaco-hover, .workbench-hover', { hasText: 'Accelerator' }).first().waitFor({ timeout: 10_000 });
  await shot('02-vm-ready');
  assert.match(vmName, /^workspace-ephemeral-[0-9a-f]{4}$/);
});

step('an SSH terminal opened; a command typed in it runs in the guest', async () => {
  await terminalRows('root@bootc-sample').waitFor({ timeout: 90_000 });
  await focusTerminal('root@bootc-sample');
  await wb.page.keyboard.type('uname -sr; ls /run/virtiofs-mnt-workspace\n');
  await terminalRows('Linux 6.').waitFor({ timeout: 30_000 });
  await terminalRows('web.containerfile').waitFor({ timeout: 30_000 });
  await shot('03-ssh-terminal');
  // a web server in the guest, for the forward below
  await wb.page.keyboard.type('mkdir -p /run/www && echo hello-from-ui > /run/www/index.html && busybox httpd -p 127.0.0.1:8080 -h /run/www && echo httpd-$((6*7))\n');
  await terminalRows('httpd-42').waitFor({ timeout: 30_000 });
});

step('Open Console from the VM\'s context menu: the boot log, then a root shell on ttyS0', async () => {
  await runContextMenuEntry(wb.page, vmRow(), 'Open Console');
  await terminalRows('attached to the serial console').waitFor({ timeout: 30_000 });
  await focusTerminal('attached to the serial console');
  // the serial getty may start after the VM is ready (early SSH; the image's start-up still scrolls by on
  // the console): agetty drops what was typed before it, so type again until the shell answers
  for (const end = Date.now() + 90_000; ;) {
    await wb.page.keyboard.type('echo console-$((6*7)) $(tty)');
    await wb.page.keyboard.press('Enter');
    const answered = await terminalRows('console-42 /dev/ttyS0').waitFor({ timeout: 5_000 }).then(() => true, () => false);
    if (answered) break;
    assert.ok(Date.now() < end, 'the console\'s shell never answered');
  }
  await shot('04-console');
});

let localPort = 0;
step('Forward Port... from the VM\'s context menu: the input box refuses a bad port, takes 8080; the forward shows under the VM', async () => {
  await runContextMenuEntry(wb.page, vmRow(), 'Forward Port...');
  const input = wb.page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await input.fill('80x');
  await wb.page.locator('.quick-input-widget .quick-input-message', { hasText: 'A port from 1 to 65535' }).first().waitFor({ timeout: 10_000 });
  await answerInputBox(wb.page, '8080');
  await forwardRow().waitFor({ timeout: 30_000 });
  localPort = Number((await forwardRow().locator('.label-name').first().innerText()).trim().split(':')[1]);
  assert.ok(localPort > 0);
  assert.equal(await (await fetch(`http://127.0.0.1:${localPort}/index.html`)).text(), 'hello-from-ui\n');
  await shot('05-forward');
});

step('Open in Browser on the forward opens the guest\'s page', async () => {
  const opened = wb.page.context().waitForEvent('page', { timeout: 30_000 });
  await runContextMenuEntry(wb.page, forwardRow(), 'Open in Browser');
  const page = await opened;
  await page.waitForLoadState('domcontentloaded');
  // code-server may route 127.0.0.1:PORT through its own proxy; either way the guest's page shows
  await waitUntil('the guest\'s page in the new tab', async () => (await page.content()).includes('hello-from-ui'), 30_000);
  assert.match(page.url(), new RegExp(`${localPort}`), page.url());
  await page.close();
});

step('Stop Forwarding on the forward removes it; the port closes', async () => {
  await runContextMenuEntry(wb.page, forwardRow(), 'Stop Forwarding');
  await forwardRow().waitFor({ state: 'detached', timeout: 10_000 });
  await assert.rejects(fetch(`http://127.0.0.1:${localPort}/index.html`));
});

step('Open SSH Terminal from the palette: its quick pick lists the VM; the new session runs a command', async () => {
  await runFromPalette(wb.page, 'Ephemeral VMs: Open SSH Terminal');
  await pickInQuickPick(wb.page, vmName);
  await wb.page.locator('.terminal-tabs-entry', { hasText: `SSH: ${vmName}` }).nth(1).waitFor({ timeout: 30_000 });
  // the new terminal is the active one: its rows get the prompt
  await waitUntil('a prompt in the new SSH terminal', async () => (await wb.page.locator('.terminal-wrapper.active .xterm-rows').innerText().catch(() => '')).includes('root@bootc-sample'), 60_000);
  await wb.page.locator('.terminal-wrapper.active').click();
  await wb.page.keyboard.type('echo second-session-$((6*7))\n');
  await wb.page.locator('.terminal-wrapper.active .xterm-rows', { hasText: 'second-session-42' }).waitFor({ timeout: 30_000 });
});

step('Show Boot Timeline from the VM\'s context menu: where its boot went, as a chart (light and dark themes); the tooltip links to it', async () => {
  await showVmsView(wb.page);
  await runContextMenuEntry(wb.page, vmRow(), /^Show Boot Timeline$/);
  // the guest's systemd-analyze reads every unit over D-Bus: seconds under TCG, more while the workbench renders
  await wb.page.locator('.tabs-container .tab.active', { hasText: `Boot Timeline: ${vmName}` }).first().waitFor({ timeout: 120_000 });
  const page = wb.page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
  await page.locator('h1', { hasText: `Boot timeline: ${vmName}` }).waitFor({ timeout: 30_000 });
  // the chain starts at early SSH's address unit (its long name shortened in the label column)
  await page.locator('svg text', { hasText: /^bootc-ephemeral-ssh-address@eth1\.…$/ }).first().waitFor({ timeout: 10_000 });
  for (const phase of ['kernel', 'initrd', 'userspace']) assert.equal(await page.locator(`rect.${phase}`).count(), 1, phase);
  assert.ok((await page.locator('rect.took').count()) >= 2, 'the chain and the slowest units are drawn');
  // the image's own kernel arguments (the workspace Containerfile ships a kargs.d file): which file gave which
  await page.locator('li', { hasText: '/usr/lib/bootc/kargs.d/10-workspace.toml: bcetest.workspace=1' }).waitFor({ timeout: 10_000 });
  await shot('11-boot-timeline-light');
  await pickColorTheme(wb.page, 'Dark Modern');
  try {
    await wb.page.locator('.monaco-workbench.vs-dark').first().waitFor({ timeout: 15_000 });
    await sleep(500); // the webview takes the theme's colours after the workbench
    await shot('11-boot-timeline-dark');
    await showVmsView(wb.page);
    await vmRow().hover();
    await wb.page.locator('.monaco-hover', { hasText: 'Boot Timeline' }).first().waitFor({ timeout: 15_000 });
    await shot('12-vm-ready-dark');
  } finally {
    await pickColorTheme(wb.page, 'Light Modern');
  }
  await wb.page.locator('.monaco-workbench.vs').first().waitFor({ timeout: 15_000 });
  await runFromPalette(wb.page, 'View: Close Editor');
});

step('the status-bar item lists the running VM; its Tail Journal action streams the guest journal', async () => {
  const item = wb.page.locator('.statusbar-item', { has: wb.page.locator('.codicon-vm-running') }).first();
  await item.waitFor({ timeout: 30_000 });
  assert.match(await item.innerText(), /1/);
  await item.click();
  await pickInQuickPick(wb.page, vmName);
  await pickInQuickPick(wb.page, 'Tail Journal');
  await wb.page.locator('.terminal-tabs-entry', { hasText: `Journal: ${vmName}` }).first().waitFor({ timeout: 30_000 });
  // a line logged in the guest now shows at the bottom of the followed journal
  await wb.page.locator('.terminal-wrapper.active .xterm-rows', { hasText: /systemd|sshd/ }).waitFor({ timeout: 30_000 });
  execFileSync('node', [path.join(ROOT, 'dist/cli.js'), 'ssh', vmName, '--', 'logger', '-t', 'ui-e2e', 'journal-marker-ui'], { stdio: 'ignore' });
  await wb.page.locator('.terminal-wrapper.active .xterm-rows', { hasText: /ui-e2e.*journal-marker-ui/ }).waitFor({ timeout: 30_000 });
});

step('with the VMs view hidden, the status-bar count follows a VM started and removed outside VS Code', async () => {
  const name = 'ui-hidden-count';
  const cli = (...args: string[]) => execFileSync('node', [path.join(ROOT, 'dist/cli.js'), ...args], { stdio: 'ignore' });
  // our item: a VM icon (or the booting spinner) and a number
  const count = () => wb.page.locator('.statusbar-item', { has: wb.page.locator('.codicon-vm-running, .codicon-loading'), hasText: /^\s*\d+\s*$/ }).first();
  await wb.page.keyboard.press('Control+Shift+E'); // the Explorer: the VMs view is hidden now
  await wb.page.locator('.part.sidebar .title-label', { hasText: /Explorer/i }).first().waitFor({ timeout: 10_000 });
  cli('run', '-d', '--name', name, '--memory', '1G', '--label', 'bootc-ephemeral-e2e=1', 'localhost/bootc-sample:latest');
  try {
    await waitUntil('the status bar to count 2 VMs', async () => /\b2\b/.test(await count().innerText().catch(() => '')), 30_000, 250);
    await shot('06-status-bar-hidden-view');
  } finally {
    cli('rm', '-f', name);
  }
  await waitUntil('the status bar back to 1 VM', async () => /\b1\b/.test(await count().innerText().catch(() => '')), 30_000, 250);
  await showVmsView(wb.page);
});

step('Reload Window with a VM running: after the reload it is listed again, ready, takes a new SSH terminal, and its forward is back on the same port', async () => {
  await showVmsView(wb.page);
  await runContextMenuEntry(wb.page, vmRow(), 'Forward Port...');
  await answerInputBox(wb.page, '8080');
  await forwardRow().waitFor({ timeout: 30_000 });
  const before = (await forwardRow().locator('.label-name').first().innerText()).trim();
  await runFromPalette(wb.page, 'Developer: Reload Window');
  await wb.page.locator('.part.activitybar [aria-label^="Ephemeral VMs"]').first().waitFor({ timeout: 60_000 });
  await showVmsView(wb.page);
  await rows(new RegExp(`${vmName}.*· ready`)).first().waitFor({ timeout: 60_000 });
  // the old window's sockets went with its extension host: the forward was set up again, same address
  await rows(before).first().waitFor({ timeout: 60_000 });
  assert.equal(await (await fetch(`http://${before}/index.html`)).text(), 'hello-from-ui\n');
  await runContextMenuEntry(wb.page, vmRow(), 'Open SSH Terminal');
  await wb.page.locator('.terminal-wrapper.active .xterm-rows', { hasText: 'root@bootc-sample' }).waitFor({ timeout: 60_000 });
  await runContextMenuEntry(wb.page, forwardRow(), 'Stop Forwarding');
  await forwardRow().waitFor({ state: 'detached', timeout: 10_000 });
});

let booted: string[] = [];
step('Boot Image... from the palette: its quick pick lists the local bootc images; the picked one boots', async () => {
  await runFromPalette(wb.page, 'Ephemeral VMs: Boot Image...');
  await pickInQuickPick(wb.page, 'localhost/bootc-sample:latest');
  await rows(/^bootc-sample-[0-9a-f]{4}/).first().waitFor({ timeout: 60_000 });
  booted = await sampleVmNames();
  assert.equal(booted.length, 1);
});

step('Boot Sample Image from the palette boots another', async () => {
  await runFromPalette(wb.page, 'Ephemeral VMs: Boot Sample Image');
  await waitUntil('a second sample VM in the view', async () => (await sampleVmNames()).length === 2, 60_000);
  booted = await sampleVmNames();
  assert.deepEqual(booted.filter((n) => ourVms().includes(n)), booted, 'both are containers');
});

step('two VMs selected, Remove from the context menu: one question names both; Cancel keeps them, Remove removes both', async () => {
  const [a, b] = booted;
  await rows(a).first().click();
  await rows(b).first().click({ modifiers: ['Control'] });
  await runContextMenuEntry(wb.page, rows(b).first(), /^Remove$/);
  await answerDialog(wb.page, `Remove 2 VMs`, 'Cancel');
  assert.ok(ourVms().includes(a) && ourVms().includes(b), 'Cancel removed nothing');
  await runContextMenuEntry(wb.page, rows(b).first(), /^Remove$/);
  const dialog = wb.page.locator('.monaco-dialog-box', { hasText: 'Remove 2 VMs' }).first();
  await dialog.waitFor({ timeout: 15_000 });
  assert.match(await dialog.innerText(), new RegExp(`${a}.*${b}|${b}.*${a}`));
  await shot('07-remove-two');
  await answerDialog(wb.page, 'Remove 2 VMs', 'Remove');
  await waitUntil('both rows gone', async () => (await sampleVmNames()).length === 0, 30_000);
  assert.deepEqual(ourVms().filter((n) => booted.includes(n)), [], 'both containers are gone');
  await assert.doesNotReject(rows(vmName).first().waitFor({ timeout: 1_000 }), 'the unselected VM stays');
});

step('Stop from the VM\'s context menu removes it from the view', async () => {
  await runContextMenuEntry(wb.page, vmRow(), /^Stop$/);
  await vmRow().waitFor({ state: 'detached', timeout: 30_000 });
  await shot('08-after-stop');
  assert.ok(!ourVms().includes(vmName), 'the container is gone');
  vmName = '';
});

step('Remove All from the view\'s title asks first, then removes every VM of ours; the welcome shows', async () => {
  await runFromPalette(wb.page, 'Ephemeral VMs: Boot Sample Image');
  await rows(/^bootc-sample-[0-9a-f]{4}/).first().waitFor({ timeout: 60_000 });
  const [last] = await sampleVmNames();
  await showVmsView(wb.page);
  await wb.page.locator('.part.sidebar .pane-header', { hasText: /VMs/ }).first().hover();
  const removeAll = wb.page.locator('.part.sidebar .actions-container .action-label[aria-label="Remove All"]').first();
  await removeAll.click();
  await answerDialog(wb.page, /Remove 1 ephemeral VM/, 'Remove All');
  await wb.page.locator('.welcome-view-content', { hasText: 'No ephemeral VMs yet' }).first().waitFor({ timeout: 30_000 });
  assert.ok(!ourVms().includes(last), 'its container is gone');
});

step('a failed build: the error names the step; Show Build Log opens the build output at that step', async () => {
  fs.mkdirSync(BROKEN_BUILD, { recursive: true });
  fs.writeFileSync(path.join(BROKEN_BUILD, 'Containerfile'), 'FROM localhost/bootc-sample:latest\nRUN echo "about to fail" && exit 3\n');
  await openFileByPath(wb.page, 'broken-build/Containerfile');
  await runFromPalette(wb.page, 'Ephemeral VMs: Boot as Ephemeral VM');
  const buttons = await notificationActions(wb.page, /podman build failed at STEP 2\/2/, 'Show Build Log');
  assert.deepEqual(buttons, ['Show Build Log', 'Show Log']);
  const tab = wb.page.locator('.tabs-container .tab.active', { hasText: /STEP-2-2\.log/ }).first();
  await tab.waitFor({ timeout: 15_000 });
  // the failing step's line (the 2nd: FROM a local image prints only its STEP line) is selected and shown
  await wb.page.locator('.statusbar-item', { hasText: /^Ln 2, Col \d+ \(\d+ selected\)/ }).first().waitFor({ timeout: 10_000 });
  const text = (await wb.page.locator('.editor-instance .view-lines').first().innerText()).replace(/\u00a0/g, ' ');
  assert.match(text, /STEP 2\/2: RUN echo "about to fail" && exit 3/);
  assert.match(text, /about to fail/);
  await shot('09-build-log');
  await wb.page.keyboard.press('Escape');
  fs.rmSync(BROKEN_BUILD, { recursive: true, force: true });
});

step('a boot whose SSH times out offers Open Console, Tail Journal and Show Log; Tail Journal streams the kept VM\'s journal', async () => {
  // a 5 s SSH timeout, for this step only
  await setUserSetting(wb.page, wb.server, 'bootcEphemeral.sshTimeout', /Ssh Timeout/i, '5');
  let kept = '';
  try {
    await runFromPalette(wb.page, 'Ephemeral VMs: Boot Sample Image');
    const buttons = await notificationActions(wb.page, /SSH to bootc-sample-[0-9a-f]{4} was not ready after 5 s/, 'Tail Journal');
    assert.deepEqual(buttons, ['Open Console', 'Tail Journal', 'Show Log']);
    [kept] = await waitUntil('the kept VM in the view', async () => (await sampleVmNames()).length === 1 && (await sampleVmNames()), 30_000);
    assert.ok(ourVms().includes(kept), 'the VM is kept for its logs');
    await wb.page.locator('.terminal-tabs-entry, .single-terminal-tab', { hasText: `Journal: ${kept}` }).first().waitFor({ timeout: 30_000 });
    await wb.page.locator('.terminal-wrapper.active .xterm-rows', { hasText: /systemd|Linux version|kernel/ }).waitFor({ timeout: 60_000 });
    await shot('10-ssh-timeout-actions');
  } finally {
    // through the CLI: it removes the VM's state dir with its container
    if (kept) execFileSync('node', [path.join(ROOT, 'dist/cli.js'), 'rm', '-f', kept], { stdio: 'ignore' });
    await setUserSetting(wb.page, wb.server, 'bootcEphemeral.sshTimeout', /Ssh Timeout/i, '240', true);
  }
});
