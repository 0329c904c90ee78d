#!/usr/bin/env bash
# Shared by the shell test suites (tests/cli/*.sh, tests/redteam/lib.sh): the binary and
# source tree from ctest, a scratch directory removed on exit, and the pass/fail tally.
# Needs REFEREE_BIN and REFEREE_SOURCE_DIR (ctest sets both).
set -u
bin=${REFEREE_BIN:?}
src=${REFEREE_SOURCE_DIR:?}
ex="$src/examples"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0
failed=0

ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAILED: $*"; }

# finish: prints the tally under the script's name and exits non-zero when a case failed.
finish() {
  echo "$(basename "$0"): $passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}
