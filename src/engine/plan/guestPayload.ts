import { buildCpio, CpioEntry } from './cpio';
import { GuestUnit, GUEST_RUN_DIR, PAYLOAD_DIR, UNNEEDED_GENERATORS, initrdSetupUnit } from './guestUnits';
import { GUEST_INIT, guestInitScript } from './guestInit';
import { ROOT_TAG } from './kernelArgs';

export interface GuestPayloadInput {
  /** units for the real root (ours and the user's --systemd-units) */
  units: GuestUnit[];
  /** extra files the user's unit directory brings (drop-in dirs), relative to /run/systemd/system */
  unitFiles?: { relPath: string; content: Buffer | string }[];
  /** pinned SSH host key for the guest's sshd (OpenSSH private key format) */
  sshHostKey?: { privateKey: string; publicKey: string };
}

/** tmpfiles.d fields are C-unescaped: unit names like run-virtiofs\x2dmnt\x2da.mount keep their backslash. */
export function tmpfilesPath(p: string): string {
  return p.replace(/\\/g, '\\\\');
}

/** The tmpfiles.d config the initrd applies: what goes where on the real root. */
export function setupTmpfiles(input: GuestPayloadInput): string {
  const lines: string[] = ['# applied in the initrd by bootc-ephemeral-setup.service'];
  const entry = (type: string, path: string, mode = '-', owner = '-', arg = '') =>
    lines.push(`${type} ${tmpfilesPath(path)} ${mode} ${owner} ${owner} - ${tmpfilesPath(arg)}`.trimEnd());
  const dirs = new Set<string>();
  const dir = (path: string) => {
    if (!dirs.has(path)) {
      dirs.add(path);
      entry('d', path, '0755', 'root');
    }
  };
  dir('/run/systemd/system');
  dir('/run/systemd/system-generators');
  for (const g of UNNEEDED_GENERATORS) entry('L', `/run/systemd/system-generators/${g}`, '-', '-', '/dev/null');
  for (const u of input.units) {
    entry('C', `/run/systemd/system/${u.name}`, '-', '-', `/${PAYLOAD_DIR}/units/${u.name}`);
    for (const target of u.wantedBy) {
      dir(`/run/systemd/system/${target}.wants`);
      entry('L+', `/run/systemd/system/${target}.wants/${u.name}`, '-', '-', `../${u.name}`);
    }
  }
  for (const f of input.unitFiles ?? []) {
    if (f.relPath.includes('/')) dir(`/run/systemd/system/${f.relPath.slice(0, f.relPath.lastIndexOf('/'))}`);
    entry('C', `/run/systemd/system/${f.relPath}`, '-', '-', `/${PAYLOAD_DIR}/unit-files/${f.relPath}`);
  }
  if (input.sshHostKey) {
    // a link (L+ replaces a key baked into the image) to a copy in /run, which survives switch-root
    entry('d', GUEST_RUN_DIR, '0700', 'root');
    for (const [file, mode] of [['ssh_host_ed25519_key', '0600'], ['ssh_host_ed25519_key.pub', '0644']] as const) {
      entry('C', `${GUEST_RUN_DIR}/${file}`, '-', '-', `/${PAYLOAD_DIR}/${file}`);
      entry('z', `${GUEST_RUN_DIR}/${file}`, mode, 'root');
      entry('L+', `/sysroot/etc/ssh/${file}`, '-', '-', `${GUEST_RUN_DIR}/${file}`);
    }
  }
  return lines.join('\n') + '\n';
}

/** The cpio appended to the image's initramfs. */
export function buildGuestPayload(input: GuestPayloadInput): Buffer {
  const setup = initrdSetupUnit();
  const entries: CpioEntry[] = [
    { path: `etc/systemd/system/${setup.name}`, type: 'file', data: setup.content },
    ...setup.wantedBy.map((t): CpioEntry => ({ path: `etc/systemd/system/${t}.wants/${setup.name}`, type: 'symlink', data: `../${setup.name}` })),
    { path: GUEST_INIT, type: 'file', mode: 0o755, data: guestInitScript(ROOT_TAG) },
    { path: `${PAYLOAD_DIR}/setup.conf`, type: 'file', data: setupTmpfiles(input) },
    ...input.units.map((u): CpioEntry => ({ path: `${PAYLOAD_DIR}/units/${u.name}`, type: 'file', data: u.content })),
    ...(input.unitFiles ?? []).map((f): CpioEntry => ({ path: `${PAYLOAD_DIR}/unit-files/${f.relPath}`, type: 'file', data: f.content })),
  ];
  if (input.sshHostKey) {
    entries.push({ path: `${PAYLOAD_DIR}/ssh_host_ed25519_key`, type: 'file', mode: 0o600, data: input.sshHostKey.privateKey });
    entries.push({ path: `${PAYLOAD_DIR}/ssh_host_ed25519_key.pub`, type: 'file', mode: 0o644, data: input.sshHostKey.publicKey });
  }
  return buildCpio(entries);
}
