import type { ResolvedAccel } from './qemu';

/**
 * What the VM container may do. Not --privileged: all capabilities dropped, then only these added
 * back, each for a reason. QEMU itself needs none (user-mode network, memfd guest RAM); virtiofsd
 * serves files as the guest's users and confines itself with chroot (its namespace sandbox would
 * need CAP_SYS_ADMIN, mounts and an unmasked /proc). The default seccomp profile stays on.
 */
export const VM_CAPABILITIES: readonly { cap: string; why: string }[] = [
  { cap: 'CHOWN', why: 'virtiofsd: the guest changes owners of files on read-write binds' },
  { cap: 'DAC_OVERRIDE', why: 'virtiofsd: serves every file of the image and the binds, whatever its mode' },
  { cap: 'FOWNER', why: 'virtiofsd: chmod/utimes on files of other owners, as the guest root may' },
  { cap: 'FSETID', why: 'virtiofsd: keeps the set-user/group-ID bits the guest sets' },
  { cap: 'SETUID', why: 'virtiofsd: creates files as the guest user (fsuid)' },
  { cap: 'SETGID', why: 'virtiofsd: creates files with the guest group (fsgid)' },
  { cap: 'MKNOD', why: 'virtiofsd: device nodes the guest makes on a read-write bind' },
  { cap: 'SETFCAP', why: 'virtiofsd: file capabilities the guest sets (security.capability xattrs)' },
  { cap: 'SETPCAP', why: 'virtiofsd: drops its own capabilities (bounding set) once set up' },
  { cap: 'SYS_CHROOT', why: 'virtiofsd --sandbox chroot: each virtiofsd is confined to the folder it serves' },
];

/** Set BOOTC_EPHEMERAL_PRIVILEGED=1 on a host where the reduced set is not enough (doctor reports it). */
export function privilegedFallback(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.BOOTC_EPHEMERAL_PRIVILEGED === '1';
}

/**
 * Rootless, these capabilities exist only in the user's namespace: the container's root is the user,
 * nothing more. /dev/kvm is then opened as the user: podman's `keep-groups` keeps the user's groups
 * (kvm) for the container's processes, which the user namespace would otherwise drop.
 */
export function privilegeArgs(accel: ResolvedAccel, opts: { rootless?: boolean; privileged?: boolean } = {}): string[] {
  if (opts.privileged ?? privilegedFallback()) return ['--privileged'];
  return [
    '--cap-drop=all',
    ...VM_CAPABILITIES.flatMap((c) => ['--cap-add', c.cap]),
    '--security-opt', 'no-new-privileges',
    // the only device: KVM, when used (user-mode networking needs no /dev/net/tun)
    ...(accel === 'kvm' ? ['--device', '/dev/kvm', ...(opts.rootless ? ['--group-add', 'keep-groups'] : [])] : []),
  ];
}
