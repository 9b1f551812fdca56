import * as vscode from 'vscode';
import type { RunOptionsInput } from '../engine/options/runOptions';
import type { PodmanConnection } from '../engine/podman/connection';

export type BindWorkspace = 'rw' | 'ro' | 'off';

export interface Settings {
  podmanPath: string;
  /** "" = podman's default (local, or CONTAINER_HOST / CONTAINER_CONNECTION) */
  podmanConnection: PodmanConnection;
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
    podmanConnection: connectionFromSetting(c.get<string>('podmanConnection') ?? ''),
    memory: c.get<string>('defaultMemory') ?? '4G',
    vcpus: c.get<number | null>('defaultVcpus') ?? undefined,
    itype: c.get<string>('defaultInstanceType') ?? '',
    accel: c.get<string>('accel') ?? 'auto',
    bindWorkspace: c.get<BindWorkspace>('bindWorkspace') ?? 'rw',
    openSshTerminalWhenReady: c.get<boolean>('openSshTerminalWhenReady') ?? true,
    extraKernelArgs: c.get<string[]>('extraKernelArgs') ?? [],
  };
}

/** The podmanConnection setting: a URL (unix://, ssh://, tcp://) or a connection name; validated where podman is made. */
export function connectionFromSetting(value: string): PodmanConnection {
  const v = value.trim();
  if (!v) return {};
  return /^[a-z]+:\/\//.test(v) ? { url: v } : { connection: v };
}

/** A mount NAME from a folder name: what the validator accepts. */
export function mountNameFor(folderName: string): string {
  const n = folderName.replace(/[^a-zA-Z0-9_-]/g, '-').replace(/^[^a-zA-Z0-9]+/, '').slice(0, 30);
  return n || 'workspace';
}

/** The run options of a plain boot from VS Code: the user's defaults. */
export function defaultRunInput(image: string, s: Settings): RunOptionsInput {
  return { image, memory: s.memory, vcpus: s.vcpus, itype: s.itype || undefined, accel: s.accel, karg: s.extraKernelArgs };
}

/** What every boot from VS Code adds: SSH, background, --rm (stateless; Stop removes it), the workspace folders. */
export function vmRunInput(base: RunOptionsInput, bindWorkspace: BindWorkspace, folders: readonly { name: string; uri: { fsPath: string } }[]): RunOptionsInput {
  const taken = new Set([...(base.bind ?? []), ...(base.roBind ?? [])].map((b) => b.split(':')[1]).filter(Boolean));
  const binds = bindWorkspace === 'off' ? [] : folders.map((f) => `${f.uri.fsPath}:${mountNameFor(f.name)}`).filter((b) => !taken.has(b.split(':')[1]));
  return {
    ...base,
    sshKeygen: true,
    detach: true,
    rm: true,
    bind: [...(base.bind ?? []), ...(bindWorkspace === 'rw' ? binds : [])],
    roBind: [...(base.roBind ?? []), ...(bindWorkspace === 'ro' ? binds : [])],
  };
}
