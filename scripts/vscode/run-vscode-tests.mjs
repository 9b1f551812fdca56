// npm run test:vscode: the mocha suites under test/vscode run inside the real extension host with the
// extension under development, through @vscode/test-electron's runTests and our code-server shim.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawn } from 'node:child_process';
import os from 'node:os';
import { runTests } from '@vscode/test-electron';
import { prepareRootlessRun } from './rootlessRun.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const logFile = path.join(root, 'test-results', 'vscode-tests.log');
fs.mkdirSync(path.dirname(logFile), { recursive: true });
fs.writeFileSync(logFile, '');
process.env.BOOTC_EPHEMERAL_TEST_LOG = logFile; // the suite tees its report here (the shim passes env on)
// The remote suite's podman host: a podman service on a unix socket, here; its VS Code runs isolated
const remoteDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vscode-remote-'));
const remoteUrl = `unix://${path.join(remoteDir, 'podman.sock')}`;
const service = spawn('podman', ['system', 'service', '--time=0', remoteUrl], { stdio: 'ignore' });
for (let i = 0; i < 200 && !fs.existsSync(path.join(remoteDir, 'podman.sock')); i++) await new Promise((r) => setTimeout(r, 100));
// four runs: the suites in a trusted workspace, the Restricted Mode suite in an untrusted one, the
// remote suite in a VS Code that reaches podman only through bootcEphemeral.podmanConnection, and the
// multi-root suite in a workspace of two folders with the same name
const runs = [
  { suite: 'out/test/vscode/index.js', env: {} },
  { suite: 'out/test/vscode-restricted/index.js', env: { BOOTC_EPHEMERAL_RESTRICTED: '1' } },
  {
    suite: 'out/test/vscode-remote/index.js',
    env: { BOOTC_EPHEMERAL_TEST_SOCKET_DIR: remoteDir, BOOTC_EPHEMERAL_TEST_PODMAN_URL: remoteUrl, BOOTC_EPHEMERAL_STATE_DIR: path.join(remoteDir, 'client-state') },
    shim: 'scripts/vscode/code-shim-isolated.sh',
  },
  { suite: 'out/test/vscode-multiroot/index.js', env: {}, workspace: 'test/fixtures/multiroot/multiroot.code-workspace' },
  // VS Code as an ordinary user with rootless podman (rootlessRun.mjs prepares and undoes what it needs)
  { suite: 'out/test/vscode-rootless/index.js', env: {}, shim: 'scripts/vscode/code-shim-rootless.sh', rootless: true },
];
// BOOTC_EPHEMERAL_TEST_RUNS=main,restricted,remote,multiroot picks runs; BOOTC_EPHEMERAL_TEST_GREP filters tests (mocha grep)
const picked = process.env.BOOTC_EPHEMERAL_TEST_RUNS?.split(',');
const names = ['main', 'restricted', 'remote', 'multiroot', 'rootless'];
let code = 0;
for (const [i, r] of runs.entries()) {
  if (picked && !picked.includes(names[i])) continue;
  let rootless;
  try {
    // the rootless run's user sees the checkout (maybe at another path) and writes its own log
    rootless = r.rootless ? prepareRootlessRun(root) : undefined;
    Object.assign(r.env, rootless?.env ?? {}, rootless ? { BOOTC_EPHEMERAL_TEST_LOG: rootless.log } : {});
    Object.assign(process.env, r.env);
    const repo = rootless?.repo ?? root;
    await runTests({
      vscodeExecutablePath: path.join(root, r.shim ?? 'scripts/vscode/code-shim.mjs'),
      extensionDevelopmentPath: repo,
      extensionTestsPath: path.join(repo, r.suite),
      launchArgs: [rootless?.workspace ?? path.join(root, r.workspace ?? 'test/fixtures/workspace')],
      extensionTestsEnv: { BOOTC_EPHEMERAL_TEST_LOG: logFile, BOOTC_EPHEMERAL_TEST_GREP: process.env.BOOTC_EPHEMERAL_TEST_GREP ?? '', ...r.env },
    });
  } catch (e) {
    console.error(String(e.message ?? e));
    code = 1;
  } finally {
    if (rootless) {
      fs.appendFileSync(logFile, fs.readFileSync(rootless.log, 'utf8'));
      rootless.cleanup();
    }
  }
  for (const k of Object.keys(r.env)) delete process.env[k];
  process.env.BOOTC_EPHEMERAL_TEST_LOG = logFile;
}
service.kill('SIGTERM');
await new Promise((r) => (service.exitCode !== null ? r() : service.once('exit', r)));
fs.rmSync(remoteDir, { recursive: true, force: true });
const report = fs.readFileSync(logFile, 'utf8');
process.stdout.write(report);
const counts = [...report.matchAll(/^(\d+) passed, (\d+) failed, (\d+) skipped$/gm)].map((m) => [Number(m[1]), Number(m[2]), Number(m[3])]);
const passed = counts.reduce((a, [p]) => a + p, 0);
let failed = counts.reduce((a, [, f]) => a + f, 0);
const skipped = counts.reduce((a, [, , s]) => a + s, 0);
const ran = picked ? picked.length : runs.length;
if (counts.length < ran) {
  failed += ran - counts.length; // a suite that never reported counts as a failure
  code = 1;
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(code || (failed ? 1 : 0));
