import type { CredentialData } from '../vm/credentials';
import { IGNITION_FW_CFG } from '../vm/ignition';
import { EngineError } from '../errors';
import * as l10n from '@vscode/l10n';

/**
 * systemd credentials (and an Ignition config) for the guest, one plan file each, read by QEMU so that no value appears in an
 * argv: on fw_cfg (`opt/io.systemd.credentials/NAME`, any size we allow; QEMU takes names of at most 55
 * characters), else as an SMBIOS type 11 string (`io.systemd.credential.binary:NAME=<base64>`), which
 * guests read only up to about 4 KiB. The SSH key of -K is public (0644); the user's may be secrets (0600).
 * A guest without SMBIOS (arm64 `virt` booted without firmware, plan/machine.ts) gets all of them on
 * fw_cfg; a name too long for fw_cfg is refused there (credentials.ts checks names before this).
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

function tooLongForFwCfg(name: string): never {
  throw new EngineError(l10n.t('credential {0}: this guest has no SMBIOS (arm64), so credentials travel on fw_cfg, whose names hold {1} characters; shorten its name', name, String(55 - FW_CFG_CREDENTIALS.length - 1)), { field: 'credential', value: name });
}

const SSH_KEY_CREDENTIAL = 'ssh.authorized_keys.root';

export function guestCredentialFiles(sshClientPublicKey: string | undefined, credentials: readonly CredentialData[], ignition?: Buffer, smbios = true): GuestCredentialFile[] {
  const key = sshClientPublicKey === undefined ? undefined : Buffer.from(sshClientPublicKey.trim() + '\n');
  return [
    // an Ignition config may hold password hashes and keys too
    ...(ignition ? [{ name: 'ignition.json', content: ignition, mode: 0o600, fwCfg: IGNITION_FW_CFG }] : []),
    ...(key === undefined
      ? []
      : smbios
        ? [{ name: 'smbios-ssh-authorized-keys', content: smbiosString(SSH_KEY_CREDENTIAL, key), mode: 0o644 }]
        : [{ name: 'fwcfg-ssh-authorized-keys', content: key, mode: 0o644, fwCfg: `${FW_CFG_CREDENTIALS}/${SSH_KEY_CREDENTIAL}` }]),
    ...credentials.map((k, i) =>
      fitsFwCfg(k.name) || !smbios && tooLongForFwCfg(k.name)
        ? { name: `fwcfg-credential-${i}`, content: k.data, mode: 0o600, fwCfg: `${FW_CFG_CREDENTIALS}/${k.name}` }
        : { name: `smbios-credential-${i}`, content: smbiosString(k.name, k.data), mode: 0o600 },
    ),
  ];
}
