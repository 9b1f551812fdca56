import * as vscode from 'vscode';
import type { Podman } from '../../engine/podman/podman';
import type { VmInfo } from '../../engine/vm/vms';
import { followVmLog, type VmLog } from '../../engine/vm/transport';

/**
 * A read-only terminal that follows one of a VM's logs (the guest journal or console) until the VM
 * ends: the state dir's file for the local podman, the container's through podman for a remote one.
 */
export class LogTailPseudoterminal implements vscode.Pseudoterminal {
  private readonly write = new vscode.EventEmitter<string>();
  private readonly closeEmitter = new vscode.EventEmitter<void>();
  readonly onDidWrite = this.write.event;
  readonly onDidClose = this.closeEmitter.event;
  private readonly abort = new AbortController();
  private readonly decoder = new TextDecoder('utf-8');

  constructor(
    private readonly podman: Podman,
    private readonly vm: VmInfo,
    private readonly log: VmLog,
    private readonly isAlive: () => Promise<boolean>,
    private readonly endMessage: string,
  ) {}

  open(): void {
    const show = (chunk: Buffer) => this.write.fire(this.decoder.decode(chunk, { stream: true }).replace(/\r?\n/g, '\r\n'));
    void followVmLog(this.podman, this.vm, this.log, show, { signal: this.abort.signal, isAlive: this.isAlive })
      .catch((e: Error) => this.write.fire(`\r\n\x1b[2m${e.message}\x1b[0m\r\n`))
      .then(() => {
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

export function openLogTailTerminal(name: string, pty: LogTailPseudoterminal): vscode.Terminal {
  const t = vscode.window.createTerminal({ name, pty, iconPath: new vscode.ThemeIcon('output'), isTransient: true });
  t.show();
  return t;
}
