"""The Spark benchmark's evaluation table (issue 16): N rows of a binary gate with a row id,
written as Parquet (8 files, as a Spark job would leave them) and as one CSV, plus the
policy. The data is not committed: write it under /tmp or build/.

    python3 benchmarks/spark/make_data.py --rows 20000000 --out /tmp/referee-spark-bench

Rows: txn_id (a unique int64, in random order), y (1 for ~30 %), score_prod and
score_new (logistic scores, the challenger slightly better). The CSV is written by pyarrow
from the same arrays (shortest round-trip doubles), so both files hold the same values.
"""

import argparse
import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

POLICY = {
    "version": 1,
    "name": "Spark benchmark: binary, every metric, B = 200",
    "task": "binary",
    "columns": {"label": "y", "champion": "score_prod", "challenger": "score_new", "id": "txn_id"},
    "threshold": 0.5,
    "bootstrap": {"resamples": 200, "confidence": 0.95, "interval": "percentile", "scheme": "poisson", "seed": 16},
    "rules": [
        {"id": "auc", "metric": "roc_auc", "subject": "delta", "min": -0.005},
        {"id": "ap", "metric": "average_precision", "subject": "delta", "min": -0.01},
        {"id": "log-loss", "metric": "log_loss", "subject": "relative_delta", "max": 0.02},
        {"id": "brier", "metric": "brier", "subject": "delta", "max": 0.005},
    ],
}


def table(rows: int, seed: int) -> pa.Table:
    rng = np.random.default_rng(seed)
    y = (rng.random(rows) < 0.3).astype(np.int64)
    signal = y - 0.3
    prod = 1 / (1 + np.exp(-(1.2 * signal + rng.normal(size=rows) - 0.8)))
    new = 1 / (1 + np.exp(-(1.3 * signal + rng.normal(size=rows) - 0.8)))
    ids = rng.permutation(rows).astype(np.int64) * 7 + 1_000_000
    return pa.table({"txn_id": ids, "y": y, "score_prod": prod, "score_new": new})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=20_000_000)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--files", type=int, default=8)
    parser.add_argument("--no-csv", action="store_true")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    data = table(args.rows, args.seed)
    parquet = args.out / "eval.parquet"
    parquet.mkdir(exist_ok=True)
    step = -(-args.rows // args.files)
    for k in range(args.files):
        pq.write_table(data.slice(k * step, step), parquet / f"part-{k:05d}.parquet", row_group_size=1 << 20)
    if not args.no_csv:
        pacsv.write_csv(data, args.out / "eval.csv")
    (args.out / "gate.json").write_text(json.dumps(POLICY, indent=2) + "\n")
    print(f"{args.rows} rows -> {args.out}")


if __name__ == "__main__":
    main()
