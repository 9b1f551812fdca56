import { GUEST_ARCHES } from '../../engine/options/types';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { parseRunOptions, pathProbeFor } from '../../engine/options/runOptions';
import { generateVmName } from '../../engine/vm/launch';
import { bootVm } from '../../engine/vm/lifecycle';
import type { BootPhase } from '../../engine/guest/bootPhases';
import { buildImage, imageTagFor } from '../../engine/podman/build';
import { EngineError } from '../../engine/errors';
import { defaultRunInput, readSettings } from '../settings';
import { vmRunInput } from './workspaceBinds';
import type { StoredConfiguration } from '../config/configStore';
import { configurationRunInput } from '../../engine/options/configFile';
import { openSshTerminal } from '../terminals/sshTerminal';
import type { Services } from '../services';
import { showBootError } from './bootErrors';

export interface BootRequest {
  image?: string;
  containerfile?: vscode.Uri;
  /** build context (default: the Containerfile's folder) */
  context?: string;
  configuration?: StoredConfiguration;
}

export interface BootHooks {
  report(message: string): void;
  signal: AbortSignal;
}

/**
 * The boot itself, UI-free (the notification flow and the task both use it): build (for a
 * Containerfile), boot with the defaults or the configuration and the workspace bound in, wait for
 * SSH, forward the configured ports. On cancellation the half-started VM is removed; errors throw.
 */
export function bootInWorkspace(s: Services, req: BootRequest, hooks: BootHooks): Promise<string | undefined> {
  // the window going away (reload, close) cancels it too
  return s.boots.track(boot(s, req, { ...hooks, signal: AbortSignal.any([hooks.signal, s.boots.signal]) }));
}

async function boot(s: Services, req: BootRequest, hooks: BootHooks): Promise<string | undefined> {
  // every boot path (notification, task, form) goes through here: the trust rule is checked once, here
  if (isWorkspaceProvided(req) && !vscode.workspace.isTrusted) throw new EngineError(untrustedMessage());
  const podman = s.podman();
  const cancelled = () => hooks.signal.aborted;
  const config = req.configuration;
  if (config?.problems?.length) {
    throw new EngineError(vscode.l10n.t('Configuration "{0}" has problems, so it does not boot: {1}', config.name, config.problems.join('; ')));
  }
  const containerfile = req.containerfile?.fsPath ?? config?.containerfile;
  let image = req.image ?? config?.input.image;
  let vmName: string | undefined;
  try {
    if (containerfile) {
      const context = req.context ?? config?.context ?? path.dirname(containerfile);
      image = imageTagFor(containerfile);
      hooks.report(vscode.l10n.t('Building {0}...', path.basename(path.dirname(containerfile))));
      // a configuration's arch: builds for it (its value was checked with the configuration's problems)
      const arch = GUEST_ARCHES.find((a) => a === config?.input.arch);
      await buildImage(podman, { containerfile, context, tag: image, arch, signal: hooks.signal }, (line) => {
        s.logger.info(`[build] ${line}`);
        const step = /^STEP (\d+\/\d+)/.exec(line);
        if (step) hooks.report(vscode.l10n.t('Building: step {0}', step[1]));
      });
    }
    if (!image) return undefined;
    const settings = readSettings();
    // a configuration's VMs are named after it (dev -> dev-3f9a), so the view says which setup runs
    const fromConfig = config && configurationRunInput(config, image);
    const base = fromConfig ? { ...fromConfig, name: fromConfig.name ?? generateVmName(config.name) } : defaultRunInput(image, settings);
    const folders = config ? [config.folder] : (vscode.workspace.workspaceFolders ?? []);
    // a VM on another machine (a podman connection) cannot see this machine's folders: none is bound
    const bindWorkspace = podman.remote ? 'off' : (config?.bindWorkspace ?? settings.bindWorkspace);
    if (podman.remote && (config?.bindWorkspace ?? settings.bindWorkspace) !== 'off') s.logger.info(`the workspace is not bound in: the VM runs on ${podman.describe()}, which does not have this machine's folders`);
    const options = parseRunOptions(vmRunInput(base, bindWorkspace, folders), pathProbeFor(podman));
    hooks.report(vscode.l10n.t('Starting {0}...', image));
    // the engine's one lifecycle: a cancelled boot is removed there; a failed one stays for its logs
    const booted = await bootVm(podman, options, {
      signal: hooks.signal,
      timeoutMs: settings.sshTimeoutMs,
      keepOnFailure: true,
      onPrepared: (prepared) => s.logger.command(['qemu (in the VM container):', ...prepared.plan.qemuArgs]),
      warn: (m) => s.logger.channel.warn(m),
      onStarted: async (name, accel) => {
        vmName = name;
        await s.tree.refresh();
        const booting = s.tree.item(name);
        if (booting && s.view.visible) await s.view.reveal(booting, { select: true, focus: false });
        hooks.report(vscode.l10n.t('Booting {0} ({1}); waiting for SSH...', name, accel.toUpperCase()));
      },
      onPhase: (p) => vmName && hooks.report(vscode.l10n.t('{0}: {1}...', vmName, phaseLabel(p))),
    });
    booted.client.end();
    await s.tree.refresh();
    const item = s.tree.item(booted.name);
    if (item && s.view.visible) await s.view.reveal(item, { select: true, focus: false });
    s.logger.info(`VM ${booted.name} is ready`);
    for (const port of config?.forwardPorts ?? []) {
      await s.forwards.add(booted.name, port).catch((e) => s.logger.channel.warn(`forwarding port ${port}: ${(e as Error).message}`));
    }
    return booted.name;
  } catch (e) {
    if (!cancelled()) throw e;
    await s.tree.refresh();
    if (vmName) s.logger.info(`boot of ${vmName} cancelled; VM removed`);
    return undefined;
  }
}

/** The boot phases as the CLI's status line names them, localized. */
function phaseLabel(p: BootPhase): string {
  const labels: Record<BootPhase, string> = {
    starting: vscode.l10n.t('starting the VM container'),
    kernel: vscode.l10n.t('kernel'),
    initrd: vscode.l10n.t('initrd'),
    system: vscode.l10n.t('system start'),
    sshd: vscode.l10n.t('sshd listening'),
    connecting: vscode.l10n.t('connecting'),
    ready: vscode.l10n.t('ready'),
  };
  return labels[p];
}

function isWorkspaceProvided(req: BootRequest): boolean {
  return !!(req.containerfile || req.configuration);
}

function untrustedMessage(): string {
  return vscode.l10n.t('This workspace is not trusted: booting its Containerfiles and configurations starts a privileged container, so it is disabled. Trust the workspace to enable it.');
}

/** Refuses workspace-provided boots (Containerfile, configuration) in Restricted Mode, with a warning. */
export function refusedByTrust(req: BootRequest): boolean {
  if (isWorkspaceProvided(req) && !vscode.workspace.isTrusted) {
    void vscode.window.showWarningMessage(untrustedMessage());
    return true;
  }
  return false;
}

/**
 * "Boot as Ephemeral VM" and friends: one notification shows the phases, its Cancel stops the build or
 * removes the half-started VM; errors become a notification with the actions that help (bootErrors.ts);
 * an SSH terminal opens.
 */
export async function bootFlow(s: Services, req: BootRequest, extraToken?: vscode.CancellationToken): Promise<string | undefined> {
  if (refusedByTrust(req)) return undefined;
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Ephemeral VM'), cancellable: true },
    async (progress, token) => {
      const abort = new AbortController();
      token.onCancellationRequested(() => abort.abort());
      extraToken?.onCancellationRequested(() => abort.abort());
      try {
        const vmName = await bootInWorkspace(s, req, { report: (message) => progress.report({ message }), signal: abort.signal });
        if (vmName && readSettings().openSshTerminalWhenReady) openSshTerminal(s.podman(), vmName);
        return vmName;
      } catch (e) {
        await s.tree.refresh();
        void showBootError(s, e);
        return undefined;
      }
    },
  );
}
