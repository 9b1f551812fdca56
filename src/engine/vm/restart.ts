import * as fs from 'node:fs';
import { EngineError } from '../errors';
import type { Podman } from '../podman/podman';
import { parseRunOptions, pathProbeFor, toRunOptionsInput, type RunOptions } from '../options/runOptions';
import { prepareLaunch, type LaunchDeps } from './launch';
import { startDetached } from './start';
import { vmStatePaths } from './stateDir';
import { removeVm, type VmInfo } from './vms';
import * as l10n from '@vscode/l10n';

/**
 * `restart NAME`: the same options, a new boot (detached). The options come from the VM's own state
 * dir (0600), never from a label, and are validated again before the old VM is removed, so a restart
 * that cannot happen (a bind folder gone) leaves the old VM as it was.
 */
export async function restartVm(podman: Podman, vm: VmInfo, deps: Omit<LaunchDeps, 'podman'> = {}): Promise<string> {
  if (vm.origin !== 'bootc-ephemeral' || !vm.stateDir) {
    throw new EngineError(l10n.t('{0} was not started by bootc-ephemeral: restart it with the tool that started it', vm.name), { field: 'name', value: vm.name });
  }
  const file = vmStatePaths(vm.stateDir).options;
  let recorded: RunOptions & { env: unknown };
  try {
    recorded = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    throw new EngineError(l10n.t('the options of {0} are not recorded ({1}): it cannot be restarted; start it again with bootc-ephemeral run', vm.name, file));
  }
  const envKeys = Array.isArray(recorded.env) ? (recorded.env as string[]) : [];
  if (envKeys.length) {
    throw new EngineError(l10n.t('{0} was started with -e {1}: their values were never stored (they may be secrets), so restart cannot repeat them; start it again with bootc-ephemeral run', vm.name, envKeys.join(', ')), { field: 'env' });
  }
  const credentials = Array.isArray(recorded.credentials) ? (recorded.credentials as { name: string; file?: string }[]) : [];
  const unstored = credentials.filter((k) => typeof k.file !== 'string').map((k) => k.name);
  if (unstored.length) {
    throw new EngineError(l10n.t('{0} was started with --credential {1}: their values were never stored, so restart cannot repeat them; start it again with bootc-ephemeral run (--credential-file is read again on restart)', vm.name, unstored.join(', ')), { field: 'credential' });
  }
  // bind and disk paths are the podman host's: checkable here only for the local podman
  const options = parseRunOptions({ ...toRunOptionsInput({ ...recorded, env: {}, credentials: credentials as RunOptions['credentials'] }), name: vm.name, detach: true }, pathProbeFor(podman));
  await removeVm(podman, vm);
  const prepared = await prepareLaunch(options, { ...deps, podman });
  return startDetached(prepared, podman);
}
