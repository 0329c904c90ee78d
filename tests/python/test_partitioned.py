"""referee.partitioned: the protocol in one process gives referee.evaluate's report, byte for
byte outside "run", for any partition count and row order (docs/partitioned.md)."""

import json

import numpy as np
import pandas as pd
import pytest

import referee
from referee import partitioned as rp


def _frame(n=4000, clusters=None, seed=3):
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.35).astype(float)
    a = 1 / (1 + np.exp(-(rng.normal(size=n) + y - 0.5)))
    a[::5] = np.round(a[::5] * 50) / 50  # ties
    b = 1 / (1 + np.exp(-(rng.normal(size=n) + 1.4 * y - 0.7)))
    return pd.DataFrame({
        "txn": [f"t{i}" for i in range(n)],
        "y": y, "a": a, "b": b,
        "w": 0.5 + rng.integers(0, 7, n) * 0.375,
        "cust": [f"c{k}" for k in rng.integers(0, clusters or n, n)],
        "region": rng.choice(list("abcd"), n),
        "grp": rng.choice(["x", "y", "y"], n),
    })


def _policy(weighted=True, clustered=False, interval="bca"):
    columns = {"label": "y", "champion": "a", "challenger": "b", "id": "txn",
               "segments": ["region"], "sensitive": ["grp"]}
    if weighted:
        columns["weight"] = "w"
    if clustered:
        columns["cluster"] = "cust"
    return {
        "version": 1, "task": "binary", "columns": columns, "threshold": 0.4,
        "bootstrap": {"resamples": 130, "interval": interval, "seed": 5},
        "rules": [
            {"id": "auc", "metric": "roc_auc", "subject": "delta", "min": -0.05},
            {"id": "acc", "metric": "accuracy", "subject": "delta", "min": -0.1},
            {"id": "seg", "metric": "roc_auc", "subject": "delta",
             "scope": {"each_segment": "region"}, "min": -0.2},
            {"id": "eo", "metric": "equalized_odds_difference", "sensitive": "grp",
             "subject": "challenger", "max": 0.5},
        ],
    }


def _outside_run(report):
    d = json.loads(report.to_json())
    d.pop("run", None)
    return json.dumps(d, sort_keys=False)


@pytest.mark.parametrize("weighted,clustered,interval", [
    (False, False, "bca"), (True, True, "bca"), (True, False, "percentile")])
def test_partitioned_evaluate_equals_evaluate(weighted, clustered, interval):
    df = _frame(clusters=150 if clustered else None)
    policy = _policy(weighted, clustered, interval)
    expected = _outside_run(referee.evaluate(df, policy, threads=2))
    shuffled = df.sample(frac=1.0, random_state=1).reset_index(drop=True)
    for parts in (1, 3, 16):
        pieces = np.array_split(np.arange(len(shuffled)), parts)
        got = rp.evaluate([shuffled.iloc[rows] for rows in pieces], policy, threads=1)
        assert _outside_run(got) == expected, parts


def _regression_frame(n=4000, clusters=None, seed=7):
    rng = np.random.default_rng(seed)
    y = 20 + 7 * rng.normal(size=n)
    y[::7] = np.round(y[::7])  # ties
    y[::97] = 0.0  # mape's floor
    a = y + 2 * rng.normal(size=n)
    b = y + 1.7 * rng.normal(size=n) + 0.1
    return pd.DataFrame({
        "txn": [f"t{i}" for i in range(n)], "y": y, "a": a, "b": b,
        "w": 0.5 + rng.integers(0, 7, n) * 0.375,
        "cust": [f"c{k}" for k in rng.integers(0, clusters or n, n)],
        "region": rng.choice(list("abcd"), n),
    })


@pytest.mark.parametrize("weighted,clustered,interval", [(True, True, "bca"), (False, False, "percentile")])
def test_partitioned_regression_equals_evaluate(weighted, clustered, interval):
    df = _regression_frame(n=20000, clusters=150 if clustered else None)  # 16 key buckets
    columns = {"label": "y", "champion": "a", "challenger": "b", "id": "txn", "segments": ["region"]}
    if weighted:
        columns["weight"] = "w"
    if clustered:
        columns["cluster"] = "cust"
    policy = {"version": 1, "task": "regression", "columns": columns,
              "bootstrap": {"resamples": 130, "interval": interval, "seed": 5},
              "rules": [{"id": "rmse", "metric": "rmse", "subject": "delta", "max": 0.1},
                        {"id": "r2", "metric": "r2", "subject": "challenger", "min": 0.1},
                        {"id": "seg", "metric": "mae", "subject": "delta",
                         "scope": {"each_segment": "region"}, "max": 0.2}]}
    expected = _outside_run(referee.evaluate(df, policy, threads=2))
    shuffled = df.sample(frac=1.0, random_state=1).reset_index(drop=True)
    plan = rp.make_plan(policy, rp.facts_state(df, policy))
    assert rp.passes(plan) == ["champion", "challenger", "rows"]
    assert not rp.ranked(plan, "champion") and not rp.ranked(plan, "challenger")
    for parts in (1, 3, 16):
        pieces = np.array_split(np.arange(len(shuffled)), parts)
        got = rp.evaluate([shuffled.iloc[rows] for rows in pieces], policy, threads=1)
        assert _outside_run(got) == expected, parts


def test_dict_and_arrow_parts_agree_with_a_frame():
    pa = pytest.importorskip("pyarrow")
    df = _frame(n=1500)
    policy = _policy(True, False, "percentile")
    expected = _outside_run(referee.evaluate(df, policy))
    halves = [df.iloc[:700], df.iloc[700:]]
    as_dicts = [{k: v.to_numpy() for k, v in h.items()} for h in halves]
    assert _outside_run(rp.evaluate(as_dicts, policy)) == expected
    as_arrow = [pa.Table.from_pandas(h, preserve_index=False) for h in halves]
    assert _outside_run(rp.evaluate(as_arrow, policy)) == expected


def test_the_steps_refuse_misuse_by_name():
    df = _frame(n=800)
    policy = _policy(False, False, "percentile")
    keyless = dict(policy, columns={k: v for k, v in policy["columns"].items() if k != "id"})
    with pytest.raises(referee.PolicyError, match=r"needs \$\.columns\.id or \$\.columns\.cluster"):
        rp.facts_state(df, keyless)
    samples = dict(policy, rules=policy["rules"] + [
        {"id": "p99", "metric": "latency_p99", "subject": "challenger", "max": 45}])
    with pytest.raises(referee.PolicyError, match="latency as separate samples"):
        rp.facts_state(df, samples)
    plan = rp.make_plan(policy, rp.facts_state(df, policy))
    other = rp.make_plan(policy, rp.facts_state(df, policy), seed=1)
    with pytest.raises(referee.DataError, match="another plan"):
        rp.merge(other, "rows", [rp.pass_state(plan, "rows", df)])
    halves = [rp.totals_state(plan, "champion", df.iloc[:400]), rp.totals_state(plan, "champion", df.iloc[400:])]
    with pytest.raises(referee.UsageError, match="share score bucket"):
        rp.aboves(plan, "champion", halves)
    # Round 1 takes totals, merge and round 2 take shares: each refuses the other by name.
    share = rp.pass_state(plan, "champion", df.iloc[:400])
    with pytest.raises(referee.DataError, match="not round 1's totals"):
        rp.aboves(plan, "champion", [share])
    with pytest.raises(referee.DataError, match="not round 1's totals"):
        rp.pass_state(plan, "champion", df.iloc[400:], above=share)
    with pytest.raises(referee.DataError, match="round 1's totals"):
        rp.merge(plan, "champion", halves[:1])
    with pytest.raises(referee.UsageError, match="no round 1"):
        rp.totals_state(plan, "rows", df)
    with pytest.raises(referee.UsageError, match="unknown pass"):
        rp.pass_state(plan, "latency", df)


def test_round_one_totals_add_in_pieces_with_whole_weights_only():
    df = _frame(n=3000, clusters=400)
    whole = _policy(False, True, "bca")
    plan = rp.make_plan(whole, rp.facts_state(df, whole))
    cut = df[rp.buckets(plan, "champion", df) >= np.quantile(rp.buckets(plan, "champion", df), 0.4)]
    # Pieces that split the cut's buckets and ties (rows in random order): the merge of their
    # totals is the cut's totals_state, byte for byte, as round 1 of the Spark bucket stage takes it.
    shuffled = cut.sample(frac=1.0, random_state=5)
    ends = np.linspace(0, len(shuffled), 8).astype(int)
    pieces = [rp.totals_state(plan, "champion", shuffled.iloc[a:b]) for a, b in zip(ends[:-1], ends[1:])]
    assert rp.mergeable_totals(plan, "champion") and rp.mergeable_totals(plan, "challenger")
    assert rp.merge_totals(plan, "champion", pieces) == rp.totals_state(plan, "champion", cut)
    assert rp.merge_totals(plan, "champion", pieces[::-1]) == rp.totals_state(plan, "champion", cut)
    assert not rp.mergeable_totals(plan, "rows")
    # With a weight column round 1 folds a tie group by rank: pieces that split one round differently.
    weighted = _policy(True, True, "bca")
    weighted_plan = rp.make_plan(weighted, rp.facts_state(df, weighted))
    assert not rp.mergeable_totals(weighted_plan, "champion")
    with pytest.raises(referee.UsageError, match="do not add exactly in pieces"):
        rp.merge_totals(weighted_plan, "champion", [rp.totals_state(weighted_plan, "champion", cut)])
    with pytest.raises(referee.UsageError, match="do not add exactly in pieces"):
        rp.merge_totals(plan, "rows", pieces)
    with pytest.raises(referee.DataError, match="not round 1's totals"):
        rp.merge_totals(plan, "champion", [rp.pass_state(plan, "champion", cut)])


def test_states_are_deterministic_bytes():
    df = _frame(n=1200)
    policy = _policy(True, True, "bca")
    plan = rp.make_plan(policy, rp.facts_state(df, policy))
    first = rp.pass_state(plan, "challenger", df, threads=1)
    again = rp.pass_state(plan, "challenger", df.sample(frac=1.0, random_state=2), threads=2)
    assert first == again  # a retried or reordered partition gives the same state
    assert rp.first_bucket(first) == int(rp.buckets(plan, "challenger", df).min())
    totals = rp.totals_state(plan, "challenger", df, threads=2)
    assert totals == rp.totals_state(plan, "challenger", df.sample(frac=1.0, random_state=3), threads=1)
    assert rp.first_bucket(totals) == rp.first_bucket(first)
    # Several passes' buckets at once: a (passes, rows) array, each row a single pass's.
    names = rp.passes(plan)
    every = rp.buckets(plan, names, df)
    assert every.shape == (len(names), len(df)) and every.dtype == np.uint64
    for name, row in zip(names, every):
        np.testing.assert_array_equal(row, rp.buckets(plan, name, df))
    assert not np.array_equal(every[0], every[-1])  # score buckets are not key buckets


def _ranking_frame(queries=2500, clusters=None, seed=11):
    """Queries of 1 to 13 documents, graded relevance (some queries with none relevant),
    tied scores, one weight, segment and cluster per query."""
    rng = np.random.default_rng(seed)
    docs = rng.integers(1, 14, queries)
    q = np.repeat(np.arange(queries), docs)
    n = len(q)
    u = rng.random(n)
    y = np.select([u < 0.55, u < 0.8, u < 0.93], [0.0, 1.0, 2.0], 3.0)
    y[np.isin(q, np.flatnonzero(rng.random(queries) < 0.06))] = 0.0
    a = 0.4 * y + rng.normal(size=n)
    a[::4] = np.round(a[::4] * 4) / 4  # ties
    return pd.DataFrame({
        "doc": [f"d{i}" for i in range(n)], "qid": [f"q{k}" for k in q],
        "y": y, "a": a, "b": 0.6 * y + rng.normal(size=n),
        "w": (0.5 + rng.integers(0, 7, queries) * 0.375)[q],
        "cust": np.array([f"c{k}" for k in rng.integers(0, clusters or queries, queries)])[q],
        "region": rng.choice(list("abcd"), queries)[q],
    })


@pytest.mark.parametrize("weighted,clustered,interval,empty", [
    (True, True, "bca", "skip"), (False, False, "percentile", "zero")])
def test_partitioned_ranking_equals_evaluate(weighted, clustered, interval, empty):
    df = _ranking_frame(clusters=150 if clustered else None)  # about 17 500 rows: 16 key buckets
    columns = {"label": "y", "champion": "a", "challenger": "b", "id": "doc", "query": "qid",
               "segments": ["region"]}
    if weighted:
        columns["weight"] = "w"
    if clustered:
        columns["cluster"] = "cust"
    policy = {"version": 1, "task": "ranking", "columns": columns, "ranking": {"empty_queries": empty},
              "bootstrap": {"resamples": 130, "interval": interval, "seed": 5},
              "rules": [{"id": "ndcg", "metric": "ndcg@10", "subject": "delta", "min": -0.01},
                        {"id": "mrr", "metric": "mrr", "subject": "delta", "min": -0.02},
                        {"id": "seg", "metric": "ndcg@10", "subject": "delta",
                         "scope": {"each_segment": "region"}, "min": -0.05}]}
    expected = _outside_run(referee.evaluate(df, policy, threads=2))
    assert '"empty_queries"' in expected
    shuffled = df.sample(frac=1.0, random_state=1).reset_index(drop=True)
    plan = rp.make_plan(policy, rp.facts_state(df, policy))
    assert not rp.ranked(plan, "champion") and not rp.ranked(plan, "challenger")
    for parts in (1, 3, 16):
        pieces = np.array_split(np.arange(len(shuffled)), parts)
        got = rp.evaluate([shuffled.iloc[rows] for rows in pieces], policy, threads=1)
        assert _outside_run(got) == expected, parts


def _multiclass_frame(n=20000, clusters=None, seed=13):
    """Three classes (0.5, 0.3, 0.2), each model's softmax probabilities of noisy logits (the
    challenger's sharper), a fifth of the champion's rows rounded to twentieths (ties)."""
    rng = np.random.default_rng(seed)
    y = rng.choice(3, size=n, p=[0.5, 0.3, 0.2])
    frame = {"txn": [f"t{i}" for i in range(n)], "y": y.astype(str)}
    for prefix, signal in (("a_", 1.0), ("b_", 1.5)):
        logits = rng.normal(size=(n, 3)) + signal * np.eye(3)[y]
        proba = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
        if prefix == "a_":
            proba[::5] = np.round(proba[::5] * 20) / 20
        for k in range(3):
            frame[f"{prefix}{k}"] = proba[:, k]
    frame["w"] = 0.5 + rng.integers(0, 7, n) * 0.375
    frame["cust"] = [f"c{k}" for k in rng.integers(0, clusters or n, n)]
    frame["region"] = rng.choice(list("abcd"), n)
    return pd.DataFrame(frame)


def _multiclass_policy(weighted, clustered, interval):
    columns = {"label": "y", "champion": {"prefix": "a_"}, "challenger": {"prefix": "b_"}, "id": "txn",
               "segments": ["region"]}
    if weighted:
        columns["weight"] = "w"
    if clustered:
        columns["cluster"] = "cust"
    return {"version": 1, "task": "multiclass", "columns": columns,
            "bootstrap": {"resamples": 130, "interval": interval, "seed": 5},
            "rules": [{"id": "acc", "metric": "accuracy", "subject": "delta", "min": -0.1},
                      {"id": "auc", "metric": "roc_auc", "average": "weighted", "subject": "delta", "min": -0.05},
                      {"id": "loss", "metric": "log_loss", "subject": "delta", "max": 0.05},
                      {"id": "seg", "metric": "f1", "average": "macro", "subject": "delta",
                       "scope": {"each_segment": "region"}, "min": -0.2}]}


@pytest.mark.parametrize("weighted,clustered,interval", [(True, True, "bca"), (False, False, "percentile")])
def test_partitioned_multiclass_equals_evaluate(weighted, clustered, interval):
    df = _multiclass_frame(clusters=150 if clustered else None)  # 16 key buckets
    policy = _multiclass_policy(weighted, clustered, interval)
    expected = _outside_run(referee.evaluate(df, policy, threads=2))
    assert '"roc_auc_weighted"' in expected
    shuffled = df.sample(frac=1.0, random_state=1).reset_index(drop=True)
    plan = rp.make_plan(policy, rp.facts_state(df, policy))
    names = rp.passes(plan)
    assert names[:2] == ["champion", "challenger"] and names[-1] == "rows" and len(names) == 9
    assert not rp.ranked(plan, "champion") and rp.ranked(plan, "challenger/class 2")
    for parts in (1, 3, 16):
        pieces = np.array_split(np.arange(len(shuffled)), parts)
        got = rp.evaluate([shuffled.iloc[rows] for rows in pieces], policy, threads=1)
        assert _outside_run(got) == expected, parts


def _outcome_frame(n=20000, clusters=None, seed=13):
    """Results over many binades, of either sign, some tied and some at the pass mark; weights
    that are not dyadic (issue 16's outcome task)."""
    rng = np.random.default_rng(seed)
    sign = np.where(np.arange(n) % 9 == 0, -1.0, 1.0)
    a = sign * np.exp(2.5 * rng.normal(size=n))
    a[::5] = np.round(a[::5] * 4) / 4  # ties
    a[::41] = 2.0  # at the pass mark
    b = a * np.exp(0.3 * rng.normal(size=n)) + 0.05
    b[::13] = a[::13]
    return pd.DataFrame({
        "txn": [f"t{i}" for i in range(n)], "a": a, "b": b,
        "w": 0.1 + rng.integers(0, 1000, n) / 337.0,
        "cust": [f"c{k}" for k in rng.integers(0, clusters or n, n)],
        "region": rng.choice(list("abcd"), n),
    })


def _outcome_policy(weighted, clustered, interval):
    columns = {"champion": "a", "challenger": "b", "id": "txn", "segments": ["region"]}
    if weighted:
        columns["weight"] = "w"
    if clustered:
        columns["cluster"] = "cust"
    return {"version": 1, "task": "outcome", "columns": columns, "threshold": 2,
            "bootstrap": {"resamples": 130, "interval": interval, "seed": 5},
            "rules": [{"id": "mean", "metric": "mean", "subject": "delta", "min": -0.5},
                      {"id": "pass", "metric": "pass_rate", "subject": "delta", "min": -0.05},
                      {"id": "p99", "metric": "quantile@0.99", "subject": "relative_delta", "max": 0.5},
                      {"id": "seg", "metric": "quantile@0.5", "subject": "delta",
                       "scope": {"each_segment": "region"}, "max": 5}]}


@pytest.mark.parametrize("weighted,clustered,interval", [(True, False, "bca"), (False, True, "percentile")])
def test_partitioned_outcome_equals_evaluate(weighted, clustered, interval):
    df = _outcome_frame(clusters=150 if clustered else None)
    policy = _outcome_policy(weighted, clustered, interval)
    expected = _outside_run(referee.evaluate(df, policy, threads=2))
    assert '"seg"' in expected
    shuffled = df.sample(frac=1.0, random_state=1).reset_index(drop=True)
    plan = rp.make_plan(policy, rp.facts_state(df, policy))
    assert rp.ranked(plan, "champion") and rp.ranked(plan, "challenger")
    _check_parts(shuffled, policy, expected)


def test_partitioned_outcome_quantiles_are_numpys_inverted_cdf():
    # The peer: numpy's weighted "inverted_cdf" on the whole table (whole weights, where its
    # cumulative sums are exact), against the partitioned report's point estimates.
    df = _outcome_frame(n=5000)
    df["w"] = 1.0 + (np.arange(len(df)) % 4)
    policy = _outcome_policy(True, False, "percentile")
    shuffled = df.sample(frac=1.0, random_state=2).reset_index(drop=True)
    pieces = np.array_split(np.arange(len(shuffled)), 3)
    got = json.loads(rp.evaluate([shuffled.iloc[rows] for rows in pieces], policy, threads=1).to_json())
    for model, column in (("champion", "a"), ("challenger", "b")):
        for q in (0.5, 0.9, 0.95, 0.99):
            want = np.quantile(df[column].to_numpy(), q, weights=df["w"].to_numpy(), method="inverted_cdf")
            assert got["metrics"][model][f"quantile@{q}"]["estimate"] == want, (model, q)


def _serving_frame(n=4000, clusters=None, seed=11):
    df = _frame(n=n, clusters=clusters, seed=seed)
    rng = np.random.default_rng(seed + 1)
    for m, scale in (("a", 1.0), ("b", 1.1)):
        lat = rng.gamma(4.0, 5.0, n) * scale
        lat[::3] = np.round(lat[::3])  # ties
        df[f"lat_{m}"] = lat
        df[f"cost_{m}"] = 0.0001 * rng.integers(1, 10, n) / 3.0
        df[f"err_{m}"] = (rng.random(n) < (0.03 if m == "a" else 0.025)).astype(float)
    return df


def _serving_policy(clustered=False, latency=True):
    policy = _policy(False, clustered, "percentile")
    columns = dict(policy["columns"], cost={"champion": "cost_a", "challenger": "cost_b"},
                   error={"champion": "err_a", "challenger": "err_b"})
    rules = policy["rules"] + [
        {"id": "cost", "metric": "cost_per_1k", "subject": "relative_delta", "max": 0.4},
        {"id": "err", "metric": "error_rate", "subject": "delta", "max": 0.01}]
    if latency:
        columns["latency"] = {"champion": "lat_a", "challenger": "lat_b"}
        rules.append({"id": "p99", "metric": "latency_p99", "subject": "challenger", "max": 45})
    return dict(policy, columns=columns, rules=rules)


@pytest.mark.parametrize("clustered,latency", [(False, True), (True, True), (False, False)])
def test_partitioned_budgets_equal_evaluate(clustered, latency):
    df = _serving_frame(clusters=150 if clustered else None)
    policy = _serving_policy(clustered, latency)
    expected = _outside_run(referee.evaluate(df, policy, threads=2))
    assert '"budgets"' in expected
    _check_parts(df.sample(frac=1.0, random_state=3).reset_index(drop=True), policy, expected)


def _check_parts(shuffled, policy, expected):
    """Cut the shuffled rows into 1, 3 and 16 parts: each gives ``expected``."""
    for parts in (1, 3, 16):
        pieces = np.array_split(np.arange(len(shuffled)), parts)
        got = rp.evaluate([shuffled.iloc[rows] for rows in pieces], policy, threads=1)
        assert _outside_run(got) == expected, parts


def test_partitioned_latency_percentiles_are_numpys_and_scipys():
    # The peers: numpy's default (type 7) percentile for the point, scipy's quantile_test
    # for the order-statistic interval, on the whole sample.
    df = _serving_frame(n=3000)
    shuffled = df.sample(frac=1.0, random_state=4).reset_index(drop=True)
    pieces = np.array_split(np.arange(len(shuffled)), 3)
    got = json.loads(rp.evaluate([shuffled.iloc[rows] for rows in pieces], _serving_policy(), threads=1).to_json())
    stats = pytest.importorskip("scipy.stats")
    for model, column in (("champion", "lat_a"), ("challenger", "lat_b")):
        x = df[column].to_numpy()
        for name, p in (("latency_p50", 0.5), ("latency_p90", 0.9), ("latency_p99", 0.99)):
            figure = got["budgets"]["metrics"][name][model]
            assert figure["estimate"] == pytest.approx(np.quantile(x, p), rel=1e-15, abs=0), (model, name)
            ci = stats.quantile_test(x, p=p).confidence_interval(0.95)
            assert figure["ci"] == [ci.low, ci.high], (model, name)

