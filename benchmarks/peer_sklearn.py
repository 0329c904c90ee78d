"""Side-by-side: referee against the usual Python way of bootstrapping a model comparison.

The peer is what a team writes by hand: for each resample, draw Poisson(1) row weights with
numpy and call the scikit-learn metric functions, with those weights, for both models. Both
compute the same 13 binary metrics for both models on the same rows with B resamples. The
peer gets the easy part only (no CI computation, no jackknife, one thread), so the ratio
understates referee's advantage.

Run: python3 benchmarks/peer_sklearn.py --referee build/referee [--n 100000] [--resamples 100]
"""
import argparse
import json
import os
import subprocess
import tempfile
import time
import warnings

import numpy as np
from sklearn import metrics as m


def make_data(n, rng):
    y = (rng.random(n) < 0.12).astype(int)
    common = rng.normal(size=n)
    champion = 1 / (1 + np.exp(-(common + 0.7 * rng.normal(size=n) + 1.1 * y - 2.0)))
    challenger = 1 / (1 + np.exp(-(common + 0.7 * rng.normal(size=n) + 1.3 * y - 2.0)))
    return y, champion, challenger


def sklearn_bootstrap(y, scores, resamples, threshold, rng):
    for _ in range(resamples):
        w = rng.poisson(1.0, size=y.size).astype(float)
        for s in scores:
            pred = (s >= threshold).astype(int)
            m.accuracy_score(y, pred, sample_weight=w)
            m.balanced_accuracy_score(y, pred, sample_weight=w)
            m.precision_score(y, pred, sample_weight=w, zero_division=0)
            m.recall_score(y, pred, sample_weight=w)
            m.recall_score(y, pred, pos_label=0, sample_weight=w)  # specificity, fpr = 1 - it
            m.f1_score(y, pred, sample_weight=w)
            m.matthews_corrcoef(y, pred, sample_weight=w)
            m.roc_auc_score(y, s, sample_weight=w)
            m.average_precision_score(y, s, sample_weight=w)
            m.log_loss(y, s, sample_weight=w)
            m.brier_score_loss(y, s, sample_weight=w)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--referee", required=True)
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--resamples", type=int, default=100)
    args = ap.parse_args()
    rng = np.random.default_rng(1)
    y, a, b = make_data(args.n, rng)
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "eval.csv")
        np.savetxt(data, np.column_stack([y, a, b]), delimiter=",", header="y,a,b", comments="",
                   fmt=["%d", "%.9f", "%.9f"])
        policy = os.path.join(tmp, "gate.json")
        with open(policy, "w") as f:
            json.dump({"version": 1, "task": "binary",
                       "columns": {"label": "y", "champion": "a", "challenger": "b"},
                       "bootstrap": {"resamples": args.resamples, "interval": "percentile", "seed": 1},
                       "rules": [{"id": "auc", "metric": "roc_auc", "subject": "delta", "min": 0}]}, f)
        start = time.perf_counter()
        subprocess.run([args.referee, "run", "--data", data, "--policy", policy, "--threads", "1",
                        "--quiet"], check=False)
        referee_seconds = time.perf_counter() - start
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        start = time.perf_counter()
        sklearn_bootstrap(y, (a, b), args.resamples, 0.5, rng)
        peer_seconds = time.perf_counter() - start
    print(f"n={args.n} B={args.resamples} threads=1, 13 metrics x 2 models")
    print(f"referee (CLI, incl. CSV parse and CIs): {referee_seconds:8.3f} s")
    print(f"scikit-learn loop (metrics only):       {peer_seconds:8.3f} s")
    print(f"ratio peer / referee:                   {peer_seconds / referee_seconds:8.1f}x")


if __name__ == "__main__":
    main()
