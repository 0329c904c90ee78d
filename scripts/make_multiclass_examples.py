"""Makes the multiclass task's example tables, policies and policy cases (issue 15, items 3 and 6).

digits_eval.csv: scikit-learn's `load_digits` (8x8 images of the digits 0-9), a fixed
stratified split, scored on the held-out half by two scikit-learn classifiers: the
champion a strongly regularised logistic regression on the raw pixels, the challenger a
logistic regression on standardised pixels. Columns: the label `y` (the
digit, an integer), `ink` (a segment: the image's total intensity in three bands cut at the
training half's tertiles, "light", "medium", "heavy"), `p_prod_0`..`p_prod_9` and
`p_new_0`..`p_new_9` (each model's `predict_proba`, one column per class in `classes_`
order). examples/gate-digits.json reads them by prefix.

twenty_classes.csv: a synthetic 20-class document classifier with string labels (topic
names), a sample weight, and a cluster key (the source a document came from). The
champion never ranks the class "zoology" first (its score there is damped), so its
per-class precision for that class has no predicted rows (undefined; scikit-learn's
zero_division), while the challenger does predict it. Columns: `topic`, `weight`,
`source`, `pc_<topic>` (champion) and `pn_<topic>` (challenger), listed in
examples/gate-twenty.json with `classes`.

Floats are written with repr (pandas' default for float64: the shortest text that reads
back as the same double), so the CSV round-trips exactly; the script checks that it does.
The twenty-class probabilities are first rounded to ten decimals (a smaller file; each row
still sums to 1 within 1e-9, well inside scikit-learn's check).
Deterministic: fixed splits and seeds give byte-identical files.
Run: python3 scripts/make_multiclass_examples.py
"""
import json
import pathlib

import numpy as np
import pandas as pd
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

ROOT = pathlib.Path(__file__).resolve().parent.parent / "examples"
SEED = 20261203
TOPICS = ("art", "biology", "chemistry", "cooking", "economics", "film", "geology", "history",
          "law", "linguistics", "medicine", "music", "nautical", "philosophy", "physics",
          "politics", "sport", "theatre", "travel", "zoology")
ABSENT = "zoology"  # never the champion's top class


def ink_bands(train_pixels: np.ndarray, pixels: np.ndarray) -> np.ndarray:
    cuts = np.quantile(train_pixels.sum(axis=1), [1 / 3, 2 / 3])
    return np.asarray(["light", "medium", "heavy"])[np.searchsorted(cuts, pixels.sum(axis=1), side="right")]


def digits_eval() -> pd.DataFrame:
    data = load_digits()
    x_train, x_test, y_train, y_test = train_test_split(
        data.data, data.target, test_size=0.5, random_state=SEED, stratify=data.target)
    # The champion: heavy L2 regularisation on unscaled pixels (underfits a little).
    champion = LogisticRegression(C=1e-4, max_iter=5000)
    challenger = make_pipeline(StandardScaler(), LogisticRegression(C=0.05, max_iter=5000))
    champion.fit(x_train, y_train)
    challenger.fit(x_train, y_train)
    out = {"y": y_test.astype(np.int64), "ink": ink_bands(x_train, x_test)}
    for prefix, model in (("p_prod_", champion), ("p_new_", challenger)):
        proba = model.predict_proba(x_test)
        assert list(model.classes_) == list(range(10))
        out.update({f"{prefix}{k}": proba[:, k] for k in range(10)})
    return pd.DataFrame(out)


def softmax(logits: np.ndarray) -> np.ndarray:
    z = np.exp(logits - logits.max(axis=1, keepdims=True))
    return z / z.sum(axis=1, keepdims=True)


def twenty_classes(rows: int = 2000, sources: int = 200) -> pd.DataFrame:
    rng = np.random.default_rng(SEED)
    k = len(TOPICS)
    prior = rng.dirichlet(np.full(k, 8.0))  # unequal class shares, none tiny
    y = rng.choice(k, size=rows, p=prior)
    source = rng.integers(0, sources, rows)
    shared = rng.normal(0.0, 1.0, (rows, k))  # what both models misread alike
    onehot = np.eye(k)[y]
    out = {"topic": np.asarray(TOPICS)[y], "weight": np.round(rng.uniform(0.5, 3.0, rows), 3),
           "source": [f"S{s:03d}" for s in source]}
    absent = TOPICS.index(ABSENT)
    for prefix, signal in (("pc_", 1.6), ("pn_", 2.2)):
        logits = signal * onehot + 0.8 * shared + 0.6 * rng.normal(0.0, 1.0, (rows, k))
        if prefix == "pc_":
            logits[:, absent] -= 8.0  # damped: below some other class on every row
        proba = softmax(logits)
        # ten decimals keep the file small; each row still sums to 1 within 1e-9
        out.update({f"{prefix}{t}": np.round(proba[:, j], 10) for j, t in enumerate(TOPICS)})
    frame = pd.DataFrame(out)
    champion_top = np.asarray(TOPICS)[frame[[f"pc_{t}" for t in TOPICS]].to_numpy().argmax(axis=1)]
    challenger_top = np.asarray(TOPICS)[frame[[f"pn_{t}" for t in TOPICS]].to_numpy().argmax(axis=1)]
    assert ABSENT not in champion_top and ABSENT in challenger_top and ABSENT in set(frame["topic"])
    return frame


def write_exactly(frame: pd.DataFrame, name: str) -> None:
    """Writes the CSV and checks that every float reads back as the same double."""
    path = ROOT / name
    frame.to_csv(path, index=False)
    back = pd.read_csv(path)
    for column in frame.columns:
        if frame[column].dtype.kind == "f":
            assert np.array_equal(back[column].to_numpy(), frame[column].to_numpy()), column


# --- policies ------------------------------------------------------------------------------

def digits_policy() -> dict:
    return {
        "version": 1,
        "name": "digits classifier promotion gate (multiclass, columns by prefix)",
        "task": "multiclass",
        "columns": {"label": "y", "champion": {"prefix": "p_prod_"}, "challenger": {"prefix": "p_new_"},
                    "segments": ["ink"]},
        "bootstrap": {"resamples": 2000, "interval": "bca", "seed": 15},
        "rules": [
            {"id": "accuracy-non-inferior", "metric": "accuracy", "subject": "delta", "min": -0.01},
            {"id": "log-loss-no-worse", "metric": "log_loss", "subject": "delta", "max": 0.02},
            {"id": "macro-f1-every-band", "metric": "f1", "average": "macro", "subject": "delta", "min": -0.03,
             "scope": {"each_segment": "ink"}, "correction": "holm", "on_insufficient": "skip"},
        ],
    }


def twenty_policy() -> dict:
    return {
        "version": 1,
        "name": "twenty-topic document classifier gate (multiclass, columns listed, weights)",
        "task": "multiclass",
        "columns": {"label": "topic", "classes": list(TOPICS),
                    "champion": [f"pc_{t}" for t in TOPICS], "challenger": [f"pn_{t}" for t in TOPICS],
                    "weight": "weight", "cluster": "source"},
        "bootstrap": {"resamples": 1000, "interval": "bca", "seed": 20},
        "rules": [
            {"id": "macro-f1-non-inferior", "metric": "f1", "average": "macro", "subject": "delta", "min": -0.01},
            {"id": "zoology-recall-floor", "metric": "recall", "class": ABSENT, "subject": "challenger",
             "min": 0.3, "severity": "warn"},
            {"id": "top3-non-inferior", "metric": "top_k_accuracy", "k": 3, "subject": "delta", "min": -0.01},
        ],
    }


# --- policy cases (`referee test`), as scripts/make_task_cases.py makes them ---------------

def figure(estimate, low, high):
    return {"estimate": estimate, "ci": [low, high]}


def digits_table(champion_right: int, challenger_right: int, rows: int = 30) -> dict:
    """Three rows of each digit, ten per ink band; a model puts 0.91 on the true digit of
    its first ``*_right`` rows and 0.91 on the next digit elsewhere (0.01 on every other
    class, so each row sums to 1)."""
    y = [r % 10 for r in range(rows)]
    table = {"y": y, "ink": ["light", "medium", "heavy"] * (rows // 3)}
    for prefix, right in (("p_prod_", champion_right), ("p_new_", challenger_right)):
        top = [y[r] if r < right else (y[r] + 1) % 10 for r in range(rows)]
        for k in range(10):
            table[f"{prefix}{k}"] = [0.91 if top[r] == k else 0.01 for r in range(rows)]
    return table


def digits_cases() -> list:
    good = {"accuracy-non-inferior": figure(0.03, 0.015, 0.045), "log-loss-no-worse": figure(-0.1, -0.14, -0.07),
            "macro-f1-every-band": figure(0.03, 0.01, 0.05)}
    return [
        {"name": "a better digits model passes every rule", "figures": good, "expect": "PASS"},
        {"name": "an accuracy delta straddling the margin blocks as inconclusive",
         "figures": {**good, "accuracy-non-inferior": figure(0.0, -0.02, 0.015)},
         "expect": "INCONCLUSIVE", "rules": {"accuracy-non-inferior": "INCONCLUSIVE"}},
        {"name": "a worse log loss fails", "figures": {**good, "log-loss-no-worse": figure(0.1, 0.06, 0.15)},
         "expect": "FAIL", "rules": {"log-loss-no-worse": "FAIL", "accuracy-non-inferior": "PASS"}},
        # The challenger is right on all 30 rows, the champion on 20: accuracy +1/3, a lower log
        # loss. (Ten rows per ink band: the per-band rule may be skipped as too small, so it
        # is not named.)
        {"name": "a challenger right where the champion errs passes", "data": digits_table(20, 30),
         "expect": "PASS", "rules": {"accuracy-non-inferior": "PASS", "log-loss-no-worse": "PASS"}},
        # The challenger is wrong on 20 of 30 rows where the champion is right on all.
        {"name": "a challenger wrong on most digits fails", "data": digits_table(30, 10), "expect": "FAIL",
         "rules": {"accuracy-non-inferior": "FAIL", "log-loss-no-worse": "FAIL"}},
    ]


def twenty_table(champion_right: int = 20, per_topic: int = 2) -> dict:
    """Two rows of each topic, weight 1, one source per row. The challenger puts 0.81 on the
    true topic and 0.01 on each other one; the champion does so on its first
    ``champion_right`` rows and elsewhere ranks three wrong topics first (0.4, 0.3, 0.2),
    the remaining 0.1 spread over the other 17, the true topic among them."""
    topics = [t for t in TOPICS for _ in range(per_topic)]
    table = {"topic": topics, "weight": [1] * len(topics), "source": [f"S{r:03d}" for r in range(len(topics))]}
    k = len(TOPICS)
    champion = []
    for r, truth in enumerate(topics):
        j = TOPICS.index(truth)
        wrong = {TOPICS[(j + 1) % k]: 0.4, TOPICS[(j + 2) % k]: 0.3, TOPICS[(j + 3) % k]: 0.2}
        champion.append({t: 0.81 if t == truth else 0.01 for t in TOPICS} if r < champion_right
                        else {t: wrong.get(t, 0.1 / 17) for t in TOPICS})
    for t in TOPICS:
        table[f"pc_{t}"] = [row[t] for row in champion]
        table[f"pn_{t}"] = [0.81 if truth == t else 0.01 for truth in topics]
    return table


def twenty_cases() -> list:
    good = {"macro-f1-non-inferior": figure(0.05, 0.03, 0.07), "zoology-recall-floor": figure(0.6, 0.5, 0.7),
            "top3-non-inferior": figure(0.04, 0.02, 0.06)}
    return [
        {"name": "a better topic model passes every rule", "figures": good, "expect": "PASS"},
        {"name": "a zoology recall below the floor only warns",
         "figures": {**good, "zoology-recall-floor": figure(0.2, 0.1, 0.28)},
         "expect": "WARN", "rules": {"zoology-recall-floor": "FAIL", "macro-f1-non-inferior": "PASS"}},
        {"name": "a macro F1 delta straddling the margin blocks as inconclusive",
         "figures": {**good, "macro-f1-non-inferior": figure(0.0, -0.03, 0.02)},
         "expect": "INCONCLUSIVE", "rules": {"macro-f1-non-inferior": "INCONCLUSIVE"}},
        {"name": "a worse top-3 accuracy fails",
         "figures": {**good, "top3-non-inferior": figure(-0.05, -0.08, -0.03)},
         "expect": "FAIL", "rules": {"top3-non-inferior": "FAIL"}},
        # The challenger is right on all 40 rows (zoology's two included); the champion on 20,
        # and on the other 20 the true topic is not even in its top three. Two zoology rows
        # are too few to judge zoology's recall: about one resample in seven holds none, so
        # the recall has no interval and its warn-severity rule is INCONCLUSIVE: WARN.
        {"name": "a challenger right on every topic passes the block rules; two zoology rows only warn",
         "data": twenty_table(), "expect": "WARN",
         "rules": {"macro-f1-non-inferior": "PASS", "zoology-recall-floor": "INCONCLUSIVE",
                   "top3-non-inferior": "PASS"}},
    ]


def write_json(name: str, value: dict, indent: int = 1) -> None:
    (ROOT / name).write_text(json.dumps(value, indent=indent) + "\n", encoding="utf-8")


def main() -> None:
    write_exactly(digits_eval(), "digits_eval.csv")
    write_exactly(twenty_classes(), "twenty_classes.csv")
    write_json("gate-digits.json", digits_policy(), indent=2)
    write_json("gate-twenty.json", twenty_policy(), indent=2)
    write_json("gate-digits.cases.json", {"cases": digits_cases()})
    write_json("gate-twenty.cases.json", {"cases": twenty_cases()})


if __name__ == "__main__":
    main()
