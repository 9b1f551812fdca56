import { runOptionsDefaults, toRunOptionsInput, type RunOptions } from './runOptions';
import { RUN_OPTION_FIELDS } from './fields';
import { shellQuote } from '../shellQuote';

/**
 * The CLI command line that starts a VM with these options: `bootc-ephemeral run ...` or
 * `bcvk ephemeral run ...` (without the flags bcvk lacks), made from the option table. Values are shell-quoted.
 */
export function runCommandLine(recorded: Partial<RunOptions> & { image: string }, flavor: 'bootc-ephemeral' | 'bcvk' = 'bootc-ephemeral'): string {
  // recorded options may lack fields (older VMs, sizes): those are left out of the line
  const o: RunOptions = { ...runOptionsDefaults(), ...recorded };
  const input = toRunOptionsInput(o) as Record<string, unknown>;
  const words: string[] = flavor === 'bcvk' ? ['bcvk', 'ephemeral', 'run'] : ['bootc-ephemeral', 'run'];
  for (const f of RUN_OPTION_FIELDS) {
    const value = input[f.key];
    if (f.cli !== 'flag' || value === undefined || value === false || (flavor === 'bcvk' && !f.bcvk)) continue;
    if (value === true) words.push(f.short ? `-${f.short}` : `--${f.flag}`);
    else for (const v of [value].flat()) words.push(`--${f.flag}`, String(v));
  }
  words.push(o.image);
  return words.map(shellQuote).join(' ');
}
