/** A small argv parser for bcvk-style flags: --long[=v], -s [v], combined -it, repeatable flags, `--`. */
export interface FlagSpec {
  long: string;
  short?: string;
  /** takes a value */
  value?: boolean;
  repeatable?: boolean;
  help: string;
  valueName?: string;
}

export interface ParsedArgs {
  flags: Record<string, string | string[] | boolean>;
  positionals: string[];
  /** what came after `--` */
  rest: string[];
}

/** -h / --help among a command's own flags (never in what belongs to the guest, after NAME or --). */
export class HelpRequested extends Error {
  constructor() {
    super('help requested');
    this.name = 'HelpRequested';
  }
}

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * Flags may come before or after the positionals; the first positional beyond `maxPositionals`
 * starts the rest (so `run-ssh IMAGE echo hi` and `ssh NAME -L 8080:h:80 ls -l` leave the remote
 * command alone); `--` always ends flags.
 */
export function parseArgs(argv: string[], specs: FlagSpec[], maxPositionals = Infinity): ParsedArgs {
  const byLong = new Map(specs.map((s) => [s.long, s]));
  const byShort = new Map(specs.filter((s) => s.short).map((s) => [s.short!, s]));
  const flags: ParsedArgs['flags'] = {};
  const positionals: string[] = [];
  const set = (spec: FlagSpec, value: string | boolean) => {
    if (spec.repeatable) ((flags[spec.long] ??= []) as string[]).push(String(value));
    else flags[spec.long] = value;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') return { flags, positionals, rest: argv.slice(i + 1) };
    const isFlag = a.startsWith('-') && a.length > 1;
    // past the last positional (NAME, IMAGE), every word belongs to the command run in the guest
    if (positionals.length >= maxPositionals && !isFlag) return { flags, positionals, rest: argv.slice(i) };
    if (a === '--help' && !byLong.has('help')) throw new HelpRequested();
    if (a.startsWith('--') && a.length > 2) {
      const eq = a.indexOf('=');
      const name = eq < 0 ? a.slice(2) : a.slice(2, eq);
      const spec = byLong.get(name);
      if (!spec) throw new UsageError(`unknown option --${name}`);
      if (spec.value) {
        const v = eq >= 0 ? a.slice(eq + 1) : argv[++i];
        if (v === undefined) throw new UsageError(`--${name} needs a value (${spec.valueName ?? 'VALUE'})`);
        set(spec, v);
      } else {
        if (eq >= 0) throw new UsageError(`--${name} takes no value`);
        set(spec, true);
      }
    } else if (isFlag) {
      for (let j = 1; j < a.length; j++) {
        if (a[j] === 'h' && !byShort.has('h')) throw new HelpRequested();
        const spec = byShort.get(a[j]);
        if (!spec) throw new UsageError(`unknown option -${a[j]}`);
        if (spec.value) {
          const v = j + 1 < a.length ? a.slice(j + 1) : argv[++i];
          if (v === undefined) throw new UsageError(`-${a[j]} needs a value (${spec.valueName ?? 'VALUE'})`);
          set(spec, v);
          break;
        }
        set(spec, true);
      }
    } else {
      positionals.push(a);
    }
  }
  return { flags, positionals, rest: [] };
}

export function formatHelp(usage: string, description: string, specs: FlagSpec[]): string {
  const rows = specs.map((s) => {
    const names = `${s.short ? `-${s.short}, ` : '    '}--${s.long}${s.value ? ` <${s.valueName ?? 'VALUE'}>` : ''}`;
    return [names, s.help + (s.repeatable ? ' (repeatable)' : '')];
  });
  const width = Math.min(40, Math.max(...rows.map(([n]) => n.length), 10) + 2);
  const lines = rows.map(([n, h]) => `  ${n.padEnd(width)}${h}`);
  return `Usage: ${usage}\n\n${description}\n${specs.length ? `\nOptions:\n${lines.join('\n')}\n` : ''}`;
}

/** A subcommand as --help, `help CMD`, the completion scripts and the man page describe it: one source. */
export interface CommandSpec {
  usage: string;
  description: string;
  flags: FlagSpec[];
  help: string;
}

export function commandSpec(usage: string, description: string, flags: FlagSpec[]): CommandSpec {
  return { usage, description, flags, help: formatHelp(usage, description, flags) };
}

export const str = (f: ParsedArgs['flags'], k: string): string | undefined => (typeof f[k] === 'string' ? (f[k] as string) : undefined);
export const list = (f: ParsedArgs['flags'], k: string): string[] | undefined => (Array.isArray(f[k]) ? (f[k] as string[]) : undefined);
export const bool = (f: ParsedArgs['flags'], k: string): boolean => f[k] === true;
