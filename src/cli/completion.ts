import { commandSpec, parseArgs, UsageError, type CommandSpec, type FlagSpec } from './args';
import type { CliContext } from './context';
import type { Subcommand } from './commands';
import { manPage } from './manPage';
import { completionQueries } from '../engine/podman/commands';
import { shellLine } from '../engine/shellQuote';

export const COMPLETION_SPEC = commandSpec(
  'bootc-ephemeral completion bash|zsh|fish|man',
  'Print a completion script for your shell, made from the same descriptions as --help, e.g.\n' +
    '  bootc-ephemeral completion bash > /etc/bash_completion.d/bootc-ephemeral\n' +
    '  bootc-ephemeral completion fish > ~/.config/fish/completions/bootc-ephemeral.fish\n' +
    '`man` prints the man page (bootc-ephemeral.1) instead.',
  [],
);

// VM names and local images come from podman directly at completion time (no node start-up)
const VMS_CMD = `${shellLine(['podman', ...completionQueries.vmNames])} 2>/dev/null`;
const IMAGES_CMD = `${shellLine(['podman', ...completionQueries.imageNames])} 2>/dev/null | grep -v '<none>'`;

const flagWords = (flags: FlagSpec[]) => flags.flatMap((f) => [`--${f.long}`, ...(f.short ? [`-${f.short}`] : [])]).concat('--help');

export function bashCompletion(commands: Record<string, Subcommand>): string {
  const cases = Object.entries(commands)
    .map(([name, c]) => {
      const valued = c.spec.flags.filter((f) => f.value).flatMap((f) => [`--${f.long}`, ...(f.short ? [`-${f.short}`] : [])]);
      const operand = c.operand === 'vm' || c.operand === 'vms' ? `$(${VMS_CMD})` : c.operand === 'image' ? `$(${IMAGES_CMD})` : c.operand === 'shell' ? 'bash zsh fish man' : '';
      return [
        `    ${name})`,
        `      flags="${flagWords(c.spec.flags).join(' ')}"`,
        `      valued=" ${valued.join(' ')} "`,
        `      operand="${operand}" ;;`,
      ].join('\n');
    })
    .join('\n');
  return `# bash completion for bootc-ephemeral (generated: bootc-ephemeral completion bash)
_bootc_ephemeral() {
  local cur prev cmd flags valued operand
  cur=\${COMP_WORDS[COMP_CWORD]}
  prev=\${COMP_WORDS[COMP_CWORD-1]}
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=($(compgen -W "${Object.keys(commands).join(' ')} help" -- "$cur"))
    return
  fi
  cmd=\${COMP_WORDS[1]}
  case $cmd in
${cases}
    help) COMPREPLY=($(compgen -W "${Object.keys(commands).join(' ')}" -- "$cur")); return ;;
    *) return ;;
  esac
  case $valued in *" $prev "*) COMPREPLY=($(compgen -f -- "$cur")); return ;; esac
  if [[ $cur == -* ]]; then COMPREPLY=($(compgen -W "$flags" -- "$cur")); else COMPREPLY=($(compgen -W "$operand" -- "$cur")); fi
}
complete -F _bootc_ephemeral bootc-ephemeral
`;
}

const zshQuote = (s: string) => s.replace(/'/g, "'\\''").replace(/\[/g, '\\[').replace(/\]/g, '\\]').replace(/:/g, '\\:');

export function zshCompletion(commands: Record<string, Subcommand>): string {
  const functions = Object.entries(commands)
    .map(([name, c]) => {
      const specs = c.spec.flags.map((f) => {
        const names = f.short ? `'(-${f.short} --${f.long})'{-${f.short},--${f.long}}` : `--${f.long}`;
        const value = f.value ? `:${zshQuote(f.valueName ?? 'value')}:_files` : '';
        return `    ${f.repeatable ? `'*'${names.startsWith("'(") ? names.slice(names.indexOf(')') + 2) : names}` : names}'[${zshQuote(f.help.split('\n')[0])}]${value}'`;
      });
      const operand = c.operand === 'vm' || c.operand === 'vms' ? `'*:VM:(\${(f)"$(${VMS_CMD})"})'` : c.operand === 'image' ? `'1:image:(\${(f)"$(${IMAGES_CMD})"})'` : c.operand === 'shell' ? "'1:shell:(bash zsh fish man)'" : '';
      return `_bootc_ephemeral_${name.replace(/-/g, '_')}() {\n  _arguments -s \\\n${[...specs, `    '(- *)--help[show help]'`, ...(operand ? [`    ${operand}`] : [])].join(' \\\n')}\n}`;
    })
    .join('\n\n');
  const list = Object.entries(commands).map(([n, c]) => `    '${n}:${zshQuote(c.summary)}'`).join('\n');
  return `#compdef bootc-ephemeral
# zsh completion for bootc-ephemeral (generated: bootc-ephemeral completion zsh)
${functions}

_bootc_ephemeral() {
  local -a commands
  commands=(
${list}
  )
  if (( CURRENT == 2 )); then
    _describe command commands
  else
    local cmd=\${words[2]//-/_}
    shift words; (( CURRENT-- ))
    (( $+functions[_bootc_ephemeral_$cmd] )) && _bootc_ephemeral_$cmd
  fi
}
_bootc_ephemeral "$@"
`;
}

const fishQuote = (s: string) => `'${s.split('\n')[0].replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

export function fishCompletion(commands: Record<string, Subcommand>): string {
  const names = Object.keys(commands);
  const lines = [
    '# fish completion for bootc-ephemeral (generated: bootc-ephemeral completion fish)',
    'complete -c bootc-ephemeral -f',
    ...Object.entries(commands).map(([n, c]) => `complete -c bootc-ephemeral -n '__fish_use_subcommand' -a ${n} -d ${fishQuote(c.summary)}`),
  ];
  for (const [n, c] of Object.entries(commands)) {
    const when = `-n '__fish_seen_subcommand_from ${n}'`;
    for (const f of c.spec.flags) {
      lines.push(`complete -c bootc-ephemeral ${when} -l ${f.long}${f.short ? ` -s ${f.short}` : ''}${f.value ? ' -r -F' : ''} -d ${fishQuote(f.help)}`);
    }
    if (c.operand === 'vm' || c.operand === 'vms') lines.push(`complete -c bootc-ephemeral ${when} -a '(${VMS_CMD})'`);
    if (c.operand === 'image') lines.push(`complete -c bootc-ephemeral ${when} -a '(${IMAGES_CMD.replace(/'/g, "\\'")})'`);
    if (c.operand === 'shell') lines.push(`complete -c bootc-ephemeral ${when} -a 'bash zsh fish man'`);
  }
  lines.push(`complete -c bootc-ephemeral -n '__fish_seen_subcommand_from help' -a '${names.join(' ')}'`);
  return lines.join('\n') + '\n';
}

export async function completionCommand(ctx: CliContext, argv: string[], commands: Record<string, Subcommand>): Promise<number> {
  const { positionals } = parseArgs(argv, COMPLETION_SPEC.flags);
  const shell = positionals[0];
  const make: Record<string, () => string> = {
    bash: () => bashCompletion(commands),
    zsh: () => zshCompletion(commands),
    fish: () => fishCompletion(commands),
    man: () => manPage(commands),
  };
  if (positionals.length !== 1 || !make[shell]) throw new UsageError('completion takes one of bash, zsh, fish, man');
  ctx.stdout.write(make[shell]());
  return 0;
}

export type { CommandSpec };
