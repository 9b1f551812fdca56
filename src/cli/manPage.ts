import type { Subcommand } from './commands';

/** roff text: a leading dot or quote would be read as a request, backslashes as escapes. */
function roff(text: string): string {
  return text
    .replace(/\\/g, '\\e')
    .replace(/-/g, '\\-')
    .split('\n')
    .map((l) => (/^[.']/.test(l) ? `\\&${l}` : l))
    .join('\n');
}

/** bootc-ephemeral(1), from the same command and flag descriptions as --help. */
export function manPage(commands: Record<string, Subcommand>, version = require('../../package.json').version as string): string {
  const out = [
    `.TH BOOTC\\-EPHEMERAL 1 "" "bootc-ephemeral ${version}" "User Commands"`,
    '.SH NAME',
    'bootc\\-ephemeral \\- boot bootc container images as stateless VMs',
    '.SH SYNOPSIS',
    '.B bootc\\-ephemeral',
    '.I COMMAND',
    '[\\fIOPTIONS\\fR]',
    '.SH DESCRIPTION',
    roff('Boots bootc container images from local podman storage as stateless VMs: QEMU boots the image\'s own kernel with the image as its root file system over virtiofs; nothing the guest writes persists. Flags follow bcvk ephemeral.'),
    '.SH COMMANDS',
  ];
  for (const [name, c] of Object.entries(commands)) {
    out.push(`.SS ${roff(name)}`, '.nf', roff(c.spec.usage), '.fi', '.PP', roff(c.spec.description));
    for (const f of c.spec.flags) {
      const names = `${f.short ? `\\fB\\-${f.short}\\fR, ` : ''}\\fB\\-\\-${roff(f.long)}\\fR${f.value ? ` \\fI${roff(f.valueName ?? 'VALUE')}\\fR` : ''}`;
      out.push('.TP', names, roff(f.help + (f.repeatable ? ' (repeatable)' : '')));
    }
    out.push('.TP', '\\fB\\-h\\fR, \\fB\\-\\-help\\fR', 'show this command\'s help');
  }
  out.push(
    '.SH EXIT STATUS',
    roff('0 ok; 1 an error; 2 a usage error or an invalid option (named with its value, before anything starts); 130, 143, 129 when interrupted by SIGINT, SIGTERM, SIGHUP; run --execute, ssh and run-ssh exit with the guest command\'s status (ssh: 255 when there is no connection).'),
    '.SH FILES',
    roff('/var/lib/bootc-ephemeral/vms/NAME/ (as root; $XDG_STATE_HOME/bootc-ephemeral/vms otherwise): a VM\'s SSH keys, options, plan and logs.'),
    '.SH SEE ALSO',
    '.BR podman (1),',
    '.BR bcvk (1)',
  );
  return out.join('\n') + '\n';
}
