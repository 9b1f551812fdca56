import * as vscode from 'vscode';
import type { Services } from '../../services';
import { pickVm } from './pickVm';
import { vmStats, type VmStats } from '../../../engine/vm/stats';
import { formatCpu, formatMemory, statsLine } from '../../tree/vmItemProperties';
import type { VmInfo } from '../../../engine/vm/vms';

export const id = 'bootcEphemeral.showStats';

/** how often the open document is sampled again (one `podman stats --no-stream` each time) */
const REFRESH_MS = 2_000;

/** CPU and memory of a running VM's container, in a read-only document kept current while it is shown. */
export async function run(s: Services, arg?: unknown): Promise<vscode.TextDocument | undefined> {
  const vm = await pickVm(s, arg, (v) => v.podmanState === 'running', vscode.l10n.t('Show the CPU and memory of'));
  if (!vm) return undefined;
  const podman = s.podman();
  return s.documents.showLive(`stats/${vm.name}.md`, 'markdown', async () => statsDocument(vm, (await vmStats(podman, [vm])).get(vm.id)), REFRESH_MS);
}

function statsDocument(vm: VmInfo, stats: VmStats | undefined): string {
  const at = new Date().toLocaleTimeString();
  const body = stats
    ? [
        `| ${vscode.l10n.t('CPU')} | ${formatCpu(stats)} |`,
        `| ${vscode.l10n.t('Memory')} | ${formatMemory(stats)} |`,
        `| ${vscode.l10n.t('Processes')} | ${stats.processes ?? '?'} |`,
      ]
    : [`| ${vscode.l10n.t('State')} | ${vscode.l10n.t('not running')} |`];
  return [
    `# ${vscode.l10n.t('{0}: CPU and memory', vm.name)}`,
    '',
    vscode.l10n.t('The VM container (QEMU, virtiofsd, the supervisor) as podman measures it; memory includes the guest RAM the guest has touched. Sampled at {0}, every {1} s while shown.', at, REFRESH_MS / 1000),
    '',
    `| | |`,
    `|---|---|`,
    ...body,
    '',
    `${vscode.l10n.t('In one line')}: ${stats ? statsLine(stats) : vscode.l10n.t('not running')}`,
    '',
  ].join('\n');
}
