"""Unit tests for a policy, from pytest.

    from referee.testing import assert_verdict

    def test_a_worse_model_is_blocked():
        assert_verdict("gate.json", small_table_where_the_challenger_is_worse, "FAIL")

    def test_recall_only_warns():
        assert_verdict("gate.json", df, {"verdict": "WARN", "rules": {"recall-floor": "FAIL"}})

The data is evaluated exactly as ``referee.evaluate`` (and ``referee run``) would, and the
expectation is read and compared by the code ``referee test`` runs for a file of cases
(``referee test --policy gate.json --cases cases.json``, docs/policy-testing.md): the
assertion message lists every difference, with the gate's own reason for each rule.
"""

import json
from typing import Any, Mapping, Optional, Union

from . import _core
from ._api import PolicyLike, _limits, _policy, evaluate
from ._core import UsageError
from ._report import Report

Expected = Union[str, Mapping[str, Any]]


def assert_verdict(policy: PolicyLike, data: Any, expected: Expected, *, seed: Optional[int] = None,
                   limits: Optional[Mapping[str, int]] = None) -> Report:
    """Evaluates ``data`` under ``policy`` and asserts the verdict (and, optionally, rule verdicts).

    ``expected`` is the gate's verdict (PASS, WARN, FAIL or INCONCLUSIVE) or
    ``{"verdict": ..., "rules": {rule_id: verdict}}``, where a rule's verdict may also be
    SKIPPED (its ``on_insufficient: "skip"`` left it nothing to judge); either key may be
    left out of the mapping. A mistake in ``expected`` is a ``referee.UsageError``.
    Returns the report, for further assertions. ``limits`` as in ``referee.evaluate``.
    """
    checked = _limits(limits)
    p = _policy(policy, checked)
    expectation = _core.parse_case_expectation(p, json.dumps(_case(expected)), checked)
    report = evaluate(data, p, seed=seed, threads=1, limits=checked)
    differences = _core.case_differences(p, expectation, report.verdict,
                                         [(rule.verdict, rule.reason) for rule in report.rules])
    if differences:
        raise AssertionError("the policy did not decide as expected:\n  " + "\n  ".join(differences))
    return report


def _case(expected: Expected) -> dict:
    """``expected`` as a case of a cases file: {"expect": verdict, "rules": {id: verdict}}."""
    if isinstance(expected, str):
        return {"expect": expected}
    if not isinstance(expected, Mapping):
        raise TypeError("expected is a verdict string or a mapping with 'verdict' and 'rules'")
    unknown = set(expected) - {"verdict", "rules"}
    if unknown:
        raise UsageError(f"expected takes 'verdict' and 'rules', not {sorted(unknown)}")
    case = {"expect": expected["verdict"]} if expected.get("verdict") is not None else {}
    if "rules" in expected:
        case["rules"] = dict(expected["rules"])
    return case
