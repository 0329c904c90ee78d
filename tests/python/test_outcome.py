"""The outcome task (issue 15, item 5) against numpy and scipy.

Point figures: the weighted mean (numpy.average), the pass rate, and numpy's weighted
"inverted_cdf" quantiles, to 1e-12. Intervals: the paired delta's percentile interval
against scipy.stats.bootstrap within Monte Carlo error (see test_bootstrap_scipy.py for
the tolerance's argument), and the cluster key moving every generation of a prompt
together (the interval widens when the clustered results are correlated).
"""
import json
import pathlib
import subprocess

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import referee

ROOT = pathlib.Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "llm_eval.csv"
POLICY = ROOT / "examples" / "gate-outcome.json"
LEVELS = {"quantile@0.5": 0.5, "quantile@0.9": 0.9, "quantile@0.95": 0.95, "quantile@0.99": 0.99}


def policy(champion="a", challenger="b", **extra):
    columns = {"champion": champion, "challenger": challenger}
    columns.update(extra.pop("columns", {}))
    p = {"version": 1, "task": "outcome", "columns": columns,
         "bootstrap": {"resamples": 400, "seed": 2},
         "rules": [{"id": "mean", "metric": "mean", "subject": "delta", "min": -1}]}
    p.update(extra)
    return p


def test_point_figures_equal_numpy_with_weights():
    rng = np.random.default_rng(5)
    n = 1000
    a = np.round(rng.gamma(2.0, 1.5, n), 3)
    b = np.round(a + rng.normal(0.2, 0.5, n), 3)
    w = rng.uniform(0.1, 3.0, n)
    report = referee.evaluate({"a": a, "b": b, "w": w}, policy(columns={"weight": "w"}, threshold=2.5))
    for model, x in (("champion", a), ("challenger", b)):
        got = report.metrics[model]
        assert got["mean"].estimate == pytest.approx(np.average(x, weights=w), rel=1e-12)
        assert got["pass_rate"].estimate == pytest.approx(np.average(x >= 2.5, weights=w), rel=1e-12)
        for name, q in LEVELS.items():
            expected = np.quantile(x, q, method="inverted_cdf", weights=w)
            assert got[name].estimate == expected, (model, name)
    assert report.metrics["delta"]["mean"].estimate == pytest.approx(
        np.average(b, weights=w) - np.average(a, weights=w), rel=1e-12)


def test_paired_delta_interval_agrees_with_scipy():
    rng = np.random.default_rng(8)
    n = 200
    a = rng.normal(3.0, 1.0, n)
    b = a + rng.normal(0.15, 0.4, n)  # correlated: pairing narrows the delta's interval
    B = 4000
    p = policy(bootstrap={"resamples": B, "seed": 4, "interval": "percentile", "scheme": "multinomial"})
    ours = referee.evaluate({"a": a, "b": b}, p).metrics["delta"]["mean"]
    theirs = stats.bootstrap((a, b), lambda x, y, axis=-1: np.mean(y, axis=axis) - np.mean(x, axis=axis),
                             paired=True, n_resamples=B, method="percentile",
                             random_state=np.random.default_rng(6))
    se = theirs.standard_error
    assert ours.se == pytest.approx(se, rel=0.1)
    assert abs(ours.ci[0] - theirs.confidence_interval.low) < 0.25 * se
    assert abs(ours.ci[1] - theirs.confidence_interval.high) < 0.25 * se
    unpaired_se = np.sqrt(np.var(a) / n + np.var(b) / n)
    assert ours.se < 0.6 * unpaired_se


def test_clusters_move_every_generation_of_a_prompt_together():
    frame = pd.read_csv(EXAMPLE)
    p = json.loads(POLICY.read_text())
    clustered = referee.evaluate(frame, p).metrics["challenger"]["pass_rate"]
    del p["columns"]["cluster"]
    rows = referee.evaluate(frame, p).metrics["challenger"]["pass_rate"]
    assert clustered.estimate == rows.estimate == pytest.approx(frame["success_v2"].mean(), rel=1e-12)
    # Generations of one prompt share its difficulty, so the row bootstrap understates the
    # SE; the cluster bootstrap's SE is that of the per-prompt means (a ratio estimator).
    per_prompt = frame.groupby("prompt_id")["success_v2"].mean().to_numpy()
    cluster_se = per_prompt.std(ddof=1) / np.sqrt(per_prompt.size)
    assert clustered.se == pytest.approx(cluster_se, rel=0.15)
    assert clustered.se > 1.2 * rows.se


def test_outcome_gate_from_the_cli_and_python_agree(tmp_path):
    out = tmp_path / "report.json"
    proc = subprocess.run(["referee", "run", "--data", str(EXAMPLE), "--policy", str(POLICY),
                           "--report", str(out)], capture_output=True, text=True)
    assert proc.returncode in (0, 1, 2), proc.stderr
    assert "pass_rate" in proc.stdout
    from_python = referee.evaluate(str(EXAMPLE), str(POLICY)).to_dict()
    from_cli = json.loads(out.read_text())
    for key in ("metrics", "rules", "verdict"):
        assert from_cli[key] == from_python[key]


def test_a_label_or_a_probability_metric_is_refused_by_name():
    with pytest.raises(referee.PolicyError, match=r"\$\.columns\.label.*no label"):
        referee.evaluate({"a": [1.0], "b": [1.0]}, policy(columns={"label": "y"}))
    bad = policy()
    bad["rules"][0]["metric"] = "roc_auc"
    with pytest.raises(referee.PolicyError, match="binary metric"):
        referee.evaluate({"a": [1.0], "b": [1.0]}, bad)
    with pytest.raises(referee.DataError, match=r'row 2, column "b"'):
        referee.evaluate({"a": [1.0, 2.0], "b": [1.0, float("nan")]}, policy())
