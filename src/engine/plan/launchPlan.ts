import type { RunOptions, BindMount } from '../options/runOptions';
import { HostTools, inContainer, qemuFor } from '../host/host';
import { vmStatePaths } from '../vm/stateDir';
import { buildKernelArgs, ROOT_TAG } from './kernelArgs';
import { buildQemuArgs, ResolvedAccel } from './qemu';
import { machineFor } from './machine';
import { CONTAINER_PATHS, GUEST_SSH_PORT_IN_CONTAINER, virtiofsdLogInContainer } from './containerPaths';
import { initramfsPlanFiles, INITRAMFS_IN_CONTAINER, type InitramfsChoice } from './ownInitramfs';
import { EngineError } from '../errors';
import { KERNEL_RELEASE, type KernelInImage } from '../vm/kernel';
import { appliedImageKargs, type ImageKargsFile } from '../vm/imageKargs';
import type { CredentialData } from '../vm/credentials';
import type { CloudInitFile } from '../vm/cloudInit';
import { guestCredentialFiles } from './credentialFiles';
import { buildVirtiofsdArgs, VirtiofsShare } from './virtiofsd';
import { buildPodmanRunArgs } from './podmanRun';
import { sshRouteFor } from './network';
import { labelledOptions, recordedOptions } from './recordedOptions';
import { guestPayloadFor } from './guestPayload';
import { GuestUnit, virtiofsTag } from './guestUnits';
import { cappedOutputs, logCapPlanFiles } from './logCaps';
import { procFile, type PlanFile } from './procFile';
import { DEFAULT_LOG_CAP_BYTES, type GuestArch } from '../options/types';
import * as l10n from '@vscode/l10n';

export interface SshMaterial {
  clientPublicKey: string;
  hostPrivateKey: string;
  hostPublicKey: string;
}

export interface PlanContext {
  name: string;
  stateDir: string;
  tools: HostTools;
  accel: ResolvedAccel;
  /** the guest's architecture (vm/guestArch.ts); default amd64 */
  arch?: GuestArch;
  /** the image's kernel, as the probe found it (paths inside the image) */
  kernel: KernelInImage;
  /** the engine's own initramfs, or why the image's boots (ownInitramfs.ts); default the image's */
  initramfs?: InitramfsChoice;
  /** the image's kargs.d files, validated (imageKargs.ts; none with --no-image-kargs) */ imageKargs?: ImageKargsFile[];
  /** --credential and --credential-file, read (vm/credentials.ts); --ignition's config, read and checked (vm/ignition.ts) */
  credentials?: CredentialData[];
  ignition?: Buffer;
  /** the container's root image (containerRoot.ts) and the bootc image pinned to its id */
  rootImage: string;
  imageId: string;
  launchId: string;
  ssh?: SshMaterial;
  /** with --network host, the free host port QEMU forwards to guest :22 */
  sshHostPort?: number;
  /** the user's --systemd-units, already read */
  userUnits?: { units: GuestUnit[]; unitFiles: { relPath: string; content: Buffer | string }[] };
  /** --bind-storage-ro resolved to the host's podman storage, and the guest's storage.conf that lists it (vm/containerStorage.ts) */
  hostStorage?: BindMount;
  containerStorageConf?: string;
  /** the image has podman: its SSH goes through the relay (network.ts) */ guestPodman?: boolean;
  /** the image's sshd and ip: SSH that does not wait for the network (earlySsh.ts); else the image's own sshd service */ earlySsh?: import('./earlySsh').EarlySshTools;
  /** --cloud-init's seed, read (vm/cloudInit.ts) */
  cloudInitSeed?: CloudInitFile[];
  supervisorScript: string;
  /** podman runs elsewhere: nothing is shared with it but its API (podmanRun.ts stateMounts); default: the local podman */
  remote?: boolean;
  /** podman runs in the user's namespace (network.ts, privileges.ts); `network` as the launch resolved it (default: the option) */
  rootless?: boolean;
  network?: string;
}

export type { PlanFile } from './procFile';
export { procFile } from './procFile';

export interface LaunchPlan {
  name: string;
  /** labels the container: a failed start removes only what this launch created */
  launchId: string;
  stateDir: string;
  podmanArgs: string[];
  /** whether podmanArgs start the container in the background (startDetached) or the foreground (runForeground) */
  detach: boolean;
  qemuArgs: string[];
  kernelArgs: string[];
  /** files to write into the state dir (plan dir, keys are written separately) */
  files: PlanFile[];
  /** the plan dir's files go into the created container (podman cp) instead of a bound dir */
  remote: boolean;
  /** a dir (0700) to create for the console socket, unless --console puts the console on stdio */
  consoleDir?: string;
  swap?: { hostPath: string; bytes: number };
}

/**
 * QEMU loads at most 2 GiB of initramfs, and the image's is copied into the container's /run tmpfs
 * first: one beyond this is refused before anything starts (no real initramfs comes near it).
 */
export const MAX_INITRAMFS_BYTES = 1024 * 1024 * 1024;
/** room on /run beside the initramfs: sockets, FIFOs, the --execute status, virtiofsd's lock files */
const RUN_TMPFS_SPARE_BYTES = 32 * 1024 * 1024;

export function buildLaunchPlan(options: RunOptions, ctx: PlanContext): LaunchPlan {
  const paths = vmStatePaths(ctx.stateDir);
  const t = ctx.tools;
  if (!KERNEL_RELEASE.test(ctx.kernel.version)) throw new EngineError(l10n.t('invalid kernel release {0}', JSON.stringify(ctx.kernel.version)), { field: 'image', value: options.image });
  const initramfsBytes = ctx.kernel.initramfsBytes;
  if (!Number.isSafeInteger(initramfsBytes) || initramfsBytes < 0 || initramfsBytes > MAX_INITRAMFS_BYTES) {
    throw new EngineError(l10n.t('the image\'s initramfs {0} is {1} bytes: more than the {2} MiB a VM may load', ctx.kernel.initramfs, String(initramfsBytes), MAX_INITRAMFS_BYTES / 1048576), { field: 'image', value: options.image });
  }
  const loaderArgv = (binary: string) => [inContainer(t.loader), '--library-path', t.libraryPath.map(inContainer).join(':'), inContainer(binary)];
  const binds = [...options.binds, ...(ctx.hostStorage ? [ctx.hostStorage] : [])];
  const allOptions: RunOptions = { ...options, binds };

  const shares: VirtiofsShare[] = [
    { tag: ROOT_TAG, source: CONTAINER_PATHS.sourceImage, socket: `${CONTAINER_PATHS.socketDir}/rootfs.sock`, readOnly: true, immutable: true },
    ...binds.map((b) => ({
      tag: virtiofsTag(b.name),
      source: `${CONTAINER_PATHS.hostMounts}/${b.name}`,
      socket: `${CONTAINER_PATHS.socketDir}/mount-${b.name}.sock`,
      readOnly: b.readOnly,
      immutable: false,
    })),
  ];

  // --add-swap: a file in the state dir made here (local), or made by the supervisor in a volume (remote)
  const remoteSwap = ctx.remote && options.swapBytes ? `${CONTAINER_PATHS.swapVolume}/swap.img` : undefined;
  if (remoteSwap && (!t.truncate || !t.mkswap)) {
    throw new EngineError(l10n.t('--add-swap over a remote connection needs truncate and mkswap (coreutils, util-linux) under /usr on the podman host'), { field: 'add-swap' });
  }
  const machine = machineFor(ctx.arch ?? 'amd64', ctx.accel);
  const qemu = qemuFor(t, machine.arch);
  const kernelArgs = buildKernelArgs(options, appliedImageKargs(ctx.imageKargs ?? [], options.image), machine.consoleTty);
  const credentialFiles = guestCredentialFiles(ctx.ssh?.clientPublicKey, ctx.credentials ?? [], ctx.ignition, machine.smbios);
  const outputs = cappedOutputs(allOptions);
  const sshForward = options.sshKeygen
    ? ctx.sshHostPort
      ? { address: '127.0.0.1', port: ctx.sshHostPort }
      : { address: '0.0.0.0', port: GUEST_SSH_PORT_IN_CONTAINER }
    : undefined;
  const qemuArgs = buildQemuArgs({
    options: allOptions,
    machine,
    command: loaderArgv(qemu),
    dataDirs: t.qemuDataDirs.map(inContainer),
    kernel: `${CONTAINER_PATHS.sourceImage}${ctx.kernel.vmlinuz}`,
    initramfs: INITRAMFS_IN_CONTAINER,
    kernelArgs,
    shares,
    sshForward, sshNic: !!sshForward && !!ctx.ssh && !!ctx.earlySsh,
    smbiosCredentialFiles: credentialFiles.filter((f) => !f.fwCfg).map((f) => `${CONTAINER_PATHS.planDir}/${f.name}`),
    fwCfgFiles: credentialFiles.filter((f) => f.fwCfg).map((f) => ({ name: f.fwCfg!, file: `${CONTAINER_PATHS.planDir}/${f.name}` })),
    vmName: ctx.name,
    consoleAccess: !ctx.remote ? 'unix' : options.network === 'host' ? 'none' : 'tcp',
    swapFile: remoteSwap,
    panicExit: t.qemuPanicExit,
    outputs,
  });

  const payload = guestPayloadFor(options, ctx, binds);

  const initramfs = initramfsPlanFiles(paths.plan, loaderArgv(t.cat), ctx.initramfs ?? { image: 'the launch offered no other' }, { path: ctx.kernel.initramfs, bytes: initramfsBytes }, payload);
  const files: PlanFile[] = [
    { path: paths.options, content: JSON.stringify(recordedOptions(options)) + '\n', mode: 0o600 },
    { path: `${paths.plan}/supervisor.sh`, content: ctx.supervisorScript, mode: 0o644 },
    ...initramfs.files,
    {
      path: `${paths.plan}/supervisor.conf`,
      content: [
        `sleep ${loaderArgv(t.sleep).join(' ')}`,
        // log-cap.sh's tools
        // unbuffered (libstdbuf, with _STDBUF_O=0 in the writers' env): the journal reaches the host line by line
        `head ${(t.stdbufLib ? [inContainer(t.loader), '--library-path', t.libraryPath.map(inContainer).join(':'), '--preload', inContainer(t.stdbufLib), inContainer(t.head)] : loaderArgv(t.head)).join(' ')}`,
        `rm ${loaderArgv(t.rm).join(' ')}`,
        `cat ${loaderArgv(t.cat).join(' ')}`,
        ...(options.debug ? ['debug 1'] : []),
      ].join('\n') + '\n',
      mode: 0o644,
    },
    ...logCapPlanFiles(paths.plan, outputs, { mkfifo: loaderArgv(t.mkfifo), shell: loaderArgv(t.shell) }),
  ];
  if (remoteSwap) {
    files.push({ path: `${paths.plan}/001-swap-file.proc`, content: procFile({ once: true, argv: [...loaderArgv(t.truncate!), '-s', String(options.swapBytes), remoteSwap] }), mode: 0o644 });
    files.push({ path: `${paths.plan}/002-mkswap.proc`, content: procFile({ once: true, argv: [...loaderArgv(t.mkswap!), '-q', remoteSwap] }), mode: 0o644 });
  }
  shares.forEach((s, i) => {
    const { argv, env } = buildVirtiofsdArgs({ flavor: t.virtiofsdFlavor, command: loaderArgv(t.virtiofsd) }, s);
    const log = virtiofsdLogInContainer(i === 0 ? undefined : binds[i - 1].name);
    const what = i === 0 ? 'virtiofsd for the root file system' : `virtiofsd for /run/virtiofs-mnt-${binds[i - 1].name}`;
    files.push({ path: `${paths.plan}/${String(10 + i).padStart(3, '0')}-virtiofsd-${s.tag}.proc`, content: procFile({ what, log, socket: s.socket, env, argv }), mode: 0o644 });
  });
  const qemuEnv = t.qemuModuleDir ? [`QEMU_MODULE_DIR=${inContainer(t.qemuModuleDir)}`] : [];
  files.push({
    path: `${paths.plan}/900-qemu.proc`,
    content: procFile({ main: true, status: options.execute.length ? CONTAINER_PATHS.executeStatus : undefined, env: qemuEnv, argv: qemuArgs }),
    mode: 0o644,
  });
  for (const f of credentialFiles) files.push({ path: `${paths.plan}/${f.name}`, content: f.content, mode: f.mode });

  const network = ctx.network ?? options.network;
  const sshRoute = sshRouteFor(network, { remote: !!ctx.remote, rootless: !!ctx.rootless, guestPodman: ctx.guestPodman });
  const podmanArgs = buildPodmanRunArgs({
    options: allOptions,
    network,
    rootless: !!ctx.rootless,
    name: ctx.name,
    rootImage: ctx.rootImage,
    imageId: ctx.imageId,
    launchId: ctx.launchId,
    accel: ctx.accel,
    arch: machine.arch,
    stateMounts: ctx.remote
      ? { kind: 'volume' }
      : { kind: 'bind', planDir: paths.plan, logsDir: paths.logs, consoleDir: options.console ? undefined : paths.consoleDir },
    swapFile: options.swapBytes && !ctx.remote ? paths.swap : undefined,
    entrypoint: inContainer(t.loader),
    command: ['--library-path', t.libraryPath.map(inContainer).join(':'), inContainer(t.shell), `${CONTAINER_PATHS.planDir}/supervisor.sh`, CONTAINER_PATHS.planDir],
    detach: options.detach,
    publishSsh: options.sshKeygen && !ctx.sshHostPort && sshRoute === 'published',
    sshHostPort: ctx.sshHostPort,
    recordedOptions: labelledOptions(options),
    imageKargs: ctx.imageKargs?.length ? ctx.imageKargs : undefined,
    runTmpfsBytes: initramfs.bytes + RUN_TMPFS_SPARE_BYTES,
    logCapBytes: options.logCapBytes ?? DEFAULT_LOG_CAP_BYTES,
  });

  return {
    name: ctx.name,
    launchId: ctx.launchId,
    stateDir: ctx.stateDir,
    podmanArgs,
    detach: options.detach,
    qemuArgs,
    kernelArgs,
    files,
    remote: !!ctx.remote,
    consoleDir: options.console || ctx.remote ? undefined : paths.consoleDir,
    swap: options.swapBytes && !ctx.remote ? { hostPath: paths.swap, bytes: options.swapBytes } : undefined,
  };
}
