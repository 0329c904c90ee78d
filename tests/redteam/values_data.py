#!/usr/bin/env python3
"""Writes the red-team sweep's inputs (tests/redteam/cli_values.sh): an evaluation table,
a drift reference and a policy for one task, with one numeric column's cells replaced by
an extreme but finite value (issue 14, class 4).

usage: values_data.py DIR TASK COLUMN VALUE MODE   (MODE: one, half, all)
"""
import random
import sys

out, task, column, value, mode = sys.argv[1:6]
rows = 160
rng = random.Random(5)

header = ["id", "y", "champ", "chal", "w", "seg", "lat_a", "lat_b", "cost_a", "cost_b",
          "err_a", "err_b", "f1", "cat"]


def base_row(i):
    y = i % 2 if task == "binary" else round(rng.gauss(50.0, 10.0), 3)
    if task == "binary":
        champ, chal = rng.uniform(0.05, 0.95), rng.uniform(0.05, 0.95)
    else:
        champ, chal = y + rng.gauss(0, 3), y + rng.gauss(0, 2.5)
    return {"id": f"c{i // 2}", "y": y, "champ": round(champ, 6), "chal": round(chal, 6),
            "w": 1.0, "seg": "ab"[i % 3 == 0], "lat_a": round(rng.uniform(5, 40), 3),
            "lat_b": round(rng.uniform(5, 40), 3), "cost_a": 0.0001, "cost_b": 0.00015,
            "err_a": int(i % 37 == 0), "err_b": int(i % 41 == 0),
            "f1": round(rng.uniform(0, 100), 3), "cat": "xyz"[i % 3]}


def planted(i):
    return mode == "all" or (mode == "half" and i % 2 == 0) or (mode == "one" and i == 3)


with open(f"{out}/data.csv", "w") as f:
    f.write(",".join(header) + "\n")
    for i in range(rows):
        r = base_row(i)
        if planted(i) and column in r:
            r[column] = value
        f.write(",".join(str(r[h]) for h in header) + "\n")

with open(f"{out}/reference.csv", "w") as f:
    f.write("f1,cat,champ,chal\n")
    for i in range(rows):
        r = base_row(i)
        if planted(i) and column.startswith("ref_"):
            r[column[4:]] = value
        f.write(f"{r['f1']},{r['cat']},{r['champ']},{r['chal']}\n")

if task == "binary":
    rules = """
    {"id": "auc", "metric": "roc_auc", "subject": "delta", "min": -0.05},
    {"id": "ll", "metric": "log_loss", "subject": "relative_delta", "max": 0.5},
    {"id": "brier", "metric": "brier", "subject": "challenger", "max": 0.5, "severity": "warn"},
    {"id": "seg-auc", "metric": "roc_auc", "subject": "delta", "min": -0.2,
     "scope": {"each_segment": "seg"}, "on_insufficient": "skip"},
    {"id": "dp", "metric": "demographic_parity_ratio", "sensitive": "seg", "subject": "challenger",
     "min": 0.1, "severity": "warn"},"""
    extra = '"threshold": 0.5, "fairness": {"reference": {"seg": "a"}},'
    sensitive = ', "sensitive": ["seg"]'
else:
    rules = """
    {"id": "mae", "metric": "mae", "subject": "delta", "max": 1e300},
    {"id": "rmse", "metric": "rmse", "subject": "relative_delta", "max": 0.5},
    {"id": "r2", "metric": "r2", "subject": "challenger", "min": 0.1, "severity": "warn"},
    {"id": "mape", "metric": "mape", "subject": "challenger", "max": 1e300, "severity": "warn"},
    {"id": "seg-mse", "metric": "mse", "subject": "delta", "max": 1e300,
     "scope": {"each_segment": "seg"}, "on_insufficient": "skip"},"""
    extra, sensitive = "", ""

with open(f"{out}/policy.json", "w") as f:
    f.write(f"""{{
  "version": 1, "name": "extremes", "task": "{task}", {extra}
  "columns": {{"label": "y", "champion": "champ", "challenger": "chal", "weight": "w",
    "cluster": "id", "segments": ["seg"]{sensitive},
    "latency": {{"champion": "lat_a", "challenger": "lat_b"}},
    "cost": {{"champion": "cost_a", "challenger": "cost_b"}},
    "error": {{"champion": "err_a", "challenger": "err_b"}}}},
  "segments_min": {{"rows": 5}},
  "bootstrap": {{"resamples": 100, "confidence": 0.95, "interval": "bca", "seed": 3}},
  "drift": {{"reference": "reference.csv", "features": ["f1", "cat"], "predictions": true}},
  "rules": [{rules}
    {{"id": "p99", "metric": "latency_p99", "subject": "challenger", "max": 1e300}},
    {{"id": "p50", "metric": "latency_p50", "subject": "relative_delta", "max": 0.5, "severity": "warn"}},
    {{"id": "mean-lat", "metric": "latency_mean", "subject": "delta", "max": 1e300, "severity": "warn"}},
    {{"id": "cost", "metric": "cost_per_1k", "subject": "relative_delta", "max": 0.9}},
    {{"id": "errors", "metric": "error_rate", "subject": "challenger", "max": 0.5}},
    {{"id": "psi", "metric": "psi", "feature": "f1", "max": 0.25, "severity": "warn"}},
    {{"id": "ks", "metric": "ks_pvalue", "feature": "f1", "min": 0.001, "severity": "warn"}},
    {{"id": "chi2", "metric": "chi2_pvalue", "feature": "cat", "min": 0.001, "severity": "warn"}}
  ]
}}
""")
