import * as path from 'node:path';
import * as vscode from 'vscode';
import { BuildFailedError, EngineError, VmNotReadyError } from '../../engine/errors';
import type { Services } from '../services';

/** A button on a boot error and what it does. */
export interface ErrorAction {
  label: string;
  run(): Thenable<unknown> | void;
}

/**
 * The actions that help with a failed boot: a VM that never answered SSH, or whose boot cannot succeed
 * (an initramfs shell, emergency mode: it still runs), offers its console and
 * journal (it is kept for them), one that stopped its container's output (unless podman removed it,
 * --rm), a failed build its log at the failing step; every error offers the extension's log.
 */
export function bootErrorActions(s: Services, e: unknown): ErrorAction[] {
  const command = (label: string, id: string, ...args: unknown[]): ErrorAction => ({ label, run: () => vscode.commands.executeCommand(id, ...args) });
  const showLog: ErrorAction = { label: vscode.l10n.t('Show Log'), run: () => s.logger.channel.show(true) };
  // ended by itself and removed by podman (--rm): its logs went with it; the message holds their last lines
  if (e instanceof VmNotReadyError && e.reason === 'stoppedAndRemoved') return [showLog];
  if (e instanceof VmNotReadyError) {
    const first =
      e.reason === 'timeout' || e.reason === 'bootFailed'
        ? command(vscode.l10n.t('Open Console'), 'bootcEphemeral.openConsole', e.vmName)
        : command(vscode.l10n.t('Show Container Logs'), 'bootcEphemeral.showContainerLogs', e.vmName);
    return [first, command(vscode.l10n.t('Tail Journal'), 'bootcEphemeral.tailJournal', e.vmName), showLog];
  }
  if (e instanceof BuildFailedError) {
    return [{ label: vscode.l10n.t('Show Build Log'), run: () => showBuildLog(s, e) }, showLog];
  }
  return [showLog];
}

/** Shows a failed boot's error with the actions that help, and runs the one chosen. */
export async function showBootError(s: Services, e: unknown): Promise<void> {
  const message = e instanceof EngineError ? e.message : String((e as Error)?.message ?? e);
  // a VM the user removed while it booted: what they asked for, not an error
  if (e instanceof VmNotReadyError && e.reason === 'removed') return void s.logger.info(message);
  s.logger.channel.error(message);
  const actions = bootErrorActions(s, e);
  const choice = await vscode.window.showErrorMessage(message, ...actions.map((a) => a.label));
  await actions.find((a) => a.label === choice)?.run();
}

/** The build's output in a read-only document, the failing step's line at the top of the view. */
async function showBuildLog(s: Services, e: BuildFailedError): Promise<void> {
  const failedAt = /STEP \d+\/\d+/.exec(e.message)?.[0].replace(/[^A-Za-z0-9]+/g, '-') ?? 'failed';
  await s.documents.show(path.posix.join('build', `${failedAt}.log`), e.output.join('\n') + '\n', 'log', e.failingStepLine);
}
