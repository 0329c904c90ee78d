"""The single-process budget stage: referee.evaluate on 10^6 rows with and without latency,
cost and error columns (B = 200, 1 thread, best of 3 each); the stage is the difference.
Run it with each build's Python to compare builds side by side (benchmarks/RESULTS.md)."""
import time, sys, numpy as np, pandas as pd, referee
n = 1_000_000
rng = np.random.default_rng(1)
y = (rng.random(n) < 0.3).astype(float)
df = pd.DataFrame({"id": np.arange(n).astype(str), "y": y, "a": rng.random(n), "b": rng.random(n),
                   "lat_a": rng.gamma(4, 5, n), "lat_b": rng.gamma(4, 5.5, n),
                   "cost_a": rng.random(n) * 1e-4, "cost_b": rng.random(n) * 1e-4,
                   "err_a": (rng.random(n) < .03).astype(float), "err_b": (rng.random(n) < .02).astype(float)})
base = {"version": 1, "task": "binary", "threshold": 0.5,
        "columns": {"label": "y", "champion": "a", "challenger": "b", "id": "id"},
        "bootstrap": {"resamples": 200, "seed": 3, "interval": "percentile"},
        "rules": [{"id": "auc", "metric": "roc_auc", "subject": "delta", "min": -0.05}]}
budg = {**base, "columns": {**base["columns"], "latency": {"champion": "lat_a", "challenger": "lat_b"},
        "cost": {"champion": "cost_a", "challenger": "cost_b"}, "error": {"champion": "err_a", "challenger": "err_b"}}}
def t(p):
    best = 1e9
    for _ in range(3):
        s = time.perf_counter(); referee.evaluate(df, p, threads=1); best = min(best, time.perf_counter() - s)
    return best
b0, b1 = t(base), t(budg)
print(referee.__file__, f"without budgets {b0:.3f}s with {b1:.3f}s budget stage {b1-b0:.3f}s")
