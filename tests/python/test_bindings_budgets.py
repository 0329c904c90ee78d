"""Budgets and drift through the Python bindings: in-memory data gives the CSV's report,
latency samples come from a path, a table or arrays, and the drift reference can be
overridden. The figures themselves are checked against numpy and scipy in
test_budgets_drift.py; here the question is only whether every surface feeds the core
the same inputs."""

import json

import numpy as np
import pandas as pd
import pytest

import referee
from referee._api import _as_text, _model_columns

from conftest import ROOT

EXAMPLES = ROOT / "examples"
DATA = EXAMPLES / "credit_eval.csv"
BUDGETS = EXAMPLES / "gate-budgets.json"
LOADTEST = EXAMPLES / "gate-loadtest.json"
LATENCY = EXAMPLES / "latency_loadtest.csv"


def without_provenance(report):
    """The report without what legitimately differs between a file and memory: the run,
    and the data section (a file's name and byte hash versus the columns' hash)."""
    report = dict(report)
    report.pop("run")
    report.pop("data")
    return report


def budgets_without_source(report):
    """The budgets section without the latency file's name and hash."""
    budgets = json.loads(json.dumps(report["budgets"]))
    budgets["latency"].pop("file")
    budgets["latency"].pop("sha256")
    return budgets


def small(policy_path, **changes):
    """A policy with fewer resamples, for the tests that only compare surfaces. As a dict
    it has no directory, so its drift reference is made absolute."""
    policy = json.loads(policy_path.read_text())
    policy["bootstrap"]["resamples"] = 200
    if "drift" in policy:
        policy["drift"]["reference"] = str(policy_path.parent / policy["drift"]["reference"])
    policy.update(changes)
    return policy


@pytest.fixture(scope="module")
def frame():
    return pd.read_csv(DATA)


@pytest.fixture(scope="module")
def csv_report():
    return referee.evaluate(DATA, BUDGETS, threads=2).to_dict()


def test_the_policy_exposes_the_serving_and_drift_columns():
    columns = referee.Policy.load(str(BUDGETS)).columns
    assert columns["latency"] == {"champion": "lat_prod_ms", "challenger": "lat_new_ms"}
    assert columns["cost"] == {"champion": "cost_prod", "challenger": "cost_new"}
    assert columns["error"] == {"champion": "err_prod", "challenger": "err_new"}
    assert columns["drift"] == ["income", "age", "region"]  # the score columns are not features
    plain = referee.Policy.load(str(EXAMPLES / "gate.json")).columns
    assert plain["latency"] == {"champion": None, "challenger": None} and plain["drift"] == []


def test_a_dataframe_gives_the_csv_report(frame, csv_report):
    ours = referee.evaluate(frame, BUDGETS, threads=2).to_dict()
    assert ours["verdict"] == csv_report["verdict"] == "FAIL"
    assert "budgets" in ours and "drift" in ours
    assert without_provenance(ours) == without_provenance(csv_report)
    assert ours["data"]["file"] is None and ours["data"]["sha256_of"] == "rows_by_unit"
    assert ours["data"]["sha256"] == csv_report["data"]["sha256"]  # the same rows, whatever the door
    assert ours["data"]["rows"] == csv_report["data"]["rows"]


def test_other_containers_and_kinds_give_the_same_report(frame):
    import pyarrow as pa
    import polars as pl

    policy = small(BUDGETS)
    expected = without_provenance(referee.evaluate(DATA, policy).to_dict())
    recoded = frame.assign(region=frame["region"].astype("category"), age=frame["age"].astype("Int64"),
                           err_new=frame["err_new"].astype(np.uint8))
    for data in (recoded, pa.Table.from_pandas(frame), pl.from_pandas(frame),
                 {name: frame[name].to_numpy() for name in frame.columns}):
        assert without_provenance(referee.evaluate(data, policy).to_dict()) == expected, type(data).__name__


def test_missing_drift_cells_are_missing_values_as_in_a_csv(frame, tmp_path):
    holes = frame.copy()
    holes.loc[holes.index[::7], "income"] = np.nan
    holes["region"] = holes["region"].astype(object)
    holes.loc[holes.index[3::11], "region"] = None
    path = tmp_path / "holes.csv"
    holes.to_csv(path, index=False)
    policy = small(BUDGETS)
    from_file = referee.evaluate(path, policy).to_dict()
    from_memory = referee.evaluate(pd.read_csv(path), policy).to_dict()
    income = next(f for f in from_memory["drift"]["features"] if f["feature"] == "income")
    assert income["missing_current"] == len(holes.index[::7])
    assert without_provenance(from_memory) == without_provenance(from_file)


def test_drift_text_is_first_seen_and_reads_back_as_the_same_number():
    codes, dictionary = _as_text(np.array([0.1, 2.0, np.nan, 0.1, 1e-300]), "x")
    assert dictionary == ["0.1", "2.0", "", "1e-300"] and codes.tolist() == [0, 1, 2, 0, 3]
    assert [float(t) for t in dictionary if t] == [0.1, 2.0, 1e-300]
    codes, dictionary = _as_text(pd.Series(["b", None, "a", "b"]), "x")
    assert dictionary == ["b", "", "a"] and codes.tolist() == [0, 1, 2, 0]
    codes, dictionary = _as_text(np.array([3, -1, 3], dtype=np.int64), "x")
    assert dictionary == ["3", "-1"] and codes.dtype == np.uint32


def test_serving_columns_are_passed_without_a_copy(frame):
    champion = frame["lat_prod_ms"].to_numpy()
    columns = _model_columns({"a": champion, "b": champion.astype(np.float32)}, {"champion": "a", "challenger": "b"})
    assert columns[0] is champion
    assert columns[1].dtype == np.float64 and not np.shares_memory(columns[1], champion)
    assert _model_columns({}, {"champion": None, "challenger": None}) == (None, None)


def test_latency_as_a_path_a_table_or_arrays_gives_the_same_budgets(frame):
    samples = pd.read_csv(LATENCY)
    arrays = {m: samples.loc[samples["model"] == m, "latency_ms"].to_numpy() for m in ("champion", "challenger")}
    policy = small(LOADTEST)
    by_path = referee.evaluate(DATA, policy, latency=LATENCY).to_dict()
    assert by_path["budgets"]["latency"]["file"] == "latency_loadtest.csv"
    assert by_path["budgets"]["latency"]["paired"] is False
    expected = budgets_without_source(by_path)
    for latency in (samples, samples.astype({"model": "category"}), arrays, str(LATENCY),
                    {"model": samples["model"].to_numpy(), "latency_ms": samples["latency_ms"].to_numpy()}):
        for data in (DATA, frame):
            report = referee.evaluate(data, policy, latency=latency).to_dict()
            assert budgets_without_source(report) == expected
            assert without_provenance(report)["rules"] == by_path["rules"]
    in_memory = referee.evaluate(frame, policy, latency=arrays).to_dict()["budgets"]["latency"]
    assert in_memory["file"] is None and in_memory["sha256"] is None


def test_latency_errors_name_the_place(frame):
    policy = small(LOADTEST)
    samples = pd.read_csv(LATENCY)
    typo = samples.copy()
    typo.loc[5, "model"] = "champ"
    with pytest.raises(referee.DataError, match=r'row 6, column "model": "champ" is not a model'):
        referee.evaluate(frame, policy, latency=typo)
    negative = samples.copy()
    negative.loc[9, "latency_ms"] = -1.5
    # The samples are checked by the core's own check, with its messages (model and position).
    with pytest.raises(referee.DataError, match=r"^latency: the champion's latency sample 10 is negative; latencies are milliseconds >= 0$"):
        referee.evaluate(frame, policy, latency=negative)
    with pytest.raises(referee.DataError, match=r"^latency: the challenger's latency sample 2 is negative"):
        referee.evaluate(frame, policy, latency={"champion": [1.0, 2.0], "challenger": [3.0, -1.0]})
    with pytest.raises(referee.DataError, match=r"champion's latency sample 1 is not a finite number"):
        referee.evaluate(frame, policy, latency={"champion": [float("nan")], "challenger": [3.0]})
    with pytest.raises(referee.DataError, match="no latency samples for the champion"):
        referee.evaluate(DATA, policy, latency={"champion": [], "challenger": [3.0]})
    with pytest.raises(referee.IoError, match="no_such_latency.csv"):
        referee.evaluate(frame, policy, latency=EXAMPLES / "no_such_latency.csv")
    with pytest.raises(TypeError, match="latency must be"):
        referee.evaluate(frame, policy, latency=42)
    with pytest.raises(ValueError, match="latency is given twice"):
        referee.evaluate(frame, small(BUDGETS), latency=LATENCY)


def test_the_reference_override(frame, tmp_path):
    policy = small(BUDGETS)
    base = referee.evaluate(frame, policy).to_dict()["drift"]
    reference = pd.read_csv(EXAMPLES / "reference_sample.csv")
    copy = tmp_path / "copy.csv"
    reference.to_csv(copy, index=False)
    half = tmp_path / "half.csv"
    reference.iloc[: len(reference) // 2].to_csv(half, index=False)
    for data in (DATA, frame):
        same = referee.evaluate(data, policy, reference=copy).to_dict()["drift"]
        assert same["reference"]["file"] == "copy.csv"
        assert same["features"] == base["features"]
        other = referee.evaluate(data, policy, reference=str(half)).to_dict()["drift"]
        assert other["reference"]["file"] == "half.csv"
        assert other["reference"]["rows"] == len(reference) // 2
        assert [f["n_reference"] for f in other["features"]] == [len(reference) // 2] * len(other["features"])
    with pytest.raises(referee.IoError, match="no_such_reference.csv"):
        referee.evaluate(frame, policy, reference=tmp_path / "no_such_reference.csv")


def test_bad_serving_and_drift_columns_name_the_column(frame):
    policy = small(BUDGETS)
    negative = frame.copy()
    negative.loc[41, "lat_new_ms"] = -3.0
    with pytest.raises(referee.DataError, match=r'row 42, column "lat_new_ms": the value is outside \[0, inf\)'):
        referee.evaluate(negative, policy)
    flags = frame.assign(err_prod=frame["err_prod"].astype(float))
    flags.loc[7, "err_prod"] = 0.5
    with pytest.raises(referee.DataError, match=r'row 8, column "err_prod": the error flag is not 0 or 1'):
        referee.evaluate(flags, policy)
    with pytest.raises(referee.DataError, match=r'column "cost_new" must be numeric'):
        referee.evaluate(frame.assign(cost_new="free"), policy)
    with pytest.raises(referee.DataError, match=r'no drift feature column "income" in the data'):
        referee.evaluate(frame.drop(columns="income"), policy)
    with pytest.raises(referee.DataError, match=r'no column "lat_new_ms" in the data'):
        referee.evaluate(frame.drop(columns="lat_new_ms"), policy)
