import * as l10n from '@vscode/l10n';

/**
 * How a capped file of guest output lies on disk (resources/log-cap.sh writes it, the readers in
 * guestLogs.ts and vm/transport.ts read it): FILE holds the first `headBytes` (the boot, always kept),
 * then FILE.1, FILE.2, ... hold `segmentBytes` each; once segment N holds data, segment N-`lag` is
 * deleted, and FILE.dropped says how many bytes are gone. At most head + (lag + 1) segments exist.
 */
export interface LogCapLayout {
  headBytes: number;
  segmentBytes: number;
  lag: number;
}

/** The journal and the console: a quarter of the cap for the boot, the rest for the last output. */
export function logCapLayout(capBytes: number): LogCapLayout {
  const quarter = Math.max(4096, Math.floor(capBytes / 4));
  return { headBytes: quarter, segmentBytes: quarter, lag: 2 };
}

/**
 * How much of a journal's head readiness, boot phases and the boot timeline look at: the boot is at
 * its start, and `ps` must not read more per VM however much a guest wrote.
 */
export const BOOT_SCAN_BYTES = 4 * 1024 * 1024;

export const segmentFile = (file: string, n: number): string => `${file}.${n}`;
export const droppedFile = (file: string): string => `${file}.dropped`;

/** A segment's number from its file name beside FILE, or undefined for anything else. */
export function segmentNumber(fileName: string, baseName: string): number | undefined {
  if (!fileName.startsWith(`${baseName}.`)) return undefined;
  const rest = fileName.slice(baseName.length + 1);
  return /^[1-9]\d{0,8}$/.test(rest) ? Number(rest) : undefined;
}

/** The dropped count as log-cap.sh writes it: digits only (the file may be half written: then unknown). */
export function parseDropped(text: string | undefined): number | undefined {
  const t = text?.trim();
  return t && /^\d{1,15}$/.test(t) ? Number(t) : undefined;
}

/** The line a reader prints where output was dropped. */
export function gapNotice(droppedBytes: number | undefined): string {
  const mib = droppedBytes === undefined ? undefined : Math.max(1, Math.round(droppedBytes / 1048576));
  return mib === undefined
    ? `\n-- bootc-ephemeral: ${l10n.t('output was dropped here: the guest wrote more than --max-log-size allows')} --\n`
    : `\n-- bootc-ephemeral: ${l10n.t('{0} MiB dropped here: the guest wrote more than --max-log-size allows', mib)} --\n`;
}
