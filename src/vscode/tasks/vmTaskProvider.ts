import * as vscode from 'vscode';
import type { Services } from '../services';
import { bootInWorkspace, BootRequest } from '../boot/bootFlow';
import { findVm, removeVm } from '../../engine/vm/vms';
import type { StoredConfiguration } from '../config/configStore';
import { parseConfigFile } from '../../engine/options/configFile';

export const TASK_TYPE = 'bootc-ephemeral';
/** What the background problem matcher waits for: preLaunchTask proceeds once this line is out. */
export const READY_LINE = 'bootc-ephemeral: VM ready:';

export interface VmTaskDefinition extends vscode.TaskDefinition {
  type: typeof TASK_TYPE;
  /** a saved configuration's name */
  configuration?: string;
  /** or inline options, as in the configuration file (image or containerfile, memory, bind, ...) */
  options?: Record<string, unknown>;
}

/**
 * A VM as a background task: it boots a configuration (or inline options), and is "ready" for
 * preLaunchTask when SSH answers; the task keeps running while the VM does, and Terminate Task
 * removes the VM.
 */
class VmTaskTerminal implements vscode.Pseudoterminal {
  private readonly write = new vscode.EventEmitter<string>();
  private readonly done = new vscode.EventEmitter<number>();
  readonly onDidWrite = this.write.event;
  readonly onDidClose = this.done.event;
  private readonly abort = new AbortController();
  private vmName: string | undefined;
  private watcher: NodeJS.Timeout | undefined;

  constructor(private readonly s: Services, private readonly def: VmTaskDefinition, private readonly folder: vscode.WorkspaceFolder | undefined) {}

  private line(text: string): void {
    this.write.fire(text.replace(/\n/g, '\r\n') + '\r\n');
  }

  private configuration(): StoredConfiguration | undefined {
    if (this.def.configuration) return this.s.configs.find(this.def.configuration, this.folder);
    if (!this.def.options || !this.folder) return undefined;
    const yaml = JSON.stringify({ version: 1, configurations: [{ name: 'task', ...this.def.options }] });
    const parsed = parseConfigFile(yaml, { workspaceFolder: this.folder.uri.fsPath });
    if (parsed.problems.length) throw new Error(parsed.problems.map((p) => p.message).join('; '));
    return { ...parsed.configurations[0], folder: this.folder, file: this.s.configs.fileOf(this.folder) };
  }

  open(): void {
    void this.run();
  }

  private async run(): Promise<void> {
    try {
      const configuration = this.configuration();
      if (!configuration) throw new Error(this.def.configuration ? `no saved configuration named "${this.def.configuration}"` : 'the task needs "configuration" or "options"');
      this.line(`bootc-ephemeral: booting ${configuration.name}`);
      const req: BootRequest = { configuration };
      this.vmName = await bootInWorkspace(this.s, req, { report: (m) => this.line(m), signal: this.abort.signal });
      if (!this.vmName) return this.done.fire(130);
      this.line(`${READY_LINE} ${this.vmName} (ssh: bootc-ephemeral ssh ${this.vmName}; Terminate Task removes it)`);
      // the task lives as long as the VM
      this.watcher = setInterval(async () => {
        const vm = await findVm(this.s.podman(), this.vmName!).catch(() => undefined);
        if (vm?.podmanState !== 'running') {
          clearInterval(this.watcher);
          this.line(`bootc-ephemeral: ${this.vmName} has stopped`);
          this.done.fire(0);
        }
      }, 2000);
    } catch (e) {
      this.line(`bootc-ephemeral: error: ${(e as Error).message}`);
      this.done.fire(1);
    }
  }

  close(): void {
    clearInterval(this.watcher);
    this.abort.abort();
    const name = this.vmName;
    if (name) {
      void Promise.resolve()
        .then(() => findVm(this.s.podman(), name))
        .then((vm) => removeVm(this.s.podman(), vm))
        .catch(() => undefined)
        .then(() => this.s.tree.refresh());
    }
  }
}

export function registerVmTasks(s: Services): vscode.Disposable {
  const make = (def: VmTaskDefinition, scope: vscode.WorkspaceFolder | vscode.TaskScope, label: string) => {
    // a folder's task boots that folder's configuration (names repeat across folders of a multi-root workspace)
    const folder = typeof scope === 'object' ? scope : vscode.workspace.workspaceFolders?.[0];
    const task = new vscode.Task(def, scope, label, TASK_TYPE, new vscode.CustomExecution(async (resolved) => new VmTaskTerminal(s, resolved as VmTaskDefinition, folder)), ['$bootc-ephemeral']);
    task.isBackground = true;
    return task;
  };
  return vscode.tasks.registerTaskProvider(TASK_TYPE, {
    provideTasks: () => s.configs.all().map((c) => make({ type: TASK_TYPE, configuration: c.name }, c.folder, `boot ${c.name}`)),
    resolveTask: (task) => {
      const def = task.definition as VmTaskDefinition;
      if (!def.configuration && !def.options) return undefined;
      return make(def, task.scope ?? vscode.TaskScope.Workspace, task.name);
    },
  });
}
