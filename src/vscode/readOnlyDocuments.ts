import * as vscode from 'vscode';

/** The scheme of the extension's own documents (Inspect, Check Prerequisites). */
export const DOCUMENT_SCHEME = 'bootc-ephemeral';

/**
 * Read-only virtual documents, as Container Tools shows `inspect`: no untitled buffer that asks to be
 * saved on close, reopening shows the latest content, and the editor says it is read-only.
 */
export class ReadOnlyDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly contents = new Map<string, string>();
  /** the stops of the documents showLive keeps current */
  private readonly live = new Set<() => void>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly registration = vscode.workspace.registerTextDocumentContentProvider(DOCUMENT_SCHEME, this);

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.contents.get(uri.path) ?? '';
  }

  /** Shows `content` at bootc-ephemeral:/<name> in `language`; with `line`, that line selected at the top. */
  async show(name: string, content: string, language: string, line?: number): Promise<vscode.TextDocument> {
    const uri = vscode.Uri.from({ scheme: DOCUMENT_SCHEME, path: `/${name}` });
    this.contents.set(uri.path, content);
    this.changed.fire(uri);
    let doc = await vscode.workspace.openTextDocument(uri);
    if (doc.languageId !== language) doc = await vscode.languages.setTextDocumentLanguage(doc, language);
    const at = line === undefined ? undefined : doc.lineAt(Math.min(line, doc.lineCount - 1)).range;
    const editor = await vscode.window.showTextDocument(doc, { preview: true, selection: at });
    if (at) editor.revealRange(at, vscode.TextEditorRevealType.AtTop);
    return doc;
  }

  /**
   * Shows `render()`'s content and renders it again every `everyMs` while an editor shows it; stops
   * when the document is closed (or the extension goes).
   */
  async showLive(name: string, language: string, render: () => Promise<string>, everyMs: number): Promise<vscode.TextDocument> {
    const doc = await this.show(name, await render(), language);
    const uri = doc.uri.toString();
    let busy = false;
    const timer = setInterval(() => {
      if (busy || !vscode.window.visibleTextEditors.some((e) => e.document.uri.toString() === uri)) return;
      busy = true;
      void render()
        .then((content) => {
          this.contents.set(doc.uri.path, content);
          this.changed.fire(doc.uri);
        }, () => undefined)
        .finally(() => (busy = false));
    }, everyMs);
    const stop = () => {
      clearInterval(timer);
      closed.dispose();
      this.live.delete(stop);
    };
    const closed = vscode.workspace.onDidCloseTextDocument((d) => d.uri.toString() === uri && stop());
    this.live.add(stop);
    return doc;
  }

  dispose(): void {
    for (const stop of [...this.live]) stop();
    this.registration.dispose();
    this.changed.dispose();
  }
}
