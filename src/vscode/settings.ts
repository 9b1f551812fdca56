import * as vscode from 'vscode';
import type { RunOptionsInput } from '../engine/options/runOptions';
import type { PodmanConnection } from '../engine/podman/connection';
import type { BindWorkspace } from './boot/workspaceBinds';

export type { BindWorkspace };

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
  /** how long a boot waits for SSH (ms) */
  sshTimeoutMs: number;
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
    sshTimeoutMs: Math.min(3600, Math.max(5, c.get<number>('sshTimeout') ?? 240)) * 1000,
    extraKernelArgs: c.get<string[]>('extraKernelArgs') ?? [],
  };
}

/** The podmanConnection setting: a URL (unix://, ssh://, tcp://) or a connection name; validated where podman is made. */
export function connectionFromSetting(value: string): PodmanConnection {
  const v = value.trim();
  if (!v) return {};
  return /^[a-z]+:\/\//.test(v) ? { url: v } : { connection: v };
}

/** The run options of a plain boot from VS Code: the user's defaults. */
export function defaultRunInput(image: string, s: Settings): RunOptionsInput {
  return { image, memory: s.memory, vcpus: s.vcpus, itype: s.itype || undefined, accel: s.accel, karg: s.extraKernelArgs };
}
