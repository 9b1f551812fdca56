import type * as net from 'node:net';
import * as vscode from 'vscode';
import type { Client } from 'ssh2';
import type { Podman } from '../../engine/podman/podman';
import { waitForSsh } from '../../engine/guest/ready';
import { forwardLocal } from '../../engine/guest/ssh';

export interface PortForward {
  vmName: string;
  guestPort: number;
  localPort: number;
  server: net.Server;
  client: Client;
}

/** What is remembered of a forward across window reloads (workspace state). */
interface SavedForward {
  vmName: string;
  guestPort: number;
  localPort: number;
}

const SAVED_KEY = 'bootcEphemeral.forwards';

/**
 * Guest ports forwarded to 127.0.0.1 through ssh2 (forwardOut); they die with their VM. They are
 * remembered in the workspace state, so that after a window reload (which ends the extension host and
 * its sockets) they are set up again on the same local ports while their VMs run.
 */
export class PortForwards implements vscode.Disposable {
  private readonly list: PortForward[] = [];
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private disposed = false;

  constructor(
    private readonly podman: () => Podman,
    private readonly memory?: vscode.Memento,
  ) {}

  forVm(vmName: string): PortForward[] {
    return this.list.filter((f) => f.vmName === vmName);
  }

  async add(vmName: string, guestPort: number, localPort = 0): Promise<PortForward> {
    const existing = this.list.find((f) => f.vmName === vmName && f.guestPort === guestPort);
    if (existing) return existing;
    const { client } = await waitForSsh(this.podman(), vmName, { timeoutMs: 60_000 });
    const server = await forwardLocal(client, { bindAddress: '127.0.0.1', bindPort: localPort, targetHost: '127.0.0.1', targetPort: guestPort }).catch((e) => {
      client.end();
      throw e;
    });
    const f: PortForward = { vmName, guestPort, localPort: (server.address() as net.AddressInfo).port, server, client };
    client.on('close', () => this.remove(f));
    this.list.push(f);
    this.save();
    this.changed.fire();
    return f;
  }

  /** Ends a forward (Stop Forwarding, its VM gone); it is forgotten too. */
  remove(f: PortForward): void {
    const i = this.list.indexOf(f);
    if (i < 0) return;
    this.list.splice(i, 1);
    f.server.close();
    f.client.end();
    this.save();
    this.changed.fire();
  }

  /**
   * After a window reload: the remembered forwards of VMs that still run are set up again, on their
   * local port when it is free (the old window may hold it for a few seconds more: tried again for
   * up to `samePortWaitMs`), else on another; the others are forgotten.
   */
  async restore(runningVmNames: ReadonlySet<string>, samePortWaitMs = 30_000): Promise<{ restored: PortForward[]; failed: { forward: SavedForward; reason: string }[] }> {
    const saved = (this.memory?.get<unknown[]>(SAVED_KEY) ?? []).filter(isSavedForward);
    const restored: PortForward[] = [];
    const failed: { forward: SavedForward; reason: string }[] = [];
    for (const f of saved) {
      if (!runningVmNames.has(f.vmName)) continue;
      try {
        restored.push(await this.addOnPort(f, Date.now() + samePortWaitMs).catch(() => this.add(f.vmName, f.guestPort)));
      } catch (e) {
        failed.push({ forward: f, reason: (e as Error).message });
      }
    }
    this.save();
    return { restored, failed };
  }

  private async addOnPort(f: SavedForward, deadline: number): Promise<PortForward> {
    for (;;) {
      try {
        return await this.add(f.vmName, f.guestPort, f.localPort);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE' || Date.now() > deadline || this.disposed) throw e;
        await new Promise((r) => setTimeout(r, 1_000));
      }
    }
  }

  private save(): void {
    // a window going away closes its forwards: that is not the user forgetting them
    if (this.disposed) return;
    void this.memory?.update(SAVED_KEY, this.list.map(({ vmName, guestPort, localPort }) => ({ vmName, guestPort, localPort })));
  }

  /** Drops the forwards of VMs that no longer run. */
  prune(runningVmNames: Set<string>): void {
    for (const f of [...this.list]) if (!runningVmNames.has(f.vmName)) this.remove(f);
  }

  dispose(): void {
    this.disposed = true;
    for (const f of [...this.list]) this.remove(f);
    this.changed.dispose();
  }
}

/** The workspace state is ours, but read it as data of any shape. */
function isSavedForward(v: unknown): v is SavedForward {
  const f = v as SavedForward;
  const port = (n: unknown) => Number.isInteger(n) && (n as number) >= 1 && (n as number) <= 65535;
  return typeof f?.vmName === 'string' && /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(f.vmName) && port(f.guestPort) && port(f.localPort);
}
