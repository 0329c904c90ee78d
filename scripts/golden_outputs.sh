#!/usr/bin/env bash
# Writes every bundled example's outputs into OUT_DIR/<case>/: the report JSON without its
# "run" section (the only part that may differ between runs), the CLI summary, the
# Markdown and the HTML report. tests/golden/ holds the committed copy; the golden test
# compares a fresh run with it byte for byte, and scripts/update_golden.sh rewrites it.
# Runs from the source directory, so paths in the outputs are the examples' relative ones.
# usage: golden_outputs.sh REFEREE_BIN SOURCE_DIR OUT_DIR
set -euo pipefail
bin=$(realpath "$1")
src=$2
out=$(realpath -m "$3")
cd "$src"

# case name | data | policy | extra arguments | expected exit code
cases=(
  "gate|examples/credit_eval.csv|examples/gate.json||0"
  "gate-strict|examples/credit_eval.csv|examples/gate-strict.json||1"
  "gate-small|examples/credit_eval_small.csv|examples/gate.json||2"
  "segment-trap|examples/segment_trap.csv|examples/gate-segments.json||1"
  "budgets|examples/credit_eval.csv|examples/gate-budgets.json||1"
  "loadtest|examples/credit_eval.csv|examples/gate-loadtest.json|--latency examples/latency_loadtest.csv|2"
  "svm-decision|examples/breast_cancer_svm.csv|examples/gate-svm.json||0"
  "outcome|examples/llm_eval.csv|examples/gate-outcome.json||0"
  "multiclass-digits|examples/digits_eval.csv|examples/gate-digits.json||0"
  "multiclass-twenty|examples/twenty_classes.csv|examples/gate-twenty.json||0"
  "ranking|examples/ranking_eval.csv|examples/gate-ranking.json||0"
  "keyed|examples/shadow_traffic.csv|examples/gate-keyed.json||0"
)

for c in "${cases[@]}"; do
  IFS='|' read -r name data policy extra code <<<"$c"
  dir="$out/$name"
  mkdir -p "$dir"
  tmp=$(mktemp -d)
  set +e
  # shellcheck disable=SC2086
  "$bin" run --data "$data" --policy "$policy" $extra --threads 2 \
    --report "$tmp/report.json" --markdown "$dir/report.md" --html "$dir/report.html" >"$dir/summary.txt"
  got=$?
  set -e
  if [ "$got" -ne "$code" ]; then
    echo "golden case $name: referee exited $got, expected $code" >&2
    rm -rf "$tmp"
    exit 1
  fi
  python3 - "$tmp/report.json" "$dir/report.json" <<'PY'
# Cut the "run" section (the report's last key) out of the bytes, leaving every other
# byte as referee wrote it: no re-serialisation that could hide a formatting change.
import re, sys
data = open(sys.argv[1], "rb").read()
match = re.search(rb',\n  "run": \{\n[^{}]*\n  \}\n\}\n?$', data)
if not match:
    sys.exit("golden: the report does not end with its run section")
open(sys.argv[2], "wb").write(data[: match.start()] + b"\n}\n")
PY
  # The summary's last line names the temporary report path; keep the rest.
  sed -i '/^report:  /d' "$dir/summary.txt"
  rm -rf "$tmp"
done
