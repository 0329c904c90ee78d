"""The peer of the multiclass task's core: scikit-learn's metrics in a Python paired bootstrap loop.

What a team writes by hand to put intervals on a K-class model comparison: per resample,
Poisson(1) row weights from numpy, then every default figure of the multiclass task
(docs/multiclass.md, docs/policy.md) for both models with scikit-learn and ``sample_weight``:
accuracy, balanced accuracy, top-2 accuracy, log loss, the multiclass Brier score,
precision/recall/F1 with macro, micro and weighted averaging (one
``precision_recall_fscore_support`` call per averaging, as a careful hand-written loop
would), Cohen's kappa, MCC, and one-vs-rest ROC AUC macro and weighted. Each model's
predicted class (the argmax) is made once, outside the loop and outside the timing. One
thread, metrics only (no interval, no jackknife), so the ratio understates referee's
advantage. One resample is run first, untimed, with warnings as errors: every figure is
finite and none was ill-defined.

Same kind of data as the binary peer's: labels drawn from K classes, each model's
probabilities a softmax of a shared latent plus its own noise, the challenger sharper.

    python3 benchmarks/peer_multiclass.py --n 1000000 --resamples 3          # the peer alone
    python3 benchmarks/peer_multiclass.py --n 100000 --resamples 20 --referee build/referee
    python3 benchmarks/peer_multiclass.py --n 2000 --resamples 2              # a smoke check

It prints the wall and CPU time and ns per row-resample (time / (n * B)); with ``--referee`` it
also runs ``referee run`` on the same rows (CSV written first, untimed; one thread,
percentile intervals) and prints the ratio. At N = 10^6 the loop takes seconds per
resample, so a small B gives its per-row-resample cost (it is linear in B).
"""
import argparse
import json
import os
import subprocess
import tempfile
import time
import warnings

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # one thread, as referee's one-thread figure

import numpy as np  # noqa: E402
from sklearn import metrics as m  # noqa: E402

FIGURES = 18  # the multiclass task's default figures, per model


def make_data(n, k, rng):
    y = rng.integers(0, k, n)
    shared = rng.normal(size=(n, k))
    onehot = np.eye(k)[y]
    models = []
    for signal in (1.5, 2.0):
        logits = signal * onehot + shared + 0.7 * rng.normal(size=(n, k))
        z = np.exp(logits - logits.max(axis=1, keepdims=True))
        models.append(z / z.sum(axis=1, keepdims=True))
    return y, models


def brier(onehot, proba, w):
    return np.average(((proba - onehot) ** 2).sum(axis=1), weights=w)


def model_figures(y, onehot, proba, pred, labels, w):
    """The 18 default figures of one model under row weights ``w``."""
    out = [m.accuracy_score(y, pred, sample_weight=w),
           m.balanced_accuracy_score(y, pred, sample_weight=w),
           m.top_k_accuracy_score(y, proba, k=2, labels=labels, sample_weight=w),
           m.log_loss(y, proba, labels=labels, sample_weight=w),
           brier(onehot, proba, w)]
    for average in ("macro", "micro", "weighted"):
        out.extend(m.precision_recall_fscore_support(y, pred, labels=labels, average=average, sample_weight=w,
                                                     zero_division=0)[:3])
    out += [m.cohen_kappa_score(y, pred, labels=labels, sample_weight=w),
            m.matthews_corrcoef(y, pred, sample_weight=w)]
    for average in ("macro", "weighted"):
        out.append(m.roc_auc_score(y, proba, multi_class="ovr", average=average, labels=labels, sample_weight=w))
    return out


def bootstrap(y, models, resamples, rng):
    labels = np.arange(models[0].shape[1])
    onehot = np.eye(labels.size)[y]
    preds = [p.argmax(axis=1) for p in models]  # not weight-dependent: once, as referee does
    out = np.empty((resamples, len(models), FIGURES))
    for b in range(resamples):
        w = rng.poisson(1.0, size=y.size).astype(np.float64)
        for j, (proba, pred) in enumerate(zip(models, preds)):
            out[b, j] = model_figures(y, onehot, proba, pred, labels, w)
    return out


def run_referee(referee, y, models, resamples):
    k = models[0].shape[1]
    with tempfile.TemporaryDirectory() as tmp:
        data, policy = os.path.join(tmp, "eval.csv"), os.path.join(tmp, "gate.json")
        header = ",".join(["y"] + [f"a_{j}" for j in range(k)] + [f"b_{j}" for j in range(k)])
        np.savetxt(data, np.column_stack([y, *models]), delimiter=",", header=header, comments="",
                   fmt=["%d"] + ["%.17g"] * (2 * k))
        with open(policy, "w") as f:
            json.dump({"version": 1, "task": "multiclass",
                       "columns": {"label": "y", "champion": {"prefix": "a_"}, "challenger": {"prefix": "b_"}},
                       "bootstrap": {"resamples": resamples, "interval": "percentile", "seed": 1},
                       "rules": [{"id": "acc", "metric": "accuracy", "subject": "delta", "min": -1}]}, f)
        start = time.perf_counter()
        done = subprocess.run([referee, "run", "--data", data, "--policy", policy, "--threads", "1", "--quiet"])
        seconds = time.perf_counter() - start
    if done.returncode not in (0, 1, 2):
        raise SystemExit(f"referee exited {done.returncode}")
    return seconds


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--classes", type=int, default=10)
    ap.add_argument("--resamples", type=int, default=3)
    ap.add_argument("--referee", help="a referee CLI to run on the same rows, for the ratio")
    args = ap.parse_args()
    rng = np.random.default_rng(20261203)
    y, models = make_data(args.n, args.classes, rng)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a warning would mean a metric was ill-defined on the data
        assert np.isfinite(bootstrap(y, models, 1, rng)).all()  # untimed check
        start, cpu = time.perf_counter(), time.process_time()
        bootstrap(y, models, args.resamples, rng)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    per, cpu_per = (t * 1e9 / (args.n * args.resamples) for t in (seconds, cpu))
    print(f"n={args.n} K={args.classes} B={args.resamples} threads=1, {FIGURES} metrics x 2 models")
    print(f"scikit-learn loop (metrics only): {seconds:.3f} s, {per:.1f} ns per row-resample "
          f"(CPU {cpu:.3f} s, {cpu_per:.1f} ns)")
    if args.referee:
        referee_seconds = run_referee(args.referee, y, models, args.resamples)
        ref_per = referee_seconds * 1e9 / (args.n * args.resamples)
        print(f"referee (CLI, incl. CSV parse and CIs): {referee_seconds:.3f} s, {ref_per:.1f} ns per row-resample")
        print(f"ratio peer / referee: {seconds / referee_seconds:.1f}x")


if __name__ == "__main__":
    main()
