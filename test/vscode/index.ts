// The extensionTestsPath module: the @vscode/test-electron contract, run(): Promise<void>.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as util from 'node:util';
import Mocha from 'mocha';

export function run(): Promise<void> {
  const logFile = process.env.BOOTC_EPHEMERAL_TEST_LOG;
  // console.log in the extension host reaches the workbench log unformatted: format here, tee to a file
  Mocha.reporters.Base.consoleLog = (...args: unknown[]) => {
    const line = util.format(...args);
    console.log(line);
    if (logFile) fs.appendFileSync(logFile, line + '\n');
  };
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 60_000, reporter: 'spec', ...(process.env.BOOTC_EPHEMERAL_TEST_GREP ? { grep: process.env.BOOTC_EPHEMERAL_TEST_GREP } : {}) });
  for (const f of fs.readdirSync(__dirname).filter((f) => f.endsWith('.test.js')).sort()) mocha.addFile(path.join(__dirname, f));
  return new Promise((resolve, reject) => {
    let passed = 0;
    let failed = 0;
    let pending = 0;
    const runner = mocha.run((failures) => {
      Mocha.reporters.Base.consoleLog(`${passed} passed, ${failed} failed, ${pending} skipped`);
      if (failures > 0) reject(new Error(`${failures} tests failed`));
      else if (passed === 0) reject(new Error('no test ran'));
      else resolve();
    });
    runner.on('pass', () => passed++);
    // a failing hook fails the tests it guards; mocha reports it once, as a failure
    runner.on('fail', () => failed++);
    runner.on('pending', () => pending++);
  });
}
