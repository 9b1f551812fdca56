import * as net from 'node:net';
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

/** Guest ports forwarded to 127.0.0.1 through ssh2 (forwardOut); they die with their VM. */
export class PortForwards implements vscode.Disposable {
  private readonly list: PortForward[] = [];
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;

  constructor(private readonly podman: () => Podman) {}

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
    this.changed.fire();
    return f;
  }

  remove(f: PortForward): void {
    const i = this.list.indexOf(f);
    if (i < 0) return;
    this.list.splice(i, 1);
    f.server.close();
    f.client.end();
    this.changed.fire();
  }

  /** Drops the forwards of VMs that no longer run. */
  prune(runningVmNames: Set<string>): void {
    for (const f of [...this.list]) if (!runningVmNames.has(f.vmName)) this.remove(f);
  }

  dispose(): void {
    for (const f of [...this.list]) this.remove(f);
    this.changed.dispose();
  }
}
