import * as vscode from 'vscode';
import type { VmInfo } from '../../../engine/vm/vms';
import { VmTreeItem } from '../../tree/vmTreeProvider';
import type { Services } from '../../services';

/** The VM a command acts on: the tree item it was invoked on, or one picked from a quick pick. */
export async function pickVm(s: Services, arg: unknown, filter: (vm: VmInfo) => boolean = () => true, placeHolder?: string): Promise<VmInfo | undefined> {
  if (arg instanceof VmTreeItem) return arg.vm;
  const listed = await s.tree.refresh();
  // no podman: the command says why (the same words as the view's welcome), not "no VM"
  if (s.tree.unavailable) throw s.tree.unavailable;
  if (typeof arg === 'string') return listed.find((v) => v.name === arg && filter(v));
  const vms = listed.filter(filter);
  if (!vms.length) {
    void vscode.window.showInformationMessage(vscode.l10n.t('No ephemeral VM to choose from.'));
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    vms.map((vm) => ({ label: vm.name, description: `${vm.image} · ${vm.state}`, vm })),
    { placeHolder: placeHolder ?? vscode.l10n.t('Choose a VM') },
  );
  return picked?.vm;
}

/**
 * The VMs a command for several acts on: the view's selection when the clicked item is part of it
 * (VS Code passes the clicked item, then the selection), else one VM as `pickVm` finds it.
 */
export async function pickVms(s: Services, arg: unknown, selection: unknown, filter: (vm: VmInfo) => boolean, placeHolder: string): Promise<VmInfo[]> {
  const selected = Array.isArray(selection) ? selection.filter((i): i is VmTreeItem => i instanceof VmTreeItem) : [];
  if (arg instanceof VmTreeItem && selected.length > 1 && selected.some((i) => i.vm.id === arg.vm.id)) return selected.map((i) => i.vm).filter(filter);
  const vm = await pickVm(s, arg, filter, placeHolder);
  return vm ? [vm] : [];
}

/**
 * Runs `act` on each VM at once under one progress notification; one error message sums up the
 * failures (and the view refreshes either way).
 */
export async function actOnVms(s: Services, vms: VmInfo[], title: string, act: (vm: VmInfo) => Promise<void>, failedMessage: (failed: number, total: number, details: string) => string): Promise<number> {
  const results = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title }, () =>
    Promise.allSettled(vms.map((vm) => act(vm))),
  );
  await s.tree.refresh();
  const failures = results.flatMap((r, i) => (r.status === 'rejected' ? [`${vms[i].name}: ${(r.reason as Error).message}`] : []));
  if (failures.length) void s.logger.showError(failedMessage(failures.length, vms.length, failures.join('; ')));
  return vms.length - failures.length;
}
