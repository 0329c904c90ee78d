"""Makes the keyed example: a week of shadow traffic for a fraud model, one row per
transaction, each named by its txn_id ($.columns.id). The champion ("prod") and the
challenger ("new") score the same transactions from one latent risk; the challenger sees a
little more of it. Rows come in log order (by hour), not by id: with the id as the row key
the report does not depend on that order (tests/cli/test_cli.sh shuffles it).

Deterministic: the same seed gives byte-identical files.
Run: python3 scripts/make_keyed_example.py
"""
import pathlib

import numpy as np
import pandas as pd

SEED = 20261203
ROOT = pathlib.Path(__file__).resolve().parent.parent / "examples"


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def shadow_traffic(rng, n=6000):
    risk = rng.normal(0.0, 1.0, n)
    y = rng.binomial(1, sigmoid(-2.2 + 1.4 * risk))
    prod = sigmoid(-2.0 + 1.0 * risk + rng.normal(0.0, 0.9, n))
    new = sigmoid(-2.0 + 1.3 * risk + rng.normal(0.0, 0.7, n))
    ids = rng.choice(16 ** 8, size=n, replace=False)  # unique, in no particular order
    return pd.DataFrame({
        "txn_id": [f"txn-{i:08x}" for i in ids],
        "hour": np.sort(rng.integers(0, 7 * 24, n)),
        "y": y,
        "score_prod": prod.round(6),
        "score_new": new.round(6),
    })


if __name__ == "__main__":
    shadow_traffic(np.random.default_rng(SEED)).to_csv(ROOT / "shadow_traffic.csv", index=False)
