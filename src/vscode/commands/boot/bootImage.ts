import * as vscode from 'vscode';
import type { Services } from '../../services';
import { bootFlow } from '../../boot/bootFlow';
import { listBootcImages } from '../../../engine/podman/images';

export const id = 'bootcEphemeral.bootImage';

/** A quick pick of local bootc images (label containers.bootc=1 or ostree.bootable), then boot. */
export async function run(s: Services, image?: string): Promise<string | undefined> {
  if (typeof image !== 'string') {
    const images = await listBootcImages(s.podman(), { architectures: true });
    if (!images.length) {
      void vscode.window.showInformationMessage(vscode.l10n.t('No local bootc images (label containers.bootc=1). Build one, or run "npm run sample-image".'));
      return undefined;
    }
    const picked = await vscode.window.showQuickPick(
      images.map((i) => ({ label: i.name, description: [i.arch, i.size].filter(Boolean).join(' · '), detail: i.created })),
      { placeHolder: vscode.l10n.t('Choose a bootc image to boot as an ephemeral VM') },
    );
    image = picked?.label;
  }
  return image ? bootFlow(s, { image }) : undefined;
}
