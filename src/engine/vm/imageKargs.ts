import * as path from 'node:path';
import { parse as parseToml } from 'smol-toml';
import * as l10n from '@vscode/l10n';
import { EngineError } from '../errors';
import type { Podman } from '../podman/podman';
import type { HostTools } from '../host/host';
import { readImageFiles, shown, shownParseError, type ListedFile } from './imageFiles';
import { isOneKernelArg } from '../options/fields';
import type { ImageEntry } from './kernel';

/**
 * bootc images declare kernel arguments in /usr/lib/bootc/kargs.d/*.toml (`kargs = [...]`, optional
 * `match-architectures = [...]`), which `bootc install` applies. The VM applies them on every boot, in
 * file-name order, after the engine's own and before the user's --karg. The files are the image's:
 * untrusted, read as data only (never through a link), size-limited and validated argument by argument.
 */
export const KARGS_DIR = '/usr/lib/bootc/kargs.d';
const BOOTC_DIR = path.posix.dirname(KARGS_DIR);
const MAX_FILE_BYTES = 64 * 1024;
const MAX_FILES = 64;
/**
 * x86-64 and arm64 kernels keep 2048 bytes of command line (COMMAND_LINE_SIZE) and cut the rest
 * silently; the engine's own arguments and the user's need room too.
 */
export const MAX_IMAGE_KARGS_BYTES = 1024;

/** One kargs.d file as the VM applied it: `applied` is false when its match-architectures leave this architecture out. */
export interface ImageKargsFile {
  file: string;
  kargs: string[];
  applied: boolean;
}

/** A kargs.d file of the listing: its path inside the image and its size. */
export type KargsFileEntry = ListedFile;

/** The directories the kernel probe's listing must include for kargs.d (kernel.ts kernelProbeArgs). */
export const KARGS_LISTED_PATHS = [BOOTC_DIR, KARGS_DIR, `${KARGS_DIR}/*`];

/** podman's GOARCH names as bootc's match-architectures spells them (Rust's std::env::consts::ARCH). */
const RUST_ARCH: Record<string, string> = { amd64: 'x86_64', arm64: 'aarch64', ppc64le: 'powerpc64', s390x: 's390x', riscv64: 'riscv64', '386': 'x86', arm: 'arm' };
const NODE_TO_GOARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };

/** The architecture kargs.d files are matched against: the image's own, else this host's. */
export function kargsArchitecture(imageArchitecture: string | undefined): string {
  const goarch = imageArchitecture || NODE_TO_GOARCH[process.arch] || process.arch;
  return RUST_ARCH[goarch] ?? goarch;
}

function invalid(image: string, message: string): EngineError {
  return new EngineError(l10n.t('image {0}: {1}', image, message), { field: 'image', value: image, hint: l10n.t('fix the file in the image, or boot without the image\'s kernel arguments: --no-image-kargs') });
}


/**
 * The kargs.d files in the probe's listing, in the order bootc applies them (file name, byte order).
 * Only regular files named *.toml directly in kargs.d count; a link where a directory or a file is
 * expected is refused, as are too many or too large files.
 */
export function kargsFilesOf(entries: ImageEntry[], image: string): KargsFileEntry[] {
  const byPath = new Map(entries.map((e) => [e.path, e]));
  for (const d of [BOOTC_DIR, KARGS_DIR]) {
    const e = byPath.get(d);
    if (!e) return [];
    if (e.type !== 'd') throw invalid(image, l10n.t('{0} is not a directory (a link?): kernel arguments are read from the image\'s own folder only', d));
  }
  const files: KargsFileEntry[] = [];
  for (const e of entries) {
    if (path.posix.dirname(e.path) !== KARGS_DIR || !e.path.endsWith('.toml')) continue;
    const name = path.posix.basename(e.path);
    if (/[\u0000-\u001f\u007f]/.test(name)) throw invalid(image, l10n.t('a file in {0} has control characters in its name: refused', KARGS_DIR));
    if (e.type !== 'f') throw invalid(image, l10n.t('{0} is not a regular file (a link?): refused', e.path));
    if (!(e.size >= 0 && e.size <= MAX_FILE_BYTES)) throw invalid(image, l10n.t('{0} is {1} bytes: more than the {2} KiB a kargs.d file may have', e.path, String(e.size), MAX_FILE_BYTES / 1024));
    files.push({ path: e.path, size: e.size });
  }
  if (files.length > MAX_FILES) throw invalid(image, l10n.t('{0} has {1} files: more than {2}', KARGS_DIR, String(files.length), MAX_FILES));
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * One kargs.d file: TOML with `kargs` (a list of strings, required) and `match-architectures` (a list
 * of strings, optional), nothing else (as bootc reads it). Each argument must be one kernel argument.
 */
export function parseKargsFile(file: string, content: Buffer, architecture: string, image: string): ImageKargsFile {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(content);
  } catch {
    throw invalid(image, l10n.t('{0} is not UTF-8 text', file));
  }
  let doc: Record<string, unknown>;
  try {
    doc = parseToml(text) as Record<string, unknown>;
  } catch (e) {
    throw invalid(image, l10n.t('{0} is not valid TOML: {1}', file, shownParseError(e)));
  }
  const strings = (key: string): string[] | undefined => {
    const v = doc[key];
    if (v === undefined) return undefined;
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw invalid(image, l10n.t('{0}: {1} must be a list of strings', file, key));
    return v as string[];
  };
  const unknown = Object.keys(doc).filter((k) => k !== 'kargs' && k !== 'match-architectures');
  if (unknown.length) throw invalid(image, l10n.t('{0}: unknown key {1} (a kargs.d file has kargs and match-architectures)', file, shown(unknown[0])));
  const kargs = strings('kargs');
  if (!kargs) throw invalid(image, l10n.t('{0} has no kargs list', file));
  for (const k of kargs) {
    if (!isOneKernelArg(k)) throw invalid(image, l10n.t('{0}: {1} is not one kernel argument', file, shown(k)));
  }
  const arches = strings('match-architectures');
  return { file, kargs, applied: !arches || arches.includes(architecture) };
}

/** The arguments the image adds, in order; refused when they would crowd the kernel's command line. */
export function appliedImageKargs(files: ImageKargsFile[], image: string): string[] {
  const kargs = files.filter((f) => f.applied).flatMap((f) => f.kargs);
  const bytes = Buffer.byteLength(kargs.join(' '));
  if (bytes > MAX_IMAGE_KARGS_BYTES) throw invalid(image, l10n.t('the kernel arguments of {0} take {1} bytes: more than {2} (the kernel keeps 2048 for the whole command line)', KARGS_DIR, String(bytes), MAX_IMAGE_KARGS_BYTES));
  return kargs;
}

/** Reads and parses the image's kargs.d files (none: no container is run). */
export async function readImageKargs(podman: Podman, rootImage: string, image: string, imageId: string, tools: HostTools, files: KargsFileEntry[], architecture: string): Promise<ImageKargsFile[]> {
  if (!files.length) return [];
  const contents = await readImageFiles(podman, { rootImage, image, imageId, tools }, files, KARGS_DIR);
  return files.map((f, i) => parseKargsFile(f.path, contents[i], architecture, image));
}

/**
 * The image-kargs label read back: labels are anyone's to set, so only a list of well-formed entries
 * (a kargs.d file, single kernel arguments) is taken; anything else reads as none.
 */
export function imageKargsFromLabel(label: string | undefined): ImageKargsFile[] | undefined {
  if (!label) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(label);
  } catch {
    return undefined;
  }
  if (!Array.isArray(v) || v.length > MAX_FILES) return undefined;
  const ok = v.every(
    (f) =>
      f && typeof f === 'object' &&
      typeof f.file === 'string' && path.posix.dirname(f.file) === KARGS_DIR && !/[\u0000-\u001f\u007f]/.test(f.file) &&
      Array.isArray(f.kargs) && f.kargs.every((k: unknown) => typeof k === 'string' && isOneKernelArg(k)) &&
      typeof f.applied === 'boolean',
  );
  return ok ? (v as ImageKargsFile[]).map((f) => ({ file: f.file, kargs: [...f.kargs], applied: f.applied })) : undefined;
}
