"""Makes the example tables of the tasks beyond probability-scored binary models.

breast_cancer_svm.csv: two support-vector classifiers on scikit-learn's breast-cancer
set, scored on a held-out 40%: the label as the dataset names it ("malignant" or
"benign"), each model's decision_function (a margin, any real number). It is the case of issue 15's "raw scores" and
"labels as they come": `"positive_label": "benign"`, `"scores": "decision"`.

llm_eval.csv: an LLM prompt's eval set, the outcome task's case: 300 prompts, three
generations of each (clustered by prompt_id), each generation's task success (0/1), a
judge's rating (1-5) and its latency in seconds, for prompt_v1 (the champion) and
prompt_v2 (the challenger). Each prompt has a difficulty both versions face, so their
results are correlated, as paired evaluations are.

Deterministic: fixed splits and seeds give byte-identical files.
Run: python3 scripts/make_task_examples.py
"""
import pathlib

import numpy as np
import pandas as pd
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

ROOT = pathlib.Path(__file__).resolve().parent.parent / "examples"
SEED = 20261203


def breast_cancer_svm() -> pd.DataFrame:
    data = load_breast_cancer()
    x_train, x_test, y_train, y_test = train_test_split(
        data.data, data.target, test_size=0.4, random_state=SEED, stratify=data.target)
    # The champion sees ten features; the challenger all thirty, with a wider margin.
    champion = make_pipeline(StandardScaler(), SVC(C=0.5, kernel="linear"))
    challenger = make_pipeline(StandardScaler(), SVC(C=1.0, kernel="rbf", random_state=SEED))
    champion.fit(x_train[:, :10], y_train)
    challenger.fit(x_train, y_train)
    names = np.asarray(data.target_names)  # 0 malignant, 1 benign; classes_[1] is benign
    return pd.DataFrame({
        "diagnosis": names[y_test],
        "svm_prod": np.round(champion.decision_function(x_test[:, :10]), 10),
        "svm_new": np.round(challenger.decision_function(x_test), 10),
    })


def llm_eval(prompts: int = 300, generations: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(SEED)
    difficulty = np.repeat(rng.normal(0.0, 1.2, prompts), generations)
    n = difficulty.size
    out = {"prompt_id": np.repeat([f"P{i:04d}" for i in range(prompts)], generations),
           "generation": np.tile(np.arange(1, generations + 1), prompts)}
    for version, skill in (("v1", 0.9), ("v2", 1.15)):
        quality = skill - difficulty + rng.normal(0.0, 0.8, n)
        out[f"success_{version}"] = (quality > 0).astype(int)
        out[f"judge_{version}"] = np.clip(np.round(3 + quality), 1, 5).astype(int)
        out[f"latency_{version}_s"] = np.round(rng.lognormal(0.6 + 0.1 * (version == "v2"), 0.4, n), 3)
    return pd.DataFrame(out)


def main() -> None:
    breast_cancer_svm().to_csv(ROOT / "breast_cancer_svm.csv", index=False)
    llm_eval().to_csv(ROOT / "llm_eval.csv", index=False)


if __name__ == "__main__":
    main()
