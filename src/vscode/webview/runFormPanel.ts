import * as crypto from 'node:crypto';
import * as vscode from 'vscode';
import { yaml } from '../../engine/lazyDeps';
import type { Services } from '../services';
import { checkForm, derivedFormValues, EMPTY_FORM, fieldsToForm, FORM_FIELDS, formToFields, FormValues, type FormCheck, type FormField } from '../../engine/options/formModel';
import type { PageMessage, PanelMessage } from '../../webview/protocol';
import { listBootcImages } from '../../engine/podman/images';
import { bootFlow } from '../boot/bootFlow';
import { pageHead } from './pageHead';
import type { StoredConfiguration } from '../config/configStore';

const panels = new Map<string, RunFormPanel>();

/** The run form: create or edit a saved configuration, validated as you type, with its command line. */
export class RunFormPanel {
  private readonly panel: vscode.WebviewPanel;
  private previousName: string | undefined;

  /** The form for `config`, or for a new configuration of `folder` (one form per configuration or folder). */
  static show(s: Services, config: StoredConfiguration | undefined, folder: vscode.WorkspaceFolder | undefined): RunFormPanel {
    const key = config ? `${config.folder.uri}#${config.name}` : `new#${folder?.uri ?? ''}`;
    const existing = panels.get(key);
    if (existing) {
      existing.panel.reveal();
      return existing;
    }
    const p = new RunFormPanel(s, config, config?.folder ?? folder, key);
    panels.set(key, p);
    return p;
  }

  private constructor(
    private readonly s: Services,
    private readonly config: StoredConfiguration | undefined,
    private readonly folder: vscode.WorkspaceFolder | undefined,
    key: string,
  ) {
    this.previousName = config?.name;
    this.panel = vscode.window.createWebviewPanel('bootcEphemeral.runForm', this.titleFor(config?.name), vscode.ViewColumn.Active, {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(s.context.extensionUri, 'dist', 'webview')],
      retainContextWhenHidden: true,
    });
    this.panel.webview.html = this.html();
    this.panel.webview.onDidReceiveMessage((m) => void this.onMessage(m));
    this.panel.onDidDispose(() => panels.delete(key));
  }

  /** "VM: dev" (or a new one's), with the folder's name in a multi-root workspace */
  private titleFor(name: string | undefined): string {
    const title = name ? vscode.l10n.t('VM: {0}', name) : vscode.l10n.t('New VM Configuration');
    return (vscode.workspace.workspaceFolders?.length ?? 0) > 1 && this.folder ? `${title} (${this.folder.name})` : title;
  }

  get webviewPanel(): vscode.WebviewPanel {
    return this.panel;
  }

  private check(values: FormValues) {
    // names are unique per folder
    const taken = (this.folder ? this.s.configs.inFolder(this.folder) : []).filter((c) => c.name !== this.previousName).map((c) => c.name);
    return checkForm(values, { workspaceFolder: this.folder?.uri.fsPath, takenNames: taken });
  }

  private async onMessage(m: PageMessage): Promise<void> {
    const post = (msg: PanelMessage) => this.panel.webview.postMessage(msg);
    if (m.type === 'ready') {
      const images = (await Promise.resolve().then(() => listBootcImages(this.s.podman())).catch(() => [])).map((i) => i.name);
      const values = this.config ? fieldsToForm(await this.rawFields(this.config)) : { ...EMPTY_FORM, memory: vscode.workspace.getConfiguration('bootcEphemeral').get<string>('defaultMemory') ?? '4G' };
      if (values.image && !images.includes(values.image)) images.unshift(values.image);
      await post({ type: 'init', values, images, fields: FORM_FIELDS, title: this.panel.title });
    } else if (m.type === 'check') {
      const derived = derivedFormValues(m.values, m.changed);
      if (Object.keys(derived).length) await post({ type: 'set', values: derived });
      const check = this.check({ ...m.values, ...derived });
      await post({ type: 'check', check, status: statusOf(check) });
    } else if (m.type === 'save' || m.type === 'boot') {
      const check = this.check(m.values);
      if (check.problems.length) return void post({ type: 'check', check, status: statusOf(check) });
      const folder = this.folder;
      if (!folder) return void vscode.window.showWarningMessage(vscode.l10n.t('Open a folder to save configurations in.'));
      const fields = formToFields(m.values);
      const file = await this.s.configs.save(folder, fields, this.previousName);
      this.previousName = fields.name;
      this.panel.title = this.titleFor(fields.name);
      await post({ type: 'saved', status: vscode.l10n.t('saved to {0}', vscode.workspace.asRelativePath(file)) });
      if (m.type === 'boot') {
        const config = this.s.configs.find(fields.name, folder);
        if (config) void bootFlow(this.s, { configuration: config });
      }
    } else if (m.type === 'pickFolder') {
      const picked = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, canSelectMany: false, defaultUri: this.folder?.uri });
      if (picked?.[0]) await post({ type: 'folderPicked', field: m.field, path: picked[0].fsPath });
    } else if (m.type === 'copy' && m.text) {
      await vscode.env.clipboard.writeText(m.text);
    }
  }

  /** The configuration as written in the file (with ${...} unresolved), for editing. */
  private async rawFields(c: StoredConfiguration): Promise<Record<string, unknown>> {
    const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(c.file));
    const doc = yaml().parse(text) as { configurations?: Record<string, unknown>[] };
    return doc.configurations?.find((x) => x.name === c.name) ?? { name: c.name };
  }

  private html(): string {
    const w = this.panel.webview;
    const nonce = crypto.randomBytes(16).toString('base64');
    const script = w.asWebviewUri(vscode.Uri.joinPath(this.s.context.extensionUri, 'dist', 'webview', 'runForm.js'));
    const t = vscode.l10n.t;
    const field = (id: string, label: string, input: string, help = '') =>
      `<div class="row"><vscode-label for="${id}">${label}</vscode-label>${input}${help ? `<div class="help">${help}</div>` : ''}<div class="problem" id="problem-${id}" role="alert"></div></div>`;
    const text = (id: string, label: string, placeholder = '', help = '') => field(id, label, `<vscode-textfield id="${id}" placeholder="${placeholder}"></vscode-textfield>`, help);
    const kebab = (key: string) => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
    // option fields come from the option table (FORM_FIELDS), its words in the display language
    const control = (f: FormField) => {
      const placeholder = f.placeholder ?? '';
      if (f.control === 'checkbox') return `<div class="row"><vscode-checkbox id="${f.key}">${f.label}</vscode-checkbox></div>`;
      const input =
        f.control === 'select' ? `<vscode-single-select id="${f.key}">${(f.options ?? []).map(([v, l]) => `<vscode-option value="${v}">${l}</vscode-option>`).join('')}</vscode-single-select>`
        : f.control === 'area' ? `<vscode-textarea id="${f.key}" rows="2" placeholder="${placeholder}"></vscode-textarea>`
        : `<vscode-textfield id="${f.key}" placeholder="${placeholder}"></vscode-textfield>`;
      const picker = f.pickFolder ? `<vscode-button id="add-${kebab(f.key)}" data-pick-folder="${f.key}" secondary>${t('Add Folder...')}</vscode-button>` : '';
      return field(f.key, f.label, input, f.help ?? '') + picker;
    };
    const section = (name: FormField['section']) => FORM_FIELDS.filter((f) => f.section === name).map(control).join('\n');
    const style = `  .row { margin: 10px 0; display: flex; flex-direction: column; gap: 3px; }
  .row vscode-textfield, .row vscode-textarea, .row vscode-single-select { width: 100%; }
  .help { color: var(--vscode-descriptionForeground); font-size: 0.92em; }
  .problem { color: var(--vscode-errorForeground); font-size: 0.92em; min-height: 0; }
  .pair { display: grid; grid-template-columns: 1fr 1fr 1fr; gap: 12px; }
  .actions { display: flex; gap: 8px; margin-top: 16px; align-items: center; }
  #status { color: var(--vscode-descriptionForeground); }
  code { font-family: var(--vscode-editor-font-family); background: var(--vscode-textCodeBlock-background); padding: 6px 8px; display: block; white-space: pre-wrap; word-break: break-all; }
  .advanced-body { padding: 0 8px; }
  [hidden] { display: none !important; }`;
    return `${pageHead({ nonce, cspSource: w.cspSource, csp: `script-src 'nonce-${nonce}'; font-src ${w.cspSource}`, style })}
<body>
<h1 id="title"></h1>
<div id="form" hidden>
${text('name', t('Name'), 'dev')}
<div class="row"><vscode-label>${t('Boot')}</vscode-label>
  <vscode-radio-group id="source"><vscode-radio id="source-image" name="source" value="image" checked>${t('an image')}</vscode-radio><vscode-radio id="source-containerfile" name="source" value="containerfile">${t('a Containerfile (built first)')}</vscode-radio></vscode-radio-group></div>
<div id="image-row">${field('image', t('Image (local bootc images)'), '<vscode-single-select id="image" combobox></vscode-single-select>')}</div>
<div id="containerfile-row" hidden>${text('containerfile', t('Containerfile'), '${workspaceFolder}/Containerfile')}${text('context', t('Build context (default: its folder)'))}</div>
<div class="pair">
${section('sizing')}
</div>
${section('main')}
<vscode-collapsible title="${t('Advanced')}" id="advanced">
  <div class="advanced-body">
  ${section('advanced')}
  </div>
</vscode-collapsible>
<div class="problem" id="problem-general" role="alert"></div>
<div id="commands" hidden>
  <div class="row"><vscode-label>${t('Command line')}</vscode-label><code id="command-line"></code><div><vscode-button id="copy-command" secondary>${t('Copy')}</vscode-button></div></div>
  <div class="row"><vscode-label>${t('With bcvk')}</vscode-label><code id="bcvk-command-line"></code><div><vscode-button id="copy-bcvk" secondary>${t('Copy')}</vscode-button></div></div>
</div>
<div class="actions"><vscode-button id="save">${t('Save')}</vscode-button><vscode-button id="boot" secondary>${t('Save and Boot')}</vscode-button><span id="status" role="status"></span></div>
</div>
<script nonce="${nonce}" src="${script}"></script>
</body></html>`;
  }
}

/** The form's status line: valid, or how many problems. */
function statusOf(check: FormCheck): string {
  return check.problems.length === 1 ? vscode.l10n.t('1 problem') : check.problems.length ? vscode.l10n.t('{0} problems', check.problems.length) : vscode.l10n.t('valid');
}
