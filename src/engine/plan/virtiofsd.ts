import type { VirtiofsdFlavor } from '../host/host';

export interface VirtiofsShare {
  tag: string;
  /** directory inside the container */
  source: string;
  socket: string;
  readOnly: boolean;
  /** the image never changes under the guest; host folders do */
  immutable: boolean;
}

export interface VirtiofsdTool {
  flavor: VirtiofsdFlavor;
  /** container path of the binary, prefixed by the loader argv */
  command: string[];
}

export function buildVirtiofsdArgs(tool: VirtiofsdTool, share: VirtiofsShare): { argv: string[]; env: string[] } {
  if (tool.flavor === 'rust') {
    return {
      argv: [
        ...tool.command,
        `--socket-path=${share.socket}`,
        `--shared-dir=${share.source}`,
        `--cache=${share.immutable ? 'always' : 'auto'}`,
        // chroot: needs only CAP_SYS_CHROOT (the container already isolates pids, network, mounts)
        '--sandbox=chroot',
        '--inode-file-handles=never',
        ...(share.readOnly ? ['--readonly'] : []),
      ],
      env: [],
    };
  }
  return {
    argv: [
      ...tool.command,
      `--socket-path=${share.socket}`,
      '-o', `source=${share.source}`,
      '-o', `cache=${share.immutable ? 'always' : 'auto'}`,
      '-o', 'sandbox=chroot',
      '--thread-pool-size=16',
      // the container may lack CAP_SYS_RESOURCE: keep the inherited RLIMIT_NOFILE
      '--rlimit-nofile=0',
    ],
    // QEMU 7.2's C virtiofsd seccomp filter lacks sched_getaffinity, which glibc malloc calls when
    // threads contend for arenas: one arena avoids that call (else SIGSYS mid-boot)
    env: ['MALLOC_ARENA_MAX=1'],
  };
}
