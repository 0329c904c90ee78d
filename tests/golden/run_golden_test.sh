#!/usr/bin/env bash
# The golden test: every bundled example's report JSON (outside "run"), CLI summary,
# Markdown and HTML must equal the committed copies in tests/golden/cases byte for byte.
# A deliberate change regenerates them with scripts/update_golden.sh.
# usage: run_golden_test.sh REFEREE_BIN SOURCE_DIR
set -euo pipefail
bin=$1
src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
bash "$src/scripts/golden_outputs.sh" "$bin" "$src" "$work/cases"
files=$(cd "$src/tests/golden/cases" && find . -type f | sort)
passed=0
failed=0
for f in $files; do
  if cmp -s "$src/tests/golden/cases/$f" "$work/cases/$f"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAILED: $f differs from tests/golden/cases/$f"
    diff -u "$src/tests/golden/cases/$f" "$work/cases/$f" | head -20
  fi
done
extra=$(cd "$work/cases" && find . -type f | sort | comm -13 <(echo "$files") -)
for f in $extra; do
  failed=$((failed + 1))
  echo "FAILED: $f has no golden copy (run scripts/update_golden.sh)"
done
echo "golden: $passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
