"""The simulation behind kMinDiscordantRows (src/estimate/discreteness.hpp, docs/intervals.md).

Coverage of the paired delta accuracy by the Poisson-bootstrap percentile interval and by
Tango's score interval, as the expected number of discordant rows grows. Only the
discordant cells matter for the delta, so a dataset is drawn as its cells: multinomial
counts (challenger only, champion only, concordant) over n rows, in the ratio 3 : 2. The
Poisson bootstrap of (b - c) / n* is drawn directly: a cell of k rows gets Poisson(k)
total weight. Tango's interval here is this script's own (a bisection on the published
statistic), independent of referee's C++.

    python3 benchmarks/paired_proportions/threshold_simulation.py   # about 3 minutes
"""

import numpy as np
from scipy.stats import norm

N, B, DATASETS = 5000, 1000, 2000
Z = norm.ppf(0.975)


def tango(b, c, n, z):
    def statistic(d):
        qa, qb, qc = 2 * n, -b - c + (2 * n - b + c) * d, -c * d * (1 - d)
        q = (np.sqrt(max(qb * qb - 4 * qa * qc, 0.0)) - qb) / (2 * qa)
        den = np.sqrt(n * (2 * q + d * (1 - d)))
        return 0.0 if den == 0 else (b - c - n * d) / den

    def crossing(target):
        lo, hi = -1 + 1e-12, 1 - 1e-12
        for _ in range(200):
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if statistic(mid) > target else (lo, mid)
        return (lo + hi) / 2

    return crossing(z), crossing(-z)


def main():
    rng = np.random.default_rng(1)
    print("| expected discordant rows | percentile bootstrap | Tango score |")
    print("|---|---|---|")
    for m in [3, 5, 10, 15, 20, 30, 50]:
        p01, p10 = 0.6 * m / N, 0.4 * m / N
        truth = p01 - p10
        boot = score = 0
        for _ in range(DATASETS):
            b, c, _rest = rng.multinomial(N, [p01, p10, 1 - p01 - p10])
            bs, cs = rng.poisson(b, B), rng.poisson(c, B)
            ns = bs + cs + rng.poisson(N - b - c, B)
            lo, hi = np.quantile((bs - cs) / ns, [0.025, 0.975])
            boot += lo <= truth <= hi
            lo, hi = tango(b, c, N, Z)
            score += lo <= truth <= hi
        print(f"| {m} | {100 * boot / DATASETS:.2f}% | {100 * score / DATASETS:.2f}% |")


if __name__ == "__main__":
    main()
