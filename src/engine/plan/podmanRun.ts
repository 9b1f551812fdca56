import type { RunOptions } from '../options/runOptions';
import type { GuestArch } from '../options/types';
import { LABELS } from '../podman/labels';
import { CONTAINER_PATHS, GUEST_SSH_PORT_IN_CONTAINER } from './containerPaths';
import { HOST_USR_IN_CONTAINER } from '../host/host';
import { SWAP_DISK_SERIAL } from './guestUnits';
import { privilegeArgs } from './privileges';

export interface PodmanRunInput {
  options: RunOptions;
  name: string;
  /** the container's root filesystem: the engine's own image (containerRoot.ts), never the bootc image */
  rootImage: string;
  /** the bootc image pinned to its id, served read-only at CONTAINER_PATHS.sourceImage */
  imageId: string;
  launchId: string;
  accel: 'kvm' | 'tcg';
  /** the guest's architecture (ps and the VMs view show it) */
  arch?: GuestArch;
  /** podman runs in the user's namespace (privileges.ts: /dev/kvm through the user's groups) */
  rootless: boolean;
  /** the container's network as resolved for this launch (plan/network.ts); undefined: podman's default */
  network?: string;
  /**
   * How the launch plan and the logs reach the container. Local podman: the state dir's plan/ and
   * logs/ (and console/, for the socket) are bound in. Remote podman: nothing is shared, so they are
   * anonymous volumes; the container is only created, the plan copied in, then started (vm/launch.ts).
   */
  stateMounts: { kind: 'bind'; planDir: string; logsDir: string; consoleDir?: string } | { kind: 'volume' };
  swapFile?: string;
  /** entrypoint (loader) and the command after the image, as seen in the container */
  entrypoint: string;
  command: string[];
  /** podman run -d: the caller waits for nothing but the container id */
  detach: boolean;
  /** publish the guest's SSH forward to this host address (bridge networks) */
  publishSsh: boolean;
  /** with --network host, QEMU forwards on the host directly */
  sshHostPort?: number;
  /** the options recorded on the container (no secrets: env values are left out) */
  recordedOptions: unknown;
  /** the image's kargs.d files as applied (inspect and the Boot Timeline show them) */
  imageKargs?: unknown;
  /** the /run tmpfs's size: the image's initramfs is copied there, so it is sized for it, not half the host's memory */
  runTmpfsBytes: number;
  /** the container's own log (--execute and --console output go there) is capped like the guest's files */
  logCapBytes: number;
}

export function buildPodmanRunArgs(p: PodmanRunInput): string[] {
  const o = p.options;
  const remote = p.stateMounts.kind === 'volume';
  const args = [remote ? 'create' : 'run', '--pull=never', '--name', p.name, ...privilegeArgs(p.accel, { rootless: p.rootless }), '--read-only'];
  args.push('--label', `${LABELS.vm}=1`);
  args.push('--label', `${LABELS.image}=${o.image}`);
  args.push('--label', `${LABELS.launch}=${p.launchId}`);
  args.push('--label', `${LABELS.accel}=${p.accel}`);
  if (p.arch) args.push('--label', `${LABELS.arch}=${p.arch}`);
  args.push('--label', `${LABELS.ssh}=${o.sshKeygen ? 1 : 0}`);
  if (p.sshHostPort) args.push('--label', `${LABELS.sshHostPort}=${p.sshHostPort}`);
  args.push('--label', `${LABELS.options}=${JSON.stringify(p.recordedOptions)}`);
  if (p.imageKargs) args.push('--label', `${LABELS.imageKargs}=${JSON.stringify(p.imageKargs)}`);
  for (const [k, v] of Object.entries(o.labels)) args.push('--label', `${k}=${v}`);

  // /run is a tmpfs: sockets, the execute status; the image's own /run is never used
  args.push('--mount', `type=tmpfs,target=/run,tmpfs-mode=0755,tmpfs-size=${Math.ceil(p.runTmpfsBytes / 1048576)}m`);
  args.push('--mount', `type=tmpfs,target=${CONTAINER_PATHS.socketDir},tmpfs-mode=0700`);
  // the image is the guest's root filesystem: only served (read-only, by virtiofsd and to QEMU's
  // -kernel); the container's own root is the engine's image with the host's /usr
  args.push('--mount', `type=image,source=${p.imageId},target=${CONTAINER_PATHS.sourceImage}`);
  args.push('-v', `/usr:${HOST_USR_IN_CONTAINER}:ro`);
  if (p.stateMounts.kind === 'bind') {
    args.push('-v', `${p.stateMounts.planDir}:${CONTAINER_PATHS.planDir}:ro`);
    args.push('-v', `${p.stateMounts.logsDir}:${CONTAINER_PATHS.logsDir}`);
    if (p.stateMounts.consoleDir) args.push('-v', `${p.stateMounts.consoleDir}:${CONTAINER_PATHS.consoleSocketDir}`);
  } else {
    // removed with the container (podman rm --volumes, --rm)
    args.push('--mount', `type=volume,target=${CONTAINER_PATHS.planDir}`);
    args.push('--mount', `type=volume,target=${CONTAINER_PATHS.logsDir}`);
    if (o.swapBytes) args.push('--mount', `type=volume,target=${CONTAINER_PATHS.swapVolume}`);
  }
  for (const b of o.binds) args.push('-v', `${b.hostPath}:${CONTAINER_PATHS.hostMounts}/${b.name}${b.readOnly ? ':ro' : ''}`);
  for (const d of o.diskFiles) args.push('-v', `${d.file}:${CONTAINER_PATHS.diskFiles}/${d.name}`);
  if (p.swapFile) args.push('-v', `${p.swapFile}:${CONTAINER_PATHS.diskFiles}/${SWAP_DISK_SERIAL}`);
  for (const v of o.virtioSerialOut) args.push('-v', `${v.file}:${CONTAINER_PATHS.virtioSerialOut}/${v.name}`);

  if (p.network) args.push('--network', p.network);
  if (p.publishSsh) args.push('-p', `127.0.0.1::${GUEST_SSH_PORT_IN_CONTAINER}/tcp`);
  for (const [k, v] of Object.entries(o.env)) args.push('--env', `${k}=${v}`);
  // podman keeps the container's output (the guest's --execute and --console output) in a log of its own:
  // capped too (k8s-file, podman's default; other log drivers keep their own limits)
  args.push('--log-opt', `max-size=${Math.ceil(p.logCapBytes / 1048576)}m`);
  // SIGTERM reaches the supervisor, which stops QEMU and virtiofsd at once
  args.push('--stop-signal', 'SIGTERM', '--stop-timeout', '10');
  if (o.rm) args.push('--rm');
  if (o.tty) args.push('-t');
  if (o.interactive) args.push('-i');
  if (p.detach && !remote) args.push('-d');

  if (o.debugEntrypoint) {
    const [cmd, ...rest] = o.debugEntrypoint.trim().split(/\s+/);
    args.push('--entrypoint', cmd, p.rootImage, ...rest);
  } else {
    args.push('--entrypoint', p.entrypoint, p.rootImage, ...p.command);
  }
  return args;
}
