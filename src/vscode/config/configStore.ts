import * as path from 'node:path';
import * as vscode from 'vscode';
import { CONFIG_FILE, parseConfigFile, SavedConfiguration, upsertConfiguration, removeConfiguration, ConfigurationFields } from '../../engine/options/configFile';

const CHECK_DELAY_MS = 150;

export interface StoredConfiguration extends SavedConfiguration {
  folder: vscode.WorkspaceFolder;
  file: vscode.Uri;
  range: [number, number];
  /** what the file's diagnostics say about it: a configuration with problems does not boot */
  problems: string[];
}

/**
 * The saved configurations of every workspace folder (.vscode/bootc-ephemeral.yaml): read through
 * the same parser as the CLI's validator, watched on disk, and checked as you type (diagnostics).
 */
export class ConfigStore implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly diagnostics = vscode.languages.createDiagnosticCollection('bootc-ephemeral');
  private readonly disposables: vscode.Disposable[] = [];
  private configs: StoredConfiguration[] = [];

  constructor() {
    const watcher = vscode.workspace.createFileSystemWatcher(`**/${CONFIG_FILE}`);
    const reload = () => void this.reload();
    watcher.onDidChange(reload);
    watcher.onDidCreate(reload);
    watcher.onDidDelete(reload);
    // a deleted and re-created .vscode folder can reach us only as a folder event
    const folderWatcher = vscode.workspace.createFileSystemWatcher('**/.vscode');
    folderWatcher.onDidCreate(reload);
    folderWatcher.onDidDelete(reload);
    this.disposables.push(
      watcher,
      folderWatcher,
      vscode.workspace.onDidChangeWorkspaceFolders(reload),
      vscode.workspace.onDidOpenTextDocument((d) => this.check(d)),
      vscode.workspace.onDidChangeTextDocument((e) => this.check(e.document)),
      vscode.workspace.onDidCloseTextDocument((d) => {
        if (this.isConfigFile(d.uri)) void this.reload();
      }),
    );
    void this.reload();
  }

  all(): StoredConfiguration[] {
    return this.configs;
  }

  /** A configuration by name: in `folder` when given (names are unique per folder, not per workspace). */
  find(name: string, folder?: vscode.WorkspaceFolder): StoredConfiguration | undefined {
    return this.configs.find((c) => c.name === name && (!folder || c.folder.uri.toString() === folder.uri.toString()));
  }

  inFolder(folder: vscode.WorkspaceFolder): StoredConfiguration[] {
    return this.configs.filter((c) => c.folder.uri.toString() === folder.uri.toString());
  }

  isConfigFile(uri: vscode.Uri): boolean {
    return uri.path.endsWith(`/${CONFIG_FILE}`);
  }

  fileOf(folder: vscode.WorkspaceFolder): vscode.Uri {
    return vscode.Uri.joinPath(folder.uri, CONFIG_FILE);
  }

  private folderOf(uri: vscode.Uri): vscode.WorkspaceFolder | undefined {
    return vscode.workspace.getWorkspaceFolder(uri);
  }

  private readonly pendingChecks = new Map<string, NodeJS.Timeout>();

  /**
   * Diagnostics for an open document of ours, from its unsaved text: parsed a moment after the last
   * keystroke, never on it (the file is size-capped too, see MAX_CONFIG_BYTES).
   */
  private check(doc: vscode.TextDocument): void {
    if (!this.isConfigFile(doc.uri)) return;
    const key = doc.uri.toString();
    clearTimeout(this.pendingChecks.get(key));
    this.pendingChecks.set(
      key,
      setTimeout(() => {
        this.pendingChecks.delete(key);
        if (!doc.isClosed) this.setDiagnostics(doc.uri, doc.getText());
      }, CHECK_DELAY_MS),
    );
  }

  private setDiagnostics(uri: vscode.Uri, text: string): void {
    const folder = this.folderOf(uri);
    const parsed = parseConfigFile(text, { workspaceFolder: folder?.uri.fsPath });
    const lineStarts = [0];
    for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
    const positionAt = (offset: number) => {
      let line = 0;
      while (line + 1 < lineStarts.length && lineStarts[line + 1] <= offset) line++;
      return new vscode.Position(line, offset - lineStarts[line]);
    };
    this.diagnostics.set(
      uri,
      parsed.problems.map((p) => {
        const d = new vscode.Diagnostic(new vscode.Range(positionAt(p.start), positionAt(Math.max(p.end, p.start + 1))), p.message, vscode.DiagnosticSeverity.Error);
        d.source = 'bootc-ephemeral';
        return d;
      }),
    );
  }

  async reload(): Promise<void> {
    const configs: StoredConfiguration[] = [];
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      const file = this.fileOf(folder);
      let text: string;
      // unsaved edits win; otherwise the disk (an open, clean document may lag behind it)
      const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === file.toString() && d.isDirty);
      try {
        text = open ? open.getText() : new TextDecoder().decode(await vscode.workspace.fs.readFile(file));
      } catch {
        this.diagnostics.delete(file);
        continue;
      }
      const parsed = parseConfigFile(text, { workspaceFolder: folder.uri.fsPath });
      for (const c of parsed.configurations) configs.push({ ...c, folder, file });
      this.setDiagnostics(file, text);
    }
    this.configs = configs;
    void vscode.commands.executeCommand('setContext', 'bootcEphemeral.hasConfigurations', configs.length > 0);
    this.changed.fire();
  }

  /** Adds or replaces a configuration in the folder's file (created when missing), keeping comments. */
  async save(folder: vscode.WorkspaceFolder, fields: ConfigurationFields, previousName?: string): Promise<vscode.Uri> {
    const file = this.fileOf(folder);
    let text = '';
    try {
      text = new TextDecoder().decode(await vscode.workspace.fs.readFile(file));
    } catch {
      await vscode.workspace.fs.createDirectory(vscode.Uri.file(path.dirname(file.fsPath)));
    }
    await vscode.workspace.fs.writeFile(file, new TextEncoder().encode(upsertConfiguration(text, fields, previousName)));
    await this.reload();
    return file;
  }

  async delete(c: StoredConfiguration): Promise<void> {
    const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(c.file));
    await vscode.workspace.fs.writeFile(c.file, new TextEncoder().encode(removeConfiguration(text, c.name)));
    await this.reload();
  }

  dispose(): void {
    for (const t of this.pendingChecks.values()) clearTimeout(t);
    this.diagnostics.dispose();
    this.changed.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
