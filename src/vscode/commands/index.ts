import * as vscode from 'vscode';
import type { Services } from '../services';
import * as refresh from './refresh';
import * as bootContainerfile from './bootContainerfile';
import * as bootImage from './bootImage';
import * as bootSampleImage from './bootSampleImage';
import * as openSshTerminal from './openSshTerminal';
import * as stopVm from './stopVm';
import * as removeVm from './removeVm';
import * as removeAllVms from './removeAllVms';
import * as runDoctor from './runDoctor';
import * as tailJournal from './tailJournal';
import * as openConsole from './openConsole';
import * as showContainerLogs from './showContainerLogs';
import * as inspectVm from './inspectVm';
import * as copyCommandLine from './copyCommandLine';
import * as forwardPort from './forwardPort';
import * as stopForwarding from './stopForwarding';
import * as openForwardInBrowser from './openForwardInBrowser';
import * as bootConfiguration from './bootConfiguration';
import * as openConfigurationFile from './openConfigurationFile';
import * as deleteConfiguration from './deleteConfiguration';
import * as addConfiguration from './addConfiguration';
import * as showRunningVms from './showRunningVms';
import * as editConfiguration from './editConfiguration';

interface CommandModule {
  id: string;
  run: (s: Services, ...args: never[]) => unknown;
}

export const COMMANDS: CommandModule[] = [
  refresh, bootContainerfile, bootImage, bootSampleImage, openSshTerminal, openConsole, tailJournal, showContainerLogs,
  inspectVm, forwardPort, stopForwarding, openForwardInBrowser, copyCommandLine, stopVm, removeVm, removeAllVms, runDoctor,
  bootConfiguration, openConfigurationFile, deleteConfiguration, addConfiguration, showRunningVms, editConfiguration,
];

export function registerCommands(s: Services): vscode.Disposable[] {
  return COMMANDS.map((c) => vscode.commands.registerCommand(c.id, (...args: unknown[]) => (c.run as (s: Services, ...a: unknown[]) => unknown)(s, ...args)));
}
