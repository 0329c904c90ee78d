#!/usr/bin/env bash
# Runs the C API test, then the CLI on the same inputs, and requires the two reports to
# be identical outside their "run" sections: byte for byte, and as parsed JSON.
# Usage: run_c_api_test.sh C_TEST_BINARY CLI_BINARY SOURCE_DIR
set -euo pipefail
c_test=$1 cli=$2 src=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$src"
"$c_test" "$work/c_api.json"
"$cli" run --data examples/credit_eval.csv --policy examples/gate.json --report "$work/cli.json" --quiet
python3 - "$work/c_api.json" "$work/cli.json" <<'PY'
import json, sys

texts = [open(p, encoding="utf-8").read() for p in sys.argv[1:3]]
marker = '\n  "run": {'
# "run" is the report's last section: everything before it must match byte for byte.
heads = []
for name, text in zip(("C API", "CLI"), texts):
    if text.count(marker) != 1:
        sys.exit(f"the {name} report has no single top-level \"run\" section")
    heads.append(text[: text.index(marker)])
if heads[0] != heads[1]:
    for i, (a, b) in enumerate(zip(heads[0].splitlines(), heads[1].splitlines())):
        if a != b:
            sys.exit(f"the C API's report differs from the CLI's at line {i + 1}:\n  {a}\n  {b}")
    sys.exit("the C API's report differs from the CLI's in length")
parsed = [json.loads(t) for t in texts]
for r in parsed:
    r.pop("run")
if parsed[0] != parsed[1]:
    sys.exit("the C API's report differs from the CLI's (parsed)")
print("C API report == CLI report outside run (%d bytes compared)" % len(heads[0]))
PY
