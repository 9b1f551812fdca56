import * as crypto from 'node:crypto';
import * as vscode from 'vscode';
import type { Services } from '../../services';
import { pickVm } from './pickVm';
import { waitForSsh } from '../../../engine/guest/ready';
import { execCollect } from '../../../engine/guest/ssh';
import { BOOT_ANALYSIS_COMMAND, parseBootAnalysis, type BootAnalysis } from '../../../engine/guest/bootAnalysis';
import { bootTimelineHtml } from '../../webview/bootTimelineHtml';

export const id = 'bootcEphemeral.showBootTimeline';

/** one panel per VM: showing it again reuses (and refreshes) it */
const panels = new Map<string, vscode.WebviewPanel>();

/** What the command gives back (the integration tests read it). */
export interface BootTimelineShown {
  panel: vscode.WebviewPanel;
  analysis: BootAnalysis;
}

/**
 * Where a ready VM's boot went, from the guest's own systemd-analyze over SSH: the kernel/initrd/
 * userspace split, the units sshd waited for and the slowest of them; a page without script.
 */
export async function run(s: Services, arg?: unknown): Promise<BootTimelineShown | undefined> {
  const vm = await pickVm(s, arg, (v) => v.ssh && (v.state === 'ready' || v.state === 'booting'), vscode.l10n.t('Show the boot timeline of'));
  if (!vm) return undefined;
  const analysis = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: vscode.l10n.t('Reading the boot timeline of {0}', vm.name) }, async () => {
    const { client } = await waitForSsh(s.podman(), vm.name, { timeoutMs: 30_000 });
    try {
      const r = await execCollect(client, BOOT_ANALYSIS_COMMAND);
      return parseBootAnalysis(r.stdout);
    } finally {
      client.end();
    }
  });
  let panel = panels.get(vm.name);
  if (panel) panel.reveal();
  else {
    panel = vscode.window.createWebviewPanel('bootcEphemeral.bootTimeline', vscode.l10n.t('Boot Timeline: {0}', vm.name), vscode.ViewColumn.Active, { enableScripts: false, localResourceRoots: [] });
    panels.set(vm.name, panel);
    panel.onDidDispose(() => panels.delete(vm.name));
  }
  panel.webview.html = bootTimelineHtml(vm.name, analysis, crypto.randomBytes(16).toString('base64'), panel.webview.cspSource, vm.imageKargs);
  return { panel, analysis };
}
