#!/bin/bash
# The remote suite's "VS Code executable": code-shim.mjs run as a client that shares nothing with the
# podman host but its API socket (test/isolated.sh: a new mount + network namespace, podman's local
# storage, the engine's state root, QEMU and virtiofsd hidden). The socket dir comes from the runner.
root=$(cd "$(dirname "$0")/../.." && pwd)
exec unshare -m -n -- "$root/test/isolated.sh" "$BOOTC_EPHEMERAL_TEST_SOCKET_DIR" node "$root/scripts/vscode/code-shim.mjs" "$@"
