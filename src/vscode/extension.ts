import * as vscode from 'vscode';
import { Podman } from '../engine/podman';
import { Logger } from './logger';
import { VmTreeProvider } from './tree/vmTreeProvider';
import { registerCommands } from './commands';
import { readSettings } from './settings';
import type { Services } from './services';

/** The composition root: wire the engine to the views and commands; no logic of its own. */
export function activate(context: vscode.ExtensionContext): Services {
  const logger = new Logger();
  const podman = () => new Podman(readSettings().podmanPath, (argv) => logger.command(argv));
  const tree = new VmTreeProvider(podman());
  const view = vscode.window.createTreeView('bootcEphemeral.vms', { treeDataProvider: tree, showCollapseAll: false });
  tree.attach(view);
  const services: Services = { context, podman, logger, tree, view };
  context.subscriptions.push(logger, tree, view, ...registerCommands(services));
  return services;
}

export function deactivate(): void {}
