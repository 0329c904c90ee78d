#!/usr/bin/env bash
# Runs the C API test, then the CLI on the same inputs, and requires the reports to be
# identical outside their "run" sections: byte for byte, and as parsed JSON. Six pairs:
# on examples/credit_eval.csv gate.json, gate-budgets.json, and gate-loadtest.json with the
# load test's latency file; gate-outcome.json on llm_eval.csv (the outcome task),
# gate-svm.json on breast_cancer_svm.csv (decision scores, a string label) and
# gate-digits.json on digits_eval.csv (multiclass; the C test also gives its rows as one
# probability block per model and finds the same report after the data section).
# Usage: run_c_api_test.sh C_TEST_BINARY CLI_BINARY SOURCE_DIR
set -euo pipefail
c_test=$1 cli=$2 src=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$src"
"$c_test" "$work/c_api.json"
data=examples/credit_eval.csv
# Exit codes 0, 1 and 2 are verdicts (PASS or WARN, FAIL, INCONCLUSIVE); the C test checks
# which one. Anything above is an error.
gate() { "$cli" run --data "$data" --quiet "$@" || [ $? -le 2 ]; }
gate --policy examples/gate.json --report "$work/cli.json"
gate --policy examples/gate-budgets.json --report "$work/cli.json.budgets"
gate --policy examples/gate-loadtest.json --latency examples/latency_loadtest.csv --report "$work/cli.json.loadtest"
data=examples/llm_eval.csv gate --policy examples/gate-outcome.json --report "$work/cli.json.outcome"
data=examples/breast_cancer_svm.csv gate --policy examples/gate-svm.json --report "$work/cli.json.svm"
data=examples/digits_eval.csv gate --policy examples/gate-digits.json --report "$work/cli.json.digits"
python3 - "$work" <<'PY'
import json, sys

work = sys.argv[1]
marker = '\n  "run": {'
for suffix in ("", ".budgets", ".loadtest", ".outcome", ".svm", ".digits"):
    paths = [f"{work}/c_api.json{suffix}", f"{work}/cli.json{suffix}"]
    texts = [open(p, encoding="utf-8").read() for p in paths]
    # "run" is the report's last section: everything before it must match byte for byte.
    heads = []
    for name, text in zip(("C API", "CLI"), texts):
        if text.count(marker) != 1:
            sys.exit(f"the {name} report{suffix} has no single top-level \"run\" section")
        heads.append(text[: text.index(marker)])
    if heads[0] != heads[1]:
        for i, (a, b) in enumerate(zip(heads[0].splitlines(), heads[1].splitlines())):
            if a != b:
                sys.exit(f"the C API's report{suffix} differs from the CLI's at line {i + 1}:\n  {a}\n  {b}")
        sys.exit(f"the C API's report{suffix} differs from the CLI's in length")
    parsed = [json.loads(t) for t in texts]
    for r in parsed:
        r.pop("run")
    if parsed[0] != parsed[1]:
        sys.exit(f"the C API's report{suffix} differs from the CLI's (parsed)")
    print(f"C API report{suffix} == CLI report outside run ({len(heads[0])} bytes compared)")
PY
