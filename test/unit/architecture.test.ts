// The architecture, checked: layers import downwards only, no import cycles, podman is spoken only in
// the engine, each option is described in one table, and files stay small. docs/architecture.md is the map.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../../..');
const SRC = path.join(ROOT, 'src');

function sources(dir = SRC): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sources(p) : e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

const rel = (p: string) => path.relative(SRC, p);

/** Relative imports of a file, resolved to files; type-only imports marked (they vanish at runtime). */
function importsOf(file: string): { target: string; typeOnly: boolean }[] {
  const text = fs.readFileSync(file, 'utf8');
  const out: { target: string; typeOnly: boolean }[] = [];
  for (const m of text.matchAll(/^(import|export)\s+(type\s+)?[^'";]*?from\s+'(\.[^']+)'/gm)) {
    const base = path.resolve(path.dirname(file), m[3]);
    const target = [`${base}.ts`, path.join(base, 'index.ts'), base].find((c) => fs.existsSync(c) && fs.statSync(c).isFile());
    if (target?.endsWith('.ts')) out.push({ target, typeOnly: !!m[2] });
  }
  return out;
}

const FILES = sources();
const GRAPH = new Map(FILES.map((f) => [f, importsOf(f)]));

test('layers import downwards: engine <- cli, engine <- vscode; the page only shares types', () => {
  const layer = (f: string) => rel(f).split(path.sep)[0];
  const allowed: Record<string, string[]> = { engine: ['engine'], cli: ['cli', 'engine'], vscode: ['vscode', 'engine', 'webview'], webview: ['webview', 'engine'] };
  const wrong: string[] = [];
  for (const [file, imports] of GRAPH) {
    for (const i of imports) {
      if (!allowed[layer(file)]?.includes(layer(i.target))) wrong.push(`${rel(file)} -> ${rel(i.target)}`);
      // the page (browser) and the extension host share message and form types, never code
      if ((layer(file) === 'webview') !== (layer(i.target) === 'webview') && !i.typeOnly) wrong.push(`${rel(file)} -> ${rel(i.target)} (not type-only)`);
    }
  }
  assert.deepEqual(wrong, []);
});

test('no import cycles (runtime imports)', () => {
  const cycles: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (f: string, trail: string[]) => {
    if (state.get(f) === 'done') return;
    if (state.get(f) === 'visiting') return void cycles.push([...trail.slice(trail.indexOf(f)), f].map(rel).join(' -> '));
    state.set(f, 'visiting');
    for (const i of GRAPH.get(f) ?? []) if (!i.typeOnly) visit(i.target, [...trail, f]);
    state.set(f, 'done');
  };
  for (const f of FILES) visit(f, []);
  assert.deepEqual(cycles, []);
  const edges = [...GRAPH.values()].reduce((n, i) => n + i.length, 0);
  assert.ok(FILES.length > 100 && edges > 300, `the import reader found ${edges} imports in ${FILES.length} files: it must be reading them`);
});

test('the CLI and the extension never spell a podman argv (engine/podman/commands.ts does)', () => {
  const spelled = FILES.filter((f) => /^(cli|vscode)\//.test(rel(f))).flatMap((f) =>
    fs
      .readFileSync(f, 'utf8')
      .split('\n')
      .map((line, i) => ({ line, at: `${rel(f)}:${i + 1}` }))
      // an argv literal: podman's verbs as the first string of an array, or handed to run/spawn
      .filter(({ line }) => /\[\s*'(ps|logs|exec|inspect|rm|stop|wait|events|images|image|build|run|cp|info|network|container|version|import)'\s*,/.test(line) || /podman\w*(\(\))?\.(run|spawn|exec)\(\s*\[/.test(line))
      .map(({ at }) => at),
  );
  assert.deepEqual(spelled, []);
});

test('each option name appears in at most three source files outside the launch plan', () => {
  const nonPlan = FILES.filter((f) => !rel(f).startsWith(path.join('engine', 'plan')));
  for (const name of ['add-swap', 'addSwap', 'mount-disk-file', 'mountDiskFile', 'bind-storage-ro', 'bindStorageRo', 'virtio-serial-out', 'virtioSerialOut', 'systemd-units', 'debug-entrypoint']) {
    const files = nonPlan.filter((f) => fs.readFileSync(f, 'utf8').includes(name)).map(rel);
    assert.ok(files.length <= 3, `${name} is in ${files.length} files: ${files.join(', ')}`);
  }
});

/** Longer files, each with its reason. */
const LONG_FILES: Record<string, string> = {
  [path.join('engine', 'options', 'fields.ts')]: 'the option table: one row per option is the point',
  [path.join('engine', 'options', 'configFile.ts')]: 'the YAML reader and writer with positions for diagnostics',
};

test('no source file over 250 lines without a reason', () => {
  const long = FILES.filter((f) => fs.readFileSync(f, 'utf8').split('\n').length > 250).map(rel);
  assert.deepEqual(long.filter((f) => !LONG_FILES[f]), []);
});
