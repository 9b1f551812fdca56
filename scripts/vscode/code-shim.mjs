#!/usr/bin/env node
// A stand-in "VS Code executable" for @vscode/test-electron's runTests({ vscodeExecutablePath }):
// no desktop VS Code can be had here, so this runs the same suite in real VS Code 1.139 (code-server
// + headless Chromium) and exits with the extension host's exit code, as the real executable would.
import fs from 'node:fs';
import path from 'node:path';
import { startCodeServer, runExtensionTests } from './codeServer.mjs';

let devPath;
let testsPath;
let folder;
for (const a of process.argv.slice(2)) {
  const m = /^--([^=]+)=(.*)$/s.exec(a);
  if (m?.[1] === 'extensionDevelopmentPath') devPath = path.resolve(m[2]);
  else if (m?.[1] === 'extensionTestsPath') testsPath = path.resolve(m[2]);
  else if (!a.startsWith('-')) folder = path.resolve(a);
  // desktop/Electron-only flags (--no-sandbox, --disable-updates, ...) do not apply
}
if (!devPath || !testsPath) {
  console.error('code-shim: needs --extensionDevelopmentPath= and --extensionTestsPath=');
  process.exit(2);
}
// BOOTC_EPHEMERAL_RESTRICTED=1: the workspace opens in Restricted Mode (workspace trust)
const server = await startCodeServer({ env: {}, trustWorkspace: process.env.BOOTC_EPHEMERAL_RESTRICTED !== '1' });
const onSignal = async () => {
  await server.stop();
  process.exit(130);
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
let code = 1;
try {
  code = await runExtensionTests(server.base, { devPath, testsPath, folder, log: (l) => console.error(l) });
} catch (e) {
  console.error(`code-shim: ${e.message}`);
} finally {
  const keep = code !== 0 && !!process.env.CI;
  if (code !== 0) console.error(`code-shim: code-server log: ${server.logPath}${keep ? '' : ' (removed)'}`);
  if (code !== 0 && fs.existsSync(server.logPath)) console.error(fs.readFileSync(server.logPath, 'utf8').split('\n').filter((l) => /error/i.test(l)).slice(-15).join('\n'));
  await server.stop({ keep });
}
process.exit(code);
