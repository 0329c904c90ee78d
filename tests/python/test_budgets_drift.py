"""Budgets and drift on the bundled example, against numpy and scipy.

Every figure in the report's budgets and drift sections is recomputed here from the CSV
files with numpy and scipy: percentiles (numpy.quantile), their order-statistic
intervals (scipy.stats.quantile_test), Wilson intervals (scipy.stats.binomtest), the KS
test (scipy.stats.ks_2samp), Wasserstein-1 (scipy.stats.wasserstein_distance), the
Jensen-Shannon distance (scipy.spatial.distance.jensenshannon), the chi-square test
(scipy.stats.chi2_contingency) and the PSI from its definition in docs/budgets-and-drift.md.
"""

import json
import subprocess

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from scipy.spatial.distance import jensenshannon

import referee

from conftest import ROOT
from test_surfaces import cli

PROBABILITIES = {"latency_p50": 0.5, "latency_p90": 0.9, "latency_p95": 0.95, "latency_p99": 0.99,
                 "latency_p999": 0.999}


@pytest.fixture(scope="module")
def budgets_report():
    root = ROOT / "examples"
    return referee.evaluate(root / "credit_eval.csv", root / "gate-budgets.json", threads=2).to_dict()


@pytest.fixture(scope="module")
def data():
    root = ROOT / "examples"
    return pd.read_csv(root / "credit_eval.csv"), pd.read_csv(root / "reference_sample.csv")


def test_percentiles_and_their_intervals_match_numpy_and_scipy(budgets_report, data):
    df, _ = data
    metrics = budgets_report["budgets"]["metrics"]
    for model, column in (("champion", "lat_prod_ms"), ("challenger", "lat_new_ms")):
        x = df[column].to_numpy()
        for name, p in PROBABILITIES.items():
            figure = metrics[name][model]
            assert figure["estimate"] == np.quantile(x, p), (name, model)
            assert figure["n"] == len(x)
            ci = stats.quantile_test(x, p=p).confidence_interval(0.95)
            assert figure["ci"] == [ci.low, ci.high], (name, model)
            assert figure["interval"] == "order statistic"
        assert metrics["latency_mean"][model]["estimate"] == pytest.approx(np.mean(x), rel=1e-13)
    for name, p in PROBABILITIES.items():
        delta = metrics[name]["delta"]
        assert delta["estimate"] == pytest.approx(
            np.quantile(df["lat_new_ms"], p) - np.quantile(df["lat_prod_ms"], p), rel=1e-12)
        assert delta["ci"][0] <= delta["estimate"] <= delta["ci"][1]
        assert delta["interval"] == "paired percentile bootstrap"


def test_cost_and_error_rate_match_their_definitions(budgets_report, data):
    df, _ = data
    metrics = budgets_report["budgets"]["metrics"]
    for model, cost, error in (("champion", "cost_prod", "err_prod"), ("challenger", "cost_new", "err_new")):
        assert metrics["cost_per_1k"][model]["estimate"] == pytest.approx(1000 * df[cost].mean(), rel=1e-13)
        k, n = int(df[error].sum()), len(df)
        assert metrics["error_rate"][model]["estimate"] == pytest.approx(k / n, rel=1e-15)
        ci = stats.binomtest(k, n).proportion_ci(0.95, method="wilson")
        assert metrics["error_rate"][model]["ci"] == pytest.approx([ci.low, ci.high], rel=1e-12)
    relative = metrics["cost_per_1k"]["relative_delta"]["estimate"]
    assert relative == pytest.approx(df["cost_new"].mean() / df["cost_prod"].mean() - 1.0, rel=1e-12)


def psi(reference_counts, current_counts, floor=1e-4):
    r = np.asarray(reference_counts, float) / np.sum(reference_counts)
    c = np.asarray(current_counts, float) / np.sum(current_counts)
    r, c = np.where(r == 0, floor, r), np.where(c == 0, floor, c)
    return float(np.sum((c - r) * np.log(c / r)))


def test_numeric_drift_matches_scipy(budgets_report, data):
    df, ref = data
    features = {f["feature"]: f for f in budgets_report["drift"]["features"]}
    for name in ("income", "age", "score_prod", "score_new"):
        f = features[name]
        r, c = ref[name].to_numpy(float), df[name].to_numpy(float)
        ks = stats.ks_2samp(r, c)
        assert f["ks_statistic"] == pytest.approx(ks.statistic, rel=1e-12), name
        assert f["ks_pvalue"] == pytest.approx(ks.pvalue, rel=1e-9, abs=1e-300), name
        assert f["wasserstein"] == pytest.approx(stats.wasserstein_distance(r, c), rel=1e-10), name
        edges = np.unique(np.quantile(r, np.arange(1, 10) / 10))
        assert f["bin_edges"] == pytest.approx(edges.tolist(), rel=1e-15)
        rc = np.bincount(np.searchsorted(edges, r, side="left"), minlength=len(edges) + 1)
        cc = np.bincount(np.searchsorted(edges, c, side="left"), minlength=len(edges) + 1)
        assert f["reference_counts"] == rc.tolist() and f["current_counts"] == cc.tolist()
        assert f["psi"] == pytest.approx(psi(rc, cc), rel=1e-12), name
        assert f["js_distance"] == pytest.approx(jensenshannon(rc, cc, base=2), rel=1e-10), name
        assert f["n_reference"] == len(r) and f["n_current"] == len(c)


def test_categorical_drift_matches_scipy(budgets_report, data):
    df, ref = data
    f = next(f for f in budgets_report["drift"]["features"] if f["feature"] == "region")
    categories = sorted(set(ref["region"]) | set(df["region"]))
    assert f["categories"] == categories
    rc = [int((ref["region"] == v).sum()) for v in categories]
    cc = [int((df["region"] == v).sum()) for v in categories]
    assert f["reference_counts"] == rc and f["current_counts"] == cc
    chi2, p, dof, _ = stats.chi2_contingency(np.array([rc, cc]), correction=False)
    assert f["chi2_statistic"] == pytest.approx(chi2, rel=1e-12)
    assert f["chi2_pvalue"] == pytest.approx(p, rel=1e-9)
    assert f["chi2_dof"] == dof
    assert f["psi"] == pytest.approx(psi(rc, cc), rel=1e-12)
    assert f["js_distance"] == pytest.approx(jensenshannon(rc, cc, base=2), rel=1e-10)


def test_the_p99_budget_fails_the_gate_and_is_named(tmp_path):
    root = ROOT / "examples"
    report = tmp_path / "r.json"
    proc = subprocess.run([cli(), "run", "--data", str(root / "credit_eval.csv"), "--policy",
                           str(root / "gate-budgets.json"), "--report", str(report)],
                          capture_output=True, text=True)
    assert proc.returncode == 1, proc.stderr
    assert "p99-latency-budget: CI [48.132, 51.208] lies entirely outside <= 45" in proc.stdout
    rule = next(r for r in json.loads(report.read_text())["rules"] if r["id"] == "p99-latency-budget")
    assert rule["verdict"] == "FAIL" and rule["estimate"] == np.quantile(
        pd.read_csv(root / "credit_eval.csv")["lat_new_ms"], 0.99)


def test_load_test_samples_are_independent_and_match_numpy(tmp_path):
    root = ROOT / "examples"
    report = tmp_path / "r.json"
    subprocess.run([cli(), "run", "--data", str(root / "credit_eval.csv"), "--policy",
                    str(root / "gate-loadtest.json"), "--latency", str(root / "latency_loadtest.csv"),
                    "--report", str(report), "--quiet"], check=False)
    r = json.loads(report.read_text())
    assert r["budgets"]["latency"]["paired"] is False
    assert r["budgets"]["latency"]["file"] == "latency_loadtest.csv"
    samples = pd.read_csv(root / "latency_loadtest.csv")
    for model in ("champion", "challenger"):
        x = samples.loc[samples["model"] == model, "latency_ms"].to_numpy()
        for name, p in PROBABILITIES.items():
            figure = r["budgets"]["metrics"][name][model]
            assert figure["estimate"] == np.quantile(x, p)
            ci = stats.quantile_test(x, p=p).confidence_interval(0.95)
            assert figure["ci"] == [ci.low, ci.high]
    assert r["budgets"]["metrics"]["latency_p99"]["delta"]["interval"] == "independent percentile bootstrap"
    cost = r["budgets"]["metrics"]["cost_per_1k"]
    assert cost["champion"]["estimate"] == 0.12 and cost["champion"]["ci"] == [0.12, 0.12]
    assert cost["challenger"]["estimate"] == pytest.approx(1.21 / (2.5 * 3600) * 1000, rel=1e-15)


def test_every_example_policy_meets_the_json_schema():
    import jsonschema

    schema = json.loads((ROOT / "docs" / "policy.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    policies = [p for p in sorted((ROOT / "examples").glob("gate*.json")) if not p.name.endswith(".cases.json")]
    assert len(policies) >= 5
    for path in policies:
        jsonschema.validate(json.loads(path.read_text()), schema)
    # and the schema refuses what referee refuses: a drift rule with a subject
    bad = json.loads((ROOT / "examples" / "gate-budgets.json").read_text())
    bad["rules"][5]["subject"] = "delta"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)


def test_a_row_id_leaves_the_error_rates_delta_interval_as_without_one(data):
    """A row id keys the resampling units but each row stays its own unit, so the error
    rate's paired delta takes the interval it takes with no key (the score interval); only
    a cluster column refuses it, as it does for the metrics' paired proportions."""
    df, _ = data
    # A rare event: 3 discordant rows, where the automatic choice takes the score interval.
    err_prod, err_new = np.zeros(len(df)), np.zeros(len(df))
    err_prod[[0, 1]] = 1.0
    err_new[[1, 2, 3]] = 1.0
    df = df.assign(row=[f"r{i}" for i in range(len(df))], err_prod=err_prod, err_new=err_new)
    with open(ROOT / "examples" / "gate-budgets.json") as f:
        policy = json.load(f)
    policy.pop("drift")
    policy["rules"] = [r for r in policy["rules"] if "feature" not in r]
    plain = {k: v for k, v in policy["columns"].items() if k != "cluster"}

    def error_delta(columns):
        report = referee.evaluate(df, {**policy, "columns": columns}, threads=2).to_dict()
        return report["budgets"]["metrics"]["error_rate"]["delta"]

    unkeyed, keyed = error_delta(plain), error_delta({**plain, "id": "row"})
    assert unkeyed["interval"] == "tango score"
    assert keyed["interval"] == unkeyed["interval"] and keyed["ci"] == unkeyed["ci"]
    clustered = error_delta({**plain, "cluster": "customer_id"})
    assert clustered["interval"] == "paired percentile bootstrap"
