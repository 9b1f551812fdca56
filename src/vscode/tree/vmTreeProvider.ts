import * as vscode from 'vscode';
import type { Podman } from '../../engine/podman/podman';
import { listVms, removeStateDirOf, VmInfo, isRunning } from '../../engine/vm/vms';
import { watchVmEvents, EventWatch } from '../../engine/podman/events';
import { TOOLTIP_COMMANDS, vmItemProperties } from './vmItemProperties';
import { vmStats } from '../../engine/vm/stats';
import type { PortForward, PortForwards } from '../forwards/portForwards';
import { Disposable } from '../disposable';
import { PodmanUnavailableError } from '../../engine/errors';
import { serialRefresh } from './serialRefresh';

/** A VM's tooltip: its links may run only the commands meant for them. */
function tooltipMarkdown(text: string): vscode.MarkdownString {
  const md = new vscode.MarkdownString(text);
  md.isTrusted = { enabledCommands: TOOLTIP_COMMANDS };
  return md;
}

export class VmTreeItem extends vscode.TreeItem {
  constructor(readonly vm: VmInfo, readonly forwards: PortForward[]) {
    super(vm.name, forwards.length ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None);
    const p = vmItemProperties(vm, Date.now(), forwards);
    this.id = vm.id; // stable: volatile text (uptime) stays out of the id
    this.description = p.description;
    this.iconPath = new vscode.ThemeIcon(p.icon.id, p.icon.color ? new vscode.ThemeColor(p.icon.color) : undefined);
    // a running VM's tooltip is made on hover (resolveTreeItem), with its CPU and memory at that moment
    if (vm.podmanState !== 'running') this.tooltip = tooltipMarkdown(p.tooltip);
    this.contextValue = p.contextValue;
  }
}

export class ForwardTreeItem extends vscode.TreeItem {
  constructor(readonly forward: PortForward) {
    super(`127.0.0.1:${forward.localPort}`, vscode.TreeItemCollapsibleState.None);
    this.id = `${forward.vmName}:fwd:${forward.guestPort}`;
    this.description = `→ guest port ${forward.guestPort}`;
    this.iconPath = new vscode.ThemeIcon('plug');
    this.tooltip = `http://127.0.0.1:${forward.localPort} reaches port ${forward.guestPort} in ${forward.vmName} (over SSH)`;
    this.contextValue = 'forward';
  }
}

export type TreeNode = VmTreeItem | ForwardTreeItem;

const DEBOUNCE_MS = 300;
const SLOW_POLL_MS = 30_000;
/** how often the view checks that ready VMs still answer (each check starts an sshd child in the guest) */
const PROBE_EVERY_MS = 30_000;
/** a VM that has just logged in is not probed for a minute: early SSH is ready while the guest still starts (liveness.ts) */
const LOGIN_GRACE_MS = 60_000;
const BOOTING_POLL_MS = 1_500; // readiness shows in the journal, not in podman events

/**
 * The VMs view: one `podman ps` per refresh. Refreshes come from a `podman events` stream (debounced)
 * and a poll (faster while a VM boots). The events stream runs while the view is visible or any VM
 * runs, so the status bar and the badge stay truthful with the view hidden; the poll runs while the
 * view is visible, or hidden while a VM boots (readiness shows in its journal, not in events). With
 * the view hidden and no VM running, it makes no podman calls at all.
 */
export class VmTreeProvider extends Disposable implements vscode.TreeDataProvider<TreeNode> {
  private readonly changed = this.register(new vscode.EventEmitter<void>());
  readonly onDidChangeTreeData = this.changed.event;
  private vms: VmInfo[] = [];
  private lastError: string | undefined;
  private noPodman: PodmanUnavailableError | undefined;
  private timer: NodeJS.Timeout | undefined;
  private debounce: NodeJS.Timeout | undefined;
  private events: EventWatch | undefined;
  private probedAt = 0;
  private view: vscode.TreeView<TreeNode> | undefined;
  private readonly refreshed = this.register(new vscode.EventEmitter<VmInfo[]>());
  readonly onDidRefresh = this.refreshed.event;

  constructor(
    private readonly podman: () => Podman,
    private readonly forwards: PortForwards,
    private readonly log: (m: string) => void,
  ) {
    super();
    this.register(forwards.onDidChange(() => this.changed.fire()));
  }

  attach(view: vscode.TreeView<TreeNode>): void {
    this.view = view;
    this.register(view.onDidChangeVisibility(() => this.onVisibility()));
    // one listing at start, shown or not: VMs that already run (a window reload) keep the status bar truthful
    void this.refresh();
  }

  /** Set when no podman can be used (the welcome says why; commands answer with it). */
  get unavailable(): PodmanUnavailableError | undefined {
    return this.noPodman;
  }

  /** Whether the podman events stream runs (the view is shown, or a VM runs). */
  get watching(): boolean {
    return this.events !== undefined;
  }

  private onVisibility(): void {
    this.updateWatching();
    if (this.view?.visible) void this.refresh();
    else this.schedulePoll();
  }

  private updateWatching(): void {
    const wanted = !this.noPodman && (!!this.view?.visible || this.vms.some(isRunning));
    if (wanted) {
      this.events ??= watchVmEvents(this.podman(), () => this.soon(), (m) => this.log(m), () => this.soon());
    } else {
      this.events?.dispose();
      this.events = undefined;
    }
  }

  /** A debounced refresh: a burst of events (create, init, start) becomes one `podman ps`. */
  soon(): void {
    clearTimeout(this.debounce);
    this.debounce = setTimeout(() => void this.refresh(), DEBOUNCE_MS);
  }

  private schedulePoll(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const booting = this.vms.some((v) => v.state === 'booting');
    if (!this.view?.visible && !booting) return;
    this.timer = setTimeout(() => void this.refresh(), booting ? BOOTING_POLL_MS : SLOW_POLL_MS);
  }

  /** Re-reads the VMs (after whatever happened before this call); fires a change only when something a person sees changed. */
  readonly refresh: () => Promise<VmInfo[]> = serialRefresh(() => this.listNow());

  private async listNow(): Promise<VmInfo[]> {
    try {
      const probeSsh = Date.now() - this.probedAt >= PROBE_EVERY_MS;
      const vms = await listVms(this.podman(), { probeSsh, loginGraceMs: LOGIN_GRACE_MS });
      if (probeSsh) this.probedAt = Date.now();
      // between checks a VM found unresponsive stays so until a check finds it answering
      else for (const v of vms) if (v.state === 'ready' && this.vms.some((o) => o.id === v.id && o.state === 'unresponsive')) v.state = 'unresponsive';
      const key = (list: VmInfo[]) => JSON.stringify(list.map((v) => [v.id, v.state, v.sshPort, v.exitCode]));
      const changed = key(vms) !== key(this.vms) || this.lastError !== undefined;
      // a VM that was listed and is gone (e.g. --rm after Stop): its state dir goes with it
      const ids = new Set(vms.map((v) => v.id));
      for (const gone of this.vms.filter((v) => !ids.has(v.id))) removeStateDirOf(gone);
      this.vms = vms;
      this.lastError = undefined;
      this.setUnavailable(undefined);
      this.forwards.prune(new Set(vms.filter(isRunning).map((v) => v.name)));
      if (this.view) {
        this.view.message = undefined;
        const running = vms.filter(isRunning).length;
        this.view.badge = running ? { value: running, tooltip: vscode.l10n.t('{0} running VM(s)', running) } : undefined;
      }
      void vscode.commands.executeCommand('setContext', 'bootcEphemeral.hasVms', vms.length > 0);
      if (changed) this.changed.fire();
      this.refreshed.fire(vms);
    } catch (e) {
      this.lastError = (e as Error).message;
      this.setUnavailable(e instanceof PodmanUnavailableError ? e : undefined);
      // no podman at all: the welcome content explains it (a message would hide it)
      if (this.view) this.view.message = this.noPodman ? undefined : this.lastError;
      this.vms = this.noPodman ? [] : this.vms;
      this.changed.fire();
    }
    this.updateWatching();
    this.schedulePoll();
    return this.vms;
  }

  private setUnavailable(e: PodmanUnavailableError | undefined): void {
    if (e?.reason === this.noPodman?.reason) return void (this.noPodman = e);
    this.noPodman = e;
    void vscode.commands.executeCommand('setContext', 'bootcEphemeral.podmanUnavailable', e?.reason ?? '');
  }

  current(): VmInfo[] {
    return this.vms;
  }

  item(nameOrId: string): VmTreeItem | undefined {
    const vm = this.vms.find((v) => v.name === nameOrId || v.id === nameOrId);
    return vm ? new VmTreeItem(vm, this.forwards.forVm(vm.name)) : undefined;
  }

  getTreeItem(element: TreeNode): vscode.TreeItem {
    return element;
  }

  /** On hover: a running VM's tooltip with one sample of its container's CPU and memory. */
  async resolveTreeItem(item: vscode.TreeItem, element: TreeNode): Promise<vscode.TreeItem> {
    if (!(element instanceof VmTreeItem) || item.tooltip !== undefined) return item;
    const stats = await vmStats(this.podman(), [element.vm]).catch(() => undefined);
    item.tooltip = tooltipMarkdown(vmItemProperties(element.vm, Date.now(), element.forwards, stats?.get(element.vm.id)).tooltip);
    return item;
  }

  getChildren(element?: TreeNode): TreeNode[] {
    if (element instanceof VmTreeItem) return this.forwards.forVm(element.vm.name).map((f) => new ForwardTreeItem(f));
    if (element) return [];
    return this.vms.map((v) => new VmTreeItem(v, this.forwards.forVm(v.name)));
  }

  getParent(element: TreeNode): TreeNode | undefined {
    return element instanceof ForwardTreeItem ? this.item(element.forward.vmName) : undefined;
  }

  override dispose(): void {
    clearTimeout(this.timer);
    clearTimeout(this.debounce);
    this.events?.dispose();
    super.dispose();
  }
}
