import * as vscode from 'vscode';
import { shellLine } from '../engine/shellQuote';

/** The one output channel: every podman/QEMU command line at debug level, errors with "Show Log". */
export class Logger implements vscode.Disposable {
  readonly channel = vscode.window.createOutputChannel('Ephemeral VMs', { log: true });

  command(argv: string[]): void {
    this.channel.debug(shellLine(argv));
  }

  info(message: string): void {
    this.channel.info(message);
  }

  /** Logs the error and shows it with a "Show Log" action. */
  async showError(message: string, action = vscode.l10n.t('Show Log')): Promise<void> {
    this.channel.error(message);
    const choice = await vscode.window.showErrorMessage(message, action);
    if (choice) this.channel.show(true);
  }

  dispose(): void {
    this.channel.dispose();
  }
}
