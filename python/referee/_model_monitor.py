"""SageMaker Model Monitor's model-quality statistics layout, which the Model Registry reads
as a model package's ModelQuality statistics (``model_quality.json``).

AWS documents the layout in the SageMaker Developer Guide, "Model quality metrics"
(model-monitor-model-quality-metrics): ``version``, ``dataset`` and one section per problem
type, each metric a ``{"value", "standard_deviation"}``. A task maps to a layout function
(LAYOUTS); a task without one (outcome, ranking) gets no section rather than a section that
only looks right. docs/sagemaker.md has the name table.

Where each figure comes from, so that no metric the core computes is computed again here:
- the core's metrics come from the report: the estimate, and the bootstrap standard error
  as the standard deviation;
- f0.5 and f2 from the report's precision and recall (the core computes F1 only);
- the best constant classifier's figures from the core itself (``point_metrics``) on a
  score of 1 for every row: AWS's constant classifier predicts the positive class for all
  (its example has recall 1 and accuracy and precision equal to the share of positives);
- the confusion matrix and the two curves from the evaluation table, in binary_sweep(),
  because the core reports rates but neither the weighted cells nor a per-threshold sweep;
- multiclass: the confusion matrix from the report (the core's ``confusion_matrix``
  section); the weighted F0.5 and F2 and the best constant classifier's figures from its
  cells, as f0.5 and f2 come from precision and recall for binary.
"""

import json
from typing import Any, Callable, Dict, List, NamedTuple, Optional, Tuple

import numpy as np

from . import _core

# What Model Monitor writes as a standard deviation it does not have.
NOT_COMPUTED = "NaN"

# A curve has at most this many thresholds (plus its start): a continuous score over 10^6
# rows has 10^6 of them, more than a statistics file shown in the Model Registry needs.
MAX_CURVE_THRESHOLDS = 1000

# {Model Monitor's name: referee's name} for the figures the core computes, per task.
CORE_NAMES: Dict[str, Dict[str, str]] = {
    "binary": {"recall": "recall", "precision": "precision", "accuracy": "accuracy",
               "true_positive_rate": "recall", "true_negative_rate": "specificity",
               "false_positive_rate": "fpr", "false_negative_rate": "fnr", "auc": "roc_auc", "f1": "f1"},
    "regression": {"mae": "mae", "mse": "mse", "rmse": "rmse", "r2": "r2"},
    "multiclass": {"accuracy": "accuracy", "weighted_recall": "recall_weighted",
                   "weighted_precision": "precision_weighted", "weighted_f1": "f1_weighted"},
}

# The curves: a Model Registry document holds them, a PropertyFile for JsonGet need not.
CURVES = ("receiver_operating_characteristic_curve", "precision_recall_curve")


class ScoredColumns(NamedTuple):
    """The challenger's rows as the core accepted them: float64 arrays, ``weight`` None
    when the policy names no weight column."""
    label: np.ndarray
    score: np.ndarray
    weight: Optional[np.ndarray]


def figure(value: Optional[float], standard_deviation: Optional[float] = None) -> Optional[Dict[str, Any]]:
    """{value, standard_deviation}, or None for an undefined value."""
    if value is None:
        return None
    return {"value": value, "standard_deviation": NOT_COMPUTED if standard_deviation is None else standard_deviation}


def report_figures(report: Dict[str, Any], names: Dict[str, str]) -> Dict[str, Dict[str, Any]]:
    """The challenger's figures under Model Monitor's names; an undefined one is left out."""
    challenger = report["metrics"]["challenger"]
    out = {}
    for name, ours in names.items():
        f = challenger.get(ours) or {}
        value = figure(f.get("estimate"), f.get("se"))
        if value is not None:
            out[name] = value
    return out


def f_beta(precision: Optional[float], recall: Optional[float], beta: float) -> Optional[float]:
    """F-beta from precision and recall, as the core defines F1 from the confusion cells:
    0 when there is no true positive but a positive or a predicted positive, undefined when
    there are neither."""
    if precision == 0.0 or recall == 0.0:
        return 0.0
    if precision is None or recall is None:
        return None
    b2 = beta * beta
    return (1.0 + b2) * precision * recall / (b2 * precision + recall)


class Sweep(NamedTuple):
    """Every distinct score, highest first, with the weighted true and false positives of
    calling a row positive when its score is at or above that threshold (the core's rule)."""
    thresholds: np.ndarray
    tp: np.ndarray
    fp: np.ndarray

    @property
    def positives(self) -> float:
        return float(self.tp[-1])

    @property
    def negatives(self) -> float:
        return float(self.fp[-1])


def binary_sweep(columns: ScoredColumns) -> Sweep:
    """One sort and two running sums. Here rather than in the core because only this door
    needs it; tests/python/test_sagemaker_model_quality.py checks it against scikit-learn."""
    order = np.argsort(columns.score, kind="stable")[::-1]
    score, label = columns.score[order], columns.label[order]
    weight = np.ones_like(score) if columns.weight is None else columns.weight[order]
    # The last row of each run of equal scores closes that threshold.
    ends = np.r_[np.flatnonzero(score[1:] != score[:-1]), score.size - 1]
    return Sweep(score[ends], np.cumsum(weight * label)[ends], np.cumsum(weight * (1.0 - label))[ends])


def confusion_matrix(sweep: Sweep, threshold: float, counts: bool) -> Dict[str, Dict[str, float]]:
    """{actual: {predicted: weighted rows}}, as Model Monitor nests it (its example: actual 0
    predicted 1 is a false positive). Plain counts as integers when the rows are unweighted."""
    called = int(np.count_nonzero(sweep.thresholds >= threshold))
    tp = float(sweep.tp[called - 1]) if called else 0.0
    fp = float(sweep.fp[called - 1]) if called else 0.0
    cells = {"0": {"0": sweep.negatives - fp, "1": fp}, "1": {"0": sweep.positives - tp, "1": tp}}
    if counts:
        return {a: {p: int(round(v)) for p, v in row.items()} for a, row in cells.items()}
    return cells


def _thinned(sweep: Sweep) -> Sweep:
    """At most MAX_CURVE_THRESHOLDS thresholds, evenly spaced in rank, the first and the last
    (every row called positive) always kept: each kept point lies on the full curve."""
    n = sweep.thresholds.size
    if n <= MAX_CURVE_THRESHOLDS:
        return sweep
    keep = np.unique(np.linspace(0, n - 1, MAX_CURVE_THRESHOLDS).round().astype(np.int64))
    return Sweep(sweep.thresholds[keep], sweep.tp[keep], sweep.fp[keep])


def curves(sweep: Sweep) -> Dict[str, Dict[str, List[float]]]:
    """The ROC curve from (0, 0) and the precision-recall curve from recall 0 (precision 1,
    as AWS's example and scikit-learn start it), thresholds from the highest score down.
    None of either when a class is absent (a rate would divide by zero)."""
    if not (sweep.positives > 0.0 and sweep.negatives > 0.0):
        return {}
    s = _thinned(sweep)
    called = s.tp + s.fp
    kept = called > 0.0  # a threshold that calls only zero-weight rows has no precision
    return {
        "receiver_operating_characteristic_curve": {
            "false_positive_rates": [0.0, *(s.fp / sweep.negatives).tolist()],
            "true_positive_rates": [0.0, *(s.tp / sweep.positives).tolist()]},
        "precision_recall_curve": {
            "precisions": [1.0, *(s.tp[kept] / called[kept]).tolist()],
            "recalls": [0.0, *(s.tp[kept] / sweep.positives).tolist()]},
    }


def best_constant(columns: ScoredColumns) -> Dict[str, Optional[float]]:
    """The core's figures for the classifier that calls every row positive: a probability
    of 1 at a threshold of 0.5, whatever the policy's scores and threshold are."""
    policy = {"version": 1, "task": "binary", "threshold": 0.5,
              "columns": {"label": "y", "champion": "always", "challenger": "always_",
                          **({"weight": "w"} if columns.weight is not None else {})},
              "rules": [{"id": "constant", "metric": "recall", "subject": "challenger", "min": 0}]}
    values = _core.point_metrics(_core.Policy.from_json(json.dumps(policy), "best constant classifier"),
                                 columns.label, np.ones_like(columns.score), columns.weight)
    return {name: value for name, (value, _reason) in values.items()}


def binary_layout(report: Dict[str, Any], columns: ScoredColumns) -> Dict[str, Any]:
    """``binary_classification_metrics`` in AWS's order."""
    core = report_figures(report, CORE_NAMES["binary"])
    challenger = report["metrics"]["challenger"]
    precision, recall = (challenger.get(m, {}).get("estimate") for m in ("precision", "recall"))
    constant = best_constant(columns)
    sweep = binary_sweep(columns)
    derived = {
        "confusion_matrix": confusion_matrix(sweep, report["threshold"], counts=columns.weight is None),
        **{f"{m}_best_constant_classifier": figure(constant[m]) for m in ("recall", "precision", "accuracy")},
        **curves(sweep),
        "f0_5": figure(f_beta(precision, recall, 0.5)),
        "f2": figure(f_beta(precision, recall, 2.0)),
        "f0_5_best_constant_classifier": figure(f_beta(constant["precision"], constant["recall"], 0.5)),
        "f1_best_constant_classifier": figure(constant["f1"]),
        "f2_best_constant_classifier": figure(f_beta(constant["precision"], constant["recall"], 2.0)),
    }
    order = ["confusion_matrix", "recall", "precision", "accuracy", "recall_best_constant_classifier",
             "precision_best_constant_classifier", "accuracy_best_constant_classifier", "true_positive_rate",
             "true_negative_rate", "false_positive_rate", "false_negative_rate", *CURVES, "auc", "f0_5", "f1", "f2",
             "f0_5_best_constant_classifier", "f1_best_constant_classifier", "f2_best_constant_classifier"]
    merged = {**core, **derived}
    return {name: merged[name] for name in order if merged.get(name) is not None}


def regression_layout(report: Dict[str, Any], columns: Optional[ScoredColumns]) -> Dict[str, Any]:
    """``regression_metrics``: every figure is one the core computes."""
    return report_figures(report, CORE_NAMES["regression"])


def weighted_figures(cells: np.ndarray) -> Dict[str, Optional[float]]:
    """Accuracy and the support-weighted recall, precision and F0.5, F1, F2 of a confusion
    matrix ([actual][predicted], counts or weights), as scikit-learn averages them
    (average="weighted", zero_division=0): a class never predicted has precision 0, and
    each class's F-beta is (1 + b^2) tp / ((1 + b^2) tp + b^2 fn + fp), 0 when it has
    neither rows nor predictions. None of each for a matrix with no weight."""
    total = float(cells.sum())
    if total <= 0.0:
        return dict.fromkeys(("accuracy", "recall", "precision", "f0_5", "f1", "f2"))
    tp, support, called = np.diag(cells), cells.sum(axis=1), cells.sum(axis=0)
    share = support / total

    def ratio(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.divide(a, b, out=np.zeros_like(a), where=b > 0)

    def f_beta_weighted(beta: float) -> float:
        b2 = beta * beta
        return float(share @ ratio((1 + b2) * tp, (1 + b2) * tp + b2 * (support - tp) + (called - tp)))

    return {"accuracy": float(tp.sum()) / total, "recall": float(share @ ratio(tp, support)),
            "precision": float(share @ ratio(tp, called)), "f0_5": f_beta_weighted(0.5),
            "f1": f_beta_weighted(1.0), "f2": f_beta_weighted(2.0)}


def constant_confusion(cells: np.ndarray) -> np.ndarray:
    """The matrix of the constant classifier that calls every row the last class in class
    order. AWS's example constant classifier calls every row its class "1" of ("0", "1"):
    its accuracy, 406/2096, is that class's share (docs/sagemaker.md). The last class is
    also the binary layout's constant prediction, the positive class."""
    out = np.zeros_like(cells)
    out[:, -1] = cells.sum(axis=1)
    return out


def multiclass_layout(report: Dict[str, Any], columns: Optional[ScoredColumns]) -> Dict[str, Any]:
    """``multiclass_classification_metrics`` in AWS's order, {actual: {predicted: cell}}
    over the class names. The confusion matrix is the core's; accuracy and the weighted
    recall, precision and F1 are the core's figures with their standard errors."""
    matrix = report["confusion_matrix"]
    classes, cells = matrix["classes"], np.asarray(matrix["challenger"], dtype=np.float64)
    nested = {a: {p: matrix["challenger"][i][j] for j, p in enumerate(classes)} for i, a in enumerate(classes)}
    ours, constant = weighted_figures(cells), weighted_figures(constant_confusion(cells))
    merged = {"confusion_matrix": nested, **report_figures(report, CORE_NAMES["multiclass"]),
              "weighted_f0_5": figure(ours["f0_5"]), "weighted_f2": figure(ours["f2"]),
              "accuracy_best_constant_classifier": figure(constant["accuracy"]),
              **{f"weighted_{m}_best_constant_classifier": figure(constant[m])
                 for m in ("recall", "precision", "f0_5", "f1", "f2")}}
    order = ["confusion_matrix", "accuracy", "weighted_recall", "weighted_precision", "weighted_f0_5", "weighted_f1",
             "weighted_f2", "accuracy_best_constant_classifier", "weighted_recall_best_constant_classifier",
             "weighted_precision_best_constant_classifier", "weighted_f0_5_best_constant_classifier",
             "weighted_f1_best_constant_classifier", "weighted_f2_best_constant_classifier"]
    return {name: merged[name] for name in order if merged.get(name) is not None}


# Each task's section and the function that fills it (docs/sagemaker.md).
LAYOUTS: Dict[str, Tuple[str, Callable[[Dict[str, Any], Any], Dict[str, Any]]]] = {
    "binary": ("binary_classification_metrics", binary_layout),
    "multiclass": ("multiclass_classification_metrics", multiclass_layout),
    "regression": ("regression_metrics", regression_layout),
}

# The layout functions that read the evaluation table (the others need the report only).
NEEDS_COLUMNS = {"binary"}


def layout(report: Dict[str, Any], columns: Optional[ScoredColumns]) -> Dict[str, Any]:
    """{section: figures} for the report's task, or {} for a task with no layout yet."""
    if report["task"] not in LAYOUTS:
        return {}
    section, fill = LAYOUTS[report["task"]]
    return {section: fill(report, columns)}


def statistics(report: Dict[str, Any], sections: Dict[str, Any]) -> Dict[str, Any]:
    """The whole model_quality.json: Model Monitor's layout for the challenger (``sections``,
    from layout()), then referee's own figures apart under "referee" (both models, the
    deltas, the intervals)."""
    return {
        "version": 0.0,
        "dataset": {"item_count": report["data"]["rows"], "evaluation_time": report["run"]["started_at"]},
        **sections,
        "referee": {
            "task": report["task"], "threshold": report.get("threshold"), "verdict": report["verdict"],
            "passed": report["passed"], "policy_sha256": report["policy_sha256"],
            "data_sha256": report["data"]["sha256"], "bootstrap": report["bootstrap"],
            "metrics": report["metrics"]},
    }
