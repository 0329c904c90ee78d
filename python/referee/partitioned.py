"""Partitioned evaluation: the core's protocol step by step (docs/partitioned.md).

An evaluation splits into partial states, one per partition of the rows, merged exactly and
finished into the report ``referee.evaluate`` gives on every row, byte for byte outside
``run``. Spark (``referee.spark``) drives these steps over executors; ``evaluate`` below
drives them over a list of in-memory parts. Every state and plan is ``bytes``.

The steps::

    facts = merge_facts([facts_state(part, policy) for part in any_partitioning])
    plan = make_plan(policy, facts, seed=None)
    for name in passes(plan):                 # "champion", "challenger", ..., "rows"
        # put rows of equal buckets(plan, name, part) in one partition (a range
        # partitioning for a ranked pass)
        if ranked(plan, name):
            round1 = [totals_state(plan, name, p) for p in parts]
            above = aboves(plan, name, round1)
            shares = [pass_state(plan, name, p, above=a) for p, a in zip(parts, above)]
        else:
            shares = [pass_state(plan, name, p) for p in parts]
        merged[name] = merge(plan, name, shares)
    report = finish(plan, merged)

``data`` is anything ``referee.evaluate`` takes but a CSV path: a pandas or polars DataFrame,
a pyarrow Table or RecordBatch, a dict of arrays. The columns cross into the core as
``evaluate`` passes them (float64 arrays read in place, text columns dictionary-encoded).
"""

from typing import Any, Dict, List, Mapping, Optional, Sequence, Union

import numpy as np

from . import _core
from ._api import Limits, PolicyLike, _limits, _model_columns, _policy, policy_file_of, table_columns
from ._report import Report

__all__ = ["facts_state", "merge_facts", "make_plan", "plan_policy", "passes", "ranked", "buckets",
           "pass_state", "totals_state", "mergeable_totals", "merge_totals", "aboves", "first_bucket", "merge", "finish", "evaluate"]


def _table_arguments(data: Any, p: Any) -> tuple:
    if isinstance(data, (str, bytes)):
        raise TypeError("a partition is a DataFrame, an Arrow table or a dict of arrays, not a path")
    label, champion, challenger, weight, codes, dictionary, categorical, _, class_scores, class_columns = \
        table_columns(data, p)
    serving = tuple(_model_columns(data, p.columns[figure]) for figure in ("latency", "cost", "error"))
    return (p, label, champion, challenger, weight, codes, dictionary, categorical, class_scores, class_columns,
            *serving)


def facts_state(data: Any, policy: PolicyLike, *, limits: Limits = None) -> bytes:
    """Round 0, on any partitioning: what these rows tell about the whole evaluation."""
    checked = _limits(limits)
    p = _policy(policy, checked)
    return _core.partition_facts(*_table_arguments(data, p), checked)


def merge_facts(states: Sequence[bytes], *, limits: Limits = None) -> bytes:
    """The facts of every partition, merged (exact, in any order)."""
    return _core.partition_merge_facts(list(states), _limits(limits))


def make_plan(policy: PolicyLike, facts: bytes, *, seed: Optional[int] = None, limits: Limits = None) -> bytes:
    """The plan every partition shares: the policy, the seed, the merged facts."""
    _core.check_arguments(seed=seed, threads=None)
    checked = _limits(limits)
    return _core.partition_make_plan(_policy(policy, checked), facts, seed, checked)


def plan_policy(plan: bytes) -> Any:
    """The policy a plan carries (its columns say what each partition must hold)."""
    return _core.partition_policy(plan)


def passes(plan: bytes) -> List[str]:
    return list(_core.partition_passes(plan))


def ranked(plan: bytes, name: str) -> bool:
    """Whether a pass ranks its rows: range-partition it by ``buckets`` and run it in two rounds."""
    return bool(_core.partition_ranked(plan, name))


def buckets(plan: bytes, name: Union[str, Sequence[str]], data: Any) -> np.ndarray:
    """Each row's canonical bucket in a pass (uint64): partition by it, never splitting one.
    Given several pass names, a (passes, rows) array, the table read once for all of them."""
    several = not isinstance(name, str)
    names = list(name) if several else [name]
    out = _core.partition_buckets(plan, names, *_table_arguments(data, plan_policy(plan)))
    return out if several else out[0]


def pass_state(plan: bytes, name: str, data: Any, *, above: Optional[bytes] = None,
               threads: Optional[int] = None, limits: Limits = None) -> bytes:
    """A partition's share of a pass (round 2 of a ranked pass, with the ``above`` that
    ``aboves`` gave it: None for the partition ranked first)."""
    return _core.partition_pass_state(plan, name, *_table_arguments(data, plan_policy(plan)), above, threads,
                                      _limits(limits))


def totals_state(plan: bytes, name: str, data: Any, *, threads: Optional[int] = None, limits: Limits = None) -> bytes:
    """Round 1 of a ranked pass: only what the partitions ranked below offset by (the exact
    positive and negative weight per resample), for ``aboves``; a fraction of ``pass_state``'s work."""
    return _core.partition_totals_state(plan, name, *_table_arguments(data, plan_policy(plan)), threads,
                                        _limits(limits))


def mergeable_totals(plan: bytes, name: str) -> bool:
    """Whether round 1's totals of pass ``name`` add exactly when a partition's rows are taken
    in pieces (whole weights: no weight column), so ``merge_totals`` may join them."""
    return bool(_core.partition_mergeable_totals(plan, name))


def merge_totals(plan: bytes, name: str, totals: Sequence[bytes]) -> bytes:
    """Round 1's totals of one partition taken over pieces of its rows, as one
    ``totals_state`` of the whole partition (exact, in any order; ``mergeable_totals`` passes only)."""
    return _core.partition_merge_totals(plan, name, list(totals))


def aboves(plan: bytes, name: str, round1: Sequence[bytes]) -> List[Optional[bytes]]:
    """Each partition's ``above`` for round 2 from round 1's ``totals_state``s, aligned with ``round1``."""
    return list(_core.partition_aboves(plan, name, list(round1)))


def first_bucket(state: bytes) -> Optional[int]:
    """The first bucket a pass state or round-1 totals state holds (None: an empty partition)."""
    return _core.partition_first_bucket(state)


def merge(plan: bytes, name: str, states: Sequence[bytes]) -> bytes:
    """One pass's shares merged (exact, in any order)."""
    return _core.partition_merge(plan, name, list(states))


def finish(plan: bytes, merged: Mapping[str, bytes], *, origin: str = "memory", limits: Limits = None) -> Report:
    """The report from each pass's merged state: ``referee.evaluate``'s, byte for byte outside ``run``."""
    missing = [n for n in passes(plan) if n not in merged]
    if missing:
        raise _core.UsageError("finish needs the merged state of every pass; missing: " + ", ".join(missing))
    return Report(*_core.partition_finish(plan, [merged[n] for n in passes(plan)], origin, _limits(limits)))


def _take(data: Any, rows: np.ndarray) -> Any:
    if isinstance(data, Mapping):
        return {k: np.asarray(v)[rows] for k, v in data.items()}
    if hasattr(data, "iloc"):
        return data.iloc[rows]
    if hasattr(data, "take"):  # pyarrow
        return data.take(rows)
    raise TypeError("evaluate() splits pandas DataFrames, pyarrow tables and dicts of arrays")


def _concat(pieces: List[Any]) -> Any:
    first = pieces[0]
    if isinstance(first, Mapping):
        return {k: np.concatenate([np.asarray(p[k]) for p in pieces]) for k in first}
    if hasattr(first, "iloc"):
        import pandas as pd
        return pd.concat(pieces, ignore_index=True)
    import pyarrow as pa
    return pa.concat_tables([pa.Table.from_batches([p]) if isinstance(p, pa.RecordBatch) else p for p in pieces])


def _regroup(plan: bytes, name: str, parts: Sequence[Any]) -> List[Any]:
    """The rows of every part, re-partitioned into as many partitions as there are parts,
    each a contiguous range of whole buckets (what a range partitioning gives)."""
    keys = [buckets(plan, name, part) for part in parts]
    distinct = np.unique(np.concatenate(keys)) if keys else np.empty(0, np.uint64)
    cuts = distinct[np.linspace(0, len(distinct), len(parts) + 1).astype(int)[1:-1]] if len(distinct) else distinct
    out = []
    for k in range(len(cuts) + 1):
        lo = cuts[k - 1] if k > 0 else None
        hi = cuts[k] if k < len(cuts) else None
        pieces = []
        for part, key in zip(parts, keys):
            mask = np.ones(len(key), bool)
            if lo is not None:
                mask &= key >= lo
            if hi is not None:
                mask &= key < hi
            if mask.any():
                pieces.append(_take(part, np.flatnonzero(mask)))
        if pieces:
            out.append(_concat(pieces))
    return out


def evaluate(parts: Sequence[Any], policy: PolicyLike, *, seed: Optional[int] = None,
             threads: Optional[int] = None, limits: Limits = None) -> Report:
    """The protocol in one process over ``parts`` (each a DataFrame, Arrow table or dict).

    The facts come from the parts as given; each pass re-partitions their rows by its buckets
    into as many partitions as there are parts. The report equals ``referee.evaluate`` on the
    rows of every part, byte for byte outside ``run``.
    """
    checked = _limits(limits)
    p = _policy(policy, checked)
    plan = make_plan(p, merge_facts([facts_state(part, p, limits=checked) for part in parts], limits=checked),
                     seed=seed, limits=checked)
    merged: Dict[str, bytes] = {}
    for name in passes(plan):
        merged[name] = _run_pass(plan, name, _regroup(plan, name, parts), threads, checked)
    report = finish(plan, merged, limits=checked)
    report._policy_file = policy_file_of(policy)
    return report


def _run_pass(plan: bytes, name: str, pieces: List[Any], threads: Optional[int], limits: Any) -> bytes:
    if ranked(plan, name):
        round1 = [totals_state(plan, name, piece, threads=threads, limits=limits) for piece in pieces]
        above = aboves(plan, name, round1)
        shares = [pass_state(plan, name, piece, above=a, threads=threads, limits=limits)
                  for piece, a in zip(pieces, above)]
    else:
        shares = [pass_state(plan, name, piece, threads=threads, limits=limits) for piece in pieces]
    return merge(plan, name, shares)
