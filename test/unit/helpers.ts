import type { PathProbe } from '../../src/engine/options/runOptions';
import type { HostTools } from '../../src/engine/host/host';

/** A fake file system for the validator: paths listed as dirs or files exist, nothing else. */
export function fakeProbe(dirs: string[] = [], files: string[] = [], cwd = '/work'): PathProbe {
  return {
    kind: (p) => (dirs.includes(p) ? 'dir' : files.includes(p) ? 'file' : 'missing'),
    cwd: () => cwd,
    cpuCount: () => 2,
  };
}

/** Host tools as discovery finds them on a Debian amd64 host with qemu-system-arm too. */
export const TOOLS: HostTools = {
  loader: '/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2',
  libraryPath: ['/usr/lib/x86_64-linux-gnu', '/usr/lib'],
  shell: '/usr/bin/dash',
  sleep: '/usr/bin/sleep',
  find: '/usr/bin/find',
  cat: '/usr/bin/cat',
  head: '/usr/bin/head',
  rm: '/usr/bin/rm',
  mkfifo: '/usr/bin/mkfifo',
  stdbufLib: '/usr/libexec/coreutils/libstdbuf.so',
  hostArch: 'amd64',
  qemu: { amd64: '/usr/bin/qemu-system-x86_64', arm64: '/usr/bin/qemu-system-aarch64' },
  virtiofsd: '/usr/lib/qemu/virtiofsd',
  virtiofsdFlavor: 'c',
  qemuPanicExit: true,
  qemuDataDirs: ['/usr/share/qemu', '/usr/share/seabios'],
  qemuModuleDir: '/usr/lib/x86_64-linux-gnu/qemu',
};
