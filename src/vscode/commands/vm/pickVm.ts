import * as vscode from 'vscode';
import type { VmInfo } from '../../../engine/vm/vms';
import { VmTreeItem } from '../../tree/vmTreeProvider';
import type { Services } from '../../services';

/** The VM a command acts on: the tree item it was invoked on, or one picked from a quick pick. */
export async function pickVm(s: Services, arg: unknown, filter: (vm: VmInfo) => boolean = () => true, placeHolder?: string): Promise<VmInfo | undefined> {
  if (arg instanceof VmTreeItem) return arg.vm;
  if (typeof arg === 'string') return (await s.tree.refresh()).find((v) => v.name === arg && filter(v));
  const vms = (await s.tree.refresh()).filter(filter);
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
