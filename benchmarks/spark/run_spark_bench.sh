#!/usr/bin/env bash
# The Spark benchmark of issue 16 (benchmarks/RESULTS.md, "referee on Spark"): N rows,
# B = 200, binary, every metric; the single-process CLI from CSV, referee.evaluate from
# Parquet, referee on Spark local[2], and the Spark peer (a few passes, extrapolated).
#   bash benchmarks/spark/run_spark_bench.sh [ROWS] [DATA_DIR] [PEER_PASSES]
# Needs: the referee CLI on PATH (or REFEREE=path), a Python with referee, pyspark and
# pyarrow (PYTHON=path), Java 17. The data is written to DATA_DIR, never to the repository.
set -euo pipefail
ROWS=${1:-20000000}
DATA=${2:-/tmp/referee-spark-bench}
PASSES=${3:-3}
PYTHON=${PYTHON:-python3}
REFEREE=${REFEREE:-referee}
here=$(cd "$(dirname "$0")" && pwd)

[ -f "$DATA/gate.json" ] || "$PYTHON" "$here/make_data.py" --rows "$ROWS" --out "$DATA"
# The machine may be shared: each step prints the load average it started under.
load() { echo "   load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"; }

echo "== single process: referee run (CSV), 2 threads"
load
/usr/bin/time -f "wall %e s, peak RSS %M KiB" "$REFEREE" run --data "$DATA/eval.csv" --policy "$DATA/gate.json" \
  --threads 2 --quiet --report "$DATA/report-cli.json" || true   # exit 1/2 is a verdict

echo "== single process: referee.evaluate (Parquet via pandas), 2 threads"
load
/usr/bin/time -f "wall %e s, peak RSS %M KiB" "$PYTHON" -c "
import json, sys, time, pandas as pd, referee
t = time.perf_counter()
frame = pd.read_parquet('$DATA/eval.parquet')
r = referee.evaluate(frame, '$DATA/gate.json', threads=2)
print(json.dumps({'what': 'referee.evaluate(parquet)', 'wall_s': round(time.perf_counter() - t, 2), 'verdict': r.verdict}))
r.save('$DATA/report-python.json')"

echo "== referee on Spark local[2]"
load
"$PYTHON" "$here/bench_referee_spark.py" --data "$DATA" --master "local[2]"

echo "== peer: sample(withReplacement=True) + BinaryClassificationEvaluator, $PASSES passes timed"
load
"$PYTHON" "$here/peer_spark.py" --data "$DATA" --passes "$PASSES" --resamples 200
