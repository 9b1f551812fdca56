import * as vscode from 'vscode';
import type { Services } from '../../services';
import { pickVm } from './pickVm';
import { runCommandLine } from '../../../engine/options/commandLine';
import type { RunOptions } from '../../../engine/options/runOptions';
import { shellLine } from '../../../engine/shellQuote';

export const id = 'bootcEphemeral.copyCommandLine';

/** The `bootc-ephemeral run ...` line that starts a VM like this one, to the clipboard. */
export async function run(s: Services, arg?: unknown): Promise<string | undefined> {
  const vm = await pickVm(s, arg, (v) => !!v.options, vscode.l10n.t('Copy the command line of'));
  if (!vm?.options) return undefined;
  const { env: envKeys, ...rest } = vm.options as Partial<RunOptions> & { env?: unknown };
  // env values are not recorded (they may be secrets): show the keys as placeholders
  const env = Object.fromEntries((Array.isArray(envKeys) ? envKeys : []).map((k: string) => [k, '...']));
  const local = runCommandLine({ ...rest, env, name: undefined, image: vm.image });
  // a VM on another machine: the same podman connection, spelled out
  const connection = s.podman().pinnedConnectionArgs();
  const line = connection.length ? local.replace(/^bootc-ephemeral /, `bootc-ephemeral ${shellLine(connection)} `) : local;
  await vscode.env.clipboard.writeText(line);
  void vscode.window.showInformationMessage(vscode.l10n.t('Copied: {0}', line));
  return line;
}
