"""Makes `referee test` case files for the task examples, as examples/gate.cases.json is
for gate.json: examples/gate-outcome.cases.json and examples/gate-svm.cases.json.

Each has cases given as figures (an estimate and a CI per rule, judged by the rule logic
alone) and cases given as a small inline table, which go through the same table builder
as a CSV: the outcome task with no label column and a cluster key, and the binary task
with string labels (positive_label "benign") and decision scores (negative margins).

Deterministic (no random numbers).
Run: python3 scripts/make_task_cases.py
"""
import json
import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent / "examples"


def figure(estimate, low, high):
    return {"estimate": estimate, "ci": [low, high]}


def outcome_table(champion_passes, challenger_passes, prompts=40):
    """Two generations of each prompt; a model passes on the prompts below its count."""
    ids = [f"P{p:02d}" for p in range(prompts) for _ in range(2)]
    v1 = [1 if p < champion_passes else 0 for p in range(prompts) for _ in range(2)]
    v2 = [1 if p < challenger_passes else 0 for p in range(prompts) for _ in range(2)]
    return {"prompt_id": ids, "success_v1": v1, "success_v2": v2}


def outcome_cases():
    good = {"success-non-inferior": figure(0.05, 0.02, 0.08), "success-floor": figure(0.78, 0.74, 0.81)}
    return [
        {"name": "a clear improvement passes both rules", "figures": good, "expect": "PASS"},
        {"name": "a pass-rate delta straddling the margin blocks as inconclusive",
         "figures": {**good, "success-non-inferior": figure(0.0, -0.04, 0.03)},
         "expect": "INCONCLUSIVE", "rules": {"success-non-inferior": "INCONCLUSIVE"}},
        {"name": "a pass rate below the floor only warns",
         "figures": {**good, "success-floor": figure(0.6, 0.55, 0.65)},
         "expect": "WARN", "rules": {"success-floor": "FAIL", "success-non-inferior": "PASS"}},
        {"name": "a worse prompt fails",
         "figures": {**good, "success-non-inferior": figure(-0.1, -0.14, -0.06)},
         "expect": "FAIL", "rules": {"success-non-inferior": "FAIL"}},
        # 30 of 40 prompts pass under v1, every prompt under v2: a delta of +0.25 whose
        # interval cannot reach below 0 (v2 never fails where v1 passes).
        {"name": "an eval set where v2 passes every prompt passes", "data": outcome_table(30, 40),
         "expect": "PASS", "rules": {"success-non-inferior": "PASS", "success-floor": "PASS"}},
        # v2 passes 10 of 40 where v1 passed 30: the delta's interval lies below -0.02.
        {"name": "an eval set where v2 fails most prompts fails", "data": outcome_table(30, 10),
         "expect": "FAIL", "rules": {"success-non-inferior": "FAIL", "success-floor": "FAIL"}},
    ]


def svm_table():
    """40 rows, 20 benign (the positive class): the challenger's margins separate the
    classes at 0; the champion ranks four malignant rows above four benign ones."""
    labels = ["benign" if i % 2 == 0 else "malignant" for i in range(40)]
    challenger = [round(1.0 + 0.1 * i, 2) if i % 2 == 0 else round(-1.0 - 0.1 * i, 2) for i in range(40)]
    champion = [round(c * (-0.2 if i in (0, 1, 2, 3, 4, 5, 6, 7) else 1.0), 2) for i, c in enumerate(challenger)]
    return {"diagnosis": labels, "svm_prod": champion, "svm_new": challenger}


def svm_cases():
    good = {"auc-non-inferior": figure(0.01, 0.004, 0.023), "ap-non-inferior": figure(0.006, 0.002, 0.015),
            "recall-floor": figure(0.97, 0.94, 0.99)}
    return [
        {"name": "a better SVM passes every rule", "figures": good, "expect": "PASS"},
        {"name": "an AUC interval straddling the margin blocks as inconclusive",
         "figures": {**good, "auc-non-inferior": figure(0.0, -0.02, 0.01)},
         "expect": "INCONCLUSIVE", "rules": {"auc-non-inferior": "INCONCLUSIVE", "ap-non-inferior": "PASS"}},
        {"name": "a recall below the floor only warns",
         "figures": {**good, "recall-floor": figure(0.85, 0.8, 0.88)},
         "expect": "WARN", "rules": {"recall-floor": "FAIL"}},
        # String labels with positive_label "benign" and margins either side of 0: the
        # challenger separates the classes (AUC 1, recall 1 at threshold 0).
        {"name": "string labels and margins: a separating challenger passes", "data": svm_table(),
         "expect": "PASS",
         "rules": {"auc-non-inferior": "PASS", "ap-non-inferior": "PASS", "recall-floor": "PASS"}},
    ]


def main():
    for name, cases in (("gate-outcome.cases.json", outcome_cases()), ("gate-svm.cases.json", svm_cases())):
        (ROOT / name).write_text(json.dumps({"cases": cases}, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
