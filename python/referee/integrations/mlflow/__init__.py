"""referee in MLflow: ``pip install "referee[mlflow]"``; docs/mlflow.md has the name
scheme and the thresholds mapping.

    import referee
    from referee.integrations.mlflow import log_report, policy_from_thresholds

    with mlflow.start_run():
        report = referee.evaluate(df, "gate.json")
        log_report(report)

- ``log_report(report)``: every figure of the report as metrics (one batched call), the
  bootstrap settings as params, the verdicts as tags, report.json/.md/.html as artifacts.
- ``policy_from_thresholds({"roc_auc": MetricThreshold(...)}, columns=...)``: MLflow
  model-validation thresholds as a referee policy.
- ``RefereeEvaluator`` (``referee.integrations.mlflow.evaluator``, registered as the
  ``mlflow.model_evaluator`` entry point ``referee``): ``mlflow.evaluate(...,
  evaluators="referee", evaluator_config={"policy": ...})`` runs the gate.
"""

from ._log import log_report
from ._thresholds import MLFLOW_METRIC_NAMES, policy_from_thresholds

__all__ = ["log_report", "policy_from_thresholds", "MLFLOW_METRIC_NAMES"]
