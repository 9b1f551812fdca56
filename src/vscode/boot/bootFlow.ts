import * as path from 'node:path';
import * as vscode from 'vscode';
import { parseRunOptions } from '../../engine/options';
import { prepareLaunch, startDetached } from '../../engine/launch';
import { waitForSsh } from '../../engine/ready';
import { findVm, removeVm } from '../../engine/vms';
import { buildImage, imageTagFor } from '../../engine/build';
import { EngineError } from '../../engine/errors';
import { defaultRunInput, readSettings, vmRunInput } from '../settings';
import type { StoredConfiguration } from '../config/configStore';
import { configurationRunInput } from '../../engine/config';
import { openSshTerminal } from '../terminals/sshTerminal';
import type { Services } from '../services';

export interface BootRequest {
  image?: string;
  containerfile?: vscode.Uri;
  /** build context (default: the Containerfile's folder) */
  context?: string;
  configuration?: StoredConfiguration;
}

/**
 * Build (for a Containerfile), boot with the user's defaults and the workspace bound in, wait for SSH.
 * One notification shows the phases; Cancel stops the build or removes the half-started VM.
 */
export async function bootFlow(s: Services, req: BootRequest, extraToken?: vscode.CancellationToken): Promise<string | undefined> {
  // a Containerfile or a configuration comes from the workspace: in Restricted Mode it must not start
  // a privileged container
  if ((req.containerfile || req.configuration) && !vscode.workspace.isTrusted) {
    void vscode.window.showWarningMessage(vscode.l10n.t('This workspace is not trusted: booting its Containerfiles and configurations starts a privileged container, so it is disabled. Trust the workspace to enable it.'));
    return undefined;
  }
  const podman = s.podman();
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Ephemeral VM'), cancellable: true },
    async (progress, token) => {
      const abort = new AbortController();
      token.onCancellationRequested(() => abort.abort());
      extraToken?.onCancellationRequested(() => abort.abort());
      const cancelled = () => abort.signal.aborted;
      const config = req.configuration;
      const containerfile = req.containerfile?.fsPath ?? config?.containerfile;
      let image = req.image ?? config?.input.image;
      let vmName: string | undefined;
      try {
        if (containerfile) {
          const context = req.context ?? config?.context ?? path.dirname(containerfile);
          image = imageTagFor(containerfile);
          progress.report({ message: vscode.l10n.t('Building {0}...', path.basename(path.dirname(containerfile))) });
          await buildImage(podman, { containerfile, context, tag: image, signal: abort.signal }, (line) => {
            s.logger.info(`[build] ${line}`);
            const step = /^STEP (\d+\/\d+)/.exec(line);
            if (step) progress.report({ message: vscode.l10n.t('Building: step {0}', step[1]) });
          });
        }
        if (!image) return undefined;
        const settings = readSettings();
        const base = config ? configurationRunInput(config, image) : defaultRunInput(image, settings);
        const folders = config ? [config.folder] : (vscode.workspace.workspaceFolders ?? []);
        const options = parseRunOptions(vmRunInput(base, config?.bindWorkspace ?? settings.bindWorkspace, folders));
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
        for (const port of config?.forwardPorts ?? []) {
          await s.forwards.add(vmName, port).catch((e) => s.logger.channel.warn(`forwarding port ${port}: ${(e as Error).message}`));
        }
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
