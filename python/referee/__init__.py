"""referee: the paired-bootstrap champion/challenger evaluation gate.

    import referee
    report = referee.evaluate(df, "gate.json", seed=7)
    if not report.passed:
        raise SystemExit(report.verdict)

Errors: every exception referee raises derives from ``referee.RefereeError``:
``PolicyError`` (the policy is invalid; the message names the JSON path), ``DataError``
(the data is invalid; the message names the column and row), ``IoError`` (a file could
not be read or written), ``CancelledError`` and ``UndefinedMetricError`` (``metric()`` on
data where the metric has no value, e.g. AUC with one class).
"""

from ._core import (
    CancelledError,
    DataError,
    IoError,
    Policy,
    PolicyError,
    RefereeError,
    __version__,
)
from ._api import UndefinedMetricError, compare, evaluate, metric
from ._report import Comparison, Estimate, Report, RuleResult

__all__ = [
    "__version__",
    "evaluate",
    "metric",
    "compare",
    "Report",
    "RuleResult",
    "Estimate",
    "Comparison",
    "Policy",
    "RefereeError",
    "PolicyError",
    "DataError",
    "IoError",
    "CancelledError",
    "UndefinedMetricError",
]
