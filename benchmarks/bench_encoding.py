"""Encoding a segment column in Python, against pandas' own astype("category") as the peer.

referee hands a segment (or sensitive, or cluster) column to the core as uint32 codes into
a dictionary of texts; this times that encoding (referee._api._as_categorical, the function
evaluate() calls for each segment column) on N rows of K distinct strings, held each way a
user may hold them, and prints a Markdown table with the ratio to the peer:
pandas.Series(object strings).astype("category"). Best of R runs (R = 1 for a run over 3 s).
Benchmarks are not timed tests: nothing asserts on these figures (benchmarks/RESULTS.md).

Run: python3 benchmarks/bench_encoding.py [N] [K]    (defaults 2000000 50)
"""
import sys
import time

import numpy as np
import pandas as pd

from referee import _api


def inputs(n: int, k: int) -> dict:
    rng = np.random.default_rng(20261203)
    names = np.array([f"segment-{i:03d}-é" for i in range(k)], dtype=object)  # non-ASCII too
    objects = names[rng.integers(0, k, n)]
    held = {
        "pandas object": pd.Series(objects, dtype=object),
        "pandas string (python)": pd.Series(objects, dtype="string[python]"),
        "pandas category": pd.Series(objects, dtype=object).astype("category"),
        "numpy U": objects.astype(str),
        "numpy O": objects,
    }
    try:
        import pyarrow as pa
        held["pandas string (pyarrow)"] = pd.Series(objects, dtype="string[pyarrow]")
        held["pyarrow string"] = pa.chunked_array([pa.array(objects[: n // 2]), pa.array(objects[n // 2:])])
        held["pyarrow dictionary"] = held["pyarrow string"].dictionary_encode()
    except ImportError:
        pass
    return held


def best_of(function, repeats: int = 3) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
        if times[-1] > 3.0:
            break
    return min(times)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2_000_000
    k = int(sys.argv[2]) if len(sys.argv) > 2 else 50
    held = inputs(n, k)
    peer = best_of(lambda: held["pandas object"].astype("category"))
    print(f"N={n} K={k} pandas {pd.__version__} numpy {np.__version__}")
    print(f'peer: pandas.Series(object).astype("category") {peer:.3f} s\n')
    print("| input | referee | ratio to peer |")
    print("|---|---|---|")
    for name, values in held.items():
        seconds = best_of(lambda: _api._as_categorical(values, "segment"))
        print(f"| {name} | {seconds:.3f} s | {seconds / peer:.2f}x |")


if __name__ == "__main__":
    main()
