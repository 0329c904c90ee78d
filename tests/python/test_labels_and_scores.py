"""Issue 15, items 1 and 2: decision scores and labels as they come, against scikit-learn.

The example table (scripts/make_task_examples.py) holds two SVMs' decision_function on
the breast-cancer test split, with the dataset's own label names. Every rank and
threshold metric referee reports must equal scikit-learn's with pos_label="benign" on the
same margins, from a CSV and from a DataFrame; log loss and Brier are undefined on margins.
"""
import json
import pathlib
import subprocess

import numpy as np
import pandas as pd
import pytest
from sklearn import metrics as m
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression

import referee

ROOT = pathlib.Path(__file__).resolve().parents[2]
CSV = ROOT / "examples" / "breast_cancer_svm.csv"
POLICY = ROOT / "examples" / "gate-svm.json"


def sklearn_figures(y_text, score, threshold=0.0, pos_label="benign"):
    y = (np.asarray(y_text) == pos_label).astype(int)
    pred = (np.asarray(score) >= threshold).astype(int)
    return {
        "roc_auc": m.roc_auc_score(y_text, score) if pos_label == sorted(set(y_text))[1]
        else m.roc_auc_score(y, score),
        "average_precision": m.average_precision_score(y_text, score, pos_label=pos_label),
        "accuracy": m.accuracy_score(y, pred),
        "balanced_accuracy": m.balanced_accuracy_score(y, pred),
        "precision": m.precision_score(y, pred),
        "recall": m.recall_score(y, pred),
        "f1": m.f1_score(y, pred),
        "mcc": m.matthews_corrcoef(y, pred),
    }


def check_against_sklearn(report, frame):
    metrics = report.metrics
    for model, column in (("champion", "svm_prod"), ("challenger", "svm_new")):
        expected = sklearn_figures(frame["diagnosis"].tolist(), frame[column].to_numpy())
        for name, value in expected.items():
            assert metrics[model][name].estimate == pytest.approx(value, abs=1e-12), (model, name)
        for name in ("log_loss", "brier"):
            assert metrics[model][name].estimate is None
            assert "needs probabilities" in metrics[model][name].undefined


def test_decision_scores_and_string_labels_match_sklearn_from_csv_and_dataframe():
    frame = pd.read_csv(CSV)
    from_csv = referee.evaluate(str(CSV), str(POLICY))
    check_against_sklearn(from_csv, frame)
    from_frame = referee.evaluate(frame, str(POLICY))
    check_against_sklearn(from_frame, frame)
    # The same rows give the same figures whichever door reads them.
    assert from_csv.to_dict()["metrics"] == from_frame.to_dict()["metrics"]


def test_categorical_and_boolean_labels():
    frame = pd.read_csv(CSV)
    policy = json.loads(POLICY.read_text())
    as_category = frame.assign(diagnosis=frame["diagnosis"].astype("category"))
    expected = referee.evaluate(frame, policy).to_dict()["metrics"]
    assert referee.evaluate(as_category, policy).to_dict()["metrics"] == expected
    boolean = frame.assign(diagnosis=frame["diagnosis"] == "benign")
    policy["columns"]["positive_label"] = True
    assert referee.evaluate(boolean, policy).to_dict()["metrics"] == expected
    # A categorical 0/1 label needs no positive_label: it is the 0/1 label it shows.
    del policy["columns"]["positive_label"]
    zero_one = frame.assign(diagnosis=(frame["diagnosis"] == "benign").astype(int).astype("category"))
    assert referee.evaluate(zero_one, policy).to_dict()["metrics"] == expected


def test_a_third_label_value_names_the_row_not_the_value():
    frame = pd.read_csv(CSV)
    # Both classes appear before the last row, so the last row's value is the third.
    frame.loc[len(frame) - 1, "diagnosis"] = "SECRET-4242"
    with pytest.raises(referee.DataError, match=rf"row {len(frame)}, column \"diagnosis\": a third label value") as caught:
        referee.evaluate(frame, str(POLICY))
    assert "SECRET" not in str(caught.value)


def test_log_loss_rule_on_decision_scores_is_refused_by_name():
    policy = json.loads(POLICY.read_text())
    policy["rules"].append({"id": "ll", "metric": "log_loss", "subject": "delta", "max": 0})
    with pytest.raises(referee.PolicyError, match=r"\$\.rules\[3\]\.metric.*needs probabilities"):
        referee.evaluate(str(CSV), policy)


@pytest.mark.parametrize("positive", ["benign", "malignant"])
def test_predict_proba_two_columns(positive):
    data = load_breast_cancer()
    x, y = data.data[:, :8], np.asarray(data.target_names)[data.target]
    champion = LogisticRegression(max_iter=5000).fit(x[::2], y[::2])
    challenger = LogisticRegression(C=0.1, max_iter=5000).fit(x[::2], y[::2])
    test_x, test_y = x[1::2], y[1::2]
    table = {"y": test_y, "a": champion.predict_proba(test_x), "b": challenger.predict_proba(test_x)}
    policy = {"version": 1, "task": "binary",
              "columns": {"label": "y", "positive_label": positive, "champion": "a", "challenger": "b"},
              "bootstrap": {"resamples": 200, "seed": 1},
              "rules": [{"id": "auc", "metric": "roc_auc", "subject": "delta", "min": -0.05}]}
    report = referee.evaluate(table, policy)
    for model, fitted in (("champion", champion), ("challenger", challenger)):
        column = list(fitted.classes_).index(positive)
        proba = fitted.predict_proba(test_x)[:, column]
        y01 = (test_y == positive).astype(int)
        assert report.metrics[model]["roc_auc"].estimate == pytest.approx(m.roc_auc_score(y01, proba), abs=1e-12)
        assert report.metrics[model]["log_loss"].estimate == pytest.approx(m.log_loss(y01, proba), abs=1e-12)


def test_cli_gate_on_decision_scores(tmp_path):
    out = subprocess.run(["referee", "run", "--data", str(CSV), "--policy", str(POLICY),
                          "--report", str(tmp_path / "r.json")], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "VERDICT: PASS" in out.stdout
