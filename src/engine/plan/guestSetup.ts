import { shellQuote } from '../shellQuote';

/**
 * What the guest's configuration does before switch-root, as data: folders, files copied from our
 * payload (only where none is yet), links (`replace`: over what the image has). It is written twice:
 * as a tmpfiles.d config for the initrd service of a systemd initramfs (the image's own boot path),
 * and as a POSIX shell script for our guest init, so that an initramfs without systemd (dracut without
 * its systemd modules, initramfs-tools with busybox or klibc) boots the fast way too.
 */
export type SetupOp =
  /** `mode` undefined: a folder the image has keeps its mode and owner */
  | { op: 'dir'; path: string; mode?: string }
  /** `content`: what `from` holds (the payload is built from it) */
  | { op: 'copy'; path: string; from: string; mode: string; content: string | Buffer }
  | { op: 'link'; path: string; target: string; replace: boolean };

/** tmpfiles.d fields are C-unescaped: unit names like run-virtiofs\x2dmnt\x2da.mount keep their backslash. */
export function tmpfilesPath(p: string): string {
  return p.replace(/\\/g, '\\\\');
}

export function renderTmpfiles(ops: readonly SetupOp[]): string {
  const lines: string[] = ['# applied in the initrd by bootc-ephemeral-setup.service'];
  const entry = (type: string, path: string, mode = '-', owner = '-', arg = '') =>
    lines.push(`${type} ${tmpfilesPath(path)} ${mode} ${owner} ${owner} - ${tmpfilesPath(arg)}`.trimEnd());
  for (const o of ops) {
    if (o.op === 'dir') entry('d', o.path, o.mode ?? '-', o.mode ? 'root' : '-');
    else if (o.op === 'link') entry(o.replace ? 'L+' : 'L', o.path, '-', '-', o.target);
    else {
      entry('C', o.path, '-', '-', o.from);
      entry('z', o.path, o.mode, 'root');
    }
  }
  return lines.join('\n') + '\n';
}

/**
 * The same for our guest init: only the shell's builtins, `mkdir`, `ln` and `cp` or `cat` (klibc has no
 * cp, dracut's base no cat); a file's mode comes from the umask it is written under, as `chmod` is
 * missing from klibc. Every path is quoted; they are ours or names checked when read.
 *
 * `runTree`: the payload holds everything the ops put under `runTree.to` (the init's own fresh tmpfs,
 * so nothing there to keep) as a ready tree at `runTree.from`: one `cp -a` instead of a process per op
 * (each costs tens of milliseconds under TCG); without a working `cp -a`, op by op.
 */
export function renderShell(ops: readonly SetupOp[], runTree: { from: string; to: string }): string {
  const q = shellQuote;
  const lines = [
    '# sourced by our guest init; each command must succeed (set -e)',
    'copy() { umask "$3"; if command -v cp >/dev/null 2>&1; then cp "$1" "$2"; else cat "$1" > "$2"; fi; }',
  ];
  const opLines = (list: readonly SetupOp[], indent = '') =>
    list.map((o) => {
      if (o.op === 'dir') return indent + (o.mode ? `[ -d ${q(o.path)} ] || mkdir -m ${o.mode} ${q(o.path)}` : `[ -d ${q(o.path)} ] || mkdir ${q(o.path)}`);
      if (o.op === 'link') return indent + (o.replace ? `ln -sf ${q(o.target)} ${q(o.path)}` : `[ -e ${q(o.path)} ] || [ -L ${q(o.path)} ] || ln -s ${q(o.target)} ${q(o.path)}`);
      return indent + `[ -e ${q(o.path)} ] || copy ${q(o.from)} ${q(o.path)} ${(0o777 & ~parseInt(o.mode, 8)).toString(8).padStart(3, '0')}`;
    });
  const outside = ops.filter((o) => !o.path.startsWith(`${runTree.to}/`));
  lines.push(`if cp -a ${q(`${runTree.from}/.`)} ${q(`${runTree.to}/`)} 2>/dev/null; then`, ...(outside.length ? opLines(outside, '  ') : ['  :']), 'else', ...opLines(ops, '  '), 'fi');
  lines.push('umask 022');
  return lines.join('\n') + '\n';
}
