import * as path from 'node:path';
import * as l10n from '@vscode/l10n';
import { parse as parseToml, stringify as stringifyToml } from 'smol-toml';
import { EngineError } from '../errors';
import { HOST_STORAGE_MOUNT_NAME } from '../options/types';
import { VIRTIOFS_MOUNT_PREFIX } from '../plan/guestUnits';
import type { ImageEntry } from './kernel';
import type { Podman } from '../podman/podman';
import { readImageFiles, shownParseError, type ImageReader, type ListedFile } from './imageFiles';

/**
 * The host's podman storage, shared read-only with the guest (HOST_STORAGE_MOUNT_NAME), becomes an
 * additional image store of the guest's podman, as bcvk intends, so that `podman run HOST-IMAGE` in the
 * guest runs it without a copy. podman 4 reads one storage.conf (no drop-ins, and STORAGE_OPTS does not
 * add stores), so the guest gets the image's own file, with the store added, in its place in /etc.
 */
export const GUEST_HOST_STORE = `${VIRTIOFS_MOUNT_PREFIX}${HOST_STORAGE_MOUNT_NAME}`;
/** where podman looks, first found wins */
export const STORAGE_CONF_FILES = ['/etc/containers/storage.conf', '/usr/share/containers/storage.conf'];
/** what the kernel probe lists for them (kernel.ts), never following a link */
export const STORAGE_CONF_LISTED_PATHS = ['/etc', '/etc/containers', '/usr/share', '/usr/share/containers', ...STORAGE_CONF_FILES];
const MAX_STORAGE_CONF_BYTES = 256 * 1024;
/** podman's built-in defaults for root, for an image without a storage.conf (Debian's podman ships none) */
const PODMAN_DEFAULTS = { driver: 'overlay', runroot: '/run/containers/storage', graphroot: '/var/lib/containers/storage' };

function invalid(image: string, message: string): EngineError {
  return new EngineError(l10n.t('image {0}: {1}', image, message), { field: 'image', value: image, hint: l10n.t('fix the file in the image, or share the storage with --ro-bind instead') });
}

/** The storage.conf the guest's podman would read, as listed (a regular file in real folders), or none. */
export function storageConfOf(entries: ImageEntry[], image: string): ListedFile | undefined {
  const byPath = new Map(entries.map((e) => [e.path, e]));
  for (const file of STORAGE_CONF_FILES) {
    const parent = byPath.get(path.posix.dirname(file));
    const e = byPath.get(file);
    if (parent && parent.type !== 'd') throw invalid(image, l10n.t('{0} is not a directory (a link?): podman\'s configuration is read from the image\'s own folder only', parent.path));
    if (!e) continue;
    if (e.type !== 'f') throw invalid(image, l10n.t('{0} is not a regular file (a link?): refused', file));
    if (!(e.size >= 0 && e.size <= MAX_STORAGE_CONF_BYTES)) throw invalid(image, l10n.t('{0} is {1} bytes: more than {2} KiB', file, String(e.size), MAX_STORAGE_CONF_BYTES / 1024));
    return { path: file, size: e.size };
  }
  return undefined;
}

const isTable = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/**
 * The guest's /etc/containers/storage.conf: the image's (untrusted: UTF-8 TOML whose tables and store
 * list have the types podman expects) or podman's defaults, with the host's storage as one more store;
 * and the driver podman will use with it (the file's, else podman's default).
 */
export function guestStorageConf(imageConf: { path: string; content: Buffer } | undefined, image: string): { text: string; driver: string } {
  let doc: Record<string, unknown> = { storage: { ...PODMAN_DEFAULTS } };
  if (imageConf) {
    try {
      doc = parseToml(new TextDecoder('utf-8', { fatal: true }).decode(imageConf.content)) as Record<string, unknown>;
    } catch (e) {
      throw invalid(image, l10n.t('{0} is not valid UTF-8 TOML: {1}', imageConf.path, shownParseError(e)));
    }
  }
  const storage = (doc.storage ??= {});
  if (!isTable(storage)) throw invalid(image, l10n.t('{0}: storage is not a table', imageConf!.path));
  const options = (storage.options ??= {});
  if (!isTable(options)) throw invalid(image, l10n.t('{0}: storage.options is not a table', imageConf!.path));
  const stores = (options.additionalimagestores ??= []);
  if (!Array.isArray(stores) || stores.some((s) => typeof s !== 'string')) throw invalid(image, l10n.t('{0}: storage.options.additionalimagestores is not a list of paths', imageConf!.path));
  if (!stores.includes(GUEST_HOST_STORE)) stores.push(GUEST_HOST_STORE);
  const origin = imageConf ? `the image's ${imageConf.path}` : 'podman\'s defaults (the image has no storage.conf)';
  return {
    text: `# bootc-ephemeral, sharing the host's podman storage: ${origin}, with the host's storage (${GUEST_HOST_STORE}) as an additional image store\n${stringifyToml(doc)}\n`,
    driver: typeof storage.driver === 'string' && storage.driver ? storage.driver : PODMAN_DEFAULTS.driver,
  };
}

/**
 * Reads the image's storage.conf (if it has one) and returns the guest's; none, with a warning, when the
 * host's storage uses another driver (rootless podman on vfs, say): a store is read with the guest's own
 * driver, so it would only break the guest's podman. The folder is shared all the same.
 */
export async function readGuestStorageConf(podman: Podman, reader: ImageReader, listed: ListedFile | undefined, hostDriver: string | undefined, warn?: (m: string) => void): Promise<string | undefined> {
  const content = listed ? (await readImageFiles(podman, reader, [listed], listed.path))[0] : undefined;
  const conf = guestStorageConf(listed && content ? { path: listed.path, content } : undefined, reader.image);
  if (hostDriver && hostDriver !== conf.driver) {
    warn?.(l10n.t('the host\'s podman storage uses the {0} driver and the guest\'s podman {1}: it is shared at {2}, but not as an image store of the guest\'s podman', hostDriver, conf.driver, GUEST_HOST_STORE));
    return undefined;
  }
  return conf.text;
}
