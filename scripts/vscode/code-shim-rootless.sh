#!/bin/bash
# The rootless suite's "VS Code executable": code-shim.mjs run as an ordinary user with rootless podman
# (scripts/rootless-user.sh made them), with a login's environment and nothing of root's, so VS Code,
# its extension host and every podman call the extension makes are that user's. The runner gives the
# user, the checkout as that user sees it, and the log the suite writes to.
set -euo pipefail
user=${BOOTC_EPHEMERAL_TEST_USER:?}
repo=${BOOTC_EPHEMERAL_TEST_REPO:?}
uid=$(id -u "$user")
home=$(getent passwd "$user" | cut -d: -f6)
cd "$home"
exec runuser -u "$user" -- env -i HOME="$home" USER="$user" LOGNAME="$user" PATH=/usr/local/bin:/usr/bin:/bin LANG=C.UTF-8 \
  XDG_RUNTIME_DIR="/run/user/$uid" BOOTC_EPHEMERAL_VSCODE_RUNS=/tmp BOOTC_EPHEMERAL_VSCODE_USER_XDG=1 CI="${CI:-}" \
  BOOTC_EPHEMERAL_TEST_LOG="${BOOTC_EPHEMERAL_TEST_LOG:?}" BOOTC_EPHEMERAL_TEST_GREP="${BOOTC_EPHEMERAL_TEST_GREP:-}" \
  node "$repo/scripts/vscode/code-shim.mjs" "$@"
