/** Where things are inside the VM container (the launch plan, the supervisor and the engine's readers agree on these). */
export const CONTAINER_PATHS = {
  planDir: '/run/bootc-ephemeral',
  sourceImage: '/run/source-image',
  socketDir: '/run/bootc-ephemeral-sock',
  /** the guest's journal and console logs and virtiofsd's: the state dir's logs/ (local) or a volume (remote) */
  logsDir: '/run/bootc-ephemeral-logs',
  journalLog: '/run/bootc-ephemeral-logs/journal.log',
  consoleLog: '/run/bootc-ephemeral-logs/console.log',
  consoleSocketDir: '/run/bootc-ephemeral-console',
  executeStatus: '/run/bootc-ephemeral-execute.status',
  hostMounts: '/run/host-mounts',
  diskFiles: '/run/disk-files',
  /** remote podman: a volume where the supervisor makes the --add-swap file before QEMU starts */
  swapVolume: '/run/bootc-ephemeral-swap',
  virtioSerialOut: '/run/virtio-serial-out',
} as const;

export const GUEST_SSH_PORT_IN_CONTAINER = 2222;
export const CONSOLE_SOCKET = 'console.sock';
/** Over a remote connection the console listens on the container's own loopback (reached by a podman exec relay). */
export const CONSOLE_TCP_PORT_IN_CONTAINER = 2223;

/** A log of virtiofsd (the root share, or a bind's) inside the container: same file names as in the state dir's logs/. */
export function virtiofsdLogInContainer(mountName?: string): string {
  return `${CONTAINER_PATHS.logsDir}/${mountName ? `virtiofsd-${mountName}.log` : 'virtiofsd.log'}`;
}
