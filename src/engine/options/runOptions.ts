import * as path from 'node:path';
import { IMAGE_REQUIRED, RUN_OPTION_FIELDS, type ParseContext } from './fields';
import { hostPathProbe, runOptionsDefaults, type PathProbe, type RunOptions, type RunOptionsInput } from './types';
import { InvalidOptionsError, type OptionProblem } from '../errors';

export * from './types';

/** Validates every field (each by its own parser in RUN_OPTION_FIELDS); all problems at once, named by flag. */
export function parseRunOptions(input: RunOptionsInput, probe: PathProbe = hostPathProbe): RunOptions {
  const problems: OptionProblem[] = [];
  const out = runOptionsDefaults(probe.cpuCount());
  const mountNames = new Set<string>();
  const abs = (p: string) => path.resolve(probe.cwd(), p);
  for (const f of RUN_OPTION_FIELDS) {
    const value = input[f.key];
    const bad = (v: unknown, message: string) => problems.push({ field: f.flag, value: v, message });
    if (value === undefined || value === '') {
      if (f.key === 'image') bad(value ?? '', IMAGE_REQUIRED);
      continue;
    }
    (f.parse as (v: unknown, c: ParseContext) => void)(value, { input, probe, out, mountNames, abs, bad });
  }
  if (problems.length) throw new InvalidOptionsError(problems);
  return out;
}

/**
 * The input that parses back to these options (restart, command lines, round-trip tests); defaults left out.
 */
export function toRunOptionsInput(o: RunOptions): RunOptionsInput {
  const input: Record<string, unknown> = {};
  for (const f of RUN_OPTION_FIELDS) {
    const v = f.fromOptions(o);
    if (v !== undefined) input[f.key] = v;
  }
  return input as RunOptionsInput;
}
