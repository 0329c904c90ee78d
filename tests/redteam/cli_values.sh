#!/usr/bin/env bash
# Red team, numbers and text (issue 14, classes 4 and 5).
# Numbers: extreme but finite values in every numeric column
# (labels, scores, weights, latencies, costs, error flags, drift features and their
# reference) for every task. A finite input is a verdict (0, 1, 2) or a data error (65),
# never an internal error (70), and no figure in report.json, the summary or report.md is
# NaN or infinite: an undefined figure says why. values_data.py writes each case's inputs.
# Text: control sequences, bidirectional overrides, raw HTML and Markdown links planted in
# segment values, column names, rule ids and policy names come out escaped in the summary,
# report.md and report.html; and no planted value (SECRET-4242) reaches an error message.
. "$(dirname "$0")/lib.sh"

# Six of the ten extremes of tests/unit/extreme_values.cpp (which sweeps all ten in process,
# as does tests/python/test_redteam_values.py): enough to reach every path at the door,
# few enough that the suite stays short under the sanitizers.
extremes=(0 5e-324 -1e-300 1e300 1.7976931348623157e308 -1.7976931348623157e308)
columns=(y champ chal w lat_a lat_b cost_a cost_b err_a err_b f1 ref_f1 ref_champ)

# report_is_finite FILE: no NaN or infinity anywhere (nlohmann writes both as null), so a
# null figure must sit beside the reason it is undefined.
report_is_finite() {
  python3 - "$1" <<'PY'
import json, sys
bad = []
reasons = ("undefined", "ci_undefined", "reason")
allowed_null = ("file", "sha256")
def walk(node, path):
    if isinstance(node, dict):
        for k, v in node.items():
            if v is None and k not in allowed_null and not any(r in node for r in reasons):
                bad.append(f"{path}.{k}: null without a reason")
            walk(v, f"{path}.{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            if v is None:
                bad.append(f"{path}[{i}]: null in a list")
            walk(v, f"{path}[{i}]")
def refuse(word):
    raise ValueError(word)
walk(json.load(open(sys.argv[1]), parse_constant=refuse), "$")
print("\n".join(bad[:3]))
sys.exit(1 if bad else 0)
PY
}

sweep_case() {
  local task=$1 column=$2 value=$3 mode=$4 name="$1/$2=$3/$4"
  local d="$work/case"
  rm -rf "$d"; mkdir -p "$d"
  python3 "$src/tests/redteam/values_data.py" "$d" "$task" "$column" "$value" "$mode"
  timeout 60 "$bin" run --data "$d/data.csv" --policy "$d/policy.json" --report "$d/report.json" \
    --markdown "$d/report.md" --threads 1 >"$d/stdout" 2>"$d/stderr" </dev/null
  local got=$?
  case $got in
    0 | 1 | 2) ;;
    65) if [ -e "$d/report.json" ]; then bad "$name: a data error left a report"; else ok; fi; return ;;
    *) bad "$name: exited $got"; head -c 400 "$d/stderr" | sed 's/^/    /'; return ;;
  esac
  if grep -qiwE 'nan|-nan|inf|-inf|infinity' "$d/stdout" "$d/report.md"; then
    bad "$name: NaN or infinity in the summary or report.md"
    grep -hiwE 'nan|inf|infinity' "$d/stdout" "$d/report.md" | head -3 | sed 's/^/    /'
    return
  fi
  local why
  if ! why=$(report_is_finite "$d/report.json" 2>&1); then bad "$name: report.json: $why"; return; fi
  ok
}

# REFEREE_REDTEAM_QUICK=1 skips the sweep (for a quick run of the text cases).
[ -n "${REFEREE_REDTEAM_QUICK:-}" ] && columns=()
for task in binary regression; do
  for column in "${columns[@]}"; do
    for value in "${extremes[@]}"; do
      for mode in one half all; do sweep_case "$task" "$column" "$value" "$mode"; done
    done
  done
done
# A huge count of equal values: every row the same in every column but the label.
for task in binary regression; do
  for value in 0 1e300 -1e300; do sweep_case "$task" champ "$value" all; done
done
# A list price whose cost per 1000 exceeds a double (1e308 an hour at 1e-300 a second).
price_case() {
  local name="pricing/$1" d="$work/price"
  rm -rf "$d"; mkdir -p "$d"
  sed "s/\"per_hour\": 1.21, \"throughput_per_s\": 2.5/$2/" "$ex/gate-loadtest.json" >"$d/policy.json"
  "$bin" run --data "$ex/credit_eval_small.csv" --policy "$d/policy.json" --latency "$ex/latency_loadtest.csv" \
    --report "$d/report.json" --markdown "$d/report.md" >"$d/stdout" 2>"$d/stderr"
  local got=$?
  case $got in
    0 | 1 | 2) ;;
    *) bad "$name: exited $got"; head -c 300 "$d/stderr" | sed 's/^/    /'; return ;;
  esac
  if grep -qiwE 'nan|inf|infinity' "$d/stdout" "$d/report.md"; then bad "$name: NaN or infinity"; return; fi
  local why
  if ! why=$(report_is_finite "$d/report.json" 2>&1); then bad "$name: report.json: $why"; return; fi
  ok
}
price_case beyond-double '"per_hour": 1e308, "throughput_per_s": 1e-300'
price_case tiny '"per_hour": 1e-300, "throughput_per_s": 1e300'

# --- text from data and policy, escaped for each medium --------------------------------
secret="SECRET-4242"
esc=$'\x1b[31m'
bidi=$'\u202e'
hostile="${secret}${esc}x${bidi}y<script>alert(1)</script>[x](javascript:alert(1))"
t="$work/text"
mkdir -p "$t"
# A table whose segment column is named with an escape sequence and whose values are hostile.
{
  printf 'y,champ,chal,seg%s<blink>\n' "$esc"
  for i in $(seq 0 199); do
    printf '%d,0.%02d,0.%02d,%s\n' $((i % 2)) $((30 + 40 * (i % 2) + i % 7)) $((25 + 50 * (i % 2) - i % 5)) \
      "$([ $((i % 3)) -eq 0 ] && echo plain || echo "$hostile")"
  done
} >"$t/data.csv"
cat >"$t/policy.json" <<JSON
{"version": 1, "name": "gate \u202e<marquee>", "task": "binary",
 "columns": {"label": "y", "champion": "champ", "challenger": "chal", "segments": ["seg\u001b[31m<blink>"]},
 "segments_min": {"rows": 5}, "bootstrap": {"resamples": 100, "seed": 1},
 "rules": [{"id": "r\u001b[31m[x](javascript:1)", "metric": "roc_auc", "subject": "delta", "min": 0.5,
            "scope": {"each_segment": "seg\u001b[31m<blink>"}}]}
JSON
"$bin" run --data "$t/data.csv" --policy "$t/policy.json" --report "$t/r.json" --markdown "$t/r.md" \
  --html "$t/r.html" >"$t/stdout" 2>"$t/stderr"
code=$?
# escaped_everywhere FILE NEEDLE: every NEEDLE in FILE follows a backslash.
escaped_everywhere() { ! grep -aoP "(^|[^\\\\])\Q$2\E" "$1" >/dev/null; }
case $code in
  0 | 1 | 2)
    if grep -qaP '\x1b|\xe2\x80\xae' "$t/stdout"; then bad "text-summary: a raw escape or bidi override"; else ok; fi
    if grep -qaP '\x1b|\xe2\x80\xae' "$t/r.md"; then bad "text-markdown: a raw escape or bidi override"; else ok; fi
    if escaped_everywhere "$t/r.md" "<script" && escaped_everywhere "$t/r.md" "<blink" &&
      escaped_everywhere "$t/r.md" "<marquee" && escaped_everywhere "$t/r.md" "[x](javascript:alert"; then ok
    else bad "text-markdown: raw HTML or a link from the data"; fi
    if grep -qaP '<script|<blink|<marquee|\x1b|\xe2\x80\xae' "$t/r.html"; then bad "text-html: unescaped text"; else ok; fi
    if python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$t/r.json"; then ok; else bad "text-json: invalid"; fi
    ;;
  *) bad "text: exited $code"; head -c 400 "$t/stderr" | sed 's/^/    /' ;;
esac

# --- no cell value in any message --------------------------------------------------------
# cell_case NAME FRAGMENT HEADER ROW...: a table whose planted cell must not be quoted.
cell_case() {
  local name=$1 fragment=$2 header=$3
  shift 3
  printf '%s\n' "$header" "$@" >"$t/bad.csv"
  attack "$name" 65 "$fragment" "4242" -- run --data "$t/bad.csv" --policy "$t/plain.json" --report "$work/out/r.json"
}
cat >"$t/plain.json" <<JSON
{"version": 1, "task": "binary", "columns": {"label": "y", "champion": "a", "challenger": "b", "weight": "w",
 "latency": {"champion": "la", "challenger": "lb"}, "error": {"champion": "ea", "challenger": "eb"},
 "segments": ["s"], "sensitive": ["s"]},
 "fairness": {"reference": {"s": "SECRET-4243"}},
 "bootstrap": {"resamples": 100, "seed": 1},
 "rules": [{"id": "auc", "metric": "roc_auc", "subject": "delta", "min": -1}]}
JSON
h="y,a,b,w,la,lb,ea,eb,s"
ok_row="0,0.2,0.3,1,10,12,0,0,SECRET-4242"
one_row="1,0.7,0.6,1,11,13,0,0,SECRET-4242"
cell_case label-4242 'row 2, column "y": the label is not 0 or 1' "$h" "$ok_row" "4242,0.7,0.6,1,11,13,0,0,x"
cell_case score-4242 'row 2, column "a": the value is outside [0, 1]' "$h" "$ok_row" "1,4242.5,0.6,1,11,13,0,0,x"
cell_case weight-4242 'column "w"' "$h" "$ok_row" "1,0.7,0.6,-4242,11,13,0,0,x"
cell_case latency-4242 'column "la"' "$h" "$ok_row" "1,0.7,0.6,1,-4242,13,0,0,x"
cell_case error-flag-4242 'row 2, column "ea": the error flag is not 0 or 1' "$h" "$ok_row" "1,0.7,0.6,1,11,13,4242,0,x"
# The fairness reference "SECRET-4243" is one letter from a segment value: no suggestion may
# quote the data's "SECRET-4242".
printf '%s\n' "$h" "$ok_row" "$one_row" >"$t/near.csv"
attack reference-not-suggested 65 'does not occur in column "s"' "$secret" -- \
  run --data "$t/near.csv" --policy "$t/plain.json" --report "$work/out/r.json"
printf 'model,latency_ms\nchampion,10\nchallenger,-4242\n' >"$t/latency.csv"
attack latency-sample-4242 65 "latency.csv: row 2, column \"latency_ms\": the value is negative" "4242" -- \
  run --data "$ex/credit_eval_small.csv" --policy "$ex/gate-loadtest.json" --latency "$t/latency.csv" \
  --report "$work/out/r.json"
finish
