import * as l10n from '@vscode/l10n';

/**
 * How the client reaches the guest's sshd, which QEMU forwards inside the VM container:
 * - `published`: podman publishes the forward on a 127.0.0.1 port (rootful local podman with a network);
 * - `host-port`: with `--network host` QEMU's forward is on the host's loopback itself;
 * - `relay`: `podman exec -i` into the container, to its own loopback (vm/transport.ts): no port on the
 *   host at all. A remote podman shares no loopback with us; a rootless podman could publish only
 *   through its user-mode network (slirp4netns or pasta, which need /dev/net/tun) and a container
 *   without a network cannot publish, so those VMs are all reached the one way that always works.
 *   So is an image with podman in it: a published port reaches QEMU from the host's podman bridge
 *   (10.88.0.1 by default), the very address the guest's own podman gives its bridge when a container
 *   runs there, after which the guest drops our packets as martians. Through the relay, QEMU sees a
 *   loopback client and the guest sees its gateway, 10.0.2.2.
 */
export type SshRoute = 'published' | 'host-port' | 'relay';

export interface NetworkFacts {
  /** podman runs on another machine */
  remote: boolean;
  /** podman runs in the user's namespace */
  rootless: boolean;
  /** this user can open /dev/net/tun (rootless user-mode networks need it); asked only for a local rootless podman */
  tunUsable?: boolean;
  /** the image has podman (the kernel probe saw /usr/bin/podman) */
  guestPodman?: boolean;
}

export function sshRouteFor(network: string | undefined, facts: NetworkFacts): SshRoute {
  if (network === 'host') return 'host-port';
  if (facts.remote || facts.rootless || network === 'none' || facts.guestPodman) return 'relay';
  return 'published';
}

/**
 * The VM container's network: the one asked for, else podman's default, except for a local rootless
 * podman whose user cannot open /dev/net/tun (slirp4netns and pasta would fail at start): then none,
 * with a warning. The VM still boots and SSH still works (relay); the guest reaches nothing outside.
 */
export function resolveNetwork(requested: string | undefined, facts: NetworkFacts): { network?: string; warning?: string } {
  if (requested) return { network: requested };
  if (!facts.remote && facts.rootless && facts.tunUsable === false) {
    return {
      network: 'none',
      warning: l10n.t('/dev/net/tun cannot be opened by this user, so rootless podman has no user-mode network (slirp4netns, pasta): the VM runs with --network none: SSH works, the guest reaches nothing outside it (fix: give users access to /dev/net/tun, as Fedora and Ubuntu do: chmod 0666 /dev/net/tun)'),
    };
  }
  return {};
}

/** A hint for podman's failure to start a rootless network (slirp4netns or pasta without /dev/net/tun). */
export function networkFailureHint(stderr: string): string | undefined {
  if (!/\/dev\/net\/tun/.test(stderr)) return undefined;
  return l10n.t('the rootless network needs /dev/net/tun on the podman host: give users access to it (chmod 0666 /dev/net/tun), or run with --network none (SSH still works; the guest then reaches nothing outside the VM)');
}
