"""The ranking benchmark's peer: ranx's paired test of two runs, ranx.compare with Fisher's
randomization test (ranx's resampling test: per permutation, each query's pair of values is
swapped or not) on the ranking task's seven default figures (ndcg@10, ndcg, dcg@10,
map@10, mrr, precision@10, recall@10), at the benchmark's load: QUERIES queries of DOCS
documents, graded relevance 0-3, two correlated rankers (the same generator as
bench_core's BM_RankingPairedBootstrap, in numpy).

Timed: ranx.compare alone (its per-query evaluation of both runs and the tests), with
the Qrels and Run built beforehand and numba's functions compiled by a warm-up call on a
small set. Prints the seconds and the ns per row-resample (rows = QUERIES x DOCS).
Run it with NUMBA_NUM_THREADS=1 for one thread, as run_ranking_bench.sh does.

usage: python3 benchmarks/peer_ranking.py [--queries 100000] [--docs 10] [--permutations 1000]
"""
import argparse
import pathlib
import sys
import time
import warnings

# benchmarks/coverage (the coverage simulations) would shadow the coverage package numba
# imports, so this folder leaves the import path.
sys.path = [p for p in sys.path if pathlib.Path(p or ".").resolve() != pathlib.Path(__file__).resolve().parent]

import numpy as np
import pandas as pd


def ranking_load(queries, docs, seed=7):
    rng = np.random.default_rng(seed)
    n = queries * docs
    relevance = np.digitize(rng.normal(size=n), [0.3, 1.0, 1.7])
    shared = rng.normal(0.0, 0.8, n)
    frame = pd.DataFrame({
        # ranx asks for object columns of ids (pandas 3 would make them "str")
        "q_id": pd.Series(np.repeat([f"q{i}" for i in range(queries)], docs), dtype=object),
        "doc_id": pd.Series(np.tile([f"d{j}" for j in range(docs)], queries), dtype=object),
        "relevance": relevance,
        "v1": 0.6 * relevance + shared + rng.normal(0.0, 0.7, n),
        "v2": 0.8 * relevance + shared + rng.normal(0.0, 0.7, n),
    })
    return frame


def ranx_inputs(frame):
    from ranx import Qrels, Run
    qrels = Qrels.from_df(frame[frame["relevance"] > 0], q_id_col="q_id", doc_id_col="doc_id", score_col="relevance")
    runs = [Run.from_df(frame, q_id_col="q_id", doc_id_col="doc_id", score_col=s, name=s) for s in ("v1", "v2")]
    return qrels, runs


METRICS = ["ndcg@10", "ndcg", "dcg@10", "map@10", "mrr", "precision@10", "recall@10"]


def compare(frame, permutations):
    from ranx import compare as ranx_compare
    qrels, runs = ranx_inputs(frame)
    start = time.perf_counter()
    report = ranx_compare(qrels, runs, METRICS, stat_test="fisher", n_permutations=permutations,
                          make_comparable=True)
    return time.perf_counter() - start, report


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--queries", type=int, default=100000)
    parser.add_argument("--docs", type=int, default=10)
    parser.add_argument("--permutations", type=int, default=1000)
    args = parser.parse_args()
    warnings.simplefilter("ignore")  # numba's type-safety warnings inside ranx
    compare(ranking_load(50, 5), 10)  # compiles numba's functions
    frame = ranking_load(args.queries, args.docs)
    seconds, report = compare(frame, args.permutations)
    rows = args.queries * args.docs
    print(report)
    print(f"ranx.compare: {seconds:.2f} s, {seconds * 1e9 / (rows * args.permutations):.1f} ns per row-resample "
          f"({args.queries} queries x {args.docs} documents, {args.permutations} permutations)")


if __name__ == "__main__":
    main()
