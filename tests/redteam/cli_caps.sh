#!/usr/bin/env bash
# Red-team cases for the caps on what grows with the data's variety (issue 14, class 3):
# segment values, crossed segments, sensitive groups and categorical drift features. Each
# must fail fast with a DataError (65) naming its cap, before any resample is drawn, and
# write nothing; within the cap the same run passes.
. "$(dirname "$0")/lib.sh"

out="$work/out"
secret="SECRET-4242"

# A segment column with 100,000 distinct values (the issue's 3 min 40 s, 9.2 GB run).
python3 - "$ex/credit_eval.csv" "$work/wide.csv" "$secret" <<'EOF'
import csv, sys
src, dst, secret = sys.argv[1:]
with open(src, newline="") as f:
    rows = list(csv.reader(f))
header, body = rows[0], rows[1:]
region = header.index("region")
with open(dst, "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(header)
    for i in range(100_000):
        row = list(body[i % len(body)])
        row[region] = f"{secret}-{i}"
        w.writerow(row)
EOF
sed 's/"resamples": 1000/"resamples": 200/' "$ex/gate-segments.json" >"$work/segments.json"

start=$(date +%s)
attack segment-values-100000 65 "the segment \"region\" has more than max_segment_values = 1000" "$secret" -- \
  run --data "$work/wide.csv" --policy "$work/segments.json" --report "$out/r.json" --markdown "$out/r.md"
elapsed=$(( $(date +%s) - start ))
if [ "$elapsed" -gt 30 ]; then bad "segment-values-100000 took ${elapsed}s: the cap must fail fast"; else ok; fi

# Crossed segments: 5 regions x 4 channels = 20 combinations, over a cap of 10 that each
# column alone (5 and 4 values) stays under.
attack crossed-segments-over-cap 65 "the segment \"region*channel\" has more than max_segment_values = 10" -- \
  run --data "$ex/credit_eval.csv" --policy "$work/segments.json" --report "$out/r.json" \
  --limit max_segment_values=10

# A sensitive attribute counts as a grouping too: sex has 2 groups, over a cap of 1.
attack sensitive-groups-over-cap 65 "more than max_segment_values = 1" -- \
  run --data "$ex/credit_eval.csv" --policy "$work/segments.json" --report "$out/r.json" \
  --limit max_segment_values=1

# A categorical drift feature: region has a handful of values, over a cap of 2.
attack drift-categories-over-cap 65 "column \"region\": the categorical drift feature has" -- \
  run --data "$ex/credit_eval.csv" --policy "$ex/gate-budgets.json" --report "$out/r.json" \
  --limit max_segment_values=2

# Within the caps the same runs succeed (a verdict, not an error): the caps refuse only
# what passes them.
if "$bin" run --data "$ex/credit_eval.csv" --policy "$work/segments.json" --report "$work/ok.json" \
  --limit max_segment_values=20 >/dev/null 2>&1 || [ $? -le 3 ]; then ok; else bad "within-cap run failed"; fi

finish
