import type { RunOptions } from '../options/runOptions';
import { EngineError, InvalidOptionsError } from '../errors';
import type { Podman } from '../podman/podman';
import { podmanCommands } from '../podman/commands';
import { currentUser, missingSubordinateIds, subordinateIds, subordinateIdsFix } from '../host/rootless';
import { imageRunsIgnition, readIgnitionConfig } from './ignition';
import { CLOUD_INIT_BINARY } from './cloudInit';
import * as l10n from '@vscode/l10n';

// The checks a launch makes before anything starts, each one clear error naming its field.

/** Refused over a remote connection, before anything starts, with what to do instead. */
export function checkRemoteOptions(options: RunOptions): void {
  if (options.sshKeygen && options.network === 'host') {
    throw new InvalidOptionsError([{ field: 'network', value: 'host', message: l10n.t('SSH over a remote podman connection needs the VM container\'s own network namespace: leave --network out or use a podman network') }]);
  }
}

/**
 * The image is not in this podman's storage. Rootless, each user has storage of their own: an image
 * built by root (or another user) is not there, so the fix names how to bring it over.
 */
export function missingImage(image: string, podman: Podman, rootless: boolean): EngineError {
  const where = podman.remote ? l10n.t('the storage of the podman at {0}', podman.describe()) : rootless ? l10n.t('this user\'s podman storage (rootless: root\'s and other users\' images are not shared)') : l10n.t('local podman storage');
  const hint = rootless && !podman.remote
    ? l10n.t('build it as this user (podman build), or copy root\'s copy: sudo podman save {0} | podman load', image)
    : l10n.t('build it or pull it there first (the VM never pulls)');
  return new EngineError(l10n.t('image {0} is not in {1}', image, where), { field: 'image', value: image, hint });
}

/** A local rootless user needs subordinate ids, or podman fails later in a way that does not say why. */
export function checkSubordinateIds(): void {
  const user = currentUser();
  const problem = missingSubordinateIds(user.name, subordinateIds(user));
  if (problem) throw new EngineError(problem, { hint: subordinateIdsFix(user.name).join(' && ') });
}

/** --ignition: only for an image that runs Ignition (else it would be ignored without a word), and a config that is one. */
export async function ignitionFor(podman: Podman, options: RunOptions, imageId: string): Promise<Buffer> {
  const labels = (await podman.exec(podmanCommands.imageLabels([imageId]))).get(imageId);
  if (!imageRunsIgnition(labels)) {
    throw new EngineError(l10n.t('image {0} does not run Ignition (it has neither the coreos.ignition nor the com.coreos.osname label): --ignition would be ignored; use --credential or --systemd-units', options.image), { field: 'ignition', value: options.ignitionFile });
  }
  return readIgnitionConfig(options.ignitionFile!);
}

/** podman's own network modes; any other --network must name an existing podman network. */
const NETWORK_MODES = /^(none|host|bridge|private|slirp4netns(:[^\s]*)?|pasta(:[^\s]*)?)$/;

export async function checkNetwork(podman: Podman, network: string | undefined): Promise<void> {
  if (!network || NETWORK_MODES.test(network)) return;
  if (await podman.exec(podmanCommands.networkExists(network))) return;
  throw new InvalidOptionsError([{ field: 'network', value: network, message: l10n.t('no such podman network (see podman network ls); or one of none, host, bridge, private, slirp4netns, pasta') }]);
}

export function noCloudInit(options: RunOptions): EngineError {
  return new EngineError(l10n.t('image {0} has no cloud-init ({1}): --cloud-init would be ignored; use --credential, --systemd-units or --ignition', options.image, CLOUD_INIT_BINARY), { field: 'cloud-init', value: options.cloudInitDir });
}
