// Types of codeServer.mjs (plain ESM, run by node directly from the scripts), for the TypeScript test suites.
import type { Browser } from 'playwright-core';

export const NODE24_HOME: string;
export const CODE_SERVER_ENTRY: string;
export const CHROMIUM: string;
export function sleep(ms: number): Promise<void>;

export interface CodeServer {
  base: string;
  port: number;
  state: string;
  logPath: string;
  pid: number | undefined;
  stop(opts?: { keep?: boolean }): Promise<void>;
}

export function startCodeServer(opts?: {
  env?: Record<string, string>;
  smokeDriver?: boolean;
  port?: number;
  settings?: Record<string, unknown>;
  extensionsDir?: string;
  trustWorkspace?: boolean;
}): Promise<CodeServer>;

export function launchBrowser(): Promise<Browser>;

export function workbenchUrl(base: string, opts?: { folder?: string; devPath?: string; testsPath?: string; extEnv?: Record<string, string> }): string;

export function runExtensionTests(base: string, opts: { devPath: string; testsPath: string; folder?: string; extEnv?: Record<string, string>; timeoutS?: number; log?: (m: string) => void }): Promise<number>;

export function installVsix(vsix: string, extensionsDir: string): Promise<void>;
