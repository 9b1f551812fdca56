import * as vscode from 'vscode';
import type { Services } from '../services';
import { openLogTail } from './logTail';

export const id = 'bootcEphemeral.openConsole';

/** The guest serial console (ttyS0: kernel and boot messages), always logged, followed live. */
export async function run(s: Services, arg?: unknown): Promise<vscode.Terminal | undefined> {
  return openLogTail(s, arg, 'consoleLog', 'Console', vscode.l10n.t('Open the console of'));
}
