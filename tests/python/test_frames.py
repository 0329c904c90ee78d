"""Python for people: str(report) is the CLI's summary, and the report's tables come as
pandas DataFrames. The CLI's own output and report.json are the references."""

import json
import os
import shutil
import subprocess
import sys

import pandas as pd
import pytest

import referee

EXAMPLES = os.path.join(os.path.dirname(__file__), "..", "..", "examples")
REFEREE = shutil.which("referee", path=os.path.dirname(sys.executable)) or shutil.which("referee")


def example(name):
    return os.path.join(EXAMPLES, name)


@pytest.fixture(scope="module")
def segments_report():
    return referee.evaluate(example("credit_eval.csv"), example("gate-segments.json"), threads=1)


@pytest.fixture(scope="module")
def budgets_report():
    return referee.evaluate(example("credit_eval.csv"), example("gate-budgets.json"), threads=1)


@pytest.mark.skipif(REFEREE is None, reason="the referee CLI is not on PATH")
def test_str_is_the_summary_the_cli_prints():
    report = referee.evaluate(example("credit_eval_small.csv"), example("gate.json"), threads=1)
    cli = subprocess.run([REFEREE, "run", "--data", example("credit_eval_small.csv"), "--policy",
                          example("gate.json"), "--threads", "1"], capture_output=True, text=True)
    assert cli.returncode == 2  # INCONCLUSIVE
    # The data line names the path as given; the rest is the same text.
    assert str(report).splitlines()[2:] == cli.stdout.splitlines()[2:]
    assert "next step: about" in str(report)
    assert str(report).rstrip().endswith("VERDICT: INCONCLUSIVE")


def test_rules_frame_is_the_report_rules(segments_report):
    frame = segments_report.rules_frame()
    rules = segments_report.to_dict()["rules"]
    assert list(frame["id"]) == [r["id"] for r in rules]
    assert list(frame["verdict"]) == [r["verdict"] for r in rules]
    for row, rule in zip(frame.itertuples(), rules):
        assert row.estimate == rule["estimate"]
        assert (row.ci_low, row.ci_high) == tuple(rule["ci"])
        assert row.n == rule["n"]
        assert row.reason == rule["reason"]


def test_segments_frame_long_form(segments_report):
    frame = segments_report.segments_frame()
    data = segments_report.to_dict()
    west = [s for s in data["segments"][0]["values"] if s["value"] == "west"][0]
    row = frame[(frame.segment == "region") & (frame.value == "west") & (frame.metric == "roc_auc")
                & (frame.subject == "delta")]
    assert len(row) == 1
    assert row.estimate.iloc[0] == west["metrics"]["roc_auc"]["delta"]["estimate"]
    assert row.n.iloc[0] == west["metrics"]["roc_auc"]["delta"]["n"] == west["n"]
    specs = {t["segment"] for t in data["segments"]}
    assert set(frame.segment) == specs
    assert "region*channel" in specs and frame[frame.segment == "region*channel"].value.str.contains(r"\*").all()


def test_fairness_frame_disparities_and_rates(segments_report):
    frame = segments_report.fairness_frame()
    table = segments_report.to_dict()["fairness"][0]
    dp = frame[(frame.kind == "disparity") & (frame.name == "demographic_parity_ratio") & (frame.subject == "delta")]
    assert dp.estimate.iloc[0] == table["disparities"]["demographic_parity_ratio"]["delta"]["estimate"]
    rates = frame[frame.kind == "rate"]
    assert set(rates.group) == {g["group"] for g in table["groups"]}
    assert set(rates.subject) == {"champion", "challenger"}


def test_budgets_frame(budgets_report):
    frame = budgets_report.budgets_frame()
    metrics = budgets_report.to_dict()["budgets"]["metrics"]
    assert set(frame.metric) == set(metrics)
    row = frame[(frame.metric == "latency_mean") & (frame.subject == "delta")]
    assert row.estimate.iloc[0] == metrics["latency_mean"]["delta"]["estimate"]
    assert row.unit.iloc[0] == "ms"


def test_rules_of_every_kind_read_back_from_the_report(budgets_report):
    # Drift rules have no subject and no per-model figures: report.rules must still read
    # them (it raised KeyError: 'subject' before), with the feature they judge.
    stored = {r["id"]: r for r in budgets_report.to_dict()["rules"]}
    rules = {r.id: r for r in budgets_report.rules}
    assert rules.keys() == stored.keys()
    drift = [r for r in rules.values() if r.feature is not None]
    assert drift and all(r.subject is None and r.champion is None for r in drift)
    assert {r.feature for r in drift} == {s["feature"] for s in stored.values() if "feature" in s}
    budget = rules["p99-latency-budget"]
    assert budget.champion.estimate == stored["p99-latency-budget"]["champion"]["estimate"]


def test_a_report_without_segments_gives_empty_frames():
    report = referee.evaluate(example("credit_eval_small.csv"), example("gate.json"), threads=1)
    assert report.segments_frame().empty and list(report.segments_frame().columns)[:2] == ["segment", "value"]
    assert report.fairness_frame().empty
    assert report.budgets_frame().empty
    assert isinstance(report.rules_frame(), pd.DataFrame)
    assert report.rules_frame().rows_needed.notna().any()  # INCONCLUSIVE rules plan their next step
