import type { CredentialData } from '../vm/credentials';
import { IGNITION_FW_CFG } from '../vm/ignition';

/**
 * systemd credentials (and an Ignition config) for the guest, one plan file each, read by QEMU so that no value appears in an
 * argv: on fw_cfg (`opt/io.systemd.credentials/NAME`, any size we allow; QEMU takes names of at most 55
 * characters), else as an SMBIOS type 11 string (`io.systemd.credential.binary:NAME=<base64>`), which
 * guests read only up to about 4 KiB. The SSH key of -K is public (0644); the user's may be secrets (0600).
 */
export interface GuestCredentialFile {
  /** the file's name in the plan dir */
  name: string;
  content: string | Buffer;
  mode: number;
  /** served on fw_cfg under this name instead of SMBIOS */
  fwCfg?: string;
}

const FW_CFG_CREDENTIALS = 'opt/io.systemd.credentials';
/** QEMU's fw_cfg file names hold 55 characters */
export const fitsFwCfg = (credentialName: string): boolean => FW_CFG_CREDENTIALS.length + 1 + credentialName.length <= 55;
/** what an SMBIOS string carries to a guest whole (measured: 2000 bytes arrive, 3000 do not) */
export const MAX_SMBIOS_CREDENTIAL_BYTES = 2048;

const smbiosString = (name: string, data: Buffer) => `io.systemd.credential.binary:${name}=${data.toString('base64')}`;

export function guestCredentialFiles(sshClientPublicKey: string | undefined, credentials: readonly CredentialData[], ignition?: Buffer): GuestCredentialFile[] {
  return [
    // an Ignition config may hold password hashes and keys too
    ...(ignition ? [{ name: 'ignition.json', content: ignition, mode: 0o600, fwCfg: IGNITION_FW_CFG }] : []),
    ...(sshClientPublicKey === undefined
      ? []
      : [{ name: 'smbios-ssh-authorized-keys', content: smbiosString('ssh.authorized_keys.root', Buffer.from(sshClientPublicKey.trim() + '\n')), mode: 0o644 }]),
    ...credentials.map((k, i) =>
      fitsFwCfg(k.name)
        ? { name: `fwcfg-credential-${i}`, content: k.data, mode: 0o600, fwCfg: `${FW_CFG_CREDENTIALS}/${k.name}` }
        : { name: `smbios-credential-${i}`, content: smbiosString(k.name, k.data), mode: 0o600 },
    ),
  ];
}
