import * as vscode from 'vscode';

export function activate(_context: vscode.ExtensionContext): void {
  // the VMs view and commands arrive with the extension issues; the engine is usable from the CLI now
}

export function deactivate(): void {}
