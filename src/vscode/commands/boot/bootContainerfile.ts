import * as vscode from 'vscode';
import type { Services } from '../../services';
import { bootFlow } from '../../boot/bootFlow';

export const id = 'bootcEphemeral.bootContainerfile';

/** Explorer / editor context menu on a Containerfile or Dockerfile, or the active editor's file. */
export async function run(s: Services, uri?: vscode.Uri): Promise<string | undefined> {
  const target = uri instanceof vscode.Uri ? uri : vscode.window.activeTextEditor?.document.uri;
  if (!target || target.scheme !== 'file') {
    void vscode.window.showWarningMessage(vscode.l10n.t('Open or select a Containerfile to boot.'));
    return undefined;
  }
  return bootFlow(s, { containerfile: target });
}
