// npm run test:vscode: the mocha suites under test/vscode run inside the real extension host with the
// extension under development, through @vscode/test-electron's runTests and our code-server shim.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTests } from '@vscode/test-electron';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const logFile = path.join(root, 'test-results', 'vscode-tests.log');
fs.mkdirSync(path.dirname(logFile), { recursive: true });
fs.writeFileSync(logFile, '');
process.env.BOOTC_EPHEMERAL_TEST_LOG = logFile; // the suite tees its report here (the shim passes env on)
let code = 0;
try {
  await runTests({
    vscodeExecutablePath: path.join(root, 'scripts/vscode/code-shim.mjs'),
    extensionDevelopmentPath: root,
    extensionTestsPath: path.join(root, 'out/test/vscode/index.js'),
    launchArgs: [path.join(root, 'test/fixtures/workspace')],
    extensionTestsEnv: { BOOTC_EPHEMERAL_TEST_LOG: logFile },
  });
} catch (e) {
  console.error(String(e.message ?? e));
  code = 1;
}
const report = fs.readFileSync(logFile, 'utf8');
process.stdout.write(report);
if (!/^\d+ passed, \d+ failed$/m.test(report)) {
  console.log('0 passed, 1 failed'); // the suite never reported: count the run as one failure
  code = 1;
}
process.exit(code);
