import * as crypto from 'node:crypto';
import * as vscode from 'vscode';
import { parse } from 'yaml';
import type { Services } from '../services';
import { checkForm, EMPTY_FORM, fieldsToForm, formToFields, FormValues } from '../../engine/options/formModel';
import { INSTANCE_TYPES } from '../../engine/options/instanceTypes';
import { listBootcImages } from '../../engine/podman/images';
import { bootFlow } from '../boot/bootFlow';
import type { StoredConfiguration } from '../config/configStore';

const panels = new Map<string, RunFormPanel>();

/** The run form: create or edit a saved configuration, validated as you type, with its command line. */
export class RunFormPanel {
  private readonly panel: vscode.WebviewPanel;
  private previousName: string | undefined;

  static show(s: Services, config?: StoredConfiguration): RunFormPanel {
    const key = config ? `${config.folder.uri}#${config.name}` : 'new';
    const existing = panels.get(key);
    if (existing) {
      existing.panel.reveal();
      return existing;
    }
    const p = new RunFormPanel(s, config, key);
    panels.set(key, p);
    return p;
  }

  private constructor(private readonly s: Services, private readonly config: StoredConfiguration | undefined, key: string) {
    this.previousName = config?.name;
    this.panel = vscode.window.createWebviewPanel('bootcEphemeral.runForm', config ? vscode.l10n.t('VM: {0}', config.name) : vscode.l10n.t('New VM Configuration'), vscode.ViewColumn.Active, {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(s.context.extensionUri, 'dist', 'webview')],
      retainContextWhenHidden: true,
    });
    this.panel.webview.html = this.html();
    this.panel.webview.onDidReceiveMessage((m) => void this.onMessage(m));
    this.panel.onDidDispose(() => panels.delete(key));
  }

  get webviewPanel(): vscode.WebviewPanel {
    return this.panel;
  }

  private folder(): vscode.WorkspaceFolder | undefined {
    return this.config?.folder ?? vscode.workspace.workspaceFolders?.[0];
  }

  private check(values: FormValues) {
    const taken = this.s.configs.all().filter((c) => c.name !== this.previousName).map((c) => c.name);
    return checkForm(values, { workspaceFolder: this.folder()?.uri.fsPath, takenNames: taken });
  }

  private async onMessage(m: { type: string; values?: FormValues; field?: string; text?: string }): Promise<void> {
    const post = (msg: unknown) => this.panel.webview.postMessage(msg);
    if (m.type === 'ready') {
      const images = (await listBootcImages(this.s.podman()).catch(() => [])).map((i) => i.name);
      const values = this.config ? fieldsToForm(await this.rawFields(this.config)) : { ...EMPTY_FORM, memory: vscode.workspace.getConfiguration('bootcEphemeral').get<string>('defaultMemory') ?? '4G' };
      if (values.image && !images.includes(values.image)) images.unshift(values.image);
      await post({ type: 'init', values, images, itypes: INSTANCE_TYPES, title: this.panel.title });
    } else if (m.type === 'check' && m.values) {
      await post({ type: 'check', check: this.check(m.values) });
    } else if ((m.type === 'save' || m.type === 'boot') && m.values) {
      const check = this.check(m.values);
      if (check.problems.length) return void post({ type: 'check', check });
      const folder = this.folder();
      if (!folder) return void vscode.window.showWarningMessage(vscode.l10n.t('Open a folder to save configurations in.'));
      const fields = formToFields(m.values);
      const file = await this.s.configs.save(folder, fields, this.previousName);
      this.previousName = fields.name;
      this.panel.title = vscode.l10n.t('VM: {0}', fields.name);
      await post({ type: 'saved', file: vscode.workspace.asRelativePath(file) });
      if (m.type === 'boot') {
        const config = this.s.configs.find(fields.name);
        if (config) void bootFlow(this.s, { configuration: config });
      }
    } else if (m.type === 'pickFolder' && m.field) {
      const picked = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, canSelectMany: false, defaultUri: this.folder()?.uri });
      if (picked?.[0]) await post({ type: 'folderPicked', field: m.field, path: picked[0].fsPath });
    } else if (m.type === 'copy' && m.text) {
      await vscode.env.clipboard.writeText(m.text);
    }
  }

  /** The configuration as written in the file (with ${...} unresolved), for editing. */
  private async rawFields(c: StoredConfiguration): Promise<Record<string, unknown>> {
    const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(c.file));
    const doc = parse(text) as { configurations?: Record<string, unknown>[] };
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
    const area = (id: string, label: string, placeholder = '', help = '') => field(id, label, `<vscode-textarea id="${id}" rows="2" placeholder="${placeholder}"></vscode-textarea>`, help);
    const select = (id: string, label: string, options: [string, string][]) => field(id, label, `<vscode-single-select id="${id}">${options.map(([v, l]) => `<vscode-option value="${v}">${l}</vscode-option>`).join('')}</vscode-single-select>`);
    return `<!DOCTYPE html>
<html lang="en"><head><meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'nonce-${nonce}'; style-src ${w.cspSource} 'nonce-${nonce}'; font-src ${w.cspSource};">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<style nonce="${nonce}">
  body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); padding: 8px 20px 24px; max-width: 760px; }
  h1 { font-size: 1.3em; font-weight: 600; }
  .row { margin: 10px 0; display: flex; flex-direction: column; gap: 3px; }
  .row vscode-textfield, .row vscode-textarea, .row vscode-single-select { width: 100%; }
  .help { color: var(--vscode-descriptionForeground); font-size: 0.92em; }
  .problem { color: var(--vscode-errorForeground); font-size: 0.92em; min-height: 0; }
  .pair { display: grid; grid-template-columns: 1fr 1fr 1fr; gap: 12px; }
  .actions { display: flex; gap: 8px; margin-top: 16px; align-items: center; }
  #status { color: var(--vscode-descriptionForeground); }
  code { font-family: var(--vscode-editor-font-family); background: var(--vscode-textCodeBlock-background); padding: 6px 8px; display: block; white-space: pre-wrap; word-break: break-all; }
  [hidden] { display: none !important; }
</style></head>
<body>
<h1 id="title"></h1>
${text('name', t('Name'), 'dev')}
<div class="row"><vscode-label>${t('Boot')}</vscode-label>
  <vscode-radio-group id="source"><vscode-radio id="source-image" name="source" value="image" checked>${t('an image')}</vscode-radio><vscode-radio id="source-containerfile" name="source" value="containerfile">${t('a Containerfile (built first)')}</vscode-radio></vscode-radio-group></div>
<div id="image-row">${field('image', t('Image (local bootc images)'), '<vscode-single-select id="image" combobox></vscode-single-select>')}</div>
<div id="containerfile-row" hidden>${text('containerfile', t('Containerfile'), '${workspaceFolder}/Containerfile')}${text('context', t('Build context (default: its folder)'))}</div>
<div class="pair">
${select('itype', t('Instance type'), [['', t('(none)')], ...Object.entries(INSTANCE_TYPES).map(([k, v]): [string, string] => [k, `${k} (${v.vcpus} vCPU, ${v.memoryMiB / 1024}G)`])])}
${text('memory', t('Memory'), '4G')}
${text('vcpus', t('vCPUs'), t('host CPUs'))}
</div>
${area('bind', t('Binds (read-write), one HOST[:NAME] per line'), '${workspaceFolder}/src:src', t('Mounted at /run/virtiofs-mnt-NAME.'))}
<vscode-button id="add-bind" secondary>${t('Add Folder...')}</vscode-button>
${area('roBind', t('Read-only binds, one HOST[:NAME] per line'))}
<vscode-button id="add-ro-bind" secondary>${t('Add Folder...')}</vscode-button>
${area('karg', t('Kernel arguments, one per line'), 'quiet')}
<vscode-collapsible title="${t('Advanced')}" id="advanced">
  <div style="padding: 0 8px">
  ${area('execute', t('Execute, one command per line (systemd ExecStart syntax)'))}
  ${area('env', t('Container environment, KEY=VALUE per line'))}
  ${area('label', t('Container labels, KEY=VALUE per line'))}
  ${text('network', t('podman network'))}
  ${text('systemdUnits', t('systemd units folder'))}
  ${text('addSwap', t('Swap disk size'), '1G')}
  ${area('mountDiskFile', t('Disk files, FILE[:NAME] per line'))}
  ${select('accel', t('Accelerator'), [['auto', 'auto'], ['kvm', 'kvm'], ['tcg', 'tcg']])}
  ${select('bindWorkspace', t('Bind the workspace folders'), [['', t('(the setting)')], ['rw', t('read-write')], ['ro', t('read-only')], ['off', t('no')]])}
  ${text('forwardPorts', t('Forward guest ports when ready'), '8080, 9090')}
  <div class="row"><vscode-checkbox id="console">${t('Serial console on the container output')}</vscode-checkbox></div>
  </div>
</vscode-collapsible>
<div class="problem" id="problem-general" role="alert"></div>
<div id="commands" hidden>
  <div class="row"><vscode-label>${t('Command line')}</vscode-label><code id="command-line"></code><div><vscode-button id="copy-command" secondary>${t('Copy')}</vscode-button></div></div>
  <div class="row"><vscode-label>${t('With bcvk')}</vscode-label><code id="bcvk-command-line"></code><div><vscode-button id="copy-bcvk" secondary>${t('Copy')}</vscode-button></div></div>
</div>
<div class="actions"><vscode-button id="save">${t('Save')}</vscode-button><vscode-button id="boot" secondary>${t('Save and Boot')}</vscode-button><span id="status" role="status"></span></div>
<script nonce="${nonce}" src="${script}"></script>
</body></html>`;
  }
}
