// Pure: the run form's values (strings, as typed) <-> a saved configuration's fields, the checks the
// form shows as you type, and the fields the form shows: all from the option table and the
// configuration's own keys. The same validator as the CLI and the YAML file.
import { parseRunOptions, PathProbe, hostPathProbe, RunOptionsInput, DEFAULT_MEMORY } from './runOptions';
import { InvalidOptionsError } from '../errors';
import { runCommandLine } from './commandLine';
import { resolveVariables, ConfigurationFields, CONFIG_KEYS, CONFIGURATION_OWN_KEYS } from './configFile';
import { RUN_OPTION_FIELDS, type FormControl } from './fields';
import { INSTANCE_TYPES } from './instanceTypes';
import { formatMiB } from './sizes';
import * as l10n from '@vscode/l10n';

/** One field of the form as the page builds it (ids are the YAML keys). */
export interface FormField extends FormControl {
  key: string;
  /** for selects: [value, label] */
  options?: [string, string][];
}

const selectOptions: Record<string, () => [string, string][]> = {
  itype: () => [['', l10n.t('(none)')], ...Object.entries(INSTANCE_TYPES).map(([k, t]): [string, string] => [k, `${k} (${t.vcpus} vCPU, ${formatMiB(t.memoryMiB)})`])],
  accel: () => (CONFIG_KEYS.accel.values ?? []).map((v): [string, string] => [v, v]),
  arch: () => [['', l10n.t('(the image\'s)')], ...(CONFIG_KEYS.arch.values ?? []).map((v): [string, string] => [v, v])],
  bindWorkspace: () => [['', l10n.t('(the setting)')], ['rw', l10n.t('read-write')], ['ro', l10n.t('read-only')], ['off', l10n.t('no')]],
};

// the words (labels, help, select options) stay getters, looked up when the page is built: in the
// extension that is in the display language, whose bundle VS Code may not have loaded at module load
const formField = (key: string, form: FormControl): FormField =>
  Object.defineProperties({ key }, { ...Object.getOwnPropertyDescriptors(form), options: { get: selectOptions[key], enumerable: true } }) as FormField;

/** The form's fields beyond name and source: the run options that have a form control, then the configuration's own. */
export const FORM_FIELDS: readonly FormField[] = [
  ...RUN_OPTION_FIELDS.filter((f) => f.yaml && f.form).map((f) => formField(f.key, f.form!)),
  ...Object.entries(CONFIGURATION_OWN_KEYS).filter(([, k]) => k.form).map(([key, k]) => formField(key, k.form!)),
];

/** What the page sends: the fixed fields, then one value per FORM_FIELDS key (checkboxes as booleans). */
export type FormValues = {
  name: string;
  source: 'image' | 'containerfile';
  image: string;
  containerfile: string;
  context: string;
} & Record<string, string | boolean>;

const defaultOf = (f: FormField): string | boolean => (f.control === 'checkbox' ? false : f.key === 'memory' ? DEFAULT_MEMORY : f.control === 'select' && f.key === 'accel' ? 'auto' : '');

export const EMPTY_FORM: FormValues = {
  name: '', source: 'image', image: 'localhost/bootc-sample:latest', containerfile: '', context: '',
  ...Object.fromEntries(FORM_FIELDS.map((f) => [f.key, defaultOf(f)])),
};

const lines = (text: string) => text.split('\n').map((l) => l.trim()).filter(Boolean);
/** an instance type gives memory and vCPUs: those fields are not saved with it */
const SIZED_BY_ITYPE = ['memory', 'vcpus'];

export function formToFields(v: FormValues): ConfigurationFields {
  const f: ConfigurationFields = { name: v.name.trim() };
  if (v.source === 'image') f.image = v.image.trim();
  else {
    f.containerfile = v.containerfile.trim();
    if (v.context.trim()) f.context = v.context.trim();
  }
  for (const field of FORM_FIELDS) {
    const value = v[field.key];
    if (v.itype && SIZED_BY_ITYPE.includes(field.key)) continue;
    if (field.control === 'checkbox') {
      if (value === true) f[field.key] = true;
      continue;
    }
    const text = String(value ?? '').trim();
    if (!text || (field.control === 'select' && text === defaultOf(field))) continue;
    if (field.control === 'area') f[field.key] = lines(text);
    else if (field.key === 'forwardPorts') f[field.key] = text.split(/[,\s]+/).filter(Boolean).map((p) => (/^\d+$/.test(p) ? Number(p) : p));
    else if (field.key === 'vcpus' && /^\d+$/.test(text)) f[field.key] = Number(text);
    else f[field.key] = text;
  }
  return f;
}

export function fieldsToForm(f: Record<string, unknown>): FormValues {
  const s = (k: string) => (f[k] === undefined ? '' : String(f[k]));
  const v: FormValues = { ...EMPTY_FORM, name: s('name'), source: f.containerfile ? 'containerfile' : 'image', image: s('image'), containerfile: s('containerfile'), context: s('context') };
  for (const field of FORM_FIELDS) {
    const x = f[field.key];
    if (field.control === 'checkbox') v[field.key] = x === true;
    else if (Array.isArray(x)) v[field.key] = x.join(field.key === 'forwardPorts' ? ', ' : '\n');
    else v[field.key] = x === undefined ? (field.control === 'select' ? defaultOf(field) : '') : String(x);
  }
  return v;
}

/** Values the form fills in when a field changes (the instance type's memory and vCPUs). */
export function derivedFormValues(v: FormValues, changed: string | undefined): Record<string, string> {
  const t = changed === 'itype' && typeof v.itype === 'string' && Object.hasOwn(INSTANCE_TYPES, v.itype) ? INSTANCE_TYPES[v.itype] : undefined;
  return t ? { memory: formatMiB(t.memoryMiB), vcpus: String(t.vcpus) } : {};
}

export interface FormCheck {
  problems: { key: string; message: string }[];
  commandLine?: string;
  bcvkCommandLine?: string;
}

/** What the form shows under the fields: every problem on its field, and the equivalent command lines. */
export function checkForm(v: FormValues, ctx: { workspaceFolder?: string; takenNames?: string[]; probe?: PathProbe } = {}): FormCheck {
  const problems: FormCheck['problems'] = [];
  const f = formToFields(v);
  if (!f.name) problems.push({ key: 'name', message: l10n.t('a name is required') });
  else if ((ctx.takenNames ?? []).includes(f.name)) problems.push({ key: 'name', message: l10n.t('another configuration is named "{0}"', f.name) });
  if (v.source === 'containerfile' && !f.containerfile) problems.push({ key: 'containerfile', message: l10n.t('give the Containerfile to build') });
  if (v.source === 'image' && !f.image) problems.push({ key: 'image', message: l10n.t('choose an image') });
  for (const p of (f.forwardPorts as unknown[] | undefined) ?? []) {
    if (typeof p !== 'number' || p < 1 || p > 65535) problems.push({ key: 'forwardPorts', message: l10n.t('"{0}" is not a port number', String(p)) });
  }
  const resolve = (x: unknown): unknown => (typeof x === 'string' ? resolveVariables(x, { workspaceFolder: ctx.workspaceFolder }) : Array.isArray(x) ? x.map(resolve) : x);
  const input: RunOptionsInput = { image: (f.image as string | undefined) ?? 'localhost/from-containerfile:latest' };
  for (const [key, spec] of Object.entries(CONFIG_KEYS)) if (spec.option && f[key] !== undefined && key !== 'image') (input as Record<string, unknown>)[spec.option] = resolve(f[key]);
  try {
    const options = parseRunOptions(input, ctx.probe ?? hostPathProbe);
    if (!problems.length) {
      const shown = { ...options, image: (f.image as string | undefined) ?? `<image built from ${f.containerfile}>`, detach: true, sshKeygen: true };
      return { problems, commandLine: runCommandLine(shown), bcvkCommandLine: runCommandLine(shown, 'bcvk') };
    }
  } catch (e) {
    if (!(e instanceof InvalidOptionsError)) throw e;
    for (const p of e.problems) {
      const key = Object.keys(CONFIG_KEYS).find((k) => CONFIG_KEYS[k].field === p.field) ?? p.field;
      problems.push({ key, message: `${JSON.stringify(p.value)}: ${p.message}` });
    }
  }
  return { problems };
}
