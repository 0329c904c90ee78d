"""Makes the bundled example: a credit-risk evaluation table for two models.

The champion ("prod") and the challenger ("new") score the same applications; both
scores come from one latent risk, so they are correlated as real model pairs are, and
the challenger sees a little more of the signal. Customers have 1-3 applications each,
so the rows are clustered by customer_id. Segment, sensitive-attribute, latency, cost
and feature columns are there for the segment, fairness, budget and drift checks.

Deterministic: the same seed gives byte-identical files.
Run: python3 scripts/make_example.py
"""
import pathlib

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

SEED = 20261124
ROOT = pathlib.Path(__file__).resolve().parent.parent / "examples"


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def evaluation_table(rng, n_customers=4000):
    applications = rng.choice([1, 2, 3], size=n_customers, p=[0.55, 0.3, 0.15])
    customer = np.repeat(np.arange(n_customers), applications)
    n = customer.size
    customer_risk = rng.normal(0.0, 0.6, n_customers)[customer]
    region = rng.choice(["north", "south", "east", "west", "central"], size=n,
                        p=[0.25, 0.2, 0.2, 0.2, 0.15])
    channel = rng.choice(["web", "branch", "partner", "phone"], size=n, p=[0.45, 0.25, 0.2, 0.1])
    sex = rng.choice(["F", "M"], size=n)
    age_band = rng.choice(["18-29", "30-44", "45-64", "65+"], size=n, p=[0.22, 0.33, 0.3, 0.15])
    income = np.round(rng.lognormal(10.6, 0.5, n), 2)
    age = np.clip(rng.normal(43, 13, n), 18, 90).astype(int)

    # What the models can see of the risk: a shared part, and a part only the
    # challenger's new features capture.
    seen = rng.normal(0.0, 1.0, n)
    extra = rng.normal(0.0, 1.0, n)
    risk = customer_risk + 1.1 * seen + 0.7 * extra + rng.normal(0.0, 0.35, n)
    y = (rng.random(n) < sigmoid(-2.6 + risk)).astype(int)

    prod_logit = -2.45 + 0.95 * (customer_risk + 1.1 * seen) + rng.normal(0.0, 0.45, n)
    new_logit = -2.5 + 0.95 * (customer_risk + 1.1 * seen + 0.45 * extra) + rng.normal(0.0, 0.4, n)
    # The challenger was trained on little partner-channel data: a mild weakness there.
    partner = channel == "partner"
    new_logit[partner] = -2.5 + 0.9 * (customer_risk[partner] + 0.9 * seen[partner]) + \
        rng.normal(0.0, 0.5, partner.sum())

    weight = rng.choice([0.5, 1.0, 2.0], size=n, p=[0.1, 0.8, 0.1])
    lat_prod = rng.lognormal(np.log(18.0), 0.35, n)
    lat_new = rng.lognormal(np.log(20.7), 0.38, n)
    return pd.DataFrame({
        "customer_id": [f"C{c:05d}" for c in customer],
        "y": y,
        "score_prod": np.round(sigmoid(prod_logit), 6),
        "score_new": np.round(sigmoid(new_logit), 6),
        "w": weight,
        "region": region,
        "channel": channel,
        "sex": sex,
        "age_band": age_band,
        "lat_prod_ms": np.round(lat_prod, 3),
        "lat_new_ms": np.round(lat_new, 3),
        "cost_prod": np.round(0.00012 * rng.lognormal(0.0, 0.05, n), 8),
        "cost_new": np.round(0.00015 * rng.lognormal(0.0, 0.05, n), 8),
        "income": income,
        "age": age,
        # 1 = the prediction failed (a timeout or an error answer): rare for both.
        "err_prod": (rng.random(n) < 0.003).astype(int),
        "err_new": (rng.random(n) < 0.005).astype(int),
    })


def reference_sample(rng, n=3000):
    # The training-time population: slightly lower incomes, slightly younger, fewer
    # central-region applicants than the evaluation window.
    return pd.DataFrame({
        "income": np.round(rng.lognormal(10.52, 0.5, n), 2),
        "age": np.clip(rng.normal(41, 13, n), 18, 90).astype(int),
        "region": rng.choice(["north", "south", "east", "west", "central"], size=n,
                             p=[0.27, 0.22, 0.2, 0.2, 0.11]),
        # Both models' scores at validation time, for "predictions": true.
        "score_prod": np.round(sigmoid(rng.normal(-2.45, 1.25, n)), 6),
        "score_new": np.round(sigmoid(rng.normal(-2.5, 1.3, n)), 6),
    })


def latency_load_test(rng, n=5000):
    # A load test of both models behind the same service: log-normal latency with a thin
    # tail of slow requests (garbage collection, cold caches), 1 in 100 three times slower.
    def sample(median, sigma):
        ms = rng.lognormal(np.log(median), sigma, n)
        slow = rng.random(n) < 0.01
        ms[slow] *= 3.0
        return np.round(ms, 3)
    return pd.DataFrame({
        "model": ["champion"] * n + ["challenger"] * n,
        "latency_ms": np.concatenate([sample(18.0, 0.35), sample(20.7, 0.38)]),
    })


def main():
    rng = np.random.default_rng(SEED)
    table = evaluation_table(rng)
    table.to_csv(ROOT / "credit_eval.csv", index=False, lineterminator="\n")
    # The first 40 rows: too few to tell the models apart, the "inconclusive" demo. They hold
    # 7 positives with this seed, enough for AUC, so no other sample has to be picked.
    small = table.head(40)
    assert small["y"].sum() >= 4, "the 40-row sample needs positives for AUC"
    small.to_csv(ROOT / "credit_eval_small.csv", index=False, lineterminator="\n")
    reference_sample(rng).to_csv(ROOT / "reference_sample.csv", index=False, lineterminator="\n")
    latency_load_test(rng).to_csv(ROOT / "latency_loadtest.csv", index=False, lineterminator="\n")

    w = table["w"]
    print(f"{len(table)} rows, {table['customer_id'].nunique()} customers, "
          f"{table['y'].sum()} positives ({table['y'].mean():.1%})")
    for name in ("score_prod", "score_new"):
        print(f"  {name}: weighted AUC {roc_auc_score(table['y'], table[name], sample_weight=w):.4f}")
    for channel, part in table.groupby("channel"):
        aucs = [roc_auc_score(part["y"], part[s], sample_weight=part["w"]) for s in ("score_prod", "score_new")]
        print(f"  channel={channel:8s} n={len(part):5d} weighted AUC prod {aucs[0]:.4f} new {aucs[1]:.4f}")
    print(f"  first 40 rows: {small['y'].sum()} positives")


if __name__ == "__main__":
    main()
