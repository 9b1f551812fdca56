import * as fs from 'node:fs';
import * as os from 'node:os';
import type * as net from 'node:net';
import type { Duplex } from 'node:stream';
import type { Client, ClientChannel } from 'ssh2';
import { nodeNet, nodeStream, ssh2 } from '../lazyDeps';
import { EngineError } from '../errors';
import { shellLine } from '../shellQuote';
import * as l10n from '@vscode/l10n';

/** Key material for one VM: the client key we log in with, and the guest's pinned host key. */
export interface SshKeys {
  clientPrivate: string;
  clientPublic: string;
  hostPrivate: string;
  hostPublic: string;
}

export function generateSshKeys(vmName: string): SshKeys {
  const client = ed25519KeyPair(`bootc-ephemeral@${vmName}`);
  const host = ed25519KeyPair(`host@${vmName}`);
  return { clientPrivate: client.private, clientPublic: client.public, hostPrivate: host.private, hostPublic: host.public };
}

/**
 * ssh2's keygen (1.17) writes a malformed key when the public key starts with a zero byte (1 key in 256:
 * it drops that byte), which neither ssh2 nor sshd can read: such a pair is made again.
 */
function ed25519KeyPair(comment: string): { private: string; public: string } {
  const { utils } = ssh2();
  for (let attempt = 0; attempt < 8; attempt++) {
    const pair = utils.generateKeyPairSync('ed25519', { comment });
    if (!(utils.parseKey(pair.private) instanceof Error) && !(utils.parseKey(pair.public) instanceof Error)) return pair;
  }
  throw new EngineError(l10n.t('could not make a readable SSH key pair'));
}

export interface SshTarget {
  host: string;
  port: number;
  user: string;
  privateKey: string;
  /** "ssh-ed25519 AAAA..." the guest must present */
  hostPublicKey: string;
  /** a byte stream to sshd instead of host:port (a VM on a remote podman: vm/transport.ts) */
  openStream?: () => Duplex;
}

/** Connects and authenticates, verifying the guest's host key against the pinned one; `signal` gives it up (it fails as abandoned). */
export function connectSsh(target: SshTarget, timeoutMs = 10000, signal?: AbortSignal): Promise<Client> {
  const pinned = ssh2().utils.parseKey(target.hostPublicKey);
  if (pinned instanceof Error) return Promise.reject(new EngineError(l10n.t('the pinned host key is unreadable: {0}', pinned.message)));
  const pinnedBlob = (Array.isArray(pinned) ? pinned[0] : pinned).getPublicSSH();
  // the client key is read before anything is opened: an unreadable one must not leave a relay (and a
  // half-open connection to the guest's sshd) behind, attempt after attempt
  const own = ssh2().utils.parseKey(target.privateKey);
  if (own instanceof Error) return Promise.reject(new EngineError(l10n.t('the VM\'s SSH client key is unreadable: {0}', own.message)));
  return new Promise((resolve, reject) => {
    const client = new (ssh2().Client)();
    let hostKeyMismatch = false;
    // our own socket (ssh2 would make one otherwise): giving an attempt up must close it, and ssh2's own
    // end() and destroy() leave a socket that is still connecting open
    const sock = target.openStream?.() ?? nodeNet().connect({ host: target.host, port: target.port });
    const fail = (err: Error) => {
      signal?.removeEventListener('abort', abandon);
      client.end();
      sock.destroy();
      reject(hostKeyMismatch ? new EngineError(l10n.t('the VM presented an unexpected SSH host key: refusing to connect')) : err);
    };
    const abandon = () => fail(new Error('abandoned'));
    if (signal?.aborted) return abandon();
    signal?.addEventListener('abort', abandon, { once: true });
    try {
      client
        .on('ready', () => {
          signal?.removeEventListener('abort', abandon);
          resolve(client);
        })
        .on('error', fail)
        .connect({
          sock,
          username: target.user,
          privateKey: target.privateKey,
          readyTimeout: timeoutMs,
          keepaliveInterval: 15000,
          algorithms: { serverHostKey: ['ssh-ed25519'] },
          hostVerifier: (key: Buffer) => {
            const ok = key.equals(pinnedBlob);
            if (!ok) hostKeyMismatch = true;
            return ok;
          },
        });
    } catch (e) {
      fail(e as Error); // ssh2 throws for a bad configuration instead of emitting 'error'
    }
  });
}


/**
 * The remote command line for `ssh NAME -- ARGS`: one argument is sent as it is (like OpenSSH:
 * `ssh vm 'ls -l /'`); several are quoted word by word (`ssh vm -- sh -c 'exit 3'` keeps the words).
 */
export function remoteCommand(args: string[]): string {
  return args.length === 1 ? args[0] : shellLine(args);
}

export function exitCodeOf(code: number | null | undefined, signal?: string | null): number {
  if (typeof code === 'number') return code;
  if (signal) {
    const n = (os.constants.signals as Record<string, number>)[signal.startsWith('SIG') ? signal : `SIG${signal}`];
    return 128 + (n ?? 1);
  }
  return 255;
}

export interface ExecIo {
  stdin?: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  pty?: { rows: number; cols: number; term?: string };
  onChannel?: (channel: ClientChannel) => void;
  /** the channel closed without an exit status (the VM or the connection went away) */
  onDrop?: () => void;
}

/** Runs a command (or a login shell when command is undefined); resolves with its exit code. */
export function runRemote(client: Client, command: string | undefined, io: ExecIo): Promise<number> {
  return new Promise((resolve, reject) => {
    const onChannel = (err: Error | undefined, channel: ClientChannel) => {
      if (err) return reject(err);
      io.onChannel?.(channel);
      let code: number | null = null;
      let signal: string | null = null;
      channel.on('exit', (c: number | null, s?: string) => {
        code = c;
        signal = s ?? null;
      });
      channel.on('close', () => {
        // no exit status: the connection dropped under the command (OpenSSH says so and exits 255)
        if (code === null && signal === null) io.onDrop?.();
        resolve(exitCodeOf(code, signal));
      });
      channel.pipe(io.stdout, { end: false });
      channel.stderr.pipe(io.stderr, { end: false });
      if (io.stdin) io.stdin.pipe(channel);
      else channel.end();
    };
    const pty = io.pty ? { rows: io.pty.rows, cols: io.pty.cols, term: io.pty.term ?? 'xterm-256color' } : undefined;
    if (command === undefined) client.shell(pty ?? false, onChannel);
    else client.exec(command, pty ? { pty } : {}, onChannel);
  });
}

/** Runs a command and collects its output (for tests, readiness and the extension). */
export async function execCollect(client: Client, command: string): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const sink = (append: (s: string) => void) =>
    new (nodeStream().Writable)({
      write(chunk: Buffer, _enc, cb) {
        append(chunk.toString('utf8'));
        cb();
      },
    });
  const code = await runRemote(client, command, { stdout: sink((s) => (stdout += s)), stderr: sink((s) => (stderr += s)) });
  return { code, stdout, stderr };
}

export function lastLines(file: string, n: number): string[] {
  try {
    const lines = fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim());
    return lines.slice(-n);
  } catch {
    return [];
  }
}

/** "[::1]:8080" / "8080" / "127.0.0.1:8080" style address parsing for -L/-R. */
export interface ForwardSpec {
  bindAddress: string;
  bindPort: number;
  targetHost: string;
  targetPort: number;
}

export function parseForwardSpec(spec: string): ForwardSpec | undefined {
  const parts = spec.split(':');
  const port = (s: string) => (/^\d+$/.test(s) && Number(s) > 0 && Number(s) < 65536 ? Number(s) : undefined);
  let bind = '127.0.0.1';
  let rest = parts;
  if (parts.length === 4) {
    bind = parts[0] || '127.0.0.1';
    rest = parts.slice(1);
  } else if (parts.length !== 3) return undefined;
  const [bp, host, tp] = rest;
  const bindPort = port(bp);
  const targetPort = port(tp);
  if (bindPort === undefined || targetPort === undefined || !host) return undefined;
  return { bindAddress: bind, bindPort, targetHost: host, targetPort };
}

/** -L: a local listener whose connections are forwarded through the VM to host:port. */
export function forwardLocal(client: Client, spec: ForwardSpec): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = nodeNet().createServer((socket) => {
      client.forwardOut(socket.remoteAddress ?? '127.0.0.1', socket.remotePort ?? 0, spec.targetHost, spec.targetPort, (err, stream) => {
        if (err) return socket.destroy();
        socket.pipe(stream).pipe(socket);
        socket.on('error', () => stream.destroy());
        stream.on('error', () => socket.destroy());
      });
    });
    server.once('error', reject);
    server.listen(spec.bindPort, spec.bindAddress, () => resolve(server));
  });
}

/** -R: the VM listens on bindPort; its connections come back to targetHost:targetPort here. */
export function forwardRemote(client: Client, spec: ForwardSpec): Promise<void> {
  return new Promise((resolve, reject) => {
    client.on('tcp connection', (info, accept, rejectConn) => {
      if (info.destPort !== spec.bindPort) return rejectConn();
      const socket = nodeNet().connect(spec.targetPort, spec.targetHost, () => {
        const stream = accept();
        socket.pipe(stream).pipe(socket);
        stream.on('error', () => socket.destroy());
      });
      socket.on('error', () => rejectConn());
    });
    client.forwardIn(spec.bindAddress, spec.bindPort, (err) => (err ? reject(err) : resolve()));
  });
}
