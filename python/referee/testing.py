"""Unit tests for a policy, from pytest.

    from referee.testing import assert_verdict

    def test_a_worse_model_is_blocked():
        assert_verdict("gate.json", small_table_where_the_challenger_is_worse, "FAIL")

    def test_recall_only_warns():
        assert_verdict("gate.json", df, {"verdict": "WARN", "rules": {"recall-floor": "FAIL"}})

The data is evaluated exactly as ``referee.evaluate`` (and ``referee run``) would; the
assertion message lists every difference, with the gate's own reason for each rule.
The CLI counterpart for a file of cases is ``referee test --policy gate.json --cases cases.json``
(docs/policy-testing.md).
"""

from typing import Any, Dict, Mapping, Optional, Union

from ._api import PolicyLike, evaluate
from ._report import Report

_VERDICTS = ("PASS", "WARN", "FAIL", "INCONCLUSIVE")

Expected = Union[str, Mapping[str, Any]]


def assert_verdict(policy: PolicyLike, data: Any, expected: Expected, *, seed: Optional[int] = None) -> Report:
    """Evaluates ``data`` under ``policy`` and asserts the verdict (and, optionally, rule verdicts).

    ``expected`` is a verdict ("PASS", "WARN", "FAIL", "INCONCLUSIVE") or
    ``{"verdict": ..., "rules": {rule_id: verdict}}``; either key may be left out of the mapping.
    Returns the report, for further assertions.
    """
    want_verdict, want_rules = _parse_expected(expected)
    report = evaluate(data, policy, seed=seed, threads=1)
    differences = []
    if want_verdict is not None and report.verdict != want_verdict:
        differences.append(f"verdict: expected {want_verdict}, got {report.verdict}")
    by_id = {rule.id: rule for rule in report.rules}
    for rule_id, want in want_rules.items():
        if rule_id not in by_id:
            raise ValueError(f'"{rule_id}" is not a rule of the policy (rules: {", ".join(by_id)})')
        got = by_id[rule_id]
        if got.verdict != want:
            differences.append(f"rule {rule_id}: expected {want}, got {got.verdict} ({got.reason})")
    if differences:
        raise AssertionError("the policy did not decide as expected:\n  " + "\n  ".join(differences))
    return report


def _parse_expected(expected: Expected):
    if isinstance(expected, str):
        verdict, rules = expected, {}
    elif isinstance(expected, Mapping):
        unknown = set(expected) - {"verdict", "rules"}
        if unknown:
            raise ValueError(f"expected takes 'verdict' and 'rules', not {sorted(unknown)}")
        verdict, rules = expected.get("verdict"), dict(expected.get("rules", {}))
    else:
        raise TypeError("expected is a verdict string or a mapping with 'verdict' and 'rules'")
    for value in ([verdict] if verdict is not None else []) + list(rules.values()):
        if value not in _VERDICTS + ("SKIPPED",):
            raise ValueError(f"{value!r} is not a verdict (one of {', '.join(_VERDICTS)})")
    return verdict, rules
