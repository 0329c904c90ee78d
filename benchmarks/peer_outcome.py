"""The peer of the outcome task's core: a vectorised numpy bootstrap loop.

What a team writes by hand to bootstrap an LLM eval's figures, made as fast as numpy
allows, so that the ratio is against a fair peer: per resample, whole-table row weights
(multinomial counts, `np.bincount` of n uniform draws, the cheapest weights numpy makes;
`--weights poisson` uses `rng.poisson(1, n)` instead, about twice as slow), and for each
of the two models the weighted mean, the pass rate (result >= the pass mark) and the
weighted quantiles at 0.5, 0.9, 0.95, 0.99 by numpy's "inverted_cdf" definition, with
each model's sort order made once outside the loop and outside the timing (a cumulative
sum of the weights in that order and one `searchsorted` per resample). An untimed resample
is checked first against `np.quantile(..., weights=..., method="inverted_cdf")` and
`np.average`. One thread, metrics only (no interval): referee's figure also includes its
point estimate and its two sorts.

Same data as bench_core's outcome load in kind (not bit for bit): a graded result in
(0, 1) per example and model, correlated through the example.

Run: python3 benchmarks/peer_outcome.py [--n 1000000] [--resamples 100] [--weights multinomial]
It prints the wall time and ns per row-resample (wall / (n * B)).
"""
import argparse
import os
import time

# One thread, as referee's one-thread figure: a threaded BLAS spinning on a busy machine
# makes a 10^6-element dot product take tens of milliseconds instead of one.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402 (after the thread settings, which numpy reads on import)

LEVELS = np.array([0.5, 0.9, 0.95, 0.99])


def make_data(n, rng):
    common = rng.normal(size=n)
    champion = 1 / (1 + np.exp(-(common + 0.7 * rng.normal(size=n))))
    challenger = 1 / (1 + np.exp(-(common + 0.7 * rng.normal(size=n) + 0.1)))
    return champion, challenger


def draw_weights(rng, n, scheme):
    if scheme == "poisson":
        return rng.poisson(1.0, size=n).astype(np.float64)
    return np.bincount(rng.integers(0, n, size=n), minlength=n).astype(np.float64)


def model_figures(x, order, passed, w):
    total = w.sum()
    cumulative = np.cumsum(w[order])
    # inverted_cdf: the smallest value whose cumulative share reaches q.
    at = np.searchsorted(cumulative / total, LEVELS, side="left")
    return np.concatenate(([x @ w / total, passed @ w / total], x[order[at]]))


def prepare(models, pass_mark):
    return [(x, np.argsort(x, kind="stable"), (x >= pass_mark).astype(np.float64)) for x in models]


def check_against_numpy(prepared, scheme, rng):
    """One resample's figures against numpy's own weighted quantile and mean (untimed)."""
    w = draw_weights(rng, prepared[0][0].size, scheme)
    for x, order, passed in prepared:
        figures = model_figures(x, order, passed, w)
        assert np.array_equal(figures[2:], np.quantile(x, LEVELS, weights=w, method="inverted_cdf"))
        assert np.isclose(figures[0], np.average(x, weights=w), rtol=1e-12, atol=0)


def bootstrap(prepared, resamples, scheme, rng):
    out = np.empty((resamples, len(prepared), 2 + LEVELS.size))
    for b in range(resamples):
        w = draw_weights(rng, prepared[0][0].size, scheme)
        for m, (x, order, passed) in enumerate(prepared):
            out[b, m] = model_figures(x, order, passed, w)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--resamples", type=int, default=100)
    ap.add_argument("--weights", choices=("multinomial", "poisson"), default="multinomial")
    args = ap.parse_args()
    rng = np.random.default_rng(20261203)
    prepared = prepare(make_data(args.n, rng), 0.5)  # the sorts, once, as referee's plan
    check_against_numpy(prepared, args.weights, rng)
    start = time.perf_counter()
    bootstrap(prepared, args.resamples, args.weights, rng)
    seconds = time.perf_counter() - start
    print(f"n={args.n} B={args.resamples} weights={args.weights} threads=1, 6 metrics x 2 models")
    print(f"numpy loop: {seconds:.3f} s, {seconds * 1e9 / (args.n * args.resamples):.2f} ns per row-resample")


if __name__ == "__main__":
    main()
