import * as vscode from 'vscode';
import type { Services } from '../../services';
import { openLogTail } from './logTail';

export const id = 'bootcEphemeral.tailJournal';

/** The guest journal, streamed from the first boot message on, followed until the VM ends. */
export async function run(s: Services, arg?: unknown): Promise<vscode.Terminal | undefined> {
  return openLogTail(s, arg, 'journal', (name) => vscode.l10n.t('Journal: {0}', name), vscode.l10n.t('Tail the journal of'));
}
