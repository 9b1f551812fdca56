import { nodeNet } from '../lazyDeps';

/**
 * Whether an sshd answers on 127.0.0.1:port: its identification line ("SSH-2.0-...") arrives within
 * `timeoutMs` (generous: under TCG a loaded guest takes seconds to start sshd's child). A TCP connect alone proves nothing here: QEMU's user network (or the kernel's listen
 * backlog, when QEMU hangs) accepts it whatever the guest does. Nothing is sent; the guest's sshd logs
 * the closed connection.
 */
export function sshAnswers(port: number, timeoutMs = 5_000): Promise<boolean> {
  // the port comes from a container label: anything but a port number is no answer (net.connect would throw)
  if (!Number.isInteger(port) || port < 1 || port > 65535) return Promise.resolve(false);
  return new Promise((resolve) => {
    let got = '';
    const socket = nodeNet().connect({ host: '127.0.0.1', port });
    const done = (answered: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(answered);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.on('data', (d: Buffer) => {
      got += d.toString('latin1');
      if (got.startsWith('SSH-')) done(true);
      else if (got.length >= 4) done(false);
    });
    socket.on('error', () => done(false));
    socket.on('close', () => done(false));
  });
}
