import type { GuestArch } from '../options/types';
import { EngineError } from '../errors';
import { LABELS } from './labels';
import { parseStats, type PodmanStatsEntry } from './stats';
import { cleanStderr, type PodmanPsEntry, type PodmanResult } from './podman';
import * as l10n from '@vscode/l10n';

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
  if (r.exitCode !== 0) throw new EngineError(l10n.t('{0} failed: {1}', what, cleanStderr(r.stderr) || `exit ${r.exitCode}`));
  return r.stdout;
};

const json = <T>(what: string, empty: T) => (r: PodmanResult): T => JSON.parse(output(what)(r) || 'null') ?? empty;

export interface PodmanHostFacts {
  rootless: boolean;
  /** overlay, vfs, btrfs, ... */
  graphDriver: string;
  /** v1 or v2 */
  cgroupVersion: string;
  /** systemd or cgroupfs */
  cgroupManager: string;
}

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
  /** podman's event log lines (JSON) about one container since a time (unix seconds); it may be gone (--rm) */
  containerEventLog: (id: string, sinceUnixSeconds: number) =>
    command(['events', '--stream=false', '--format', 'json', '--filter', 'type=container', '--filter', `container=${id}`, '--since', String(Math.floor(sinceUnixSeconds))], (r) => (r.exitCode === 0 ? r.stdout.split('\n').filter(Boolean) : [])),
  containerExists: (nameOrId: string) => command(['container', 'exists', '--', nameOrId], succeeded),
  inspectContainer: (id: string, what: string) => command(['inspect', '--type', 'container', '--', id], json<unknown[]>(what, [])),
  stopContainer: (id: string, timeSeconds: number, what: string) => command(['stop', '--time', String(timeSeconds), '--', id], output(what)),
  /** a tar on stdin unpacked into a (created) container's directory: the launch plan over a remote connection */
  copyInto: (id: string, dir: string) => command(['cp', '-', `${id}:${dir}`], output('copying the launch plan into the VM container')),
  startContainer: (id: string) => command(['start', '--', id], output('starting the VM container')),
  /** removes by force, with its anonymous volumes; `timeSeconds` for the stop before the kill */
  removeContainer: (id: string, timeSeconds?: number) => command(['rm', '--force', '--volumes', ...(timeSeconds === undefined ? [] : ['--time', String(timeSeconds)]), '--', id], (r) => r),
  /** one sample of the containers' CPU and memory (stats of a container that stopped meanwhile: none) */
  containerStats: (ids: readonly string[]) => command(['stats', '--no-stream', '--format', 'json', '--', ...ids], (r) => parseStats(r.exitCode === 0 ? json<PodmanStatsEntry[]>('reading container stats', [])(r) : [])),
  imageExists: (image: string) => command(['image', 'exists', '--', image], succeeded),
  /** the image's id and architecture (GOARCH: amd64, arm64, ...); undefined when it is not in this storage */
  imageIdentity: (image: string) =>
    command(['image', 'inspect', '--format', '{{.Id}} {{.Architecture}}', '--', image], (r): { id: string; architecture: string } | undefined => {
      const [id = '', architecture = ''] = r.stdout.trim().split(' ');
      return r.exitCode === 0 && /^[0-9a-f]{64}$/.test(id) ? { id, architecture: /^[a-z0-9_]{1,20}$/.test(architecture) ? architecture : '' } : undefined;
    }),
  listImages: () => command(['images', '--format', 'json'], json<PodmanImage[]>('listing images', [])),
  /** each image's architecture by id (podman images has none); only plain names are kept: it is image metadata */
  imageArchitectures: (ids: readonly string[]) =>
    command(['image', 'inspect', '--format', '{{.Id}} {{.Architecture}}', '--', ...ids], (r) => {
      const out = new Map<string, string>();
      for (const m of r.stdout.matchAll(/^([0-9a-f]{64}) ([a-z0-9_]{1,20})$/gm)) out.set(m[1], m[2]);
      return out;
    }),
  /** each image's labels by id (an image gone meanwhile is left out) */
  imageLabels: (ids: readonly string[]) =>
    command(['image', 'inspect', '--format', '{{.Id}} {{json .Labels}}', '--', ...ids], (r) => {
      const out = new Map<string, Record<string, string>>();
      for (const line of r.stdout.split('\n')) {
        const m = /^([0-9a-f]{64}) (.*)$/.exec(line);
        if (!m) continue;
        try {
          const labels = JSON.parse(m[2]) as Record<string, string> | null;
          out.set(m[1], labels && typeof labels === 'object' ? labels : {});
        } catch {
          /* not JSON: that image stays unknown */
        }
      }
      return out;
    }),
  /** a root filesystem from a tar on stdin, tagged, with one label */
  importImage: (tag: string, label: string) => command(['import', '--change', `LABEL ${label}=1`, '-', tag], output(`podman import of ${tag}`)),
  /** whether that podman runs rootless (in a user namespace) */
  rootless: () => command(['info', '--format', '{{.Host.Security.Rootless}}'], (r) => (r.exitCode === 0 ? r.stdout.trim() === 'true' : undefined)),
  /** what doctor reports about that podman: its mode, storage driver and cgroups */
  hostFacts: () =>
    command(['info', '--format', 'json'], (r): PodmanHostFacts | undefined => {
      if (r.exitCode !== 0) return undefined;
      try {
        const i = JSON.parse(r.stdout) as { host?: { security?: { rootless?: boolean }; cgroupVersion?: string; cgroupManager?: string }; store?: { graphDriverName?: string } };
        return { rootless: i.host?.security?.rootless === true, graphDriver: i.store?.graphDriverName ?? '', cgroupVersion: i.host?.cgroupVersion ?? '', cgroupManager: i.host?.cgroupManager ?? '' };
      } catch {
        return undefined;
      }
    }),
  networkExists: (network: string) => command(['network', 'exists', '--', network], succeeded),
  /** where podman keeps its images (the host storage share) */
  /** where podman keeps its images, and with which driver (overlay, vfs, ...) */
  storage: () =>
    command(['info', '--format', 'json'], (r) => {
      const store = json<{ store?: { graphRoot?: string; graphDriverName?: string } } | null>('podman info', null)(r)?.store;
      return store?.graphRoot ? { graphRoot: store.graphRoot, driver: store.graphDriverName ?? '' } : undefined;
    }),
};

export const podmanStreams = {
  logs: (id: string, follow: boolean): PodmanStream => ({ args: ['logs', ...(follow ? ['--follow'] : []), '--', id] }),
  /** a created container started with our stdio (the foreground run over a remote connection) */
  startAttached: (id: string, interactive: boolean): PodmanStream => ({ args: ['start', '--attach', ...(interactive ? ['--interactive'] : []), '--', id] }),
  /** ends when the container stops */
  wait: (id: string): PodmanStream => ({ args: ['wait', '--', id] }),
  containerEvents: (): PodmanStream => ({ args: ['events', '--format', 'json', '--filter', 'type=container'] }),
  /** with an architecture (a configuration's arch:), the image is built for it: RUN steps of another one run through binfmt_misc */
  build: (tag: string, containerfile: string, context: string, arch?: GuestArch): PodmanStream => ({ args: ['build', ...(arch ? ['--arch', arch] : []), '-t', tag, '-f', containerfile, context] }),
};

/**
 * What the client reads from a VM container and how it reaches its sockets over a remote connection
 * (vm/transport.ts). Each runs one of the podman host's own binaries (its /usr is the container's);
 * nothing of the image. Paths and ports are the engine's constants (plan/containerPaths.ts).
 */
export const podmanGuestAccess = {
  /** a file of a running container, as bytes (podman host's cat) */
  catFile: (id: string, file: string): PodmanStream => ({ args: ['exec', '--', id, '/usr/bin/cat', '--', file] }),
  /** at most the first (head) or last (tail) bytes of a file of a running container */
  headOfFile: (id: string, file: string, bytes: number): PodmanStream => ({ args: ['exec', '--', id, '/usr/bin/head', '-c', String(Math.floor(bytes)), '--', file] }),
  tailOfFile: (id: string, file: string, bytes: number): PodmanStream => ({ args: ['exec', '--', id, '/usr/bin/tail', '-c', String(Math.floor(bytes)), '--', file] }),
  /** the names in a folder of a running container, one a line (the logs folder: names the engine chose) */
  listDir: (id: string, dir: string): PodmanStream => ({ args: ['exec', '--', id, '/usr/bin/ls', '-1A', '--', dir] }),
  /** a growing file of a running container, from its first byte, until the container stops */
  followFile: (id: string, file: string): PodmanStream => ({ args: ['exec', '--', id, '/usr/bin/tail', '-c', '+1', '-F', '--', file] }),
  /** a file of a stopped container (its volumes stay until it is removed): a tar on stdout */
  copyOut: (id: string, file: string): PodmanStream => ({ args: ['cp', '--', `${id}:${file}`, '-'] }),
  /**
   * A byte stream to a TCP port on the container's own loopback (the guest's sshd forward, the
   * console): bash's /dev/tcp, the only socket client every podman host's /usr has. One cat copies the
   * guest's bytes to our stdout (its end is our EOF), the other ours to the guest. The program is
   * constant; the port (a number checked here) is its argument.
   */
  relay: (id: string, port: number): PodmanStream => {
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new EngineError(l10n.t('invalid relay port {0}', port));
    return { args: ['exec', '-i', '--', id, '/usr/bin/bash', '-c', 'exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 255; cat <&3 & exec >&3 3>&-; exec cat', 'relay', String(port)] };
  },
};

/** For shell completion scripts (run by the user's shell, so they are shell lines, made from argv here). */
export const completionQueries = {
  vmNames: ['ps', '-a', '--filter', `label=${LABELS.vm}=1`, '--format', '{{.Names}}'],
  imageNames: ['images', '--format', '{{.Repository}}:{{.Tag}}'],
};
