"""The simulated populations (scenarios) and, for each, the figures whose intervals are
scored (cells) with their closed-form truths.

One dataset of a scenario is one referee evaluation per interval method; every cell of the
scenario is read from that one report. Scenarios run in the order listed, the two regimes
issue 18 found short first.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import sqrt
from typing import Callable, Dict, Tuple

import numpy as np

from . import figures, generators, truths
from .figures import Locator

Draw = Callable[[np.random.Generator], Dict[str, np.ndarray]]

BINARY_COLUMNS = {"label": "y", "champion": "champion", "challenger": "challenger"}
REGRESSION_COLUMNS = BINARY_COLUMNS


@dataclass(frozen=True)
class Cell:
    name: str
    locate: Locator
    truth: float


@dataclass(frozen=True)
class Scenario:
    name: str
    rows: int
    draw: Draw
    policy: dict  # the policy without its "bootstrap" block
    cells: Tuple[Cell, ...]


RULE_METRIC = {"binary": "accuracy", "regression": "mae", "outcome": "mean", "multiclass": "accuracy",
               "ranking": "mrr"}


def _policy(task: str, columns: dict, **extra) -> dict:
    # The rule is required by the policy format; the suite reads figures, never verdicts.
    rule = {"id": "unused", "metric": RULE_METRIC[task], "subject": "delta", "min": -1e300, "decide_on": "point"}
    return {"version": 1, "task": task, "columns": dict(columns), "rules": [rule], **extra}


# Rare events, paired proportions: 2% positives, the models disagree on 0.1% of rows
# (about 5 discordant rows in 5000; none at all in e^-5 = 0.7% of datasets).
RARE = dict(prevalence=0.02, sensitivity=0.6, false_positive_rate=0.01, fixed=0.04)
RARE_WRONG = RARE["prevalence"] * (1 - RARE["sensitivity"]) + (1 - RARE["prevalence"]) * RARE["false_positive_rate"]
RARE["broken"] = (0.001 - RARE_WRONG * RARE["fixed"]) / (1 - RARE_WRONG)
RARE_CHALLENGER_WRONG = RARE_WRONG * (1 - RARE["fixed"]) + (1 - RARE_WRONG) * RARE["broken"]


def rare_events() -> Scenario:
    n = 5000
    return Scenario(
        "rare_events", n, lambda rng: generators.rare_discordance(rng, n, **RARE),
        _policy("binary", BINARY_COLUMNS),
        (Cell("rare events: delta accuracy", figures.metric("accuracy", "delta"),
              truths.paired_accuracy_delta(RARE_WRONG, RARE["fixed"], RARE["broken"])),
         Cell("rare events: challenger accuracy", figures.metric("accuracy", "challenger"),
              1 - RARE_CHALLENGER_WRONG)))


# Three equal groups, prevalence 0.3; (TPR, FPR) per group. The champion's equalized-odds
# difference is the smoother one (TPRs 0.10 apart, so its TPR spread 0.20 is well above the
# FPR spread 0.04); the challenger's is not (the TPR spread 0.15 against the FPR spread 0.10,
# and its lowest TPR only 0.05 below the next). "tied" puts the truth on the kinks
# themselves: two groups share the top TPR and the TPR and FPR spreads are equal.
THREE_GROUPS = {
    "champion": [(0.85, 0.10), (0.75, 0.12), (0.65, 0.14)],
    "challenger": [(0.85, 0.10), (0.75, 0.15), (0.70, 0.20)],
}
THREE_GROUPS_TIED = {
    "champion": THREE_GROUPS["champion"],
    "challenger": [(0.80, 0.18), (0.80, 0.22), (0.72, 0.14)],
}


def eod_truth(rates: dict, model: str) -> float:
    tprs, fprs = zip(*rates[model])
    return truths.equalized_odds_difference(tprs, fprs)


def fairness_three_groups(rates: dict, name: str, label: str) -> Scenario:
    n = 1500
    draw = lambda rng: generators.grouped_rates(rng, n, (1, 1, 1), (0.3, 0.3, 0.3), rates, 0.5)
    eod = "equalized_odds_difference"
    cells = [Cell(f"EOD, 3 groups, challenger ({label})", figures.disparity("group", eod, "challenger"),
                  eod_truth(rates, "challenger")),
             Cell(f"EOD, 3 groups, delta ({label})", figures.disparity("group", eod, "delta"),
                  eod_truth(rates, "challenger") - eod_truth(rates, "champion"))]
    if rates is THREE_GROUPS:  # the tied run has the same champion: its row would repeat this one
        cells.insert(1, Cell("EOD, 3 groups, champion (smoother)", figures.disparity("group", eod, "champion"),
                             eod_truth(rates, "champion")))
    return Scenario(name, n, draw, _policy("binary", {**BINARY_COLUMNS, "sensitive": ["group"]}), tuple(cells))


BINORMAL = dict(prevalence=0.3, d_champion=1.0, d_challenger=1.3, rho=0.6)


def binormal(n: int) -> Scenario:
    d1, d2 = BINORMAL["d_champion"], BINORMAL["d_challenger"]
    auc, acc = truths.binormal_auc, truths.binormal_accuracy_at_midpoint
    return Scenario(
        f"binormal_n{n}", n, lambda rng: generators.binormal_pair(rng, n, **BINORMAL),
        _policy("binary", BINARY_COLUMNS),
        (Cell(f"binormal n={n}: challenger AUC", figures.metric("roc_auc", "challenger"), auc(d2)),
         Cell(f"binormal n={n}: delta AUC", figures.metric("roc_auc", "delta"), auc(d2) - auc(d1)),
         Cell(f"binormal n={n}: challenger accuracy", figures.metric("accuracy", "challenger"), acc(d2)),
         Cell(f"binormal n={n}: delta accuracy", figures.metric("accuracy", "delta"), acc(d2) - acc(d1))))


def calibration() -> Scenario:
    n = 1000
    return Scenario(
        "calibration", n, lambda rng: generators.calibrated_uniform(rng, n), _policy("binary", BINARY_COLUMNS),
        (Cell("calibrated uniform: challenger log loss", figures.metric("log_loss", "challenger"),
              truths.UNIFORM_LOG_LOSS),
         Cell("calibrated uniform: delta log loss", figures.metric("log_loss", "delta"),
              truths.UNIFORM_LOG_LOSS - truths.SQUARED_UNIFORM_LOG_LOSS),
         Cell("calibrated uniform: delta Brier", figures.metric("brier", "delta"),
              truths.UNIFORM_BRIER - truths.SQUARED_UNIFORM_BRIER)))


REGRESSION = dict(sigma_champion=1.0, sigma_challenger=0.8, rho=0.5)
LATENCY = dict(mu=3.0, sigma=0.5, rate=1.0 / 15.0, rho=0.7)


def _regression_and_latency(rng: np.random.Generator, n: int) -> Dict[str, np.ndarray]:
    return {**generators.regression_pair(rng, n, **REGRESSION), **generators.latency_pair(rng, n, **LATENCY)}


def regression_latency() -> Scenario:
    n = 500
    s1, s2 = REGRESSION["sigma_champion"], REGRESSION["sigma_challenger"]
    p90 = (truths.lognormal_quantile(LATENCY["mu"], LATENCY["sigma"], 0.9),
           truths.exponential_quantile(LATENCY["rate"], 0.9))
    latency = {"champion": "latency_champion", "challenger": "latency_challenger"}
    return Scenario(
        "regression_latency", n, lambda rng: _regression_and_latency(rng, n),
        _policy("regression", {**REGRESSION_COLUMNS, "latency": latency}),
        (Cell("normal errors n=500: challenger MAE", figures.metric("mae", "challenger"), truths.normal_mae(s2)),
         Cell("normal errors n=500: delta MAE", figures.metric("mae", "delta"),
              truths.normal_mae(s2) - truths.normal_mae(s1)),
         Cell("normal errors n=500: challenger MSE", figures.metric("mse", "challenger"), truths.normal_mse(s2)),
         Cell("normal errors n=500: delta MSE", figures.metric("mse", "delta"),
              truths.normal_mse(s2) - truths.normal_mse(s1)),
         Cell("latency n=500: challenger p90 (exponential)", figures.budget("latency_p90", "challenger"), p90[1]),
         Cell("latency n=500: champion p99 (lognormal)", figures.budget("latency_p99", "champion"),
              truths.lognormal_quantile(LATENCY["mu"], LATENCY["sigma"], 0.99)),
         Cell("latency n=500: delta p90", figures.budget("latency_p90", "delta"), p90[1] - p90[0])))


# Two equal groups with prevalences 0.3 and 0.4; (TPR, FPR) per group and model.
TWO_GROUPS = {"prevalence": (0.3, 0.4),
              "champion": [(0.75, 0.10), (0.70, 0.15)], "challenger": [(0.80, 0.10), (0.70, 0.20)]}


def dpd_truth(model: str) -> float:
    rates = [truths.selection_rate(p, tpr, fpr) for p, (tpr, fpr) in zip(TWO_GROUPS["prevalence"], TWO_GROUPS[model])]
    return truths.between_groups_difference(rates)


def fairness_two_groups() -> Scenario:
    n = 1000
    rates = {m: TWO_GROUPS[m] for m in ("champion", "challenger")}
    draw = lambda rng: generators.grouped_rates(rng, n, (1, 1), TWO_GROUPS["prevalence"], rates, 0.5)
    dpd = "demographic_parity_difference"
    return Scenario(
        "fairness_2groups", n, draw, _policy("binary", {**BINARY_COLUMNS, "sensitive": ["group"]}),
        (Cell("DP difference, 2 groups, challenger", figures.disparity("group", dpd, "challenger"), dpd_truth("challenger")),
         Cell("DP difference, 2 groups, delta", figures.disparity("group", dpd, "delta"),
              dpd_truth("challenger") - dpd_truth("champion"))))


# Regions with shares 0.5, 0.3, 0.2 and prevalence 0.3 each; the champion's shift is 1.0
# everywhere, the challenger's 1.3 except in the west (0.6). One cut for every row, so the
# overall AUC is the mixture sum_r share_r Phi(d_r / sqrt 2).
REGIONS = {"names": ("north", "south", "west"), "shares": (0.5, 0.3, 0.2), "challenger_d": (1.3, 1.3, 0.6)}


def draw_regions(rng: np.random.Generator, n: int) -> Dict[str, np.ndarray]:
    region = rng.choice(3, size=n, p=REGIONS["shares"])
    d2 = np.asarray(REGIONS["challenger_d"])[region]
    columns = generators.binormal_pair(rng, n, 0.3, 1.0, d2, 0.6, cut=0.5)
    columns["region"] = np.asarray(REGIONS["names"])[region]
    return columns


def segments() -> Scenario:
    n = 2000
    auc = truths.binormal_auc
    west = auc(REGIONS["challenger_d"][2]) - auc(1.0)
    overall = truths.mixed_binormal_auc(REGIONS["shares"], REGIONS["challenger_d"]) - auc(1.0)
    return Scenario(
        "segments", n, lambda rng: draw_regions(rng, n),
        _policy("binary", {**BINARY_COLUMNS, "segments": ["region"]}),
        (Cell("segment west (20% of 2000): delta AUC", figures.segment("region", "west", "roc_auc", "delta"), west),
         Cell("segment west (20% of 2000): challenger AUC", figures.segment("region", "west", "roc_auc", "challenger"),
              auc(REGIONS["challenger_d"][2])),
         Cell("segments, overall: delta AUC (mixture)", figures.metric("roc_auc", "delta"), overall)))


# 300 clusters of 5 rows; each model's error is a cluster effect plus a row error:
# champion 0.8^2 + 0.6^2 = 1, challenger 0.6^2 + 0.28 = 0.64 (sd 0.8); intra-cluster
# correlation 0.64 and 0.56.
CLUSTERS = dict(clusters=300, size=5, cluster_sd=(0.8, 0.6), row_sd=(0.6, sqrt(0.28)), rho=0.5)


def clustered(with_key: bool) -> Scenario:
    sd = [sqrt(c * c + r * r) for c, r in zip(CLUSTERS["cluster_sd"], CLUSTERS["row_sd"])]
    columns = {**REGRESSION_COLUMNS, "cluster": "cluster"} if with_key else REGRESSION_COLUMNS
    label = "cluster key" if with_key else "no cluster key (rows resampled alone)"
    return Scenario(
        "clustered" if with_key else "clustered_without_key", CLUSTERS["clusters"] * CLUSTERS["size"],
        lambda rng: generators.clustered_regression(rng, **CLUSTERS), _policy("regression", columns),
        (Cell(f"clustered, {label}: challenger MAE", figures.metric("mae", "challenger"), truths.normal_mae(sd[1])),
         Cell(f"clustered, {label}: delta MAE", figures.metric("mae", "delta"),
              truths.normal_mae(sd[1]) - truths.normal_mae(sd[0]))))


# The outcome task: an LLM eval of 200 prompts x 3 generations (clustered by prompt), each
# result N(mu, 1) at the margin: v1 mu = 0, v2 mu = 0.25; the pass mark 0.5.
OUTCOME = dict(prompts=200, generations=3, mu=(0.0, 0.25), prompt_sd=0.6, rho=0.5)
OUTCOME_THRESHOLD = 0.5
OUTCOME_LEVELS = (0.5, 0.9, 0.95, 0.99)


def challenger_and_delta(label: str, name: str, champion: float, challenger: float) -> Tuple[Cell, Cell]:
    """The challenger's figure and the delta's, as two cells, from each model's truth."""
    return (Cell(f"{label}: challenger {name}", figures.metric(name, "challenger"), challenger),
            Cell(f"{label}: delta {name}", figures.metric(name, "delta"), challenger - champion))


def outcome_graded() -> Scenario:
    mu1, mu2 = OUTCOME["mu"]
    pass_rate, quantile = truths.normal_pass_rate, truths.normal_quantile
    n = OUTCOME["prompts"] * OUTCOME["generations"]
    label = f"outcome {OUTCOME['prompts']}x{OUTCOME['generations']}"
    cells = [*challenger_and_delta(label, "mean", mu1, mu2),
             *challenger_and_delta(label, "pass_rate", pass_rate(mu1, OUTCOME_THRESHOLD),
                                   pass_rate(mu2, OUTCOME_THRESHOLD))]
    for q in OUTCOME_LEVELS:
        cells += challenger_and_delta(label, f"quantile@{q}", quantile(mu1, q), quantile(mu2, q))
    columns = {"champion": "champion", "challenger": "challenger", "cluster": "prompt"}
    return Scenario("outcome_graded", n, lambda rng: generators.outcome_clustered(rng, **OUTCOME),
                    _policy("outcome", columns, threshold=OUTCOME_THRESHOLD), tuple(cells))


# Paired pass/fail results, 500 examples, no clusters: P(pass) = Phi(0.3) and Phi(0.45), the
# latents correlated 0.7 (about 25% discordant examples).
PASS_FAIL = dict(n=500, mu=(0.3, 0.45), rho=0.7)


def outcome_pass_fail() -> Scenario:
    p1, p2 = (truths.phi(mu) for mu in PASS_FAIL["mu"])
    return Scenario(
        "outcome_pass_fail", PASS_FAIL["n"], lambda rng: generators.outcome_pass_fail(rng, **PASS_FAIL),
        _policy("outcome", {"champion": "champion", "challenger": "challenger"}, threshold=1),
        (Cell("pass/fail n=500: challenger pass_rate", figures.metric("pass_rate", "challenger"), p2),
         Cell("pass/fail n=500: delta pass_rate", figures.metric("pass_rate", "delta"), p2 - p1)))


# The multiclass task: 4 classes with priors 0.4, 0.3, 0.2, 0.1; softmax of latent scores
# shifted d on the true class (champion 1.5, challenger 2.0), the models' noise correlated 0.6.
MULTICLASS = dict(priors=(0.4, 0.3, 0.2, 0.1), d=(1.5, 2.0), rho=0.6)
MULTICLASS_COLUMNS = {"label": "y", "champion": {"prefix": "a_"}, "challenger": {"prefix": "b_"}}


def multiclass(n: int) -> Scenario:
    (d1, d2), k = MULTICLASS["d"], len(MULTICLASS["priors"])
    acc = lambda d: truths.multiclass_accuracy(d, k)
    f1 = lambda d: truths.multiclass_f1_macro(d, MULTICLASS["priors"])
    auc = lambda d: truths.MULTICLASS_OVR_AUC[(d, k)]
    label = f"multiclass K={k} n={n}"
    return Scenario(
        f"multiclass_n{n}", n, lambda rng: generators.multiclass_softmax(rng, n, **MULTICLASS),
        _policy("multiclass", MULTICLASS_COLUMNS),
        (*challenger_and_delta(label, "accuracy", acc(d1), acc(d2)),
         *challenger_and_delta(label, "f1_macro", f1(d1), f1(d2)),
         *challenger_and_delta(label, "roc_auc_macro", auc(d1), auc(d2))))


# The ranking task: 500 queries of 10 documents, relevance 0-3 (P 0.5, 0.25, 0.15, 0.1);
# scores d * relevance + N(0, 1), d = 0.5 (champion) and 0.8 (challenger), the models'
# noise correlated 0.6; queries are the resampling unit, those with no relevant document
# (0.1%) left out (empty_queries "skip").
RANKING = dict(queries=500, docs=10, d=(0.5, 0.8), rho=0.6)
RANKING_COLUMNS = {"query": "q", "label": "rel", "champion": "s_a", "challenger": "s_b"}


def ranking() -> Scenario:
    (d1, d2), q = RANKING["d"], RANKING["queries"]
    truth = truths.RANKING_TRUTHS
    label = f"ranking {q} queries"
    return Scenario(
        f"ranking_q{q}", q * RANKING["docs"], lambda rng: generators.ranking_graded(rng, **RANKING),
        _policy("ranking", RANKING_COLUMNS),
        (*challenger_and_delta(label, "ndcg@10", truth[d1][0], truth[d2][0]),
         *challenger_and_delta(label, "mrr", truth[d1][1], truth[d2][1])))


SCENARIOS: Dict[str, Scenario] = {s.name: s for s in (
    rare_events(), fairness_three_groups(THREE_GROUPS, "fairness_3groups", "non-smooth"), binormal(1000),
    binormal(200), binormal(5000), calibration(), regression_latency(), fairness_two_groups(), segments(), clustered(True),
    clustered(False), fairness_three_groups(THREE_GROUPS_TIED, "fairness_3groups_tied", "tied"),
    outcome_graded(), outcome_pass_fail(), multiclass(1000), ranking())}
