#!/bin/bash
# The counting of scripts/test-all.sh (sourced; test/unit/harness.test.ts drives it with fake suites).
# Every outcome counts: a cancelled (timed-out) test is a failure, skipped and todo tests are reported,
# and a suite that ran fewer tests than it has test files (or none) fails.
log=$(mktemp)
failures=$(mktemp)
trap 'rm -f "$log" "$failures"' EXIT
passed=0 failed=0 skipped=0 status=0

count() { # node's test runner summary line "ℹ KEY N" of the last run in $log
  grep -E "^ℹ $1 [0-9]+" "$log" | tail -n1 | awk '{print $3}'
}

suite() { # name, minimum number of tests (0: not a test suite), command...
  local name=$1 min=$2; shift 2
  echo "=== $name: $*"
  "$@" 2>&1 | tee "$log"
  local rc=${PIPESTATUS[0]}
  local p f c s t
  p=$(count pass) f=$(count fail) c=$(count cancelled) s=$(count skipped) t=$(count todo)
  # our mocha suites (extension host) close with "N passed, N failed[, N skipped]"
  if [ -z "$p" ] && grep -qE '^[0-9]+ passed, [0-9]+ failed' "$log"; then
    read -r p _ f _ s _ < <(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n1 | tr -d ',')
  fi
  p=${p:-0} f=$(( ${f:-0} + ${c:-0} )) s=$(( ${s:-0} + ${t:-0} ))
  if [ "$min" -gt 0 ] && [ $((p + f)) -lt "$min" ]; then
    echo "=== $name ran $((p + f)) tests, expected at least $min (one per test file)"
    f=$((f + 1))
  fi
  passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
  if [ "$rc" != 0 ] || [ "$f" != 0 ]; then
    status=1
    [ "$f" = 0 ] && failed=$((failed + 1))   # a step that broke without counting is one failure
    echo "=== $name FAILED (exit $rc, $f failed)"
    { echo "=== $name: what failed"; failure_report "$log"; } >> "$failures"
  fi
  [ "$s" = 0 ] || echo "=== $name: $s skipped or todo"
  return "$rc"
}

failure_report() { # the failing tests node's reporter lists at its end (with their errors), else the output's end
  if grep -q 'failing tests:' "$1"; then
    sed -n '/failing tests:/,$p' "$1" | head -n 200
  else
    tail -n 40 "$1"
  fi
}

print_failures() { # each failed suite's report again, at the end of a long run where a reader looks first
  [ -s "$failures" ] || return 0
  echo
  echo "=== the failures again, as each suite reported them"
  cat "$failures"
}
