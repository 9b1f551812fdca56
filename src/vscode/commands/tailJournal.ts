import * as vscode from 'vscode';
import type { Services } from '../services';
import { pickVm } from './pickVm';
import { vmStatePaths } from '../../engine/stateDir';
import { findVm } from '../../engine/vms';
import { openFileTail } from '../terminals/fileTailTerminal';

export const id = 'bootcEphemeral.tailJournal';

/** The guest journal, streamed from the first boot message on, followed until the VM ends. */
export async function run(s: Services, arg?: unknown): Promise<vscode.Terminal | undefined> {
  const vm = await pickVm(s, arg, (v) => !!v.stateDir, vscode.l10n.t('Tail the journal of'));
  if (!vm?.stateDir) return undefined;
  const alive = async () => (await findVm(s.podman(), vm.id).catch(() => undefined))?.podmanState === 'running';
  return openFileTail(`Journal: ${vm.name}`, vmStatePaths(vm.stateDir).journalLog, alive, vscode.l10n.t('[the VM has stopped]'));
}
