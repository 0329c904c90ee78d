#!/usr/bin/env bash
# Drives the referee CLI as a CI job would: exit codes, messages, and the promise that a
# failed run leaves no report file behind. Needs REFEREE_BIN and REFEREE_SOURCE_DIR.
. "$(dirname "$0")/../shell_support.sh"

# Two reports are the same outside their "run" section (the determinism contract).
same_outside_run() {
  python3 - "$1" "$2" <<'EOF'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
for r in (a, b):
    r.pop("run")
sys.exit(0 if json.dumps(a) == json.dumps(b) else 1)
EOF
}

# expect CODE FRAGMENT -- ARGS...: runs referee, checks its exit code and that stderr or
# stdout contains FRAGMENT.
expect() {
  local code=$1 fragment=$2
  shift 3
  "$bin" "$@" >"$work/out" 2>"$work/err"
  local got=$?
  if [ "$got" -ne "$code" ]; then
    bad "referee $* exited $got, expected $code"; sed 's/^/    /' "$work/err" | head -5; return
  fi
  if ! grep -qF -- "$fragment" "$work/out" "$work/err"; then
    bad "referee $* did not print \"$fragment\""; sed 's/^/    /' "$work/err" "$work/out" | head -8; return
  fi
  ok
}

# --- version, usage -------------------------------------------------------------------
expect 0 "referee 0." -- --version
expect 0 "usage: referee run" -- run --help
expect 0 "usage: referee run" -- test -h
expect 0 "usage: referee run" -- validate --policy x --help
expect 64 "no command given" --
expect 64 "unknown command \"rnu\" (did you mean \"run\"?)" -- rnu
expect 64 "unknown option --polcy (did you mean \"policy\"?)" -- run --data "$ex/credit_eval.csv" --polcy x
expect 64 "--data is required" -- run --policy "$ex/gate.json"
expect 64 "--threads must be" -- run --data "$ex/credit_eval.csv" --policy "$ex/gate.json" --threads 0
expect 64 "--seed must be" -- run --data "$ex/credit_eval.csv" --policy "$ex/gate.json" --seed x

# --- verdicts ------------------------------------------------------------------------
expect 0 "VERDICT: PASS" -- run --data "$ex/credit_eval.csv" --policy "$ex/gate.json" --report "$work/pass.json" --threads 1
[ -s "$work/pass.json" ] && ok || bad "no report written on PASS"
expect 1 "VERDICT: FAIL" -- run --data "$ex/credit_eval.csv" --policy "$ex/gate-strict.json" --report "$work/fail.json"
[ -s "$work/fail.json" ] && ok || bad "no report written on FAIL"
expect 2 "VERDICT: INCONCLUSIVE" -- run --data "$ex/credit_eval_small.csv" --policy "$ex/gate.json" --report "$work/small.json"
expect 0 "valid (version 1" -- validate --policy "$ex/gate.json"

# --- determinism: threads 1 and 2 give the same report outside "run" -----------------
expect 0 "VERDICT: PASS" -- run --data "$ex/credit_eval.csv" --policy "$ex/gate.json" --report "$work/pass2.json" --threads 2
same_outside_run "$work/pass.json" "$work/pass2.json" && ok || bad "reports differ between --threads 1 and 2"

# --- row ids: the keyed example's rows shuffled give the same report outside "run" -----
# (the file's own bytes differ, so file_sha256 does; the rows digest, "rows_by_id", does not)
mkdir -p "$work/shuffled"
python3 - "$ex/shadow_traffic.csv" "$work/shuffled/shadow_traffic.csv" <<'EOF'
import random, sys
header, *rows = open(sys.argv[1]).read().splitlines(keepends=True)
random.Random(16).shuffle(rows)
open(sys.argv[2], "w").write(header + "".join(rows))
EOF
expect 0 "VERDICT: PASS" -- run --data "$ex/shadow_traffic.csv" --policy "$ex/gate-keyed.json" --report "$work/keyed.json"
expect 0 "VERDICT: PASS" -- run --data "$work/shuffled/shadow_traffic.csv" --policy "$ex/gate-keyed.json" --report "$work/keyed2.json"
python3 - "$work/keyed.json" "$work/keyed2.json" <<'EOF' && ok || bad "a shuffled keyed table gave another report"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
assert a["data"]["file_sha256"] != b["data"]["file_sha256"] and a["data"]["sha256_of"] == "rows_by_id"
for r in (a, b):
    r.pop("run"); r["data"].pop("file_sha256")
sys.exit(0 if json.dumps(a) == json.dumps(b) else 1)
EOF
printf 'txn_id,y,score_prod,score_new\nt1,0,0.1,0.2\nt2,1,0.8,0.7\nt1,1,0.6,0.9\n' >"$work/dup_ids.csv"
expect 65 'rows 1 and 3 have the same id (column "txn_id")' -- run --data "$work/dup_ids.csv" --policy "$ex/gate-keyed.json"

# --- malformed input: exit 65 (or 74), a message naming the problem, no report --------
header='customer_id,y,score_prod,score_new,w'
malformed_csv() {  # NAME FRAGMENT CONTENT
  printf '%b' "$3" >"$work/$1.csv"
  rm -f "$work/r.json"
  expect 65 "$2" -- run --data "$work/$1.csv" --policy "$ex/gate.json" --report "$work/r.json"
  [ -e "$work/r.json" ] && bad "$1: a report was written" || ok
}
malformed_csv missing_column 'no column "score_new"' "customer_id,y,score_prod,w\nC1,0,0.1,1\n"
malformed_csv misspelt_column 'did you mean "score_nwe"' "customer_id,y,score_prod,score_nwe,w\nC1,0,0.1,0.2,1\n"
malformed_csv non_numeric 'row 2 (line 3), column "score_new"' "$header\nC1,0,0.1,0.2,1\nC2,1,0.3,abc,1\n"
malformed_csv empty_cell 'missing value' "$header\nC1,0,0.1,,1\n"
malformed_csv label_two 'row 2, column "y": the label is not 0 or 1' "$header\nC1,0,0.1,0.2,1\nC2,2,0.3,0.4,1\n"
malformed_csv score_range 'is outside [0, 1]' "$header\nC1,0,1.5,0.2,1\n"
malformed_csv negative_weight 'weights cannot be negative' "$header\nC1,0,0.1,0.2,-1\n"
malformed_csv zero_weights 'the weights sum to zero' "$header\nC1,0,0.1,0.2,0\nC2,1,0.3,0.4,0\n"
malformed_csv ragged_row 'row 2 (line 3)' "$header\nC1,0,0.1,0.2,1\nC2,1,0.3\n"
malformed_csv unterminated 'line 3' "$header\nC1,0,0.1,0.2,1\n\"C2,1,0.3,0.4,1\n"
malformed_csv empty_file 'empty file' ""
malformed_csv header_only 'no data rows' "$header\n"
malformed_csv nan_text 'column "score_prod"' "$header\nC1,0,nan,0.2,1\n"
malformed_csv inf_text 'column "score_new"' "$header\nC1,0,0.1,inf,1\n"
malformed_csv bad_utf8 'UTF-8' "$header\n\xff\xfe,0,0.1,0.2,1\n"
malformed_csv missing_cluster 'column "customer_id"' "$header\n,0,0.1,0.2,1\n"

malformed_policy_on() {  # DATA NAME FRAGMENT JSON
  printf '%s' "$4" >"$work/$2.json"
  rm -f "$work/r.json"
  expect 65 "$3" -- run --data "$1" --policy "$work/$2.json" --report "$work/r.json"
  [ -e "$work/r.json" ] && bad "$2: a report was written" || ok
}
malformed_policy() { malformed_policy_on "$ex/credit_eval.csv" "$@"; }
base='"version": 1, "task": "binary", "columns": {"label": "y", "champion": "score_prod", "challenger": "score_new"}'
malformed_policy unknown_key '$.rulez' "{$base, \"rulez\": [], \"rules\": [{\"id\": \"a\", \"metric\": \"roc_auc\", \"subject\": \"delta\", \"min\": 0}]}"
malformed_policy bad_metric 'did you mean "roc_auc"' "{$base, \"rules\": [{\"id\": \"a\", \"metric\": \"rocauc\", \"subject\": \"delta\", \"min\": 0}]}"
malformed_policy contradiction 'above max' "{$base, \"rules\": [{\"id\": \"a\", \"metric\": \"roc_auc\", \"subject\": \"delta\", \"min\": 0.1, \"max\": 0}]}"
malformed_policy invalid_json 'invalid JSON' "{$base, \"rules\": [}"
malformed_policy wrong_version '$.version' "{\"version\": 3, \"task\": \"binary\"}"
malformed_policy policy_column 'no column "label_col"' "{\"version\": 1, \"task\": \"binary\", \"columns\": {\"label\": \"label_col\", \"champion\": \"score_prod\", \"challenger\": \"score_new\"}, \"rules\": [{\"id\": \"a\", \"metric\": \"roc_auc\", \"subject\": \"delta\", \"min\": 0}]}"

# Segments and fairness: the policy names its JSON path, the data its column.
seg='"version": 1, "task": "binary", "columns": {"label": "y", "champion": "score_prod", "challenger": "score_new", "segments": ["region"], "sensitive": ["sex"]}'
trap_policy() { malformed_policy_on "$ex/segment_trap.csv" "$@"; }
trap_policy undeclared_segment '$.rules[0].scope.each_segment' "{$seg, \"rules\": [{\"id\": \"a\", \"metric\": \"roc_auc\", \"subject\": \"delta\", \"min\": 0, \"scope\": {\"each_segment\": \"regoin\"}}]}"
trap_policy fairness_without_sensitive 'needs "sensitive"' "{$seg, \"rules\": [{\"id\": \"a\", \"metric\": \"demographic_parity_ratio\", \"subject\": \"challenger\", \"min\": 0.8}]}"
trap_policy correction_overall '$.rules[0].correction' "{$seg, \"rules\": [{\"id\": \"a\", \"metric\": \"roc_auc\", \"subject\": \"delta\", \"min\": 0, \"correction\": \"holm\"}]}"
trap_policy clarify_no_reference 'add "reference"' "{$seg, \"rules\": [{\"id\": \"a\", \"metric\": \"DI\", \"sensitive\": \"sex\", \"subject\": \"challenger\", \"min\": 0.8}]}"
trap_policy missing_segment_column 'no column "regio"' "{\"version\": 1, \"task\": \"binary\", \"columns\": {\"label\": \"y\", \"champion\": \"score_prod\", \"challenger\": \"score_new\", \"segments\": [\"regio\"]}, \"rules\": [{\"id\": \"a\", \"metric\": \"roc_auc\", \"subject\": \"delta\", \"min\": 0}]}"
trap_policy unknown_reference 'does not occur in column "sex" (which has 2 distinct values' "{$seg, \"fairness\": {\"reference\": {\"sex\": \"m\"}}, \"rules\": [{\"id\": \"a\", \"metric\": \"roc_auc\", \"subject\": \"delta\", \"min\": 0}]}"

# --- the segment trap: wins overall, loses one region; the gate names it ---------------
expect 1 "FAIL region=west" -- run --data "$ex/segment_trap.csv" --policy "$ex/gate-segments.json" --report "$work/trap.json"
if python3 - "$work/trap.json" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
rules = {x["id"]: x for x in r["rules"]}
assert rules["auc-overall"]["verdict"] == "PASS", rules["auc-overall"]
region = rules["auc-every-region"]
assert region["verdict"] == "FAIL" and region["segment"] == "west", region
assert [s["value"] for s in region["segments"] if s["verdict"] == "FAIL"] == ["west"]
assert r["verdict"] == "FAIL"
assert {t["segment"] for t in r["segments"]} == {"region", "channel", "region*channel"}
assert r["fairness"][0]["attribute"] == "sex" and "clarify" in r["fairness"][0]
EOF
then ok; else bad "the trap report does not name the failing segment"; fi

# --- reports for people: Markdown and self-contained HTML ----------------------------
expect 1 "VERDICT: FAIL" -- run --data "$ex/segment_trap.csv" --policy "$ex/gate-segments.json" --markdown "$work/r.md" --html "$work/r.html"
head -1 "$work/r.md" | grep -qF "## ❌ referee: FAIL" && ok || bad "the Markdown report does not open with the verdict"
grep -qF "**region=west** (n = 723)" "$work/r.md" && ok || bad "the Markdown report does not name the failing segment"
grep -qF "<svg" "$work/r.html" && grep -qF "region=west (n=723)" "$work/r.html" && ok || bad "the HTML report lacks its forest plot"
if grep -qiE "<script|<link|src=\"http|href=\"http|@import" "$work/r.html"; then bad "the HTML report is not self-contained"; else ok; fi

# --- policy tests: referee test --------------------------------------------------------
expect 0 "5 of 5 cases hold" -- test --policy "$ex/gate.json" --cases "$ex/gate.cases.json"
python3 - "$ex/gate.cases.json" "$work/wrong.cases.json" <<'EOF'
import json, sys
cases = json.load(open(sys.argv[1]))
cases["cases"][1]["expect"] = "PASS"                      # the straddling AUC cannot pass
cases["cases"][2]["rules"]["recall-floor"] = "PASS"       # nor can a recall below its floor
json.dump(cases, open(sys.argv[2], "w"))
EOF
expect 1 "verdict: expected PASS, got INCONCLUSIVE" -- test --policy "$ex/gate.json" --cases "$work/wrong.cases.json"
grep -qF "rule recall-floor: expected PASS, got FAIL (CI [0.35, 0.44] lies entirely outside >= 0.45)" "$work/out" && ok || bad "the policy test diff does not explain the rule"
grep -qF "3 of 5 cases hold" "$work/out" && ok || bad "the policy test does not count the cases"
printf '{"cases": [{"name": "x", "figures": {"auc-non-inferor": {"estimate": 0}}, "expect": "PASS"}]}' >"$work/bad.cases.json"
expect 65 'did you mean "auc-non-inferior"' -- test --policy "$ex/gate.json" --cases "$work/bad.cases.json"

# --- budgets and drift ------------------------------------------------------------------
# The challenger's p99 latency (49.2 ms, CI [48.1, 51.2]) breaks the 45 ms budget: exit 1,
# the rule named in the table and in the reasons.
expect 1 "p99-latency-budget: CI [48.132, 51.208] lies entirely outside <= 45" -- run --data "$ex/credit_eval.csv" --policy "$ex/gate-budgets.json" --report "$work/budgets.json" --threads 1
grep -qE "^p99-latency-budget +latency_p99 +overall +challenger .* FAIL$" "$work/out" && ok || bad "the summary table does not fail the p99 rule"
grep -qF "budgets (" "$work/out" && grep -qF "drift against" "$work/out" && ok || bad "the summary lacks the budgets or drift table"
python3 - "$work/budgets.json" <<'EOF2' && ok || bad "the budgets or drift section is wrong"
import json, sys
r = json.load(open(sys.argv[1]))
b = r["budgets"]["metrics"]
assert b["latency_p99"]["challenger"]["interval"] == "order statistic"
assert b["latency_p99"]["delta"]["interval"] == "paired percentile bootstrap"
assert b["error_rate"]["challenger"]["interval"] == "wilson"
assert b["cost_per_1k"]["champion"]["source"] == "columns"
features = {f["feature"]: f for f in r["drift"]["features"]}
assert set(features) == {"income", "age", "region", "score_prod", "score_new"}, features.keys()
assert features["region"]["type"] == "categorical" and "chi2_pvalue" in features["region"]
assert features["income"]["type"] == "numeric" and "ks_pvalue" in features["income"]
assert r["drift"]["reference"]["file"] == "reference_sample.csv"
EOF2
expect 1 "VERDICT: FAIL" -- run --data "$ex/credit_eval.csv" --policy "$ex/gate-budgets.json" --report "$work/budgets2.json" --threads 2
same_outside_run "$work/budgets.json" "$work/budgets2.json" && ok || bad "budget reports differ between --threads 1 and 2"
expect 2 "VERDICT: INCONCLUSIVE" -- run --data "$ex/credit_eval.csv" --policy "$ex/gate-loadtest.json" --latency "$ex/latency_loadtest.csv"
grep -qF "latency from $ex/latency_loadtest.csv, independent samples" "$work/out" && ok || bad "the summary does not name the latency file"
expect 64 "latency_p99, which was not measured" -- run --data "$ex/credit_eval.csv" --policy "$ex/gate-loadtest.json"
expect 64 "latency is given twice" -- run --data "$ex/credit_eval.csv" --policy "$ex/gate-budgets.json" --latency "$ex/latency_loadtest.csv"
expect 64 "no \"drift\" block" -- run --data "$ex/credit_eval.csv" --policy "$ex/gate.json" --reference "$ex/reference_sample.csv"
printf 'model,latency_ms\nchampion,12\nchallenger,-1\n' >"$work/neg.csv"
expect 65 "row 2, column \"latency_ms\": the value is negative" -- run --data "$ex/credit_eval.csv" --policy "$ex/gate-loadtest.json" --latency "$work/neg.csv" --report "$work/neg.json"
[ ! -e "$work/neg.json" ] && ok || bad "a report was written for a bad latency file"
printf 'model,latency_ms\nchampion,12\nchallenger,nan\n' >"$work/nan.csv"
expect 65 "not a finite number" -- run --data "$ex/credit_eval.csv" --policy "$ex/gate-loadtest.json" --latency "$work/nan.csv"
sed 's/^\(C00000,0,[^,]*,[^,]*,[^,]*,[^,]*,[^,]*,[^,]*,[^,]*,\)24.233/\1-24.233/' "$ex/credit_eval.csv" >"$work/neglat.csv"
expect 65 "column \"lat_prod_ms\"" -- run --data "$work/neglat.csv" --policy "$ex/gate-budgets.json" --reference "$ex/reference_sample.csv"
cp "$ex/gate-budgets.json" "$work/gate-budgets.json"
expect 74 "reference_sample.csv" -- run --data "$ex/credit_eval.csv" --policy "$work/gate-budgets.json"
expect 1 "VERDICT: FAIL" -- run --data "$ex/credit_eval.csv" --policy "$work/gate-budgets.json" --reference "$ex/reference_sample.csv"

# --- I/O errors: exit 74 ---------------------------------------------------------------
expect 74 "cannot open" -- run --data "$work/does-not-exist.csv" --policy "$ex/gate.json"
expect 74 "cannot open the policy file" -- run --data "$ex/credit_eval.csv" --policy "$work/nope.json"
expect 74 "does not exist" -- run --data "$ex/credit_eval.csv" --policy "$ex/gate.json" --report "$work/no/such/dir/r.json"
[ -z "$(ls "$work/no" 2>/dev/null)" ] && ok || bad "a partial report was left behind"

# --- outputs: checked before the work, written whole, all or none, nothing replaced ------
out="$work/outputs"
mkdir -p "$out"
echo "keep me" >"$out/target"
ln -s "$out/target" "$out/link"
expect 74 "is a symbolic link" -- run --data "$ex/credit_eval.csv" --policy "$ex/gate.json" --report "$out/link"
[ "$(cat "$out/target")" = "keep me" ] && [ -L "$out/link" ] && ok || bad "a symlinked destination was followed or replaced"
expect 74 "is not a regular file" -- run --data "$ex/credit_eval.csv" --policy "$ex/gate.json" --report /dev/null
[ -c /dev/null ] && ok || bad "/dev/null was replaced"
expect 74 "is given for both the --report and the --markdown" -- run --data "$ex/credit_eval.csv" \
  --policy "$ex/gate.json" --report "$out/same" --markdown "$out/./same"
expect 74 "the output path is empty" -- run --data "$ex/credit_eval.csv" --policy "$ex/gate.json" --report ""
expect 74 "does not exist" -- run --data "$ex/credit_eval.csv" --policy "$ex/gate.json" \
  --report "$out/r.json" --markdown "$out/missing/r.md"
[ ! -e "$out/r.json" ] && ok || bad "report.json was written although the Markdown could not be"
expect 0 "VERDICT: PASS" -- run --data "$ex/credit_eval.csv" --policy "$ex/gate.json" \
  --report "$out/r.json" --markdown "$out/r.md" --html "$out/r.html"
[ "$(cd "$out" && ls -A | sort | tr '\n' ' ')" = "link r.html r.json r.md same target " ] || \
  [ "$(cd "$out" && ls -A | sort | tr '\n' ' ')" = "link r.html r.json r.md target " ] && ok || \
  bad "temporary files were left beside the outputs: $(ls -A "$out")"
if [ -w /dev/full ]; then
  "$bin" run --data "$ex/credit_eval.csv" --policy "$ex/gate.json" >/dev/full 2>"$work/err"
  [ $? -eq 74 ] && grep -q "standard output" "$work/err" && ok || bad "a summary lost to a full stdout exited $?"
fi

finish
