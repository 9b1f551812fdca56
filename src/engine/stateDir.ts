import * as path from 'node:path';
import * as os from 'node:os';

/**
 * Each VM has a state dir (0700) on the host, named after the VM and recorded in a container label.
 * It holds what outlives a VS Code reload: the SSH keys, the logs, the plan the supervisor ran.
 */
export function stateRoot(): string {
  if (process.env.BOOTC_EPHEMERAL_STATE_DIR) return process.env.BOOTC_EPHEMERAL_STATE_DIR;
  if (process.getuid?.() === 0) return '/var/lib/bootc-ephemeral/vms';
  const xdg = process.env.XDG_STATE_HOME || path.join(os.homedir(), '.local', 'state');
  return path.join(xdg, 'bootc-ephemeral', 'vms');
}

export function vmStatePaths(stateDir: string) {
  const logs = path.join(stateDir, 'logs');
  const ssh = path.join(stateDir, 'ssh');
  return {
    root: stateDir,
    plan: path.join(stateDir, 'plan'),
    logs,
    journalLog: path.join(logs, 'journal.log'),
    consoleLog: path.join(logs, 'console.log'),
    /** QEMU's serial console listens here (the dir is bound into the VM container) */
    consoleDir: path.join(stateDir, 'console'),
    consoleSocket: path.join(stateDir, 'console', 'console.sock'),
    virtiofsdLog: (mountName?: string) => path.join(logs, mountName ? `virtiofsd-${mountName}.log` : 'virtiofsd.log'),
    ssh,
    clientKey: path.join(ssh, 'id_ed25519'),
    clientPublicKey: path.join(ssh, 'id_ed25519.pub'),
    guestHostKey: path.join(ssh, 'guest_host_ed25519_key.pub'),
    swap: path.join(stateDir, 'swap.img'),
    readyMarker: path.join(stateDir, 'ready'),
  };
}
