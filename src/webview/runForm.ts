// The run form, in the webview. Plain DOM + @vscode-elements/elements; every decision (validation,
// command lines, saving, booting) is made by the extension host, which answers with messages.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import '@vscode-elements/elements/dist/vscode-textarea/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-collapsible/index.js';
import '@vscode-elements/elements/dist/vscode-label/index.js';
import '@vscode-elements/elements/dist/vscode-radio/index.js';
import '@vscode-elements/elements/dist/vscode-radio-group/index.js';
import type { FormValues, FormCheck, FormField } from '../engine/options/formModel';
import type { PageMessage, PanelMessage } from './protocol';

declare function acquireVsCodeApi(): { postMessage(m: PageMessage): void };
const vscode = acquireVsCodeApi();

type Field = HTMLElement & { value: string; checked?: boolean };
const $ = <T extends HTMLElement = Field>(id: string) => document.getElementById(id) as T;
const FIXED_KEYS = ['name', 'image', 'containerfile', 'context'] as const;
/** the option fields, as the extension host described them in `init` */
let fields: readonly FormField[] = [];

function values(): FormValues {
  const v = { source: ($('source-containerfile') as Field).checked ? 'containerfile' : 'image' } as FormValues;
  for (const k of FIXED_KEYS) v[k] = $(k).value ?? '';
  for (const f of fields) v[f.key] = f.control === 'checkbox' ? !!$(f.key).checked : ($(f.key).value ?? '');
  return v;
}

function fill(v: Partial<FormValues> | Record<string, string>): void {
  for (const [k, value] of Object.entries(v)) {
    const el = document.getElementById(k) as Field | null;
    if (!el || k === 'source') continue;
    if (typeof value === 'boolean') el.checked = value;
    else el.value = value ?? '';
  }
  if (v.source) {
    ($('source-image') as Field).checked = v.source === 'image';
    ($('source-containerfile') as Field).checked = v.source === 'containerfile';
  }
  showSource();
}

function showSource(): void {
  const cf = !!($('source-containerfile') as Field).checked;
  $('image-row').hidden = cf;
  $('containerfile-row').hidden = !cf;
}

function showCheck(c: FormCheck, status: string): void {
  for (const el of document.querySelectorAll('.problem')) el.textContent = '';
  for (const el of document.querySelectorAll('[invalid]')) el.removeAttribute('invalid');
  for (const p of c.problems) {
    const slot = document.getElementById(`problem-${p.key}`) ?? $('problem-general');
    slot.textContent = [slot.textContent, p.message].filter(Boolean).join('; ');
    document.getElementById(p.key)?.setAttribute('invalid', '');
  }
  $('command-line').textContent = c.commandLine ?? '';
  $('bcvk-command-line').textContent = c.bcvkCommandLine ?? '';
  $('commands').hidden = !c.commandLine;
  for (const b of ['save', 'boot']) ($(b) as HTMLElement & { disabled: boolean }).disabled = c.problems.length > 0;
  $('status').textContent = status;
}

let timer: number | undefined;
let lastChanged: string | undefined;
function changed(field?: string): void {
  clearTimeout(timer);
  lastChanged = field ?? lastChanged;
  timer = window.setTimeout(() => {
    vscode.postMessage({ type: 'check', values: values(), changed: lastChanged });
    lastChanged = undefined;
  }, 150);
}

window.addEventListener('message', (e: MessageEvent<PanelMessage>) => {
  const m = e.data;
  if (m.type === 'init') {
    fields = m.fields;
    const images = $('image') as Field;
    images.innerHTML = '';
    for (const name of m.images) {
      const o = document.createElement('vscode-option');
      o.textContent = name;
      (o as unknown as { value: string }).value = name;
      images.appendChild(o);
    }
    fill(m.values);
    $('title').textContent = m.title;
    // shown only now: what was typed before the values arrived would be overwritten by them
    $('form').hidden = false;
    changed();
  } else if (m.type === 'check') showCheck(m.check, m.status);
  else if (m.type === 'set') fill(m.values);
  else if (m.type === 'folderPicked') {
    const t = $(m.field);
    t.value = [t.value.trim(), m.path].filter(Boolean).join('\n');
    changed();
  } else if (m.type === 'saved') $('status').textContent = m.status;
});

// every decision is the extension host's: a change is only reported (the instance type's sizes come back as `set`)
function onChange(target: HTMLElement): void {
  if (target.id?.startsWith('source-')) showSource();
  changed(target.id);
}

document.addEventListener('input', () => changed());
document.addEventListener('change', (e) => onChange(e.target as HTMLElement));
// vscode-single-select's change event does not bubble: listen on each select itself
for (const select of document.querySelectorAll<HTMLElement>('vscode-single-select')) select.addEventListener('change', () => onChange(select));
$('source-image').addEventListener('click', () => setTimeout(showSource));
$('source-containerfile').addEventListener('click', () => setTimeout(showSource));
$('save').addEventListener('click', () => vscode.postMessage({ type: 'save', values: values() }));
$('boot').addEventListener('click', () => vscode.postMessage({ type: 'boot', values: values() }));
for (const button of document.querySelectorAll<HTMLElement>('[data-pick-folder]')) button.addEventListener('click', () => vscode.postMessage({ type: 'pickFolder', field: button.dataset.pickFolder! }));
$('copy-command').addEventListener('click', () => vscode.postMessage({ type: 'copy', text: $('command-line').textContent ?? '' }));
$('copy-bcvk').addEventListener('click', () => vscode.postMessage({ type: 'copy', text: $('bcvk-command-line').textContent ?? '' }));
vscode.postMessage({ type: 'ready' });
