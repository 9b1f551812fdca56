// bundled as text by esbuild (see scripts/build.mjs)
import script from '../../../resources/guest-init.sh';
import { GUEST_RUN_DIR, PAYLOAD_DIR } from './guestUnits';
import { UDEV_PORT_WAIT_PREFIX } from './executeUnits';
import { SSH_ADDRESS_UNIT_PREFIX } from './earlySsh';

/** Where the guest init lives in our cpio; the kernel runs it first (rdinit=). */
export const GUEST_INIT = `/${PAYLOAD_DIR}/init`;

/** The guest init writes when it started and handed over (seconds since the kernel started) here. */
export const GUEST_INIT_TIMES = `${GUEST_RUN_DIR}/init-times`;

/** The guest init (resources/guest-init.sh) for a root shared under this virtiofs tag; SSH's own NIC by its MAC, if it has one. */
export function guestInitScript(rootTag: string, sshNicMac = ''): string {
  return script.replaceAll('@ROOT_TAG@', rootTag).replaceAll('@PAYLOAD_DIR@', PAYLOAD_DIR).replaceAll('@TIMES@', GUEST_INIT_TIMES)
    .replaceAll('@SSH_NIC_MAC@', sshNicMac).replaceAll('@SSH_ADDRESS_UNIT@', SSH_ADDRESS_UNIT_PREFIX)
    .replaceAll('@UDEV_PORT_WAIT@', UDEV_PORT_WAIT_PREFIX);
}
