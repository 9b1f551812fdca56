import { EngineError } from '../errors';
import { GUEST_ARCHES, type GuestArch, type RunOptions } from '../options/types';
import * as l10n from '@vscode/l10n';

/**
 * The guest's architecture: --arch, else the image's own (`podman image inspect` → Architecture, image
 * metadata: untrusted, so only a name we boot is taken). An image without one (an old `podman import`)
 * is taken for the podman host's.
 */
export function guestArchFor(options: Pick<RunOptions, 'arch' | 'image'>, imageArchitecture: string | undefined, hostArch: GuestArch): GuestArch {
  if (options.arch) return options.arch;
  if (!imageArchitecture) return hostArch;
  if ((GUEST_ARCHES as readonly string[]).includes(imageArchitecture)) return imageArchitecture as GuestArch;
  const shown = JSON.stringify(imageArchitecture.slice(0, 40));
  throw new EngineError(l10n.t('image {0} is for the {1} architecture: VMs boot {2} images', options.image, shown, GUEST_ARCHES.join(' and ')), {
    field: 'image',
    value: options.image,
    hint: l10n.t('build the image for one of them (podman build --arch), or give --arch when its metadata is wrong'),
  });
}

/**
 * KVM runs only guests of the host's own architecture; another one is always emulated (TCG). Undefined:
 * the guest is native, decide as usual (KVM when usable).
 */
export function foreignGuestAccel(requested: RunOptions['accel'], arch: GuestArch, hostArch: GuestArch, warn?: (m: string) => void): 'tcg' | undefined {
  if (arch === hostArch) return undefined;
  if (requested === 'kvm') {
    throw new EngineError(l10n.t('--accel kvm: KVM cannot run an {0} guest on this {1} host', arch, hostArch), { field: 'accel', value: 'kvm', hint: l10n.t('use --accel auto or tcg: the {0} guest is emulated (slow)', arch) });
  }
  if (requested !== 'tcg') warn?.(l10n.t('an {0} image on an {1} host: QEMU emulates it (TCG; KVM runs only {1} guests)', arch, hostArch));
  return 'tcg';
}
