#!/usr/bin/env bash
# `referee verify` and `--attestation`, driven as an auditor and a CI job would drive them.
# The oracles are outside referee: sha256sum for every digest, a text edit of the stored
# report for a difference, python3's json module to read the statement.
# Needs REFEREE_BIN and REFEREE_SOURCE_DIR.
. "$(dirname "$0")/../shell_support.sh"
secret=SECRET-4242

check() { if eval "$1"; then ok; else bad "$2"; fi; }

# expect CODE FRAGMENT -- ARGS...: runs referee, checks its exit code, that its output
# contains FRAGMENT, and that no planted secret reached it.
expect() {
  local code=$1 fragment=$2
  shift 3
  "$bin" "$@" >"$work/out" 2>"$work/err"
  local got=$?
  if [ "$got" -ne "$code" ]; then
    bad "referee $* exited $got, expected $code"; sed 's/^/    /' "$work/err" "$work/out" | head -5; return
  fi
  if ! grep -qF -- "$fragment" "$work/out" "$work/err"; then
    bad "referee $* did not print \"$fragment\""; sed 's/^/    /' "$work/err" "$work/out" | head -8; return
  fi
  if grep -qF -- "$secret" "$work/out" "$work/err"; then bad "referee $* printed the planted secret"; return; fi
  ok
}

sha() { sha256sum "$1" | cut -c1-64; }
# json FILE EXPRESSION: a value of a JSON file, read by python3 (d is the document).
json() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"; }

data="$ex/credit_eval.csv"
policy="$ex/gate.json"
printf 'model weights %s\n' "$secret" >"$work/model.pkl"
model_sha=$(sha "$work/model.pkl")

# --- a fresh report verifies, at another thread count ---------------------------------
expect 0 "VERDICT: PASS" -- run --data "$data" --policy "$policy" --report "$work/report.json" --threads 1 \
  --attestation "$work/statement.json" --subject "model.pkl=sha256:$model_sha"
expect 0 "verified: $work/report.json reproduced" -- verify --report "$work/report.json" --data "$data" --policy "$policy" --threads 2
expect 0 "verified:" -- verify --report "$work/report.json" --data "$data" --policy "$policy" --threads 1 \
  --attestation "$work/verified.json" --subject "model.pkl=sha256:$model_sha"

# --- the statement, against sha256sum ---------------------------------------------------
for s in statement verified; do
  f="$work/$s.json"
  check '[ "$(json "$f" "d[\"_type\"]")" = "https://in-toto.io/Statement/v1" ]' "$s: _type"
  # The rows digest first (recomputed by tests/python/test_data_digest.py), then the file's bytes.
  check '[ "$(json "$f" "d[\"subject\"][0][\"name\"]")" = "credit_eval.csv#rows" ]' "$s: rows subject name"
  check '[ "$(json "$f" "d[\"subject\"][0][\"digest\"][\"sha256\"]")" = "$(json "$work/report.json" "d[\"data\"][\"sha256\"]")" ]' \
    "$s: rows digest"
  check '[ "$(json "$f" "d[\"subject\"][1][\"digest\"][\"sha256\"]")" = "$(sha "$data")" ]' "$s: data file digest"
  check '[ "$(json "$f" "d[\"subject\"][2][\"digest\"][\"sha256\"]")" = "$(sha "$policy")" ]' "$s: policy digest"
  check '[ "$(json "$f" "d[\"subject\"][3][\"digest\"][\"sha256\"]")" = "$model_sha" ]' "$s: model digest"
  check '[ "$(json "$f" "d[\"subject\"][3][\"name\"]")" = "model.pkl" ]' "$s: model name"
  check '[ "$(json "$f" "d[\"predicate\"][\"report\"][\"digest\"][\"sha256\"]")" = "$(sha "$work/report.json")" ]' \
    "$s: report digest"
  check '[ "$(json "$f" "d[\"predicate\"][\"verdict\"]")" = PASS ]' "$s: verdict"
done
check '[ "$(json "$work/statement.json" "d[\"predicate\"][\"reproduced\"]")" = False ]' "run: reproduced false"
check '[ "$(json "$work/verified.json" "d[\"predicate\"][\"reproduced\"]")" = True ]' "verify: reproduced true"

# --- the same rows in other bytes (CRLF line ends, another name): reproduced by the rows
# digest, with a note that the file's bytes differ; the file as stored gives no note -----
sed 's/$/\r/' "$data" >"$work/crlf.csv"
check '[ "$(sha "$work/crlf.csv")" != "$(sha "$data")" ]' "crlf: other bytes"
expect 0 "note: the data file's bytes are not those of \$.data.file_sha256" -- verify --report "$work/report.json" \
  --data "$work/crlf.csv" --policy "$policy"
expect 0 "verified:" -- verify --report "$work/report.json" --data "$data" --policy "$policy"
check '! grep -q "note:" "$work/out"' "same file: no note"

# --- a FAIL verdict reproduces too (verify's exit code is about reproduction) -----------
expect 1 "VERDICT: FAIL" -- run --data "$data" --policy "$ex/gate-strict.json" --report "$work/fail.json"
expect 0 "verified:" -- verify --report "$work/fail.json" --data "$data" --policy "$ex/gate-strict.json"

# --- one figure edited in the stored report: exit 1, the path and both values -----------
python3 - "$work/report.json" "$work/edited.json" <<'PY'
import json, sys
text = open(sys.argv[1]).read()
now = json.loads(text)["rules"][0]["estimate"]
at = text.index('"estimate": ', text.index('"rules": [\n    {'))
end = text.index(",", at)
open(sys.argv[2], "w").write(text[:at] + '"estimate": ' + repr(round(now + 0.001, 6)) + text[end:])
PY
estimate=$(json "$work/report.json" 'd["rules"][0]["estimate"]')
expect 1 "\$.rules[0].estimate: stored " -- verify --report "$work/edited.json" --data "$data" --policy "$policy" \
  --attestation "$work/not-written.json"
check 'grep -qF ", now $estimate" "$work/out"' "the difference names the fresh value $estimate"
check '[ ! -e "$work/not-written.json" ]' "an attestation was written for a report that did not reproduce"
# The first difference in document order: the verdict comes before the data and the policy.
expect 1 "\$.verdict: stored \"PASS\", now \"INCONCLUSIVE\"" -- verify --report "$work/report.json" --data "$ex/credit_eval_small.csv" --policy "$policy"
expect 1 "\$.verdict: stored \"PASS\", now \"FAIL\"" -- verify --report "$work/report.json" --data "$data" --policy "$ex/gate-strict.json"

# --- a stored file that is not this version's report: 65 naming it ----------------------
printf '{"note": "%s"}\n' "$secret" >"$work/other.json"
expect 65 "other.json: is not a referee report" -- verify --report "$work/other.json" --data "$data" --policy "$policy"
printf '{"note": "%s"\n' "$secret" >"$work/broken.json"
expect 65 "broken.json" -- verify --report "$work/broken.json" --data "$data" --policy "$policy"
expect 65 "credit_eval.csv" -- verify --report "$data" --data "$data" --policy "$policy"
sed 's/"referee_version": "[^"]*"/"referee_version": "0.0.1"/' "$work/report.json" >"$work/old.json"
expect 65 "old.json: was written by referee \"0.0.1\"" -- verify --report "$work/old.json" --data "$data" --policy "$policy"
expect 65 "max_report_bytes" -- verify --report "$work/report.json" --data "$data" --policy "$policy" --limit max_report_bytes=1000
expect 74 "missing.json" -- verify --report "$work/missing.json" --data "$data" --policy "$policy"

# --- usage: bad --subject, --attestation without --report; nothing written --------------
for subject in "model.pkl" "=sha256:$model_sha" "m=sha256:ABC" "m=sha256:${model_sha^^}" "m=sha512:$model_sha" \
  "m=sha256:${model_sha}0"; do
  expect 64 "must be NAME=sha256:HEX" -- run --data "$data" --policy "$policy" --report "$work/u.json" \
    --attestation "$work/us.json" --subject "$subject"
done
expect 64 "--attestation needs --report" -- run --data "$data" --policy "$policy" --attestation "$work/us.json"
expect 64 "--subject is given without --attestation" -- run --data "$data" --policy "$policy" --report "$work/u.json" \
  --subject "m=sha256:$model_sha"
expect 64 "--report is required" -- verify --data "$data" --policy "$policy"
expect 64 "unknown option --seed" -- verify --report "$work/report.json" --data "$data" --policy "$policy" --seed 3
check '[ ! -e "$work/u.json" ] && [ ! -e "$work/us.json" ]' "a usage error wrote an output"

# --- all or none: an attestation that cannot be written keeps the report from landing ---
expect 74 "no-such-dir" -- run --data "$data" --policy "$policy" --report "$work/n.json" \
  --attestation "$work/no-such-dir/s.json"
check '[ ! -e "$work/n.json" ]' "the report was written though its attestation could not be"
cp "$work/report.json" "$work/kept.json"
expect 65 "max_report_bytes" -- run --data "$data" --policy "$policy" --report "$work/kept.json" \
  --attestation "$work/statement.json" --limit max_report_bytes=2000
check 'cmp -s "$work/report.json" "$work/kept.json"' "a failed run replaced the report"

finish
