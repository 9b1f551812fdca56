import * as vscode from 'vscode';
import { Podman } from '../engine/podman/podman';
import { describeConnection, effectiveConnection, needsRemotePodman, validateConnection } from '../engine/podman/connection';
import { PodmanUnavailableError } from '../engine/errors';
import { Logger } from './logger';
import { ReadOnlyDocuments } from './readOnlyDocuments';
import { ForwardTreeItem, VmTreeProvider } from './tree/vmTreeProvider';
import { registerCommands } from './commands';
import { readSettings } from './settings';
import { PortForwards } from './forwards/portForwards';
import { ConfigStore } from './config/configStore';
import { RunningVmsStatus } from './status/runningVmsStatus';
import { registerVmTasks } from './tasks/vmTaskProvider';
import { runDoctor } from '../engine/host/doctor';
import { isRootless } from '../engine/podman/mode';
import { ConfigTreeProvider } from './tree/configTreeProvider';
import { registerSshTerminalProfile } from './terminals/sshTerminalProfile';
import type { Services } from './services';
import { BootsInFlight } from './boot/bootsInFlight';
import { bootFlow, BootRequest } from './boot/bootFlow';

/** the window's boots under way (see deactivate) */
let boots: BootsInFlight | undefined;

/** What activate() returns: the services and the boot flow (used by the integration tests). */
export interface ExtensionApi {
  services: Services;
  boot(req: BootRequest, token?: vscode.CancellationToken): Promise<string | undefined>;
}

/** The composition root: wire the engine to the views and commands; no logic of its own. */
export function activate(context: vscode.ExtensionContext): ExtensionApi {
  const logger = new Logger();
  // No usable podman (not Linux and no connection, or podman missing) still activates everything: the
  // views show a welcome with the fix, and each command answers with the same explanation.
  const podman = () => {
    const settings = readSettings();
    const connection = validateConnection(settings.podmanConnection);
    if (needsRemotePodman(process.platform, connection)) {
      throw new PodmanUnavailableError('host', vscode.l10n.t('Ephemeral VMs need a Linux host with podman; this one is {0}', process.platform), vscode.l10n.t('set bootcEphemeral.podmanConnection (e.g. your podman machine), or use VS Code Remote (SSH, WSL) to a Linux machine'));
    }
    return new Podman(settings.podmanPath, (argv) => logger.command(argv), connection);
  };
  const forwards = new PortForwards(podman, context.workspaceState);
  const tree = new VmTreeProvider(podman, forwards, (m) => logger.channel.warn(m));
  const view = vscode.window.createTreeView('bootcEphemeral.vms', { treeDataProvider: tree, showCollapseAll: false, canSelectMany: true });
  tree.attach(view);
  // which podman the view shows: its host when it is not this machine's, and whether it is rootless or rootful
  const describeView = () => {
    const connection = readSettings().podmanConnection;
    const host = effectiveConnection(connection).kind === 'local' ? undefined : describeConnection(connection);
    view.description = host;
    void Promise.resolve()
      .then(() => isRootless(podman()))
      .then((rootless) => {
        if (rootless === undefined || JSON.stringify(readSettings().podmanConnection) !== JSON.stringify(connection)) return;
        const mode = rootless ? vscode.l10n.t('rootless') : vscode.l10n.t('rootful');
        view.description = host ? `${host} · ${mode}` : mode;
      })
      .catch(() => undefined);
  };
  describeView();
  const settingWatch = vscode.workspace.onDidChangeConfiguration((e) => {
    if (!e.affectsConfiguration('bootcEphemeral.podmanConnection') && !e.affectsConfiguration('bootcEphemeral.podmanPath')) return;
    describeView();
    void tree.refresh();
  });
  const status = new RunningVmsStatus();
  tree.onDidRefresh((vms) => status.update(vms));
  // forwards of the previous window (a reload) come back once the VMs are known
  const restoreForwards = tree.onDidRefresh((vms) => {
    restoreForwards.dispose();
    void forwards.restore(new Set(vms.filter((v) => v.state === 'ready').map((v) => v.name))).then(({ restored, failed }) => {
      for (const { forward, reason } of failed) logger.channel.warn(`port ${forward.guestPort} of ${forward.vmName} was not forwarded again after the reload: ${reason}`);
      // under their VMs, which the view may show collapsed
      for (const f of restored) if (view.visible) void Promise.resolve(view.reveal(new ForwardTreeItem(f), { expand: true, select: false, focus: false })).catch(() => undefined);
    });
  });
  // the host check runs once the view is first shown (not at activation); a failure shows in the welcome view
  const firstShow = view.onDidChangeVisibility((e) => {
    if (!e.visible) return;
    firstShow.dispose();
    void Promise.resolve().then(() => runDoctor(podman())).then(
      (checks) => vscode.commands.executeCommand('setContext', 'bootcEphemeral.doctorFailed', checks.some((c) => c.status === 'fail')),
      () => undefined,
    );
  });
  const configs = new ConfigStore();
  const configTree = new ConfigTreeProvider(configs);
  const configView = vscode.window.createTreeView('bootcEphemeral.configurations', { treeDataProvider: configTree });
  const documents = new ReadOnlyDocuments();
  boots = new BootsInFlight();
  const services: Services = { context, podman, logger, tree, view, forwards, configs, documents, boots };
  context.subscriptions.push(settingWatch, status, configs, configTree, configView, documents, registerVmTasks(services), logger, forwards, tree, view, ...registerCommands(services), registerSshTerminalProfile(services));
  return { services, boot: (req, token) => bootFlow(services, req, token) };
}

/** Window reload or close: boots under way are cancelled and their VMs removed before the host goes. */
export function deactivate(): Promise<void> | undefined {
  return boots?.shutdown(10_000);
}
