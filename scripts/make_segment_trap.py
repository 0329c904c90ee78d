"""Writes examples/segment_trap.csv: a challenger that wins overall and loses one region.

Run from the repository root:  python3 scripts/make_segment_trap.py
Deterministic (seeded). With examples/gate-segments.json it shows what an aggregate CI
hides: the challenger's ROC AUC is clearly higher overall, and clearly lower in "west"
(about 15% of rows), where its signal is much weaker. The script prints the AUCs it built
in (scikit-learn), so the design can be checked.
"""

import sys
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

OUT = Path(__file__).resolve().parent.parent / "examples" / "segment_trap.csv"


def main():
    rng = np.random.default_rng(20261124)
    n = 5000
    region = rng.choice(["north", "south", "east", "west", "central"], size=n, p=[0.25, 0.2, 0.2, 0.15, 0.2])
    channel = rng.choice(["web", "branch", "phone"], size=n, p=[0.5, 0.3, 0.2])
    sex = rng.choice(["F", "M"], size=n)
    base = {"north": -1.3, "south": -1.0, "east": -1.2, "west": -0.9, "central": -1.1}
    logit = np.array([base[r] for r in region]) + rng.normal(0, 0.5, size=n)
    y = rng.binomial(1, 1.0 / (1.0 + np.exp(-logit)))
    shared = rng.normal(size=n)  # what both models see
    # The champion's signal is the same everywhere; the challenger's is stronger, except in
    # the west, where a broken feature leaves it much weaker.
    strength_new = np.where(region == "west", 0.45, 1.75)
    prod = 1.0 / (1.0 + np.exp(-(1.25 * y + 0.8 * shared + 0.8 * rng.normal(size=n) - 1.4)))
    new = 1.0 / (1.0 + np.exp(-(strength_new * y + 0.8 * shared + 0.8 * rng.normal(size=n) - 1.6)))
    frame = pd.DataFrame({"y": y, "score_prod": prod.round(5), "score_new": new.round(5),
                          "region": region, "channel": channel, "sex": sex})
    frame.to_csv(OUT, index=False, lineterminator="\n")

    print(f"{OUT.name}: {n} rows, {y.mean():.3f} positive", file=sys.stderr)
    print(f"  overall  AUC prod {roc_auc_score(y, prod):.4f}  new {roc_auc_score(y, new):.4f}", file=sys.stderr)
    for r in sorted(set(region)):
        m = region == r
        print(f"  {r:8} AUC prod {roc_auc_score(y[m], prod[m]):.4f}  new {roc_auc_score(y[m], new[m]):.4f}"
              f"  ({m.sum()} rows)", file=sys.stderr)


if __name__ == "__main__":
    main()
