import type { RunOptions } from './runOptions';
import { formatMiB } from './sizes';

/**
 * The CLI command line that starts a VM with these options: `bootc-ephemeral run ...` or
 * `bcvk ephemeral run ...` (without --accel, which bcvk lacks). Values are shell-quoted.
 */
export function runCommandLine(o: Partial<RunOptions> & { image: string }, flavor: 'bootc-ephemeral' | 'bcvk' = 'bootc-ephemeral'): string {
  const a: string[] = flavor === 'bcvk' ? ['bcvk', 'ephemeral', 'run'] : ['bootc-ephemeral', 'run'];
  const flag = (name: string, value?: string | number) => {
    if (value !== undefined && value !== '') a.push(`--${name}`, String(value));
  };
  if (o.detach) a.push('-d');
  if (o.rm) a.push('--rm');
  if (o.sshKeygen) a.push('-K');
  if (o.tty) a.push('-t');
  if (o.interactive) a.push('-i');
  flag('name', o.name);
  if (o.itype) flag('itype', o.itype);
  else {
    if (o.memoryMiB !== undefined) flag('memory', formatMiB(o.memoryMiB));
    flag('vcpus', o.vcpus);
  }
  if (o.console) a.push('--console');
  if (o.debug) a.push('--debug');
  flag('network', o.network);
  for (const [k, v] of Object.entries(o.labels ?? {})) flag('label', `${k}=${v}`);
  for (const [k, v] of Object.entries(o.env ?? {})) flag('env', `${k}=${v}`);
  for (const b of o.binds ?? []) flag(b.readOnly ? 'ro-bind' : 'bind', `${b.hostPath}:${b.name}`);
  flag('systemd-units', o.systemdUnitsDir);
  if (o.bindStorageRo) a.push('--bind-storage-ro');
  if (o.allowSystemBind && flavor === 'bootc-ephemeral') a.push('--allow-system-bind');
  if (o.swapBytes) flag('add-swap', o.swapBytes % 1048576 === 0 ? `${o.swapBytes / 1048576}M` : String(o.swapBytes));
  for (const d of o.diskFiles ?? []) flag('mount-disk-file', `${d.file}:${d.name}${d.format === 'qcow2' && !d.file.endsWith('.qcow2') ? ':qcow2' : ''}`);
  for (const v of o.virtioSerialOut ?? []) flag('virtio-serial-out', `${v.name}:${v.file}`);
  for (const k of o.kargs ?? []) flag('karg', k);
  for (const e of o.execute ?? []) flag('execute', e);
  flag('debug-entrypoint', o.debugEntrypoint);
  if (flavor === 'bootc-ephemeral' && o.accel && o.accel !== 'auto') flag('accel', o.accel);
  a.push(o.image);
  return a.map(quote).join(' ');
}

function quote(word: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
