#!/bin/bash
# The CI recipe's test step (docs/ci.md), run as the runner's ordinary user: no sudo, the user's own
# rootless podman and image storage. Checks the host, builds the image if a Containerfile is given,
# boots it as a stateless VM, runs the command in it over SSH and exits with the command's status;
# the VM is always removed.
#
#   IMAGE=localhost/my-os:ci [CONTAINERFILE=Containerfile [CONTEXT=.]] \
#     scripts/ci/boot-test.sh [RUN-SSH OPTIONS...] -- COMMAND...
#
# BOOTC_EPHEMERAL: how to call the CLI (default: bootc-ephemeral on PATH; e.g. "node dist/cli.js").
set -euo pipefail
: "${IMAGE:?set IMAGE to the image to boot (and to build, with CONTAINERFILE)}"
read -ra bce <<< "${BOOTC_EPHEMERAL:-bootc-ephemeral}"

options=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do options+=("$1"); shift; done
[ "${1:-}" = "--" ] && shift
[ $# -gt 0 ] || { echo "boot-test.sh: give the command to run in the VM after --" >&2; exit 2; }

echo "::group::bootc-ephemeral doctor"
"${bce[@]}" doctor   # exits 1 on a failed check (each with its fix); warnings (no KVM: TCG) pass
echo "::endgroup::"

if [ -n "${CONTAINERFILE:-}" ]; then
  echo "::group::podman build $IMAGE"
  podman build -t "$IMAGE" -f "$CONTAINERFILE" "${CONTEXT:-$(dirname "$CONTAINERFILE")}"
  echo "::endgroup::"
fi

# run-ssh boots, waits for SSH, runs the command, removes the VM and exits with the command's status
exec "${bce[@]}" run-ssh "${options[@]}" "$IMAGE" -- "$@"
