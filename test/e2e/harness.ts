import { execa, type Result } from 'execa';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const ROOT = path.resolve(__dirname, '../../..');
export const CLI = path.join(ROOT, 'dist/cli.js');
export const IMAGE = process.env.BOOTC_EPHEMERAL_TEST_IMAGE ?? 'localhost/bootc-sample:latest';
export const TEST_LABEL = 'bootc-ephemeral-e2e=1';
/** the guest's journal line that SSH became possible: early SSH's address unit finished (src/engine/plan/earlySsh.ts) */
export const SSH_POSSIBLE_LINE = /systemd\[1\]: Finished bootc-ephemeral-ssh-address@\S+\.service/;
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `check` until it gives a value (not undefined or false); fails after `timeoutMs` saying what it waited for. */
export async function waitFor<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 60_000, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}
export const STATE_ROOT = process.env.BOOTC_EPHEMERAL_STATE_DIR ?? '/var/lib/bootc-ephemeral/vms';

/** Runs the real CLI (dist/cli.js) with real podman. */
export async function cli(args: string[], opts: { timeoutMs?: number; input?: string } = {}): Promise<Result> {
  return execa('node', [CLI, ...args], { reject: false, timeout: opts.timeoutMs ?? 300_000, input: opts.input ?? '', stripFinalNewline: false });
}

export async function podman(args: string[]): Promise<Result> {
  return execa('podman', args, { reject: false });
}

export async function containerNames(): Promise<string[]> {
  const r = await podman(['ps', '-a', '--format', '{{.Names}}']);
  return String(r.stdout).split('\n').filter(Boolean).sort();
}

export function stateDirs(): string[] {
  try {
    return fs.readdirSync(STATE_ROOT).sort();
  } catch {
    return [];
  }
}

/** Removes whatever a test run left (containers carrying the test label, their state). */
export async function cleanupTestVms(): Promise<void> {
  const r = await podman(['ps', '-a', '--filter', `label=${TEST_LABEL}`, '--format', '{{.Names}}']);
  for (const name of String(r.stdout).split('\n').filter(Boolean)) {
    await podman(['rm', '-f', '-v', '-t', '0', name]);
    fs.rmSync(path.join(STATE_ROOT, name), { recursive: true, force: true });
  }
}

export function memTotalKiB(text: string): number {
  const m = /MemTotal:\s+(\d+) kB/.exec(text);
  if (!m) throw new Error(`no MemTotal in: ${text}`);
  return Number(m[1]);
}
