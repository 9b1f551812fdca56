import type { GuestUnit } from './guestUnits';

/**
 * A top-level slice (a sibling of system.slice) whose units get ten times system.slice's CPU share while
 * the guest starts (StartupCPUWeight=), the default share after: under TCG what the host waits for (the
 * first login, an --execute command and its power-off) otherwise shares two vCPUs with everything the
 * image starts. `name` is a slice unit name, already escaped.
 */
export function startupSlice(name: string, description: string): GuestUnit {
  return {
    name,
    wantedBy: [],
    content: `[Unit]
Description=${description}, first for the CPU while the guest starts (bootc-ephemeral)
DefaultDependencies=no
Before=slices.target

[Slice]
StartupCPUWeight=1000
`,
  };
}
