import * as fs from 'node:fs';
import * as path from 'node:path';
import * as l10n from '@vscode/l10n';
import { EngineError } from '../errors';
import { readFileInside, resolveNamedFolder } from '../host/readInside';
import { GUEST_RUN_DIR } from '../plan/guestUnits';

/**
 * --cloud-init DIR: a NoCloud seed for images that run cloud-init. The files travel in the guest
 * payload (0600, root's only, like the SSH host key) to /run/bootc-ephemeral/cloud-init/, and the
 * kernel argument `ds=nocloud;s=file://...` tells cloud-init's ds-identify and NoCloud where the seed
 * is: no disk, no network, nothing left on the host. The files are the user's workspace files: read
 * inside DIR only, regular files, size-limited; their content is cloud-init's to judge.
 */
export const CLOUD_INIT_SEED_DIR = `${GUEST_RUN_DIR}/cloud-init`;
/** the image has cloud-init when the kernel probe sees this; --cloud-init is refused otherwise */
export const CLOUD_INIT_BINARY = '/usr/bin/cloud-init';
const REQUIRED = ['user-data', 'meta-data'];
const OPTIONAL = ['network-config', 'vendor-data'];
/** the seed sits in the guest's initramfs and /run: kept small (real user-data is a few KiB) */
export const MAX_CLOUD_INIT_BYTES = 1024 * 1024;

export interface CloudInitFile {
  name: string;
  content: Buffer;
}

export function cloudInitKernelArg(): string {
  return `ds=nocloud;s=file://${CLOUD_INIT_SEED_DIR}/`;
}

/**
 * cloud-init deletes the image's SSH host keys on a first boot (ssh_deletekeys) and makes new ones:
 * with -K that would replace the host key the client pins. Last in cloud.cfg.d, so it wins over the
 * image's settings; user-data can still say otherwise.
 */
export function cloudInitKeepsHostKeys(): { relPath: string; content: string } {
  return { relPath: 'cloud/cloud.cfg.d/99_bootc-ephemeral.cfg', content: '# bootc-ephemeral -K: keep the pinned SSH host key\nssh_deletekeys: false\n' };
}

/** The seed's files, read now: user-data and meta-data (which may be empty) required, network-config and vendor-data if there. */
export function readCloudInitSeed(dir: string): CloudInitFile[] {
  const bad = (why: string) => new EngineError(l10n.t('--cloud-init {0}: {1}', dir, why), { field: 'cloud-init', value: dir });
  const root = resolveNamedFolder(dir, 'cloud-init');
  const files: CloudInitFile[] = [];
  let total = 0;
  for (const name of [...REQUIRED, ...OPTIONAL]) {
    const file = path.join(root, name);
    if (!fs.existsSync(file)) {
      if (REQUIRED.includes(name)) throw bad(l10n.t('no {0} file (a NoCloud seed has user-data and meta-data; meta-data may be empty)', name));
      continue;
    }
    const content = readFileInside(root, file, { field: 'cloud-init', dir, maxBytes: MAX_CLOUD_INIT_BYTES });
    total += content.length;
    if (total > MAX_CLOUD_INIT_BYTES) throw bad(l10n.t('the seed files add up to more than {0} KiB', MAX_CLOUD_INIT_BYTES / 1024));
    files.push({ name, content });
  }
  return files;
}
