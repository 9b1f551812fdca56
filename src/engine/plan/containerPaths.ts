/** Where things are inside the VM container (the launch plan, the supervisor and the engine's readers agree on these). */
export const CONTAINER_PATHS = {
  planDir: '/run/bootc-ephemeral',
  sourceImage: '/run/source-image',
  socketDir: '/run/bootc-ephemeral-sock',
  journalLog: '/run/journal.log',
  consoleLog: '/run/console.log',
  consoleSocketDir: '/run/bootc-ephemeral-console',
  executeStatus: '/run/bootc-ephemeral-execute.status',
  hostMounts: '/run/host-mounts',
  diskFiles: '/run/disk-files',
  virtioSerialOut: '/run/virtio-serial-out',
} as const;

export const GUEST_SSH_PORT_IN_CONTAINER = 2222;
export const CONSOLE_SOCKET = 'console.sock';
