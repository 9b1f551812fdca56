import * as vscode from 'vscode';
import type { VmInfo } from '../../engine/vm/vms';
import { isRunning } from '../../engine/vm/vms';

/** `$(vm-running) N` in the status bar while VMs run; a click lists them. Hidden otherwise. */
export class RunningVmsStatus implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('bootcEphemeral.running', vscode.StatusBarAlignment.Left, 50);

  constructor() {
    this.item.name = vscode.l10n.t('Ephemeral VMs');
    this.item.command = 'bootcEphemeral.showRunningVms';
  }

  update(vms: VmInfo[]): void {
    const running = vms.filter(isRunning);
    if (!running.length) return this.item.hide();
    const booting = running.filter((v) => v.state === 'booting').length;
    this.item.text = `$(${booting ? 'loading~spin' : 'vm-running'}) ${running.length}`;
    this.item.tooltip = vscode.l10n.t('Ephemeral VMs: {0}', running.map((v) => `${v.name} (${v.state})`).join(', '));
    this.item.show();
  }

  dispose(): void {
    this.item.dispose();
  }
}
