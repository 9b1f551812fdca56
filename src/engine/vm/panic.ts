import { readLogTail } from '../guest/logs';
import { vmStatePaths } from './stateDir';

/** The kernel's panic line in the end of a console log, reduced to plain characters (the guest wrote it). */
export function panicOf(consoleTail: string): string | undefined {
  const m = /Kernel panic - not syncing: ([^\r\n]*)/.exec(consoleTail);
  return m ? m[1].replace(/[^A-Za-z0-9 .,:;_()/=+-]/g, '').trim().slice(0, 160) : undefined;
}

/** The end of a local VM's console log (its newest segment when the log was capped). */
export function consoleTailOf(stateDir: string, bytes = 64 * 1024): string {
  return readLogTail(vmStatePaths(stateDir).consoleLog, bytes).toString('latin1');
}
