// esbuild: dist/extension.js and dist/cli.js (CJS, node, vscode external); --tests bundles test/**/*.test.ts
import * as esbuild from 'esbuild';
import { chmodSync, readdirSync, statSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const watch = process.argv.includes('--watch');
const tests = process.argv.includes('--tests');
const production = process.argv.includes('--production');

const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: !production,
  minify: production,
  external: ['vscode', 'cpu-features', '*.node'],
  loader: { '.sh': 'text' },
  logLevel: 'warning',
};

function testEntries(dir) {
  const out = [];
  for (const f of readdirSync(dir)) {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) out.push(...testEntries(p));
    else if (f.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

if (tests) {
  rmSync('out', { recursive: true, force: true });
  await esbuild.build({ ...common, entryPoints: [...testEntries('test'), 'test/vscode/index.ts', 'test/vscode-restricted/index.ts', 'test/vscode-remote/index.ts'], outdir: 'out/test', outbase: 'test', external: [...common.external, 'playwright-core', 'mocha'] });
} else {

  // the CLI runs as a command (npm install -g, npm link, npx): a shebang, and executable (below);
  // minified always: every invocation parses it (the source map stays for debugging)
  // ssh2 is a third of the CLI's code and only `ssh`, `run-ssh` and `run -K` need it: it is its own
  // file (dist/ssh2.js), required on first use, so that `ps`, `rm`, `help` do not parse it
  const ssh2Apart = { name: 'ssh2-apart', setup: (b) => b.onResolve({ filter: /^ssh2$/ }, () => ({ path: './ssh2.js', external: true })) };
  const cli = { ...common, entryPoints: { cli: 'src/cli/main.ts' }, outdir: 'dist', banner: { js: '#!/usr/bin/env node' }, minify: true, plugins: [ssh2Apart] };
  // the extension shares dist/ssh2.js the same way (activation does not parse it) and is minified too
  const extension = { ...common, entryPoints: { extension: 'src/vscode/extension.ts' }, outdir: 'dist', minify: true, plugins: [ssh2Apart] };
  const ssh2 = { ...common, stdin: { contents: "module.exports = require('ssh2');", resolveDir: '.', loader: 'js' }, outfile: 'dist/ssh2.js', minify: true };
  // the run form's webview script: a browser bundle with the web components it uses
  const webview = { ...common, platform: 'browser', format: 'iife', target: 'es2022', entryPoints: { runForm: 'src/webview/runForm.ts' }, outdir: 'dist/webview', external: [] };
  if (watch) {
    for (const o of [webview, extension, cli, ssh2]) await (await esbuild.context(o)).watch();
    chmodSync('dist/cli.js', 0o755);
    console.log('[watch] build started');
  } else {
    await Promise.all([esbuild.build(extension), esbuild.build(cli), esbuild.build(ssh2), esbuild.build(webview)]);
    chmodSync('dist/cli.js', 0o755);
    // the man page, from the same descriptions as --help
    writeFileSync('dist/bootc-ephemeral.1', execFileSync(process.execPath, ['dist/cli.js', 'completion', 'man']));
  }
}
