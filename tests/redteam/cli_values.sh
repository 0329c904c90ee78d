#!/usr/bin/env bash
# Red team, numbers (issue 14, class 4): extreme but finite values in every numeric column
# (labels, scores, weights, latencies, costs, error flags, drift features and their
# reference) for every task. A finite input is a verdict (0, 1, 2) or a data error (65),
# never an internal error (70), and no figure in report.json, the summary or report.md is
# NaN or infinite: an undefined figure says why. values_data.py writes each case's inputs.
. "$(dirname "$0")/lib.sh"

extremes=(0 5e-324 -5e-324 2.2250738585072014e-308 1e-300 -1e-300 1e300 -1e300
  1.7976931348623157e308 -1.7976931348623157e308)
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
finish
