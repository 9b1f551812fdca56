import * as fs from 'node:fs';
import { vmStatePaths } from './stateDir';

/** The kernel's panic line in the end of a console log, reduced to plain characters (the guest wrote it). */
export function panicOf(consoleTail: string): string | undefined {
  const m = /Kernel panic - not syncing: ([^\r\n]*)/.exec(consoleTail);
  return m ? m[1].replace(/[^A-Za-z0-9 .,:;_()/=+-]/g, '').trim().slice(0, 160) : undefined;
}

export function consoleTailOf(stateDir: string, bytes = 64 * 1024): string {
  try {
    const fd = fs.openSync(vmStatePaths(stateDir).consoleLog, 'r');
    try {
      const size = fs.fstatSync(fd).size;
      const buf = Buffer.alloc(Math.min(size, bytes));
      fs.readSync(fd, buf, 0, buf.length, size - buf.length);
      return buf.toString('latin1');
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return '';
  }
}
