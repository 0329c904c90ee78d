"""Segments and fairness from Python: DataFrame columns of every categorical kind give the
same report as the CLI reading the same data from CSV, and bad segment columns raise."""

import json
import shutil
import subprocess

import numpy as np
import pandas as pd
import pytest

import referee

POLICY = {
    "version": 1,
    "task": "binary",
    "columns": {"label": "y", "champion": "a", "challenger": "b",
                "segments": ["region", "region*channel"], "sensitive": ["sex"]},
    "segments_min": {"rows": 20, "positives": 3},
    "fairness": {"reference": {"sex": "M"}},
    "bootstrap": {"resamples": 300, "seed": 5},
    "rules": [
        {"id": "auc", "metric": "roc_auc", "subject": "delta", "min": -0.01},
        {"id": "each", "metric": "roc_auc", "subject": "delta", "min": -0.02,
         "scope": {"each_segment": "region"}, "correction": "holm"},
        {"id": "dp", "metric": "demographic_parity_ratio", "sensitive": "sex", "subject": "challenger", "min": 0.8},
    ],
}


def make_frame(n=2000, seed=3):
    rng = np.random.default_rng(seed)
    region = rng.choice(["north", "south", "west"], size=n)
    y = rng.binomial(1, 0.3, size=n)
    strength = np.where(region == "west", 0.2, 1.5)
    a = 1 / (1 + np.exp(-(1.0 * y + rng.normal(size=n) - 1)))
    b = 1 / (1 + np.exp(-(strength * y + rng.normal(size=n) - 1)))
    return pd.DataFrame({
        "y": y, "a": a.round(6), "b": b.round(6), "region": region,
        "channel": rng.integers(1, 4, size=n),  # integers: values "1", "2", "3"
        "sex": rng.choice(["F", "M"], size=n),
    })


def comparable(report_json):
    report = json.loads(report_json)
    report.pop("run")
    report.pop("data")  # a file is hashed by its bytes, memory by its columns
    return report


def test_categorical_and_integer_segments_equal_the_cli(tmp_path):
    df = make_frame()
    csv = tmp_path / "eval.csv"
    df.to_csv(csv, index=False)
    policy_path = tmp_path / "gate.json"
    policy_path.write_text(json.dumps(POLICY))
    out = tmp_path / "cli.json"
    proc = subprocess.run([shutil.which("referee"), "run", "--data", str(csv), "--policy", str(policy_path),
                           "--report", str(out), "--quiet"])
    assert proc.returncode == 1  # the west region fails

    frame = df.copy()
    frame["region"] = frame["region"].astype("category")  # pandas categorical
    ours = referee.evaluate(frame, POLICY, threads=2)
    assert comparable(ours.to_json()) == comparable(out.read_text())
    rule = next(r for r in ours.to_dict()["rules"] if r["id"] == "each")
    assert rule["verdict"] == "FAIL" and rule["segment"] == "west"
    values = [v["value"] for v in ours.to_dict()["segments"][1]["values"]]
    assert {"region": "north", "channel": "1"} in values
    assert ours.to_dict()["fairness"][0]["clarify"]["reference"] == "M"


def test_a_missing_segment_value_names_the_column_and_row():
    df = make_frame(200)
    df["region"] = df["region"].astype("category")
    df.loc[7, "region"] = np.nan
    with pytest.raises(referee.DataError, match=r'column "region": row 8: missing value'):
        referee.evaluate(df, POLICY)


def test_a_float_segment_column_is_refused():
    df = make_frame(200)
    df["channel"] = df["channel"].astype(float)
    with pytest.raises(referee.DataError, match=r'column "channel": segment and sensitive columns must hold'):
        referee.evaluate(df, POLICY)


def test_an_unknown_reference_group_is_a_data_error():
    policy = json.loads(json.dumps(POLICY))
    policy["fairness"]["reference"]["sex"] = "m"
    with pytest.raises(referee.DataError, match=r'did you mean "M"'):
        referee.evaluate(make_frame(200), policy)


def test_rule_objects_carry_the_segment_and_its_parts(examples):
    report = referee.evaluate(examples / "segment_trap.csv", examples / "gate-segments.json")
    rule = next(r for r in report.rules if r.id == "auc-every-region")
    assert rule.verdict == "FAIL" and rule.segment == "west"
    assert [p["value"] for p in rule.parts if p["verdict"] == "FAIL"] == ["west"]
    assert rule.n == next(p["n"] for p in rule.parts if p["value"] == "west")
