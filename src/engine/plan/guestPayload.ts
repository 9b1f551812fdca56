import { buildCpio, CpioEntry } from './cpio';
import {
  GuestUnit, GUEST_RUN_DIR, PAYLOAD_DIR, UNNEEDED_GENERATORS, initrdSetupUnit, bindMountUnit, consoleAutologinDropIn, containerStorageUnit,
  journalStreamUnit, swapUnit, deviceWaitDropIns,
} from './guestUnits';
import { executeUnits } from './executeUnits';
import { machineFor } from './machine';
import type { BindMount, RunOptions } from '../options/runOptions';
import { renderShell, renderTmpfiles, type SetupOp } from './guestSetup';
import type { PlanContext } from './launchPlan';
import * as path from 'node:path';
import { CLOUD_INIT_SEED_DIR, cloudInitKeepsHostKeys } from '../vm/cloudInit';
import { GUEST_INIT, guestInitScript } from './guestInit';
import { ROOT_TAG } from './kernelArgs';
import { earlySshPayload, SSH_NIC_MAC } from './earlySsh';

export interface GuestPayloadInput {
  /** units for the real root (ours and the user's --systemd-units) */
  units: GuestUnit[];
  /** extra files the user's unit directory brings (drop-in dirs), relative to /run/systemd/system */
  unitFiles?: { relPath: string; content: Buffer | string }[];
  /** pinned SSH host key for the guest's sshd (OpenSSH private key format) */
  sshHostKey?: { privateKey: string; publicKey: string };
  /** configuration files that replace the image's in the guest's /etc (readable by all), e.g. containers/storage.conf */
  etcFiles?: { relPath: string; content: string }[];
  /** readable by all, at these absolute paths under /run: e.g. a udev rule */
  runFiles?: { path: string; content: string }[];
  /** root's only (0600), kept in GUEST_RUN_DIR: e.g. the cloud-init seed */
  privateRunFiles?: { relPath: string; content: Buffer | string }[];
  /** SSH's own NIC, which our guest init looks for to start its address unit (earlySsh.ts) */
  sshNicMac?: string;
  /** the engine's own initramfs boots (ownInitramfs.ts): busybox's tools, no image initramfs to fall back to */
  ownInitramfs?: boolean;
}

/** where etcFiles live in the guest (0755: users' programs read them through the link from /etc) */
export const GUEST_ETC_DIR = '/run/bootc-ephemeral-etc';

export { tmpfilesPath } from './guestSetup';

/** In the payload: what the guest's /run gets, as a ready tree (copied in one go by our guest init) */
const RUN_TREE = `${PAYLOAD_DIR}/run-tree`;
const inRunTree = (runPath: string) => `/${RUN_TREE}/${runPath.slice('/run/'.length)}`;

/** What goes where on the real root before switch-root (guestSetup.ts writes it for tmpfiles and for sh). */
export function setupOps(input: GuestPayloadInput): SetupOp[] {
  const ops: SetupOp[] = [];
  const dirs = new Set<string>();
  /** `keep`: a folder the image has keeps its mode and owner */
  const dir = (path: string, mode: string | 'keep' = '0755') => {
    if (!dirs.has(path)) {
      dirs.add(path);
      ops.push({ op: 'dir', path, mode: mode === 'keep' ? undefined : mode });
    }
  };
  // everything copied goes to /run (links from /etc point there): its source is the payload's run tree
  const copy = (path: string, mode: string, content: string | Buffer) => ops.push({ op: 'copy', path, from: inRunTree(path), mode, content });
  const link = (path: string, target: string, replace = true) => ops.push({ op: 'link', path, target, replace });
  dir('/run/systemd');
  dir('/run/systemd/system');
  dir('/run/systemd/system-generators');
  for (const g of UNNEEDED_GENERATORS) link(`/run/systemd/system-generators/${g}`, '/dev/null', false);
  for (const u of input.units) {
    copy(`/run/systemd/system/${u.name}`, '0644', u.content);
    for (const target of u.wantedBy) {
      dir(`/run/systemd/system/${target}.wants`);
      link(`/run/systemd/system/${target}.wants/${u.name}`, `../${u.name}`);
    }
  }
  for (const f of input.unitFiles ?? []) {
    if (f.relPath.includes('/')) dir(`/run/systemd/system/${f.relPath.slice(0, f.relPath.lastIndexOf('/'))}`);
    copy(`/run/systemd/system/${f.relPath}`, '0644', f.content);
  }
  if (input.sshHostKey) {
    // a link (replacing a key baked into the image) to a copy in /run, which survives switch-root
    dir(GUEST_RUN_DIR, '0700');
    for (const [file, mode, content] of [['ssh_host_ed25519_key', '0600', input.sshHostKey.privateKey], ['ssh_host_ed25519_key.pub', '0644', input.sshHostKey.publicKey]] as const) {
      copy(`${GUEST_RUN_DIR}/${file}`, mode, content);
      dir('/sysroot/etc/ssh', 'keep');
      link(`/sysroot/etc/ssh/${file}`, `${GUEST_RUN_DIR}/${file}`);
    }
  }
  for (const f of input.etcFiles ?? []) {
    // a link (copies never overwrite) to a copy in /run
    const parents = f.relPath.split('/').slice(0, -1);
    dir(GUEST_ETC_DIR);
    parents.forEach((_, i) => dir(`${GUEST_ETC_DIR}/${parents.slice(0, i + 1).join('/')}`));
    copy(`${GUEST_ETC_DIR}/${f.relPath}`, '0644', f.content);
    parents.forEach((_, i) => dir(`/sysroot/etc/${parents.slice(0, i + 1).join('/')}`, 'keep'));
    link(`/sysroot/etc/${f.relPath}`, `${GUEST_ETC_DIR}/${f.relPath}`);
  }
  for (const f of input.runFiles ?? []) {
    const parents = f.path.split('/').slice(2, -1);
    parents.forEach((_, j) => dir(`/run/${parents.slice(0, j + 1).join('/')}`));
    copy(f.path, '0644', f.content);
  }
  for (const f of input.privateRunFiles ?? []) {
    const parents = f.relPath.split('/').slice(0, -1);
    dir(GUEST_RUN_DIR, '0700');
    parents.forEach((_, i) => dir(`${GUEST_RUN_DIR}/${parents.slice(0, i + 1).join('/')}`, '0700'));
    copy(`${GUEST_RUN_DIR}/${f.relPath}`, '0600', f.content);
  }
  return ops;
}

/** The tmpfiles.d config the initrd service applies (a systemd initramfs: the image's own boot path). */
export function setupTmpfiles(input: GuestPayloadInput): string {
  return renderTmpfiles(setupOps(input));
}

/** The ops' part under /run as cpio entries of the payload's run tree (folders before what they hold, as the ops are). */
function runTreeEntries(ops: readonly SetupOp[]): CpioEntry[] {
  const entries: CpioEntry[] = [{ path: RUN_TREE, type: 'dir', mode: 0o755 }];
  for (const o of ops) {
    if (!o.path.startsWith('/run/')) continue;
    const at = inRunTree(o.path).slice(1);
    if (o.op === 'dir') entries.push({ path: at, type: 'dir', mode: parseInt(o.mode ?? '0755', 8) });
    else if (o.op === 'link') entries.push({ path: at, type: 'symlink', data: o.target });
    else entries.push({ path: at, type: 'file', mode: parseInt(o.mode, 8), data: o.content });
  }
  return entries;
}

/** The cpio appended to the image's initramfs. */
export function buildGuestPayload(input: GuestPayloadInput): Buffer {
  const setup = initrdSetupUnit();
  const ops = setupOps(input);
  return buildCpio([
    { path: `etc/systemd/system/${setup.name}`, type: 'file', data: setup.content },
    ...setup.wantedBy.map((t): CpioEntry => ({ path: `etc/systemd/system/${t}.wants/${setup.name}`, type: 'symlink', data: `../${setup.name}` })),
    { path: GUEST_INIT, type: 'file', mode: 0o755, data: guestInitScript(ROOT_TAG, input.sshNicMac, input.ownInitramfs) },
    { path: `${PAYLOAD_DIR}/setup.conf`, type: 'file', data: renderTmpfiles(ops) },
    { path: `${PAYLOAD_DIR}/setup.sh`, type: 'file', data: renderShell(ops, { from: `/${RUN_TREE}`, to: '/run' }) },
    ...runTreeEntries(ops),
  ]);
}

/** The guest's configuration for this VM: our units, the user's, the pinned host key, files for /etc. */
export function guestPayloadFor(options: RunOptions, ctx: PlanContext, binds: BindMount[]): Buffer {
  const machine = machineFor(ctx.arch ?? 'amd64', ctx.accel);
  const execute = options.execute.length ? executeUnits(options.execute, options.diskFiles.map((d) => d.name)) : undefined;
  const early = ctx.ssh && ctx.earlySsh ? earlySshPayload(ctx.earlySsh, binds.map((b) => bindMountUnit(b).name), ctx.tools.qemuPanicExit ? machine.panicModule : undefined) : undefined;
  return buildGuestPayload({
    units: [
      journalStreamUnit(!!early),
      containerStorageUnit(),
      ...binds.map(bindMountUnit),
      ...(options.swapBytes ? [swapUnit()] : []),
      ...(execute?.units ?? []),
      ...(early?.units ?? []),
      ...(ctx.userUnits?.units ?? []),
    ],
    unitFiles: [
      consoleAutologinDropIn(machine.consoleTty),
      ...deviceWaitDropIns(options.execute.length > 0, options.diskFiles.map((d) => d.name)),
      ...(execute?.unitFiles ?? []),
      ...(early?.unitFiles ?? []),
      ...(ctx.userUnits?.unitFiles ?? []),
    ],
    runFiles: early?.runFiles ?? [],
    sshNicMac: early ? SSH_NIC_MAC : undefined,
    ownInitramfs: !!ctx.initramfs && 'own' in ctx.initramfs,
    sshHostKey: ctx.ssh ? { privateKey: ctx.ssh.hostPrivateKey, publicKey: ctx.ssh.hostPublicKey } : undefined,
    etcFiles: [
      ...(ctx.containerStorageConf ? [{ relPath: 'containers/storage.conf', content: ctx.containerStorageConf }] : []),
      ...(ctx.cloudInitSeed && ctx.ssh ? [cloudInitKeepsHostKeys()] : []),
    ],
    privateRunFiles: (ctx.cloudInitSeed ?? []).map((f) => ({ relPath: `${path.posix.basename(CLOUD_INIT_SEED_DIR)}/${f.name}`, content: f.content })),
  });
}
