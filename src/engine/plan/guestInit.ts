// bundled as text by esbuild (see scripts/build.mjs)
import script from '../../../resources/guest-init.sh';
import { GUEST_RUN_DIR, PAYLOAD_DIR } from './guestUnits';
import { UDEV_PORT_WAIT_PREFIX } from './executeUnits';
import { SSH_ADDRESS_UNIT_PREFIX } from './earlySsh';

/** Where the guest init lives in our cpio; the kernel runs it first (rdinit=). */
export const GUEST_INIT = `/${PAYLOAD_DIR}/init`;

/** The guest init writes when it started and handed over (seconds since the kernel started) here. */
export const GUEST_INIT_TIMES = `${GUEST_RUN_DIR}/init-times`;

/** The guest init's line when it gives up in the engine's own initramfs (guest/bootFailure.ts reads it). */
export const OWN_INITRAMFS_GAVE_UP = "the engine's initramfs gave up";

/**
 * The guest init (resources/guest-init.sh) for a root shared under this virtiofs tag; SSH's own NIC by
 * its MAC, if it has one; in the engine's own initramfs or the image's.
 */
export function guestInitScript(rootTag: string, sshNicMac = '', ownInitramfs = false): string {
  return script.replaceAll('@OWN_INITRAMFS@', ownInitramfs ? '1' : '').replaceAll('@GAVE_UP@', OWN_INITRAMFS_GAVE_UP).replaceAll('@ROOT_TAG@', rootTag).replaceAll('@PAYLOAD_DIR@', PAYLOAD_DIR).replaceAll('@TIMES@', GUEST_INIT_TIMES)
    .replaceAll('@SSH_NIC_MAC@', sshNicMac).replaceAll('@SSH_ADDRESS_UNIT@', SSH_ADDRESS_UNIT_PREFIX)
    .replaceAll('@UDEV_PORT_WAIT@', UDEV_PORT_WAIT_PREFIX);
}
