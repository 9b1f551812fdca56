import * as vscode from 'vscode';
import type { Services } from '../services';
import { runDoctor } from '../../engine/host/doctor';

export const id = 'bootcEphemeral.runDoctor';

const MARK = { ok: '[ok]', warn: '[warning]', fail: '[FAILED]' } as const;

/** Runs the engine's host checks and shows them, each with its fix, in a Markdown document. */
export async function run(s: Services): Promise<string> {
  const checks = await runDoctor(s.podman());
  const lines = ['# Ephemeral VMs: prerequisites', ''];
  for (const c of checks) {
    lines.push(`- ${MARK[c.status]} **${c.title}**: ${c.detail}`);
    if (c.status !== 'ok') for (const f of c.fix ?? []) lines.push(`  - fix: \`${f}\``);
  }
  const report = lines.join('\n') + '\n';
  s.logger.info(report);
  await s.documents.show('prerequisites.md', report, 'markdown');
  const failed = checks.filter((c) => c.status === 'fail').length;
  void vscode.commands.executeCommand('setContext', 'bootcEphemeral.doctorFailed', failed > 0);
  return report;
}
