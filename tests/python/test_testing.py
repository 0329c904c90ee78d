"""referee.testing.assert_verdict: a policy's unit tests from pytest."""

import json
import shutil
import subprocess

import pandas as pd
import pytest

import referee
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
    # Read by the core's case reader, with the messages `referee test` gives for a cases file.
    with pytest.raises(referee.UsageError, match=r"^expected:1:\d+: \$\.expect must be one of PASS, WARN, FAIL, INCONCLUSIVE$"):
        assert_verdict(examples / "gate.json", examples / "credit_eval_small.csv", "PASSED")
    with pytest.raises(ValueError, match=r"^expected:1:\d+: \$\.rules\.auc is not a rule of the policy"):
        assert_verdict(examples / "gate.json", examples / "credit_eval_small.csv", {"rules": {"auc": "PASS"}})
    # The gate's own verdict is never SKIPPED; a rule's may be, and only in capitals.
    with pytest.raises(referee.UsageError, match=r"\$\.expect must be one of PASS, WARN, FAIL, INCONCLUSIVE$"):
        assert_verdict(examples / "gate.json", examples / "credit_eval_small.csv", "SKIPPED")
    with pytest.raises(referee.UsageError, match=r"recall-floor must be one of PASS, WARN, FAIL, INCONCLUSIVE, SKIPPED$"):
        assert_verdict(examples / "gate.json", examples / "credit_eval_small.csv", {"rules": {"recall-floor": "pass"}})
    with pytest.raises(referee.UsageError, match="expected takes 'verdict' and 'rules'"):
        assert_verdict(examples / "gate.json", examples / "credit_eval_small.csv", {"verdicts": "PASS"})


# A segment rule whose segment has too few rows, with on_insufficient "skip" (as in
# tests/unit/policy_cases.cpp): the rule is SKIPPED, and the gate PASSes.
SKIP_POLICY = {"version": 1, "task": "binary",
               "columns": {"label": "y", "champion": "a", "challenger": "b", "segments": ["seg"]},
               "segments_min": {"rows": 3, "positives": 1},
               "bootstrap": {"resamples": 100, "seed": 1},
               "rules": [{"id": "solo", "metric": "accuracy", "subject": "challenger", "min": 0,
                          "scope": {"segment": {"seg": "solo"}}, "on_insufficient": "skip"}]}
SKIP_DATA = {"y": [1, 0, 1, 0, 1], "a": [0.9, 0.2, 0.8, 0.3, 0.7], "b": [0.8, 0.1, 0.9, 0.2, 0.6],
             "seg": ["many", "many", "many", "many", "solo"]}


def test_a_skipped_rule_is_expected_as_skipped_as_referee_test_expects_it(tmp_path):
    report = assert_verdict(SKIP_POLICY, SKIP_DATA, {"rules": {"solo": "SKIPPED"}})
    assert report.verdict == "PASS" and report.rules[0].verdict == "SKIPPED"
    with pytest.raises(AssertionError, match="rule solo: expected PASS, got SKIPPED") as failure:
        assert_verdict(SKIP_POLICY, SKIP_DATA, {"verdict": "PASS", "rules": {"solo": "PASS"}})

    # `referee test` on the same case agrees: SKIPPED holds, PASS does not, with the same line.
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps(SKIP_POLICY))

    def referee_test(rule_verdict):
        cases = tmp_path / f"{rule_verdict}.cases.json"
        cases.write_text(json.dumps({"cases": [{"name": "skip", "expect": "PASS", "data": SKIP_DATA,
                                                "rules": {"solo": rule_verdict}}]}))
        return subprocess.run([shutil.which("referee"), "test", "--policy", str(policy), "--cases", str(cases)],
                              capture_output=True, text=True)

    holds = referee_test("SKIPPED")
    assert holds.returncode == 0, holds.stdout + holds.stderr
    fails = referee_test("PASS")
    assert fails.returncode == 1, fails.stdout + fails.stderr
    cli_line = next(line.strip() for line in fails.stdout.splitlines() if "rule solo:" in line)
    assert cli_line.startswith("rule solo: expected PASS, got SKIPPED")
    assert cli_line in str(failure.value).splitlines()[-1]
