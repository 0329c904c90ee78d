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


def test_every_kind_of_frame_gives_the_same_report():
    """A DataFrame, a dict of arrays, a pyarrow Table and a polars DataFrame (when installed)
    dictionary-encode their segment columns alike: the reports are byte for byte the same
    outside "run", data hash included, since the hash covers each row's value text."""
    df = make_frame(400)
    frames = {
        "pandas categorical": df.assign(region=df["region"].astype("category"),
                                        sex=df["sex"].astype("category")),
        "pandas object": df,
        "pandas nullable": df.assign(channel=df["channel"].astype("Int64"), sex=df["sex"].astype("string")),
        "dict of arrays": {c: df[c].to_numpy() for c in df.columns},
        "pyarrow": pytest.importorskip("pyarrow").Table.from_pandas(df),
    }
    try:
        import polars
        frames["polars"] = polars.from_pandas(df)
    except ImportError:
        pass
    reports = {kind: json.loads(referee.evaluate(data, POLICY, threads=2).to_json()) for kind, data in frames.items()}
    for report in reports.values():
        report.pop("run")
    first = reports.pop("pandas categorical")
    for kind, report in reports.items():
        assert report == first, kind


def test_integer_segment_values_are_their_digits(tmp_path):
    df = make_frame(400)
    df["channel"] = df["channel"] * 10  # 10, 20, 30: the text of each value, as a CSV holds it
    report = referee.evaluate(df, POLICY).to_dict()
    values = sorted({v["value"]["channel"] for v in report["segments"][1]["values"]})
    assert values == ["10", "20", "30"]


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


@pytest.mark.parametrize("kind", ["pandas Int64", "pandas string", "pyarrow", "polars"])
def test_a_missing_value_is_named_by_row_in_every_frame(kind):
    df = make_frame(200)
    if kind == "pandas Int64":
        data = df.assign(channel=df["channel"].astype("Int64"))
        data.loc[4, "channel"] = pd.NA
        column, row = "channel", 5
    elif kind == "pandas string":
        data = df.assign(sex=df["sex"].astype("string"))
        data.loc[9, "sex"] = pd.NA
        column, row = "sex", 10
    else:  # an integer column with a null: read as a gap, not as the float numpy would make of it
        pa = pytest.importorskip("pyarrow")
        channel = pa.array([None if r == 2 else int(v) for r, v in enumerate(df["channel"])], type=pa.int64())
        data = pa.Table.from_pandas(df.drop(columns="channel")).append_column("channel", channel)
        if kind == "polars":
            data = pytest.importorskip("polars").from_arrow(data)
        column, row = "channel", 3
    with pytest.raises(referee.DataError, match=rf'column "{column}": row {row}: missing value'):
        referee.evaluate(data, POLICY)


@pytest.mark.parametrize("values", [
    pytest.param(lambda n: np.ones(n), id="float array"),
    pytest.param(lambda n: [1.0] * n, id="list of floats"),
    pytest.param(lambda n: np.arange(n) % 2 == 0, id="bool array"),
    pytest.param(lambda n: pd.Series([True] * n, dtype="boolean"), id="pandas boolean"),
    pytest.param(lambda n: pd.Series(["a"] * (n - 1) + [2.5], dtype=object), id="object with a float"),
])
def test_float_and_boolean_segment_columns_are_refused(values):
    df = make_frame(200)
    data = {c: df[c].to_numpy() for c in df.columns}
    data["channel"] = values(len(df))
    with pytest.raises(referee.DataError, match=r'column "channel".*must hold strings, categories or integers'):
        referee.evaluate(data, POLICY)


def test_an_unknown_reference_group_is_a_data_error():
    policy = json.loads(json.dumps(POLICY))
    policy["fairness"]["reference"]["sex"] = "m"
    # No suggestion: the column's values are data, and a message can reach a log.
    with pytest.raises(referee.DataError, match=r'"m" does not occur in column "sex" \(which has 2 distinct values') as e:
        referee.evaluate(make_frame(200), policy)
    assert '"M"' not in str(e.value)


def test_rule_objects_carry_the_segment_and_its_parts(examples):
    report = referee.evaluate(examples / "segment_trap.csv", examples / "gate-segments.json")
    rule = next(r for r in report.rules if r.id == "auc-every-region")
    assert rule.verdict == "FAIL" and rule.segment == "west"
    assert [p["value"] for p in rule.parts if p["verdict"] == "FAIL"] == ["west"]
    assert rule.n == next(p["n"] for p in rule.parts if p["value"] == "west")
