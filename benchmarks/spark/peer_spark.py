"""The peer a Spark user writes without referee (issue 16): B bootstrap passes, each a
``sample(withReplacement=True, fraction=1.0, seed=b)`` of the table and MLlib's
``BinaryClassificationEvaluator`` (areaUnderROC and areaUnderPR) for both models, then
percentile intervals of the paired AUC delta from the B values on the driver.

    python3 benchmarks/spark/peer_spark.py --data /tmp/referee-spark-bench --passes 3 --resamples 200

Computes 4 figures a resample (AUC and AP of two models) where referee computes 13 metrics
for both models, with no weights, clusters or jackknife: the peer is given every advantage.
It times the point estimate and ``--passes`` resamples and extrapolates to ``--resamples``
when --passes is smaller (printed as such). Spark's sample(withReplacement=True) draws
Poisson(1) counts per row, which is referee's scheme too.
"""

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from peak_rss import PeakRss  # noqa: E402
from spark_session import session  # noqa: E402


def figures(frame, evaluators):
    return {(model, metric): ev.evaluate(frame) for (model, metric), ev in evaluators.items()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--passes", type=int, default=3)
    parser.add_argument("--resamples", type=int, default=200)
    parser.add_argument("--master", default="local[2]")
    args = parser.parse_args()

    from pyspark.ml.evaluation import BinaryClassificationEvaluator
    from pyspark.sql import functions as F

    with PeakRss() as peak:
        spark = session(args.master)
        started = time.perf_counter()
        table = spark.read.parquet(str(args.data / "eval.parquet")).select(
            F.col("y").cast("double").alias("y"), "score_prod", "score_new").cache()
        rows = table.count()
        evaluators = {(m, metric): BinaryClassificationEvaluator(rawPredictionCol=m, labelCol="y", metricName=metric)
                      for m in ("score_prod", "score_new") for metric in ("areaUnderROC", "areaUnderPR")}
        point = figures(table, evaluators)
        setup = time.perf_counter() - started
        times, deltas = [], []
        for b in range(args.passes):
            t = time.perf_counter()
            f = figures(table.sample(withReplacement=True, fraction=1.0, seed=b), evaluators)
            times.append(time.perf_counter() - t)
            print(json.dumps({"pass": b, "s": round(times[-1], 2), "setup_and_point_s": round(setup, 2)}),
                  file=sys.stderr, flush=True)  # progress, so that a stopped run still tells
            deltas.append(f[("score_new", "areaUnderROC")] - f[("score_prod", "areaUnderROC")])
        wall = time.perf_counter() - started
    per_pass = statistics.median(times)
    print(json.dumps({
        "what": "peer: sample(withReplacement=True) + BinaryClassificationEvaluator", "master": args.master,
        "rows": rows, "passes_timed": args.passes, "resamples": args.resamples,
        "setup_and_point_s": round(setup, 2), "pass_s": [round(t, 2) for t in times],
        "wall_s_measured": round(wall, 2),
        "wall_s_for_resamples": round(setup + per_pass * args.resamples, 1),
        "extrapolated": args.passes < args.resamples, "point_auc_delta":
            point[("score_new", "areaUnderROC")] - point[("score_prod", "areaUnderROC")],
        "cpu_s_all_processes": peak.cpu_seconds(), "peak_rss_mib": peak.mib()}), flush=True)


if __name__ == "__main__":
    main()
