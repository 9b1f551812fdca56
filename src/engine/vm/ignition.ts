import * as l10n from '@vscode/l10n';
import { EngineError } from '../errors';
import { readRegularFile } from '../host/readInside';

/** Where Ignition on QEMU (x86_64, aarch64) looks for its config, as bcvk and Fedora CoreOS serve it. */
export const IGNITION_FW_CFG = 'opt/com.coreos/config';
export const MAX_IGNITION_BYTES = 1024 * 1024;

/** Images that run Ignition say so in their labels (Fedora CoreOS and its derivatives), as bcvk checks. */
export function imageRunsIgnition(labels: Record<string, string> | undefined): boolean {
  return !!labels?.['coreos.ignition'] || !!labels?.['com.coreos.osname'];
}

/**
 * The --ignition file, read now (a regular file, never a FIFO that could block) and checked: at most
 * 1 MiB of JSON whose `ignition.version` is a string, so that a wrong file is refused here rather than
 * by Ignition deep in the guest's boot.
 */
export function readIgnitionConfig(file: string): Buffer {
  const bad = (why: string) => new EngineError(l10n.t('--ignition {0}: {1}', file, why), { field: 'ignition', value: file });
  const data = readRegularFile(file, MAX_IGNITION_BYTES, (p) =>
    bad(p.kind === 'notRegular' ? l10n.t('not a regular file') : p.kind === 'tooBig' ? l10n.t('{0} bytes: more than 1 MiB', String(p.size)) : l10n.t('cannot read it ({0})', p.code)));
  let config: unknown;
  try {
    config = JSON.parse(data.toString('utf8'));
  } catch {
    throw bad(l10n.t('not JSON (an Ignition config is JSON; Butane files are turned into one with butane)'));
  }
  const version = (config as { ignition?: { version?: unknown } } | null)?.ignition?.version;
  if (typeof version !== 'string') throw bad(l10n.t('no ignition.version: not an Ignition config'));
  return data;
}
