"""Closed-form figures of the simulated populations.

Each is a function of the generating distribution's parameters alone (the standard
normal's cdf and quantile from the standard library), never of referee's output. The
derivations are in docs/statistics.md.
"""

from __future__ import annotations

from math import exp, log, log1p, pi, sqrt
from statistics import NormalDist
from typing import Sequence

_STANDARD_NORMAL = NormalDist()


def phi(x: float) -> float:
    return _STANDARD_NORMAL.cdf(x)


def phi_inv(p: float) -> float:
    return _STANDARD_NORMAL.inv_cdf(p)


def binormal_auc(d: float) -> float:
    """P(X1 > X0) for X1 ~ N(d, 1), X0 ~ N(0, 1) independent: X1 - X0 ~ N(d, 2)."""
    return phi(d / sqrt(2.0))


def binormal_accuracy_at_midpoint(d: float) -> float:
    """Accuracy of the cut x >= d/2: P(X1 >= d/2) = P(X0 < d/2) = Phi(d/2), whatever the prevalence."""
    return phi(d / 2.0)


def mixed_binormal_auc(weights: Sequence[float], ds: Sequence[float]) -> float:
    """AUC when a positive's shift d_r depends on its segment r (weights: the segments'
    shares among positives) and every negative is N(0, 1): sum_r w_r Phi(d_r / sqrt 2)."""
    return sum(w * binormal_auc(d) for w, d in zip(weights, ds))


def normal_mae(sigma: float) -> float:
    """E|e| for e ~ N(0, sigma^2)."""
    return sigma * sqrt(2.0 / pi)


def normal_mse(sigma: float) -> float:
    return sigma * sigma


# The calibrated-uniform population: U ~ Uniform(0, 1), Y | U ~ Bernoulli(U).
# Score U (calibrated): log loss E[-U ln U - (1 - U) ln(1 - U)] = 2 * (1/4) = 1/2;
# Brier E[(U - Y)^2] = E[U(1 - U)] = 1/6.
# Score U^2: log loss E[-2 U ln U] + E[-(1 - U) ln(1 - U)] + E[-(1 - U) ln(1 + U)]
#          = 1/2 + 1/4 + (5/4 - 2 ln 2) = 2 - 2 ln 2;
# Brier E[U^4 - 2 U^3 + U] = 1/5 - 1/2 + 1/2 = 1/5.
UNIFORM_LOG_LOSS = 0.5
SQUARED_UNIFORM_LOG_LOSS = 2.0 - 2.0 * log(2.0)
UNIFORM_BRIER = 1.0 / 6.0
SQUARED_UNIFORM_BRIER = 1.0 / 5.0


def lognormal_quantile(mu: float, sigma: float, p: float) -> float:
    return exp(mu + sigma * phi_inv(p))


def exponential_quantile(rate: float, p: float) -> float:
    return -log1p(-p) / rate


def selection_rate(prevalence: float, tpr: float, fpr: float) -> float:
    return prevalence * tpr + (1.0 - prevalence) * fpr


def between_groups_difference(values: Sequence[float]) -> float:
    """fairlearn's difference(method="between_groups"): max over groups - min over groups."""
    return max(values) - min(values)


def equalized_odds_difference(tprs: Sequence[float], fprs: Sequence[float]) -> float:
    """fairlearn's equalized_odds_difference (agg="worst_case")."""
    return max(between_groups_difference(tprs), between_groups_difference(fprs))


def paired_accuracy_delta(p_champion_wrong: float, fixed: float, broken: float) -> float:
    """Challenger accuracy - champion accuracy when the challenger is right on a share
    ``fixed`` of the rows the champion gets wrong and wrong on a share ``broken`` of the rows
    the champion gets right: P(wrong) fixed - P(right) broken."""
    return p_champion_wrong * fixed - (1.0 - p_champion_wrong) * broken


# --- the outcome task: results N(mu, 1) at the margin ---------------------------------------

def normal_pass_rate(mu: float, threshold: float) -> float:
    """P(X >= threshold) for X ~ N(mu, 1)."""
    return 1.0 - phi(threshold - mu)


def normal_quantile(mu: float, q: float) -> float:
    """The q quantile of N(mu, 1): a continuous law, so numpy's inverted_cdf sample
    quantile converges to it."""
    return mu + phi_inv(q)


# --- the multiclass task: K latent scores s_k = d 1[Y = k] + e_k, probabilities softmax(s) ---

def _simpson(f, low: float, high: float, steps: int = 20000) -> float:
    h = (high - low) / steps
    total = f(low) + f(high)
    for i in range(1, steps):
        total += (4 if i % 2 else 2) * f(low + i * h)
    return total * h / 3.0


def multiclass_accuracy(d: float, classes: int) -> float:
    """P(argmax s = Y) = P(d + e_Y > max of the other K - 1 errors)
    = integral of phi(x - d) Phi(x)^(K-1) dx, whatever the priors (the argmax of softmax(s)
    is the argmax of s). Simpson's rule on [-12, 12 + d], error far below 1e-10."""
    return _simpson(lambda x: _STANDARD_NORMAL.pdf(x - d) * phi(x) ** (classes - 1), -12.0, 12.0 + d)


def multiclass_f1_macro(d: float, priors: Sequence[float]) -> float:
    """Every class's recall is the accuracy a; a wrong prediction picks each of the other
    K - 1 classes alike (the errors are exchangeable), so P(predict k) = pi_k a +
    (1 - pi_k)(1 - a)/(K - 1), precision_k = pi_k a / P(predict k), and F1_k = 2 P R / (P + R);
    f1_macro is their mean over the K classes."""
    k = len(priors)
    a = multiclass_accuracy(d, k)
    total = sum(priors)
    f1 = []
    for p in (pi / total for pi in priors):
        precision = p * a / (p * a + (1.0 - p) * (1.0 - a) / (k - 1))
        f1.append(2.0 * precision * a / (precision + a))
    return sum(f1) / k


# One-vs-rest AUC of class k: P(p_k of a row of class k > p_k of a row of another class). By
# the classes' symmetry it is the same for every k and every other class, whatever the
# priors, so roc_auc_macro = roc_auc_weighted = that one number. It has no closed form; it
# is a simulation of 10^7 rows of each kind with common random numbers for both shifts
# (simulated_ovr_auc(d, 4, 10**7), seed 20261203, standard error about 1e-4), which
# tests/python/test_coverage_fast.py checks against scikit-learn's roc_auc_score on a
# 10^6-row sample of the scenario.
MULTICLASS_OVR_AUC = {(1.5, 4): 0.9024262, (2.0, 4): 0.9610953}


def simulated_ovr_auc(d: float, classes: int, draws: int, seed: int = 20261203, chunk: int = 10 ** 6) -> float:
    """P(T(pos) > T(neg)) with T = s_0 - logsumexp(s_1..s_{K-1}) (monotone in p_0): pos
    of class 0, neg of class 1; the negatives' T sorted once, the positives' looked up in
    chunks (the Mann-Whitney statistic without a joint ranking)."""
    import numpy as np

    def t_of(s):
        others = s[:, 1:]
        top = others.max(axis=1)
        return s[:, 0] - (top + np.log(np.exp(others - top[:, None]).sum(axis=1)))

    rng = np.random.default_rng(seed)
    negatives = []
    for start in range(0, draws, chunk):
        s = rng.standard_normal((min(chunk, draws - start), classes))
        s[:, 1] += d
        negatives.append(t_of(s))
    neg = np.sort(np.concatenate(negatives))
    wins = 0.0
    for start in range(0, draws, chunk):
        s = rng.standard_normal((min(chunk, draws - start), classes))
        s[:, 0] += d
        t = t_of(s)
        wins += np.searchsorted(neg, t, side="left").sum() + 0.5 * (
            np.searchsorted(neg, t, side="right") - np.searchsorted(neg, t, side="left")).sum()
    return float(wins / (float(draws) * draws))


# --- the ranking task: queries of 10 documents, graded relevance 0-3, scores d * rel + e ---

RANKING_RELEVANCE = (0.5, 0.25, 0.15, 0.10)  # P(relevance = 0, 1, 2, 3), each document alike


def ranking_per_query(relevance, scores):
    """Per query (rows of the 2-D arrays), ndcg over every document (sklearn's linear gain,
    log2 discount) and the reciprocal rank of the first relevant document; continuous
    scores, so no ties. Queries with no relevant document give NaN (the default rule,
    empty_queries "skip", leaves them out)."""
    import numpy as np

    order = np.argsort(-scores, axis=1, kind="stable")
    ranked = np.take_along_axis(relevance, order, axis=1)
    discount = 1.0 / np.log2(np.arange(2, relevance.shape[1] + 2))
    dcg = ranked @ discount
    ideal = -np.sort(-relevance, axis=1) @ discount
    with np.errstate(invalid="ignore", divide="ignore"):
        ndcg = np.where(ideal > 0, dcg / ideal, np.nan)
        first = np.argmax(ranked > 0, axis=1)
        mrr = np.where(ideal > 0, 1.0 / (first + 1), np.nan)
    return ndcg, mrr


# simulated_ranking_truths((0.5, 0.8), 0.6, queries=10**7): {shift: (ndcg, mrr)}, standard
# error about 5e-5; tests/python/test_coverage_fast.py checks them against a fresh sample.
RANKING_TRUTHS = {0.5: (0.8251752, 0.8898142), 0.8: (0.8900133, 0.9510184)}


def simulated_ranking_truths(d, rho, queries: int = 2 * 10 ** 6, docs: int = 10, seed: int = 20261203,
                             chunk: int = 2 * 10 ** 5):
    """E[ndcg] and E[mrr] over queries with a relevant document, for each shift in ``d``
    (common random numbers), by simulation; RANKING_TRUTHS holds the result."""
    import numpy as np

    rng = np.random.default_rng(seed)
    sums = np.zeros((len(d), 2))
    counted = 0
    for start in range(0, queries, chunk):
        n = min(chunk, queries - start)
        rel = rng.choice(4, size=(n, docs), p=RANKING_RELEVANCE).astype(np.float64)
        e = rng.standard_normal((n, docs))
        keep = rel.max(axis=1) > 0
        counted += int(keep.sum())
        for m, shift in enumerate(d):
            ndcg, mrr = ranking_per_query(rel, shift * rel + e)
            sums[m] += (ndcg[keep].sum(), mrr[keep].sum())
    return {shift: (sums[m][0] / counted, sums[m][1] / counted) for m, shift in enumerate(d)}
