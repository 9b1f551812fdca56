import * as vscode from 'vscode';
import type { Services } from '../services';
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

export const COMMANDS: CommandModule[] = [
  refresh, bootContainerfile, bootImage, bootSampleImage, openSshTerminal, openConsole, tailJournal, showContainerLogs,
  inspectVm, forwardPort, stopForwarding, openForwardInBrowser, copyCommandLine, stopVm, removeVm, removeAllVms, runDoctor,
  bootConfiguration, openConfigurationFile, deleteConfiguration, addConfiguration, showRunningVms, editConfiguration,
];

export function registerCommands(s: Services): vscode.Disposable[] {
  return COMMANDS.map((c) => vscode.commands.registerCommand(c.id, (...args: unknown[]) => (c.run as (s: Services, ...a: unknown[]) => unknown)(s, ...args)));
}
