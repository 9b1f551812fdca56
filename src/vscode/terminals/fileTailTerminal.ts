import * as vscode from 'vscode';
import { followFile } from '../../engine/guest/logs';

/** A read-only terminal that follows a growing log file (the guest journal or console) until the VM ends. */
export class FileTailPseudoterminal implements vscode.Pseudoterminal {
  private readonly write = new vscode.EventEmitter<string>();
  private readonly closeEmitter = new vscode.EventEmitter<void>();
  readonly onDidWrite = this.write.event;
  readonly onDidClose = this.closeEmitter.event;
  private readonly abort = new AbortController();
  private readonly decoder = new TextDecoder('utf-8');

  constructor(private readonly file: string, private readonly isAlive: () => Promise<boolean>, private readonly endMessage: string) {}

  open(): void {
    void followFile(this.file, (chunk) => this.write.fire(this.decoder.decode(chunk, { stream: true }).replace(/\r?\n/g, '\r\n')), {
      signal: this.abort.signal,
      isAlive: this.isAlive,
    }).then(() => {
      if (!this.abort.signal.aborted) this.write.fire(`\r\n\x1b[2m${this.endMessage}\x1b[0m\r\n`);
    });
  }

  handleInput(data: string): void {
    if (data === '\x03' || data === 'q') this.closeEmitter.fire();
  }

  close(): void {
    this.abort.abort();
  }
}

export function openFileTail(name: string, file: string, isAlive: () => Promise<boolean>, endMessage: string): vscode.Terminal {
  const t = vscode.window.createTerminal({ name, pty: new FileTailPseudoterminal(file, isAlive, endMessage), iconPath: new vscode.ThemeIcon('output'), isTransient: true });
  t.show();
  return t;
}
