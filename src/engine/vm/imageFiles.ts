import * as l10n from '@vscode/l10n';
import { EngineError } from '../errors';
import type { Podman } from '../podman/podman';
import { cleanStderr } from '../podman/podman';
import type { HostTools } from '../host/host';
import { inContainer } from '../host/host';
import { CONTAINER_PATHS } from '../plan/containerPaths';

/** What an image's text may show in an error: one line, no controls, bounded. */
export const shown = (text: string) => JSON.stringify(text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?').slice(0, 120));

/** A TOML parser's complaint about an image's file, as an error may show it. */
export const shownParseError = (e: unknown) => shown(String((e as Error)?.message ?? e).split('\n')[0]);

/** A regular file the kernel probe listed (kernel.ts): its path inside the image and its size then. */
export interface ListedFile {
  path: string;
  size: number;
}

/** The image and the tools that read it: the engine's root image runs the host's `cat`. */
export interface ImageReader {
  rootImage: string;
  image: string;
  imageId: string;
  tools: HostTools;
}

/**
 * A short-lived container (the engine's root image, no network, no capabilities) in which the host's
 * `cat` prints the listed files, one after another. Every path was listed as a regular file in a real
 * directory of the image (no link on the way), so nothing is read from outside it.
 */
export function imageFilesReadArgs(rootImage: string, imageId: string, tools: HostTools, files: ListedFile[]): string[] {
  return [
    'run', '--rm', '--pull=never', '--network=none', '--cap-drop=all', '--read-only',
    '--security-opt', 'no-new-privileges',
    '--mount', `type=image,source=${imageId},target=${CONTAINER_PATHS.sourceImage}`,
    '-v', '/usr:/usr:ro',
    '--entrypoint', inContainer(tools.loader),
    rootImage,
    '--library-path', tools.libraryPath.map(inContainer).join(':'), inContainer(tools.cat),
    '--', ...files.map((f) => `${CONTAINER_PATHS.sourceImage}${f.path}`),
  ];
}

/** Cuts cat's output back into the files by the sizes the listing gave. */
export function splitByListedSizes(stdout: Buffer, files: ListedFile[]): Buffer[] | undefined {
  if (stdout.length !== files.reduce((n, f) => n + f.size, 0)) return undefined;
  let at = 0;
  return files.map((f) => stdout.subarray(at, (at += f.size)));
}

/** The listed files' contents, pinned to the image id; `what` names them in the error. */
export async function readImageFiles(podman: Podman, reader: ImageReader, files: ListedFile[], what: string): Promise<Buffer[]> {
  const r = await podman.read({ args: imageFilesReadArgs(reader.rootImage, reader.imageId, reader.tools, files) });
  const contents = r.exitCode === 0 ? splitByListedSizes(r.stdout, files) : undefined;
  if (!contents) {
    throw new EngineError(l10n.t('reading {0} of image {1} failed: {2}', what, reader.image, cleanStderr(r.stderr) || `exit ${r.exitCode}`), { field: 'image', value: reader.image });
  }
  return contents;
}
