"""Coverage of referee's 95% intervals on data with closed-form truths: the fast version of
benchmarks/coverage (the full suite and its tables: docs/statistics.md).

Each scenario below draws DATASETS datasets, evaluates each with every interval method of
benchmarks/coverage/methods.py, and requires every cell's coverage to lie in [90%, 99%].

Why the band cannot flake. The seeds are fixed (dataset i of a scenario is drawn from
seed (crc32(name), i) and bootstrapped with seed i + 1), so the test is deterministic: it
changes only when referee's intervals or the generators change. Should they change and
still cover at exactly 95%, a cell's count of covering intervals X ~ Binomial(400, 0.95)
and the cell fails when X <= 359 or X >= 397: P = 1.42e-5 + 2.20e-6 = 1.6e-5
(scipy.stats.binom.cdf(359, 400, 0.95) + binom.sf(396, 400, 0.95)); an order-statistic
cell (lower edge only) fails with 1.4e-5. Over the 46 (cell, method) pairs below (66 with the
multiclass and ranking scenarios) the chance of a false failure is at most 66 * 1.6e-5 = 1.1e-3
(a union bound, which holds however correlated the cells are). Taking instead each cell's
coverage measured by the full suite (93.5% to 96.9%, docs/statistics.md) as its true rate,
the sum is 1.2e-2: 5.7e-3 from the binary and regression cells (most of it from their 93.9%
and 96.7% cells), 6.3e-3 from the outcome cells (2.9e-3 from the challenger's mean under
BCa, 93.5%, 1.5e-3 from the percentile interval of the median's delta, 96.9%). A cell
covering 93% fails with probability 1%, and below that the test is meant to fail. The
regimes known to fall short (rare events, non-smooth disparities, clustered rows without
their key, the outcome task's upper quantiles) are in the full suite, not here.

The truths are checked too: each is compared with its figure on one large sample computed
by scikit-learn and numpy (never by referee), within 5 standard errors.
"""

from __future__ import annotations

import sys
import zlib
from pathlib import Path
from typing import Dict, Tuple

import numpy as np
import pytest
from sklearn.metrics import accuracy_score, f1_score, log_loss, ndcg_score, roc_auc_score

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from benchmarks.coverage import cells, generators, truths  # noqa: E402
from benchmarks.coverage.methods import METHODS  # noqa: E402
from benchmarks.coverage.run import refused_task  # noqa: E402
from benchmarks.coverage.simulate import run_dataset  # noqa: E402
from benchmarks.coverage.tally import Tally, tally_scores  # noqa: E402

DATASETS = 400
RESAMPLES = 500
# The outcome task's upper quantiles cover 93.1% to 93.5% (the challenger's) and 97.0% to
# 97.9% (percentile intervals of their deltas) in the full suite: too near the band's edges
# for 400 datasets, so they are the full suite's (docs/statistics.md).
FULL_SUITE_ONLY = ("quantile@0.9", "quantile@0.95", "quantile@0.99")
FAST_SCENARIOS = ("binormal_n200", "regression_latency", "fairness_2groups", "clustered", "outcome_graded",
                  "outcome_pass_fail", "multiclass_n1000", "ranking_q500")


@pytest.mark.parametrize("name", FAST_SCENARIOS)
def test_coverage_of_95_percent_intervals_lies_in_90_to_99(name):
    if refused_task(name):  # multiclass, until issue 15's core is installed
        pytest.skip(refused_task(name))
    scenario = cells.SCENARIOS[name]
    tested = [c for c in scenario.cells if not any(level in c.name for level in FULL_SUITE_ONLY)]
    tallies: Dict[Tuple[str, str], Tally] = {}
    for index in range(DATASETS):
        scores, _ = run_dataset((name, index, METHODS, RESAMPLES))
        scores = [s for s in scores if s[0] in {c.name for c in tested}]
        tally_scores(scores, scenario.rows, {c.name: c.truth for c in tested}, tallies)
    assert len(tallies) == len(tested) * len(METHODS)
    outside = [f"{t.cell} ({t.method}): {100 * t.coverage:.1f}% of {t.datasets}"
               for t in tallies.values() if not 0.90 <= t.coverage <= _upper_edge(t)]
    assert not outside, outside


def _upper_edge(tally: Tally) -> float:
    # An order-statistic interval is an exact binomial interval: conservative by
    # construction (97.9% for the lognormal p99 in the full suite), so only its lower edge
    # is tested.
    return 1.0 if set(tally.intervals) == {"order statistic"} else 0.99


LARGE = 1_000_000


def _large(draw, *args, **kwargs):
    return draw(np.random.default_rng(zlib.crc32(b"large sample")), LARGE, *args, **kwargs)


def _close(value: float, truth: float, se: float) -> None:
    assert abs(value - truth) <= 5 * se, (value, truth, se)


def test_binormal_truths_against_a_large_sample():
    data = _large(generators.binormal_pair, **cells.BINORMAL)
    d = cells.BINORMAL["d_challenger"]
    _close(roc_auc_score(data["y"], data["challenger"]), truths.binormal_auc(d), 0.5 / np.sqrt(LARGE))
    _close(accuracy_score(data["y"], data["challenger"] >= 0.5), truths.binormal_accuracy_at_midpoint(d),
           0.5 / np.sqrt(LARGE))


def test_log_loss_truths_against_a_large_sample():
    data = _large(generators.calibrated_uniform)
    se = 2 / np.sqrt(LARGE)
    _close(log_loss(data["y"], data["challenger"]), truths.UNIFORM_LOG_LOSS, se)
    _close(log_loss(data["y"], data["champion"]), truths.SQUARED_UNIFORM_LOG_LOSS, se)


def test_regression_and_latency_truths_against_a_large_sample():
    data = {**_large(generators.regression_pair, **cells.REGRESSION), **_large(generators.latency_pair, **cells.LATENCY)}
    error = data["challenger"] - data["y"]
    _close(np.mean(np.abs(error)), truths.normal_mae(cells.REGRESSION["sigma_challenger"]), 1 / np.sqrt(LARGE))
    _close(np.quantile(data["latency_challenger"], 0.9), truths.exponential_quantile(cells.LATENCY["rate"], 0.9),
           100 / np.sqrt(LARGE))
    _close(np.quantile(data["latency_champion"], 0.99),
           truths.lognormal_quantile(cells.LATENCY["mu"], cells.LATENCY["sigma"], 0.99), 300 / np.sqrt(LARGE))


def _group_rates(data, model: str, groups: int):
    predicted, y, g = data[model] >= 0.5, data["y"] == 1, data["group"]
    tpr = [predicted[(g == k) & y].mean() for k in range(groups)]
    fpr = [predicted[(g == k) & ~y].mean() for k in range(groups)]
    selection = [predicted[g == k].mean() for k in range(groups)]
    return tpr, fpr, selection


def test_fairness_truths_against_a_large_sample():
    two = _large(generators.grouped_rates, (1, 1), cells.TWO_GROUPS["prevalence"],
                 {m: cells.TWO_GROUPS[m] for m in ("champion", "challenger")}, 0.5)
    _, _, selection = _group_rates(two, "challenger", 2)
    _close(max(selection) - min(selection), cells.dpd_truth("challenger"), 2 / np.sqrt(LARGE))
    three = _large(generators.grouped_rates, (1, 1, 1), (0.3, 0.3, 0.3), cells.THREE_GROUPS, 0.5)
    tpr, fpr, _ = _group_rates(three, "challenger", 3)
    _close(truths.equalized_odds_difference(tpr, fpr), cells.eod_truth(cells.THREE_GROUPS, "challenger"),
           4 / np.sqrt(LARGE))


def test_rare_event_and_segment_truths_against_a_large_sample():
    rare = _large(generators.rare_discordance, **cells.RARE)
    right = {m: (rare[m] >= 0.5) == (rare["y"] == 1) for m in ("champion", "challenger")}
    delta = right["challenger"].mean() - right["champion"].mean()
    _close(delta, truths.paired_accuracy_delta(cells.RARE_WRONG, cells.RARE["fixed"], cells.RARE["broken"]),
           np.sqrt(0.001 / LARGE))
    regions = cells.draw_regions(np.random.default_rng(1), LARGE)
    west = regions["region"] == "west"
    _close(roc_auc_score(regions["y"][west], regions["challenger"][west]),
           truths.binormal_auc(cells.REGIONS["challenger_d"][2]), 2 / np.sqrt(west.sum()))
    _close(roc_auc_score(regions["y"], regions["challenger"]),
           truths.mixed_binormal_auc(cells.REGIONS["shares"], cells.REGIONS["challenger_d"]), 1 / np.sqrt(LARGE))


def test_clustered_truths_against_a_large_sample():
    data = generators.clustered_regression(np.random.default_rng(2), **{**cells.CLUSTERS, "clusters": LARGE // 5})
    sd = np.hypot(cells.CLUSTERS["cluster_sd"][1], cells.CLUSTERS["row_sd"][1])
    # rows within a cluster are correlated: the standard error is that of 200,000 clusters
    _close(np.mean(np.abs(data["challenger"] - data["y"])), truths.normal_mae(sd), 2 / np.sqrt(LARGE // 5))


def test_outcome_truths_against_a_large_sample():
    graded = generators.outcome_clustered(np.random.default_rng(3), **{**cells.OUTCOME, "prompts": LARGE // 3})
    mu = cells.OUTCOME["mu"][1]
    x = graded["challenger"]
    # 3 generations share a prompt effect (correlation 0.36): the standard error of 10^6 / 3 prompts
    se = 2 / np.sqrt(LARGE // 3)
    _close(np.mean(x), mu, se)
    _close(np.mean(x >= cells.OUTCOME_THRESHOLD), truths.normal_pass_rate(mu, cells.OUTCOME_THRESHOLD), se)
    for q in cells.OUTCOME_LEVELS:
        _close(np.quantile(x, q, method="inverted_cdf"), truths.normal_quantile(mu, q), 10 * se)
    pass_fail = generators.outcome_pass_fail(np.random.default_rng(4), LARGE, **{k: v for k, v in cells.PASS_FAIL.items()
                                                                                if k != "n"})
    delta = pass_fail["challenger"].mean() - pass_fail["champion"].mean()
    p1, p2 = (truths.phi(m) for m in cells.PASS_FAIL["mu"])
    _close(delta, p2 - p1, 1 / np.sqrt(LARGE))


def test_multiclass_truths_against_a_large_sample():
    data = _large(generators.multiclass_softmax, **cells.MULTICLASS)
    k = len(cells.MULTICLASS["priors"])
    for prefix, d in zip(("a_", "b_"), cells.MULTICLASS["d"]):
        proba = np.column_stack([data[f"{prefix}{j}"] for j in range(k)])
        predicted = proba.argmax(axis=1)
        _close(accuracy_score(data["y"], predicted), truths.multiclass_accuracy(d, k), 0.5 / np.sqrt(LARGE))
        _close(f1_score(data["y"], predicted, average="macro"), truths.multiclass_f1_macro(d, cells.MULTICLASS["priors"]),
               2 / np.sqrt(LARGE))
        for average in ("macro", "weighted"):  # one number: every class's one-vs-rest AUC is the same
            _close(roc_auc_score(data["y"], proba, multi_class="ovr", average=average),
                   truths.MULTICLASS_OVR_AUC[(d, k)], 1 / np.sqrt(LARGE))


def test_ranking_truths_against_a_large_sample():
    # scikit-learn's ndcg_score on the queries with a relevant document (it would count the
    # others as 0; referee's default leaves them out), the reciprocal rank by numpy.
    queries, docs = LARGE // 10, cells.RANKING["docs"]
    data = generators.ranking_graded(np.random.default_rng(5), queries, docs,
                                     cells.RANKING["d"], cells.RANKING["rho"])
    rel = data["rel"].reshape(queries, docs)
    kept = rel.max(axis=1) > 0
    for column, d in zip(("s_a", "s_b"), cells.RANKING["d"]):
        scores = data[column].reshape(queries, docs)
        ndcg, mrr = truths.RANKING_TRUTHS[d]
        _close(ndcg_score(rel[kept], scores[kept], k=10), ndcg, 2 / np.sqrt(queries))
        first = np.argmax(np.take_along_axis(rel, np.argsort(-scores, axis=1), axis=1)[kept] > 0, axis=1)
        _close(np.mean(1.0 / (first + 1)), mrr, 2 / np.sqrt(queries))
