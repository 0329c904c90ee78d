"""referee.metric() against scikit-learn on random data, many seeds."""

import warnings

import numpy as np
import pytest
from sklearn import metrics as m

import referee

BINARY = {
    "accuracy": lambda y, s, w, t: m.accuracy_score(y, s >= t, sample_weight=w),
    "balanced_accuracy": lambda y, s, w, t: m.balanced_accuracy_score(y, s >= t, sample_weight=w),
    "precision": lambda y, s, w, t: m.precision_score(y, s >= t, sample_weight=w),
    "recall": lambda y, s, w, t: m.recall_score(y, s >= t, sample_weight=w),
    "specificity": lambda y, s, w, t: m.recall_score(y, s >= t, pos_label=0, sample_weight=w),
    "f1": lambda y, s, w, t: m.f1_score(y, s >= t, sample_weight=w),
    "mcc": lambda y, s, w, t: m.matthews_corrcoef(y, s >= t, sample_weight=w),
    "fpr": lambda y, s, w, t: 1 - m.recall_score(y, s >= t, pos_label=0, sample_weight=w),
    "fnr": lambda y, s, w, t: 1 - m.recall_score(y, s >= t, sample_weight=w),
    "roc_auc": lambda y, s, w, t: m.roc_auc_score(y, s, sample_weight=w),
    "average_precision": lambda y, s, w, t: m.average_precision_score(y, s, sample_weight=w),
    "log_loss": lambda y, s, w, t: m.log_loss(y, s, sample_weight=w),
    "brier": lambda y, s, w, t: m.brier_score_loss(y, s, sample_weight=w),
}
REGRESSION = {
    "mae": m.mean_absolute_error,
    "mse": m.mean_squared_error,
    "rmse": m.root_mean_squared_error,
    "r2": m.r2_score,
    "mape": m.mean_absolute_percentage_error,
}


@pytest.mark.parametrize("seed", range(25))
@pytest.mark.parametrize("weighted", [False, True])
def test_binary_metrics_equal_sklearn(seed, weighted):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(20, 2000))
    y = rng.integers(0, 2, n)
    s = np.clip(0.3 * y + rng.uniform(0, 0.7, n), 0, 1)
    if seed % 3 == 0:
        s = np.round(s, 1)  # ties
    w = rng.uniform(0.1, 3, n) if weighted else None
    t = float(rng.uniform(0.2, 0.8))
    for name, oracle in BINARY.items():
        got = referee.metric(name, y, s, weight=w, threshold=t)
        assert got == pytest.approx(oracle(y, s, w, t), rel=1e-9, abs=1e-12), name


@pytest.mark.parametrize("seed", range(25))
@pytest.mark.parametrize("weighted", [False, True])
def test_regression_metrics_equal_sklearn(seed, weighted):
    rng = np.random.default_rng(100 + seed)
    n = int(rng.integers(5, 2000))
    y = rng.normal(rng.uniform(-100, 100), rng.uniform(0.1, 50), n)
    p = y + rng.normal(0, rng.uniform(0.1, 10), n)
    w = rng.uniform(0.1, 3, n) if weighted else None
    for name, oracle in REGRESSION.items():
        got = referee.metric(name, y, p, weight=w)
        assert got == pytest.approx(oracle(y, p, sample_weight=w), rel=1e-9, abs=1e-12), name


def test_undefined_metrics_raise_with_the_reason():
    y = np.zeros(10)
    s = np.linspace(0, 1, 10)
    with pytest.raises(referee.UndefinedMetricError, match="only one class present"):
        referee.metric("roc_auc", y, s)
    with pytest.raises(referee.UndefinedMetricError, match="no predicted positives"):
        referee.metric("precision", np.array([0, 1]), np.array([0.1, 0.2]))
    assert isinstance(referee.UndefinedMetricError("x"), referee.RefereeError)


def test_unknown_metric_suggests_the_right_name():
    with pytest.raises(ValueError, match='did you mean "roc_auc"'):
        referee.metric("roc_acu", [0, 1], [0.2, 0.8])
