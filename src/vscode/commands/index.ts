import * as vscode from 'vscode';
import type { Services } from '../services';
import { EngineError } from '../../engine/errors';
import * as refresh from './refresh';
import * as bootContainerfile from './boot/bootContainerfile';
import * as bootImage from './boot/bootImage';
import * as bootSampleImage from './boot/bootSampleImage';
import * as openSshTerminal from './vm/openSshTerminal';
import * as stopVm from './vm/stopVm';
import * as removeVm from './vm/removeVm';
import * as removeAllVms from './vm/removeAllVms';
import * as runDoctor from './runDoctor';
import * as tailJournal from './vm/tailJournal';
import * as openConsole from './vm/openConsole';
import * as showContainerLogs from './vm/showContainerLogs';
import * as inspectVm from './vm/inspectVm';
import * as showStats from './vm/showStats';
import * as showBootTimeline from './vm/showBootTimeline';
import * as copyCommandLine from './vm/copyCommandLine';
import * as forwardPort from './forwards/forwardPort';
import * as stopForwarding from './forwards/stopForwarding';
import * as openForwardInBrowser from './forwards/openForwardInBrowser';
import * as bootConfiguration from './configurations/bootConfiguration';
import * as openConfigurationFile from './configurations/openConfigurationFile';
import * as deleteConfiguration from './configurations/deleteConfiguration';
import * as addConfiguration from './configurations/addConfiguration';
import * as showRunningVms from './vm/showRunningVms';
import * as editConfiguration from './configurations/editConfiguration';

interface CommandModule {
  id: string;
  run: (s: Services, ...args: never[]) => unknown;
}

/**
 * What every command gets from its registration: an EngineError (bad input, a VM that is gone, podman
 * missing) becomes the standard error message with Show Log; anything else is logged with its stack
 * and reported the same way. No command lets an error escape to VS Code's generic "command failed".
 */
export function reportCommandError(s: Services, commandId: string, e: unknown): void {
  if (e instanceof EngineError) {
    void s.logger.showError(e.details.hint ? `${e.message} (${e.details.hint})` : e.message);
    return;
  }
  const err = e instanceof Error ? e : new Error(String(e));
  s.logger.channel.error(`${commandId}: ${err.stack ?? err.message}`);
  void s.logger.showError(vscode.l10n.t('{0} failed: {1}', commandId, err.message));
}

export const COMMANDS: CommandModule[] = [
  refresh, bootContainerfile, bootImage, bootSampleImage, openSshTerminal, openConsole, tailJournal, showContainerLogs,
  inspectVm, showStats, showBootTimeline, forwardPort, stopForwarding, openForwardInBrowser, copyCommandLine, stopVm, removeVm, removeAllVms, runDoctor,
  bootConfiguration, openConfigurationFile, deleteConfiguration, addConfiguration, showRunningVms, editConfiguration,
];

export function registerCommands(s: Services): vscode.Disposable[] {
  return COMMANDS.map((c) =>
    vscode.commands.registerCommand(c.id, async (...args: unknown[]) => {
      try {
        return await (c.run as (s: Services, ...a: unknown[]) => unknown)(s, ...args);
      } catch (e) {
        reportCommandError(s, c.id, e);
        return undefined;
      }
    }),
  );
}
