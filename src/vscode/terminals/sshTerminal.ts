import * as vscode from 'vscode';
import type { Client, ClientChannel } from 'ssh2';
import type { Podman } from '../../engine/podman/podman';
import { waitForSsh } from '../../engine/guest/ready';
import { exitCodeOf } from '../../engine/guest/ssh';

/**
 * An interactive SSH shell in a VM as a Pseudoterminal: ssh2 from the extension host with a pty,
 * resize follows the terminal, UTF-8 decoded in stream mode, the exit code is shown.
 */
export class SshPseudoterminal implements vscode.Pseudoterminal {
  private readonly write = new vscode.EventEmitter<string>();
  private readonly exit = new vscode.EventEmitter<number | void>();
  readonly onDidWrite = this.write.event;
  readonly onDidClose = this.exit.event;
  private client: Client | undefined;
  private channel: ClientChannel | undefined;
  private dims: vscode.TerminalDimensions = { columns: 80, rows: 24 };
  private readonly decoder = new TextDecoder('utf-8');
  private closed = false;

  constructor(private readonly podman: Podman, private readonly vmName: string, private readonly command?: string) {}

  open(initial: vscode.TerminalDimensions | undefined): void {
    if (initial) this.dims = initial;
    this.write.fire(`\x1b[2m${vscode.l10n.t('Connecting to {0}...', this.vmName)}\x1b[0m\r\n`);
    void this.connect();
  }

  private async connect(): Promise<void> {
    try {
      const { client } = await waitForSsh(this.podman, this.vmName, { timeoutMs: 240_000 });
      this.client = client;
      client.on('close', () => {
        if (!this.closed) this.write.fire(`\r\n\x1b[33m${vscode.l10n.t('Connection to {0} closed. Reopen the terminal to reconnect.', this.vmName)}\x1b[0m\r\n`);
      });
      const pty = { rows: this.dims.rows, cols: this.dims.columns, term: 'xterm-256color' };
      const onChannel = (err: Error | undefined, channel: ClientChannel) => {
        if (err) return this.fail(err.message);
        this.channel = channel;
        let code: number | null = null;
        let signal: string | null = null;
        channel.on('data', (d: Buffer) => this.write.fire(this.decoder.decode(d, { stream: true })));
        channel.stderr.on('data', (d: Buffer) => this.write.fire(this.decoder.decode(d, { stream: true })));
        channel.on('exit', (c: number | null, s?: string) => {
          code = c;
          signal = s ?? null;
        });
        channel.on('close', () => {
          const status = exitCodeOf(code, signal);
          this.write.fire(`\r\n\x1b[2m${vscode.l10n.t('[process exited with code {0}]', status)}\x1b[0m\r\n`);
          this.closed = true;
          client.end();
          this.exit.fire(status);
        });
      };
      if (this.command) client.exec(this.command, { pty }, onChannel);
      else client.shell(pty, onChannel);
    } catch (e) {
      this.fail((e as Error).message);
    }
  }

  private fail(message: string): void {
    this.write.fire(`\r\n\x1b[31m${message.replace(/\n/g, '\r\n')}\x1b[0m\r\n`);
  }

  handleInput(data: string): void {
    this.channel?.write(data);
  }

  setDimensions(d: vscode.TerminalDimensions): void {
    this.dims = d;
    this.channel?.setWindow(d.rows, d.columns, 0, 0);
  }

  close(): void {
    this.closed = true;
    this.channel?.close();
    this.client?.end();
  }
}

export function openSshTerminal(podman: Podman, vmName: string, command?: string): vscode.Terminal {
  const terminal = vscode.window.createTerminal({
    name: `SSH: ${vmName}`,
    pty: new SshPseudoterminal(podman, vmName, command),
    iconPath: new vscode.ThemeIcon('remote'),
  });
  terminal.show();
  return terminal;
}
