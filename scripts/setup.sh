#!/bin/bash
# Everything a fresh Debian 12 machine (as root) needs to run bootc-ephemeral and its tests:
# host packages and podman fixes, Node.js (if missing), npm dependencies, the build, the sample image.
# Idempotent: a second run takes seconds.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/host-setup.sh

# for the tests only: the security suite compiles a small hostile library (test/e2e/05-security);
# zsh and fish check the completion scripts they load (test/unit/completion); qemu-img makes a qcow2 disk
test_packages=(gcc libc6-dev zsh fish qemu-utils openssh-server)
if ! dpkg-query -W -f='${Status}\n' "${test_packages[@]}" 2>/dev/null | grep -c 'install ok installed' | grep -qx ${#test_packages[@]}; then
  echo "[setup] installing ${test_packages[*]} (test dependencies)"
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${test_packages[@]}"
fi

node_ok() {
  command -v node >/dev/null && node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=5)||(a===18&&b>=19)?0:1)'
}
if ! node_ok; then
  echo "[setup] installing Node.js and npm from Debian"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends nodejs npm
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
npm run -s build
bash scripts/sample-image.sh
bash scripts/vscode/install.sh   # real VS Code (code-server), Node 24, Chromium: for the extension tests
echo "[setup] ready: node dist/cli.js --help"
