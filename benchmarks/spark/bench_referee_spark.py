"""referee on Spark over the benchmark's Parquet (make_data.py), timed, with peak memory.

    python3 benchmarks/spark/bench_referee_spark.py --data /tmp/referee-spark-bench [--partitions P]

Prints one JSON line: wall seconds (SparkSession start excluded, the Parquet read
included), the verdict, and peak RSS (MiB) of the JVM (driver = executor in local mode),
of one Python worker, of all Python workers at once and of the driver's Python. With
--check, also runs referee.evaluate on the same Parquet in this process and says whether
the reports are identical outside "run" (not timed).
"""

import argparse
import json
import logging
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from peak_rss import PeakRss  # noqa: E402
from spark_session import session  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--partitions", type=int, default=None)
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")

    from referee import spark as referee_spark

    policy = json.loads((args.data / "gate.json").read_text())
    with PeakRss() as peak:
        spark = session(args.master)
        started = time.perf_counter()
        report = referee_spark.evaluate(spark.read.parquet(str(args.data / "eval.parquet")), policy,
                                        partitions=args.partitions)
        wall = time.perf_counter() - started
    result = {"what": "referee.spark", "master": args.master, "partitions": args.partitions,
              "rows": report.to_dict()["data"]["rows"], "resamples": policy["bootstrap"]["resamples"],
              "wall_s": round(wall, 2), "cpu_s_all_processes": peak.cpu_seconds(), "verdict": report.verdict, "peak_rss_mib": peak.mib()}
    if args.check:
        import pandas as pd

        import referee

        one = referee.evaluate(pd.read_parquet(args.data / "eval.parquet"), policy).to_dict()
        mine = report.to_dict()
        one.pop("run")
        mine.pop("run")
        result["identical_to_one_process"] = one == mine
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
