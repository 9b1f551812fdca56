import type { FlagSpec, ParsedArgs } from './args';
import { bool, list, str } from './args';
import type { RunOptionsInput } from '../engine/options/runOptions';
import { InvalidOptionsError, type OptionProblem } from '../engine/errors';
import { instanceTypeNames } from '../engine/options/instanceTypes';

/** The flags of `bcvk ephemeral run`, plus --accel. Shared by run and run-ssh. */
export const RUN_FLAGS: FlagSpec[] = [
  { long: 'itype', value: true, valueName: 'TYPE', help: `instance type, overrides --memory/--vcpus (${instanceTypeNames().join(', ')})` },
  { long: 'memory', value: true, valueName: 'SIZE', help: 'guest memory: 4G (default), 1536M, 1.5G; a plain number is MiB' },
  { long: 'vcpus', value: true, valueName: 'N', help: 'virtual CPUs (default: the host CPU count)' },
  { long: 'console', help: 'show the serial console on stdout (always logged: logs --console)' },
  { long: 'debug', help: 'print every command line (podman, QEMU) and trace the in-container supervisor' },
  { long: 'virtio-serial-out', value: true, repeatable: true, valueName: 'NAME:FILE', help: 'a virtio-serial port /dev/virtio-ports/NAME in the guest, written to the host FILE' },
  { long: 'execute', value: true, repeatable: true, valueName: 'CMD', help: 'run CMD (systemd ExecStart syntax) once booted, print its output, power off; exit with its status' },
  { long: 'ssh-keygen', short: 'K', help: 'make an SSH key and pin a host key, so that `ssh NAME` works' },
  { long: 'tty', short: 't', help: 'allocate a pseudo-TTY for the container (podman -t)' },
  { long: 'interactive', short: 'i', help: 'keep stdin open (podman -i)' },
  { long: 'detach', short: 'd', help: 'run in the background and print the container ID' },
  { long: 'rm', help: 'remove the container (and its state) when the VM stops' },
  { long: 'name', value: true, valueName: 'NAME', help: 'VM (container) name; default: <image>-<4 hex>' },
  { long: 'network', value: true, valueName: 'NET', help: 'podman network for the container (default: podman\'s default)' },
  { long: 'label', value: true, repeatable: true, valueName: 'KEY=VALUE', help: 'container label' },
  { long: 'env', short: 'e', value: true, repeatable: true, valueName: 'KEY=VALUE', help: 'container environment variable' },
  { long: 'debug-entrypoint', value: true, valueName: 'CMD', help: 'run CMD in the container instead of the supervisor (e.g. bash, with -it)' },
  { long: 'bind', value: true, repeatable: true, valueName: 'HOST[:NAME]', help: 'share a host folder read-write at /run/virtiofs-mnt-NAME' },
  { long: 'ro-bind', value: true, repeatable: true, valueName: 'HOST[:NAME]', help: 'share a host folder read-only at /run/virtiofs-mnt-NAME' },
  { long: 'systemd-units', value: true, valueName: 'DIR', help: 'add the units in DIR/system (or DIR) to the guest, enabled per [Install]' },
  { long: 'bind-storage-ro', help: 'share the host podman storage read-only at /run/virtiofs-mnt-hoststorage' },
  { long: 'add-swap', value: true, valueName: 'SIZE', help: 'add a swap disk of SIZE (e.g. 1G)' },
  { long: 'mount-disk-file', value: true, repeatable: true, valueName: 'FILE[:NAME]', help: 'attach FILE as a virtio disk, /dev/disk/by-id/virtio-NAME (default NAME: output)' },
  { long: 'karg', value: true, repeatable: true, valueName: 'ARG', help: 'extra kernel argument' },
  { long: 'accel', value: true, valueName: 'auto|kvm|tcg', help: 'accelerator: auto (KVM when usable, else TCG with a warning)' },
  { long: 'allow-system-bind', help: 'allow --bind/--ro-bind of /, /etc, /proc, /sys, /dev, ... and of the state root (refused by default)' },
];

export function runOptionsInputFromFlags(f: ParsedArgs['flags'], image: string | undefined): RunOptionsInput {
  // a flag given an empty value ("--memory ''") is a mistake, never "the default"
  const empty: OptionProblem[] = RUN_FLAGS.filter((s) => s.value && [f[s.long]].flat().some((v) => v === '')).map((s) => ({ field: s.long, value: '', message: 'needs a value' }));
  if (empty.length) throw new InvalidOptionsError(empty);
  return {
    allowSystemBind: bool(f, 'allow-system-bind'),
    image,
    itype: str(f, 'itype'),
    memory: str(f, 'memory'),
    vcpus: str(f, 'vcpus'),
    console: bool(f, 'console'),
    debug: bool(f, 'debug'),
    virtioSerialOut: list(f, 'virtio-serial-out'),
    execute: list(f, 'execute'),
    sshKeygen: bool(f, 'ssh-keygen'),
    tty: bool(f, 'tty'),
    interactive: bool(f, 'interactive'),
    detach: bool(f, 'detach'),
    rm: bool(f, 'rm'),
    name: str(f, 'name'),
    network: str(f, 'network'),
    label: list(f, 'label'),
    env: list(f, 'env'),
    debugEntrypoint: str(f, 'debug-entrypoint'),
    bind: list(f, 'bind'),
    roBind: list(f, 'ro-bind'),
    systemdUnits: str(f, 'systemd-units'),
    bindStorageRo: bool(f, 'bind-storage-ro'),
    addSwap: str(f, 'add-swap'),
    mountDiskFile: list(f, 'mount-disk-file'),
    karg: list(f, 'karg'),
    accel: str(f, 'accel'),
  };
}
