import * as vscode from 'vscode';
import type { Podman } from '../../engine/podman';
import { listVms, VmInfo } from '../../engine/vms';
import { vmItemProperties } from './vmItemProperties';

export class VmTreeItem extends vscode.TreeItem {
  constructor(readonly vm: VmInfo) {
    super(vm.name, vscode.TreeItemCollapsibleState.None);
    const p = vmItemProperties(vm);
    this.id = vm.id;
    this.description = p.description;
    this.iconPath = new vscode.ThemeIcon(p.icon.id, p.icon.color ? new vscode.ThemeColor(p.icon.color) : undefined);
    this.tooltip = new vscode.MarkdownString(p.tooltip);
    this.contextValue = p.contextValue;
  }
}

/** The VMs view: one `podman ps` per refresh, polled only while the view is visible. */
export class VmTreeProvider implements vscode.TreeDataProvider<VmTreeItem>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private vms: VmInfo[] = [];
  private lastError: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private view: vscode.TreeView<VmTreeItem> | undefined;

  constructor(private readonly podman: Podman, private readonly pollMs = 3000) {}

  attach(view: vscode.TreeView<VmTreeItem>): void {
    this.view = view;
    view.onDidChangeVisibility(() => {
      if (view.visible) void this.refresh();
      this.schedule();
    });
    this.schedule();
    void this.refresh();
  }

  private schedule(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    if (this.view?.visible) this.timer = setInterval(() => this.refresh(), this.pollMs);
  }

  /** Re-reads the VMs and fires a change only when something a person sees changed. */
  async refresh(): Promise<VmInfo[]> {
    try {
      const vms = await listVms(this.podman);
      const key = (list: VmInfo[]) => JSON.stringify(list.map((v) => [v.id, v.state, v.sshPort, v.exitCode]));
      const changed = key(vms) !== key(this.vms) || this.lastError !== undefined;
      this.vms = vms;
      this.lastError = undefined;
      if (this.view) this.view.badge = { value: vms.filter((v) => v.podmanState === 'running').length, tooltip: vscode.l10n.t('Running VMs') };
      if (changed) this.changed.fire();
    } catch (e) {
      this.lastError = (e as Error).message;
      if (this.view) this.view.message = this.lastError;
      this.changed.fire();
    }
    return this.vms;
  }

  current(): VmInfo[] {
    return this.vms;
  }

  item(nameOrId: string): VmTreeItem | undefined {
    const vm = this.vms.find((v) => v.name === nameOrId || v.id === nameOrId);
    return vm ? new VmTreeItem(vm) : undefined;
  }

  getTreeItem(element: VmTreeItem): vscode.TreeItem {
    return element;
  }

  async getChildren(element?: VmTreeItem): Promise<VmTreeItem[]> {
    if (element) return [];
    if (this.view && !this.lastError) this.view.message = undefined;
    return this.vms.map((v) => new VmTreeItem(v));
  }

  getParent(): undefined {
    return undefined;
  }

  dispose(): void {
    clearInterval(this.timer);
    this.changed.dispose();
  }
}
