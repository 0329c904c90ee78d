#!/usr/bin/env bash
# Red team, class 1: hostile policy and policy-cases text. Every case must end in a
# policy error (exit 65) with file, line and column, write nothing, and echo no raw
# control byte or invalid UTF-8 from the text it refuses.
source "$(dirname "$0")/lib.sh"
data="$ex/credit_eval.csv"
run_args=(--data "$data" --report "$work/out/r.json" --markdown "$work/out/r.md" --html "$work/out/r.html")

# make NAME PYTHON-EXPRESSION: writes $work/NAME.json from the example policy's text `s`.
make() {
  python3 - "$ex/gate.json" "$work/$1.json" "$2" <<'PY'
import sys
s = open(sys.argv[1], encoding="utf-8").read()
out = eval(sys.argv[3])
open(sys.argv[2], "wb").write(out if isinstance(out, bytes) else out.encode("utf-8"))
PY
}

make deep '"{\"version\": " + "[" * 100000 + "]" * 100000 + "}"'
attack deep_nesting 65 "deep.json:1:77: nesting is deeper than max_json_depth = 64" -- run --policy "$work/deep.json" "${run_args[@]}"
attack deep_nesting_validate 65 "max_json_depth" -- validate --policy "$work/deep.json"

make huge_number 's.replace("\"resamples\": 2000", "\"resamples\": 1e400", 1) if "\"resamples\": 2000" in s else s.replace("\"version\": 1", "\"version\": 1, \"x\": 1e999", 1)'
attack number_beyond_double 65 "is beyond the range of a double" -- run --policy "$work/huge_number.json" "${run_args[@]}"

make duplicate 's.replace("\"min\": ", "\"min\": -0.05, \"min\": ", 1)'
attack duplicate_key 65 "min is given twice" -- run --policy "$work/duplicate.json" "${run_args[@]}"

make not_utf8 's.encode().replace(b"\"task\"", b"\"ta\xffsk\"", 1)'
attack non_utf8_policy 65 "is not valid UTF-8" $'\xff' -- run --policy "$work/not_utf8.json" "${run_args[@]}"

make terminal 's.replace("\"binary\"", "\"\\u001b]0;pwned\\u0007\\u001b[2J" + "x" * 100000 + "\"", 1)'
attack control_characters 65 '\x1B]0;pwned\x07' $'\x1b' -- run --policy "$work/terminal.json" "${run_args[@]}"
[ "$(wc -c <"$work/stderr")" -lt 1000 ] && ok || bad "a 100 kB policy string was echoed whole"

make unknown_key 's.replace("\"name\"", "\"na\\u0007me\"", 1)'
attack escaped_key 65 'is not a known key' $'\x07' -- validate --policy "$work/unknown_key.json"

python3 - "$ex/gate.json" "$work/many_rules.json" <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))
rule = p["rules"][0]
p["rules"] = [dict(rule, id=f"r{i}") for i in range(20000)]
json.dump(p, open(sys.argv[2], "w"))
PY
attack policy_over_size_cap 65 "larger than max_policy_bytes = 100" -- \
  validate --policy "$ex/gate.json" --limit max_policy_bytes=100
attack too_many_rules 65 "more than max_rules = 10000" -- run --policy "$work/many_rules.json" "${run_args[@]}"

printf '{"cases": %s}' "$(python3 -c 'print("[" * 50000 + "]" * 50000)')" >"$work/deep.cases.json"
attack deep_cases 65 "deep.cases.json:1:" -- test --policy "$ex/gate.json" --cases "$work/deep.cases.json"
printf '{"cases": [{"name": "a", "expect": "PASS", "expect": "FAIL", "figures": {}}]}' >"$work/dup.cases.json"
attack duplicate_case_key 65 '$.cases[0].expect is given twice' -- test --policy "$ex/gate.json" --cases "$work/dup.cases.json"

finish
