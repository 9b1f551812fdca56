/**
 * Where a boot is, told by the guest's own output: the serial console shows the kernel from its first
 * line, the journal stream (which starts in the initrd) shows the initrd, the switch to the real root
 * and sshd. The CLI's status line and the extension's progress show the same phases.
 */
export type BootPhase = 'starting' | 'kernel' | 'initrd' | 'system' | 'sshd' | 'connecting' | 'ready';

export const BOOT_PHASES: readonly BootPhase[] = ['starting', 'kernel', 'initrd', 'system', 'sshd', 'connecting', 'ready'];

export const BOOT_PHASE_LABELS: Record<BootPhase, string> = {
  starting: 'starting the VM container',
  kernel: 'kernel',
  initrd: 'initrd',
  system: 'system start',
  sshd: 'sshd listening',
  connecting: 'connecting',
  ready: 'ready',
};

/**
 * SSH is possible: sshd says it listens (OpenSSH's own line, forwarded by the journal stream) or, with
 * early SSH (plan/earlySsh.ts: the socket listens from the start), the NIC got its address. That line
 * usually comes before journald runs, so systemd writes it to the kernel log as well, which the serial
 * console shows at once: the journal stream has it only once journald has started (~1 s later under TCG).
 */
export const SSHD_LISTENING = /sshd\[\d+\]: Server listening on|systemd\[1\]: (?:Finished|Started) bootc-ephemeral-ssh-address@/;
const KERNEL = /Linux version \d/;
/** Our guest init's two lines (resources/guest-init.sh), in the kernel log: it starts, it hands over. */
export const GUEST_INIT_STARTS = /bootc-ephemeral-init: mounting the image root/;
export const GUEST_INIT_SWITCHES = /bootc-ephemeral-init: switching to the image root/;
/** our guest init, or the image's initramfs when it runs instead */
export const IN_INITRD = new RegExp(`${GUEST_INIT_STARTS.source}|systemd\\[1\\]: Running in (?:initrd|initial RAM disk)|dracut-|Reached target [^\\n]*[Ii]nitrd`);
export const SWITCHED_ROOT = new RegExp(`${GUEST_INIT_SWITCHES.source}|systemd\\[1\\]: Switching root\\.`);
const SYSTEM_UP = /systemd\[1\]: Reached target (?:multi-user\.target|[^\n]*Multi-User System)/;

/** The guest's "SSH possible" line, in its journal or on its console (a line as untrusted as any: it only starts a login attempt). */
export const sshPossible = (consoleLog: string, journal: string): boolean => SSHD_LISTENING.test(journal) || SSHD_LISTENING.test(consoleLog);

/** The furthest phase the guest's output shows; `starting` until it says anything. */
export function phaseFromGuestOutput(consoleLog: string, journal: string): BootPhase {
  if (sshPossible(consoleLog, journal)) return 'sshd';
  if (SWITCHED_ROOT.test(journal) || SWITCHED_ROOT.test(consoleLog) || SYSTEM_UP.test(journal)) return 'system';
  if (IN_INITRD.test(journal) || IN_INITRD.test(consoleLog)) return 'initrd';
  if (KERNEL.test(consoleLog) || KERNEL.test(journal)) return 'kernel';
  return 'starting';
}

/** Phases only move forward: a later reading never takes one back. */
export function laterPhase(a: BootPhase, b: BootPhase): BootPhase {
  return BOOT_PHASES.indexOf(b) > BOOT_PHASES.indexOf(a) ? b : a;
}
