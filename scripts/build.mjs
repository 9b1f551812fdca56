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
  await esbuild.build({ ...common, entryPoints: [...testEntries('test'), 'test/vscode/index.ts', 'test/vscode-restricted/index.ts', 'test/vscode-remote/index.ts', 'test/vscode-multiroot/index.ts', 'test/vscode-rootless/index.ts'], outdir: 'out/test', outbase: 'test', external: [...common.external, 'playwright-core', 'mocha'] });
} else {

  // the CLI runs as a command (npm install -g, npm link, npx): a shebang, and executable (below);
  // minified always: every invocation parses it (the source map stays for debugging)
  // ssh2, yaml and execa are two thirds of the code and each is needed only by some commands: each is
  // its own file (dist/<name>.js), required on first use (src/engine/lazyDeps.ts), so that the
  // extension's module load and `ps`, `rm`, `help` do not parse what they do not use
  const lazyDeps = ['ssh2', 'yaml', 'execa'];
  const depsApart = { name: 'deps-apart', setup: (b) => b.onResolve({ filter: new RegExp(`^(${lazyDeps.join('|')})$`) }, (a) => (a.kind === 'require-call' ? { path: `./${a.path}.js`, external: true } : undefined)) };
  // every `import * as vscode` (or `* as fs`, ...) would copy the whole module object at load (esbuild's
  // interop, once per importing file): each such module is re-exported by one shared module instead, so it
  // is copied once
  const sharedImports = {
    name: 'shared-imports',
    setup: (b) => {
      b.onResolve({ filter: /^(vscode|node:[a-z_/]+)$/ }, (a) => (a.namespace === 'shared-imports' ? { path: a.path, external: true } : { path: a.path, namespace: 'shared-imports' }));
      b.onLoad({ filter: /.*/, namespace: 'shared-imports' }, (a) => ({ contents: `export * from '${a.path}';`, loader: 'js' }));
    },
  };
  const cli = { ...common, entryPoints: { cli: 'src/cli/main.ts' }, outdir: 'dist', banner: { js: '#!/usr/bin/env node' }, minify: true, plugins: [depsApart, sharedImports] };
  // in the extension, the VS Code-free modules' strings (@vscode/l10n in unit tests and the CLI) go
  // through VS Code's own l10n, which has the extension's bundle for the display language
  const l10nViaVscode = {
    name: 'l10n-via-vscode',
    setup: (b) => {
      b.onResolve({ filter: /^@vscode\/l10n$/ }, () => ({ path: 'l10n', namespace: 'l10n-via-vscode' }));
      b.onLoad({ filter: /.*/, namespace: 'l10n-via-vscode' }, () => ({ contents: "import { l10n } from 'vscode'; export const t = (...a) => l10n.t(...a);", loader: 'js' }));
    },
  };
  // the extension shares those files the same way and is minified too
  const extension = { ...common, entryPoints: { extension: 'src/vscode/extension.ts' }, outdir: 'dist', minify: true, plugins: [depsApart, sharedImports, l10nViaVscode] };
  const deps = lazyDeps.map((name) => ({ ...common, stdin: { contents: `module.exports = require('${name}');`, resolveDir: '.', loader: 'js' }, outfile: `dist/${name}.js`, minify: true }));
  // the run form's webview script: a browser bundle with the web components it uses
  const webview = { ...common, platform: 'browser', format: 'iife', target: 'es2022', entryPoints: { runForm: 'src/webview/runForm.ts' }, outdir: 'dist/webview', external: [] };
  if (watch) {
    for (const o of [webview, extension, cli, ...deps]) await (await esbuild.context(o)).watch();
    chmodSync('dist/cli.js', 0o755);
    console.log('[watch] build started');
  } else {
    await Promise.all([esbuild.build(extension), esbuild.build(cli), ...deps.map((d) => esbuild.build(d)), esbuild.build(webview)]);
    chmodSync('dist/cli.js', 0o755);
    // the man page, from the same descriptions as --help
    writeFileSync('dist/bootc-ephemeral.1', execFileSync(process.execPath, ['dist/cli.js', 'completion', 'man']));
  }
}
