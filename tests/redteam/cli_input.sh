#!/usr/bin/env bash
# Red team, input side (issue 14, classes 3 and 5): inputs that never end or never arrive
# (devices, FIFOs, directories), fields, records, policies and reports past their caps,
# --limit itself, and data values that must not reach a message. Every case asserts the
# exit code, that nothing was written into $work/out, and that no secret leaked.
. "$(dirname "$0")/lib.sh"

out="$work/out"
secret="SECRET-4242"
header=$(head -1 "$ex/credit_eval_small.csv")
row=$(sed -n 2p "$ex/credit_eval_small.csv")  # customer_id,y,score_prod,score_new,w,...

# prompt NAME CODE FRAGMENT [SECRET] -- ARGS...: an attack that must also end within 5 s
# (a FIFO with no writer must be refused, not waited on).
prompt() {
  local start=$SECONDS
  attack "$@"
  [ $((SECONDS - start)) -le 5 ] || bad "$1: took $((SECONDS - start)) s"
}

# csv FILE ROW...: the example's header, then each ROW as given.
csv() {
  local file=$1
  shift
  printf '%s\n' "$header" "$@" >"$file"
}
# A copy of the example's first data row with field N (1-based) replaced by $2.
with_field() { awk -F, -v OFS=, -v n="$1" -v v="$2" '{ $n = v; print }' <<<"$row"; }

mkfifo "$work/fifo" "$work/fifo.json" "$work/fifo.csv"

# --- inputs that are not regular files: refused before a byte is read (74) -------------
prompt data-dev-zero 74 "/dev/zero: is not a regular file (a device)" -- \
  run --data /dev/zero --policy "$ex/gate.json" --report "$out/r.json"
prompt data-fifo-no-writer 74 "$work/fifo: is not a regular file (a FIFO)" -- \
  run --data "$work/fifo" --policy "$ex/gate.json" --report "$out/r.json"
prompt data-directory 74 "$work: is not a regular file (a directory)" -- \
  run --data "$work" --policy "$ex/gate.json" --report "$out/r.json"
prompt policy-dev-zero 74 "/dev/zero: is not a regular file (a device)" -- \
  run --data "$ex/credit_eval_small.csv" --policy /dev/zero --report "$out/r.json"
prompt policy-fifo 74 "$work/fifo.json: is not a regular file (a FIFO)" -- \
  run --data "$ex/credit_eval_small.csv" --policy "$work/fifo.json" --report "$out/r.json"
prompt validate-policy-fifo 74 "is not a regular file (a FIFO)" -- validate --policy "$work/fifo.json"
prompt latency-fifo 74 "$work/fifo.csv: is not a regular file (a FIFO)" -- \
  run --data "$ex/credit_eval.csv" --policy "$ex/gate-loadtest.json" --latency "$work/fifo.csv" --report "$out/r.json"
prompt reference-fifo 74 "$work/fifo.csv: is not a regular file (a FIFO)" -- \
  run --data "$ex/credit_eval.csv" --policy "$ex/gate-budgets.json" --reference "$work/fifo.csv" --report "$out/r.json"
# The policy's own $.drift.reference, resolved beside the policy, pointing at a FIFO.
mkdir -p "$work/p"
sed 's/"reference_sample.csv"/"fifo.csv"/' "$ex/gate-budgets.json" >"$work/p/gate.json"
mkfifo "$work/p/fifo.csv"
prompt policy-reference-fifo 74 "$work/p/fifo.csv: is not a regular file (a FIFO)" -- \
  run --data "$ex/credit_eval.csv" --policy "$work/p/gate.json" --report "$out/r.json"
prompt cases-fifo 74 "$work/fifo.json: is not a regular file (a FIFO)" -- \
  test --policy "$ex/gate.json" --cases "$work/fifo.json"
prompt cases-dev-zero 74 "/dev/zero: is not a regular file (a device)" -- \
  test --policy "$ex/gate.json" --cases /dev/zero

# --- fields, records, policies past their caps (65) -----------------------------------
big=$(head -c 2097152 /dev/zero | tr '\0' A)
{ printf '%s\n' "$header" "$big,${row#*,}"; tail -n +3 "$ex/credit_eval_small.csv"; } >"$work/big-field.csv"
prompt field-2mb 65 "row 1 (line 2), column \"customer_id\": the field is longer than max_field_bytes = 1048576 (raise it with --limit max_field_bytes=N)" -- \
  run --data "$work/big-field.csv" --policy "$ex/gate.json" --report "$out/r.json"
# An unclosed quote over a 20 MB file fails at the field cap, not at the end of the file.
{ printf '%s\n' "$header"; printf '"'; head -c 20000000 /dev/zero | tr '\0' x; } >"$work/open-quote.csv"
prompt open-quote-20mb 65 "column \"customer_id\": the field is longer than max_field_bytes" -- \
  run --data "$work/open-quote.csv" --policy "$ex/gate.json" --report "$out/r.json"
# The same file is read once the cap is raised: the cap, not the file, refused it.
"$bin" run --data "$work/big-field.csv" --policy "$ex/gate.json" --quiet --limit max_field_bytes=3000000 \
  --limit max_record_bytes=3000000 >/dev/null 2>"$work/stderr"
case $? in 0 | 1 | 2) ok ;; *) bad "field-2mb with a raised cap: $(head -c 300 "$work/stderr")" ;; esac
attack record-over-lowered-cap 65 "header (line 1): the record is longer than max_record_bytes = 100 (raise it with --limit max_record_bytes=N)" -- \
  run --data "$ex/credit_eval_small.csv" --policy "$ex/gate.json" --report "$out/r.json" --limit max_record_bytes=100
attack policy-over-cap 65 "$ex/gate.json: the policy file is larger than max_policy_bytes = 100 (raise it with --limit max_policy_bytes=N)" -- \
  run --data "$ex/credit_eval_small.csv" --policy "$ex/gate.json" --report "$out/r.json" --limit max_policy_bytes=100
attack validate-policy-over-cap 65 "the policy file is larger than max_policy_bytes = 100" -- \
  validate --policy "$ex/gate.json" --limit=max_policy_bytes=100
attack cases-over-cap 65 "$ex/gate.cases.json: the cases file is larger than max_policy_bytes = 1000" -- \
  test --policy "$ex/gate.json" --cases "$ex/gate.cases.json" --limit max_policy_bytes=1000
python3 -c 'print("[" * 100000 + "]" * 100000)' >"$work/deep-cases.json"
attack cases-nested-100000 65 "nesting is deeper than max_json_depth = 64" -- \
  test --policy "$ex/gate.json" --cases "$work/deep-cases.json"

# --- --limit itself (64, before any file is read) --------------------------------------
attack limit-unknown 64 "unknown limit \"max_field_byte\" (did you mean \"max_field_bytes\"?)" -- \
  run --data /dev/zero --policy "$ex/gate.json" --report "$out/r.json" --limit max_field_byte=10
attack limit-zero 64 "limit \"max_rules\" must be a positive integer" -- \
  run --data "$ex/credit_eval_small.csv" --policy "$ex/gate.json" --report "$out/r.json" --limit max_rules=0
attack limit-not-a-number 64 "limit \"max_rules\" must be a positive integer" -- \
  validate --policy "$ex/gate.json" --limit max_rules=-1
attack limit-no-value 64 "--limit takes NAME=VALUE" -- test --policy "$ex/gate.json" --cases x --limit max_rules
attack limit-on-validate-unknown 64 "unknown limit" -- validate --policy "$ex/gate.json" --limit nope=1

# --- data values never reach a message -------------------------------------------------
csv "$work/s-number.csv" "$row" "$(with_field 4 "$secret")"
attack secret-in-numeric-column 65 "row 2 (line 3), column \"score_new\": the value is not a number" "$secret" -- \
  run --data "$work/s-number.csv" --policy "$ex/gate.json" --report "$out/r.json"
csv "$work/s-label.csv" "$(with_field 2 "$secret")"
attack secret-in-label 65 "row 1 (line 2), column \"y\": the value is not a number" "$secret" -- \
  run --data "$work/s-label.csv" --policy "$ex/gate.json" --report "$out/r.json"
csv "$work/s-quote.csv" "$(with_field 1 "\"$secret\"x")"
attack secret-in-broken-quote 65 "column \"customer_id\": text after the closing quote" "$secret" -- \
  run --data "$work/s-quote.csv" --policy "$ex/gate.json" --report "$out/r.json"
csv "$work/s-stray.csv" "$(with_field 1 "$secret\"x")"
attack secret-with-stray-quote 65 "column \"customer_id\": a quote inside an unquoted field" "$secret" -- \
  run --data "$work/s-stray.csv" --policy "$ex/gate.json" --report "$out/r.json"
csv "$work/s-open.csv" "$row" "$(with_field 1 "\"$secret")"
attack secret-in-unclosed-quote 65 "is never closed" "$secret" -- \
  run --data "$work/s-open.csv" --policy "$ex/gate.json" --report "$out/r.json"
csv "$work/s-utf8.csv" "$(with_field 1 "$secret"$'\xff\xfe')"
attack secret-in-invalid-utf8 65 "row 1 (line 2), column \"customer_id\": the value is not valid UTF-8" "$secret" -- \
  run --data "$work/s-utf8.csv" --policy "$ex/gate.json" --report "$out/r.json"
with_field 1 "$secret" >"$work/s-headerless.csv"
attack secret-in-headerless-first-row 65 "does it have a header row?" "$secret" -- \
  run --data "$work/s-headerless.csv" --policy "$ex/gate.json" --report "$out/r.json"
printf 'model,latency_ms\nchampion,12\n%s,13\n' "$secret" >"$work/s-latency.csv"
attack secret-in-latency-model 65 "row 2, column \"model\": the value is not a model" "$secret" -- \
  run --data "$ex/credit_eval.csv" --policy "$ex/gate-loadtest.json" --latency "$work/s-latency.csv" --report "$out/r.json"
printf 'model,latency_ms\nchampion,12\nchallenger,%s\n' "$secret" >"$work/s-latency-ms.csv"
attack secret-in-latency-ms 65 "row 2 (line 3), column \"latency_ms\": the value is not a number" "$secret" -- \
  run --data "$ex/credit_eval.csv" --policy "$ex/gate-loadtest.json" --latency "$work/s-latency-ms.csv" --report "$out/r.json"
{ head -2 "$ex/reference_sample.csv"; printf '1,2,%s\xff,0.1,0.2\n' "$secret"; } >"$work/s-reference.csv"
attack secret-in-drift-reference 65 "row 2 (line 3), column \"region\": the value is not valid UTF-8" "$secret" -- \
  run --data "$ex/credit_eval.csv" --policy "$ex/gate-budgets.json" --reference "$work/s-reference.csv" --report "$out/r.json"
printf '{"cases": [{"name": "%s", oops}]}' "$secret" >"$work/s-cases.json"
attack secret-in-broken-cases-file 65 "invalid JSON" "$secret" -- \
  test --policy "$ex/gate.json" --cases "$work/s-cases.json"

# --- report size: checked on every rendered output before anything is written (65) ----
attack report-over-cap 65 "\"$out/r.json\" (--report): the output would be" -- \
  run --data "$ex/credit_eval_small.csv" --policy "$ex/gate.json" --report "$out/r.json" --markdown "$out/r.md" \
  --limit max_report_bytes=1000
attack report-over-cap-names-the-cap 65 "more than max_report_bytes = 1000 (raise it with --limit max_report_bytes=N); nothing was written" -- \
  run --data "$ex/credit_eval_small.csv" --policy "$ex/gate.json" --report "$out/r.json" --limit max_report_bytes=1000

# --- a path is shown, never obeyed: a terminal escape in a file name reaches stderr as \x1B
escape_name="$work/"$'\x1b]0;pwned\x07'"eval.csv"
printf 'y\n0\n' >"$escape_name"  # lacks the policy's score columns: the error names the file
attack path-with-terminal-escape 65 '\x1B]0;pwned\x07eval.csv' $'\x1b' -- \
  run --data "$escape_name" --policy "$ex/gate.json" --report "$out/r.json"

finish
