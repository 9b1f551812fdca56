import * as fs from 'node:fs';

// Whether this host can run VMs with KVM, and what rootless podman's networks need from it.

export interface KvmStatus {
  usable: boolean;
  reason: string;
}

/**
 * KVM can run a stock guest kernel only with hardware virtualisation (vmx/svm) behind /dev/kvm.
 * A PVM-backed /dev/kvm (kvm_pvm, nested without VT-x) opens fine but dies in the guest kernel.
 */
export function probeKvm(read: (p: string) => string | undefined = readOrUndefined): KvmStatus {
  if (!fs.existsSync('/dev/kvm')) return { usable: false, reason: '/dev/kvm does not exist' };
  try {
    fs.closeSync(fs.openSync('/dev/kvm', 'r+'));
  } catch (e) {
    return { usable: false, reason: `/dev/kvm cannot be opened: ${(e as Error).message}` };
  }
  return kvmFromHostFacts(read('/proc/modules') ?? '', read('/proc/cpuinfo') ?? '');
}

/** Given an openable /dev/kvm: whether it can run a stock kernel, from the host's /proc/modules and /proc/cpuinfo. */
export function kvmFromHostFacts(modules: string, cpuinfo: string): KvmStatus {
  if (/^kvm_pvm\s/m.test(modules)) return { usable: false, reason: '/dev/kvm is provided by kvm_pvm (nested PVM), which cannot run a stock kernel' };
  if (!/^flags\s*:.*\b(vmx|svm)\b/m.test(cpuinfo)) return { usable: false, reason: 'the CPU has no vmx/svm flag: /dev/kvm cannot run a stock guest kernel here' };
  return { usable: true, reason: '/dev/kvm is usable (hardware virtualisation present)' };
}

/** Whether this user can open /dev/net/tun: rootless podman's user-mode networks (slirp4netns, pasta) need it. */
export function tunUsable(): boolean {
  try {
    fs.closeSync(fs.openSync('/dev/net/tun', 'r+'));
    return true;
  } catch {
    return false;
  }
}

/** A host file's text, or undefined when it cannot be read. */
export function readOrUndefined(p: string): string | undefined {
  try {
    return fs.readFileSync(p, 'utf8');
  } catch {
    return undefined;
  }
}
