import * as vscode from 'vscode';
import type { ConfigStore, StoredConfiguration } from '../config/configStore';
import { Disposable } from '../disposable';

export class ConfigTreeItem extends vscode.TreeItem {
  constructor(readonly config: StoredConfiguration, multiRoot: boolean) {
    super(config.name, vscode.TreeItemCollapsibleState.None);
    this.id = `${config.folder.uri.toString()}#${config.name}`;
    const what = config.containerfile ? `build ${vscode.workspace.asRelativePath(config.containerfile, false)}` : config.input.image ?? '';
    const size = config.input.itype ?? [config.input.memory, config.input.vcpus ? `${config.input.vcpus} vCPU` : undefined].filter(Boolean).join(', ');
    this.description = [what, size, multiRoot ? config.folder.name : undefined].filter(Boolean).join(' · ');
    this.iconPath = new vscode.ThemeIcon('symbol-namespace');
    this.tooltip = `${config.name}: ${what}`;
    this.contextValue = 'configuration';
    this.command = { command: 'bootcEphemeral.openConfigurationFile', title: 'Open', arguments: [this] };
  }
}

/** The Configurations view: the saved configurations of the workspace, updated as the files change. */
export class ConfigTreeProvider extends Disposable implements vscode.TreeDataProvider<ConfigTreeItem> {
  private readonly changed = this.register(new vscode.EventEmitter<void>());
  readonly onDidChangeTreeData = this.changed.event;

  constructor(private readonly store: ConfigStore) {
    super();
    this.register(store.onDidChange(() => this.changed.fire()));
  }

  getTreeItem(e: ConfigTreeItem): vscode.TreeItem {
    return e;
  }

  getChildren(): ConfigTreeItem[] {
    const multi = (vscode.workspace.workspaceFolders?.length ?? 0) > 1;
    return this.store.all().map((c) => new ConfigTreeItem(c, multi));
  }
}
