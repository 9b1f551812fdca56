import * as os from 'node:os';
import * as path from 'node:path';
import type { Document, Pair, Scalar, YAMLMap, YAMLSeq, Node as YamlNode } from 'yaml';
import { yaml } from '../lazyDeps';
import { parseRunOptions, PathProbe, RunOptions, RunOptionsInput, hostPathProbe } from './runOptions';
import { RUN_OPTION_FIELDS, type FieldKind, type FormControl } from './fields';
import { InvalidOptionsError } from '../errors';
import * as l10n from '@vscode/l10n';

/**
 * Saved VM configurations, `.vscode/bootc-ephemeral.yaml`, shaped like launch.json:
 *   version: 1
 *   configurations:
 *     - name: dev
 *       image: localhost/bootc-sample:latest      # or containerfile: + context:
 *       memory: 2G
 *       bind: ["${workspaceFolder}/src:src"]
 * Parsing keeps positions for diagnostics; edits go through the yaml Document API, so the user's
 * comments and layout stay.
 */
export const CONFIG_FILE = '.vscode/bootc-ephemeral.yaml';
export const CONFIG_VERSION = 1;

type Kind = 'string' | 'number|string' | 'boolean' | 'list' | 'ports' | 'enum';
interface KeySpec {
  kind: Kind;
  /** the run option it feeds (RunOptionsInput key) */
  option?: keyof RunOptionsInput;
  /** the CLI field name the validator reports */
  field?: string;
  values?: readonly string[];
  help: string;
  form?: FormControl;
}

/** The keys of a configuration that are not run options: what to boot, and what to do around the VM. */
export const CONFIGURATION_OWN_KEYS: Record<string, KeySpec> = {
  name: { kind: 'string', help: 'Name shown in the Configurations view; unique in the file.' },
  containerfile: { kind: 'string', help: 'Build this Containerfile first (podman build) and boot the result. ${workspaceFolder} is resolved.' },
  context: { kind: 'string', help: 'Build context for containerfile (default: its folder).' },
  forwardPorts: { kind: 'ports', help: 'Guest ports forwarded to 127.0.0.1 when the VM is ready.', form: { section: 'advanced', control: 'text', get label() { return l10n.t('Forward guest ports when ready'); }, placeholder: '8080, 9090' } },
  bindWorkspace: { kind: 'enum', values: ['rw', 'ro', 'off'], help: 'Bind the workspace folders in (default: the bootcEphemeral.bindWorkspace setting).', form: { section: 'advanced', control: 'select', get label() { return l10n.t('Bind the workspace folders'); } } },
};

const YAML_KIND: Record<FieldKind, Kind> = { string: 'string', size: 'number|string', count: 'number|string', boolean: 'boolean', list: 'list', enum: 'enum' };

/** Every key a configuration may have: its own, then the run options' (from the option table). */
export const CONFIG_KEYS: Record<string, KeySpec> = {
  ...CONFIGURATION_OWN_KEYS,
  ...Object.fromEntries(
    RUN_OPTION_FIELDS.filter((f) => f.yaml).map((f) => [f.key, { kind: YAML_KIND[f.kind], option: f.key, field: f.flag, values: f.values?.(), help: f.help, form: f.form }]),
  ),
};

export interface SavedConfiguration {
  name: string;
  image?: string;
  containerfile?: string;
  context?: string;
  forwardPorts?: number[];
  bindWorkspace?: 'rw' | 'ro' | 'off';
  /** the run options as written (strings and lists), before ${...} resolution */
  input: RunOptionsInput;
}

export interface ConfigProblem {
  message: string;
  /** character offsets in the file */
  start: number;
  end: number;
  configuration?: string;
}

export interface ParsedConfigFile {
  /** each with the problems that concern it (its own and the file's): one with problems must not boot */
  configurations: (SavedConfiguration & { range: [number, number]; problems: string[] })[];
  problems: ConfigProblem[];
}

export interface VariableContext {
  workspaceFolder?: string;
  env?: NodeJS.ProcessEnv;
}

/**
 * ${workspaceFolder}, ${workspaceFolderBasename}, ${userHome}, ${env:NAME}; unknown ones stay as written.
 * One that cannot be resolved (an unset variable, no folder open) is reported through `unresolved`
 * and never silently becomes "" (a bind of "${env:UNSET}:x" would otherwise bind the current directory).
 */
export function resolveVariables(text: string, v: VariableContext, unresolved?: (variable: string, why: string) => void): string {
  return text.replace(/\$\{([^}]+)\}/g, (all, name: string) => {
    if (name === 'workspaceFolder' || name === 'workspaceFolderBasename') {
      if (!v.workspaceFolder) {
        unresolved?.(all, 'no workspace folder is open');
        return all;
      }
      return name === 'workspaceFolder' ? v.workspaceFolder : path.basename(v.workspaceFolder);
    }
    if (name === 'userHome') return os.homedir();
    if (name.startsWith('env:')) {
      const value = (v.env ?? process.env)[name.slice(4)];
      if (value === undefined) unresolved?.(all, `the environment variable ${name.slice(4)} is not set`);
      return value ?? all;
    }
    return all;
  });
}

/** Larger files are refused before parsing: a configuration file is a few KiB. */
export const MAX_CONFIG_BYTES = 256 * 1024;

function rangeOf(node: YamlNode | null | undefined, fallback: [number, number] = [0, 0]): [number, number] {
  const r = node?.range;
  return r ? [r[0], r[1]] : fallback;
}

function scalarList(node: unknown): string[] | undefined {
  if (yaml().isSeq(node)) return node.items.every((i) => yaml().isScalar(i)) ? (node.items as Scalar[]).map((i) => String(i.value)) : undefined;
  if (yaml().isScalar(node) && node.value !== null) return [String(node.value)];
  return undefined;
}

/** Reads the file: what it configures, and every problem with its place (syntax, shape, values). */
export function parseConfigFile(text: string, vars: VariableContext = {}, probe: PathProbe = hostPathProbe): ParsedConfigFile {
  const configurations: ParsedConfigFile['configurations'] = [];
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_CONFIG_BYTES) {
    return { configurations, problems: [{ message: l10n.t('the file is {0} KiB; configuration files are limited to {1} KiB', Math.round(bytes / 1024), MAX_CONFIG_BYTES / 1024), start: 0, end: 0 }] };
  }
  let doc: Document;
  try {
    // aliases are never expanded here (we read nodes, not toJS), so alias bombs cost nothing
    doc = yaml().parseDocument(text, { keepSourceTokens: false, uniqueKeys: true });
  } catch (e) {
    return { configurations, problems: [{ message: l10n.t('the file cannot be parsed: {0}', (e as Error).message), start: 0, end: 0 }] };
  }
  const problems: ConfigProblem[] = doc.errors.map((e) => ({ message: e.message.split('\n')[0], start: e.pos[0], end: e.pos[1] }));
  if (problems.length) return { configurations, problems };
  const root = doc.contents;
  if (root === null || (yaml().isScalar(root) && root.value === null)) return { configurations, problems };
  if (!yaml().isMap(root)) return { configurations, problems: [{ message: l10n.t('expected a mapping with "version" and "configurations"'), start: 0, end: text.length }] };
  for (const pair of root.items) {
    const key = yaml().isScalar(pair.key) ? String(pair.key.value) : '';
    if (key !== 'version' && key !== 'configurations') problems.push({ message: l10n.t('unknown key "{0}": the file has "version" and "configurations"', key), ...span(pair.key as YamlNode) });
  }
  const version = root.get('version', true) as Scalar | undefined;
  if (!version) problems.push({ message: l10n.t('"version: {0}" is missing', CONFIG_VERSION), start: 0, end: 0 });
  else if (version.value !== CONFIG_VERSION) problems.push({ message: l10n.t('version must be {0}', CONFIG_VERSION), ...span(version) });
  const list = root.get('configurations', true);
  if (list === undefined) return { configurations, problems };
  if (!yaml().isSeq(list)) return { configurations, problems: [...problems, { message: l10n.t('"configurations" must be a list'), ...span(list as YamlNode) }] };
  const names = new Set<string>();
  for (const item of list.items) {
    if (!yaml().isMap(item)) {
      problems.push({ message: l10n.t('each configuration is a mapping with at least "name" and "image" or "containerfile"'), ...span(item as YamlNode) });
      continue;
    }
    const c = readConfiguration(item, problems, vars, probe);
    if (!c) continue;
    if (names.has(c.name)) problems.push({ message: l10n.t('another configuration is named "{0}"', c.name), ...span(item.get('name', true) as YamlNode), configuration: c.name });
    names.add(c.name);
    configurations.push({ ...c, range: rangeOf(item), problems: [] });
  }
  for (const c of configurations) c.problems = problems.filter((p) => p.configuration === undefined || p.configuration === c.name).map((p) => p.message);
  return { configurations, problems };
}

function span(node: YamlNode | null | undefined): { start: number; end: number } {
  const [start, end] = rangeOf(node);
  return { start, end };
}

function readConfiguration(map: YAMLMap, problems: ConfigProblem[], vars: VariableContext, probe: PathProbe): SavedConfiguration | undefined {
  const nameNode = map.get('name', true) as Scalar | undefined;
  const name = nameNode && typeof nameNode.value === 'string' ? nameNode.value : undefined;
  if (!name) {
    const shown = nameNode && yaml().isScalar(nameNode) ? JSON.stringify(nameNode.value) : undefined;
    problems.push({ message: shown ? `name: ${shown}: "name" must be a non-empty string` : 'a configuration needs a "name"', ...span(nameNode ?? map) });
    return undefined;
  }
  const bad = (node: YamlNode | null | undefined, message: string) => problems.push({ message, ...span(node), configuration: name });
  const input: RunOptionsInput = {};
  const c: SavedConfiguration = { name, input };
  const valueNodes: Record<string, YamlNode> = {};
  for (const pair of map.items as Pair<YamlNode, YamlNode>[]) {
    const key = yaml().isScalar(pair.key) ? String(pair.key.value) : '';
    // own keys only: "constructor" or "__proto__" must not find Object's
    const spec = Object.hasOwn(CONFIG_KEYS, key) ? CONFIG_KEYS[key] : undefined;
    if (!spec) {
      bad(pair.key, l10n.t('unknown key "{0}"{1}', key, suggest(key)));
      continue;
    }
    const node = pair.value;
    valueNodes[key] = node ?? pair.key;
    const scalar = yaml().isScalar(node) ? node.value : undefined;
    const str = (v: unknown) => resolveVariables(String(v), vars, (variable, why) => bad(node ?? pair.key, l10n.t('{0}: {1} cannot be resolved: {2}', key, variable, why)));
    switch (spec.kind) {
      case 'string':
        if (typeof scalar !== 'string' || !scalar) bad(node ?? pair.key, l10n.t('"{0}" must be a non-empty string', key));
        else if (spec.option) (input as Record<string, unknown>)[spec.option] = str(scalar);
        else if (key === 'containerfile' || key === 'context') c[key] = str(scalar);
        break;
      case 'number|string':
        if (typeof scalar !== 'string' && typeof scalar !== 'number') bad(node ?? pair.key, l10n.t('"{0}" must be a number or a string', key));
        else (input as Record<string, unknown>)[spec.option!] = typeof scalar === 'number' ? scalar : str(scalar);
        break;
      case 'boolean':
        if (typeof scalar !== 'boolean') bad(node ?? pair.key, l10n.t('"{0}" must be true or false', key));
        else (input as Record<string, unknown>)[spec.option!] = scalar;
        break;
      case 'enum':
        if (typeof scalar !== 'string' || !spec.values!.includes(scalar)) bad(node ?? pair.key, l10n.t('"{0}" must be one of {1}', key, spec.values!.join(', ')));
        else if (spec.option) (input as Record<string, unknown>)[spec.option] = scalar;
        else c.bindWorkspace = scalar as SavedConfiguration['bindWorkspace'];
        break;
      case 'list': {
        const items = scalarList(node);
        if (!items) bad(node ?? pair.key, l10n.t('"{0}" must be a string or a list of strings', key));
        else (input as Record<string, unknown>)[spec.option!] = items.map(str);
        break;
      }
      case 'ports': {
        const items = yaml().isSeq(node) ? (node as YAMLSeq).items : [node];
        const ports = items.map((i) => (yaml().isScalar(i) ? Number(i.value) : NaN));
        if (ports.some((p) => !Number.isInteger(p) || p < 1 || p > 65535)) bad(node ?? pair.key, l10n.t('"forwardPorts" must be a list of port numbers (1-65535)'));
        else c.forwardPorts = ports;
        break;
      }
    }
  }
  if (!input.image && !c.containerfile) bad(nameNode, l10n.t('configuration "{0}" needs "image" or "containerfile"', name));
  if (input.image && c.containerfile) bad(valueNodes.containerfile, l10n.t('give "image" or "containerfile", not both'));
  // the values: the same validator the CLI and the form use, each problem placed on its key
  try {
    // paths in the workspace must stay in it: a link in a repository must not give a VM a host file
    parseRunOptions({ ...input, image: input.image ?? 'localhost/from-containerfile:latest' }, vars.workspaceFolder ? { ...probe, confineTo: vars.workspaceFolder } : probe);
  } catch (e) {
    if (!(e instanceof InvalidOptionsError)) throw e;
    for (const p of e.problems) {
      const key = Object.keys(CONFIG_KEYS).find((k) => CONFIG_KEYS[k].field === p.field);
      const node = key ? valueNodes[key] : nameNode;
      bad(itemNodeFor(node, p.value) ?? node, `${key ?? p.field}: ${JSON.stringify(p.value)}: ${p.message}`);
    }
  }
  return c;
}

/** In a list value, the item that holds the bad value (so the squiggle sits on the right line). */
function itemNodeFor(node: YamlNode | undefined, value: unknown): YamlNode | undefined {
  if (!yaml().isSeq(node)) return undefined;
  return (node.items as YamlNode[]).find((i) => yaml().isScalar(i) && (String(i.value) === String(value) || String(value).endsWith(String(i.value).replace(/^\$\{[^}]+\}/, ''))));
}

function suggest(key: string): string {
  const lower = key.toLowerCase().replace(/[-_]/g, '');
  const hit = Object.keys(CONFIG_KEYS).find((k) => k.toLowerCase() === lower);
  return hit ? ` (did you mean "${hit}"?)` : '';
}

/** The run options of a saved configuration, ${...} already resolved; image from a build when given. */
export function configurationRunInput(c: SavedConfiguration, image?: string): RunOptionsInput {
  return { ...c.input, image: image ?? c.input.image };
}

export function validateConfigurationOptions(c: SavedConfiguration, probe: PathProbe = hostPathProbe, image?: string): RunOptions {
  return parseRunOptions(configurationRunInput(c, image), probe);
}

/** The plain object written for a configuration (what the form saves). */
export type ConfigurationFields = { name: string } & Record<string, unknown>;

function emptyDocument(): Document {
  return yaml().parseDocument(`# Ephemeral VM configurations (bootc-ephemeral). Keys: see resources/bootc-ephemeral.schema.json\nversion: ${CONFIG_VERSION}\nconfigurations: []\n`);
}

function configurationsSeq(doc: Document): YAMLSeq {
  let seq = doc.get('configurations', true);
  if (!yaml().isSeq(seq)) {
    seq = doc.createNode([]) as YAMLSeq;
    doc.set('configurations', seq);
  }
  const s = seq as YAMLSeq;
  s.flow = false;
  return s;
}

/** Adds or replaces (by name) a configuration; comments and layout elsewhere stay as they were. */
export function upsertConfiguration(text: string, fields: ConfigurationFields, previousName = fields.name): string {
  const doc = text.trim() ? yaml().parseDocument(text) : emptyDocument();
  if (doc.errors.length) throw new Error(l10n.t('the file has YAML errors: {0}', doc.errors[0].message.split('\n')[0]));
  const seq = configurationsSeq(doc);
  const clean = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined && v !== '' && !(Array.isArray(v) && v.length === 0)));
  const index = seq.items.findIndex((i) => yaml().isMap(i) && i.get('name') === previousName);
  if (index < 0) {
    seq.items.push(doc.createNode(clean));
  } else {
    const map = seq.items[index] as YAMLMap;
    // update in place: keys keep their comments; removed fields go, new ones are appended
    for (const key of map.items.map((p) => String((p.key as Scalar).value))) if (!(key in clean)) map.delete(key);
    for (const [k, v] of Object.entries(clean)) {
      const existing = map.get(k, true);
      if (yaml().isScalar(existing) && !Array.isArray(v)) existing.value = v;
      else map.set(k, doc.createNode(v));
    }
  }
  return doc.toString();
}

export function removeConfiguration(text: string, name: string): string {
  const doc = yaml().parseDocument(text);
  const seq = configurationsSeq(doc);
  const index = seq.items.findIndex((i) => yaml().isMap(i) && i.get('name') === name);
  if (index >= 0) seq.items.splice(index, 1);
  return doc.toString();
}
