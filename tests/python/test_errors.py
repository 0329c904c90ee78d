"""Bad input raises the right exception, with a message that says where."""

import json

import numpy as np
import pandas as pd
import pytest

import referee

POLICY = {"version": 1, "task": "binary", "columns": {"label": "y", "champion": "a", "challenger": "b"},
          "rules": [{"id": "r", "metric": "roc_auc", "subject": "delta", "min": 0}]}


def data(**overrides):
    d = {"y": np.array([0.0, 1, 0, 1]), "a": np.array([0.1, 0.8, 0.3, 0.6]), "b": np.array([0.2, 0.9, 0.1, 0.7])}
    d.update(overrides)
    return d


def test_the_exception_hierarchy():
    for error in (referee.PolicyError, referee.DataError, referee.IoError, referee.CancelledError,
                  referee.UsageError, referee.UndefinedMetricError):
        assert issubclass(error, referee.RefereeError)
    assert issubclass(referee.RefereeError, Exception)
    # UsageError stays a ValueError, so that `except ValueError` written before it still holds.
    assert issubclass(referee.UsageError, ValueError)


def test_a_usage_error_from_the_core_is_a_referee_usage_error():
    # "latency is given twice" is a referee::UsageError thrown by the core.
    with pytest.raises(referee.UsageError, match="latency is given both as a file and as arrays"):
        referee._core.evaluate_csv("x.csv", referee.Policy.from_json(json.dumps(POLICY)), None, 1, None,
                                   latency_file="l.csv", latency_ms=(np.zeros(1), np.zeros(1)))


def test_policy_errors_name_the_json_path():
    bad = json.loads(json.dumps(POLICY))
    bad["rules"][0]["metric"] = "roc_acu"
    with pytest.raises(referee.PolicyError, match=r'\$\.rules\[0\]\.metric .*did you mean "roc_auc"'):
        referee.evaluate(data(), bad)
    with pytest.raises(referee.PolicyError, match="invalid JSON"):
        referee.evaluate(data(), "{not json")
    with pytest.raises(referee.PolicyError, match=r"\$\.bootstrap\.resample .*did you mean"):
        referee.evaluate(data(), {**POLICY, "bootstrap": {"resample": 100}})


def test_data_errors_name_the_column_and_row():
    with pytest.raises(referee.DataError, match=r'row 2, column "y": the label is not 0 or 1 \(task "binary"\)$'):
        referee.evaluate(data(y=np.array([0.0, 2, 0, 1])), POLICY)
    with pytest.raises(referee.DataError, match=r'row 3, column "a": value is not a finite number'):
        referee.evaluate(data(a=np.array([0.1, 0.8, np.nan, 0.6])), POLICY)
    with pytest.raises(referee.DataError, match=r'no column "b" in the data \(did you mean "bb"\?\)'):
        referee.evaluate({"y": data()["y"], "a": data()["a"], "bb": data()["b"]}, POLICY)
    with pytest.raises(referee.DataError, match=r'column "b" has 2 values for 4 rows'):
        referee.evaluate(data(b=np.array([0.1, 0.2])), POLICY)
    with pytest.raises(referee.DataError, match='column "a" must be numeric'):
        referee.evaluate(data(a=np.array(["x", "y", "z", "w"])), POLICY)
    frame = pd.DataFrame(data()).astype({"y": "Int64"})
    frame.loc[1, "y"] = pd.NA
    with pytest.raises(referee.DataError, match=r'row 2, column "y"'):
        referee.evaluate(frame, POLICY)


def test_missing_cluster_values_are_data_errors():
    policy = {**POLICY, "columns": {**POLICY["columns"], "cluster": "c"}}
    with pytest.raises(referee.DataError, match=r'column "c": row 2: missing value'):
        referee.evaluate(data(c=np.array(["u", None, "v", "w"], dtype=object)), policy)


def test_text_that_is_not_utf8_is_a_data_error_as_at_every_door(tmp_path):
    # A lone surrogate is the one way a str holds bytes that are not UTF-8. The core's table
    # validation refuses it, as it refuses such bytes from the C API (tests/c) and the CLI's
    # CSV reader: a DataError naming the row and column. Before, Python raised a TypeError
    # that printed every array it was given.
    policy = {**POLICY, "columns": {**POLICY["columns"], "segments": ["region"]}}
    region = np.array(["n", "n", "s", "s\udcff"], dtype=object)
    with pytest.raises(referee.DataError) as raised:
        referee.evaluate(data(region=region), policy)
    assert str(raised.value) == 'memory: row 4, column "region": the value is not valid UTF-8'
    csv = tmp_path / "bad.csv"
    csv.write_bytes(b"y,a,b,region\n0,0.1,0.2,n\n1,0.8,0.9,n\n0,0.3,0.1,s\n1,0.6,0.7,s\xff\n")
    with pytest.raises(referee.DataError, match=r'row 4 \(line 5\), column "region": .* is not valid UTF-8'):
        referee.evaluate(str(csv), policy)


def test_io_errors(tmp_path):
    with pytest.raises(referee.IoError, match="cannot open"):
        referee.evaluate(tmp_path / "missing.csv", POLICY)
    with pytest.raises(referee.IoError, match="cannot open the policy file"):
        referee.evaluate(data(), str(tmp_path / "missing.json"))


def test_wrong_argument_types():
    with pytest.raises(TypeError, match="data must be"):
        referee.evaluate(42, POLICY)
    with pytest.raises(TypeError, match="policy must be"):
        referee.evaluate(data(), 42)
    with pytest.raises(referee.UsageError, match="threads"):
        referee.evaluate(data(), POLICY, threads=0)


def test_saving_never_replaces_what_is_not_a_regular_file_and_names_the_destination(tmp_path):
    report = referee.evaluate(data(y=np.array([0.0, 1, 0, 1] * 10), a=np.array([0.1, 0.8, 0.3, 0.6] * 10),
                                   b=np.array([0.2, 0.9, 0.1, 0.7] * 10)), POLICY, seed=1)
    target = tmp_path / "target"
    target.write_text("keep me")
    (tmp_path / "link").symlink_to(target)
    with pytest.raises(referee.IoError, match=r'link" \(output\) is a symbolic link'):
        report.save(tmp_path / "link")
    assert target.read_text() == "keep me"
    with pytest.raises(referee.IoError, match=r'missing" does not exist'):
        report.save(tmp_path / "missing" / "r.json")
    report.save(tmp_path / "r.json")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link", "r.json", "target"]  # no temporary left
