import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfigFile, resolveVariables, upsertConfiguration, removeConfiguration } from '../../src/engine/config';
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

test('the JSON schema knows exactly the keys the parser knows', async () => {
  const { CONFIG_KEYS } = await import('../../src/engine/config');
  const schema = JSON.parse(require('node:fs').readFileSync(require('node:path').resolve(__dirname, '../../../resources/bootc-ephemeral.schema.json'), 'utf8'));
  assert.deepEqual(Object.keys(schema.properties.configurations.items.properties).sort(), Object.keys(CONFIG_KEYS).sort());
});
