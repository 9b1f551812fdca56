#!/bin/bash
# npm test: lint, then every suite. Each suite's own output stays visible; the last line adds them up.
set -uo pipefail
cd "$(dirname "$0")/.."
log=$(mktemp)
trap 'rm -f "$log"' EXIT
passed=0 failed=0 status=0

suite() { # name, command...
  local name=$1; shift
  echo "=== $name: $*"
  "$@" 2>&1 | tee "$log"
  local rc=${PIPESTATUS[0]}
  local p f
  # node's test runner ("ℹ pass N") or our mocha suite's closing line ("N passed, N failed")
  p=$(grep -E '^ℹ pass [0-9]+' "$log" | tail -n1 | awk '{print $3}')
  f=$(grep -E '^ℹ fail [0-9]+' "$log" | tail -n1 | awk '{print $3}')
  if [ -z "$p" ] && grep -qE '^[0-9]+ passed, [0-9]+ failed$' "$log"; then
    read -r p _ f _ < <(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -n1)
  fi
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
  if [ "$rc" != 0 ]; then
    status=1
    [ "${f:-0}" = 0 ] && failed=$((failed + 1))   # a suite that broke without counting is one failure
    echo "=== $name FAILED (exit $rc)"
  fi
}

suite lint npm run -s lint
suite build npm run -s build
node scripts/build.mjs --tests
suite unit node --test --test-reporter=spec out/test/unit/
suite e2e node --test --test-concurrency=1 --test-reporter=spec out/test/e2e/
suite vscode node scripts/vscode/run-vscode-tests.mjs
suite ui node --test --test-concurrency=1 --test-reporter=spec out/test/ui/
suite package npm run -s package
suite ui-vsix env BOOTC_EPHEMERAL_UI_VSIX=bootc-ephemeral.vsix node --test --test-reporter=spec out/test/ui/workbench.test.js
npm run -s build   # package built minified bundles without source maps: back to the development build

echo
echo "$passed passed, $failed failed"
exit $status
