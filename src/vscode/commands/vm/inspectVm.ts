import * as vscode from 'vscode';
import type { Services } from '../../services';
import { pickVm } from './pickVm';
import { podmanCommands } from '../../../engine/podman/commands';

export const id = 'bootcEphemeral.inspectVm';

/** `podman inspect` of the VM container, as JSON in an editor. */
export async function run(s: Services, arg?: unknown): Promise<vscode.TextDocument | undefined> {
  const vm = await pickVm(s, arg, () => true, vscode.l10n.t('Inspect'));
  if (!vm) return undefined;
  const data = await s.podman().exec(podmanCommands.inspectContainer(vm.id, `inspecting ${vm.name}`));
  return s.documents.show(`inspect/${vm.name}.json`, JSON.stringify(data?.[0] ?? data, null, 2) + '\n', 'json');
}
