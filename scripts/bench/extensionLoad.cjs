// Loads dist/extension.js with a stub for `vscode` and prints how long the require took (ms): the module
// load cost VS Code pays before activate(). Run in a fresh process per sample (scripts/bench.mjs).
const fs = require('node:fs');
const Module = require('node:module');
const path = require('node:path');
const bundle = path.resolve(__dirname, '../../dist/extension.js');
// the bundle copies the vscode module's own properties (esbuild's interop): the stub has the API's
// top-level runtime names, as the real module does (from @types/vscode: classes, enums, namespaces,
// functions, constants; interfaces and types do not exist at run time)
const api = fs.readFileSync(require.resolve('@types/vscode/index.d.ts'), 'utf8');
const names = [...new Set([...api.matchAll(/^\t(?:export )?(?:class|namespace|enum|function|const|let) ([A-Za-z_]\w*)/gm)].map((m) => m[1]))];
// each API name is a callable, constructible, extensible stand-in; the module itself is a plain object
const standIn = () => {
  const f = function () {};
  return new Proxy(f, { get: (t, p) => (p in t ? t[p] : standIn()), apply: () => standIn(), construct: () => ({}) });
};
const stub = Object.fromEntries(names.map((n) => [n, standIn()]));
const load = Module._load;
Module._load = function (request, ...rest) {
  return request === 'vscode' ? stub : load.call(this, request, ...rest);
};
const t = performance.now();
require(bundle);
process.stdout.write(String(performance.now() - t));
