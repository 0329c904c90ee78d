"""The multiclass task (issue 15, items 3 and 6) against scikit-learn and scipy.

Fixtures: examples/digits_eval.csv and examples/twenty_classes.csv, made by
scripts/make_multiclass_examples.py (two scikit-learn classifiers on load_digits; a
synthetic 20-topic set with string labels, sample weights, sources, and a topic the
champion never ranks first). The spec is docs/multiclass.md and docs/policy.md.

- Every default figure of both models, and their delta, equals scikit-learn to 1e-12:
  accuracy_score, balanced_accuracy_score, top_k_accuracy_score(k=2), log_loss, the
  multiclass Brier score, precision/recall/f1 with macro, micro and weighted averaging,
  cohen_kappa_score, matthews_corrcoef, roc_auc_score(multi_class="ovr") macro and
  weighted; with sample weights on the twenty-class set, and per ink band (segments).
- Brier: scikit-learn >= 1.7's brier_score_loss on an n x K array with K >= 3 is
  (1/N) sum_i sum_k (p_ik - 1[y_i = k])^2, in [0, 2] (it halves only for K = 2); the test
  checks that it equals that formula and compares referee with it (older scikit-learn:
  the formula alone).
- Zero division: a class no row is predicted as has no precision. referee reports that
  per-class figure as undefined (scikit-learn's zero_division case: with
  zero_division=np.nan it returns nan); the averages are scikit-learn's default, which
  counts such a class as 0 (zero_division=0, without the warning). F1 stays defined
  (2TP / (2TP + FP + FN) = 0 when the class has true rows).
- The paired delta's percentile interval of accuracy and f1_macro agrees with
  scipy.stats.bootstrap (paired, percentile) within Monte Carlo error; the tolerance's
  argument is test_bootstrap_scipy.py's (0.25 bootstrap SE at B = 4000, multinomial).
- The CLI gate on both example policies, and `referee test` on their cases files.
- Errors: a label that is no class, a probability outside [0, 1]: a DataError naming the
  column and row, never the value.
- predict_proba's n x K array from Python (compare() and metric()).

The module is skipped only while the installed referee refuses "task": "multiclass" at
$.task (a PolicyError), so it runs as soon as the task's core is installed.
"""
import json
import pathlib
import shutil
import subprocess

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from sklearn import metrics as m

import referee


def _multiclass_refused() -> bool:
    probe = {"version": 1, "task": "multiclass",
             "columns": {"label": "y", "champion": {"prefix": "a_"}, "challenger": {"prefix": "b_"}},
             "rules": [{"id": "r", "metric": "accuracy", "subject": "delta", "min": -1}]}
    try:
        referee.Policy.from_json(json.dumps(probe))
    except referee.PolicyError as error:
        return "$.task" in str(error)
    return False


if _multiclass_refused():
    pytest.skip('the installed referee refuses "task": "multiclass" at $.task (issue 15\'s core not built)',
                allow_module_level=True)

ROOT = pathlib.Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
DIGITS, TWENTY = EXAMPLES / "digits_eval.csv", EXAMPLES / "twenty_classes.csv"
DIGIT_CLASSES = list(range(10))
DEFAULTS = ["accuracy", "balanced_accuracy", "top_k_accuracy@2", "log_loss", "brier",
            "precision_macro", "precision_micro", "precision_weighted", "recall_macro", "recall_micro",
            "recall_weighted", "f1_macro", "f1_micro", "f1_weighted", "cohen_kappa", "mcc",
            "roc_auc_macro", "roc_auc_weighted"]
MODELS = (("champion", "p_prod_", "pc_"), ("challenger", "p_new_", "pn_"))
CLOSE = dict(rel=1e-12, abs=1e-12)


def digits():
    return pd.read_csv(DIGITS)


def twenty():
    return pd.read_csv(TWENTY)


def twenty_classes():
    return json.loads((EXAMPLES / "gate-twenty.json").read_text())["columns"]["classes"]


def digit_proba(frame, prefix):
    return frame[[f"{prefix}{k}" for k in DIGIT_CLASSES]].to_numpy()


def topic_proba(frame, prefix, classes):
    return frame[[f"{prefix}{c}" for c in classes]].to_numpy()


def policy_of(name, **changes):
    policy = json.loads((EXAMPLES / name).read_text())
    policy["bootstrap"] = {"resamples": 200, "seed": 3}  # figures only: a short bootstrap
    policy.update(changes)
    return policy


def brier(y, proba, classes, weight=None):
    """The multiclass Brier score by its formula, and scikit-learn's where it has one."""
    onehot = (np.asarray(y)[:, None] == np.asarray(classes)[None, :]).astype(float)
    formula = np.average(((proba - onehot) ** 2).sum(axis=1), weights=weight)
    try:
        theirs = m.brier_score_loss(y, proba, labels=classes, sample_weight=weight)
    except TypeError:  # scikit-learn < 1.7: no multiclass Brier score
        return formula
    assert theirs == pytest.approx(formula, rel=1e-13), "scikit-learn's multiclass Brier is not the formula"
    return theirs


def predicted(proba, classes):
    """numpy's argmax (the first class on ties), as scikit-learn's predict."""
    return np.asarray(classes)[np.argmax(proba, axis=1)]


def sklearn_figures(y, proba, classes, weight=None):
    """Every default figure of one model, by scikit-learn."""
    pred, w = predicted(proba, classes), dict(sample_weight=weight)
    figures = {
        "accuracy": m.accuracy_score(y, pred, **w),
        "balanced_accuracy": m.balanced_accuracy_score(y, pred, **w),
        "top_k_accuracy@2": m.top_k_accuracy_score(y, proba, k=2, labels=classes, **w),
        "log_loss": m.log_loss(y, proba, labels=classes, **w),
        "brier": brier(y, proba, classes, weight),
        "cohen_kappa": m.cohen_kappa_score(y, pred, labels=classes, **w),
        "mcc": m.matthews_corrcoef(y, pred, **w),
    }
    for name, score in (("precision", m.precision_score), ("recall", m.recall_score), ("f1", m.f1_score)):
        for average in ("macro", "micro", "weighted"):
            figures[f"{name}_{average}"] = score(y, pred, labels=classes, average=average, zero_division=0, **w)
    for average in ("macro", "weighted"):
        figures[f"roc_auc_{average}"] = m.roc_auc_score(y, proba, multi_class="ovr", average=average,
                                                        labels=classes, **w)
    return figures


def assert_figures_equal(report_metrics, expected, where):
    for subject in ("champion", "challenger"):
        for name in DEFAULTS:
            got = report_metrics[subject][name]
            assert got.estimate is not None, (where, subject, name, got.undefined)
            assert got.estimate == pytest.approx(expected[subject][name], **CLOSE), (where, subject, name)
    for name in DEFAULTS:
        delta = expected["challenger"][name] - expected["champion"][name]
        assert report_metrics["delta"][name].estimate == pytest.approx(delta, **CLOSE), (where, "delta", name)


def test_every_default_figure_equals_scikit_learn_on_digits():
    frame = digits()
    report = referee.evaluate(frame, policy_of("gate-digits.json"))
    expected = {model: sklearn_figures(frame["y"].to_numpy(), digit_proba(frame, prefix), DIGIT_CLASSES)
                for model, prefix, _ in MODELS}
    assert_figures_equal(report.metrics, expected, "digits")


def test_default_figures_come_in_the_spec_order_then_the_rule_named_ones():
    report = referee.evaluate(twenty(), policy_of("gate-twenty.json")).to_dict()
    names = list(report["metrics"]["champion"])
    assert names[:len(DEFAULTS)] == DEFAULTS
    # gate-twenty.json's rules name recall[zoology] and top_k_accuracy@3, which are not defaults
    assert set(names[len(DEFAULTS):]) == {"recall[zoology]", "top_k_accuracy@3"}


def test_every_default_figure_equals_scikit_learn_with_weights_on_twenty_classes():
    frame, classes = twenty(), twenty_classes()
    report = referee.evaluate(frame, policy_of("gate-twenty.json"))
    y, w = frame["topic"].to_numpy(), frame["weight"].to_numpy()
    expected = {model: sklearn_figures(y, topic_proba(frame, prefix, classes), classes, w)
                for model, _, prefix in MODELS}
    assert_figures_equal(report.metrics, expected, "twenty classes, weighted")


def test_rule_named_figures_equal_scikit_learn():
    frame, classes = twenty(), twenty_classes()
    report = referee.evaluate(frame, policy_of("gate-twenty.json"))
    y, w = frame["topic"].to_numpy(), frame["weight"].to_numpy()
    for model, _, prefix in MODELS:
        proba = topic_proba(frame, prefix, classes)
        top3 = m.top_k_accuracy_score(y, proba, k=3, labels=classes, sample_weight=w)
        assert report.metrics[model]["top_k_accuracy@3"].estimate == pytest.approx(top3, **CLOSE)
        recall = m.recall_score(y, predicted(proba, classes), labels=["zoology"], average=None, sample_weight=w)[0]
        assert report.metrics[model]["recall[zoology]"].estimate == pytest.approx(recall, **CLOSE)


def per_class_policy(classes):
    """gate-twenty.json with a rule per class and per-class metric, so that the report
    carries every per-class figure (the rules are judged on the point; never read)."""
    policy = policy_of("gate-twenty.json")
    policy["rules"] = [{"id": f"{metric}-{c}", "metric": metric, "class": c, "subject": "challenger",
                        "min": -1e300, "decide_on": "point"}
                       for metric in ("precision", "recall", "f1") for c in classes]
    return policy


def test_per_class_figures_equal_scikit_learn_and_an_unpredicted_class_has_no_precision():
    frame, classes = twenty(), twenty_classes()
    report = referee.evaluate(frame, per_class_policy(classes))
    y, w = frame["topic"].to_numpy(), frame["weight"].to_numpy()
    undefined = []
    for model, _, prefix in MODELS:
        pred = predicted(topic_proba(frame, prefix, classes), classes)
        p, r, f, _ = m.precision_recall_fscore_support(y, pred, labels=classes, sample_weight=w,
                                                       zero_division=np.nan)
        for j, c in enumerate(classes):
            for name, value in (("precision", p[j]), ("recall", r[j]), ("f1", f[j])):
                got = report.metrics[model][f"{name}[{c}]"]
                if np.isnan(value):  # scikit-learn's zero division: no row predicted as c
                    assert got.estimate is None and got.undefined, (model, name, c, got)
                    undefined.append((model, name, c))
                else:
                    assert got.estimate == pytest.approx(value, **CLOSE), (model, name, c)
    # the fixture's point: the champion never predicts zoology; its F1 there is 0, not undefined
    assert undefined == [("champion", "precision", "zoology")]
    assert report.metrics["champion"]["f1[zoology]"].estimate == 0.0
    assert report.metrics["champion"]["recall[zoology]"].estimate == 0.0


def test_macro_precision_counts_the_unpredicted_class_as_zero():
    frame, classes = twenty(), twenty_classes()
    report = referee.evaluate(frame, policy_of("gate-twenty.json"))
    y, w = frame["topic"].to_numpy(), frame["weight"].to_numpy()
    pred = predicted(topic_proba(frame, "pc_", classes), classes)
    p = m.precision_score(y, pred, labels=classes, average=None, sample_weight=w, zero_division=np.nan)
    assert np.isnan(p[classes.index("zoology")])
    # scikit-learn's default (zero_division "warn", which scores 0): the mean over all 20 classes
    assert report.metrics["champion"]["precision_macro"].estimate == pytest.approx(np.nansum(p) / 20, **CLOSE)


def segment_figures(report, spec, value):
    entry = next(s for s in report["segments"] if s["segment"] == spec)
    row = next(v for v in entry["values"] if v["value"] == value)
    return row["metrics"]


@pytest.mark.parametrize("band", ["light", "medium", "heavy"])
def test_segment_figures_equal_scikit_learn_on_each_ink_band(band):
    frame = digits()
    report = referee.evaluate(frame, policy_of("gate-digits.json")).to_dict()
    rows = frame[frame["ink"] == band]
    figures = segment_figures(report, "ink", band)
    for model, prefix, _ in MODELS:
        # a band holds every digit (stratified split); roc_auc needs each class present
        expected = sklearn_figures(rows["y"].to_numpy(), digit_proba(rows, prefix), DIGIT_CLASSES)
        for name in DEFAULTS:
            got = figures[name][model]["estimate"]
            assert got == pytest.approx(expected[name], **CLOSE), (band, model, name)


B = 4000


def accuracy_along(t, p, axis=-1):
    return np.mean(t == p, axis=axis)


def f1_macro_along(t, p, axis=-1):
    """scikit-learn's f1_score(average="macro", zero_division=0) over the last axis, for
    scipy's vectorized bootstrap (checked against f1_score on the data itself below)."""
    per_class = []
    for k in DIGIT_CLASSES:
        tp = np.sum((t == k) & (p == k), axis=axis)
        both = np.sum(t == k, axis=axis) + np.sum(p == k, axis=axis)
        per_class.append(np.divide(2.0 * tp, both, out=np.zeros(np.shape(tp)), where=both > 0))
    return np.mean(per_class, axis=0)


@pytest.mark.parametrize("metric", ["accuracy", "f1_macro"])
def test_paired_delta_interval_agrees_with_scipy(metric):
    frame = digits()
    y = frame["y"].to_numpy()
    a, b = (predicted(digit_proba(frame, prefix), DIGIT_CLASSES) for prefix in ("p_prod_", "p_new_"))
    along = {"accuracy": accuracy_along, "f1_macro": f1_macro_along}[metric]
    sklearn_delta = sklearn_figures(y, digit_proba(frame, "p_new_"), DIGIT_CLASSES)[metric] - \
        sklearn_figures(y, digit_proba(frame, "p_prod_"), DIGIT_CLASSES)[metric]
    assert along(y, b) - along(y, a) == pytest.approx(sklearn_delta, **CLOSE)  # the statistic is scikit-learn's
    policy = policy_of("gate-digits.json")
    policy["bootstrap"] = {"resamples": B, "seed": 5, "interval": "percentile", "scheme": "multinomial",
                           "paired_proportions": "bootstrap"}  # the bootstrap interval, not a score interval
    ours = referee.evaluate(frame, policy).metrics["delta"][metric]
    theirs = stats.bootstrap((y, a, b), lambda t, x, z, axis=-1: along(t, z, axis) - along(t, x, axis),
                             paired=True, vectorized=True, n_resamples=B, method="percentile",
                             random_state=np.random.default_rng(6))
    se = theirs.standard_error
    assert ours.estimate == pytest.approx(sklearn_delta, **CLOSE)
    assert ours.se == pytest.approx(se, rel=0.1)
    assert abs(ours.ci[0] - theirs.confidence_interval.low) < 0.25 * se
    assert abs(ours.ci[1] - theirs.confidence_interval.high) < 0.25 * se


def referee_cli():
    return shutil.which("referee")


@pytest.mark.parametrize("data, policy", [(DIGITS, "gate-digits.json"), (TWENTY, "gate-twenty.json")])
def test_cli_gate_on_the_example_policies_passes(tmp_path, data, policy):
    # Both challengers are far better than their bounds need (scikit-learn: digits accuracy
    # 0.912 -> 0.954, log loss 0.89 -> 0.25; twenty topics macro F1 0.40 -> 0.62, the
    # challenger's zoology recall 0.64 against a 0.3 floor): PASS, exit 0 (README's table).
    out = subprocess.run([referee_cli(), "run", "--data", str(data), "--policy", str(EXAMPLES / policy),
                          "--report", str(tmp_path / "r.json")], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "VERDICT: PASS" in out.stdout
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["verdict"] == "PASS"


@pytest.mark.parametrize("policy", ["gate-digits.json", "gate-twenty.json"])
def test_the_example_policies_cases_hold(policy):
    cases = EXAMPLES / policy.replace(".json", ".cases.json")
    out = subprocess.run([referee_cli(), "test", "--policy", str(EXAMPLES / policy), "--cases", str(cases)],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def test_a_label_that_is_no_class_is_a_data_error_naming_the_row():
    frame = twenty()
    frame.loc[5, "topic"] = "platypus"
    with pytest.raises(referee.DataError) as error:
        referee.evaluate(frame, policy_of("gate-twenty.json"))
    message = str(error.value)
    assert "row 6" in message and '"topic"' in message and "platypus" not in message, message
    numbers = digits()
    numbers.loc[2, "y"] = 10  # no p_prod_10
    with pytest.raises(referee.DataError, match=r'row 3.*"y"|"y".*row 3'):
        referee.evaluate(numbers, policy_of("gate-digits.json"))


def test_a_label_that_is_no_class_exits_65_from_the_cli(tmp_path):
    frame = digits()
    frame["y"] = frame["y"].astype(str)
    frame.loc[7, "y"] = "seven"
    frame.to_csv(tmp_path / "bad.csv", index=False)
    out = subprocess.run([referee_cli(), "run", "--data", str(tmp_path / "bad.csv"), "--policy",
                          str(EXAMPLES / "gate-digits.json")], capture_output=True, text=True)
    assert out.returncode == 65, out.stderr
    assert "row 8" in out.stderr and "seven" not in out.stderr, out.stderr


def test_a_label_written_as_a_float_matches_its_integer_class(tmp_path):
    frame = digits()
    frame["y"] = frame["y"].astype(float)  # the CSV holds "3.0": read as class "3"
    frame.to_csv(tmp_path / "floats.csv", index=False)
    as_floats = referee.evaluate(tmp_path / "floats.csv", policy_of("gate-digits.json")).metrics
    as_ints = referee.evaluate(DIGITS, policy_of("gate-digits.json")).metrics
    for name in DEFAULTS:
        assert as_floats["challenger"][name].estimate == as_ints["challenger"][name].estimate, name


@pytest.mark.parametrize("value", [1.2, -0.1, np.nan])
def test_a_probability_outside_0_1_is_a_data_error_naming_the_row(value):
    frame = digits()
    frame.loc[4, "p_new_3"] = value
    with pytest.raises(referee.DataError) as error:
        referee.evaluate(frame, policy_of("gate-digits.json"))
    assert "row 5" in str(error.value) and "p_new_3" in str(error.value), str(error.value)


def test_ties_go_to_the_first_class_as_numpy_argmax():
    # rows tied between two classes: numpy's argmax (scikit-learn's predict) takes the first
    y = np.array([0, 1, 2, 1, 0, 2, 1, 0])
    tied = np.array([[0.4, 0.4, 0.2], [0.4, 0.4, 0.2], [0.2, 0.4, 0.4], [0.3, 0.3, 0.4],
                     [0.5, 0.25, 0.25], [0.25, 0.25, 0.5], [0.1, 0.45, 0.45], [0.6, 0.2, 0.2]])
    table = {"y": y, **{f"a_{k}": tied[:, k] for k in range(3)}, **{f"b_{k}": tied[:, k] for k in range(3)}}
    policy = {"version": 1, "task": "multiclass", "bootstrap": {"resamples": 100, "seed": 1},
              "columns": {"label": "y", "champion": {"prefix": "a_"}, "challenger": {"prefix": "b_"}},
              "rules": [{"id": "r", "metric": "accuracy", "subject": "delta", "min": -1}]}
    report = referee.evaluate(table, policy)
    assert report.metrics["champion"]["accuracy"].estimate == pytest.approx(
        m.accuracy_score(y, np.argmax(tied, axis=1)), **CLOSE)


# --- predict_proba's n x K array from Python ------------------------------------------------

def test_compare_takes_predict_proba_arrays():
    frame = twenty()
    classes = twenty_classes()  # sorted: scikit-learn's classes_ order, which predict_proba's columns follow
    assert classes == sorted(classes)
    y, w = frame["topic"].to_numpy(), frame["weight"].to_numpy()
    pa = np.ascontiguousarray(topic_proba(frame, "pc_", classes))
    pb = np.ascontiguousarray(topic_proba(frame, "pn_", classes))
    for metric in ("accuracy", "log_loss"):
        cmp = referee.compare(metric, y, pa, pb, weight=w, resamples=200, seed=1)
        a, b = (sklearn_figures(y, p, classes, w)[metric] for p in (pa, pb))
        assert cmp.champion.estimate == pytest.approx(a, **CLOSE), metric
        assert cmp.challenger.estimate == pytest.approx(b, **CLOSE), metric
        assert cmp.delta.estimate == pytest.approx(b - a, **CLOSE), metric


def test_metric_takes_a_predict_proba_array():
    frame = digits()
    y, proba = frame["y"].to_numpy(), np.ascontiguousarray(digit_proba(frame, "p_new_"))
    expected = sklearn_figures(y, proba, DIGIT_CLASSES)
    for metric in ("accuracy", "log_loss", "roc_auc_macro", "f1_macro"):
        assert referee.metric(metric, y, proba) == pytest.approx(expected[metric], **CLOSE), metric
