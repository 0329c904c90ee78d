"""referee as an MLflow model evaluator: ``mlflow.evaluate(..., evaluators="referee",
evaluator_config={"policy": ...})`` runs the gate and logs the report as ``log_report``
does. Registered by referee's ``mlflow.model_evaluator`` entry point (pyproject.toml);
MLflow imports this module, so it imports MLflow at the top.

The table referee judges is the evaluation dataset's feature columns, with the targets
under the policy's label column and the candidate's scores under its challenger column:
the ``predictions`` column of a static dataset, or what ``model.predict`` returns. The
champion's scores are a column of the data named as the policy's champion, or come from
``evaluator_config["champion"]`` (a function of the features, a model with ``predict``,
or a model URI), called on the same features. Scores are what the policy's task reads:
probabilities of the positive class for ``binary``.

``evaluator_config`` keys: ``policy`` (required: dict, JSON text or path), ``seed``,
``threads``, ``limits`` (as for ``referee.evaluate``), ``prefix`` and ``segments`` (as for
``log_report``), ``champion``, and ``raise_unless_passed``: raise MLflow's
``ModelValidationFailedException``, as ``mlflow.validate_evaluation_results`` does, when
the verdict is FAIL or INCONCLUSIVE (after everything is logged).
"""

from typing import Any, Dict, Mapping, Optional

import numpy as np
import pandas as pd
from mlflow.models.evaluation import EvaluationResult, ModelEvaluator
from mlflow.models.evaluation.artifacts import JsonEvaluationArtifact, TextEvaluationArtifact
from mlflow.models.evaluation.validation import ModelValidationFailedException
from mlflow.tracking import MlflowClient
from mlflow.tracking.artifact_utils import get_artifact_uri

from ..._api import _policy, evaluate
from ..._core import Policy, UsageError
from ..._report import Report
from . import _entries, _log, _names

# MLflow's model types and the policy task each one is judged by.
_TASK_OF_MODEL_TYPE = {"classifier": "binary", "regressor": "regression"}


def _scores(output: Any, column: Optional[str], who: str) -> np.ndarray:
    """A model's output as one column of scores, by position (a returned index is not trusted)."""
    if isinstance(output, pd.DataFrame):
        if column is not None and column in output.columns:
            output = output[column]
        elif output.shape[1] == 1:
            output = output.iloc[:, 0]
        else:
            raise UsageError(f"{who} returned {output.shape[1]} columns; name the score column "
                             "with mlflow.evaluate(..., predictions=...)")
    scores = np.asarray(output)
    if scores.ndim == 2 and scores.shape[1] == 1:
        scores = scores[:, 0]
    if scores.ndim != 1:
        raise UsageError(f"{who} returned an array of shape {scores.shape}; referee needs one score per row "
                         "(for a classifier, the positive class's probability)")
    return scores


def _predict(model: Any, features: Any) -> Any:
    if isinstance(model, str):
        import mlflow.pyfunc

        model = mlflow.pyfunc.load_model(model)
    return model.predict(features) if hasattr(model, "predict") else model(features)


def _table(dataset: Any, policy: Policy, model: Any, champion: Any, predictions: Optional[str]) -> pd.DataFrame:
    features = dataset.features_data
    if not isinstance(features, pd.DataFrame):
        features = pd.DataFrame(features, columns=dataset.feature_names)
    table = features.copy()
    columns = policy.columns
    if dataset.has_targets:
        table[columns["label"]] = dataset.labels_data
    if model is not None:
        table[columns["challenger"]] = _scores(model.predict(features), predictions, "the model")
    elif dataset.has_predictions:
        table[columns["challenger"]] = dataset.predictions_data
    if champion is not None:
        table[columns["champion"]] = _scores(_predict(champion, features), None, "the champion")
    return table


def _artifacts(run_id: str, prefix: str, report: Report) -> Dict[str, Any]:
    def uri(name: str) -> str:
        return get_artifact_uri(run_id, f"{prefix}/{name}")

    out = {"referee_report_json": JsonEvaluationArtifact(uri("report.json"), report.to_dict())}
    try:
        out["referee_report_markdown"] = TextEvaluationArtifact(uri("report.md"), report.to_markdown())
        out["referee_report_html"] = TextEvaluationArtifact(uri("report.html"), report.to_html())
    except ValueError:
        pass
    return out


def _check_task(policy: Policy, model_type: str) -> None:
    if _TASK_OF_MODEL_TYPE[model_type] != policy.task:
        raise UsageError(f"model_type {model_type!r} needs a policy of task "
                         f"{_TASK_OF_MODEL_TYPE[model_type]!r}; this policy's task is {policy.task!r}")


class RefereeEvaluator(ModelEvaluator):
    """The ``referee`` evaluator: the paired-bootstrap gate of a policy, inside ``mlflow.evaluate``."""

    @classmethod
    def can_evaluate(cls, *, model_type: Any, evaluator_config: Any, **kwargs: Any) -> bool:
        # Without a policy there is no gate: stay out of evaluate(evaluators=None) runs.
        return model_type in _TASK_OF_MODEL_TYPE and isinstance(evaluator_config, Mapping) \
            and "policy" in evaluator_config

    def evaluate(self, *, model_type: Any, dataset: Any, run_id: str, evaluator_config: Mapping[str, Any],
                 model: Any = None, predictions: Optional[str] = None, **kwargs: Any) -> EvaluationResult:
        config = dict(evaluator_config)
        prefix = _names.check_prefix(config.get("prefix", "referee"))
        policy = _policy(config["policy"], config.get("limits"))
        _check_task(policy, model_type)
        table = _table(dataset, policy, model, config.get("champion"), predictions)
        report = evaluate(table, policy, seed=config.get("seed"), threads=config.get("threads"),
                          limits=config.get("limits"))
        entries = _entries.entries(report.to_dict(), prefix, segments=config.get("segments", True))
        client = MlflowClient()
        _log.log_entries(client, run_id, entries)
        _log.log_documents(client, run_id, report, prefix)
        if config.get("raise_unless_passed") and not report.passed:
            failed = ", ".join(f"{r['id']} ({r['verdict']})" for r in report.to_dict()["rules"]
                               if r["severity"] == "block" and r["verdict"] in ("FAIL", "INCONCLUSIVE"))
            raise ModelValidationFailedException(f"referee gate {report.verdict}: {failed}")
        return EvaluationResult(metrics=dict(entries.metrics), artifacts=_artifacts(run_id, prefix, report),
                                run_id=run_id)
