"""Makes the ranking task's example (issue 15, item 4): examples/ranking_eval.csv and the
`referee test` cases of examples/gate-ranking.json, examples/gate-ranking.cases.json.

ranking_eval.csv: a search ranker's evaluation set, synthetic: 400 queries of 2 to 20
documents each, graded relevance 0-3 (about one query in ten has no relevant document),
each document's score under ranker v1 (the champion) and v2 (the challenger), rounded to
one decimal so that tied scores are common. Each query has a market (app, partner, web: a
segment, constant within the query) and a traffic count (a query weight, constant within
the query). Both rankers see the same relevance plus noise they partly share, so their
figures are correlated, as paired evaluations are.

gate-ranking.cases.json: cases given as figures (judged by the rules alone) and as small
inline tables with a query column, which go through the same table builder as the CSV.

Deterministic: a fixed seed gives byte-identical files.
Run: python3 scripts/make_ranking_examples.py
"""
import json
import pathlib

import numpy as np
import pandas as pd

ROOT = pathlib.Path(__file__).resolve().parent.parent / "examples"
SEED = 20261203
MARKETS = ("app", "partner", "web")


def query_rows(rng, q):
    n = int(rng.integers(2, 21))
    latent = rng.normal(0.0, 1.0, n)
    relevance = np.digitize(latent, [0.3, 1.0, 1.7])  # 0, 1, 2, 3
    if rng.random() < 0.1:
        relevance[:] = 0  # a query with no relevant document
    shared = rng.normal(0.0, 0.8, n)
    v1 = 0.6 * relevance + shared + rng.normal(0.0, 0.7, n)
    v2 = 0.8 * relevance + shared + rng.normal(0.0, 0.7, n)
    return pd.DataFrame({
        "query_id": f"Q{q:04d}",
        "market": MARKETS[int(rng.choice(3, p=[0.35, 0.15, 0.5]))],
        "traffic": int(rng.integers(1, 6)),
        "doc": [f"D{d:02d}" for d in range(n)],
        "relevance": relevance,
        "score_v1": np.round(v1, 1),
        "score_v2": np.round(v2, 1),
    })


def ranking_eval(queries: int = 400) -> pd.DataFrame:
    rng = np.random.default_rng(SEED)
    return pd.concat([query_rows(rng, q) for q in range(queries)], ignore_index=True)


def figure(estimate, low, high):
    return {"estimate": estimate, "ci": [low, high]}


def inline_table(challenger_right, queries=40):
    """Four documents per query, relevance 3, 1, 0, 0. The champion ranks them in that
    order on every query; the challenger does on its first `challenger_right` queries and
    reverses them on the rest. Queries alternate between two markets (the policy's segment)."""
    out = {"query_id": [], "market": [], "relevance": [], "score_v1": [], "score_v2": []}
    for q in range(queries):
        for d, rel in enumerate((3, 1, 0, 0)):
            out["query_id"].append(f"Q{q:02d}")
            out["market"].append("app" if q % 2 else "web")
            out["relevance"].append(rel)
            out["score_v1"].append(round(0.9 - 0.2 * d, 1))
            out["score_v2"].append(round(0.9 - 0.2 * d if q < challenger_right else 0.3 + 0.2 * d, 1))
    return out


def ranking_cases():
    good = {"ndcg10-non-inferior": figure(0.03, 0.015, 0.045), "mrr-non-inferior": figure(0.02, 0.0, 0.04),
            "recall10-floor": figure(0.8, 0.78, 0.82)}
    return [
        {"name": "a better ranker passes every rule", "figures": good, "expect": "PASS"},
        {"name": "an NDCG@10 interval straddling the margin blocks as inconclusive",
         "figures": {**good, "ndcg10-non-inferior": figure(0.0, -0.02, 0.015)},
         "expect": "INCONCLUSIVE", "rules": {"ndcg10-non-inferior": "INCONCLUSIVE"}},
        {"name": "a recall@10 below the floor only warns",
         "figures": {**good, "recall10-floor": figure(0.5, 0.45, 0.55)},
         "expect": "WARN", "rules": {"recall10-floor": "FAIL"}},
        # Both rankers order every query perfectly: every delta is 0 with no spread.
        {"name": "two perfect rankers pass", "data": inline_table(40), "expect": "PASS",
         "rules": {"ndcg10-non-inferior": "PASS", "mrr-non-inferior": "PASS", "recall10-floor": "PASS"}},
        # The challenger reverses 20 of 40 queries: NDCG@10 and MRR fall far below the margins.
        {"name": "a ranker that reverses half the queries fails", "data": inline_table(20), "expect": "FAIL",
         "rules": {"ndcg10-non-inferior": "FAIL", "mrr-non-inferior": "FAIL"}},
    ]


def main() -> None:
    ranking_eval().to_csv(ROOT / "ranking_eval.csv", index=False)
    text = json.dumps({"cases": ranking_cases()}, indent=1) + "\n"
    (ROOT / "gate-ranking.cases.json").write_text(text)


if __name__ == "__main__":
    main()
