"""The Spark door: ``referee.spark.evaluate(spark_df, policy)`` gives the ``Report`` that
``referee.evaluate`` gives on the same rows, byte for byte outside ``run``.

    from referee import spark as referee_spark
    report = referee_spark.evaluate(spark.read.parquet("s3://bucket/shadow/"), "gate.json")

It drives the partitioned protocol of ``referee.partitioned`` (docs/partitioned.md) with
Spark jobs; docs/spark.md gives the steps. Rows cross into the core as the Arrow batches
``mapInArrow`` hands a Python worker; the driver holds partial states (bytes), never rows.
Each job yields one small row per partition (a state, or the error that stopped it), read
on the driver partition by partition (``toLocalIterator``), so the driver's memory is the
states merged at once, whatever ``spark.driver.maxResultSize`` is.

``python -m referee.spark --data PATH --policy gate.json --out DIR`` runs a gate over a
Parquet path from ``spark-submit`` (main() below).
"""

import argparse
import json
import logging
import math
import os
import sys
import time
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional, Sequence, Tuple

from . import _core, _model_monitor
from ._core import DataError, IoError, PolicyError, RefereeError, UsageError
from ._report import Report

LOG = logging.getLogger("referee.spark")

# The column a pass's canonical bucket travels in between the Spark stages.
BUCKET = "__referee_bucket"
# The column a ranked pass's cut travels in: the label of the contiguous range of buckets a
# row's bucket falls in (cut_bounds), which names the Spark partition the cut goes to.
CUT = "__referee_cut"
# Rows the bucket stage adds after a task's data rows, every data column null: round 1's
# totals of a cut of a pass whose totals add exactly in pieces (mergeable_totals), so the
# pass needs no round-1 job. A data row has these null.
TOTALS, TOTALS_PASS, TOTALS_CUT = "__referee_totals", "__referee_totals_pass", "__referee_totals_cut"
# One row per state of a job: its state, the cut it belongs to (ranked passes), its row
# count, or the error that stopped it (kind: the referee exception's class name).
STATE_SCHEMA = "state binary, cut long, rows long, error_kind string, error string"
# A partition of a pass is handed to the core whole (its buckets must be whole); the default
# partition count keeps a partition near this many rows.
ROWS_PER_PARTITION = 1 << 21
# The stages that work on any partitioning (the facts, the buckets) take a task's batches in
# chunks of about this many rows: one call into the core per chunk, not per Arrow batch (of
# 10 000 rows by default), and a worker never holds a whole input split.
CHUNK_ROWS = 1 << 20
# uint64 buckets in a signed Spark long, order kept: the top bit flipped.
_SIGN = 1 << 63

_ERRORS = {cls.__name__: cls for cls in (UsageError, PolicyError, DataError, IoError, RefereeError)}


def _rp() -> Any:
    from . import partitioned

    return partitioned


def _policy_text(policy: Any) -> Tuple[str, "_core.Policy"]:
    """The policy as the JSON text every task is given, and the parsed policy."""
    from ._api import _policy

    parsed = _policy(policy)
    return parsed.json, parsed


class _Merging:
    """States arriving one by one under keys, each key's merged exactly as they come (by
    ``merge(key, states)``), at most ``fan_in`` held per key: in a task and on the driver."""

    def __init__(self, merge: Callable[[Any, List[bytes]], bytes], fan_in: int = 16):
        self.merge, self.fan_in = merge, fan_in
        self.held: Dict[Any, List[bytes]] = {}

    def add(self, key: Any, state: bytes) -> None:
        held = self.held.setdefault(key, [])
        held.append(state)
        if len(held) == self.fan_in:
            self.held[key] = [self.merge(key, held)]

    def results(self) -> Dict[Any, bytes]:
        """Each key's merged state, in key order."""
        return {key: held[0] if len(held) == 1 else self.merge(key, held) for key, held in sorted(self.held.items())}


# ---------------------------------------------------------------- executor side


def _state_row(state: Optional[bytes] = None, cut: Optional[int] = None, rows: int = 0,
               error: Optional[BaseException] = None) -> Any:
    import pyarrow as pa

    kind = None if error is None else type(error).__name__
    kind = kind if kind in _ERRORS or kind is None else "RefereeError"
    return pa.RecordBatch.from_pydict({
        "state": pa.array([state], pa.binary()), "cut": pa.array([cut], pa.int64()),
        "rows": pa.array([rows], pa.int64()), "error_kind": pa.array([kind], pa.string()),
        "error": pa.array([None if error is None else _partition_message(error)], pa.string())})


def _partition_message(error: BaseException) -> str:
    """A referee error's message with the partition it came from; a row number in it counts
    within that partition's rows as the task read them."""
    from pyspark import TaskContext

    context = TaskContext.get()
    where = f"Spark partition {context.partitionId()}" if context is not None else "a Spark partition"
    return f"{where}: {error}"


def _guarded(work: Callable[[Iterator[Any]], Iterator[Any]]) -> Callable[[Iterator[Any]], Iterator[Any]]:
    """A referee error in a task becomes a row the driver raises again as the same class:
    bad data is not a task failure Spark should retry, and its message reaches the caller."""
    def run(batches: Iterator[Any]) -> Iterator[Any]:
        try:
            yield from work(batches)
        except RefereeError as e:
            yield _state_row(error=e)
    return run


def _table(batches: Iterable[Any], drop: Sequence[str] = ()) -> Optional[Any]:
    """A partition's batches as one Arrow table (the batches' buffers, not copied), or None
    for an empty partition."""
    import pyarrow as pa

    batches = [b for b in batches if b.num_rows]
    if not batches:
        return None
    table = pa.Table.from_batches(batches)
    return table.drop_columns(list(drop)) if drop else table


def _chunks(batches: Iterable[Any], rows: int) -> Iterator[List[Any]]:
    """A task's batches, gathered into lists of at least ``rows`` rows (the last one may
    hold fewer): one call into the core per chunk, whatever Spark's Arrow batch size."""
    chunk: List[Any] = []
    held = 0
    for batch in batches:
        if not batch.num_rows:
            continue
        chunk.append(batch)
        held += batch.num_rows
        if held >= rows:
            yield chunk
            chunk, held = [], 0
    if chunk:
        yield chunk


def facts_task(policy_text: str) -> Callable[[Iterator[Any]], Iterator[Any]]:
    """Round 0: the facts of a task's rows, folded chunk by chunk and merged (exact, any
    partitioning): one state row per task."""
    def work(batches: Iterator[Any]) -> Iterator[Any]:
        rp = _rp()
        merged, rows = None, 0
        for chunk in _chunks(batches, CHUNK_ROWS):
            table = _table(chunk)
            facts = rp.facts_state(table, policy_text)
            merged = facts if merged is None else rp.merge_facts([merged, facts])
            rows += table.num_rows
        if merged is not None:
            yield _state_row(merged, rows=rows)
    return _guarded(work)


def bucket_column(name: str) -> str:
    """The column that carries pass ``name``'s bucket from the bucket stage to the pass."""
    return f"{BUCKET}_{name}"


def cut_column(name: str) -> str:
    """The column that carries ranked pass ``name``'s cut label from the bucket stage."""
    return f"{CUT}_{name}"


def _signed(buckets: Any) -> Any:
    import numpy as np

    return (np.asarray(buckets, dtype=np.uint64) ^ np.uint64(_SIGN)).view(np.int64)


class Cuts:
    """How each ranked pass is cut: per pass, the bounds (signed buckets, increasing) that
    split its buckets into contiguous ranges, and the label each range travels under (the
    value whose hash sends it to Spark partition k). Equal buckets share a cut."""

    def __init__(self, bounds: Dict[str, Any], labels: Sequence[int], mergeable: Sequence[str]):
        self.bounds = bounds
        self.labels = list(labels)
        self.mergeable = list(mergeable)

    def labels_of(self, name: str, signed: Any) -> Any:
        import numpy as np

        return np.asarray(self.labels, dtype=np.int64)[np.searchsorted(self.bounds[name], signed, side="right")]


def sample_task(plan: bytes, names: Sequence[str]) -> Callable[[Iterator[Any]], Iterator[Any]]:
    """The buckets of a sample's rows in every ranked pass: what the cuts' bounds are chosen from."""
    def work(batches: Iterator[Any]) -> Iterator[Any]:
        import pyarrow as pa

        rp = _rp()
        for chunk in _chunks(batches, CHUNK_ROWS):
            every = rp.buckets(plan, list(names), _table(chunk))
            yield pa.RecordBatch.from_arrays([pa.array(_signed(b), pa.int64()) for b in every],
                                             [bucket_column(name) for name in names])
    return work


class _CutTotals:
    """A task's round-1 totals per (pass, cut label), merged chunk by chunk (exact: the
    passes' totals add in pieces) and held at most ``fan_in`` deep."""

    def __init__(self, plan: bytes, fan_in: int = 8):
        self.plan = plan
        self.merging = _Merging(lambda key, held: _rp().merge_totals(plan, key[0], held), fan_in)
        self.schema: Any = None  # the task's data batches' schema

    def add(self, name: str, table: Any, labels: Any) -> None:
        import numpy as np
        import pyarrow as pa

        rp = _rp()
        order = np.argsort(labels, kind="stable")
        values, starts = np.unique(labels[order], return_index=True)
        for k, label in enumerate(values.tolist()):
            stop = starts[k + 1] if k + 1 < len(starts) else len(order)
            piece = table.take(pa.array(order[starts[k]:stop]))
            self.merging.add((name, label), rp.totals_state(self.plan, name, piece, threads=_task_cpus()))

    def rows(self) -> Iterator[Any]:
        import pyarrow as pa

        schema = self.schema
        for (name, label), state in self.merging.results().items():
            values = {TOTALS: pa.array([state], pa.binary()), TOTALS_PASS: pa.array([name], pa.string()),
                      TOTALS_CUT: pa.array([label], pa.int64())}
            yield pa.RecordBatch.from_arrays(
                [values.get(f.name, pa.nulls(1, f.type)) for f in schema], schema=schema)


# The totals rows' own columns, null in a data row.
_TOTALS_TYPES = {TOTALS: "binary", TOTALS_PASS: "string", TOTALS_CUT: "int64"}


def bucket_task(plan: bytes, names: Sequence[str], cuts: Cuts) -> Callable[[Iterator[Any]], Iterator[Any]]:
    """Each row with its canonical bucket in every pass of ``names`` and its cut label in
    every ranked pass appended (pure functions of the row), a chunk at a time: one stage
    computes every pass's buckets. Round 1 of the passes whose totals add in pieces is
    taken here too, per cut, and follows the task's rows as totals rows."""
    def work(batches: Iterator[Any]) -> Iterator[Any]:
        import pyarrow as pa

        rp = _rp()
        totals = _CutTotals(plan)
        for chunk in _chunks(batches, CHUNK_ROWS):
            source = _table(chunk)
            table, cut_labels = source, []
            # One call for every pass: the chunk's columns are read into the core once.
            for name, buckets in zip(names, rp.buckets(plan, list(names), source)):
                signed = _signed(buckets)
                table = table.append_column(bucket_column(name), pa.array(signed, pa.int64()))
                if name in cuts.bounds:
                    cut_labels.append((name, cuts.labels_of(name, signed)))
            for name, labels in cut_labels:
                table = table.append_column(cut_column(name), pa.array(labels, pa.int64()))
                if name in cuts.mergeable:
                    totals.add(name, source, labels)
            for extra, kind in _TOTALS_TYPES.items():
                table = table.append_column(extra, pa.nulls(table.num_rows, getattr(pa, kind)()))
            # The input's columns as Spark gave them (their types kept: no copy), every
            # field nullable as the stage's schema declares; the totals rows take this
            # schema, so every batch of the task has one.
            table = table.cast(pa.schema([f.with_nullable(True) for f in table.schema]))
            yield from table.to_batches()
            totals.schema = table.schema
        yield from totals.rows()
    return work


def _task_cpus() -> Optional[int]:
    """The cores Spark gave this task (spark.task.cpus): the core's threads, so that the
    tasks an executor runs at once do not each take every core."""
    from pyspark import TaskContext

    context = TaskContext.get()
    return context.cpus() if context is not None and hasattr(context, "cpus") else None


def _cut_parts(table: Any) -> Iterator[Tuple[int, Any]]:
    """A partition's rows cut by cut label (a partition usually holds one cut; a hash
    collision may send two to one partition), without the label column."""
    import pyarrow.compute as pc

    labels = pc.unique(table.column(CUT)).to_pylist()
    rows = table.drop_columns([CUT])
    if len(labels) == 1:
        yield labels[0], rows
        return
    for label in sorted(labels):
        yield label, rows.filter(pc.equal(table.column(CUT), label))


def round_one_task(plan: bytes, name: str) -> Callable[[Iterator[Any]], Iterator[Any]]:
    """A ranked pass's round 1 (each cut's totals, all that aboves() reads), for a pass whose
    totals do not add in pieces (the bucket stage took the others'). Yields a state per cut."""
    def work(batches: Iterator[Any]) -> Iterator[Any]:
        rp = _rp()
        table = _table(batches)
        if table is None:
            return
        for label, part in _cut_parts(table):
            yield _state_row(rp.totals_state(plan, name, part, threads=_task_cpus()), label, rows=part.num_rows)
    return _guarded(work)


def order_free_task(plan: bytes, name: str) -> Callable[[Iterator[Any]], Iterator[Any]]:
    """An order-free pass's only round: the partition's share (whole key buckets)."""
    def work(batches: Iterator[Any]) -> Iterator[Any]:
        rp = _rp()
        table = _table(batches, drop=[BUCKET])
        if table is None:
            return
        yield _state_row(rp.pass_state(plan, name, table, threads=_task_cpus()), rows=table.num_rows)
    return _guarded(work)


def round_two_task(plan: bytes, name: str, aboves: Callable[[], Dict[int, Optional[bytes]]]) -> Callable[[Iterator[Any]], Iterator[Any]]:
    """A ranked pass's round 2, a share per cut: each cut's above is the weight ranked below
    it, from round 1; a cut round 1 did not see means the rows changed between the rounds."""
    def work(batches: Iterator[Any]) -> Iterator[Any]:
        rp = _rp()
        table = _table(batches)
        if table is None:
            return
        known = aboves()
        for label, part in _cut_parts(table):
            if label not in known:
                raise UsageError(f"pass {name!r}, round 2: a cut round 1 did not see: the rows changed between "
                                 "the rounds (a nondeterministic source?)")
            yield _state_row(rp.pass_state(plan, name, part, above=known[label], threads=_task_cpus()), label,
                             rows=part.num_rows)
    return _guarded(work)


# ---------------------------------------------------------------- driver side


def _states(frame: Any, what: str) -> Iterator[Tuple[bytes, Optional[int], int]]:
    """The state rows of a job, partition by partition (never collected at once); a
    partition's error is raised again as its referee class. The job runs on every core
    first, its small state rows persisted, since toLocalIterator alone would run one
    partition after the other."""
    _described(frame, f"referee: {what}")
    states = frame.persist(_storage())
    try:
        states.count()
        for row in states.toLocalIterator():
            if row["error_kind"] is not None:
                raise _ERRORS.get(row["error_kind"], RefereeError)(f"{what}: {row['error']}")
            yield bytes(row["state"]), row["cut"], row["rows"]
    finally:
        states.unpersist()


def _described(frame: Any, what: str) -> None:
    """Names the jobs that follow in the Spark UI and logs (a classic session only)."""
    if _classic(frame):
        frame.sparkSession.sparkContext.setJobDescription(what)


def _classic(frame: Any) -> bool:
    """True on a classic SparkSession (a SparkContext to name jobs and broadcast with),
    False on Spark Connect."""
    try:
        frame.sparkSession.sparkContext
        return True
    except Exception:  # noqa: BLE001 -- pyspark raises its own kinds on Connect
        return False


def _merged(merge: Callable[[List[bytes]], bytes], states: Iterable[bytes], fan_in: int = 16) -> Optional[bytes]:
    """The exact merge of states arriving one by one, at most ``fan_in`` held at once."""
    merging = _Merging(lambda _key, held: merge(held), fan_in)
    for state in states:
        merging.add(None, state)
    return merging.results().get(None)


def _map(frame: Any, task: Callable[..., Any], schema: Any) -> Any:
    return frame.mapInArrow(task, schema)


def _facts(frame: Any, policy_text: str) -> Tuple[bytes, int, int]:
    """The merged facts, the row count and the number of tasks that held rows."""
    rp = _rp()
    counted = [0, 0]
    started = time.perf_counter()

    def states() -> Iterator[bytes]:
        for state, _cut, rows in _states(_map(frame, facts_task(policy_text), STATE_SCHEMA), "facts"):
            counted[0] += rows
            counted[1] += 1
            yield state

    facts = _merged(rp.merge_facts, states())
    if facts is None:
        raise DataError("data: the Spark DataFrame has no rows")
    LOG.info("referee: facts of %d rows in %.1f s", counted[0], time.perf_counter() - started)
    return facts, counted[0], counted[1]


# The bucket stage takes round 1 only while its totals rows stay few: each task yields one
# per (pass, cut) it holds rows of, so their count is about tasks x cuts x passes, which
# grows as the square of the data (at 10^10 rows, 4 800 x 4 800 x 2 rows of a few KB). Past
# this many, round 1 is a job of its own over the cut (one more crossing of the rows into
# Python, linear in the data), which gives the same bytes.
TOTALS_ROWS_MAX = 1 << 14
# The sample the cuts' bounds are chosen from: about this many rows a cut, within these
# bounds (bounds only balance the cuts: any bounds give the same report).
SAMPLE_ROWS_PER_CUT, SAMPLE_ROWS = 256, (20_000, 200_000)


def _cut_bounds(frame: Any, plan: bytes, names: Sequence[str], partitions: int, rows: int) -> Dict[str, Any]:
    """Each ranked pass's bounds: the buckets at the 1/partitions quantiles of a sample of
    the rows (distinct, increasing), so each cut holds about rows/partitions rows."""
    import numpy as np
    from pyspark.sql.types import LongType, StructField, StructType

    if partitions == 1:
        return {name: np.empty(0, np.int64) for name in names}
    target = min(max(SAMPLE_ROWS[0], SAMPLE_ROWS_PER_CUT * partitions), SAMPLE_ROWS[1])
    schema = StructType([StructField(bucket_column(name), LongType()) for name in names])
    sample = _map(frame.sample(withReplacement=False, fraction=min(1.0, 1.25 * target / rows), seed=1729),
                  sample_task(plan, names), schema)
    _described(sample, "referee: the cuts' bounds")
    collected = sample.collect()  # at most SAMPLE_ROWS[1] rows of a long per ranked pass
    bounds = {}
    for name in names:
        values = np.sort(np.fromiter((row[bucket_column(name)] for row in collected), np.int64, len(collected)))
        picks = values[(np.arange(1, partitions) * len(values)) // partitions] if len(values) else values
        bounds[name] = np.unique(picks)
    return bounds


def _cut_labels(frame: Any, partitions: int) -> List[int]:
    """For k in 0..partitions-1, a value that Spark's hash partitioning into ``partitions``
    (pmod(hash(value), partitions), as repartition(n, column) computes it) sends to
    partition k: cut k travels under it, so each cut has a partition of its own. Found by a
    small Spark job, not by re-implementing Spark's hash; a value not found (or another
    hash in some Spark) only puts two cuts in one partition (round 2 takes them apart)."""
    from pyspark.sql import functions as F

    probe = 32 * partitions + 32
    found = {row["k"]: row["id"] for row in frame.sparkSession.range(0, probe)
             .groupBy(F.expr(f"pmod(hash(id), {partitions})").alias("k")).agg(F.min("id").alias("id")).collect()}
    return [found.get(k, probe + k) for k in range(partitions)]


def _cuts(frame: Any, plan: bytes, names: Sequence[str], partitions: int, rows: int, tasks: int) -> Cuts:
    rp = _rp()
    ranked = [name for name in names if rp.ranked(plan, name)]
    mergeable = [name for name in ranked if rp.mergeable_totals(plan, name)]
    if tasks * partitions * len(mergeable) > TOTALS_ROWS_MAX:
        LOG.info("referee: round 1 as jobs of their own (%d tasks x %d cuts x %d passes of totals rows)",
                 tasks, partitions, len(mergeable))
        mergeable = []
    bounds = _cut_bounds(frame, plan, ranked, partitions, rows) if ranked else {}
    return Cuts(bounds, _cut_labels(frame, partitions), mergeable)


def _bucketed_schema(frame: Any, names: Sequence[str], cuts: Cuts) -> Any:
    """The bucket stage's rows: the input's columns (nullable: the totals rows hold none),
    every pass's bucket, every ranked pass's cut label, the totals rows' columns."""
    from pyspark.sql.types import BinaryType, LongType, StringType, StructField, StructType

    fields = [StructField(f.name, f.dataType, True, f.metadata) for f in frame.schema.fields]
    fields += [StructField(bucket_column(name), LongType()) for name in names]
    fields += [StructField(cut_column(name), LongType()) for name in names if name in cuts.bounds]
    fields += [StructField(TOTALS, BinaryType()), StructField(TOTALS_PASS, StringType()),
               StructField(TOTALS_CUT, LongType())]
    return StructType(fields)


def _with_buckets(frame: Any, plan: bytes, names: Sequence[str], cuts: Cuts) -> Any:
    """The rows with every pass's bucket and cut, computed in one stage and persisted (with
    the totals rows): each pass cuts this copy, so the input is read, and the rows cross into
    Python for their buckets and round 1's totals, once."""
    schema = _bucketed_schema(frame, names, cuts)
    bucketed = _map(frame, bucket_task(plan, names, cuts), schema)
    bucketed = bucketed.persist(_storage())
    _described(bucketed, "referee: buckets")
    started = time.perf_counter()
    bucketed.count()
    LOG.info("referee: buckets of %d passes in %.1f s", len(names), time.perf_counter() - started)
    return bucketed


def _cut_totals(bucketed: Any, plan: bytes, names: Sequence[str]) -> Dict[str, Dict[int, bytes]]:
    """Round 1 of the passes the bucket stage took it for: per pass, each cut's totals,
    merged over the tasks' totals rows as they arrive (partition by partition)."""
    from pyspark.sql import functions as F

    if not names:
        return {}
    merging = _Merging(lambda key, held: _rp().merge_totals(plan, key[0], held))
    rows = bucketed.filter(F.col(TOTALS_PASS).isNotNull()).select(TOTALS_PASS, TOTALS_CUT, TOTALS)
    _described(rows, "referee: round 1's totals")
    for row in rows.toLocalIterator():
        merging.add((row[TOTALS_PASS], row[TOTALS_CUT]), bytes(row[TOTALS]))
    totals: Dict[str, Dict[int, bytes]] = {name: {} for name in names}
    for (name, label), state in merging.results().items():
        totals[name][label] = state
    return totals


def _pass_rows(data: Any, columns: Sequence[str], name: str, ranked: bool) -> Any:
    """The policy's columns and pass ``name``'s cut label (a ranked pass) or bucket."""
    from pyspark.sql import functions as F

    key = F.col(cut_column(name)).alias(CUT) if ranked else F.col(bucket_column(name)).alias(BUCKET)
    return data.select(*[F.col(c) for c in columns], key)


def _round_one(cut: Any, plan: bytes, name: str) -> Dict[int, bytes]:
    """Round 1 as a job over the cut (a pass whose totals do not add in pieces): each cut's totals."""
    return {label: state for state, label, _rows in
            _states(_map(cut, round_one_task(plan, name), STATE_SCHEMA), f"pass {name}, round 1")}


def _ranked_pass(rows: Any, plan: bytes, name: str, partitions: int, totals: Optional[Dict[int, bytes]]) -> bytes:
    """The rows hash-partitioned on the pass's cut label (one cut a partition; a cut is a
    contiguous range of buckets, so equal buckets never straddle two); round 1's totals
    per cut (from the bucket stage, or a job here), their aboves, round 2's shares."""
    rp = _rp()
    started = time.perf_counter()
    cut = rows.repartition(partitions, CUT)
    if totals is None:
        cut = cut.persist(_storage())
    try:
        if totals is None:
            totals = _round_one(cut, plan, name)
        labels = sorted(totals)
        known = dict(zip(labels, rp.aboves(plan, name, [totals[label] for label in labels])))
        LOG.info("referee: pass %s, round 1: %d cuts in %.1f s", name, len(labels), time.perf_counter() - started)
        lookup = _shared(cut, known)
        second = (state for state, _cut, _rows in
                  _states(_map(cut, round_two_task(plan, name, lookup), STATE_SCHEMA), f"pass {name}, round 2"))
        merged = _merged(lambda held: rp.merge(plan, name, held), second)
    finally:
        if cut.is_cached:
            cut.unpersist()
    LOG.info("referee: pass %s, round 2 merged; the pass took %.1f s", name, time.perf_counter() - started)
    return merged


def _order_free_pass(rows: Any, plan: bytes, name: str, partitions: int) -> bytes:
    """One round over the rows hash-partitioned on the pass's bucket (buckets whole)."""
    started = time.perf_counter()
    cut = rows.repartition(partitions, BUCKET)
    states = (state for state, _cut, _rows in
              _states(_map(cut, order_free_task(plan, name), STATE_SCHEMA), f"pass {name}"))
    merged = _merged(lambda held: _rp().merge(plan, name, held), states)
    LOG.info("referee: pass %s merged in %.1f s", name, time.perf_counter() - started)
    return merged


def _storage() -> Any:
    from pyspark import StorageLevel

    return StorageLevel.MEMORY_AND_DISK


def _shared(frame: Any, value: Dict[int, bytes]) -> Callable[[], Dict[int, bytes]]:
    """``value`` as the tasks read it: a broadcast variable on a classic session (each
    executor fetches it once), else carried in the task's closure (Spark Connect)."""
    if _classic(frame):
        variable = frame.sparkSession.sparkContext.broadcast(value)
        return lambda: variable.value
    return lambda: value


def default_partitions(frame: Any, rows: int) -> int:
    """About ROWS_PER_PARTITION rows a partition, and at least the session's parallelism."""
    parallelism = frame.sparkSession.sparkContext.defaultParallelism if _classic(frame) else 2
    return max(parallelism, math.ceil(rows / ROWS_PER_PARTITION), 1)


def _selected(frame: Any, policy: "_core.Policy") -> Any:
    """Only the columns the policy names cross into Python; a missing one is named."""
    from .sagemaker import required_columns

    wanted = required_columns(policy)
    if policy.task == "multiclass":  # the probability columns a prefix or a list names
        _, champion, challenger = policy.resolve_class_columns(list(frame.columns))
        wanted += [c for c in (*champion, *challenger) if c not in wanted]
    present = set(frame.columns)
    missing = [c for c in wanted if c not in present]
    if missing:
        raise DataError(f"data: the Spark DataFrame has no column {json.dumps(missing[0])}"
                        f"{' (nor others the policy names)' if len(missing) > 1 else ''}")
    return frame.select(*wanted)


def evaluate(frame: Any, policy: Any, *, seed: Optional[int] = None, partitions: Optional[int] = None) -> Report:
    """The gate over a Spark DataFrame: the same ``Report`` as ``referee.evaluate`` on the
    same rows (byte for byte outside ``run``), in any partitioning and row order.

    ``policy`` is a dict, a JSON string or the path of a JSON file on the driver, as
    ``referee.evaluate`` takes it; the policy needs a row id (``$.columns.id``) or
    a cluster key (``$.columns.cluster``): a DataFrame has no file order to key on. ``seed`` overrides the policy's.
    ``partitions`` is the number of partitions a pass is cut into (default: one per
    ~2 million rows, at least the session's parallelism). Features the partitioned path
    does not cover yet are refused with a ``PolicyError`` naming the feature (docs/spark.md).
    """
    if partitions is not None and (not isinstance(partitions, int) or isinstance(partitions, bool)
                                   or partitions < 1):
        raise UsageError("partitions must be a positive integer")
    from pyspark.sql import functions as F

    _core.check_arguments(seed=seed, threads=None)
    rp = _rp()
    policy_text, parsed = _policy_text(policy)
    frame = _selected(frame, parsed)
    facts, rows, tasks = _facts(frame, policy_text)
    plan = rp.make_plan(policy_text, facts, seed=seed)
    count = partitions or default_partitions(frame, rows)
    names = rp.passes(plan)
    cuts = _cuts(frame, plan, names, count, rows, tasks)
    bucketed = _with_buckets(frame, plan, names, cuts)
    merged = {}
    try:
        totals = _cut_totals(bucketed, plan, cuts.mergeable)
        data = bucketed.filter(F.col(TOTALS_PASS).isNull())
        for name in names:
            ranked = name in cuts.bounds
            rows_of = _pass_rows(data, frame.columns, name, ranked)
            merged[name] = (_ranked_pass(rows_of, plan, name, count, totals.get(name)) if ranked
                            else _order_free_pass(rows_of, plan, name, count))
    finally:
        bucketed.unpersist()
    return rp.finish(plan, merged)


# ---------------------------------------------------------------- python -m referee.spark


def parse_args(argv: Optional[Sequence[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m referee.spark",
                                     description="Runs a referee gate over a Parquet path with Spark.")
    parser.add_argument("--data", required=True, help="a Parquet file, folder or prefix (s3a://, hdfs://, file)")
    parser.add_argument("--policy", required=True, help="the policy: a JSON file on the driver")
    parser.add_argument("--out", required=True, type=Path, help="the folder the reports are written to")
    parser.add_argument("--format", default="parquet", choices=("parquet", "orc", "json", "csv"),
                        help="the data's format (csv: with a header; every column read as text)")
    parser.add_argument("--seed", default=None)
    parser.add_argument("--partitions", default=None)
    parser.add_argument("--exit-zero-on-verdict", action="store_true",
                        help="exit 0 on FAIL and INCONCLUSIVE (a SageMaker Pipeline's ConditionStep reads the "
                             "verdict from evaluation.json)")
    return parser.parse_args(argv)


def _integer(text: Optional[str], what: str) -> Optional[int]:
    if text is None:
        return None
    if not text.isdigit():
        raise UsageError(f"--{what}: expected a non-negative integer")
    return int(text)


def _read(spark: Any, args: argparse.Namespace) -> Any:
    reader = spark.read.option("header", "true") if args.format == "csv" else spark.read
    try:
        return reader.format(args.format).load(args.data)
    except Exception as e:  # noqa: BLE001 -- Spark's AnalysisException: a path that is not there
        raise IoError(f"data: {args.data} cannot be read as {args.format} ({type(e).__name__})") from None


def _report_sections(data: Dict[str, Any]) -> Dict[str, Any]:
    """Model Monitor's section for the task, from the report alone: for binary, the
    figures the core computes (the table's confusion matrix and curves left out)."""
    task = data["task"]
    if task not in _model_monitor.NEEDS_COLUMNS:
        return _model_monitor.layout(data, None)
    section = _model_monitor.LAYOUTS[task][0]
    return {section: _model_monitor.report_figures(data, _model_monitor.CORE_NAMES[task])}


def outputs(report: Report) -> List[Tuple[str, str]]:
    """What ``referee run`` writes (report.json, the Markdown and HTML reports), the
    summary it prints, and evaluation.json for a SageMaker ConditionStep (the figures the
    report holds; the confusion matrix and the curves need the rows, which a driver never
    holds, so model_quality.json is not written: docs/spark.md)."""
    from .sagemaker import evaluation_json

    data = report.to_dict()
    sections = _report_sections(data)
    return [("report.md", report.to_markdown()), ("report.html", report.to_html()),
            ("summary.txt", str(report) + "\n"), ("report.json", report.to_json()),
            ("evaluation.json", json.dumps(evaluation_json(data, sections), indent=2) + "\n")]


def run(args: argparse.Namespace) -> Report:
    from pyspark.sql import SparkSession

    seed, partitions = _integer(args.seed, "seed"), _integer(args.partitions, "partitions")
    _core.check_arguments(seed=seed, threads=None)
    policy = _core.Policy.load(os.fspath(args.policy), None)  # read on the driver, before Spark starts
    spark = SparkSession.builder.appName("referee gate").getOrCreate()
    report = evaluate(_read(spark, args), policy, seed=seed, partitions=partitions)
    args.out.mkdir(parents=True, exist_ok=True)
    _core.write_outputs([(name, os.fspath(args.out / name), text) for name, text in outputs(report)], None)
    return report


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Exit codes are the CLI's (the core's table): 0 PASS or WARN, 1 FAIL, 2 INCONCLUSIVE,
    64 usage, 65 data or policy, 74 I/O, 70 internal, 130 interrupted."""
    from .sagemaker import classify, failure_message

    try:
        args = parse_args(argv)
    except SystemExit as e:  # argparse printed its usage
        return 0 if e.code == 0 else UsageError.exit_code
    try:
        report = run(args)
    except (Exception, KeyboardInterrupt) as e:  # noqa: BLE001 -- a code and a message, never a traceback
        code, kind = classify(e)
        print(failure_message(kind, e), end="", file=sys.stderr)
        return code
    print(str(report))
    if args.exit_zero_on_verdict:
        return 0
    return _core.VERDICT_EXIT_CODES[report.verdict]


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    sys.exit(main())
