#!/usr/bin/env bash
# Runs the C API test, then the CLI on the same inputs, and requires the two reports to
# be identical outside their "run" sections.
set -euo pipefail
c_test=$1 cli=$2 src=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$src"
"$c_test" "$work/c_api.json"
"$cli" run --data examples/credit_eval.csv --policy examples/gate.json --report "$work/cli.json" --quiet
python3 - "$work/c_api.json" "$work/cli.json" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
for r in (a, b):
    r.pop("run")
if a != b:
    sys.exit("the C API's report differs from the CLI's")
print("C API report == CLI report (outside run)")
PY
