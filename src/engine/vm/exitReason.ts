// Pure: what a VM container's exit code says. The supervisor's own codes (resources/supervisor.sh) and
// the signals podman reports; a VM started with --execute exits with its command's status instead.
import type { VmInfo } from './vms';

const SUPERVISOR_CODES: Record<number, string> = {
  70: 'the launch plan had no VM process',
  71: 'a helper process failed to start',
  72: 'a helper process (virtiofsd) ended, so the VM was stopped',
};

/**
 * One line for a failed VM's exit code; undefined for a clean exit, an unknown code or an --execute VM.
 * `logsKept`: false once podman removed the container (--rm), so the reason does not point to its logs.
 */
export function exitReason(vm: Pick<VmInfo, 'state' | 'exitCode' | 'options' | 'panic' | 'bootFailure'>, logsKept = true): string | undefined {
  if (vm.state === 'failed' && vm.bootFailure) return `it cannot boot: ${vm.bootFailure}; it still runs, so that its console can be opened (remove it to end it)`;
  const code = vm.exitCode;
  if (vm.state !== 'failed' || code === undefined) return undefined;
  if (vm.panic !== undefined) return `the guest kernel panicked: ${vm.panic}`;
  // the state dir's options list the commands; the label's only count them
  const o = vm.options as { execute?: unknown[]; executeCount?: unknown } | undefined;
  const executed = (Array.isArray(o?.execute) && o.execute.length > 0) || Number(o?.executeCount ?? 0) > 0;
  if (executed) return `the --execute command's exit status (or 125: the VM stopped before it reported one, or the command never ran)`;
  if (SUPERVISOR_CODES[code]) return logsKept ? `${SUPERVISOR_CODES[code]} (the container logs say which and how)` : SUPERVISOR_CODES[code];
  if (code === 137) return 'killed (SIGKILL): the container or QEMU was killed';
  if (code === 143) return 'terminated (SIGTERM) before the guest shut down';
  if (code > 128 && code < 160) return `QEMU was killed by signal ${code - 128}`;
  return logsKept ? `QEMU exited with status ${code} (the container logs have its message)` : `QEMU exited with status ${code}`;
}
