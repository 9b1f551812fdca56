import type { Services } from '../../services';
import { ForwardTreeItem } from '../../tree/vmTreeProvider';

export const id = 'bootcEphemeral.stopForwarding';
export async function run(s: Services, item?: unknown): Promise<void> {
  if (item instanceof ForwardTreeItem) s.forwards.remove(item.forward);
}
