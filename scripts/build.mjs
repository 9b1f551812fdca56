// esbuild: dist/extension.js and dist/cli.js (CJS, node, vscode external); --tests bundles test/**/*.test.ts
import * as esbuild from 'esbuild';
import { readdirSync, statSync, rmSync } from 'node:fs';
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
  await esbuild.build({ ...common, entryPoints: [...testEntries('test'), 'test/vscode/index.ts', 'test/vscode-restricted/index.ts'], outdir: 'out/test', outbase: 'test', external: [...common.external, 'playwright-core', 'mocha'] });
} else {
  const options = {
    ...common,
    entryPoints: { extension: 'src/vscode/extension.ts', cli: 'src/cli/main.ts' },
    outdir: 'dist',
    banner: { js: '' },
  };
  // the run form's webview script: a browser bundle with the web components it uses
  const webview = { ...common, platform: 'browser', format: 'iife', target: 'es2022', entryPoints: { runForm: 'src/webview/runForm.ts' }, outdir: 'dist/webview', external: [] };
  if (watch) {
    await (await esbuild.context(webview)).watch();
    const ctx = await esbuild.context(options);
    await ctx.watch();
    console.log('[watch] build started');
  } else {
    await esbuild.build(options);
    await esbuild.build(webview);
  }
}
