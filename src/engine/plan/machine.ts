import type { GuestArch } from '../options/types';
import type { ResolvedAccel } from './qemu';

/**
 * What differs between guest architectures: the QEMU binary, the machine and CPU, the serial console's
 * device name, the panic device and whether SMBIOS reaches the guest. Everything else (virtio PCI
 * devices, virtiofs, fw_cfg, the guest payload) is the same on both.
 */
export interface Machine {
  arch: GuestArch;
  /** QEMU's name for the architecture: qemu-system-<qemuArch> */
  qemuArch: 'x86_64' | 'aarch64';
  machineArgs: string[];
  /** the kernel's name for the first serial port, where the console is */
  consoleTty: string;
  /** the guest tells QEMU it panicked */
  panicDevice: string;
  /** that device's driver, which early SSH loads before udev would (earlySsh.ts) */
  panicModule: string;
  /**
   * SMBIOS tables reach the kernel only through firmware: a direct-boot arm64 `virt` guest has none,
   * so every credential travels on fw_cfg there (DT-described, the same qemu_fw_cfg driver).
   */
  smbios: boolean;
}

// TCG's translation cache is host memory a boot fills completely: 64 MiB saves 80 MiB per VM against 128
// and costs ~8 % of boot time (more with several VMs per core; docs/benchmarks.md)
const accelArgs = (accel: ResolvedAccel, tcgCpu: string) => (accel === 'kvm' ? ['-accel', 'kvm', '-cpu', 'host'] : ['-accel', 'tcg,thread=multi,tb-size=64', '-cpu', tcgCpu]);

export function machineFor(arch: GuestArch, accel: ResolvedAccel): Machine {
  const kvm = accel === 'kvm';
  if (arch === 'arm64') {
    return {
      arch,
      qemuArch: 'aarch64',
      machineArgs: [
        '-machine', kvm ? 'virt,gic-version=host' : 'virt,gic-version=max',
        // TCG: `max` with QEMU's cheap pointer-authentication algorithm (QARMA costs boot time for nothing)
        ...accelArgs(accel, 'max,pauth-impdef=on'),
      ],
      consoleTty: 'ttyAMA0',
      panicDevice: 'pvpanic-pci',
      panicModule: 'pvpanic-pci',
      smbios: false,
    };
  }
  return {
    arch,
    qemuArch: 'x86_64',
    machineArgs: ['-machine', 'q35', ...accelArgs(accel, 'max')],
    consoleTty: 'ttyS0',
    panicDevice: 'pvpanic',
    // QEMU's ISA pvpanic is described by ACPI (QEMU0001): the MMIO driver's
    panicModule: 'pvpanic-mmio',
    smbios: true,
  };
}

/** podman's GOARCH name for Node's process.arch (the local host), when it is one we boot */
export function guestArchOfNode(nodeArch: string): GuestArch | undefined {
  return nodeArch === 'x64' ? 'amd64' : nodeArch === 'arm64' ? 'arm64' : undefined;
}
