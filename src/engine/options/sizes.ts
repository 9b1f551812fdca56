/**
 * Memory as bcvk parses it: G/M/K suffix (binary units), a plain number is MiB, fractions allowed,
 * the result truncated to whole MiB. Returns undefined when the text is not of that form ("4GB").
 */
export function parseMemoryMiB(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?|\.\d+)([gGmMkK]?)$/.exec(text.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = m[2].toLowerCase();
  const mib = unit === 'g' ? n * 1024 : unit === 'k' ? n / 1024 : n;
  return Math.floor(mib);
}

const SIZE_UNITS: Record<string, number> = {
  '': 1, b: 1,
  k: 1024, kb: 1024, kib: 1024,
  m: 1024 ** 2, mb: 1024 ** 2, mib: 1024 ** 2,
  g: 1024 ** 3, gb: 1024 ** 3, gib: 1024 ** 3,
  t: 1024 ** 4, tb: 1024 ** 4, tib: 1024 ** 4,
};

/** A disk size (swap): K/M/G/T with optional B/iB, binary units; a plain number is bytes. */
export function parseSizeBytes(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*([a-zA-Z]*)$/.exec(text.trim());
  if (!m) return undefined;
  const factor = SIZE_UNITS[m[2].toLowerCase()];
  if (factor === undefined) return undefined;
  return Math.floor(Number(m[1]) * factor);
}

export function formatMiB(mib: number): string {
  return mib % 1024 === 0 ? `${mib / 1024}G` : `${mib}M`;
}
