import * as path from 'node:path';
import * as vscode from 'vscode';
import { parseRunOptions } from '../../engine/options';
import { prepareLaunch, startDetached } from '../../engine/launch';
import { waitForSsh } from '../../engine/ready';
import { findVm, removeVm } from '../../engine/vms';
import { buildImage, imageTagFor } from '../../engine/build';
import { EngineError } from '../../engine/errors';
import { defaultRunInput, readSettings } from '../settings';
import { openSshTerminal } from '../terminals/sshTerminal';
import type { Services } from '../services';

export interface BootRequest {
  image?: string;
  containerfile?: vscode.Uri;
}

/**
 * Build (for a Containerfile), boot with the user's defaults and the workspace bound in, wait for SSH.
 * One notification shows the phases; Cancel stops the build or removes the half-started VM.
 */
export async function bootFlow(s: Services, req: BootRequest, extraToken?: vscode.CancellationToken): Promise<string | undefined> {
  const podman = s.podman();
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Ephemeral VM'), cancellable: true },
    async (progress, token) => {
      const abort = new AbortController();
      token.onCancellationRequested(() => abort.abort());
      extraToken?.onCancellationRequested(() => abort.abort());
      const cancelled = () => abort.signal.aborted;
      let image = req.image;
      let vmName: string | undefined;
      try {
        if (req.containerfile) {
          const file = req.containerfile.fsPath;
          image = imageTagFor(file);
          progress.report({ message: vscode.l10n.t('Building {0}...', path.basename(path.dirname(file))) });
          await buildImage(podman, { containerfile: file, context: path.dirname(file), tag: image, signal: abort.signal }, (line) => {
            s.logger.info(`[build] ${line}`);
            const step = /^STEP (\d+\/\d+)/.exec(line);
            if (step) progress.report({ message: vscode.l10n.t('Building: step {0}', step[1]) });
          });
        }
        if (!image) return undefined;
        const settings = readSettings();
        const options = parseRunOptions(defaultRunInput(image, settings, vscode.workspace.workspaceFolders ?? []));
        progress.report({ message: vscode.l10n.t('Starting {0}...', image) });
        const prepared = await prepareLaunch(options, { podman, warn: (m) => s.logger.channel.warn(m) });
        vmName = prepared.name;
        if (cancelled()) {
          prepared.discard();
          return undefined;
        }
        await startDetached(prepared, podman);
        await s.tree.refresh();
        if (s.view.visible) {
          const booting = s.tree.item(vmName);
          if (booting) await s.view.reveal(booting, { select: true, focus: false });
        }
        progress.report({ message: vscode.l10n.t('Booting {0} ({1}); waiting for SSH...', vmName, prepared.accel.toUpperCase()) });
        const { client } = await waitForSsh(podman, vmName, { signal: abort.signal });
        client.end();
        await s.tree.refresh();
        const item = s.tree.item(vmName);
        if (item && s.view.visible) await s.view.reveal(item, { select: true, focus: false });
        s.logger.info(`VM ${vmName} is ready`);
        if (settings.openSshTerminalWhenReady) openSshTerminal(podman, vmName);
        return vmName;
      } catch (e) {
        if (vmName && cancelled()) {
          const vm = await findVm(podman, vmName).catch(() => undefined);
          if (vm) await removeVm(podman, vm);
          await s.tree.refresh();
          s.logger.info(`boot of ${vmName} cancelled; VM removed`);
          return undefined;
        }
        if (cancelled()) return undefined;
        const message = e instanceof EngineError ? e.message : String((e as Error).message ?? e);
        await s.tree.refresh();
        void s.logger.showError(message, /podman build failed/.test(message) ? vscode.l10n.t('Show Build Log') : undefined);
        return undefined;
      }
    },
  );
}
