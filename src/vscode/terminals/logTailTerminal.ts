import * as vscode from 'vscode';
import type { Podman } from '../../engine/podman/podman';
import type { VmInfo } from '../../engine/vm/vms';
import { followContainerOutput, followVmLog, type VmLog } from '../../engine/vm/transport';
import { TerminalFilter } from '../../engine/guest/terminalFilter';

/** Streams bytes to `onData` until the source ends or `signal` aborts. */
export type LogSource = (onData: (chunk: Buffer) => void, signal: AbortSignal) => Promise<void>;

/**
 * A read-only terminal that follows a log until its source ends. What it shows was written by the
 * guest or the VM container, so control sequences that could rewrite the terminal (clipboard, title,
 * reports) are dropped, as `bootc-ephemeral logs` does.
 */
export class LogTailPseudoterminal implements vscode.Pseudoterminal {
  private readonly write = new vscode.EventEmitter<string>();
  private readonly closeEmitter = new vscode.EventEmitter<void>();
  readonly onDidWrite = this.write.event;
  readonly onDidClose = this.closeEmitter.event;
  private readonly abort = new AbortController();
  private readonly decoder = new TextDecoder('utf-8');
  private readonly filter = new TerminalFilter();

  constructor(
    private readonly source: LogSource,
    private readonly endMessage: string,
  ) {}

  open(): void {
    const show = (chunk: Buffer) => this.write.fire(this.decoder.decode(this.filter.push(chunk), { stream: true }).replace(/\r?\n/g, '\r\n'));
    void this.source(show, this.abort.signal)
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

/** One of a VM's logs (the guest journal or console): the state dir's file locally, the container's remotely. */
export function vmLogSource(podman: Podman, vm: VmInfo, log: VmLog, isAlive: () => Promise<boolean>): LogSource {
  return (onData, signal) => followVmLog(podman, vm, log, onData, { signal, isAlive });
}

/** The VM container's own output (`podman logs -f`: the supervisor, QEMU, --console, --execute). */
export function containerOutputSource(podman: Podman, vm: VmInfo): LogSource {
  return async (onData, signal) => {
    await followContainerOutput(podman, vm, onData, { signal, follow: true });
  };
}

export function openLogTailTerminal(name: string, pty: LogTailPseudoterminal, icon = 'output'): vscode.Terminal {
  const t = vscode.window.createTerminal({ name, pty, iconPath: new vscode.ThemeIcon(icon), isTransient: true });
  t.show();
  return t;
}
