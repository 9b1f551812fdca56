import { EngineError } from '../errors';
import { Podman, cleanStderr } from '../podman/podman';
import { LABELS } from '../podman/labels';
import { podmanCommands, podmanStreams } from '../podman/commands';
import { CONTAINER_PATHS } from '../plan/containerPaths';
import type { PreparedLaunch } from './launch';
import { networkFailureHint } from '../plan/network';
import * as l10n from '@vscode/l10n';

/**
 * Starting a prepared launch: in the background (`run -d`, the extension) or in the foreground with our
 * stdio. Local podman runs the plan's `podman run`; a remote one creates the container, gets the plan
 * copied in (no shared directory) and starts it. Either way a failed start leaves nothing behind.
 */

/** Removes the container this launch created (found by its launch label), never another one of the same name. */
async function removeOwnContainer(prepared: PreparedLaunch, podman: Podman): Promise<void> {
  for (const id of await podman.exec(podmanCommands.containersLabelled(LABELS.launch, prepared.plan.launchId))) await podman.exec(podmanCommands.removeContainer(id));
}

/** Remote podman: creates the container and copies the plan into it; returns its id (not started yet). */
async function createWithPlan(prepared: PreparedLaunch, podman: Podman): Promise<string> {
  const created = await podman.run(prepared.plan.podmanArgs);
  if (created.exitCode !== 0) throw new EngineError(l10n.t('podman could not create the VM container: {0}', cleanStderr(created.stderr) || `exit ${created.exitCode}`));
  const id = created.stdout.trim().split('\n').pop() ?? '';
  await podman.exec(podmanCommands.copyInto(id, CONTAINER_PATHS.planDir), { input: prepared.planTar });
  return id;
}

async function failedStart(prepared: PreparedLaunch, podman: Podman, message: string): Promise<never> {
  await removeOwnContainer(prepared, podman);
  prepared.discard();
  throw new EngineError(l10n.t('podman could not start the VM container: {0}', message), { hint: networkFailureHint(message) });
}

/** Starts the VM container in the background; returns its id. On failure nothing is left behind. */
export async function startDetached(prepared: PreparedLaunch, podman: Podman): Promise<string> {
  if (!prepared.plan.detach) throw new EngineError('startDetached needs a plan made with detach (options.detach)');
  if (prepared.plan.remote) {
    try {
      const id = await createWithPlan(prepared, podman);
      await podman.exec(podmanCommands.startContainer(id));
      return id;
    } catch (e) {
      return failedStart(prepared, podman, (e as Error).message);
    }
  }
  const r = await podman.run(prepared.plan.podmanArgs);
  if (r.exitCode !== 0) return failedStart(prepared, podman, cleanStderr(r.stderr) || `exit ${r.exitCode}`);
  return r.stdout.trim().split('\n').pop() ?? '';
}

/** How long a stopping VM container gets before it is removed by force. */
const STOP_GRACE_MS = 20_000;

/**
 * Runs the VM container in the foreground with our stdio; resolves with its exit code. When `signal`
 * aborts (reason: a signal name), the signal is passed on to podman (which passes it to the
 * supervisor: QEMU stops), the container is waited for, and removed by force if it lingers; with
 * --rm the state dir goes too. Nothing prints after this returns.
 */
export async function runForeground(prepared: PreparedLaunch, podman: Podman, signal?: AbortSignal): Promise<number> {
  if (prepared.plan.detach) throw new EngineError('runForeground needs a plan made without detach');
  let argv = prepared.plan.podmanArgs;
  if (prepared.plan.remote) {
    try {
      argv = podmanStreams.startAttached(await createWithPlan(prepared, podman), prepared.options.interactive).args as string[];
    } catch (e) {
      return failedStart(prepared, podman, (e as Error).message);
    }
  }
  const child = podman.spawn(argv, { stdio: 'inherit' });
  let forced: NodeJS.Timeout | undefined;
  const onAbort = () => {
    child.kill((signal?.reason as NodeJS.Signals | undefined) ?? 'SIGTERM');
    forced = setTimeout(() => void removeOwnContainer(prepared, podman), STOP_GRACE_MS);
  };
  if (signal?.aborted) onAbort();
  else signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const result = await child;
    if (result.exitCode === undefined && !signal?.aborted) throw new EngineError(l10n.t('podman did not run: {0}', result.message ?? ''));
    return result.exitCode ?? 1;
  } finally {
    clearTimeout(forced);
    signal?.removeEventListener('abort', onAbort);
    if (signal?.aborted && prepared.options.rm) await removeOwnContainer(prepared, podman);
    if (prepared.options.rm) prepared.discard();
  }
}
