import * as vscode from 'vscode';
import type { Services } from '../../services';
import { pickVm } from './pickVm';
import { runCommandLine } from '../../../engine/options/commandLine';
import type { RunOptions } from '../../../engine/options/runOptions';

export const id = 'bootcEphemeral.copyCommandLine';

/** The `bootc-ephemeral run ...` line that starts a VM like this one, to the clipboard. */
export async function run(s: Services, arg?: unknown): Promise<string | undefined> {
  const vm = await pickVm(s, arg, (v) => !!v.options, vscode.l10n.t('Copy the command line of'));
  if (!vm?.options) return undefined;
  const { env: envKeys, ...rest } = vm.options as Partial<RunOptions> & { env?: unknown };
  // env values are not recorded (they may be secrets): show the keys as placeholders
  const env = Object.fromEntries((Array.isArray(envKeys) ? envKeys : []).map((k: string) => [k, '...']));
  const line = runCommandLine({ ...rest, env, name: undefined, image: vm.image });
  await vscode.env.clipboard.writeText(line);
  void vscode.window.showInformationMessage(vscode.l10n.t('Copied: {0}', line));
  return line;
}
