#!/bin/bash
# npm test: lint, then every suite. Each suite's own output stays visible; the last line adds them up
# (how each outcome counts: scripts/test-lib.sh).
set -uo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/test-lib.sh
source scripts/test-lib.sh

files() { find "$@" -name '*.test.ts' | wc -l; }

suite lint 0 npm run -s lint
suite build 0 npm run -s build
if suite test-build 0 node scripts/build.mjs --tests; then
  suite unit "$(files test/unit)" node --test --test-reporter=spec out/test/unit/
  suite e2e "$(files test/e2e)" node --test --test-concurrency=1 --test-reporter=spec out/test/e2e/
  suite faults "$(files test/faults)" node --test --test-concurrency=1 --test-reporter=spec out/test/faults/
  suite soak "$(files test/soak)" env SOAK_CYCLES=3 SOAK_PARALLEL=2 node --test --test-reporter=spec out/test/soak/
  suite vscode "$(files test/vscode test/vscode-restricted test/vscode-remote test/vscode-rootless)" node scripts/vscode/run-vscode-tests.mjs
  suite ui "$(files test/ui)" node --test --test-concurrency=1 --test-reporter=spec out/test/ui/
  # the installed-package UI run only tests a package made now: a failed package is not tested stale
  rm -f bootc-ephemeral.vsix
  if suite package 0 npm run -s package; then
    suite ui-vsix 1 env BOOTC_EPHEMERAL_UI_VSIX=bootc-ephemeral.vsix node --test --test-reporter=spec out/test/ui/workbench.test.js
  fi
fi
# package built minified bundles without source maps: back to the development build
suite rebuild 0 npm run -s build
# the suites must leave nothing behind: no container, state dir, image mount or process of ours
suite leaks 5 node scripts/check-leaks.mjs

print_failures
echo
echo "$passed passed, $failed failed, $skipped skipped"
exit $status
