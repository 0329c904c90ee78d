"""model_quality.json against the AWS documentation (the Model Monitor model-quality
statistics layout) and every figure in it against scikit-learn on the same rows.

The layout's field names are copied from the SageMaker Developer Guide, "Model quality
metrics" (model-monitor-model-quality-metrics): its binary, multiclass and regression
examples; the multiclass example's values too.
"""

import json
import shutil

import numpy as np
import pandas as pd
import pytest
from sklearn import metrics as skm

from referee import _model_monitor, sagemaker

# The fields of AWS's examples, in their order.
AWS_BINARY = [
    "confusion_matrix", "recall", "precision", "accuracy", "recall_best_constant_classifier",
    "precision_best_constant_classifier", "accuracy_best_constant_classifier", "true_positive_rate",
    "true_negative_rate", "false_positive_rate", "false_negative_rate", "receiver_operating_characteristic_curve",
    "precision_recall_curve", "auc", "f0_5", "f1", "f2", "f0_5_best_constant_classifier",
    "f1_best_constant_classifier", "f2_best_constant_classifier"]
AWS_REGRESSION = ["mae", "mse", "rmse", "r2"]
AWS_MULTICLASS = [
    "confusion_matrix", "accuracy", "weighted_recall", "weighted_precision", "weighted_f0_5", "weighted_f1",
    "weighted_f2", "accuracy_best_constant_classifier", "weighted_recall_best_constant_classifier",
    "weighted_precision_best_constant_classifier", "weighted_f0_5_best_constant_classifier",
    "weighted_f1_best_constant_classifier", "weighted_f2_best_constant_classifier"]
AWS_CURVES = {"receiver_operating_characteristic_curve": ["false_positive_rates", "true_positive_rates"],
              "precision_recall_curve": ["precisions", "recalls"]}


def lay_out(root, monkeypatch, policy, table):
    """A Processing layout under ``root`` with one CSV and one policy."""
    monkeypatch.setenv("REFEREE_SAGEMAKER_ROOT", str(root))
    data, policies = root / "processing/input/data", root / "processing/input/policy"
    data.mkdir(parents=True)
    policies.mkdir(parents=True)
    if isinstance(table, pd.DataFrame):
        table.to_csv(data / "eval.csv", index=False)
    else:
        shutil.copy(table, data / "eval.csv")
    (policies / "gate.json").write_text(json.dumps(policy))


def run_job(root, monkeypatch, policy, table):
    """The entrypoint on one CSV and one policy; returns (model_quality, report) as dicts."""
    lay_out(root, monkeypatch, policy, table)
    assert sagemaker.main(["--threads", "1"]) == 0
    out = root / "processing/output/evaluation"
    return json.loads((out / "model_quality.json").read_text()), json.loads((out / "report.json").read_text())


def binary_oracle(y, score, w, threshold):
    """Every scalar figure of the binary layout, from scikit-learn."""
    called, always = (score >= threshold).astype(int), np.ones_like(y, dtype=int)
    kw = {"sample_weight": w}
    tnr = skm.recall_score(y, called, pos_label=0, **kw)
    recall = skm.recall_score(y, called, **kw)
    return {
        "recall": recall, "true_positive_rate": recall, "false_negative_rate": 1 - recall,
        "precision": skm.precision_score(y, called, **kw), "accuracy": skm.accuracy_score(y, called, **kw),
        "true_negative_rate": tnr, "false_positive_rate": 1 - tnr, "auc": skm.roc_auc_score(y, score, **kw),
        "f0_5": skm.fbeta_score(y, called, beta=0.5, **kw), "f1": skm.f1_score(y, called, **kw),
        "f2": skm.fbeta_score(y, called, beta=2, **kw),
        "recall_best_constant_classifier": skm.recall_score(y, always, **kw),
        "precision_best_constant_classifier": skm.precision_score(y, always, **kw),
        "accuracy_best_constant_classifier": skm.accuracy_score(y, always, **kw),
        "f0_5_best_constant_classifier": skm.fbeta_score(y, always, beta=0.5, **kw),
        "f1_best_constant_classifier": skm.f1_score(y, always, **kw),
        "f2_best_constant_classifier": skm.fbeta_score(y, always, beta=2, **kw),
    }


def check_binary(section, y, score, w, threshold):
    assert list(section) == AWS_BINARY
    for name, value in binary_oracle(y, score, w, threshold).items():
        assert section[name]["value"] == pytest.approx(value, rel=1e-12, abs=1e-15), name
    cm = skm.confusion_matrix(y, (score >= threshold).astype(int), sample_weight=w)  # [actual][predicted]
    ours = section["confusion_matrix"]
    assert [ours[a][p] for a in ("0", "1") for p in ("0", "1")] == pytest.approx(cm.ravel().tolist(), rel=1e-12)
    for name, keys in AWS_CURVES.items():
        assert sorted(section[name]) == sorted(keys)


def test_binary_layout_of_the_credit_gate_equals_scikit_learn(tmp_path, monkeypatch, examples):
    policy = json.loads((examples / "gate.json").read_text())
    policy["bootstrap"]["resamples"] = 200
    quality, report = run_job(tmp_path, monkeypatch, policy, examples / "credit_eval.csv")
    frame = pd.read_csv(examples / "credit_eval.csv")
    y, score, w = (frame[c].to_numpy(float) for c in ("y", "score_new", "w"))
    section = quality["binary_classification_metrics"]
    check_binary(section, y, score, w, policy["threshold"])
    # The standard deviation of a figure the core bootstraps is its bootstrap standard error.
    assert section["auc"]["standard_deviation"] == report["metrics"]["challenger"]["roc_auc"]["se"]
    assert section["f0_5"]["standard_deviation"] == "NaN"  # as Model Monitor writes one it lacks
    assert quality["version"] == 0.0 and quality["dataset"]["item_count"] == len(frame)
    # referee's own figures are apart, under referee's names: both models and the deltas.
    assert set(quality) == {"version", "dataset", "binary_classification_metrics", "referee"}
    assert quality["referee"]["metrics"] == report["metrics"]
    assert set(quality["referee"]["metrics"]) == {"champion", "challenger", "delta", "relative_delta"}

    # 6278 distinct scores: the curves keep 1000 thresholds, each a point of scikit-learn's curve.
    fpr, tpr, _ = skm.roc_curve(y, score, sample_weight=w, drop_intermediate=False)
    roc = section["receiver_operating_characteristic_curve"]
    assert len(roc["false_positive_rates"]) == _model_monitor.MAX_CURVE_THRESHOLDS + 1
    assert points_in_order(list(zip(roc["false_positive_rates"], roc["true_positive_rates"])),
                           list(zip(fpr, tpr)))
    precision, recall, _ = skm.precision_recall_curve(y, score, sample_weight=w, drop_intermediate=False)
    pr = section["precision_recall_curve"]
    assert points_in_order(list(zip(pr["precisions"], pr["recalls"])), list(zip(precision[::-1], recall[::-1])))
    assert (roc["false_positive_rates"][-1], roc["true_positive_rates"][-1]) == (1.0, 1.0)


def points_in_order(ours, theirs):
    """Each of our points is one of theirs (to 1e-12), in the same order."""
    j = 0
    for point in ours:
        while j < len(theirs) and not np.allclose(point, theirs[j], rtol=1e-12, atol=1e-15):
            j += 1
        if j == len(theirs):
            return False
        j += 1
    return True


@pytest.mark.parametrize("weighted", [False, True])
def test_binary_layout_with_ties_and_few_scores_has_scikit_learns_whole_curves(tmp_path, monkeypatch, weighted):
    rng = np.random.default_rng(11)
    n = 300
    y = (rng.uniform(size=n) < 0.3).astype(int)
    score = np.round(np.clip(0.3 + 0.3 * y + rng.normal(0, 0.25, n), 0, 1), 2)  # many ties
    w = rng.integers(1, 4, n).astype(float) if weighted else None
    frame = pd.DataFrame({"y": y, "a": np.clip(score + 0.1, 0, 1), "b": score, **({"w": w} if weighted else {})})
    policy = {"version": 1, "task": "binary", "threshold": 0.5,
              "columns": {"label": "y", "champion": "a", "challenger": "b", **({"weight": "w"} if weighted else {})},
              "bootstrap": {"resamples": 100, "seed": 1},
              "rules": [{"id": "auc", "metric": "roc_auc", "subject": "delta", "min": -1}]}
    quality, _ = run_job(tmp_path, monkeypatch, policy, frame)
    section = quality["binary_classification_metrics"]
    check_binary(section, y, score, w, 0.5)
    fpr, tpr, _ = skm.roc_curve(y, score, sample_weight=w, drop_intermediate=False)
    roc = section["receiver_operating_characteristic_curve"]
    assert roc["false_positive_rates"] == pytest.approx(fpr.tolist(), rel=1e-12)
    assert roc["true_positive_rates"] == pytest.approx(tpr.tolist(), rel=1e-12)
    precision, recall, _ = skm.precision_recall_curve(y, score, sample_weight=w, drop_intermediate=False)
    pr = section["precision_recall_curve"]
    assert pr["precisions"] == pytest.approx(precision[::-1].tolist(), rel=1e-12)
    assert pr["recalls"] == pytest.approx(recall[::-1].tolist(), rel=1e-12)
    # Unweighted rows are counted as Model Monitor counts them: whole numbers.
    cells = [v for row in section["confusion_matrix"].values() for v in row.values()]
    assert all(isinstance(v, int) for v in cells) == (not weighted)


def test_regression_layout_equals_scikit_learn_and_keeps_mape_apart(tmp_path, monkeypatch):
    rng = np.random.default_rng(4)
    n = 400
    y = 10 + 3 * rng.normal(size=n)
    frame = pd.DataFrame({"y": y, "a": y + rng.normal(size=n), "b": y + 0.8 * rng.normal(size=n),
                          "w": 1.0 + np.arange(n) % 3})
    policy = {"version": 1, "task": "regression", "columns": {"label": "y", "champion": "a", "challenger": "b",
                                                              "weight": "w"},
              "bootstrap": {"resamples": 100, "seed": 2},
              "rules": [{"id": "rmse", "metric": "rmse", "subject": "relative_delta", "max": 0.5}]}
    quality, report = run_job(tmp_path, monkeypatch, policy, frame)
    section = quality["regression_metrics"]
    assert list(section) == AWS_REGRESSION
    b, w = frame["b"].to_numpy(), frame["w"].to_numpy()
    oracle = {"mae": skm.mean_absolute_error(y, b, sample_weight=w),
              "mse": skm.mean_squared_error(y, b, sample_weight=w),
              "rmse": np.sqrt(skm.mean_squared_error(y, b, sample_weight=w)),
              "r2": skm.r2_score(y, b, sample_weight=w)}
    for name, value in oracle.items():
        assert section[name]["value"] == pytest.approx(value, rel=1e-10), name
        assert section[name]["standard_deviation"] > 0
    assert "binary_classification_metrics" not in quality
    assert quality["referee"]["metrics"]["challenger"]["mape"]["estimate"] == pytest.approx(
        skm.mean_absolute_percentage_error(y, b, sample_weight=w), rel=1e-10)


def test_every_figure_of_a_layout_is_value_and_standard_deviation(tmp_path, monkeypatch, examples):
    policy = json.loads((examples / "gate.json").read_text())
    policy["bootstrap"]["resamples"] = 100
    quality, _ = run_job(tmp_path, monkeypatch, policy, examples / "credit_eval_small.csv")
    for name, figure in quality["binary_classification_metrics"].items():
        if name != "confusion_matrix" and name not in AWS_CURVES:
            assert set(figure) == {"value", "standard_deviation"}, name


def test_a_task_without_a_layout_gets_no_section_rather_than_a_made_up_one():
    report = {"task": "outcome", "data": {"rows": 3, "sha256": "x"}, "run": {"started_at": "t"},
              "verdict": "PASS", "passed": True, "policy_sha256": "y", "bootstrap": {}, "metrics": {}}
    sections = _model_monitor.layout(report, None)
    assert sections == {}
    assert set(_model_monitor.statistics(report, sections)) == {"version", "dataset", "referee"}


def small_binary(n=200, seed=3):
    rng = np.random.default_rng(seed)
    y = (rng.uniform(size=n) < 0.4).astype(int)
    score = np.round(np.clip(0.35 + 0.3 * y + rng.normal(0, 0.2, n), 0, 1), 3)
    frame = pd.DataFrame({"y": y, "a": np.clip(score - 0.05, 0, 1), "b": score})
    policy = {"version": 1, "task": "binary", "threshold": 0.5,
              "columns": {"label": "y", "champion": "a", "challenger": "b"},
              "bootstrap": {"resamples": 100, "seed": 1},
              "rules": [{"id": "auc", "metric": "roc_auc", "subject": "delta", "min": -1}]}
    return frame, policy


def test_a_csv_with_a_byte_order_mark_before_the_label_gives_the_same_figures(tmp_path, monkeypatch):
    frame, policy = small_binary()
    csv = tmp_path / "bom.csv"
    csv.write_bytes(b"\xef\xbb\xbf" + frame.to_csv(index=False).encode())
    quality, _ = run_job(tmp_path / "job", monkeypatch, policy, csv)
    check_binary(quality["binary_classification_metrics"], frame["y"].to_numpy(), frame["b"].to_numpy(), None, 0.5)


def test_rows_read_again_that_differ_from_the_reports_are_an_internal_error_and_no_output(tmp_path, monkeypatch):
    frame, policy = small_binary()
    real = sagemaker.scored_columns

    def one_row_short(*args):
        columns = real(*args)
        return _model_monitor.ScoredColumns(columns.label[1:], columns.score[1:], None)

    monkeypatch.setattr(sagemaker, "scored_columns", one_row_short)
    lay_out(tmp_path, monkeypatch, policy, frame)
    assert sagemaker.main([]) == 70
    assert "the data read again has 199 rows, the report 200 rows" in (tmp_path / "output/message").read_text()
    assert not (tmp_path / "processing/output/evaluation/report.json").exists()


@pytest.mark.parametrize("parts", [1, 2])
def test_decision_scores_and_string_labels_give_scikit_learns_figures(tmp_path, monkeypatch, examples, parts):
    # examples/gate-svm.json: SVM margins (threshold 0) and "benign"/"malignant" labels.
    # One CSV goes to the core's reader; two parts through pandas, the label left as text.
    policy = json.loads((examples / "gate-svm.json").read_text())
    policy["bootstrap"]["resamples"] = 100
    frame = pd.read_csv(examples / "breast_cancer_svm.csv")
    half = len(frame) // 2
    lay_out(tmp_path, monkeypatch, policy, examples / "breast_cancer_svm.csv")
    if parts == 2:
        data = tmp_path / "processing/input/data"
        (data / "eval.csv").unlink()
        frame.iloc[:half].to_csv(data / "part-1.csv", index=False)
        frame.iloc[half:].to_csv(data / "part-2.csv", index=False)
    assert sagemaker.main(["--threads", "1"]) == 0
    quality = json.loads((tmp_path / "processing/output/evaluation/model_quality.json").read_text())
    y = (frame["diagnosis"] == "benign").to_numpy(int)
    section = quality["binary_classification_metrics"]
    check_binary(section, y, frame["svm_new"].to_numpy(), None, policy["threshold"])
    fpr, tpr, _ = skm.roc_curve(y, frame["svm_new"], drop_intermediate=False)
    assert section["receiver_operating_characteristic_curve"]["true_positive_rates"] == pytest.approx(tpr.tolist())


# --- multiclass ---------------------------------------------------------------------------

# AWS's multiclass example (the Developer Guide's "Multiclass metrics"): its confusion matrix
# and the values it gives for the figures a matrix determines.
AWS_MULTICLASS_MATRIX = {"0": {"0": 1180, "1": 510}, "1": {"0": 268, "1": 138}}
AWS_MULTICLASS_VALUES = {
    "accuracy": 0.6288167938931297, "weighted_recall": 0.6288167938931297,
    "weighted_precision": 0.6983172269629505, "weighted_f0_5": 0.6803947317178771,
    "weighted_f1": 0.6571162346664904, "weighted_f2": 0.6384024354394601,
    "accuracy_best_constant_classifier": 0.19370229007633588,
    "weighted_recall_best_constant_classifier": 0.19370229007633588,
    "weighted_precision_best_constant_classifier": 0.03752057718081697,
    "weighted_f0_5_best_constant_classifier": 0.04473443104152011,
    "weighted_f1_best_constant_classifier": 0.06286421244683643,
    "weighted_f2_best_constant_classifier": 0.10570313141262414}


def test_the_multiclass_layout_reproduces_every_value_of_aws_example():
    """The figures the layout computes from a confusion matrix, on AWS's example matrix,
    are AWS's values: the weighted F0.5 and F2 and all six of the constant classifier's
    (which calls every row the last class, "1"); the core's four are passed through."""
    cells = [[AWS_MULTICLASS_MATRIX[a][p] for p in "01"] for a in "01"]
    core = {ours: {"estimate": AWS_MULTICLASS_VALUES[theirs], "se": 0.01}
            for theirs, ours in _model_monitor.CORE_NAMES["multiclass"].items()}
    report = {"task": "multiclass", "metrics": {"challenger": core},
              "confusion_matrix": {"classes": ["0", "1"], "weighted": False, "champion": cells, "challenger": cells}}
    section = _model_monitor.layout(report, None)["multiclass_classification_metrics"]
    assert list(section) == AWS_MULTICLASS
    assert section["confusion_matrix"] == AWS_MULTICLASS_MATRIX
    for name, value in AWS_MULTICLASS_VALUES.items():
        assert section[name]["value"] == pytest.approx(value, rel=1e-13), name
    computed = _model_monitor.weighted_figures(np.asarray(cells, dtype=float))
    for name in ("accuracy", "recall", "precision", "f1"):  # the core's four, had AWS's matrix been the data
        theirs = AWS_MULTICLASS_VALUES[name if name == "accuracy" else f"weighted_{name}"]
        assert computed[name] == pytest.approx(theirs, rel=1e-13), name


def multiclass_oracle(y, proba, classes, w):
    """Every figure of the multiclass layout, and the confusion matrix, from scikit-learn:
    the argmax's class, and the constant classifier's last class."""
    calls = {"": np.asarray(classes)[proba.argmax(axis=1)], "_best_constant_classifier": np.full(len(y), classes[-1])}
    kw = {"sample_weight": w, "labels": classes, "average": "weighted", "zero_division": 0}
    out = {}
    for suffix, called in calls.items():
        out["accuracy" + suffix] = skm.accuracy_score(y, called, sample_weight=w)
        out["weighted_recall" + suffix] = skm.recall_score(y, called, **kw)
        out["weighted_precision" + suffix] = skm.precision_score(y, called, **kw)
        for beta, name in ((0.5, "f0_5"), (1, "f1"), (2, "f2")):
            out[f"weighted_{name}{suffix}"] = skm.fbeta_score(y, called, beta=beta, **kw)
    return out, skm.confusion_matrix(y, calls[""], labels=classes, sample_weight=w)


@pytest.mark.parametrize("gate", ["digits", "twenty"])
def test_multiclass_layout_equals_scikit_learn_field_by_field(tmp_path, monkeypatch, examples, gate):
    """digits: ten integer classes by prefix, unweighted; twenty: twenty topics listed,
    weighted. model_quality.json and evaluation.json carry AWS's fields in AWS's order, each
    equal to scikit-learn's; the constant classifier predicts one class, so its weighted
    precision checks that an unpredicted class counts as precision 0 (zero_division=0)."""
    policy = json.loads((examples / f"gate-{gate}.json").read_text())
    policy["bootstrap"]["resamples"] = 100
    table = examples / ("digits_eval.csv" if gate == "digits" else "twenty_classes.csv")
    quality, report = run_job(tmp_path, monkeypatch, policy, table)
    cols = policy["columns"]
    df = pd.read_csv(table, dtype={cols["label"]: str}, keep_default_na=False)
    classes = report["confusion_matrix"]["classes"]
    challenger = cols["challenger"]
    names = [challenger["prefix"] + k for k in classes] if isinstance(challenger, dict) else challenger
    w = df[cols["weight"]].to_numpy(dtype=float) if cols.get("weight") else None
    figures, cm = multiclass_oracle(df[cols["label"]].to_numpy(), df[names].to_numpy(dtype=float), classes, w)
    section = quality["multiclass_classification_metrics"]
    assert list(section) == AWS_MULTICLASS
    for name, value in figures.items():
        assert section[name]["value"] == pytest.approx(value, rel=1e-12, abs=1e-15), name
        assert set(section[name]) == {"value", "standard_deviation"}, name
    matrix = section["confusion_matrix"]
    assert list(matrix) == classes and all(list(row) == classes for row in matrix.values())
    assert [matrix[a][p] for a in classes for p in classes] == pytest.approx(cm.ravel().tolist(), rel=1e-12)
    assert (w is None) == all(isinstance(matrix[a][p], int) for a in classes for p in classes)
    evaluation = json.loads((tmp_path / "processing/output/evaluation/evaluation.json").read_text())
    assert evaluation["multiclass_classification_metrics"] == section
    f1_macro = report["metrics"]["challenger"]["f1_macro"]["estimate"]
    assert evaluation["referee"]["metrics"]["f1_macro"]["value"] == f1_macro


def test_multiclass_data_in_two_parts_gives_the_layout_of_the_whole_file(tmp_path, monkeypatch, examples):
    """Several data files go through pandas and the DataFrame door, which resolves the prefix
    against the frame's columns: the same section as the one CSV gives."""
    policy = json.loads((examples / "gate-digits.json").read_text())
    policy["bootstrap"]["resamples"] = 100
    whole, _ = run_job(tmp_path / "whole", monkeypatch, policy, examples / "digits_eval.csv")
    df = pd.read_csv(examples / "digits_eval.csv")
    root = tmp_path / "parts"
    lay_out(root, monkeypatch, policy, df.iloc[:400])
    df.iloc[400:].to_csv(root / "processing/input/data/eval_2.csv", index=False)
    assert sagemaker.main(["--threads", "1"]) == 0
    parts = json.loads((root / "processing/output/evaluation/model_quality.json").read_text())
    assert parts["multiclass_classification_metrics"] == whole["multiclass_classification_metrics"]
