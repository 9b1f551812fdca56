import * as vscode from 'vscode';

/** The scheme of the extension's own documents (Inspect, Check Prerequisites). */
export const DOCUMENT_SCHEME = 'bootc-ephemeral';

/**
 * Read-only virtual documents, as Container Tools shows `inspect`: no untitled buffer that asks to be
 * saved on close, reopening shows the latest content, and the editor says it is read-only.
 */
export class ReadOnlyDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly contents = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly registration = vscode.workspace.registerTextDocumentContentProvider(DOCUMENT_SCHEME, this);

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.contents.get(uri.path) ?? '';
  }

  /** Shows `content` at bootc-ephemeral:/<name> (its ending picks the language: .json, .md). */
  async show(name: string, content: string, language: string): Promise<vscode.TextDocument> {
    const uri = vscode.Uri.from({ scheme: DOCUMENT_SCHEME, path: `/${name}` });
    this.contents.set(uri.path, content);
    this.changed.fire(uri);
    let doc = await vscode.workspace.openTextDocument(uri);
    if (doc.languageId !== language) doc = await vscode.languages.setTextDocumentLanguage(doc, language);
    await vscode.window.showTextDocument(doc, { preview: true });
    return doc;
  }

  dispose(): void {
    this.registration.dispose();
    this.changed.dispose();
  }
}
