import * as l10n from '@vscode/l10n';
import { EngineError } from '../errors';
import { readRegularFile } from '../host/readInside';
import type { GuestCredential } from '../options/types';
import { fitsFwCfg, MAX_SMBIOS_CREDENTIAL_BYTES } from '../plan/credentialFiles';

/**
 * systemd credentials reach the guest as SMBIOS type 11 strings (base64), which QEMU puts into the
 * firmware tables: each is bounded, and so are all of them together.
 */
export const MAX_CREDENTIAL_BYTES = 32 * 1024;
export const MAX_CREDENTIALS_TOTAL_BYTES = 128 * 1024;

export interface CredentialData {
  name: string;
  data: Buffer;
}

/** One credential's content: its value, or its file read now (a regular file, never a FIFO that could block). */
function contentOf(k: GuestCredential): Buffer {
  if (k.file === undefined) return Buffer.from(k.value, 'utf8');
  const field = { field: 'credential-file', value: `${k.name}=${k.file}` };
  return readRegularFile(k.file, MAX_CREDENTIAL_BYTES, (p) =>
    p.kind === 'notRegular' ? new EngineError(l10n.t('credential {0}: {1} is not a regular file', k.name, k.file), field)
    : p.kind === 'tooBig' ? new EngineError(l10n.t('credential {0}: {1} is {2} bytes: more than {3} KiB', k.name, k.file, String(p.size), MAX_CREDENTIAL_BYTES / 1024), field)
    : new EngineError(l10n.t('credential {0}: cannot read {1}: {2}', k.name, k.file, p.code), field));
}

/** The credentials' contents, checked for size, before anything starts. */
export function readCredentials(credentials: readonly GuestCredential[]): CredentialData[] {
  const out = credentials.map((k) => ({ name: k.name, data: contentOf(k) }));
  for (const k of out) {
    if (k.data.length > MAX_CREDENTIAL_BYTES) throw new EngineError(l10n.t('credential {0} is {1} bytes: more than {2} KiB', k.name, String(k.data.length), MAX_CREDENTIAL_BYTES / 1024), { field: 'credential', value: k.name });
    if (!fitsFwCfg(k.name) && k.data.length > MAX_SMBIOS_CREDENTIAL_BYTES) {
      throw new EngineError(l10n.t('credential {0} is {1} bytes: a credential whose name is over 28 characters travels as an SMBIOS string, which holds {2} bytes; shorten its name', k.name, String(k.data.length), MAX_SMBIOS_CREDENTIAL_BYTES), { field: 'credential', value: k.name });
    }
  }
  const total = out.reduce((n, k) => n + k.data.length, 0);
  if (total > MAX_CREDENTIALS_TOTAL_BYTES) throw new EngineError(l10n.t('the credentials take {0} bytes: more than {1} KiB in all', String(total), MAX_CREDENTIALS_TOTAL_BYTES / 1024), { field: 'credential' });
  return out;
}
