import * as vscode from 'vscode';
import type { Services } from '../../services';
import { ForwardTreeItem } from '../../tree/vmTreeProvider';

export const id = 'bootcEphemeral.openForwardInBrowser';
export async function run(_s: Services, item?: unknown): Promise<void> {
  if (item instanceof ForwardTreeItem) await vscode.env.openExternal(vscode.Uri.parse(`http://127.0.0.1:${item.forward.localPort}`));
}
