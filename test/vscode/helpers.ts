import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ExtensionApi } from '../../src/vscode/extension';

export const EXTENSION_ID = 'bootc-ephemeral.bootc-ephemeral';
export const ROOT = path.resolve(__dirname, '../../..');
/** the CLI as built (dist/cli.js), for setting up what a test needs outside the extension */
export const CLI = path.join(ROOT, 'dist/cli.js');

/** Activates the extension under test and returns its API (services for the tests). */
export async function activateExtension(): Promise<ExtensionApi> {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  if (!ext) throw new Error(`the extension ${EXTENSION_ID} is not installed in this VS Code`);
  return (await ext.activate()) as ExtensionApi;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls fn until it returns something truthy, or fails naming what it waited for. */
export async function until<T>(what: string, fn: () => T | undefined | Promise<T | undefined>, timeoutMs: number, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}
