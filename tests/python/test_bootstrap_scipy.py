"""referee's bootstrap intervals against scipy.stats.bootstrap on the same data.

Both are Monte Carlo estimates of the same ideal bootstrap interval, from independent
random draws, so their endpoints differ by Monte Carlo noise only. With B resamples, the
noise in a 2.5% quantile is about sqrt(0.025 * 0.975 / B) / phi(1.96) = 0.042 bootstrap
SEs at B = 4000, and the difference of two independent estimates about 0.06 SE; BCa adds
the noise of its bias correction. The tolerance, 0.25 SE, is about four times that: a
wrong definition (unpaired, off-by-one quantile, no acceleration) moves an endpoint by far
more. referee uses the multinomial scheme here, scipy's own, and n <= 256 so that its
BCa jackknife is leave-one-out, exactly scipy's.
"""

import numpy as np
import pytest
from scipy import stats
from sklearn.metrics import brier_score_loss, roc_auc_score

import referee

B = 4000
TOLERANCE_SE = 0.25


def data(seed, n=200):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    common = rng.normal(size=n)
    a = 1 / (1 + np.exp(-(common + 0.8 * rng.normal(size=n) + 1.0 * y - 0.5)))
    b = 1 / (1 + np.exp(-(common + 0.8 * rng.normal(size=n) + 1.4 * y - 0.5)))
    return y, a, b


def auc(y, s, axis=-1):
    return roc_auc_score(y, s)


def auc_delta(y, a, b, axis=-1):
    return roc_auc_score(y, b) - roc_auc_score(y, a)


def brier(y, s, axis=-1):
    return brier_score_loss(y, s)


@pytest.mark.parametrize("method", ["percentile", "bca"])
def test_single_model_auc_interval_agrees_with_scipy(method):
    y, a, b = data(1)
    ours = referee.compare("roc_auc", y, a, b, resamples=B, interval=method, scheme="multinomial", seed=3)
    theirs = stats.bootstrap((y, b), auc, paired=True, vectorized=False, n_resamples=B,
                             method=method, random_state=np.random.default_rng(4))
    se = theirs.standard_error
    assert ours.challenger.estimate == pytest.approx(roc_auc_score(y, b), rel=1e-12)
    assert ours.challenger.se == pytest.approx(se, rel=0.1)
    assert abs(ours.challenger.ci[0] - theirs.confidence_interval.low) < TOLERANCE_SE * se
    assert abs(ours.challenger.ci[1] - theirs.confidence_interval.high) < TOLERANCE_SE * se


@pytest.mark.parametrize("method", ["percentile", "bca", "basic"])
def test_paired_delta_interval_agrees_with_scipy(method):
    y, a, b = data(2)
    ours = referee.compare("roc_auc", y, a, b, resamples=B, interval=method, scheme="multinomial", seed=5)
    theirs = stats.bootstrap((y, a, b), auc_delta, paired=True, vectorized=False, n_resamples=B,
                             method=method, random_state=np.random.default_rng(6))
    se = theirs.standard_error
    assert ours.delta.se == pytest.approx(se, rel=0.1)
    assert abs(ours.delta.ci[0] - theirs.confidence_interval.low) < TOLERANCE_SE * se
    assert abs(ours.delta.ci[1] - theirs.confidence_interval.high) < TOLERANCE_SE * se


def test_brier_bca_agrees_with_scipy():
    y, a, b = data(3, n=150)
    ours = referee.compare("brier", y, a, b, resamples=B, interval="bca", scheme="multinomial", seed=7)
    theirs = stats.bootstrap((y, a), brier, paired=True, vectorized=False, n_resamples=B,
                             method="bca", random_state=np.random.default_rng(8))
    se = theirs.standard_error
    assert abs(ours.champion.ci[0] - theirs.confidence_interval.low) < TOLERANCE_SE * se
    assert abs(ours.champion.ci[1] - theirs.confidence_interval.high) < TOLERANCE_SE * se
