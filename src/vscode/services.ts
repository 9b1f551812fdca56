import type * as vscode from 'vscode';
import type { Podman } from '../engine/podman/podman';
import type { Logger } from './logger';
import type { VmTreeProvider, TreeNode } from './tree/vmTreeProvider';
import type { PortForwards } from './forwards/portForwards';
import type { ConfigStore } from './config/configStore';
import type { ReadOnlyDocuments } from './readOnlyDocuments';
import type { BootsInFlight } from './boot/bootsInFlight';

/** What commands get from the composition root. */
export interface Services {
  context: vscode.ExtensionContext;
  podman: () => Podman;
  logger: Logger;
  tree: VmTreeProvider;
  view: vscode.TreeView<TreeNode>;
  forwards: PortForwards;
  configs: ConfigStore;
  documents: ReadOnlyDocuments;
  /** boots under way: cancelled (and their VMs removed) when the extension deactivates */
  boots: BootsInFlight;
}
