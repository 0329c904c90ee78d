"""Python and the CLI give the same report for the same inputs; DataFrames work as inputs."""

import json
import shutil
import subprocess
import threading
import time

import numpy as np
import pandas as pd
import pytest

import referee


def without_run(text):
    report = json.loads(text)
    report.pop("run")
    return report


def cli():
    path = shutil.which("referee")
    assert path, "the wheel installs the referee CLI on PATH"
    return path


def test_python_and_cli_reports_are_identical(examples, tmp_path):
    out = tmp_path / "cli.json"
    proc = subprocess.run([cli(), "run", "--data", str(examples / "credit_eval.csv"),
                           "--policy", str(examples / "gate.json"), "--report", str(out), "--quiet"])
    assert proc.returncode == 0
    ours = referee.evaluate(examples / "credit_eval.csv", examples / "gate.json", threads=1)
    assert without_run(ours.to_json()) == without_run(out.read_text())
    assert ours.verdict == "PASS" and ours.passed


def test_dataframe_verdict_and_figures_equal_the_cli(examples, tmp_path):
    df = pd.read_csv(examples / "credit_eval.csv")
    out = tmp_path / "cli.json"
    subprocess.run([cli(), "run", "--data", str(examples / "credit_eval.csv"),
                    "--policy", str(examples / "gate.json"), "--report", str(out), "--quiet"], check=True)
    cli_report = without_run(out.read_text())
    ours = without_run(referee.evaluate(df, examples / "gate.json").to_json())
    # Only the data's provenance differs: a file's bytes versus in-memory columns.
    for report in (cli_report, ours):
        report.pop("data")
    assert ours == cli_report


def test_categorical_columns_give_the_same_report(examples):
    df = pd.read_csv(examples / "credit_eval.csv")
    categorical = {name: df[name].astype("category")
                   for name in ("customer_id", "region", "channel", "sex", "age_band")}
    as_category = df.assign(**categorical)
    plain = referee.evaluate(df, examples / "gate.json").to_dict()
    categorical = referee.evaluate(as_category, examples / "gate.json").to_dict()
    for r in (plain, categorical):
        r.pop("run")
    assert plain == categorical


def test_dict_of_arrays_and_policy_as_dict_or_json_text(examples):
    df = pd.read_csv(examples / "credit_eval.csv")
    policy = json.loads((examples / "gate.json").read_text())
    columns = {name: df[name].to_numpy() for name in ("y", "score_prod", "score_new", "w", "customer_id")}
    a = referee.evaluate(columns, policy)
    b = referee.evaluate(df, json.dumps(policy))
    assert without_run(a.to_json()) == without_run(b.to_json())
    assert a.rules[0].id == "auc-non-inferior" and a.rules[0].ci[0] > -0.005
    assert a.metrics["delta"]["roc_auc"].estimate == pytest.approx(0.0254, abs=1e-3)


def test_float64_arrays_are_passed_without_a_copy():
    from referee._api import _as_float64

    x = np.linspace(0, 1, 1000)
    assert _as_float64(x, "x") is x  # handed to the core as is
    strided = np.linspace(0, 1, 2000)[::2]
    converted = _as_float64(strided, "x")
    assert converted.flags.c_contiguous and not np.shares_memory(converted, strided)
    # The core refuses anything it would have to convert: a copy is never silent.
    policy = referee.Policy.from_json(json.dumps({
        "version": 1, "task": "binary", "columns": {"label": "y", "champion": "a", "challenger": "b"},
        "rules": [{"id": "r", "metric": "roc_auc", "subject": "delta", "min": 0}]}))
    with pytest.raises(TypeError):
        referee._core.evaluate_arrays(policy, x.astype(np.float32), x, x, None, None, [], 0, 1, None)


def test_seed_override_changes_only_the_intervals(examples):
    a = referee.evaluate(examples / "credit_eval_small.csv", examples / "gate.json", seed=1).to_dict()
    b = referee.evaluate(examples / "credit_eval_small.csv", examples / "gate.json", seed=2).to_dict()
    assert a["bootstrap"]["seed"] == 1 and b["bootstrap"]["seed"] == 2
    assert a["metrics"]["challenger"]["roc_auc"]["estimate"] == b["metrics"]["challenger"]["roc_auc"]["estimate"]
    assert a["metrics"]["challenger"]["roc_auc"]["ci"] != b["metrics"]["challenger"]["roc_auc"]["ci"]


def test_the_gil_is_released_while_referee_computes():
    rng = np.random.default_rng(0)
    n = 300_000
    y = (rng.random(n) < 0.3).astype(float)
    s = rng.random(n)
    policy = {"version": 1, "task": "binary", "columns": {"label": "y", "champion": "a", "challenger": "b"},
              "bootstrap": {"resamples": 400, "interval": "percentile"},
              "rules": [{"id": "r", "metric": "roc_auc", "subject": "delta", "min": 0}]}
    done = threading.Event()
    worker = threading.Thread(target=lambda: (referee.evaluate({"y": y, "a": s, "b": s}, policy, threads=1),
                                              done.set()))
    ticks = 0
    worker.start()
    start = time.perf_counter()
    while not done.is_set():
        ticks += 1  # only advances if the evaluation lets go of the GIL
    worker.join()
    assert time.perf_counter() - start > 0.2
    assert ticks > 100_000


def test_progress_reports_up_to_completion(examples, capsys):
    referee.evaluate(examples / "credit_eval_small.csv", examples / "gate.json", progress=True)
    assert "100%" in capsys.readouterr().err


def test_report_save_and_html(examples, tmp_path):
    report = referee.evaluate(examples / "credit_eval.csv", examples / "gate.json")
    report.save(tmp_path / "r.json")
    assert (tmp_path / "r.json").read_text() == report.to_json()
    assert list(tmp_path.iterdir()) == [tmp_path / "r.json"]  # no temporary left behind
    page = report._repr_html_()
    assert "PASS" in page and "auc-non-inferior" in page
