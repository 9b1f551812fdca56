// The option table is the one description of the run options: these tests take every option through
// each form it has (command line, CLI flags, YAML) and back, so a field that one of them forgets breaks here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRunOptions, toRunOptionsInput, type RunOptions, type RunOptionsInput } from '../../src/engine/options/runOptions';
import { RUN_OPTION_FIELDS } from '../../src/engine/options/fields';
import { runCommandLine } from '../../src/engine/options/commandLine';
import { parseConfigFile, upsertConfiguration, CONFIG_KEYS } from '../../src/engine/options/configFile';
import { FORM_FIELDS, formToFields, fieldsToForm } from '../../src/engine/options/formModel';
import { parseArgs } from '../../src/cli/args';
import { RUN_FLAGS, runOptionsInputFromFlags } from '../../src/cli/runFlags';
import { fakeProbe } from './helpers';

const probe = fakeProbe(['/src', '/ro data', '/units', '/out', '/seed'], ['/disk.img', '/disk.qcow2', '/raw.qcow2']);

/** Every field away from its default (two sets: sizes by --memory/--vcpus, and by --itype). */
const EVERYTHING: RunOptionsInput = {
  image: 'localhost/x:1', detach: true, rm: true, sshKeygen: true, tty: true, interactive: true, name: 'vm-1', memory: '1536M', vcpus: '3',
  console: true, debug: true, network: 'podman', label: ['team=a b', 'empty='], env: ['A=1', 'B=it\'s'], bind: ['/src:src'], roBind: ['/ro data:data'],
  systemdUnits: '/units', bindStorageRo: true, allowSystemBind: true, addSwap: '512M', maxLogSize: '16M', mountDiskFile: ['/disk.img:d1', '/disk.qcow2:d2', '/raw.qcow2:d3:raw'],
  virtioSerialOut: ['log:/out/log.txt'], karg: ['quiet', 'x="a b"'], noImageKargs: true, credential: ['greeting=hi there', 'empty='], credentialFile: ['token=/disk.img'], ignition: '/disk.qcow2', cloudInit: '/seed', execute: ['/bin/sh -c \'exit 3\''], debugEntrypoint: 'bash -l', accel: 'tcg', arch: 'arm64',
};
const WITH_ITYPE: RunOptionsInput = { ...EVERYTHING, memory: undefined, vcpus: undefined, itype: 'u1.micro' };

/** A POSIX shell's word splitting of what runCommandLine prints (plain words and '...' with '\'' escapes). */
function shellWords(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (ch === "'") {
      const end = line.indexOf("'", i + 1);
      word += line.slice(i + 1, end);
      i = end;
      inWord = true;
    } else if (ch === '\\') {
      word += line[++i];
      inWord = true;
    } else if (ch === ' ') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += ch;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

test('the fixtures set every option away from its default (so the round trips cover the whole table)', () => {
  for (const input of [EVERYTHING, WITH_ITYPE]) {
    const o = parseRunOptions(input, probe);
    const missing = RUN_OPTION_FIELDS.filter((f) => f.fromOptions(o) === undefined).map((f) => f.flag);
    assert.deepEqual(missing, input.itype ? ['memory', 'vcpus'] : ['itype'], 'only the sizes the instance type decides may be absent');
  }
});

for (const [what, input] of [['sizes', EVERYTHING], ['instance type', WITH_ITYPE]] as const) {
  test(`options -> command line -> CLI flags -> options (${what})`, () => {
    const o = parseRunOptions(input, probe);
    const words = shellWords(runCommandLine(o));
    assert.deepEqual(words.slice(0, 2), ['bootc-ephemeral', 'run']);
    const args = parseArgs(words.slice(2), RUN_FLAGS, 1);
    assert.deepEqual(parseRunOptions(runOptionsInputFromFlags(args.flags, args.positionals[0]), probe), o);
  });

  test(`options -> YAML -> configuration -> options (${what})`, () => {
    const o = parseRunOptions(input, probe);
    const yamlFields = Object.fromEntries(Object.entries(toRunOptionsInput(o)).filter(([k]) => Object.hasOwn(CONFIG_KEYS, k)));
    const parsed = parseConfigFile(upsertConfiguration('', { name: 'all', ...yamlFields }), {}, probe);
    assert.deepEqual(parsed.problems, []);
    // what YAML cannot say (CLI-only switches such as --detach, --name, --debug) comes back as the default
    const cliOnly = RUN_OPTION_FIELDS.filter((f) => !f.yaml).map((f) => f.key);
    const expected = parseRunOptions(Object.fromEntries(Object.entries(toRunOptionsInput(o)).filter(([k]) => !cliOnly.includes(k as keyof RunOptionsInput))), probe);
    assert.deepEqual(parseRunOptions(parsed.configurations[0].input, probe), expected);
    // (a configuration's "name" is its own key: the configuration's name, not --name)
    assert.ok(cliOnly.every((k) => k === 'name' || !Object.hasOwn(CONFIG_KEYS, k)), 'a CLI-only option is no YAML key');
  });
}

test('options -> form -> configuration fields -> options, for every option the form shows', () => {
  const o = parseRunOptions(EVERYTHING, probe);
  const fields = Object.fromEntries(Object.entries(toRunOptionsInput(o)).filter(([k]) => FORM_FIELDS.some((f) => f.key === k)));
  const back = formToFields(fieldsToForm({ name: 'all', image: o.image, ...fields }));
  const formKeys = new Set(FORM_FIELDS.map((f) => f.key));
  const expected: RunOptions = parseRunOptions(Object.fromEntries(Object.entries(toRunOptionsInput(o)).filter(([k]) => formKeys.has(k) || k === 'image')), probe);
  assert.equal(back.name, 'all');
  assert.deepEqual(parseRunOptions({ ...back, name: undefined } as RunOptionsInput, probe), expected);
});

test('every flag, YAML key and form field comes from the table, and each names its field in problems', () => {
  const flags = RUN_FLAGS.map((f) => f.long);
  assert.deepEqual(flags, RUN_OPTION_FIELDS.filter((f) => f.cli === 'flag').map((f) => f.flag));
  assert.equal(new Set(flags).size, flags.length, 'no flag twice');
  for (const f of RUN_OPTION_FIELDS.filter((x) => x.yaml)) assert.equal(CONFIG_KEYS[f.key].field, f.flag);
  for (const f of FORM_FIELDS) assert.ok(Object.hasOwn(CONFIG_KEYS, f.key), `form field ${f.key} is a YAML key`);
  // the bcvk command line leaves out exactly the flags bcvk lacks
  const everything = parseRunOptions(EVERYTHING, probe);
  const bcvk = runCommandLine(everything, 'bcvk');
  for (const f of RUN_OPTION_FIELDS.filter((x) => x.cli === 'flag' && x.fromOptions(everything) !== undefined)) {
    const shown = new RegExp(` (--${f.flag}|${f.short ? `-${f.short}` : '--none'})( |$)`).test(bcvk);
    assert.equal(shown, f.bcvk, `--${f.flag} in the bcvk line`);
  }
});
