import type { FlagSpec, ParsedArgs } from './args';
import { bool, list, str } from './args';
import type { RunOptionsInput } from '../engine/options/runOptions';
import { RUN_OPTION_FIELDS, type RunOptionField } from '../engine/options/fields';
import { InvalidOptionsError, type OptionProblem } from '../engine/errors';

const FLAG_FIELDS = RUN_OPTION_FIELDS.filter((f) => f.cli === 'flag');

function flagSpec(f: RunOptionField): FlagSpec {
  const values = f.values?.();
  const help = f.kind === 'enum' && f.key !== 'accel' && values ? `${f.help} (${values.join(', ')})` : f.help;
  return { long: f.flag, short: f.short, value: f.kind !== 'boolean', repeatable: f.kind === 'list', valueName: f.valueName, help };
}

/** The flags of `bcvk ephemeral run` (plus --accel, --allow-system-bind), from the option table. Shared by run and run-ssh. */
export const RUN_FLAGS: FlagSpec[] = FLAG_FIELDS.map(flagSpec);

export function runOptionsInputFromFlags(f: ParsedArgs['flags'], image: string | undefined): RunOptionsInput {
  // a flag given an empty value ("--memory ''") is a mistake, never "the default"
  const empty: OptionProblem[] = RUN_FLAGS.filter((s) => s.value && [f[s.long]].flat().some((v) => v === '')).map((s) => ({ field: s.long, value: '', message: 'needs a value' }));
  if (empty.length) throw new InvalidOptionsError(empty);
  const input: Record<string, unknown> = { image };
  for (const field of FLAG_FIELDS) {
    input[field.key] = field.kind === 'boolean' ? bool(f, field.flag) : field.kind === 'list' ? list(f, field.flag) : str(f, field.flag);
  }
  return input as RunOptionsInput;
}
