import * as vscode from 'vscode';
import type { Duplex } from 'node:stream';
import type { Podman } from '../../engine/podman/podman';
import type { VmInfo } from '../../engine/vm/vms';
import { openConsole, readConsoleBacklog } from '../../engine/vm/transport';
import { LogTailPseudoterminal, vmLogSource } from './logTailTerminal';

/**
 * The guest's serial console (ttyS0), interactive: the end of the boot log, then QEMU's console socket,
 * where a root shell waits. Several terminals may attach; QEMU serves one at a time, so a second one
 * falls back to following the log read-only. A serial line has no window size: full-screen programs
 * see 80x24 unless told otherwise (`stty rows R cols C`).
 */
export class ConsolePseudoterminal implements vscode.Pseudoterminal {
  private readonly write = new vscode.EventEmitter<string>();
  private readonly closeEmitter = new vscode.EventEmitter<void>();
  readonly onDidWrite = this.write.event;
  readonly onDidClose = this.closeEmitter.event;
  private readonly decoder = new TextDecoder('utf-8');
  private socket: Duplex | undefined;
  private fallback: LogTailPseudoterminal | undefined;
  private closed = false;

  constructor(
    private readonly podman: Podman,
    private readonly vm: VmInfo,
    private readonly isAlive: () => Promise<boolean>,
  ) {}

  open(): void {
    void this.attach();
  }

  private async attach(): Promise<void> {
    const backlog = await readConsoleBacklog(this.podman, this.vm);
    try {
      this.socket = await openConsole(this.podman, this.vm);
    } catch (e) {
      return this.followReadOnly((e as Error).message);
    }
    if (this.closed) return void this.socket.destroy();
    this.write.fire(this.decoder.decode(backlog, { stream: true }));
    this.write.fire(`\r\n\x1b[2m${vscode.l10n.t('[attached to the serial console of {0}: press Enter for a root prompt]', this.vm.name)}\x1b[0m\r\n`);
    this.socket.on('data', (d: Buffer) => this.write.fire(this.decoder.decode(d, { stream: true })));
    let said = false;
    const ended = () => {
      if (!this.closed && !said) this.write.fire(`\r\n\x1b[2m${vscode.l10n.t('[the console closed: the VM has stopped]')}\x1b[0m\r\n`);
      said = true;
    };
    // a socket closes; a relay through podman (remote) ends its output
    this.socket.on('close', ended);
    this.socket.on('end', ended);
    this.socket.on('error', () => undefined); // 'close' follows and says so
  }

  /** No socket (a VM started with --console, or one console already attached): follow the log instead. */
  private followReadOnly(reason: string): void {
    this.write.fire(`\x1b[2m${vscode.l10n.t('[read-only: {0}]', reason)}\x1b[0m\r\n`);
    if (!this.vm.stateDir) return;
    this.fallback = new LogTailPseudoterminal(vmLogSource(this.podman, this.vm, 'console', this.isAlive), vscode.l10n.t('[the VM has stopped]'));
    this.fallback.onDidWrite((d) => this.write.fire(d));
    this.fallback.onDidClose(() => this.closeEmitter.fire());
    this.fallback.open();
  }

  handleInput(data: string): void {
    if (this.socket) this.socket.write(data);
    else this.fallback?.handleInput(data);
  }

  close(): void {
    this.closed = true;
    this.socket?.destroy();
    this.fallback?.close();
  }
}

export function openConsoleTerminal(podman: Podman, vm: VmInfo, isAlive: () => Promise<boolean>): vscode.Terminal {
  const t = vscode.window.createTerminal({
    name: vscode.l10n.t('Console: {0}', vm.name),
    pty: new ConsolePseudoterminal(podman, vm, isAlive),
    iconPath: new vscode.ThemeIcon('terminal-linux'),
    isTransient: true,
  });
  t.show();
  return t;
}
