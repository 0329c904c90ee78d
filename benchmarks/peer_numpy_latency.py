"""The peer for bench_latency: the same percentiles and bootstrap deltas with numpy.

N latency samples (half per model, the same distributions as bench_latency), B
independent bootstrap resamples per model, each drawn the usual numpy way (an index
array, a copy, numpy.quantile). Prints wall time and ns per (sample x resample), to be
set beside bench_latency's figure as a ratio (benchmarks/run_latency_bench.sh).
Run: python3 benchmarks/peer_numpy_latency.py N B
"""
import sys
import time

import numpy as np

PROBABILITIES = [0.5, 0.9, 0.95, 0.99, 0.999]


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000_000
    b = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    rng = np.random.default_rng(20261124)
    samples = [np.round(rng.lognormal(np.log(18.0), 0.35, n // 2), 3),
               np.round(rng.lognormal(np.log(20.7), 0.38, n - n // 2), 3)]
    start = time.perf_counter()
    point = [np.quantile(x, PROBABILITIES) for x in samples]
    replicates = np.empty((b, 2, len(PROBABILITIES)))
    for i in range(b):
        for m, x in enumerate(samples):
            replicates[i, m] = np.quantile(x[rng.integers(0, len(x), len(x))], PROBABILITIES)
    delta = replicates[:, 1, 3] - replicates[:, 0, 3]
    lo, hi = np.quantile(delta, [0.025, 0.975])
    seconds = time.perf_counter() - start
    print(f"numpy N={n} B={b}: {seconds:.2f} s, {seconds * 1e9 / (n * b):.2f} ns per sample x resample")
    print(f"p99 delta {point[1][3] - point[0][3]:+.3f} [{lo:+.3f}, {hi:+.3f}]")


if __name__ == "__main__":
    main()
