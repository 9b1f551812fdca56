import { GUEST_NIC_MAC, SSH_NIC_MAC, SSH_NIC_NET } from './earlySsh';
import type { RunOptions } from '../options/runOptions';
import { CONSOLE_SOCKET, CONSOLE_TCP_PORT_IN_CONTAINER, CONTAINER_PATHS } from './containerPaths';
import { EXECUTE_PORT, EXECUTE_STATUS_PORT, JOURNAL_PORT, SWAP_DISK_SERIAL } from './guestUnits';
import type { VirtiofsShare } from './virtiofsd';
import { outputFifo, type CappedOutput } from './logCaps';
import type { Machine } from './machine';

export type ResolvedAccel = 'kvm' | 'tcg';

export interface QemuInput {
  options: RunOptions;
  /** the guest architecture's machine, CPU and accelerator (machine.ts) */
  machine: Machine;
  /** loader argv + QEMU binary, as seen in the container */
  command: string[];
  dataDirs: string[];
  kernel: string;
  initramfs: string;
  kernelArgs: string[];
  shares: VirtiofsShare[];
  /** where QEMU's user-mode network forwards guest :22 (inside the container's network namespace) */
  sshForward?: { address: string; port: number };
  /** SSH has a NIC of its own (early SSH, earlySsh.ts): the forward goes there, not to the image's network */
  sshNic?: boolean;
  /** files holding SMBIOS type 11 strings (systemd credentials), read by QEMU */
  smbiosCredentialFiles: string[];
  /** files QEMU serves on fw_cfg under these names (systemd credentials: opt/io.systemd.credentials/NAME) */
  fwCfgFiles?: { name: string; file: string }[];
  vmName: string;
  /**
   * How the host reaches the interactive console: a unix socket in the state dir (local podman), the
   * container's loopback (remote podman, through a podman exec relay), or not at all (remote with
   * --network host: the podman host's loopback is shared, and the console logs in as root).
   */
  consoleAccess: 'unix' | 'tcp' | 'none';
  /** the --add-swap file in the container (bound from the state dir, or made in a volume) */
  swapFile?: string;
  /** a guest kernel panic makes QEMU exit with a failure (pvpanic), so the VM ends as failed, not hung */
  panicExit: boolean;
  /** what the guest writes goes to these FIFOs, never straight to a file (logCaps.ts) */
  outputs: readonly CappedOutput[];
}

function consoleChardev(q: QemuInput): string {
  const log = `logfile=${outputFifo(q.outputs, 'console')}`;
  if (q.options.console) return `stdio,id=console,signal=off,${log}`;
  switch (q.consoleAccess) {
    case 'unix':
      return `socket,id=console,path=${CONTAINER_PATHS.consoleSocketDir}/${CONSOLE_SOCKET},server=on,wait=off,${log}`;
    case 'tcp':
      return `socket,id=console,host=127.0.0.1,port=${CONSOLE_TCP_PORT_IN_CONTAINER},server=on,wait=off,${log}`;
    case 'none':
      return `null,id=console,${log}`;
  }
}

function serialPort(id: string, path: string, portName: string): string[] {
  return ['-chardev', `file,id=${id},path=${path}`, '-device', `virtserialport,bus=vser0.0,chardev=${id},name=${portName}`];
}

export function buildQemuArgs(q: QemuInput): string[] {
  const o = q.options;
  const mem = `${o.memoryMiB}M`;
  const args: string[] = [
    ...q.command,
    '-name', q.vmName,
    '-nodefaults', '-no-user-config', '-no-reboot',
    // the guest tells QEMU it panicked (pvpanic); QEMU then exits 1 instead of leaving a dead VM running
    ...(q.panicExit ? ['-device', q.machine.panicDevice, '-action', 'panic=exit-failure'] : []),
    ...q.machine.machineArgs,
    '-m', mem,
    '-smp', String(o.vcpus),
    // vhost-user-fs needs guest RAM the virtiofsd processes can map
    '-object', `memory-backend-memfd,id=mem,size=${mem},share=on`,
    '-numa', 'node,memdev=mem',
    ...q.dataDirs.flatMap((d) => ['-L', d]),
    '-kernel', q.kernel,
    '-initrd', q.initramfs,
    '-append', q.kernelArgs.join(' '),
    '-display', 'none', '-vga', 'none',
    // the serial console always goes to a log; with --console also to the container's stdio, else to a
    // socket the host can attach an interactive console to at any time
    '-chardev', consoleChardev(q),
    '-serial', 'chardev:console',
    '-device', 'virtio-serial-pci,id=vser0',
    ...serialPort('journal', outputFifo(q.outputs, 'journal'), JOURNAL_PORT),
  ];
  if (o.execute.length) {
    // /proc/self/fd/1: the container's stdout, so --execute output streams as it happens
    args.push(...serialPort('execute', '/proc/self/fd/1', EXECUTE_PORT));
    args.push(...serialPort('executestatus', outputFifo(q.outputs, 'execute-status'), EXECUTE_STATUS_PORT));
  }
  o.virtioSerialOut.forEach((v, i) => args.push(...serialPort(`vso${i}`, outputFifo(q.outputs, `vso-${v.name}`), v.name)));

  const fwd = q.sshForward ? `,hostfwd=tcp:${q.sshForward.address}:${q.sshForward.port}-:22` : '';
  // the image's network; QEMU's default MAC for a first NIC, made explicit
  args.push('-netdev', `user,id=net0${q.sshNic ? '' : fwd}`, '-device', `virtio-net-pci,netdev=net0,mac=${GUEST_NIC_MAC},romfile=`);
  args.push('-device', 'virtio-rng-pci');

  q.shares.forEach((s, i) => {
    args.push('-chardev', `socket,id=vfs${i},path=${s.socket}`);
    args.push('-device', `vhost-user-fs-pci,chardev=vfs${i},tag=${s.tag},queue-size=1024`);
  });

  const disks: { id: string; file: string; format: string; serial: string }[] = [];
  if (o.swapBytes) disks.push({ id: 'swap', file: q.swapFile ?? `${CONTAINER_PATHS.diskFiles}/${SWAP_DISK_SERIAL}`, format: 'raw', serial: SWAP_DISK_SERIAL });
  for (const d of o.diskFiles) disks.push({ id: `disk-${d.name}`, file: `${CONTAINER_PATHS.diskFiles}/${d.name}`, format: d.format, serial: d.name });
  for (const d of disks) {
    args.push('-drive', `file=${d.file},format=${d.format},if=none,id=${d.id}`);
    args.push('-device', `virtio-blk-pci,drive=${d.id},serial=${d.serial}`);
  }
  if (q.sshNic) {
    // SSH's own link, last (the other devices keep their PCI slots): restricted, so the guest reaches
    // nothing through it, only the forward comes in; no IPv6 (its router advertisements would give the
    // guest a second default route, into a link that goes nowhere)
    args.push('-netdev', `user,id=ssh0,restrict=on,ipv6=off,net=${SSH_NIC_NET}${fwd}`, '-device', `virtio-net-pci,netdev=ssh0,mac=${SSH_NIC_MAC},romfile=`);
  }
  for (const f of q.smbiosCredentialFiles) args.push('-smbios', `type=11,path=${f}`);
  for (const f of q.fwCfgFiles ?? []) args.push('-fw_cfg', `name=${f.name},file=${f.file}`);
  return args;
}
