"""Red team, numbers and text (issue 14, classes 4 and 5), through the Python door.

Extreme but finite values in every numeric column of both tasks give a report or a
DataError, never an internal error, and no figure is NaN or infinite; hostile text in
segment values and rule ids comes out escaped in Markdown and HTML; a planted value
never appears in an error message.
"""

import json
import math
import sys

import numpy as np
import pytest

import referee

EXTREMES = [0.0, 5e-324, -5e-324, sys.float_info.min, 1e-300, -1e-300, 1e300, -1e300,
            sys.float_info.max, -sys.float_info.max]
SECRET = "SECRET-4242"


def sample(task, n=120):
    rng = np.random.default_rng(5)
    if task == "binary":
        y = (np.arange(n) % 3 == 0).astype(float)
        a = np.clip(0.5 + 0.3 * (y - 0.5) + rng.normal(0, 0.2, n), 0, 1)
        b = np.clip(0.5 + 0.4 * (y - 0.5) + rng.normal(0, 0.2, n), 0, 1)
    else:
        y = 10 + 3 * rng.normal(size=n)
        a, b = y + rng.normal(size=n), y + 0.8 * rng.normal(size=n)
    return {"y": y, "a": a, "b": b, "w": 1.0 + (np.arange(n) % 3), "la": rng.uniform(5, 40, n),
            "lb": rng.uniform(5, 40, n), "ca": np.full(n, 1e-4), "cb": np.full(n, 1.5e-4)}


def policy(task):
    metric = "roc_auc" if task == "binary" else "rmse"
    return {"version": 1, "task": task,
            "columns": {"label": "y", "champion": "a", "challenger": "b", "weight": "w",
                        "latency": {"champion": "la", "challenger": "lb"},
                        "cost": {"champion": "ca", "challenger": "cb"}},
            "bootstrap": {"resamples": 100, "seed": 3, "interval": "bca"},
            "rules": [{"id": "m", "metric": metric, "subject": "relative_delta", "max": 1e300},
                      {"id": "lat", "metric": "latency_mean", "subject": "delta", "max": 1e300},
                      {"id": "cost", "metric": "cost_per_1k", "subject": "relative_delta", "max": 1e300}]}


def no_nan_or_inf(node, path="$"):
    """nlohmann writes NaN and infinity as null: a null figure must sit beside its reason."""
    if isinstance(node, dict):
        for k, v in node.items():
            if v is None and k not in ("file", "sha256", "file_sha256"):
                assert any(r in node for r in ("undefined", "ci_undefined", "reason")), f"{path}.{k}"
            no_nan_or_inf(v, f"{path}.{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            assert v is not None, f"{path}[{i}]"
            no_nan_or_inf(v, f"{path}[{i}]")
    elif isinstance(node, float):
        assert math.isfinite(node), path


@pytest.mark.parametrize("task", ["binary", "regression"])
@pytest.mark.parametrize("column", ["y", "a", "b", "w", "la", "ca"])
@pytest.mark.parametrize("value", EXTREMES)
def test_extreme_values_give_finite_figures_or_a_data_error(task, column, value):
    for mode in ("one", "half", "all"):
        data = sample(task)
        rows = {"one": [3], "half": slice(0, None, 2), "all": slice(None)}[mode]
        data[column][rows] = value
        try:
            report = referee.evaluate(data, policy(task), threads=1)
        except referee.DataError:
            continue  # a value the task refuses (a label of 1e300, a negative weight)
        no_nan_or_inf(json.loads(report.to_json(), parse_constant=lambda c: pytest.fail(c)))
        for text in (report.to_markdown(), repr(report)):
            for word in (" nan", " inf", "-nan", "Infinity"):
                assert word not in text


def test_hostile_text_is_escaped_in_markdown_and_html():
    n = 150
    data = sample("binary", n)
    hostile = SECRET + "\x1b[31m\u202e<script>alert(1)</script>[x](javascript:alert(1))"
    data["seg"] = np.array([hostile if i % 3 else "plain" for i in range(n)], dtype=object)
    p = policy("binary")
    p["columns"]["segments"] = ["seg"]
    p["segments_min"] = {"rows": 5}
    p["rules"].append({"id": "r\x1b[31m<b>", "metric": "roc_auc", "subject": "delta", "min": -1,
                       "scope": {"each_segment": "seg"}})
    report = referee.evaluate(data, p, threads=1)
    for text in (report.to_markdown(), report.to_html()):
        assert "\x1b" not in text and "\u202e" not in text
    html = report.to_html()
    assert "<script" not in html and "&lt;script&gt;" in html
    md = report.to_markdown()
    assert all(md[i - 1] == "\\" for i in range(len(md)) if md.startswith("<script", i))
    assert all(md[i - 1] == "\\" for i in range(len(md)) if md.startswith("[x](javascript:alert", i))
    json.loads(report.to_json())  # valid JSON; the values are kept there, escaped by JSON


@pytest.mark.parametrize("column,value,fragment", [
    ("y", 4242.0, 'row 4, column "y": the label is not 0 or 1'),
    ("a", 4242.5, 'row 4, column "a": the value is outside [0, 1]'),
    ("w", -4242.0, 'row 4, column "w": the value is outside [0, inf)'),
    ("la", -4242.0, 'row 4, column "la": the value is outside [0, inf)'),
])
def test_a_data_error_never_quotes_the_cell(column, value, fragment):
    data = sample("binary")
    data[column][3] = value
    with pytest.raises(referee.DataError) as e:
        referee.evaluate(data, policy("binary"), threads=1)
    assert fragment in str(e.value)
    assert "4242" not in str(e.value)


def test_a_reference_group_is_never_suggested_from_the_data():
    data = sample("binary")
    data["s"] = np.array([SECRET if i % 2 else "other" for i in range(len(data["y"]))], dtype=object)
    p = policy("binary")
    p["columns"]["sensitive"] = ["s"]
    p["fairness"] = {"reference": {"s": "SECRET-4243"}}
    with pytest.raises(referee.DataError) as e:
        referee.evaluate(data, p, threads=1)
    assert 'does not occur in column "s"' in str(e.value)
    assert SECRET not in str(e.value)
