"""referee.testing.assert_verdict: a policy's unit tests from pytest."""

import pandas as pd
import pytest

from referee.testing import assert_verdict


def test_the_example_passes_and_the_small_sample_is_inconclusive(examples):
    report = assert_verdict(examples / "gate.json", examples / "credit_eval.csv",
                            {"verdict": "PASS", "rules": {"auc-non-inferior": "PASS"}})
    assert report.passed
    assert_verdict(examples / "gate.json", pd.read_csv(examples / "credit_eval_small.csv"), "INCONCLUSIVE")


def test_a_wrong_expectation_lists_every_difference_with_the_gate_reason(examples):
    with pytest.raises(AssertionError) as failure:
        assert_verdict(examples / "gate-segments.json", examples / "segment_trap.csv",
                       {"verdict": "PASS", "rules": {"auc-every-region": "PASS", "auc-overall": "PASS"}})
    message = str(failure.value)
    assert "verdict: expected PASS, got FAIL" in message
    assert "rule auc-every-region: expected PASS, got FAIL (segment west:" in message
    assert "auc-overall" not in message  # that one holds


def test_bad_expectations_are_usage_errors(examples):
    with pytest.raises(ValueError, match="not a verdict"):
        assert_verdict(examples / "gate.json", examples / "credit_eval_small.csv", "PASSED")
    with pytest.raises(ValueError, match="not a rule of the policy"):
        assert_verdict(examples / "gate.json", examples / "credit_eval_small.csv", {"rules": {"auc": "PASS"}})
