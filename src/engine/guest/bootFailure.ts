// Pure: a boot that cannot succeed, as the guest's console shows it. An initramfs that cannot mount
// the root drops to a shell and waits there for ever; systemd that cannot start the system enters
// emergency mode. Nothing on the host side would notice: the VM would stay "booting" with no limit.
// Read only before the VM is ready (a ready guest may print anything), and guest text is untrusted:
// what is shown of it is reduced to plain characters and bounded.

/** What the console says when the boot gave up, most telling first. */
const GAVE_UP: { pattern: RegExp; reason: string }[] = [
  // dracut: "Warning: /dev/root does not exist" ... "Dropping to debug shell."
  { pattern: /Dropping to debug shell|dracut: FATAL:|Entering emergency mode\. Exit the shell to continue/, reason: 'the image\'s initramfs gave up and dropped to its emergency shell' },
  // initramfs-tools (Debian, Ubuntu): "ALERT!  ... does not exist.  Dropping to a shell!"
  { pattern: /Dropping to a shell!|\(initramfs\) $/m, reason: 'the image\'s initramfs gave up and dropped to a shell' },
  // our guest init in the engine's own initramfs (plan/ownInitramfs.ts), which has nothing to fall back to
  { pattern: /bootc-ephemeral-init: [^\r\n]*the engine's initramfs gave up/, reason: 'the engine\'s initramfs could not boot the image' },
  // systemd, in the initrd or the real root
  { pattern: /You are in emergency mode|Cannot open access to console, the root account is locked|Failed to start (emergency\.service|Emergency Shell)/, reason: 'the guest\'s systemd entered emergency mode' },
];

/** Lines that say why, where the guest printed one before giving up. */
const WHY = [
  /bootc-ephemeral-init: (.*failed[^\r\n]*)/,
  /(Don't know how to handle 'root=[^\r\n]*)/,
  /(Could not boot[^\r\n]*)/,
  /(Warning: [^\r\n]*does not exist[^\r\n]*)/,
  /ALERT! +([^\r\n]*does not exist[^\r\n]*)/,
  /(Failed to mount [^\r\n]*)/,
  /(Timed out waiting for device [^\r\n]*)/,
];

const plain = (s: string) => s.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/[^A-Za-z0-9 .,:;_()'"/=+\-[\]]/g, '').replace(/\s+/g, ' ').trim().slice(0, 200);

/** Why the boot cannot succeed, from the console's text (its start and its end); undefined while it may. */
export function bootFailureOf(console: string): string | undefined {
  const gaveUp = GAVE_UP.find((g) => g.pattern.test(console));
  if (!gaveUp) return undefined;
  for (const why of WHY) {
    const m = why.exec(console);
    if (m) return `${gaveUp.reason} (${plain(m[1])})`;
  }
  return gaveUp.reason;
}
