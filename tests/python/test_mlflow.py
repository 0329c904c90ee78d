"""referee.integrations.mlflow against a local file-store tracking URI: log_report, the name
scheme, policy_from_thresholds against MLflow's own validate_evaluation_results, and the
``referee`` evaluator inside mlflow.evaluate."""

import json
import random
import re
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn import metrics as sk

import referee

import mlflow  # the mlflow extra; scripts/requirements-dev.txt installs it, so CI runs this
from mlflow.exceptions import MlflowException
from mlflow.models import MetricThreshold
from mlflow.models.evaluation import EvaluationResult
from mlflow.models.evaluation.validation import ModelValidationFailedException, validate_evaluation_results
from mlflow.utils.validation import MAX_ENTITY_KEY_LENGTH, _validate_metric_name

from referee.integrations.mlflow import MLFLOW_METRIC_NAMES, log_report, policy_from_thresholds
from referee.integrations.mlflow import _entries, _names

# MLflow's own notices (file store in maintenance mode, pydantic, pkg_resources) are not ours.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::FutureWarning",
                                        "ignore::UserWarning", "ignore::PendingDeprecationWarning")

SUBJECTS = ("champion", "challenger", "delta", "relative_delta")


@pytest.fixture
def tracking(tmp_path, monkeypatch):
    uri = (tmp_path / "mlruns").as_uri()
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    # MLflow 3 keeps the file store in maintenance mode behind this switch; the issue asks
    # for a local file-store tracking URI, and mlflow-skinny has no database backend.
    monkeypatch.setenv("MLFLOW_ALLOW_FILE_STORE", "true")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # MLflow's own deprecation notices about file stores
        mlflow.set_tracking_uri(uri)
        yield mlflow.tracking.MlflowClient()


@pytest.fixture
def calls(monkeypatch):
    """Records which MlflowClient logging method each call went to (and lets it through)."""
    seen = []
    for method in ("log_batch", "log_metric", "log_param", "set_tag", "log_artifact", "log_artifacts"):
        original = getattr(mlflow.tracking.MlflowClient, method)

        def counted(self, *args, _method=method, _original=original, **kwargs):
            seen.append(_method)
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(mlflow.tracking.MlflowClient, method, counted)
    return seen


def unescape(component):
    """The inverse of the documented escaping, written from docs/mlflow.md."""
    if component == "._":
        return ""
    out, i = bytearray(), 0
    while i < len(component):
        if component[i] == ".":
            assert re.fullmatch(r"[0-9A-F]{2}", component[i + 1:i + 3]), component
            out.append(int(component[i + 1:i + 3], 16))
            i += 3
        else:
            assert re.fullmatch(r"[A-Za-z0-9_-]", component[i]), component
            out += component[i].encode()
            i += 1
    return out.decode("utf-8")


def figure_count(figure):
    return (figure.get("estimate") is not None) + 2 * (figure.get("ci") is not None) + ("n" in figure)


# --- log_report ---------------------------------------------------------------------------

def test_every_figure_goes_in_one_batch(tracking, calls, examples):
    report = referee.evaluate(examples / "segment_trap.csv", examples / "gate-segments.json")
    run_id = log_report(report)
    assert calls == ["log_batch", "log_artifacts"]  # metrics, params and tags in one call; the reports in one
    logged = tracking.get_run(run_id).data.metrics
    data = report.to_dict()
    for subject in SUBJECTS:
        for metric, figure in data["metrics"][subject].items():
            base = f"referee/metric/{metric}/{subject}"
            assert logged[f"{base}/n"] == figure["n"]
            if figure.get("estimate") is not None:
                assert logged[f"{base}/estimate"] == figure["estimate"]
            if figure.get("ci") is not None:
                assert (logged[f"{base}/ci_low"], logged[f"{base}/ci_high"]) == tuple(figure["ci"])
    expected = sum(figure_count(f) for s in data["metrics"].values() for f in s.values())
    expected += sum(figure_count(f) for spec in data["segments"] for v in spec["values"]
                    for m in v["metrics"].values() for f in m.values())
    expected += sum(figure_count(f) for a in data["fairness"] for d in a["disparities"].values() for f in d.values())
    expected += sum(figure_count(r) for r in data["rules"])
    assert len(logged) == expected > 1000  # more than one request's worth: the client splits it


def test_logged_figures_match_scikit_learn(tracking, examples):
    df = pd.read_csv(examples / "segment_trap.csv")
    run_id = log_report(referee.evaluate(df, examples / "gate-segments.json"))
    logged = tracking.get_run(run_id).data.metrics
    prod, new = sk.roc_auc_score(df.y, df.score_prod), sk.roc_auc_score(df.y, df.score_new)
    assert logged["referee/metric/roc_auc/champion/estimate"] == pytest.approx(prod, abs=1e-12)
    assert logged["referee/metric/roc_auc/challenger/estimate"] == pytest.approx(new, abs=1e-12)
    assert logged["referee/metric/roc_auc/delta/estimate"] == pytest.approx(new - prod, abs=1e-12)
    west = df[(df.region == "west") & (df.channel == "web")]
    key = "referee/segment/region.2Achannel/west/web/roc_auc/challenger/estimate"  # "*" is .2A
    assert logged[key] == pytest.approx(sk.roc_auc_score(west.y, west.score_new), abs=1e-12)
    assert logged["referee/segment/region/west/roc_auc/champion/n"] == (df.region == "west").sum()


def test_budgets_and_drift_rules_are_logged(tracking, examples):
    df = pd.read_csv(examples / "credit_eval.csv")
    report = referee.evaluate(examples / "credit_eval.csv", examples / "gate-budgets.json")
    logged = tracking.get_run(log_report(report)).data.metrics
    assert logged["referee/budget/latency_p99/challenger/estimate"] == pytest.approx(
        np.quantile(df.lat_new_ms, 0.99), abs=1e-9)  # numpy's default (linear) quantile
    assert logged["referee/budget/latency_p99/challenger/n"] == len(df)
    psi = next(r for r in report.to_dict()["rules"] if r["id"] == "income-stable")
    assert logged["referee/rule/income-stable/estimate"] == psi["estimate"]
    assert "referee/rule/income-stable/ci_low" not in logged  # a drift statistic has no interval


def test_params_tags_and_verdicts(tracking, examples):
    report = referee.evaluate(examples / "segment_trap.csv", examples / "gate-segments.json")
    run = tracking.get_run(log_report(report))
    policy = json.loads((examples / "gate-segments.json").read_text())
    boot = policy["bootstrap"]
    assert run.data.params == {
        "referee/policy_name": policy["name"], "referee/task": "binary",
        "referee/resamples": str(boot["resamples"]), "referee/seed": str(boot["seed"]),
        "referee/confidence": str(boot["confidence"]), "referee/interval": boot["interval"],
        "referee/scheme": boot["scheme"]}
    tags = run.data.tags
    assert (tags["referee/verdict"], tags["referee/passed"]) == ("FAIL", "false")
    assert tags["referee/rule/auc-every-region/verdict"] == "FAIL"
    assert tags["referee/rule/auc-overall/verdict"] == "PASS"
    rule = next(r for r in report.rules if r.id == "auc-every-region")
    assert run.data.metrics["referee/rule/auc-every-region/estimate"] == pytest.approx(rule.estimate)
    assert run.data.metrics["referee/rule/auc-every-region/ci_low"] == pytest.approx(rule.ci[0])
    assert run.data.metrics["referee/rule/auc-every-region/n"] == rule.n
    assert run.info.status == "FINISHED"  # a run log_report started, it also ended


def test_reports_are_artifacts_in_the_local_store(tracking, examples, tmp_path):
    report = referee.evaluate(examples / "credit_eval_small.csv", examples / "gate.json")
    run_id = log_report(report)
    assert sorted(a.path for a in tracking.list_artifacts(run_id, "referee")) == [
        "referee/report.html", "referee/report.json", "referee/report.md"]
    folder = tracking.download_artifacts(run_id, "referee", str(tmp_path))
    assert (tmp_path / "referee" / "report.json").read_text() == report.to_json()
    assert (tmp_path / "referee" / "report.md").read_text() == report.to_markdown()
    assert folder == str(tmp_path / "referee")


def test_logs_into_the_active_run(tracking, examples):
    report = referee.evaluate(examples / "credit_eval_small.csv", examples / "gate.json")
    with mlflow.start_run() as run:
        assert log_report(report) == run.info.run_id
    assert tracking.get_run(run.info.run_id).data.tags["referee/verdict"] == "INCONCLUSIVE"


def test_a_second_report_needs_its_own_prefix(tracking, examples):
    report = referee.evaluate(examples / "credit_eval_small.csv", examples / "gate.json")
    other = referee.evaluate(examples / "credit_eval_small.csv", examples / "gate.json", seed=8)
    with mlflow.start_run() as run:
        log_report(report)
        log_report(other, prefix="referee/seed8")
        with pytest.raises(MlflowException):  # MLflow params cannot change value
            log_report(other)
    assert tracking.get_run(run.info.run_id).data.params["referee/seed8/seed"] == "8"
    with pytest.raises(referee.UsageError):
        log_report(report, prefix="a//b")


# --- the name scheme ----------------------------------------------------------------------

ODD = ["", ".", "..", "/", "a/b", "a.2Fb", "a.b", "a b", "a_b", "a-b", "a__b", "a%2Fb", "._", ".2E",
       "AUC (non-inferior) [-1%]", "AUC [non-inferior] (-1%)", "AUC_ non-inferior __ -1__",
       "région", "r\u00e9gion", "re\u0301gion", "日本", "a:b", "a\tb", "a\nb", "a\u0000b", "~", "\U0001F600"]


def test_escaping_is_injective_and_mlflow_accepts_every_name():
    rng = random.Random(7)
    alphabet = "aA0_-./ %:()[]é\u0000\U0001F600"
    texts = set(ODD) | {"".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 8))) for _ in range(5000)}
    names = {}
    for text in texts:
        component = _names.escape(text)
        assert unescape(component) == text  # the documented decoding gives the text back
        key = _names.name(("referee", "rule", _names.Text(text), "estimate"))
        _validate_metric_name(key)  # MLflow's own check of characters and path normalisation
        assert key not in names, (text, names.get(key))
        names[key] = text


def test_long_names_are_shortened_distinctly_within_the_limit():
    head = "x" * 300
    keys = {_names.name(("referee", "rule", _names.Text(head + tail), "estimate")) for tail in ("a", "b", "/", "")}
    assert len(keys) == 4
    for key in keys:
        assert len(key) <= MAX_ENTITY_KEY_LENGTH
        _validate_metric_name(key)
        assert key.startswith("referee/rule/" + "x" * 16 + "..")
    short = _names.name(("referee", "rule", _names.Text("x" * 200), "estimate"))
    assert short == "referee/rule/" + "x" * 200 + "/estimate"  # fits: kept whole
    too_many = ("referee", "segment") + tuple(_names.Text("v" * 100 + str(i)) for i in range(5)) + ("estimate",)
    assert _names.name(too_many) is None  # five digests of 50 characters cannot fit


def test_a_figure_whose_name_cannot_fit_is_counted_not_logged(examples):
    data = referee.evaluate(examples / "segment_trap.csv", examples / "gate-segments.json").to_dict()
    columns = [f"c{i}" for i in range(5)]
    value = {c: c * 60 for c in columns}  # five components of 120 characters: 5 x 50 even shortened
    data["segments"] = [{"segment": "*".join(columns), "columns": columns,
                         "values": [{"value": value, "metrics": {"roc_auc": {"delta": {"estimate": 0.1, "n": 9}}}}]}]
    out = _entries.entries(data, "referee")
    assert out.too_long == 2 and out.tags["referee/names_too_long"] == "2"  # estimate and n
    assert not any(k.startswith("referee/segment/") for k in out.metrics)
    assert all(len(k) <= MAX_ENTITY_KEY_LENGTH for k in [*out.metrics, *out.tags, *out.params])


def test_odd_rule_ids_get_their_own_metrics(tracking, examples):
    ids = ["AUC (non-inferior) [-1%]", "AUC [non-inferior] (-1%)", "AUC_ non-inferior __ -1__",
           "a/b", "a.2Fb", "..", "r" * 260 + "1", "r" * 260 + "2"]
    rules = [{"id": i, "metric": "brier", "subject": "delta", "max": 0.5 + k / 100, "decide_on": "point"}
             for k, i in enumerate(ids)]
    rules.append({"id": "log", "metric": "log_loss", "subject": "challenger", "max": 9})
    policy = {"version": 1, "task": "binary", "rules": rules,
              "columns": {"label": "y", "champion": "score_prod", "challenger": "score_new"}}
    report = referee.evaluate(examples / "credit_eval_small.csv", policy)
    run = tracking.get_run(log_report(report))
    verdicts = {k.split("/")[2]: v for k, v in run.data.tags.items() if k.startswith("referee/rule/")}
    assert len(verdicts) == len(rules)
    for short, verdict in verdicts.items():
        assert verdict == "PASS"
        if ".." not in short:
            assert unescape(short) in ids + ["log"]
    assert "referee/names_too_long" not in run.data.tags


# --- policy_from_thresholds ---------------------------------------------------------------

COLUMNS = {"label": "y", "champion": "score_prod", "challenger": "score_new"}
BINARY = ["roc_auc", "precision_recall_auc", "accuracy_score", "precision_score", "recall_score", "f1_score",
          "log_loss"]
REGRESSION = ["mean_absolute_error", "mean_squared_error", "root_mean_squared_error", "r2_score",
              "mean_absolute_percentage_error"]
LOWER_IS_BETTER = {"log_loss", "mean_absolute_error", "mean_squared_error", "root_mean_squared_error",
                   "mean_absolute_percentage_error"}


def sklearn_metrics(y, score):
    """MLflow's classifier evaluator's figures, as it computes them (sklearn, labels at 0.5)."""
    pred = (score >= 0.5).astype(int)
    figures = {"roc_auc": sk.roc_auc_score(y, score), "precision_recall_auc": sk.average_precision_score(y, score),
            "accuracy_score": sk.accuracy_score(y, pred), "precision_score": sk.precision_score(y, pred),
            "recall_score": sk.recall_score(y, pred), "f1_score": sk.f1_score(y, pred),
            "log_loss": sk.log_loss(y, np.column_stack([1 - score, score]))}
    return {name: float(value) for name, value in figures.items()}  # MetricThreshold takes float, not numpy


def mlflow_passes(name, threshold, candidate, baseline):
    try:
        validate_evaluation_results({name: threshold}, EvaluationResult(candidate, {}),
                                    EvaluationResult(baseline, {}))
    except ModelValidationFailedException:
        return False
    return True


def test_every_mlflow_name_maps_to_a_metric_the_core_accepts():
    assert sorted(MLFLOW_METRIC_NAMES) == sorted(BINARY + REGRESSION)
    for names, task in ((BINARY, "binary"), (REGRESSION, "regression")):
        thresholds = {n: MetricThreshold(threshold=0.5, min_absolute_change=0.01, min_relative_change=0.02,
                                         greater_is_better=n not in LOWER_IS_BETTER) for n in names}
        policy = policy_from_thresholds(thresholds, columns=COLUMNS)
        assert policy["task"] == task and len(policy["rules"]) == 3 * len(names)
        referee.Policy.from_json(json.dumps(policy))


def test_the_mapping_of_each_field():
    policy = policy_from_thresholds({
        "roc_auc": MetricThreshold(threshold=0.7, min_absolute_change=0.01, greater_is_better=True),
        "log_loss": MetricThreshold(threshold=0.4, min_absolute_change=0.02, min_relative_change=0.05,
                                    greater_is_better=False)}, columns=COLUMNS, threshold=0.3)
    assert [(r["id"], r["metric"], r["subject"], r.get("min"), r.get("max")) for r in policy["rules"]] == [
        ("roc_auc-threshold", "roc_auc", "challenger", 0.7, None),
        ("roc_auc-min-absolute-change", "roc_auc", "delta", 0.01, None),
        ("log_loss-threshold", "log_loss", "challenger", None, 0.4),
        ("log_loss-min-absolute-change", "log_loss", "delta", None, -0.02),
        ("log_loss-min-relative-change", "log_loss", "relative_delta", None, -0.05)]
    assert policy["threshold"] == 0.3


def test_unknown_names_wrong_directions_and_bad_columns_are_refused():
    with pytest.raises(referee.UsageError, match="example_count.*known: roc_auc, precision_recall_auc"):
        policy_from_thresholds({"example_count": MetricThreshold(threshold=1, greater_is_better=True)},
                               columns=COLUMNS)
    with pytest.raises(referee.UsageError, match="log_loss has greater_is_better=True"):
        policy_from_thresholds({"log_loss": MetricThreshold(threshold=1, greater_is_better=True)}, columns=COLUMNS)
    with pytest.raises(referee.UsageError, match="mixes metrics"):
        policy_from_thresholds({"roc_auc": MetricThreshold(threshold=0.5, greater_is_better=True),
                                "r2_score": MetricThreshold(threshold=0.5, greater_is_better=True)}, columns=COLUMNS)
    with pytest.raises(referee.PolicyError, match=r"\$\.columns"):  # the core's parser decides
        policy_from_thresholds({"roc_auc": MetricThreshold(threshold=0.5, greater_is_better=True)},
                               columns={"label": "y", "champion": "score_prod"})


def threshold_cases(candidate, baseline):
    """Thresholds on each side of the observed figures, so that MLflow passes some and fails others."""
    for name in BINARY:
        higher = name not in LOWER_IS_BETTER
        c, b = candidate[name], baseline[name]
        change = abs(c - b)
        for scale in (0.5, 2.0):
            yield name, MetricThreshold(threshold=c - 0.01 * scale if higher else c + 0.01 * scale,
                                        greater_is_better=higher)
            yield name, MetricThreshold(threshold=c + 0.01 * scale if higher else c - 0.01 * scale,
                                        greater_is_better=higher)
            yield name, MetricThreshold(min_absolute_change=change * scale, greater_is_better=higher)
            yield name, MetricThreshold(min_relative_change=min(1.0, change / abs(b) * scale),
                                        greater_is_better=higher)


def test_point_decisions_agree_with_validate_evaluation_results(examples):
    df = pd.read_csv(examples / "credit_eval.csv")
    candidate, baseline = sklearn_metrics(df.y, df.score_new), sklearn_metrics(df.y, df.score_prod)
    outcomes = set()
    for name, threshold in threshold_cases(candidate, baseline):
        expected = mlflow_passes(name, threshold, candidate, baseline)
        policy = policy_from_thresholds({name: threshold}, columns=COLUMNS, decide_on="point",
                                        bootstrap={"resamples": 100})
        report = referee.evaluate(df, policy)
        assert report.passed == expected, (name, str(threshold))
        outcomes.add((name, expected))
    assert len(outcomes) == 2 * len(BINARY)  # each metric was seen passing and failing


def test_intervals_fail_where_mlflow_fails_and_stay_inconclusive_where_the_data_cannot_tell(examples):
    df = pd.read_csv(examples / "credit_eval.csv")
    candidate, baseline = sklearn_metrics(df.y, df.score_new), sklearn_metrics(df.y, df.score_prod)
    boot = {"resamples": 500, "seed": 3}
    clear_fail = {"roc_auc": MetricThreshold(min_absolute_change=0.2, greater_is_better=True)}
    assert not mlflow_passes("roc_auc", clear_fail["roc_auc"], candidate, baseline)
    report = referee.evaluate(df, policy_from_thresholds(clear_fail, columns=COLUMNS, bootstrap=boot))
    assert report.verdict == "FAIL" and report.rules[0].ci[1] < 0.2
    # A floor just under the candidate's AUC: MLflow passes on the point, the CI straddles it.
    near = {"roc_auc": MetricThreshold(threshold=candidate["roc_auc"] - 1e-4, greater_is_better=True)}
    assert mlflow_passes("roc_auc", near["roc_auc"], candidate, baseline)
    report = referee.evaluate(df, policy_from_thresholds(near, columns=COLUMNS, bootstrap=boot))
    assert report.verdict == "INCONCLUSIVE"


# --- the referee evaluator in mlflow.evaluate -----------------------------------------------

def test_the_entry_point_registers_the_evaluator():
    assert "referee" in mlflow.models.list_evaluators()


def test_evaluate_runs_the_gate_on_a_static_dataset(tracking, examples):
    df = pd.read_csv(examples / "segment_trap.csv")
    config = {"policy": str(examples / "gate-segments.json")}
    with mlflow.start_run() as run:
        result = mlflow.evaluate(data=df, targets="y", predictions="score_new", model_type="classifier",
                                 evaluators="referee", evaluator_config=config)
    direct = referee.evaluate(df, examples / "gate-segments.json")
    stored = tracking.get_run(run.info.run_id)
    assert stored.data.tags["referee/verdict"] == direct.verdict == "FAIL"
    assert result.metrics == {k: v for k, v in stored.data.metrics.items() if k.startswith("referee/")}
    assert result.metrics["referee/metric/roc_auc/challenger/estimate"] == pytest.approx(
        sk.roc_auc_score(df.y, df.score_new), abs=1e-12)
    stored_report, expected = result.artifacts["referee_report_json"].content, direct.to_dict()
    assert (stored_report["metrics"], stored_report["rules"]) == (expected["metrics"], expected["rules"])
    assert sorted(a.path for a in tracking.list_artifacts(run.info.run_id, "referee")) == [
        "referee/report.html", "referee/report.json", "referee/report.md"]


def test_evaluate_with_a_model_and_a_champion_function(tracking, examples):
    df = pd.read_csv(examples / "segment_trap.csv").drop(columns=["score_new"])
    policy = {"version": 1, "task": "binary", "bootstrap": {"resamples": 200},
              "columns": {"label": "y", "champion": "score_prod", "challenger": "score_new"},
              "rules": [{"id": "auc", "metric": "roc_auc", "subject": "delta", "min": -0.01}]}
    # sqrt is monotone: the challenger ranks rows exactly as the champion does.
    result = mlflow.evaluate(model=lambda X: np.sqrt(X["score_prod"]), data=df, targets="y",
                             model_type="classifier", evaluators=["referee"],
                             evaluator_config={"referee": {"policy": policy}})
    assert result.metrics["referee/metric/roc_auc/delta/estimate"] == 0
    assert result.metrics["referee/metric/brier/challenger/estimate"] == pytest.approx(
        sk.brier_score_loss(df.y, np.sqrt(df.score_prod)), abs=1e-12)
    flipped = mlflow.evaluate(model=lambda X: X["score_prod"], data=df, targets="y",
        model_type="classifier", evaluators="referee",
        evaluator_config={"policy": policy, "champion": lambda X: 1 - X["score_prod"], "prefix": "gate"})
    assert flipped.metrics["gate/metric/roc_auc/champion/estimate"] == pytest.approx(
        sk.roc_auc_score(df.y, 1 - df.score_prod), abs=1e-12)


def test_evaluate_can_raise_like_validate_evaluation_results(tracking, examples):
    df = pd.read_csv(examples / "segment_trap.csv")
    with pytest.raises(ModelValidationFailedException, match="referee gate FAIL: auc-every-region"):
        mlflow.evaluate(data=df, targets="y", predictions="score_new", model_type="classifier",
                        evaluators="referee", evaluator_config={"policy": str(examples / "gate-segments.json"),
                                                                "raise_unless_passed": True})


def test_evaluate_without_a_policy_or_with_the_wrong_task(tracking, examples):
    df = pd.read_csv(examples / "segment_trap.csv")
    with pytest.raises(MlflowException, match="could not be evaluated"):
        mlflow.evaluate(data=df, targets="y", predictions="score_new", model_type="classifier",
                        evaluators="referee", evaluator_config={})
    with pytest.raises(referee.UsageError, match="model_type 'regressor' needs a policy of task 'regression'"):
        mlflow.evaluate(data=df, targets="y", predictions="score_new", model_type="regressor",
                        evaluators="referee", evaluator_config={"policy": str(examples / "gate-segments.json")})


def test_evaluate_reads_model_scores_by_position_and_refuses_two_columns(tracking, examples):
    df = pd.read_csv(examples / "segment_trap.csv").drop(columns=["score_new"])
    policy = {"version": 1, "task": "binary", "bootstrap": {"resamples": 100},
              "columns": {"label": "y", "champion": "score_prod", "challenger": "score_new"},
              "rules": [{"id": "auc", "metric": "roc_auc", "subject": "delta", "min": -0.01}]}
    reindexed = mlflow.evaluate(model=lambda X: X["score_prod"].reset_index(drop=True).set_axis(X.index[::-1]),
                                data=df, targets="y", model_type="classifier", evaluators="referee",
                                evaluator_config={"policy": policy})
    assert reindexed.metrics["referee/metric/roc_auc/delta/estimate"] == 0  # row i's score stays row i's
    with pytest.raises(referee.UsageError, match=r"shape \(5000, 2\)"):
        mlflow.evaluate(model=lambda X: np.column_stack([1 - X["score_prod"], X["score_prod"]]), data=df,
                        targets="y", model_type="classifier", evaluators="referee",
                        evaluator_config={"policy": policy})


def test_evaluate_a_regressor(tracking):
    rng = np.random.default_rng(5)
    y = rng.normal(size=400)
    df = pd.DataFrame({"target": y, "old": y + rng.normal(scale=1.0, size=400),
                       "new": y + rng.normal(scale=0.5, size=400)})
    mae = MetricThreshold(min_absolute_change=0.05, greater_is_better=False)
    policy = policy_from_thresholds({"mean_absolute_error": mae},
                                    columns={"label": "target", "champion": "old", "challenger": "new"},
                                    bootstrap={"resamples": 200, "seed": 1})
    result = mlflow.evaluate(data=df, targets="target", predictions="new", model_type="regressor",
                             evaluators="referee", evaluator_config={"policy": policy})
    assert result.metrics["referee/metric/mae/delta/estimate"] == pytest.approx(
        sk.mean_absolute_error(y, df.new) - sk.mean_absolute_error(y, df.old), abs=1e-12)
    tags = tracking.get_run(result.run_id).data.tags
    assert tags["referee/rule/mean_absolute_error-min-absolute-change/verdict"] == "PASS"


def test_evaluate_with_a_champion_given_as_a_model_uri(tracking, examples):
    with warnings.catch_warnings(), mlflow.start_run():  # MLflow warns as it loads mlflow.pyfunc
        warnings.simplefilter("ignore")

        class Flipped(mlflow.pyfunc.PythonModel):
            def predict(self, context, model_input: pd.DataFrame, params=None) -> pd.Series:
                return 1 - model_input["score_prod"]  # the opposite ranking of score_prod

        uri = mlflow.pyfunc.log_model(name="champion", python_model=Flipped(), pip_requirements=[]).model_uri
    df = pd.read_csv(examples / "segment_trap.csv")
    policy = {"version": 1, "task": "binary", "bootstrap": {"resamples": 100},
              "columns": {"label": "y", "champion": "score_prod", "challenger": "score_new"},
              "rules": [{"id": "auc", "metric": "roc_auc", "subject": "delta", "min": 0}]}
    result = mlflow.evaluate(data=df, targets="y", predictions="score_new", model_type="classifier",
                             evaluators="referee", evaluator_config={"policy": policy, "champion": uri})
    assert result.metrics["referee/metric/roc_auc/champion/estimate"] == pytest.approx(
        sk.roc_auc_score(df.y, 1 - df.score_prod), abs=1e-12)


def test_a_multiclass_report_logs_every_figure_under_names_that_decode_to_the_reports(tracking, examples, tmp_path):
    """Multiclass figure names hold [ ] @ (recall[3], top_k_accuracy@3): each metric key's
    component decodes to the report's name, MLflow accepts the key, and the values are
    scikit-learn's on the digits fixture."""
    policy = json.loads((examples / "gate-digits.json").read_text())
    policy["bootstrap"]["resamples"] = 200
    policy["rules"] += [
        {"id": "recall of 3", "metric": "recall", "class": "3", "subject": "delta", "min": -0.5},
        {"id": "top-3", "metric": "top_k_accuracy", "k": 3, "subject": "challenger", "min": 0.5}]
    (tmp_path / "gate.json").write_text(json.dumps(policy))
    report = referee.evaluate(examples / "digits_eval.csv", tmp_path / "gate.json")
    run = tracking.get_run(log_report(report))
    logged = run.data.metrics
    data = report.to_dict()
    names = set(data["metrics"]["challenger"])
    assert {"recall[3]", "top_k_accuracy@3", "top_k_accuracy@2", "f1_macro", "roc_auc_weighted"} <= names
    decoded = {}
    for key, value in logged.items():
        _validate_metric_name(key)
        parts = key.split("/")
        if parts[1] == "metric":
            decoded[(unescape(parts[2]), parts[3], parts[4])] = value
    for subject in SUBJECTS:
        for metric, figure in data["metrics"][subject].items():
            if figure.get("estimate") is not None:
                assert decoded[(metric, subject, "estimate")] == figure["estimate"], metric
    assert "referee/metric/recall.5B3.5D/challenger/estimate" in logged
    assert "referee/metric/top_k_accuracy.403/challenger/estimate" in logged
    df = pd.read_csv(examples / "digits_eval.csv")
    proba = df[[f"p_new_{k}" for k in range(10)]].to_numpy()
    new = proba.argmax(axis=1)
    assert decoded[("recall[3]", "challenger", "estimate")] == pytest.approx(
        sk.recall_score(df.y, new, labels=[3], average=None)[0], abs=1e-12)
    assert decoded[("top_k_accuracy@3", "challenger", "estimate")] == pytest.approx(
        sk.top_k_accuracy_score(df.y, proba, k=3), abs=1e-12)
    assert decoded[("f1_macro", "challenger", "estimate")] == pytest.approx(
        sk.f1_score(df.y, new, average="macro"), abs=1e-12)
    # The per-segment rule's figures and each rule's verdict are logged under its escaped id.
    assert "referee/segment/ink/light/f1_macro/delta/estimate" in logged
    verdicts = {r["id"]: r["verdict"] for r in data["rules"]}
    assert run.data.tags["referee/rule/recall.20of.203/verdict"] == verdicts["recall of 3"]
    assert run.data.tags["referee/rule/top-3/verdict"] == verdicts["top-3"]
