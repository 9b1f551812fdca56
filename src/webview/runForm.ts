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
import type { FormValues, FormCheck } from '../engine/options/formModel';

declare function acquireVsCodeApi(): { postMessage(m: unknown): void };
const vscode = acquireVsCodeApi();

type Field = HTMLElement & { value: string; checked?: boolean };
const $ = <T extends HTMLElement = Field>(id: string) => document.getElementById(id) as T;
const TEXT_KEYS = ['name', 'image', 'containerfile', 'context', 'itype', 'memory', 'vcpus', 'bind', 'roBind', 'karg', 'execute', 'env', 'label', 'network', 'systemdUnits', 'addSwap', 'mountDiskFile', 'accel', 'bindWorkspace', 'forwardPorts'] as const;
let itypes: Record<string, { vcpus: number; memoryMiB: number }> = {};

function values(): FormValues {
  const v = { source: ($('source-containerfile') as Field).checked ? 'containerfile' : 'image', console: !!$('console').checked } as FormValues;
  for (const k of TEXT_KEYS) (v as unknown as Record<string, string>)[k] = $(k).value ?? '';
  return v;
}

function fill(v: FormValues): void {
  for (const k of TEXT_KEYS) $(k).value = v[k];
  $('console').checked = v.console;
  ($('source-image') as Field).checked = v.source === 'image';
  ($('source-containerfile') as Field).checked = v.source === 'containerfile';
  showSource();
}

function showSource(): void {
  const cf = !!($('source-containerfile') as Field).checked;
  $('image-row').hidden = cf;
  $('containerfile-row').hidden = !cf;
}

function showCheck(c: FormCheck): void {
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
  $('status').textContent = c.problems.length ? `${c.problems.length} problem(s)` : 'valid';
}

let timer: number | undefined;
function changed(): void {
  clearTimeout(timer);
  timer = window.setTimeout(() => vscode.postMessage({ type: 'check', values: values() }), 150);
}

window.addEventListener('message', (e: MessageEvent) => {
  const m = e.data;
  if (m.type === 'init') {
    itypes = m.itypes;
    const images = $('image') as Field;
    images.innerHTML = '';
    for (const name of m.images as string[]) {
      const o = document.createElement('vscode-option');
      o.textContent = name;
      (o as unknown as { value: string }).value = name;
      images.appendChild(o);
    }
    fill(m.values);
    $('title').textContent = m.title;
    changed();
  } else if (m.type === 'check') showCheck(m.check);
  else if (m.type === 'folderPicked') {
    const t = $(m.field);
    t.value = [t.value.trim(), m.path].filter(Boolean).join('\n');
    changed();
  } else if (m.type === 'saved') $('status').textContent = `saved to ${m.file}`;
});

function onChange(target: HTMLElement): void {
  if (target.id === 'itype') {
    const t = itypes[$('itype').value];
    if (t) {
      $('memory').value = t.memoryMiB % 1024 === 0 ? `${t.memoryMiB / 1024}G` : `${t.memoryMiB}M`;
      $('vcpus').value = String(t.vcpus);
    }
  }
  if (target.id?.startsWith('source-')) showSource();
  changed();
}

document.addEventListener('input', changed);
document.addEventListener('change', (e) => onChange(e.target as HTMLElement));
// vscode-single-select's change event does not bubble: listen on each select itself
for (const select of document.querySelectorAll<HTMLElement>('vscode-single-select')) select.addEventListener('change', () => onChange(select));
$('source-image').addEventListener('click', () => setTimeout(showSource));
$('source-containerfile').addEventListener('click', () => setTimeout(showSource));
$('save').addEventListener('click', () => vscode.postMessage({ type: 'save', values: values() }));
$('boot').addEventListener('click', () => vscode.postMessage({ type: 'boot', values: values() }));
$('add-bind').addEventListener('click', () => vscode.postMessage({ type: 'pickFolder', field: 'bind' }));
$('add-ro-bind').addEventListener('click', () => vscode.postMessage({ type: 'pickFolder', field: 'roBind' }));
$('copy-command').addEventListener('click', () => vscode.postMessage({ type: 'copy', text: $('command-line').textContent }));
$('copy-bcvk').addEventListener('click', () => vscode.postMessage({ type: 'copy', text: $('bcvk-command-line').textContent }));
vscode.postMessage({ type: 'ready' });
