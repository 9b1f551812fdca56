import type { Services } from '../../services';
import type { ConfigTreeItem } from '../../tree/configTreeProvider';
import { RunFormPanel } from '../../webview/runFormPanel';

export const id = 'bootcEphemeral.editConfiguration';

/** The run form for a saved configuration (or by name), or for a new one. */
export async function run(s: Services, arg?: ConfigTreeItem | string): Promise<RunFormPanel> {
  const config = typeof arg === 'string' ? s.configs.find(arg) : arg?.config;
  return RunFormPanel.show(s, config);
}
