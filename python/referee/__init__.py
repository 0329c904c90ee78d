"""referee: the paired-bootstrap champion/challenger evaluation gate.

    import referee
    report = referee.evaluate(df, "gate.json", seed=7)
    if not report.passed:
        raise SystemExit(report.verdict)

Errors: every exception referee raises derives from ``referee.RefereeError`` (apart from
``TypeError`` for an argument of the wrong type): ``UsageError`` (an argument referee
cannot use; also a ``ValueError``), ``PolicyError`` (the policy is invalid; the message
names the JSON path), ``DataError`` (the data is invalid; the message names the column and
row), ``IoError`` (a file could not be read or written), ``CancelledError`` and
``UndefinedMetricError`` (``metric()`` on data where the metric has no value, e.g. AUC with
one class). Each class's ``exit_code`` is what ``referee run`` exits with for that kind of
error (64 usage, 65 policy or data, 74 I/O, 130 cancelled, 70 internal).
"""

from ._core import (
    CancelledError,
    DataError,
    IoError,
    Policy,
    PolicyError,
    RefereeError,
    UsageError,
    __version__,
)
from ._api import UndefinedMetricError, compare, evaluate, metric
from ._report import Comparison, Estimate, Report, RuleResult
from ._verify import Verification, verify

__all__ = [
    "__version__",
    "evaluate",
    "metric",
    "compare",
    "verify",
    "Verification",
    "Report",
    "RuleResult",
    "Estimate",
    "Comparison",
    "Policy",
    "RefereeError",
    "UsageError",
    "PolicyError",
    "DataError",
    "IoError",
    "CancelledError",
    "UndefinedMetricError",
]
