"""The ranking task (issue 15, item 4) against scikit-learn, ranx and scipy.

Point figures: ndcg@k and dcg@k equal sklearn.metrics.ndcg_score / dcg_score query by
query, tied scores included (the example's scores are rounded to one decimal, so ties are
common), and their weighted means over queries under both rules for queries with no
relevant document; map@k, mrr, precision@k, recall@k and ndcg@k equal ranx's on a
tie-free set (ranx breaks ties by its own sort, docs/ranking.md), all to 1e-12. The paired
delta's interval agrees with scipy.stats.bootstrap resampling queries, within Monte Carlo
error (test_bootstrap_scipy.py argues the tolerance).
"""
import json
import pathlib
import subprocess
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from sklearn.metrics import dcg_score, ndcg_score

import referee

ROOT = pathlib.Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "ranking_eval.csv"
POLICY = ROOT / "examples" / "gate-ranking.json"
MODELS = (("champion", "score_v1"), ("challenger", "score_v2"))


def policy(*rules, empty="skip", **columns):
    cols = {"query": "query_id", "label": "relevance", "champion": "score_v1", "challenger": "score_v2"}
    cols.update(columns)
    return {"version": 1, "task": "ranking", "columns": cols, "ranking": {"empty_queries": empty},
            "bootstrap": {"resamples": 200, "seed": 3},
            "rules": list(rules) or [{"id": "ndcg", "metric": "ndcg@10", "subject": "delta", "min": -1}]}


def per_query(frame, score, metric, k):
    """{query: (value, has a relevant document, weight)} by scikit-learn, one query at a time."""
    out = {}
    for q, rows in frame.groupby("query_id", sort=True):
        y, s = rows["relevance"].to_numpy(float)[None, :], rows[score].to_numpy(float)[None, :]
        out[q] = (metric(y, s, k=k), bool((y > 0).any()), float(rows["traffic"].iloc[0]))
    return out


def weighted_mean(values, skip):
    kept = [(v, w) for v, relevant, w in values.values() if relevant or not skip]
    return np.average([v for v, _ in kept], weights=[w for _, w in kept])


@pytest.mark.parametrize("empty", ["skip", "zero"])
def test_ndcg_and_dcg_equal_scikit_learn_with_ties(empty):
    frame = pd.read_csv(EXAMPLE, dtype={"query_id": str})
    rules = [{"id": name, "metric": name, "subject": "delta", "min": -100} for name in ("dcg@5", "ndcg@3")]
    report = referee.evaluate(frame, policy(*rules, empty=empty, weight="traffic"))
    for model, score in MODELS:
        got = report.metrics[model]
        for name, metric, k in (("ndcg@10", ndcg_score, 10), ("ndcg", ndcg_score, None), ("dcg@10", dcg_score, 10),
                                ("dcg@5", dcg_score, 5), ("ndcg@3", ndcg_score, 3)):
            expected = weighted_mean(per_query(frame, score, metric, k), empty == "skip")
            assert got[name].estimate == pytest.approx(expected, rel=1e-12, abs=1e-12), (model, name)


def test_each_query_equals_scikit_learn_through_a_segment_per_query():
    # A segment column holding the query id: each segment is one query, so the report's
    # segment figures are scikit-learn's per-query values, ties and all.
    frame = pd.read_csv(EXAMPLE, dtype={"query_id": str}).head(600)
    frame["q_segment"] = frame["query_id"]
    p = policy(segments=["q_segment"])
    p["segments_min"] = {"rows": 1}
    report = referee.evaluate(frame, p).to_dict()
    expected = per_query(frame, "score_v2", ndcg_score, 10)
    seen = 0
    for segment in report["segments"][0]["values"]:
        q = segment["value"]
        value, relevant, _ = expected[q]
        figure = segment["metrics"]["ndcg@10"]["challenger"]
        if relevant:
            assert figure["estimate"] == pytest.approx(value, rel=1e-12, abs=1e-12), q
            seen += 1
        else:
            assert figure["estimate"] is None  # "skip": no counted query in the segment
    assert seen > 30


def tie_free_set(seed=11, queries=300):
    rng = np.random.default_rng(seed)
    rows = []
    for q in range(queries):
        n = int(rng.integers(2, 25))
        relevance = np.digitize(rng.normal(size=n), [0.4, 1.1, 1.8])
        if q % 9 == 0:
            relevance[:] = 0
        v1 = rng.permutation(n) + rng.uniform(0, 0.5, n) + 0.3 * relevance
        v2 = rng.permutation(n) * 0.5 + rng.uniform(0, 0.5, n) + 0.8 * relevance
        for d in range(n):
            rows.append((f"q{q:03d}", f"d{d:02d}", int(relevance[d]), v1[d], v2[d]))
    frame = pd.DataFrame(rows, columns=["query_id", "doc", "relevance", "score_v1", "score_v2"])
    for score in ("score_v1", "score_v2"):
        assert not frame.duplicated(["query_id", score]).any()
    return frame


def ranx_per_query(frame, score, metrics):
    from ranx import Qrels, Run, evaluate
    qrels = {q: dict(zip(r["doc"], r["relevance"].astype(int))) for q, r in frame.groupby("query_id")}
    run = {q: dict(zip(r["doc"], r[score])) for q, r in frame.groupby("query_id")}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # numba's type-safety warnings inside ranx
        return evaluate(Qrels(qrels), Run(run), metrics, return_mean=False, make_comparable=True)


@pytest.mark.parametrize("empty", ["skip", "zero"])
def test_binary_metrics_equal_ranx_without_ties(empty):
    frame = tie_free_set()
    names = ["map@10", "mrr", "precision@10", "recall@10", "ndcg@10", "map", "precision@5", "mrr@3"]
    rules = [{"id": f"r{i}", "metric": name, "subject": "delta", "min": -100} for i, name in enumerate(names)]
    report = referee.evaluate(frame, policy(*rules, empty=empty))
    relevant = frame.groupby("query_id")["relevance"].max().sort_index().to_numpy() > 0
    assert 0 < (~relevant).sum() < relevant.size
    for model, score in MODELS:
        theirs = ranx_per_query(frame, score, names)
        for name in names:
            values = np.asarray(theirs[name])
            expected = values[relevant].mean() if empty == "skip" else values.mean()
            got = report.metrics[model][name].estimate
            assert got == pytest.approx(expected, rel=1e-12, abs=1e-12), (model, name)


def test_paired_delta_interval_agrees_with_scipy_resampling_queries():
    frame = pd.read_csv(EXAMPLE, dtype={"query_id": str})
    values = {m: per_query(frame, s, ndcg_score, 10) for m, s in MODELS}
    kept = [q for q, (_, relevant, _) in values["champion"].items() if relevant]
    a = np.array([values["champion"][q][0] for q in kept])
    b = np.array([values["challenger"][q][0] for q in kept])
    B = 4000
    p = policy()
    p["bootstrap"] = {"resamples": B, "seed": 4, "interval": "percentile", "scheme": "multinomial"}
    ours = referee.evaluate(frame, p).metrics["delta"]["ndcg@10"]
    assert ours.estimate == pytest.approx(b.mean() - a.mean(), rel=1e-12)
    theirs = stats.bootstrap((a, b), lambda x, y, axis=-1: np.mean(y, axis=axis) - np.mean(x, axis=axis),
                             paired=True, n_resamples=B, method="percentile",
                             random_state=np.random.default_rng(6))
    se = theirs.standard_error
    assert ours.se == pytest.approx(se, rel=0.1)
    assert abs(ours.ci[0] - theirs.confidence_interval.low) < 0.25 * se
    assert abs(ours.ci[1] - theirs.confidence_interval.high) < 0.25 * se
    # Resampling documents one by one would understate it: the query is the unit.
    unpaired = np.sqrt(np.var(a) / a.size + np.var(b) / b.size)
    assert ours.se < unpaired


def test_ranking_gate_from_the_cli_and_python_agree(tmp_path):
    out = tmp_path / "report.json"
    proc = subprocess.run(["referee", "run", "--data", str(EXAMPLE), "--policy", str(POLICY),
                           "--report", str(out)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "ndcg@10" in proc.stdout
    from_python = referee.evaluate(str(EXAMPLE), str(POLICY)).to_dict()
    from_cli = json.loads(out.read_text())
    for key in ("metrics", "rules", "verdict", "segments"):
        assert from_cli[key] == from_python[key]
    assert from_cli["verdict"] == "PASS"
    frame = pd.read_csv(EXAMPLE)
    empty = int((frame.groupby("query_id")["relevance"].max() == 0).sum())
    assert from_cli["data"]["ranking"] == {"queries": 400, "empty_queries": empty, "empty_rule": "skip",
                                           "counted_queries": 400 - empty}


def small(**changes):
    data = {"q": ["a", "a", "b", "b", "c", "c"], "y": [1, 0, 2, 0, 0, 1],
            "s1": [0.9, 0.1, 0.2, 0.8, 0.3, 0.6], "s2": [0.8, 0.2, 0.9, 0.1, 0.4, 0.5]}
    data.update(changes)
    return data


def small_policy(**columns):
    return policy(query="q", label="y", champion="s1", challenger="s2", **columns)


def test_a_query_split_across_clusters_names_the_row():
    data = small(u=["x", "x", "x", "y", "y", "y"])
    with pytest.raises(referee.DataError, match=r'row 4, column "q".*two clusters'):
        referee.evaluate(data, small_policy(cluster="u"))
    nested = small(u=["x", "x", "x", "x", "y", "y"])
    assert referee.evaluate(nested, small_policy(cluster="u")).to_dict()["data"]["units"] == 2


def test_a_weight_or_segment_that_changes_within_a_query_names_the_row():
    with pytest.raises(referee.DataError, match=r'row 6, column "w".*one weight'):
        referee.evaluate(small(w=[1, 1, 2, 2, 3, 4]), small_policy(weight="w"))
    with pytest.raises(referee.DataError, match=r'row 4, column "m".*one segment'):
        referee.evaluate(small(m=["p", "p", "r", "p", "r", "r"]), small_policy(segments=["m"]))


def test_fairness_and_a_missing_query_are_refused():
    with pytest.raises(referee.PolicyError, match=r"\$\.columns\.sensitive"):
        referee.evaluate(small(g=["p"] * 6), small_policy(sensitive=["g"]))
    p = small_policy()
    del p["columns"]["query"]
    with pytest.raises(referee.PolicyError, match=r"\$\.columns\.query"):
        referee.evaluate(small(), p)
    with pytest.raises(referee.DataError, match=r'row 2, column "q".*missing'):
        referee.evaluate(small(q=["a", "", "b", "b", "c", "c"]), small_policy())
