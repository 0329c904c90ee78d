"""Every Python door for the outcome task and for binary decision scores with labels as
they come (issue 15, item 8): evaluate() on a DataFrame, a pyarrow Table, a polars
DataFrame and a dict of arrays; metric() and compare(); Report frames; the SageMaker
entrypoint's evaluation.json and model_quality.json; MLflow's log_report and
policy_from_thresholds. Figures are checked against numpy and scikit-learn, and across
doors: the same report from the CSV (the CLI's reader) and from each table kind."""

import json
import shutil
import warnings

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from sklearn import metrics as skm

import referee
from referee import sagemaker

polars = pytest.importorskip("polars")

QUANTILES = (0.5, 0.9, 0.95, 0.99)


@pytest.fixture
def llm(examples):
    return pd.read_csv(examples / "llm_eval.csv")


@pytest.fixture
def svm(examples):
    return pd.read_csv(examples / "breast_cancer_svm.csv")


def outcome_oracle(x, threshold, w=None):
    """The outcome metrics as docs/policy.md defines them, by numpy."""
    x = np.asarray(x, dtype=float)
    w = np.ones_like(x) if w is None else np.asarray(w, dtype=float)
    out = {"mean": np.average(x, weights=w), "pass_rate": np.average(x >= threshold, weights=w)}
    out.update({f"quantile@{q}": np.quantile(x, q, method="inverted_cdf", weights=w) for q in QUANTILES})
    return out


def figures(report):
    """The parts of a report that must not depend on how the table was handed over."""
    data = report.to_dict()
    return {"metrics": data["metrics"], "rules": data["rules"], "units": data["data"]["units"]}


def outcome_policy(examples, **changes):
    policy = json.loads((examples / "gate-outcome.json").read_text())
    policy["bootstrap"]["resamples"] = 400
    policy.update(changes)
    return policy


def svm_policy(examples, **columns):
    policy = json.loads((examples / "gate-svm.json").read_text())
    policy["bootstrap"]["resamples"] = 400
    policy["columns"].update(columns)
    return policy


# --- evaluate(): every table kind --------------------------------------------------------

def test_outcome_from_every_table_kind_equals_the_csv(examples, llm):
    policy = outcome_policy(examples)
    expected = figures(referee.evaluate(examples / "llm_eval.csv", policy, threads=1))
    tables = {
        "pandas": llm,
        "pyarrow": pa.Table.from_pandas(llm),
        "pyarrow record batch": pa.RecordBatch.from_pandas(llm),
        "polars": polars.from_pandas(llm),
        "dict": {c: llm[c].to_numpy() for c in ("prompt_id", "success_v1", "success_v2")},
        "dict of int8 and str": {"prompt_id": llm.prompt_id.to_numpy(dtype=str),
                                 "success_v1": llm.success_v1.to_numpy(dtype=np.int8),
                                 "success_v2": llm.success_v2.to_numpy(dtype=np.int8)},
    }
    for kind, table in tables.items():
        assert figures(referee.evaluate(table, policy, threads=1)) == expected, kind
    for model, column in (("champion", "success_v1"), ("challenger", "success_v2")):
        want = outcome_oracle(llm[column], 1)
        got = {k: v["estimate"] for k, v in expected["metrics"][model].items()}
        assert got == pytest.approx(want, abs=1e-12)
    assert expected["units"] == llm.prompt_id.nunique() == 300


def test_outcome_needs_no_label_column(examples, llm):
    """The outcome policy names no label, so a table without any passes; a table that lacks
    a result column is a DataError naming it."""
    table = {"prompt_id": llm.prompt_id.to_numpy(), "success_v1": llm.success_v1.to_numpy(float),
             "success_v2": llm.success_v2.to_numpy(float)}
    assert referee.evaluate(table, outcome_policy(examples), threads=1).verdict == "PASS"
    del table["success_v2"]
    with pytest.raises(referee.DataError, match="success_v2"):
        referee.evaluate(table, outcome_policy(examples), threads=1)


def label_kinds(svm):
    text = svm.diagnosis
    return {
        "pandas object": svm,
        "pandas string": svm.assign(diagnosis=text.astype("string")),
        "pandas categorical": svm.assign(diagnosis=text.astype("category")),
        "pyarrow string": pa.Table.from_pandas(svm),
        "pyarrow record batch string": pa.RecordBatch.from_pandas(svm),
        "pyarrow dictionary": pa.table({"diagnosis": pa.array(text).dictionary_encode(),
                                        "svm_prod": svm.svm_prod, "svm_new": svm.svm_new}),
        "polars string": polars.from_pandas(svm),
        "polars categorical": polars.from_pandas(svm).with_columns(polars.col("diagnosis").cast(polars.Categorical)),
        "dict of numpy text": {"diagnosis": text.to_numpy(dtype=str), "svm_prod": svm.svm_prod.to_numpy(),
                               "svm_new": svm.svm_new.to_numpy()},
    }


def test_string_labels_from_every_table_kind_equal_the_csv(examples, svm):
    policy = svm_policy(examples)
    expected = figures(referee.evaluate(examples / "breast_cancer_svm.csv", policy, threads=1))
    for kind, table in label_kinds(svm).items():
        assert figures(referee.evaluate(table, policy, threads=1)) == expected, kind
    y = (svm.diagnosis == "benign").astype(int)
    for model, column in (("champion", "svm_prod"), ("challenger", "svm_new")):
        got = expected["metrics"][model]
        assert got["roc_auc"]["estimate"] == pytest.approx(skm.roc_auc_score(y, svm[column]), abs=1e-12)
        assert got["average_precision"]["estimate"] == pytest.approx(
            skm.average_precision_score(svm.diagnosis, svm[column], pos_label="benign"), abs=1e-12)
        assert got["recall"]["estimate"] == pytest.approx(skm.recall_score(y, svm[column] >= 0), abs=1e-12)
        assert got["log_loss"]["estimate"] is None and "probabilities" in got["log_loss"]["undefined"]


def test_boolean_labels_give_the_same_report(examples, svm):
    expected = figures(referee.evaluate(svm, svm_policy(examples), threads=1))
    benign = svm.assign(diagnosis=svm.diagnosis == "benign")
    policy = svm_policy(examples, positive_label=True)
    for kind, table in {"pandas bool": benign, "pandas boolean": benign.astype({"diagnosis": "boolean"}),
                        "pyarrow bool": pa.Table.from_pandas(benign), "polars bool": polars.from_pandas(benign),
                        "dict of numpy bool": {c: benign[c].to_numpy() for c in benign.columns}}.items():
        got = figures(referee.evaluate(table, policy, threads=1))
        assert got["metrics"] == expected["metrics"], kind


# --- metric() and compare() ---------------------------------------------------------------

def test_metric_computes_outcome_metrics_as_numpy(llm):
    rng = np.random.default_rng(5)
    w = rng.uniform(0.1, 3.0, len(llm))
    for column, threshold in (("success_v1", 1), ("judge_v2", 4), ("latency_v2_s", 2.5)):
        x = llm[column]
        for weight in (None, w):
            want = outcome_oracle(x, threshold, weight)
            for name, value in want.items():
                got = referee.metric(name, x, weight=weight, threshold=threshold)
                assert got == pytest.approx(value, abs=1e-12), (column, name)
    assert referee.metric(llm.judge_v1, "mean") == pytest.approx(llm.judge_v1.mean(), abs=1e-12)
    assert referee.metric("pass_rate", [0.2, 0.5, 0.7]) == pytest.approx(2 / 3)  # the default pass mark 0.5


def test_metric_refuses_a_label_for_an_outcome_metric(llm):
    with pytest.raises(referee.UsageError, match="no label"):
        referee.metric("mean", llm.success_v1, llm.success_v2)


def test_metric_takes_decision_scores(svm):
    y = (svm.diagnosis == "benign").astype(int).to_numpy()
    margins = svm.svm_new.to_numpy()
    assert referee.metric("roc_auc", y, margins, scores="decision") == pytest.approx(
        skm.roc_auc_score(y, margins), abs=1e-12)
    assert referee.metric("precision", y, margins, scores="decision") == pytest.approx(
        skm.precision_score(y, margins >= 0), abs=1e-12)  # score >= threshold (0) is positive
    assert referee.metric("recall", y, margins, scores="decision", threshold=-1.0) == pytest.approx(
        skm.recall_score(y, margins >= -1.0), abs=1e-12)
    with pytest.raises(referee.UsageError, match="probabilities"):
        referee.metric("log_loss", y, margins, scores="decision")
    with pytest.raises(referee.DataError, match="y_score"):  # margins read as probabilities
        referee.metric("roc_auc", y, margins)
    with pytest.raises(referee.UsageError, match=r"^threshold must be within \[0, 1\]$"):
        referee.metric("recall", y, margins, threshold=-1.0)  # a probability's threshold is in [0, 1]
    with pytest.raises(referee.UsageError, match=r"^metric\(\): scores= "):
        referee.metric("roc_auc", y, margins, scores="margin")


def test_compare_outcome_equals_the_gate_on_the_csv(examples, llm):
    report = referee.evaluate(examples / "llm_eval.csv", examples / "gate-outcome.json", threads=1)
    ours = referee.compare("pass_rate", llm.success_v1, llm.success_v2, cluster=llm.prompt_id, threshold=1,
                           seed=17, threads=1)
    for subject in ("champion", "challenger", "delta", "relative_delta"):
        got, want = getattr(ours, subject), report.metrics[subject]["pass_rate"]
        assert (got.estimate, got.ci) == (want.estimate, want.ci), subject
    keywords = referee.compare("quantile@0.9", None, champion=llm.latency_v1_s, challenger=llm.latency_v2_s,
                               resamples=200, threads=1)
    assert keywords.delta.estimate == pytest.approx(
        np.quantile(llm.latency_v2_s, 0.9, method="inverted_cdf")
        - np.quantile(llm.latency_v1_s, 0.9, method="inverted_cdf"), abs=1e-12)
    with pytest.raises(referee.UsageError, match="no y_true"):
        referee.compare("mean", llm.success_v1, llm.success_v1, llm.success_v2)


def test_compare_decision_scores_with_a_string_label_equals_the_gate(examples, svm):
    report = referee.evaluate(examples / "breast_cancer_svm.csv", examples / "gate-svm.json", threads=1)
    ours = referee.compare("roc_auc", svm.diagnosis, svm.svm_prod, svm.svm_new, scores="decision",
                           pos_label="benign", seed=11, threads=1)
    for subject in ("champion", "challenger", "delta"):
        got, want = getattr(ours, subject), report.metrics[subject]["roc_auc"]
        assert (got.estimate, got.ci) == (want.estimate, want.ci), subject
    with pytest.raises(referee.UsageError, match=r"^compare\(\): .*probabilities"):
        referee.compare("brier", svm.diagnosis, svm.svm_prod, svm.svm_new, scores="decision", pos_label="benign")
    with pytest.raises(referee.UsageError, match=r"^threshold applies only to"):
        referee.compare("mae", svm.svm_prod, svm.svm_prod, svm.svm_new, threshold=0.5)
    with pytest.raises(referee.DataError, match=r"positive_label .*pos_label="):  # text, but no positive class
        referee.compare("roc_auc", svm.diagnosis, svm.svm_prod, svm.svm_new, scores="decision")


# --- Report frames --------------------------------------------------------------------------

def test_frames_carry_outcome_metrics(examples, llm):
    policy = outcome_policy(examples, rules=[
        {"id": "p90", "metric": "quantile@0.9", "subject": "challenger", "max": 10, "decide_on": "point"},
        {"id": "mean", "metric": "mean", "subject": "delta", "min": -0.5}])
    policy["columns"].update({"champion": "latency_v1_s", "challenger": "latency_v2_s", "segments": ["generation"]})
    policy["threshold"] = 2.5
    report = referee.evaluate(llm, policy, threads=1)
    rules = report.rules_frame().set_index("id")
    p90 = np.quantile(llm.latency_v2_s, 0.9, method="inverted_cdf")
    assert rules.loc["p90", "metric"] == "quantile@0.9" and rules.loc["p90", "estimate"] == pytest.approx(p90)
    assert rules.loc["mean", "estimate"] == pytest.approx((llm.latency_v2_s - llm.latency_v1_s).mean(), abs=1e-12)
    segments = report.segments_frame()
    row = segments[(segments.value == "2") & (segments.metric == "quantile@0.5") & (segments.subject == "champion")]
    second = llm[llm.generation == 2].latency_v1_s
    assert row.estimate.item() == pytest.approx(np.quantile(second, 0.5, method="inverted_cdf"), abs=1e-12)
    assert set(segments.metric) == {"mean", "pass_rate", *(f"quantile@{q}" for q in QUANTILES)}
    assert "quantile@0.9" in str(report) and "quantile@0.9" in report._repr_html_()


# --- SageMaker ----------------------------------------------------------------------------

def sagemaker_job(root, monkeypatch, policy, csv):
    monkeypatch.setenv("REFEREE_SAGEMAKER_ROOT", str(root))
    for folder in ("data", "policy"):
        (root / "processing/input" / folder).mkdir(parents=True)
    shutil.copy(csv, root / "processing/input/data/eval.csv")
    shutil.copy(policy, root / "processing/input/policy/gate.json")
    assert sagemaker.main(["--threads", "1"]) == 0
    out = root / "processing/output/evaluation"
    return {name: json.loads((out / name).read_text()) for name in ("evaluation.json", "model_quality.json")}


def test_sagemaker_outcome_writes_referee_figures_and_no_model_monitor_section(examples, llm, tmp_path, monkeypatch):
    files = sagemaker_job(tmp_path, monkeypatch, examples / "gate-outcome.json", examples / "llm_eval.csv")
    evaluation, quality = files["evaluation.json"], files["model_quality.json"]
    # Model Monitor has no layout for per-example results: no section that only looks right.
    assert set(evaluation) == {"referee"}
    assert set(quality) == {"version", "dataset", "referee"}
    assert quality["dataset"]["item_count"] == len(llm)
    want = outcome_oracle(llm.success_v2, 1)
    assert set(evaluation["referee"]["metrics"]) == set(want)
    for name, value in want.items():
        assert evaluation["referee"]["metrics"][name]["value"] == pytest.approx(value, abs=1e-12), name
    assert evaluation["referee"]["verdict"] == "PASS"
    assert quality["referee"]["task"] == "outcome" and quality["referee"]["threshold"] == 1


def test_sagemaker_outcome_in_parts_equals_one_csv(examples, llm, tmp_path, monkeypatch):
    """Several files (S3 prefixes) are read by pandas and handed over as a DataFrame: the
    same figures as the one CSV the core reads itself."""
    whole = sagemaker_job(tmp_path / "one", monkeypatch, examples / "gate-outcome.json", examples / "llm_eval.csv")
    root = tmp_path / "parts"
    (root / "processing/input/data/b").mkdir(parents=True)
    llm.iloc[:450].to_csv(root / "processing/input/data/a.csv", index=False)
    llm.iloc[450:].to_json(root / "processing/input/data/b/rest.jsonl", orient="records", lines=True)
    (root / "processing/input/policy").mkdir(parents=True)
    shutil.copy(examples / "gate-outcome.json", root / "processing/input/policy/gate.json")
    monkeypatch.setenv("REFEREE_SAGEMAKER_ROOT", str(root))
    assert sagemaker.main(["--threads", "1"]) == 0
    parts = json.loads((root / "processing/output/evaluation/evaluation.json").read_text())
    assert parts["referee"]["metrics"] == whole["evaluation.json"]["referee"]["metrics"]


def test_sagemaker_decision_scores_write_no_probability_figure(examples, svm, tmp_path, monkeypatch):
    files = sagemaker_job(tmp_path, monkeypatch, examples / "gate-svm.json", examples / "breast_cancer_svm.csv")
    evaluation, quality = files["evaluation.json"], files["model_quality.json"]
    # log_loss and brier read margins as probabilities: neither appears with a value.
    assert not {"log_loss", "brier"} & set(evaluation["referee"]["metrics"])
    section = quality["binary_classification_metrics"]
    assert not [k for k in section if "loss" in k or "brier" in k]
    for name in ("log_loss", "brier"):
        assert quality["referee"]["metrics"]["challenger"][name]["estimate"] is None
    y = (svm.diagnosis == "benign").astype(int)
    assert section["auc"]["value"] == pytest.approx(skm.roc_auc_score(y, svm.svm_new), abs=1e-12)
    tn, fp, fn, tp = skm.confusion_matrix(y, svm.svm_new >= 0).ravel()  # the threshold 0 in margin units
    assert section["confusion_matrix"] == {"0": {"0": tn, "1": fp}, "1": {"0": fn, "1": tp}}


# --- MLflow -------------------------------------------------------------------------------

@pytest.fixture
def tracking(tmp_path, monkeypatch):
    mlflow = pytest.importorskip("mlflow")
    uri = (tmp_path / "mlruns").as_uri()
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    monkeypatch.setenv("MLFLOW_ALLOW_FILE_STORE", "true")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mlflow.set_tracking_uri(uri)
        yield mlflow.tracking.MlflowClient()


@pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::FutureWarning", "ignore::UserWarning",
                            "ignore::PendingDeprecationWarning")
def test_mlflow_logs_outcome_metrics_under_escaped_names(examples, llm, tracking):
    from referee.integrations.mlflow import log_report

    report = referee.evaluate(examples / "llm_eval.csv", outcome_policy(examples), threads=1)
    logged = tracking.get_run(log_report(report)).data.metrics
    want = outcome_oracle(llm.success_v1, 1)
    # "@" is the byte 0x40 and "." 0x2E (docs/mlflow.md): quantile@0.9 is quantile.400.2E9.
    assert logged["referee/metric/quantile.400.2E9/champion/estimate"] == pytest.approx(want["quantile@0.9"])
    assert logged["referee/metric/pass_rate/champion/estimate"] == pytest.approx(want["pass_rate"], abs=1e-12)
    assert logged["referee/metric/mean/champion/n"] == len(llm)
    assert not [k for k in logged if "@" in k]


@pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::FutureWarning", "ignore::UserWarning")
def test_mlflow_thresholds_have_no_outcome_metric():
    """MLflow's evaluators compute no per-example outcome metric, so a threshold on one
    cannot be mapped; it is refused by name rather than guessed."""
    mlflow_models = pytest.importorskip("mlflow.models")
    from referee.integrations.mlflow import policy_from_thresholds

    threshold = mlflow_models.MetricThreshold(threshold=0.7, greater_is_better=True)
    for name in ("mean", "pass_rate"):
        with pytest.raises(referee.UsageError, match="no referee equivalent"):
            policy_from_thresholds({name: threshold}, columns={"champion": "a", "challenger": "b"})
