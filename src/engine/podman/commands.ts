import { EngineError } from '../errors';
import { LABELS } from './labels';
import { cleanStderr, type PodmanPsEntry, type PodmanResult } from './podman';

/**
 * Every podman command the engine, the CLI and the extension use, as data: the argv and how to read
 * the result. `Podman.exec` runs one (locally, or through a connection later); nothing else spells a
 * podman argv, except the launch plan's `podman run` and the kernel probe, which are plans of their own.
 */
export interface PodmanCommand<T> {
  readonly args: readonly string[];
  parse(r: PodmanResult): T;
}

/** A long-running command (logs -f, wait, events, build): run with `Podman.spawn`, read as a stream. */
export interface PodmanStream {
  readonly args: readonly string[];
}

const command = <T>(args: string[], parse: (r: PodmanResult) => T): PodmanCommand<T> => ({ args, parse });

/** exit status 0 or not (exists, network exists) */
const succeeded = (r: PodmanResult) => r.exitCode === 0;

/** stdout, or an EngineError with podman's own message */
const output = (what: string) => (r: PodmanResult) => {
  if (r.exitCode !== 0) throw new EngineError(`${what} failed: ${cleanStderr(r.stderr) || `exit ${r.exitCode}`}`);
  return r.stdout;
};

const json = <T>(what: string, empty: T) => (r: PodmanResult): T => JSON.parse(output(what)(r) || 'null') ?? empty;

/** The fields of `podman images --format json` we use. */
export interface PodmanImage {
  Id: string;
  Names?: string[] | null;
  Labels?: Record<string, string> | null;
  Size?: number;
  CreatedAt?: string;
}

export const podmanCommands = {
  version: () => command(['version', '--format', '{{.Client.Version}}'], (r) => r),
  listContainers: () => command(['ps', '--all', '--format', 'json'], json<PodmanPsEntry[]>('listing containers', [])),
  /** ids of the containers with this label value (a launch's own container) */
  containersLabelled: (key: string, value: string) => command(['ps', '--all', '--quiet', '--filter', `label=${key}=${value}`], (r) => r.stdout.split('\n').filter(Boolean)),
  containerExists: (nameOrId: string) => command(['container', 'exists', '--', nameOrId], succeeded),
  inspectContainer: (id: string, what: string) => command(['inspect', '--type', 'container', '--', id], json<unknown[]>(what, [])),
  stopContainer: (id: string, timeSeconds: number, what: string) => command(['stop', '--time', String(timeSeconds), '--', id], output(what)),
  /** removes by force; `timeSeconds` for the stop before the kill */
  removeContainer: (id: string, timeSeconds?: number) => command(['rm', '--force', ...(timeSeconds === undefined ? [] : ['--time', String(timeSeconds)]), '--', id], (r) => r),
  imageExists: (image: string) => command(['image', 'exists', '--', image], succeeded),
  /** the image's full id, or undefined when it is not in local storage */
  imageId: (image: string) =>
    command(['image', 'inspect', '--format', '{{.Id}}', '--', image], (r) => {
      const id = r.stdout.trim();
      return r.exitCode === 0 && /^[0-9a-f]{64}$/.test(id) ? id : undefined;
    }),
  listImages: () => command(['images', '--format', 'json'], json<PodmanImage[]>('listing images', [])),
  /** a root filesystem from a tar on stdin, tagged, with one label */
  importImage: (tag: string, label: string) => command(['import', '--change', `LABEL ${label}=1`, '-', tag], output(`podman import of ${tag}`)),
  networkExists: (network: string) => command(['network', 'exists', '--', network], succeeded),
  /** where podman keeps its images (the host storage share) */
  storageRoot: () => command(['info', '--format', 'json'], (r) => json<{ store?: { graphRoot?: string } } | null>('podman info', null)(r)?.store?.graphRoot),
};

export const podmanStreams = {
  logs: (id: string, follow: boolean): PodmanStream => ({ args: ['logs', ...(follow ? ['--follow'] : []), '--', id] }),
  /** ends when the container stops */
  wait: (id: string): PodmanStream => ({ args: ['wait', '--', id] }),
  containerEvents: (): PodmanStream => ({ args: ['events', '--format', 'json', '--filter', 'type=container'] }),
  build: (tag: string, containerfile: string, context: string): PodmanStream => ({ args: ['build', '-t', tag, '-f', containerfile, context] }),
};

/** For shell completion scripts (run by the user's shell, so they are shell lines, made from argv here). */
export const completionQueries = {
  vmNames: ['ps', '-a', '--filter', `label=${LABELS.vm}=1`, '--format', '{{.Names}}'],
  imageNames: ['images', '--format', '{{.Repository}}:{{.Tag}}'],
};
