// Pure: the run form's values (strings, as typed) <-> a saved configuration's fields, and the checks
// the form shows as you type. The same validator as the CLI and the YAML file.
import { parseRunOptions, PathProbe, hostPathProbe, RunOptionsInput } from './runOptions';
import { InvalidOptionsError } from '../errors';
import { runCommandLine } from './commandLine';
import { resolveVariables, ConfigurationFields, CONFIG_KEYS } from './configFile';

export interface FormValues {
  name: string;
  source: 'image' | 'containerfile';
  image: string;
  containerfile: string;
  context: string;
  itype: string;
  memory: string;
  vcpus: string;
  bind: string;
  roBind: string;
  karg: string;
  execute: string;
  env: string;
  label: string;
  network: string;
  systemdUnits: string;
  addSwap: string;
  mountDiskFile: string;
  accel: string;
  bindWorkspace: string;
  forwardPorts: string;
  console: boolean;
}

export const EMPTY_FORM: FormValues = {
  name: '', source: 'image', image: 'localhost/bootc-sample:latest', containerfile: '', context: '', itype: '', memory: '4G', vcpus: '',
  bind: '', roBind: '', karg: '', execute: '', env: '', label: '', network: '', systemdUnits: '', addSwap: '', mountDiskFile: '',
  accel: 'auto', bindWorkspace: '', forwardPorts: '', console: false,
};

const lines = (text: string) => text.split('\n').map((l) => l.trim()).filter(Boolean);
const LIST_KEYS = ['bind', 'roBind', 'karg', 'execute', 'env', 'label', 'mountDiskFile'] as const;

export function formToFields(v: FormValues): ConfigurationFields {
  const f: ConfigurationFields = { name: v.name.trim() };
  if (v.source === 'image') f.image = v.image.trim();
  else {
    f.containerfile = v.containerfile.trim();
    if (v.context.trim()) f.context = v.context.trim();
  }
  if (v.itype) f.itype = v.itype;
  else {
    if (v.memory.trim()) f.memory = v.memory.trim();
    if (v.vcpus.trim()) f.vcpus = /^\d+$/.test(v.vcpus.trim()) ? Number(v.vcpus.trim()) : v.vcpus.trim();
  }
  for (const k of LIST_KEYS) if (lines(v[k]).length) f[k] = lines(v[k]);
  for (const k of ['network', 'systemdUnits', 'addSwap'] as const) if (v[k].trim()) f[k] = v[k].trim();
  if (v.accel && v.accel !== 'auto') f.accel = v.accel;
  if (v.bindWorkspace) f.bindWorkspace = v.bindWorkspace;
  if (v.console) f.console = true;
  const ports = v.forwardPorts.split(/[,\s]+/).filter(Boolean);
  if (ports.length) f.forwardPorts = ports.map((p) => (/^\d+$/.test(p) ? Number(p) : p));
  return f;
}

export function fieldsToForm(f: Record<string, unknown>): FormValues {
  const s = (k: string) => (f[k] === undefined ? '' : String(f[k]));
  const l = (k: string) => (Array.isArray(f[k]) ? (f[k] as unknown[]).join('\n') : s(k));
  return {
    ...EMPTY_FORM,
    name: s('name'),
    source: f.containerfile ? 'containerfile' : 'image',
    image: s('image'),
    containerfile: s('containerfile'),
    context: s('context'),
    itype: s('itype'),
    memory: s('memory'),
    vcpus: s('vcpus'),
    bind: l('bind'), roBind: l('roBind'), karg: l('karg'), execute: l('execute'), env: l('env'), label: l('label'), mountDiskFile: l('mountDiskFile'),
    network: s('network'), systemdUnits: s('systemdUnits'), addSwap: s('addSwap'),
    accel: s('accel') || 'auto',
    bindWorkspace: s('bindWorkspace'),
    forwardPorts: Array.isArray(f.forwardPorts) ? f.forwardPorts.join(', ') : '',
    console: f.console === true,
  };
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
  if (!f.name) problems.push({ key: 'name', message: 'a name is required' });
  else if ((ctx.takenNames ?? []).includes(f.name)) problems.push({ key: 'name', message: `another configuration is named "${f.name}"` });
  if (v.source === 'containerfile' && !f.containerfile) problems.push({ key: 'containerfile', message: 'give the Containerfile to build' });
  if (v.source === 'image' && !f.image) problems.push({ key: 'image', message: 'choose an image' });
  for (const p of (f.forwardPorts as unknown[] | undefined) ?? []) {
    if (typeof p !== 'number' || p < 1 || p > 65535) problems.push({ key: 'forwardPorts', message: `"${p}" is not a port number` });
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
