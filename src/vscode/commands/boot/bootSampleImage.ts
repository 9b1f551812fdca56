import type { Services } from '../../services';
import { bootFlow } from '../../boot/bootFlow';
import { SAMPLE_IMAGE } from '../../../engine/host/doctor';

export const id = 'bootcEphemeral.bootSampleImage';
export async function run(s: Services): Promise<string | undefined> {
  return bootFlow(s, { image: SAMPLE_IMAGE });
}
