import type { Services } from '../services';

export const id = 'bootcEphemeral.refresh';
export async function run(s: Services): Promise<void> {
  await s.tree.refresh();
}
