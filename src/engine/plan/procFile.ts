import { EngineError } from '../errors';
import * as l10n from '@vscode/l10n';

export interface PlanFile {
  path: string;
  content: string | Buffer;
  mode: number;
}

/**
 * A .proc file for the supervisor: one "KEY VALUE" per line. No value may hold a line break or a NUL
 * (it would add lines: argv or env injection), so any such value is refused here, whatever its source.
 */
export function procFile(lines: { what?: string; log?: string; socket?: string; main?: boolean; once?: boolean; drain?: boolean; out?: string; status?: string; env?: string[]; argv: string[] }): string {
  const out: string[] = [];
  if (lines.what) out.push(`what ${lines.what}`);
  if (lines.drain) out.push('drain 1');
  if (lines.log) out.push(`log ${lines.log}`);
  if (lines.out) out.push(`out ${lines.out}`);
  if (lines.once) out.push('once 1');
  if (lines.socket) out.push(`socket ${lines.socket}`);
  if (lines.main) out.push('main 1');
  if (lines.status) out.push(`status ${lines.status}`);
  for (const e of lines.env ?? []) out.push(`env ${e}`);
  for (const a of lines.argv) out.push(`arg ${a}`);
  for (const l of out) {
    if (/[\r\n\0]/.test(l)) throw new EngineError(l10n.t('a launch-plan value contains a line break or NUL, refused: {0}', JSON.stringify(l)));
  }
  return out.join('\n') + '\n';
}
