import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as os from 'node:os';
import { execFileSync } from 'node:child_process';
import * as l10n from '@vscode/l10n';
import { FORM_FIELDS } from '../../src/engine/options/formModel';
import { parseRunOptions } from '../../src/engine/options/runOptions';

// The extension manifest: every user-visible string comes from package.nls.json, and a setting with a
// pattern says in words what it wants when the value does not match.
const ROOT = path.resolve(__dirname, '../../..');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const nls = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.nls.json'), 'utf8')) as Record<string, string>;

test('manifest: every %key% is in package.nls.json', () => {
  const keys = [...JSON.stringify(pkg.contributes).matchAll(/"%([\w.]+)%"/g)].map((m) => m[1]);
  assert.ok(keys.length > 50, `found ${keys.length} keys`);
  assert.deepEqual(keys.filter((k) => !(k in nls)), []);
});

test('manifest: command titles and setting descriptions are localizable, not literals', () => {
  const literalTitles = pkg.contributes.commands.filter((c: { title: string }) => !/^%[\w.]+%$/.test(c.title)).map((c: { command: string }) => c.command);
  assert.deepEqual(literalTitles, []);
  const settings = Object.entries(pkg.contributes.configuration.properties) as [string, Record<string, unknown>][];
  const literal = settings.filter(([, s]) => !/^%[\w.]+%$/.test(String(s.markdownDescription ?? s.description ?? ''))).map(([k]) => k);
  assert.deepEqual(literal, []);
});

test('manifest: a setting with a pattern has a localized patternErrorMessage', () => {
  const settings = Object.entries(pkg.contributes.configuration.properties) as [string, Record<string, unknown>][];
  const withPattern = settings.filter(([, s]) => s.pattern);
  assert.ok(withPattern.some(([k]) => k === 'bootcEphemeral.defaultMemory'));
  for (const [key, s] of withPattern) assert.match(String(s.patternErrorMessage), /^%[\w.]+%$/, `${key} has no patternErrorMessage`);
  assert.match(nls['config.defaultMemory.patternError'], /4G/);
});

test('l10n: the bundle holds every string the code localizes (npm run l10n is up to date)', () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'l10n-'));
  try {
    execFileSync(process.execPath, [path.join(ROOT, 'node_modules/@vscode/l10n-dev/dist/cli.js'), 'export', '-o', out, path.join(ROOT, 'src')], { stdio: 'ignore' });
    const fresh = Object.keys(JSON.parse(fs.readFileSync(path.join(out, 'bundle.l10n.json'), 'utf8'))).sort();
    const committed = Object.keys(JSON.parse(fs.readFileSync(path.join(ROOT, 'l10n', 'bundle.l10n.json'), 'utf8'))).sort();
    assert.deepEqual(committed, fresh, 'run npm run l10n');
    assert.ok(fresh.includes('Connecting to {0}...') && fresh.includes('Journal: {0}') && fresh.includes('CPU {0}'), 'the terminal, journal and tooltip texts are among them');
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
});

test('l10n: the form words and the option validators speak the configured language', () => {
  // as in the extension: the bundle for the display language is known only after the modules loaded
  l10n.config({ contents: { Memory: 'Speicher', '{0} does not exist': '{0} existiert nicht', '(none)': '(keiner)', 'host CPUs': 'Host-CPUs' } });
  try {
    const memory = FORM_FIELDS.find((f) => f.key === 'memory')!;
    assert.equal(memory.label, 'Speicher');
    assert.equal(FORM_FIELDS.find((f) => f.key === 'vcpus')!.placeholder, 'Host-CPUs');
    assert.deepEqual(FORM_FIELDS.find((f) => f.key === 'itype')!.options![0], ['', '(keiner)']);
    assert.equal(JSON.parse(JSON.stringify(memory)).label, 'Speicher', 'the page gets the words when the fields are posted');
    assert.throws(() => parseRunOptions({ image: 'x', bind: ['/nonexistent-l10n-test'] }), /\/nonexistent-l10n-test existiert nicht/);
  } finally {
    l10n.config({ contents: {} });
  }
  assert.equal(FORM_FIELDS.find((f) => f.key === 'memory')!.label, 'Memory');
});
