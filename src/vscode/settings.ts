import * as vscode from 'vscode';
import type { RunOptionsInput } from '../engine/options';

export type BindWorkspace = 'rw' | 'ro' | 'off';

export interface Settings {
  podmanPath: string;
  memory: string;
  vcpus: number | undefined;
  itype: string;
  accel: string;
  bindWorkspace: BindWorkspace;
  openSshTerminalWhenReady: boolean;
  extraKernelArgs: string[];
}

export function readSettings(): Settings {
  const c = vscode.workspace.getConfiguration('bootcEphemeral');
  return {
    podmanPath: c.get<string>('podmanPath') || 'podman',
    memory: c.get<string>('defaultMemory') ?? '4G',
    vcpus: c.get<number | null>('defaultVcpus') ?? undefined,
    itype: c.get<string>('defaultInstanceType') ?? '',
    accel: c.get<string>('accel') ?? 'auto',
    bindWorkspace: c.get<BindWorkspace>('bindWorkspace') ?? 'rw',
    openSshTerminalWhenReady: c.get<boolean>('openSshTerminalWhenReady') ?? true,
    extraKernelArgs: c.get<string[]>('extraKernelArgs') ?? [],
  };
}

/** A mount NAME from a folder name: what the validator accepts. */
export function mountNameFor(folderName: string): string {
  const n = folderName.replace(/[^a-zA-Z0-9_-]/g, '-').replace(/^[^a-zA-Z0-9]+/, '').slice(0, 30);
  return n || 'workspace';
}

/** The run options a boot from VS Code starts from: the user's defaults, SSH, workspace folders bound in. */
export function defaultRunInput(image: string, s: Settings, folders: readonly { name: string; uri: { fsPath: string } }[]): RunOptionsInput {
  const binds = s.bindWorkspace === 'off' ? [] : folders.map((f) => `${f.uri.fsPath}:${mountNameFor(f.name)}`);
  return {
    image,
    memory: s.memory,
    vcpus: s.vcpus,
    itype: s.itype || undefined,
    accel: s.accel,
    sshKeygen: true,
    detach: true,
    // a VM booted from VS Code goes away when stopped: stateless, nothing to keep
    rm: true,
    bind: s.bindWorkspace === 'rw' ? binds : [],
    roBind: s.bindWorkspace === 'ro' ? binds : [],
    karg: s.extraKernelArgs,
  };
}
