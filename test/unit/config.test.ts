import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfigFile, resolveVariables, upsertConfiguration, removeConfiguration } from '../../src/engine/options/configFile';
import { fakeProbe } from './helpers';

const probe = fakeProbe(['/ws', '/ws/src', '/data'], ['/ws/disk.img']);
const vars = { workspaceFolder: '/ws', env: { HOME_DATA: '/data' } };
const lineOf = (text: string, offset: number) => text.slice(0, offset).split('\n').length;

test('variables', () => {
  assert.equal(resolveVariables('${workspaceFolder}/src:${workspaceFolderBasename}', vars), '/ws/src:ws');
  const unresolved: string[] = [];
  assert.equal(resolveVariables('${env:HOME_DATA}/x ${env:NOPE}|', vars, (v, why) => unresolved.push(`${v}: ${why}`)), '/data/x ${env:NOPE}|', 'never silently empty');
  assert.deepEqual(unresolved, ['${env:NOPE}: the environment variable NOPE is not set']);
  resolveVariables('${workspaceFolder}/x', {}, (v, why) => unresolved.push(`${v}: ${why}`));
  assert.equal(unresolved[1], '${workspaceFolder}: no workspace folder is open');
  assert.equal(resolveVariables('${unknown}', vars), '${unknown}');
});

test('a valid file: configurations with resolved values, lists from scalars too', () => {
  const text = `# my VMs
version: 1
configurations:
  - name: dev   # the usual one
    image: localhost/bootc-sample:latest
    memory: 2G
    vcpus: 2
    bind: ["\${workspaceFolder}/src:src"]
    roBind: \${env:HOME_DATA}
    karg: [quiet, "e2e.x=1"]
    forwardPorts: [8080]
    bindWorkspace: off
  - name: from-file
    containerfile: \${workspaceFolder}/Containerfile
    itype: u1.micro
`;
  const r = parseConfigFile(text, vars, probe);
  assert.deepEqual(r.problems, []);
  assert.deepEqual(r.configurations.map((c) => c.name), ['dev', 'from-file']);
  const dev = r.configurations[0];
  assert.deepEqual(dev.input, { image: 'localhost/bootc-sample:latest', memory: '2G', vcpus: 2, bind: ['/ws/src:src'], roBind: ['/data'], karg: ['quiet', 'e2e.x=1'] });
  assert.deepEqual(dev.forwardPorts, [8080]);
  assert.equal(dev.bindWorkspace, 'off');
  assert.equal(r.configurations[1].containerfile, '/ws/Containerfile');
});

test('problems sit on the right line, named clearly', () => {
  const text = `version: 1
configurations:
  - name: a
    image: localhost/x
    memory: 4GB
    bind:
      - /ws/src
      - /nope
    colour: blue
    Karg: quiet
  - name: a
    containerfile: /ws/Containerfile
    image: localhost/y
  - name: b
`;
  const r = parseConfigFile(text, vars, probe);
  const got = r.problems.map((p) => [lineOf(text, p.start), p.message]);
  assert.deepEqual(got, [
    [9, 'unknown key "colour"'],
    [10, 'unknown key "Karg" (did you mean "karg"?)'],
    [5, 'memory: "4GB": use a number with an optional G, M or K suffix (4G, 1536M, 1.5G; a plain number is MiB)'],
    [8, 'bind: "/nope": /nope does not exist'],
    [12, 'give "image" or "containerfile", not both'],
    [11, 'another configuration is named "a"'],
    [14, 'configuration "b" needs "image" or "containerfile"'],
  ]);
});

test('YAML syntax errors and a wrong top level are reported, not thrown', () => {
  assert.equal(parseConfigFile('configurations: [\n', vars, probe).problems.length > 0, true);
  assert.match(parseConfigFile('- a\n- b\n', vars, probe).problems[0].message, /expected a mapping/);
  assert.deepEqual(parseConfigFile('', vars, probe), { configurations: [], problems: [] });
  assert.match(parseConfigFile('version: 2\nconfigurations: []\n', vars, probe).problems[0].message, /version must be 1/);
});

test('edits keep comments and layout', () => {
  const text = `# team VMs: keep this comment
version: 1
configurations:
  - name: dev # inline comment
    image: localhost/bootc-sample:latest
    memory: 2G # small
`;
  const added = upsertConfiguration(text, { name: 'big', image: 'localhost/bootc-sample:latest', memory: '8G', karg: ['quiet'] });
  assert.ok(added.startsWith('# team VMs: keep this comment\nversion: 1\nconfigurations:\n  - name: dev # inline comment\n'));
  assert.match(added, /memory: 2G # small\n {2}- name: big\n {4}image: localhost\/bootc-sample:latest\n {4}memory: 8G\n {4}karg:\n {6}- quiet\n$/);
  const updated = upsertConfiguration(added, { name: 'dev', image: 'localhost/bootc-sample:latest', memory: '3G' });
  assert.match(updated, / {2}- name: dev # inline comment\n {4}image: localhost\/bootc-sample:latest\n {4}memory: 3G # small\n/);
  const removed = removeConfiguration(updated, 'big');
  assert.ok(!removed.includes('big'));
  assert.ok(removed.includes('# team VMs: keep this comment'));
  const fresh = upsertConfiguration('', { name: 'first', image: 'i' });
  assert.deepEqual(parseConfigFile(fresh, vars, fakeProbe()).configurations.map((c) => c.name), ['first']);
});

// The committed schema (VS Code's YAML support reads it) is generated from the option table:
// UPDATE_SCHEMA=1 npm run test:unit rewrites it after a change.
test('the JSON schema in resources/ is the one the option table generates', async () => {
  const fs = await import('node:fs');
  const file = require('node:path').resolve(__dirname, '../../../resources/bootc-ephemeral.schema.json');
  const { configurationSchema } = await import('../../src/engine/options/configSchema');
  const { CONFIG_KEYS } = await import('../../src/engine/options/configFile');
  const generated = `${JSON.stringify(configurationSchema(), null, 2)}\n`;
  if (process.env.UPDATE_SCHEMA) fs.writeFileSync(file, generated);
  assert.equal(fs.readFileSync(file, 'utf8'), generated, 'resources/bootc-ephemeral.schema.json is stale: run UPDATE_SCHEMA=1 npm run test:unit');
  const schema = JSON.parse(generated);
  assert.deepEqual(Object.keys(schema.properties.configurations.items.properties).sort(), Object.keys(CONFIG_KEYS).sort());
  assert.deepEqual(schema.properties.configurations.items.properties.accel.enum, ['auto', 'kvm', 'tcg']);
});

// The YAML half of the bad-input table (the CLI half runs the real CLI in test/e2e/01-invalid): each
// case yields a problem naming its key; the parser has no side effects, so nothing can be left.
const yamlProbe = fakeProbe(['/ws', '/ws/src', '/data', '/etc', '/proc/sys'], ['/ws/disk.img']);
const yamlCases: [string, string, RegExp][] = [
  ['version missing', 'configurations:\n  - name: a\n    image: i\n', /"version: 1" is missing/],
  ['version 2', 'version: 2\nconfigurations: []\n', /version must be 1/],
  ['name a number', 'version: 1\nconfigurations:\n  - name: 42\n    image: i\n', /^name: 42: "name" must be a non-empty string/],
  ['name missing', 'version: 1\nconfigurations:\n  - image: i\n', /needs a "name"/],
  ['image and containerfile', 'version: 1\nconfigurations:\n  - name: a\n    image: i\n    containerfile: /ws/Containerfile\n', /give "image" or "containerfile", not both/],
  ['unset env in a bind', 'version: 1\nconfigurations:\n  - name: a\n    image: i\n    bind: ["${env:UNSET_X}:x"]\n', /^bind: \$\{env:UNSET_X\} cannot be resolved: the environment variable UNSET_X is not set/],
  ['unset env in memory', 'version: 1\nconfigurations:\n  - name: a\n    image: i\n    memory: "${env:UNSET_M}"\n', /^memory: \$\{env:UNSET_M\} cannot be resolved/],
  ['workspaceFolder without a folder', 'version: 1\nconfigurations:\n  - name: a\n    image: i\n    roBind: ["${workspaceFolder}/src:src"]\n', /^roBind: \$\{workspaceFolder\} cannot be resolved: no workspace folder is open/],
  ['__proto__ key', 'version: 1\nconfigurations:\n  - name: a\n    image: i\n    __proto__: {}\n', /unknown key "__proto__"/],
  ['constructor key', 'version: 1\nconfigurations:\n  - name: a\n    image: i\n    constructor: x\n', /unknown key "constructor"/],
  ['empty bind host', 'version: 1\nconfigurations:\n  - name: a\n    image: i\n    bind: [":x"]\n', /^bind: ":x": HOST_PATH is empty/],
  ['system bind', 'version: 1\nconfigurations:\n  - name: a\n    image: i\n    bind: ["/etc"]\n', /^bind: "\/etc": \/etc is a system folder of the host: refused/],
  ['kernel tree bind', 'version: 1\nconfigurations:\n  - name: a\n    image: i\n    roBind: ["/proc/sys:p"]\n', /^roBind: "\/proc\/sys:p": \/proc\/sys is under \/proc/],
  ['memory with a space', 'version: 1\nconfigurations:\n  - name: a\n    image: i\n    memory: 2 G\n', /^memory: "2 G"/],
  ['vcpus text', 'version: 1\nconfigurations:\n  - name: a\n    image: i\n    vcpus: many\n', /^vcpus: "many"/],
  ['label without =', 'version: 1\nconfigurations:\n  - name: a\n    image: i\n    label: [k]\n', /^label: "k"/],
  ['accel unknown', 'version: 1\nconfigurations:\n  - name: a\n    image: i\n    accel: hvf\n', /"accel" must be one of auto, kvm, tcg/],
  ['console not boolean', 'version: 1\nconfigurations:\n  - name: a\n    image: i\n    console: yes please\n', /"console" must be true or false/],
  ['ports out of range', 'version: 1\nconfigurations:\n  - name: a\n    image: i\n    forwardPorts: [70000]\n', /"forwardPorts" must be a list of port numbers/],
  ['duplicate key', 'version: 1\nconfigurations:\n  - name: a\n    image: i\n    image: j\n', /Map keys must be unique/],
  ['unknown key', 'version: 1\nconfigurations:\n  - name: a\n    image: i\n    memroy: 2G\n', /unknown key "memroy"/],
  ['bind path with a colon', 'version: 1\nconfigurations:\n  - name: a\n    image: i\n    bind: ["/ws/a:b:c"]\n', /^bind: "\/ws\/a:b:c": a HOST_PATH cannot contain ":"/],
];

test(`bad-input table (YAML): ${yamlCases.length} cases, each a problem naming its key`, () => {
  for (const [title, text, expected] of yamlCases) {
    const noFolder = title.includes('without a folder');
    const parsed = parseConfigFile(text, noFolder ? { env: {} } : { workspaceFolder: '/ws', env: {} }, yamlProbe);
    assert.ok(parsed.problems.some((p) => expected.test(p.message)), `${title}: ${JSON.stringify(parsed.problems.map((p) => p.message))}`);
    for (const c of parsed.configurations) assert.ok(c.problems.length > 0, `${title}: configuration ${c.name} carries its problems, so it does not boot`);
  }
});

test('hostile YAML: a huge file is refused before parsing; alias bombs and deep nesting do not hang', () => {
  const huge = `version: 1\nconfigurations: []\n# ${'x'.repeat(2 * 1024 * 1024)}\n`;
  const t0 = Date.now();
  assert.match(parseConfigFile(huge).problems[0].message, /configuration files are limited to 256 KiB/);
  const bomb = ['version: 1', 'a: &a ["x","x","x","x","x","x","x","x","x"]', ...Array.from({ length: 9 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)}]`), 'configurations: []'].join('\n');
  assert.ok(parseConfigFile(bomb).problems.some((p) => /unknown key "a"/.test(p.message)));
  const deep = `version: 1\nconfigurations: ${'['.repeat(5000)}${']'.repeat(5000)}\n`;
  assert.ok(parseConfigFile(deep).problems.length > 0);
  assert.ok(Date.now() - t0 < 10_000, `took ${Date.now() - t0} ms`);
});

test('a workspace configuration\'s paths stay in the workspace folder: a link in it leading out is refused, a path written outside is what it says', async () => {
  const fs = await import('node:fs');
  const os = await import('node:os');
  const path = await import('node:path');
  const { hostPathProbe } = await import('../../src/engine/options/types');
  const base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'ws-confine-')));
  const ws = path.join(base, 'ws');
  const host = path.join(base, 'host');
  try {
    fs.mkdirSync(path.join(ws, 'units'), { recursive: true });
    fs.mkdirSync(path.join(host, 'units'), { recursive: true });
    fs.writeFileSync(path.join(host, 'bashrc'), '');
    fs.symlinkSync(host, path.join(ws, 'link'));
    fs.symlinkSync(path.join(host, 'bashrc'), path.join(ws, 'out.log'));
    const problemsOf = (lines: string[]) =>
      parseConfigFile(['version: 1', 'configurations:', '  - name: c', '    image: localhost/x:1', ...lines.map((l) => `    ${l}`)].join('\n') + '\n', { workspaceFolder: ws }, hostPathProbe).problems.map((p) => p.message);
    assert.deepEqual(problemsOf(['systemdUnits: ${workspaceFolder}/units', 'bind: ["${workspaceFolder}/units:u"]']), [], 'real folders in the workspace are fine');
    assert.match(problemsOf(['systemdUnits: ${workspaceFolder}/link/units']).join('\n'), /link\/units leads out of the workspace folder through a symlink \(to .*host\/units\): refused/);
    assert.match(problemsOf(['bind: ["${workspaceFolder}/link:h"]']).join('\n'), /leads out of the workspace folder through a symlink/);
    // the guest would write through it: the host file behind the link
    assert.match(problemsOf(['virtioSerialOut: ["p:${workspaceFolder}/out.log"]']).join('\n'), /out\.log leads out of the workspace folder through a symlink \(to .*host\/bashrc\)/);
    assert.match(problemsOf(['virtioSerialOut: ["p:${workspaceFolder}/link/new.log"]']).join('\n'), /new\.log leads out of the workspace folder/, 'a new file under a link is out too');
    assert.deepEqual(problemsOf([`systemdUnits: ${path.join(host, 'units')}`]), [], 'a path written outside the folder is what it says');
  } finally {
    fs.rmSync(base, { recursive: true, force: true });
  }
});
