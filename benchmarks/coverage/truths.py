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
