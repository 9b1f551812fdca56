/**
 * POSIX shell quoting of one word: for command lines shown to people (logs, copy, --debug), and the
 * guest's setup script (plan/guestSetup.ts), whose words are our paths and names checked when read.
 */
export function shellQuote(word: string): string {
  if (word !== '' && /^[A-Za-z0-9_./:=@%+,-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** An argv as one shell line. */
export function shellLine(argv: readonly string[]): string {
  return argv.map(shellQuote).join(' ');
}
