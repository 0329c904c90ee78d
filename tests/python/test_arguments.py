"""Arguments are checked in Python and refused in the user's own terms (issue 17): a
RefereeError subclass naming the argument as the user wrote it, never pybind11's signature
dump, a JSON path the user never wrote, or pandas' "truth value of a Series is ambiguous".
scikit-learn's argument order for metric() works; scikit-learn itself is the oracle."""

import inspect

import numpy as np
import pandas as pd
import pytest

import referee

sklearn_metrics = pytest.importorskip("sklearn.metrics")

POLICY = {
    "version": 1, "task": "binary",
    "columns": {"label": "y", "champion": "a", "challenger": "b"},
    "bootstrap": {"resamples": 100, "seed": 1},
    "rules": [{"id": "auc", "metric": "roc_auc", "subject": "delta", "min": -0.05}],
}


@pytest.fixture
def data():
    rng = np.random.default_rng(3)
    y = (rng.random(300) < 0.4).astype(float)
    return pd.DataFrame({"y": y, "a": np.clip(0.3 * y + rng.random(300) * 0.7, 0, 1),
                         "b": np.clip(0.35 * y + rng.random(300) * 0.65, 0, 1)})


def refused(call, error=referee.UsageError):
    with pytest.raises(error) as caught:
        call()
    message = str(caught.value)
    assert "Invoked with" not in message and "incompatible function arguments" not in message
    assert "$." not in message, "a JSON path the user never wrote"
    assert "truth value" not in message
    assert isinstance(caught.value, referee.RefereeError)
    return message


@pytest.mark.parametrize("seed", [-1, 2**64, 1.5, "7", True])
def test_evaluate_seed_out_of_range_names_seed(data, seed):
    message = refused(lambda: referee.evaluate(data, POLICY, seed=seed))
    assert message.startswith("seed ")


@pytest.mark.parametrize("threads", [0, -2, 1025, "2"])
def test_evaluate_threads_out_of_range_names_threads(data, threads):
    assert refused(lambda: referee.evaluate(data, POLICY, threads=threads)).startswith("threads ")


@pytest.mark.parametrize("argument, value, words", [
    ("resamples", 50, "from 100 to 1000000"),
    ("resamples", 2.5, "integer"),
    ("confidence", 95, "between 0.5 and 1"),
    ("interval", "bcx", 'did you mean "bca"'),
    ("scheme", "bayes", "poisson"),
])
def test_compare_names_its_own_argument(data, argument, value, words):
    message = refused(lambda: referee.compare("roc_auc", data.y, data.a, data.b, **{argument: value}))
    assert message.startswith(f"compare(): {argument}= ") and words in message


def test_compare_seed_and_threshold_name_the_argument(data):
    assert refused(lambda: referee.compare("roc_auc", data.y, data.a, data.b, seed=-1)).startswith("seed ")
    assert "threshold" in refused(lambda: referee.compare("accuracy", data.y, data.a, data.b, threshold=2.0))


def test_compare_refuses_a_metric_that_is_not_a_name(data):
    message = refused(lambda: referee.compare(data.y, data.a, data.b, data.b))
    assert "metric's name must be a str" in message


def test_metric_in_scikit_learns_order_with_series(data):
    expected = sklearn_metrics.roc_auc_score(data.y, data.b)
    assert referee.metric(data.y, data.b, "roc_auc") == pytest.approx(expected, abs=1e-12)
    assert referee.metric("roc_auc", data.y, data.b) == pytest.approx(expected, abs=1e-12)
    assert referee.metric(y_true=data.y, y_score=data.b, name="roc_auc") == pytest.approx(expected, abs=1e-12)
    brier = sklearn_metrics.brier_score_loss(data.y, data.a)
    assert referee.metric(data.y.to_numpy(), list(data.a), "brier") == pytest.approx(brier, abs=1e-12)


def test_metric_without_a_name_says_how_to_call_it(data):
    message = refused(lambda: referee.metric(data.y, data.b))
    assert 'referee.metric("roc_auc", y_true, y_score)' in message
    assert "y_true and y_score" in refused(lambda: referee.metric("roc_auc", data.y))


def test_metric_threshold_out_of_range(data):
    assert "threshold" in refused(lambda: referee.metric("precision", data.y, data.b, threshold=-0.1))


def test_options_are_keyword_only():
    """Where order is ambiguous (seed or threads? weight or threshold?) the argument must be named."""
    for function, first_option in ((referee.evaluate, "seed"), (referee.metric, "weight"),
                                   (referee.compare, "weight")):
        parameters = inspect.signature(function).parameters
        assert parameters[first_option].kind is inspect.Parameter.KEYWORD_ONLY
    with pytest.raises(TypeError):
        referee.evaluate({}, POLICY, 7)  # a seed given by position
