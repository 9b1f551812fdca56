import * as vscode from 'vscode';
import type { Services } from '../../services';
import { pickVm } from './pickVm';
import { stopVm, isRunning } from '../../../engine/vm/vms';

export const id = 'bootcEphemeral.stopVm';
export async function run(s: Services, arg?: unknown): Promise<void> {
  const vm = await pickVm(s, arg, isRunning, vscode.l10n.t('Choose a VM to stop'));
  if (!vm) return;
  // a failure is reported by the command wrapper (commands/index.ts); the view refreshes either way
  await stopVm(s.podman(), vm).finally(() => s.tree.refresh());
}
