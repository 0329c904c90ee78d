"""policy_from_thresholds: MLflow model-validation thresholds as a referee policy.

MLflow's ``MetricThreshold`` (mlflow.models.evaluation.validation, as documented in its
docstring and applied by ``validate_evaluation_results``) checks the candidate's point
estimate: ``threshold`` is a floor (greater is better) or a ceiling on the candidate's
value; ``min_absolute_change`` asks candidate >= baseline + change (or <= baseline -
change); ``min_relative_change`` asks (candidate - baseline) / |baseline| >= change (or
(baseline - candidate) / |baseline| >= change). referee's subjects say the same of the
challenger, of delta = challenger - champion and of relative_delta = delta / |champion|,
each judged on its confidence interval unless ``decide_on="point"``. docs/mlflow.md has
the table and where the two differ.
"""

import json
from typing import Any, Dict, List, Mapping, Optional

from ... import _core
from ..._core import Policy, UsageError

# MLflow's metric names (the keys of its classifier and regressor evaluators' results)
# and referee's metric of the same definition (docs/policy.md, both as scikit-learn
# defines them). MLflow's precision_recall_auc is sklearn's average_precision_score.
MLFLOW_METRIC_NAMES: Mapping[str, str] = {
    "roc_auc": "roc_auc",
    "precision_recall_auc": "average_precision",
    "accuracy_score": "accuracy",
    "precision_score": "precision",
    "recall_score": "recall",
    "f1_score": "f1",
    "log_loss": "log_loss",
    "mean_absolute_error": "mae",
    "mean_squared_error": "mse",
    "root_mean_squared_error": "rmse",
    "r2_score": "r2",
    "mean_absolute_percentage_error": "mape",
}

_CATALOGUE: dict = {}
for _name, _task, _higher in _core.METRIC_CATALOGUE:
    _CATALOGUE.setdefault(_name, (_task, _higher))  # binary's meaning of a name multiclass shares


def _excerpt(text: Any) -> str:
    text = str(text)
    return repr(text if len(text) <= 40 else text[:40] + "...")


def _referee_metric(mlflow_name: str, greater_is_better: Any) -> str:
    if mlflow_name not in MLFLOW_METRIC_NAMES:
        raise UsageError(f"thresholds: MLflow metric {_excerpt(mlflow_name)} has no referee equivalent; "
                         f"known: {', '.join(MLFLOW_METRIC_NAMES)}")
    metric = MLFLOW_METRIC_NAMES[mlflow_name]
    higher = _CATALOGUE[metric][1]
    if greater_is_better is not higher:
        raise UsageError(f"thresholds: {mlflow_name} has greater_is_better={greater_is_better}, "
                         f"but {'higher' if higher else 'lower'} is better for {mlflow_name}")
    return metric


def _bound(value: float, higher: bool) -> Dict[str, float]:
    """A floor when greater is better, else a ceiling; MLflow's changes are improvements,
    so a ceiling on a lower-is-better metric's change is its negation."""
    return {"min": value} if higher else {"max": value}


def _rules(mlflow_name: str, threshold: Any, decide_on: str) -> List[Dict[str, Any]]:
    higher = threshold.greater_is_better
    metric = _referee_metric(mlflow_name, higher)
    wanted = [("threshold", "challenger", threshold.threshold, 1.0),
              ("min-absolute-change", "delta", threshold.min_absolute_change, -1.0),
              ("min-relative-change", "relative_delta", threshold.min_relative_change, -1.0)]
    rules = []
    for what, subject, value, sign_when_lower in wanted:
        if value is None:
            continue
        bound = float(value) if higher else sign_when_lower * float(value)
        rules.append({"id": f"{mlflow_name}-{what}", "metric": metric, "subject": subject,
                      **_bound(bound, higher), "decide_on": decide_on})
    return rules


def _task(metrics: List[str]) -> str:
    tasks = sorted({_CATALOGUE[m][0] for m in metrics})
    if len(tasks) != 1:
        raise UsageError("thresholds: mixes metrics of the binary and regression tasks; "
                         "a policy has one task")
    return tasks[0]


def policy_from_thresholds(thresholds: Mapping[str, Any], *, columns: Mapping[str, Any],
                           name: str = "MLflow validation thresholds", decide_on: str = "interval",
                           threshold: Optional[float] = None, bootstrap: Optional[Mapping[str, Any]] = None,
                           on_inconclusive: Optional[str] = None) -> Dict[str, Any]:
    """A referee policy (a dict) with the rules that say what ``thresholds`` says.

    ``thresholds`` maps MLflow metric names to ``mlflow.models.MetricThreshold`` (or any
    object with its four attributes): each of ``threshold``, ``min_absolute_change`` and
    ``min_relative_change`` that is set becomes one blocking rule with the id
    ``<metric>-threshold``, ``<metric>-min-absolute-change`` or
    ``<metric>-min-relative-change``. ``columns`` is the policy's ``columns`` (label,
    champion = MLflow's baseline, challenger = the candidate). ``decide_on="point"`` judges
    the estimates as MLflow does; the default judges the confidence intervals. The task
    follows from the metrics; ``threshold`` (binary), ``bootstrap`` and ``on_inconclusive``
    go into the policy as given. The policy is checked by referee's own parser (a
    ``PolicyError`` names the JSON path of a problem) before it is returned.
    """
    if not isinstance(thresholds, Mapping) or not thresholds:
        raise UsageError("thresholds must be a non-empty dict {MLflow metric name: MetricThreshold}")
    rules = [rule for key, value in thresholds.items() for rule in _rules(key, value, decide_on)]
    policy: Dict[str, Any] = {"version": 1, "name": name, "task": _task([r["metric"] for r in rules]),
                              "columns": dict(columns), "rules": rules}
    for key, value in (("threshold", threshold), ("bootstrap", bootstrap), ("on_inconclusive", on_inconclusive)):
        if value is not None:
            policy[key] = dict(value) if isinstance(value, Mapping) else value
    Policy.from_json(json.dumps(policy), "policy from MLflow thresholds")
    return policy
