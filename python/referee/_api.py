"""The Python entry points: evaluate(), metric() and compare().

Data goes to the compiled core as float64 C-contiguous numpy arrays. Arrays already in
that form are passed through untouched (the core reads them in place); anything else is
converted here, explicitly, once.
"""

from __future__ import annotations

import difflib
import json
import math
import os
import re
import sys
from typing import Any, Callable, Dict, Mapping, Optional, Tuple, Union

import numpy as np

from . import _core
from ._core import DataError, Policy, PolicyError, RefereeError, UsageError
from ._report import Comparison, Estimate, Report

PolicyLike = Union[Policy, Mapping[str, Any], str, bytes, "os.PathLike[str]"]
PathLike = Union[str, bytes, "os.PathLike[str]", "os.PathLike[bytes]"]
# {limit name: positive int}, by the core's one name table (docs/security.md).
Limits = Optional[Mapping[str, int]]

# {metric: task}, in the core's catalogue order.
# A name's first task in catalogue order: "accuracy" is binary's for a 1-D score, and
# multiclass's only for an n x K score (see _task_for_scores).
_METRIC_TASKS: dict = {}
for _name, _task, _ in _core.METRIC_CATALOGUE:
    _METRIC_TASKS.setdefault(_name, _task)


class UndefinedMetricError(RefereeError):
    """metric() was asked for a value the data does not define (e.g. AUC with one class)."""


def _limits(limits: Limits) -> Optional[dict]:
    """``limits`` as the plain dict the core reads (names and values it checks itself)."""
    if limits is None:
        return None
    if not isinstance(limits, Mapping):
        raise UsageError("limits must be a dict {name: positive integer}")
    return dict(limits)


def _policy(policy: PolicyLike, limits: Limits = None) -> Policy:
    if isinstance(policy, Policy):
        return policy
    if isinstance(policy, Mapping):
        return Policy.from_json(json.dumps(policy), "policy", _limits(limits))
    if isinstance(policy, (str, bytes, os.PathLike)):
        text = os.fspath(policy)
        start = text.lstrip()[:1]
        if start in ("{", b"{"):
            return Policy.from_json(text, "policy", _limits(limits))
        return Policy.load(text, _limits(limits))
    raise TypeError(f"policy must be a dict, a JSON string or a path, not {type(policy).__name__}")


def policy_file_of(policy: PolicyLike) -> Optional[str]:
    """The policy's file when it was given as a path (an attestation's subject), else None."""
    if isinstance(policy, (str, bytes, os.PathLike)) and os.fspath(policy).lstrip()[:1] not in ("{", b"{"):
        return os.fspath(policy)
    return None


def _column_names(data: Any) -> list:
    if isinstance(data, Mapping):
        return list(data.keys())
    if hasattr(data, "column_names"):  # pyarrow.Table
        return list(data.column_names)
    if hasattr(data, "columns"):  # pandas or polars DataFrame
        return [str(c) for c in data.columns]
    raise TypeError(
        "data must be a pandas or polars DataFrame, a pyarrow Table, a dict of arrays or a CSV path, "
        f"not {type(data).__name__}")


def _column(data: Any, name: str, role: str = "") -> Any:
    names = _column_names(data)
    if name not in names:
        close = difflib.get_close_matches(name, names, n=1)
        hint = f' (did you mean "{close[0]}"?)' if close else f" (columns: {', '.join(names[:10])})"
        raise DataError(f'no {role}column "{name}" in the data{hint}')
    if hasattr(data, "column_names") and not isinstance(data, Mapping):  # pyarrow
        column = data.column(name)
        if hasattr(column, "chunks"):  # a Table's ChunkedArray
            return column.to_numpy()
        # A RecordBatch's Array: numbers stay zero-copy; text needs a copy, which the default
        # (zero_copy_only) would refuse.
        return column.to_numpy(zero_copy_only=False)
    return data[name]


def _as_float64(values: Any, name: str) -> np.ndarray:
    if hasattr(values, "dtype") and str(values.dtype) == "category":
        raise DataError(f'column "{name}": a categorical column cannot be a numeric role')
    if hasattr(values, "to_numpy") and not isinstance(values, np.ndarray):
        try:  # pandas nullable dtypes: missing values become NaN, which the core rejects by row
            values = values.to_numpy(dtype=np.float64, na_value=np.nan)
        except (TypeError, ValueError):  # text: pandas 3's str dtype raises ValueError
            values = values.to_numpy()
    array = np.asarray(values)
    if array.ndim != 1:
        raise DataError(f'column "{name}" must be one-dimensional, got shape {array.shape}')
    if array.dtype.kind not in "biuf":
        raise DataError(f'column "{name}" must be numeric, got dtype {array.dtype}')
    # Returns `array` itself when it is already float64 and C-contiguous: zero copy.
    return np.ascontiguousarray(array, dtype=np.float64)


def _is_pandas_categorical(values: Any) -> bool:
    # by dtype, not by a .cat attribute: a polars Series has a .cat namespace of another kind
    return str(getattr(values, "dtype", "")) == "category" and hasattr(values, "cat")


def _is_missing(v: Any) -> bool:
    # None, NaN, and pandas' NA and NaT (whose truth value cannot be taken)
    return v is None or (isinstance(v, float) and math.isnan(v)) or type(v).__name__ in ("NAType", "NaTType")


def _first_missing(values: Any) -> Optional[int]:
    """The 0-based index of the first missing value that the column itself reports (pandas
    isna, polars and pyarrow is_null), or None: read before a conversion to numpy turns an
    integer column with gaps into floats."""
    for method in ("isna", "is_null"):
        if hasattr(values, method) and not isinstance(values, np.ndarray):
            mask = getattr(values, method)()
            mask = np.asarray(mask.to_numpy() if hasattr(mask, "to_numpy") else mask, dtype=bool)
            return int(np.argmax(mask)) if mask.any() else None
    return None


# --- text columns: dictionary encoding without a per-row Python loop ------------------
#
# A segment, sensitive or cluster column (and a drift feature) reaches the core as uint32
# codes into a dictionary of texts; the core sorts the texts by their UTF-8 bytes and drops
# unused ones (CategoricalColumn), so only the grouping matters here, not the order. The
# grouping is by a value's text, as a CSV would hold it: an object column holding 1 and "1"
# is one group "1", as the CSV reader would see it. The hashing is pandas' (factorize), or
# Arrow's (dictionary_encode) for an Arrow column, or numpy's (unique) without pandas; each
# distinct value is then turned into text once, and values whose texts coincide merged.
# Python-level work is per distinct value, never per row, except for an object column
# mixing kinds (str with int, float or bool), where Python's equality would merge 1, 1.0
# and True: that one is encoded exactly, row by row (_factorize_by_text).

_EXACT_OBJECT_KINDS = ("string", "empty", "integer")  # pandas infer_dtype: equality is text equality


def _pandas() -> Any:
    try:
        import pandas
    except ImportError:  # referee runs without pandas: numpy's unique or the exact loop
        return None
    return pandas


def _arrow_text_column(values: Any) -> Optional[Any]:
    """A pyarrow string or dictionary column as one string ChunkedArray, else None."""
    if not hasattr(values, "type") or not hasattr(values, "is_null"):
        return None
    import pyarrow as pa
    value_type = values.type.value_type if pa.types.is_dictionary(values.type) else values.type
    if not (pa.types.is_string(value_type) or pa.types.is_large_string(value_type)):
        return None
    chunked = values if isinstance(values, pa.ChunkedArray) else pa.chunked_array([values])
    return chunked.cast(value_type) if value_type != chunked.type else chunked


def _factorize_arrow(chunked: Any) -> Tuple[np.ndarray, list]:
    """Arrow's hash encoding; one memo table across chunks, so one shared dictionary."""
    import pyarrow as pa
    encoded = chunked.dictionary_encode()
    if encoded.num_chunks == 0:
        return np.zeros(0, dtype=np.int64), []
    indices = pa.chunked_array([c.indices for c in encoded.chunks], type=encoded.chunk(0).indices.type)
    codes = indices.fill_null(-1).to_numpy().astype(np.int64, copy=False)
    return codes, encoded.chunk(0).dictionary.to_pylist()


def _factorize_by_text(array: np.ndarray) -> Tuple[np.ndarray, list]:
    """The exact path, one row at a time: values equal when their type and str() are (so 1,
    1.0, True and "1" stay apart until their texts are compared). Missing values get -1."""
    index: Dict[Tuple[type, str], int] = {}
    codes = np.empty(len(array), dtype=np.int64)
    uniques: list = []
    for row, v in enumerate(array):
        if _is_missing(v):
            codes[row] = -1
            continue
        key = (type(v), str(v))
        if key not in index:
            index[key] = len(uniques)
            uniques.append(v)
        codes[row] = index[key]
    return codes, uniques


def _first_rows(codes: np.ndarray, count: int) -> np.ndarray:
    """The first row of each code 0..count-1 (the last write of a reversed scatter wins)."""
    first = np.zeros(count, dtype=np.int64)
    first[codes[::-1]] = np.arange(len(codes) - 1, -1, -1)
    return first


def _factorize_unicode(array: np.ndarray, pd: Any) -> Tuple[np.ndarray, list]:
    """numpy's fixed-width text (dtype U), which pandas would first copy into Python str
    objects (0.5 s for 2*10^6 rows) and np.unique would sort (4 s): each row's UCS-4 code
    units are hashed column by column (FNV-1a over 32-bit units), the hashes factorized,
    and every row compared with its group's first row, so that a collision can never merge
    two texts (then np.unique decides, exactly)."""
    if len(array) == 0 or array.itemsize == 0:  # no rows, or every row the empty text
        return np.zeros(len(array), dtype=np.int64), [""] if len(array) else []
    words = np.ascontiguousarray(array).view(np.uint32).reshape(len(array), -1)
    hashes = np.full(len(array), 0xCBF29CE484222325, dtype=np.uint64)
    for column in words.T:  # one pass per character position, never per row
        hashes = (hashes ^ column.astype(np.uint64)) * np.uint64(0x100000001B3)
    if pd is not None:
        codes = np.asarray(pd.factorize(hashes)[0], dtype=np.int64)
    else:
        codes = np.unique(hashes, return_inverse=True)[1].reshape(-1).astype(np.int64)
    count = int(codes.max()) + 1 if len(codes) else 0
    first = _first_rows(codes, count)
    if not (words == words[first[codes]]).all():  # a hash collision: the exact, slower way
        uniques, inverse = np.unique(array, return_inverse=True)
        return inverse.reshape(-1).astype(np.int64, copy=False), list(uniques)
    return codes, [str(t) for t in array[first]]


def _factorize(values: Any) -> Tuple[np.ndarray, list]:
    """(int64 codes, distinct values): code -1 where a value is missing (None, NaN, NA, NaT)."""
    if _is_pandas_categorical(values):
        return np.asarray(values.cat.codes, dtype=np.int64), list(values.cat.categories)
    arrow = _arrow_text_column(values)
    if arrow is not None:
        return _factorize_arrow(arrow)
    pd = _pandas()
    if pd is not None and hasattr(values, "dtype") and not isinstance(values, np.ndarray) \
            and str(values.dtype) in ("string", "str"):
        codes, uniques = pd.factorize(values)  # pandas' own string arrays, Arrow-backed or not
        return np.asarray(codes, dtype=np.int64), list(np.asarray(uniques, dtype=object))
    array = np.asarray(values.to_numpy() if hasattr(values, "to_numpy") else values)
    if array.dtype.kind == "U" and array.ndim == 1:
        return _factorize_unicode(array, pd)
    if array.dtype.kind in "iuU":  # no missing values possible
        uniques, inverse = np.unique(array, return_inverse=True)
        return inverse.reshape(-1).astype(np.int64, copy=False), list(uniques)
    if array.dtype.kind == "O" and pd is not None \
            and pd.api.types.infer_dtype(array, skipna=True) in _EXACT_OBJECT_KINDS:
        codes, uniques = pd.factorize(array)
        return np.asarray(codes, dtype=np.int64), list(uniques)
    return _factorize_by_text(array.astype(object))


def _merge_equal_texts(codes: np.ndarray, texts: list) -> Tuple[np.ndarray, list]:
    """Codes into ``texts`` re-encoded into the distinct texts (1 and "1" become one "1")."""
    if len(set(texts)) == len(texts):
        return np.ascontiguousarray(codes, dtype=np.uint32), texts
    distinct, remap = np.unique(np.array(texts, dtype=object), return_inverse=True)
    return np.ascontiguousarray(remap.reshape(-1)[codes], dtype=np.uint32), [str(t) for t in distinct]


def _refused_kind(value: Any) -> bool:
    return isinstance(value, (bool, float, np.bool_, np.floating))


def _first_row(mask: np.ndarray) -> Optional[int]:
    return int(np.argmax(mask)) if mask.any() else None


def dictionary_encode(values: Any, name: str, *, strict: bool = False) -> Tuple[np.ndarray, list]:
    """The one encoder of a text column into (uint32 codes, list of str): segment, sensitive
    and cluster columns (and the place for a string label column). A value's text is its
    str(), an integer's its digits; a pandas categorical keeps its categories (unused ones
    are fine: the core drops them). A missing value (None, NaN, NA, NaT) is a DataError
    naming the row (1-based). ``strict`` refuses float and boolean values in an object
    column (segment and sensitive columns), naming the first such row."""
    codes, uniques = _factorize(values)
    missing_row = _first_row(codes < 0)
    refused_row = None
    if strict and not _is_pandas_categorical(values):
        refused = np.array([_refused_kind(u) for u in uniques] + [False], dtype=bool)
        refused_row = _first_row(refused[codes])
    if missing_row is not None and (refused_row is None or missing_row < refused_row):
        raise DataError(f'column "{name}": row {missing_row + 1}: missing value')
    if refused_row is not None:
        kind = type(uniques[codes[refused_row]]).__name__
        raise DataError(f'column "{name}": row {refused_row + 1}: segment and sensitive columns must hold '
                        f"strings, categories or integers, not {kind} values")
    texts = [str(int(u)) if isinstance(u, (int, np.integer)) and not isinstance(u, (bool, np.bool_)) else str(u)
             for u in uniques]
    return _merge_equal_texts(codes, texts)


def _row_ids(values: Any, name: str) -> Tuple[np.ndarray, Any]:
    """The row id column ($.columns.id) as (uint32 codes, texts). Text and categories are
    encoded as a cluster column is; a numeric column goes through the core's one rule for
    numeric ids (integers are their digits, whole floats their integer's digits, so 42,
    42.0 and a CSV's "42" are one id; a fraction is a DataError naming the row), and its
    texts stay in the core (an opaque handle: one str per row would cost more than the
    evaluation of those rows on Spark)."""
    if not _is_pandas_categorical(values) and _arrow_text_column(values) is None:
        array = values.to_numpy() if hasattr(values, "to_numpy") else values
        kind = getattr(getattr(array, "dtype", None), "kind", None)
        if kind == "b":
            raise DataError(f'column "{name}": an id column must hold text or integers, not booleans')
        if kind == "u" and len(array) and np.asarray(array).max() > np.iinfo(np.int64).max:
            raise DataError(f'column "{name}": an id is beyond the 64-bit integer range')
        if kind in ("i", "u"):
            return _core.integer_row_ids(np.ascontiguousarray(array, dtype=np.int64))
        if kind == "f":
            return _core.float_row_ids(np.ascontiguousarray(array, dtype=np.float64), name)
    return dictionary_encode(values, name)


def _refuse_kind(kind: Optional[str], dtype: Any, name: str) -> None:
    if kind is not None and kind in "fcb":
        raise DataError(f'column "{name}": segment and sensitive columns must hold strings, '
                        f"categories or integers, not {dtype}")


def _as_categorical(values: Any, name: str) -> Tuple[np.ndarray, list]:
    """Dictionary-encodes a segment or sensitive column: strings, categoricals or integers.

    A value's text is what the CSV reader would read for it: an integer's decimal digits,
    a category's str(). Floats and booleans are refused, since their text is ambiguous
    ("1" or "1.0", "True" or "1"). Missing values are refused by row (1-based).
    """
    if _is_pandas_categorical(values) or _arrow_text_column(values) is not None:
        return dictionary_encode(values, name, strict=True)  # text: nulls are seen as missing there
    dtype = getattr(values, "dtype", None)
    # numpy dtypes and pandas extension dtypes (Int64, boolean, Float64, string) have .kind
    _refuse_kind(getattr(dtype, "kind", None), dtype, name)
    # Integers with gaps (pandas Int64, Arrow) are judged before numpy turns them into floats;
    # text (kind "O") reports its missing values itself, in row order with refused kinds.
    row = _first_missing(values) if getattr(dtype, "kind", None) != "O" else None
    if row is not None:
        raise DataError(f'column "{name}": row {row + 1}: missing value')
    if isinstance(values, (list, tuple)):  # numpy would make ["a", nan] the text "nan"
        values = np.array(values, dtype=object) if len(values) else np.array([], dtype=str)
    elif not hasattr(values, "dtype") or not hasattr(getattr(values, "dtype"), "kind"):
        # a pyarrow ChunkedArray or a polars Series: judge the numpy form
        values = np.asarray(values.to_numpy() if hasattr(values, "to_numpy") else values)
        _refuse_kind(values.dtype.kind, values.dtype, name)
    return dictionary_encode(values, name, strict=True)


def _categorical_column(data: Any, name: str, role: str = "") -> Any:
    """A segment or sensitive column as the data holds it (a pyarrow column stays a
    ChunkedArray, so that its nulls are seen before numpy would turn integers into floats)."""
    if hasattr(data, "column_names") and not isinstance(data, Mapping):
        _column(data, name, role)  # the missing-column message
        return data.column(name)
    return _column(data, name, role)


def _in_first_seen_order(inverse: np.ndarray, text: list) -> Tuple[np.ndarray, list]:
    """Codes into ``text`` (sorted, as np.unique gives them) re-encoded into a dictionary
    in first-seen order, the order the CSV reader gives; entries no row uses are dropped."""
    inverse = np.asarray(inverse).reshape(-1)
    used, first = np.unique(inverse, return_index=True)
    order = used[np.argsort(first, kind="stable")]
    rank = np.zeros(len(text), dtype=np.uint32)
    rank[order] = np.arange(len(order), dtype=np.uint32)
    return np.ascontiguousarray(rank[inverse], dtype=np.uint32), [text[i] for i in order]


def _value_text(v: Any) -> str:
    """A cell's text as a CSV would hold it: "" for a missing value, an integer's digits,
    a float's repr (the shortest text that reads back as the same double)."""
    if _is_missing(v):
        return ""
    if isinstance(v, (bool, np.bool_)):
        return str(bool(v))
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, np.floating) and v.dtype != np.float64:
        return "" if np.isnan(v) else str(v)  # numpy's shortest text for its own precision
    if isinstance(v, (float, np.floating)):
        return repr(float(v))
    return str(v)


def _as_text(values: Any, name: str) -> Tuple[np.ndarray, list]:
    """A drift feature as text, dictionary-encoded in first-seen order, exactly as the CSV
    reader hands it to the drift check: "" is a missing value (None, NaN, NA), a number is
    text that reads back as the same number, anything else its str()."""
    if _is_pandas_categorical(values):
        codes = np.asarray(values.cat.codes, dtype=np.int64)
        categories = [_value_text(c) for c in values.cat.categories] + [""]
        return _in_first_seen_order(np.where(codes < 0, len(categories) - 1, codes), categories)
    if _arrow_text_column(values) is None:
        array = np.asarray(values.to_numpy() if hasattr(values, "to_numpy") else values)
        if array.ndim != 1:
            raise DataError(f'column "{name}" must be one-dimensional, got shape {array.shape}')
        if array.dtype.kind in "biuf":  # few distinct values: format each once
            unique, inverse = np.unique(array, return_inverse=True)
            return _in_first_seen_order(inverse, [_value_text(v) for v in unique])
    codes, uniques = _factorize(values)
    texts = [_value_text(v) for v in uniques] + [""]  # the last: missing values
    codes = np.where(codes < 0, len(texts) - 1, codes)
    merged, distinct = _merge_equal_texts(codes, texts)
    return _in_first_seen_order(merged, distinct)


_MODELS = ("champion", "challenger")


def _model_columns(data: Any, pair: Mapping[str, Optional[str]]) -> Tuple[Optional[np.ndarray], ...]:
    """A serving figure's per-row columns (latency, cost, error) as float64 arrays."""
    return tuple(_as_float64(_column(data, pair[m]), pair[m]) if pair[m] else None for m in _MODELS)


def _latency_samples(latency: Any) -> Tuple[Optional[str], Optional[Tuple[np.ndarray, np.ndarray]]]:
    """A load test's latency: (the path of its CSV, None) or (None, (champion, challenger)),
    the samples checked by the core's own check (finite, >= 0, both models present)."""
    if latency is None:
        return None, None
    if isinstance(latency, (str, bytes, os.PathLike)):
        return os.fspath(latency), None
    if isinstance(latency, Mapping) and set(latency.keys()) == set(_MODELS):
        samples = tuple(_as_float64(latency[m], f"latency {m}") for m in _MODELS)
        _core.validate_latency_samples(*samples, "latency")
        return None, samples
    try:
        names = _column_names(latency)
    except TypeError:
        names = []
    if "model" not in names or "latency_ms" not in names:
        raise TypeError("latency must be a CSV path, a table with the columns model and latency_ms, "
                        'or a dict {"champion": array, "challenger": array}')
    codes, dictionary = _as_text(_categorical_column(latency, "model"), "model")
    which = np.array([_MODELS.index(t) if t in _MODELS else -1 for t in dictionary], dtype=np.int64)[codes]
    ms = _as_float64(_column(latency, "latency_ms"), "latency_ms")
    if (which < 0).any():
        row = int(np.argmax(which < 0))
        raise DataError(f'latency: row {row + 1}, column "model": "{dictionary[codes[row]]}" is not a model; '
                        'expected "champion" or "challenger"')
    samples = (ms[which == 0], ms[which == 1])
    _core.validate_latency_samples(*samples, "latency")
    return None, samples


def _progress_bar() -> Callable[[float], None]:
    def show(fraction: float) -> None:
        filled = int(30 * fraction)
        sys.stderr.write(f"\rreferee [{'#' * filled}{'.' * (30 - filled)}] {fraction:4.0%}")
        if fraction >= 1.0:
            sys.stderr.write("\n")
        sys.stderr.flush()
    return show


def evaluate(data: Any, policy: PolicyLike, *, seed: Optional[int] = None,
             threads: Optional[int] = None, progress: bool = False, latency: Any = None,
             reference: Optional[PathLike] = None, limits: Limits = None) -> Report:
    """Runs the gate: every metric for both models with paired bootstrap CIs, the rules, the verdict.

    ``data`` is a pandas or polars DataFrame, a pyarrow Table, a dict of numpy arrays, or
    the path of a CSV file (read by referee's own reader, exactly as the CLI reads it).
    ``policy`` is a dict, a JSON string or the path of a JSON file (docs/policy.md).
    ``seed`` overrides the policy's seed; ``threads`` defaults to all cores. The result
    depends on the seed, never on the thread count. The GIL is released while referee computes.

    ``latency`` gives the latency budgets a load test's samples instead of the policy's
    ``$.columns.latency``: the path of a CSV with the columns ``model`` (champion or
    challenger) and ``latency_ms`` (the CLI's ``--latency``), a table with those columns,
    or a dict ``{"champion": array, "challenger": array}``. ``reference`` overrides the
    policy's ``$.drift.reference`` (a path, relative to the working directory).

    ``seed`` is an integer from 0 to 2**64 - 1 and ``threads`` from 1 to 1024; anything
    else is a ``UsageError``. Paths may be str, bytes or ``os.PathLike``. ``limits`` raises
    or lowers the caps on what the inputs may hold (``{"max_segment_values": 5000}``; the
    names and defaults are in docs/security.md, the same as the CLI's ``--limit``). Ctrl-C
    stops the evaluation promptly (``KeyboardInterrupt``), with or without ``progress``.
    """
    _core.check_arguments(seed=seed, threads=threads)  # before anything is read
    checked_limits = _limits(limits)
    p = _policy(policy, checked_limits)
    callback = _progress_bar() if progress else None
    latency_file, latency_ms = _latency_samples(latency)
    drift_reference = None if reference is None else os.fspath(reference)
    report = _evaluate(data, p, seed, threads, callback, latency_file, latency_ms, drift_reference, checked_limits)
    report._policy_file = policy_file_of(policy)
    return report


def _evaluate(data: Any, p: Policy, seed: Optional[int], threads: Optional[int], callback: Any,
              latency_file: Any, latency_ms: Any, drift_reference: Any, checked_limits: Optional[dict]) -> Report:
    if isinstance(data, (str, bytes, os.PathLike)):
        return Report(*_core.evaluate_csv(os.fspath(data), p, seed, threads, callback,
                                          latency_file, latency_ms, drift_reference, checked_limits))
    label, champion, challenger, weight, codes, dictionary, categorical, drift, class_scores, class_columns = \
        table_columns(data, p)
    cols: Dict[str, Any] = p.columns
    return Report(*_core.evaluate_arrays(
        p, label, champion, challenger, weight, codes, dictionary, seed, threads, callback, categorical,
        _model_columns(data, cols["latency"]), _model_columns(data, cols["cost"]),
        _model_columns(data, cols["error"]), drift, latency_file, latency_ms, drift_reference, checked_limits,
        class_scores, class_columns))


def table_columns(data: Any, p: Policy) -> Tuple[Any, ...]:
    """The policy's columns of ``data`` as the core's table builder takes them (one place for
    evaluate() and the partitioned steps): label, both models' scores, weight, cluster codes
    and dictionary, the text columns, the drift features, the class blocks."""
    cols: Dict[str, Any] = p.columns
    label_values = _column(data, cols["label"]) if cols["label_kind"] != "none" else None
    text_label = cols["label_kind"] == "text"
    label = None if cols["label_kind"] != "numeric" else _numeric_label_column(label_values, cols["label"])
    class_scores, class_columns = _class_scores(data, p) if p.task == "multiclass" else (None, [])
    if class_scores is not None:
        champion = challenger = np.empty(0)
    else:
        champion = _as_float64(_positive_scores(p, label_values, _column(data, cols["champion"])), cols["champion"])
        challenger = _as_float64(_positive_scores(p, label_values, _column(data, cols["challenger"])),
                                 cols["challenger"])
    weight = _as_float64(_column(data, cols["weight"]), cols["weight"]) if cols["weight"] else None
    codes, dictionary = (None, [])
    if cols["cluster"]:
        codes, dictionary = dictionary_encode(_column(data, cols["cluster"]), cols["cluster"])
    categorical = [(name, *_as_categorical(_categorical_column(data, name), name))
                   for name in cols["categorical"]]
    if cols["id"]:  # the row ids: a text column, as the core's requested_columns asks
        categorical.append((cols["id"], *_row_ids(_column(data, cols["id"]), cols["id"])))
    if cols["query"]:  # the ranking task's query ids: a text column, as the core's requested_columns asks
        categorical.append((cols["query"], *dictionary_encode(_column(data, cols["query"]), cols["query"])))
    if text_label:  # strings, booleans, a categorical's values: the core maps them by positive_label
        categorical.append((cols["label"], *_as_text(label_values, cols["label"])))
    drift = [(name, *_as_text(_categorical_column(data, name, "drift feature "), name))
             for name in cols["drift"]]
    dictionary = _utf8(dictionary)
    categorical = [(name, column_codes, _utf8(values)) for name, column_codes, values in categorical]
    drift = [(name, column_codes, _utf8(values)) for name, column_codes, values in drift]
    return label, champion, challenger, weight, codes, dictionary, categorical, drift, class_scores, class_columns


def _as_float64_block(values: Any, name: str) -> np.ndarray:
    """A multiclass model's n x K probabilities as float64, read in place when they are
    float64 already (any order: the core keeps the strides)."""
    array = np.asarray(values.to_numpy() if hasattr(values, "to_numpy") else values)
    if array.ndim != 2:
        raise DataError(f'"{name}" must be a 2-D array of probabilities, rows x classes; got shape {array.shape}')
    if array.dtype.kind not in "biuf":
        raise DataError(f'"{name}" must be numeric, got dtype {array.dtype}')
    return array if array.dtype == np.float64 else array.astype(np.float64)


def _class_scores(data: Any, p: Policy) -> Tuple[Tuple[np.ndarray, np.ndarray], list]:
    """Each multiclass model's n x K probabilities, and the column names they stand for.

    A model's probabilities are its K columns (by the policy's prefix or list, resolved by
    the core against the data's column names), or one 2-D array (predict_proba) under its
    prefix in a dict, with the classes from $.columns.classes."""
    cols = p.columns
    available = _column_names(data)
    blocks = []
    for model in _MODELS:
        prefix = cols["class_columns"][model]["prefix"]
        whole = data.get(prefix) if prefix and isinstance(data, Mapping) else None
        if whole is None or np.ndim(whole) != 2:
            blocks.append(None)
            continue
        if not cols["classes"]:
            raise UsageError(f'a 2-D probability array under "{prefix}" needs $.columns.classes, the class of each '
                             "column (compare() takes classes=)")
        available = available + [prefix + c for c in cols["classes"]]
        blocks.append(_as_float64_block(whole, prefix))
    _, *columns = p.resolve_class_columns(available)
    for m in range(2):
        if blocks[m] is None:
            blocks[m] = np.column_stack([_as_float64(_column(data, name), name) for name in columns[m]])
    return (blocks[0], blocks[1]), available


def _numeric_label_column(values: Any, name: str) -> np.ndarray:
    """The 0/1 label as float64; a text or boolean label says what reads it as it is."""
    try:
        return _as_float64(_numeric_label(values), name)
    except DataError as error:
        raise DataError(f"{error}; a label other than the numbers 0 and 1 needs the policy's "
                        "$.columns.positive_label (compare(pos_label=...))") from None


def _numeric_label(values: Any) -> Any:
    """A categorical label without a positive_label is read by its categories' values, so
    a pandas Categorical of 0 and 1 is the 0/1 label it shows (the core checks the values)."""
    if _is_pandas_categorical(values) and values.cat.categories.dtype.kind in "biuf":
        return values.astype(np.float64)  # a missing cell becomes NaN, which the core refuses by row
    return values


def _positive_scores(p: Policy, labels: Any, scores: Any) -> Any:
    """A binary model's scores as one column. scikit-learn's ``predict_proba`` gives n x 2,
    one column per class in ``classes_`` order (the sorted distinct labels): the positive
    class's column is the second for 0/1 labels, and the policy's ``positive_label``'s place
    among the sorted labels otherwise (the core says which label is positive)."""
    array = scores if isinstance(scores, np.ndarray) else None
    if array is None or array.ndim != 2 or p.task != "binary":
        return scores
    if array.shape[1] != 2:
        raise DataError(f"a binary model's scores must be one column or predict_proba's two, got shape {array.shape}")
    column = 1
    if p.columns["label_kind"] == "text":
        classes = np.unique(np.asarray(labels.to_numpy() if hasattr(labels, "to_numpy") else labels))
        positive = [i for i, c in enumerate(classes) if p.is_positive_label(_value_text(c))]
        if len(classes) != 2 or len(positive) != 1:
            raise DataError("predict_proba's two columns need exactly two label values, one of them the "
                            "positive_label, to know which column is the positive class")
        column = positive[0]
    return array[:, column]


def _utf8(values: Any) -> Any:
    """Text values as the UTF-8 bytes the core reads. A str can hold a lone surrogate (from
    ``surrogateescape`` decoding, say) that is no UTF-8 at all; it goes through as such
    bytes, so the core's table validation refuses it as it refuses it from CSV or C: a
    DataError naming the row and column, never the value. Texts the core made (numeric
    row ids) stay where they are."""
    if isinstance(values, _core.EncodedIds):
        return values
    return [v.encode("utf-8", "surrogatepass") if isinstance(v, str) else v for v in values]


def _task_of(name: Any) -> str:
    if not isinstance(name, str):
        raise UsageError(f'the metric\'s name must be a str such as "roc_auc", not {type(name).__name__}')
    if name in _METRIC_TASKS:
        return _METRIC_TASKS[name]
    close = difflib.get_close_matches(name, list(_METRIC_TASKS), n=1)
    hint = f' (did you mean "{close[0]}"?)' if close else ""
    raise UsageError(f'"{name}" is not a known metric{hint}')


_NOT_GIVEN: Any = object()


def _metric_arguments(name: Any, y_true: Any, y_score: Any) -> Tuple[str, Any, Any]:
    """(name, y_true, y_score) from referee's order, metric("roc_auc", y_true, y_score), or
    scikit-learn's, metric(y_true, y_score, "roc_auc"): the name is the one str among them.
    An outcome metric takes one array: metric("mean", results) or metric(results, "mean")."""
    if not isinstance(name, str) and isinstance(y_score, str):
        name, y_true, y_score = y_score, name, y_true
    elif not isinstance(name, str) and isinstance(y_true, str) and y_score is _NOT_GIVEN:
        name, y_true = y_true, name
    if not isinstance(name, str):
        raise UsageError('metric() needs the metric\'s name, a str: referee.metric("roc_auc", y_true, y_score) '
                         'or referee.metric(y_true, y_score, "roc_auc")')
    if _METRIC_TASKS.get(name) == "outcome":
        if y_true is _NOT_GIVEN or y_score is not _NOT_GIVEN:
            raise UsageError(f'an outcome metric takes one array of results, no label: '
                             f'referee.metric("{name}", results)')
        return name, None, y_true
    if y_true is _NOT_GIVEN or y_score is _NOT_GIVEN:
        raise UsageError(f'metric() needs both y_true and y_score: referee.metric("{name}", y_true, y_score)')
    return name, y_true, y_score


# Arguments that become a built policy's values, by the JSON path the core names them with.
_POLICY_ARGUMENTS = {"$.columns.scores": "scores",
                     "$.columns.positive_label": "pos_label",
                     **{f"$.bootstrap.{a}": a for a in ("resamples", "confidence", "interval", "scheme", "seed")}}


def _built_policy(policy: Dict[str, Any], caller: str) -> Policy:
    """A policy metric() or compare() builds, parsed by the core, which keeps the checks and
    their wording; a value it refuses is named as the argument the user wrote
    (``resamples=``), never as a JSON path the user never wrote. A rule the core refuses
    (log_loss on decision scores) is named by the metric."""
    try:
        return _policy(policy)
    except PolicyError as error:
        found = re.search(r"(\$\.[\w.]+)(?:\[0\]\.metric)? (.*)$", str(error), re.S)
        if found and found.group(1) == "$.threshold":  # worded as check_arguments words seed and threads
            raise UsageError(f"threshold {found.group(2)}") from None
        if found and found.group(1) in _POLICY_ARGUMENTS:
            raise UsageError(f"{caller}(): {_POLICY_ARGUMENTS[found.group(1)]}= {found.group(2)}") from None
        if found and found.group(1) == "$.rules":
            raise UsageError(f"{caller}(): {found.group(2)}") from None
        raise


def _threshold_argument(threshold: Any) -> None:
    """A number or None; its range (by the task and the score kind) is the core's policy check."""
    if threshold is None:
        return
    if isinstance(threshold, (bool, np.bool_)) or not isinstance(threshold, (int, float, np.integer, np.floating)) \
            or not math.isfinite(float(threshold)):
        raise UsageError("threshold must be a finite number")


def _task_policy(task: str, metric: str, *, threshold: Any, scores: Optional[str], pos_label: Any = None,
                 weighted: bool = False, clustered: bool = False,
                 models: Tuple[str, str] = ("champion", "challenger")) -> Dict[str, Any]:
    """The policy metric() and compare() evaluate: the task's columns under the names of the
    caller's arguments (``models``: the two score columns' names, which messages name), the
    caller's threshold, score kind and positive label, and one rule naming the metric (a
    policy needs one; it is never read)."""
    columns: Dict[str, Any] = {"champion": models[0], "challenger": models[1]}
    if task != "outcome":
        columns["label"] = "y_true"
    if scores is not None:
        columns["scores"] = scores
    if pos_label is not None:
        columns["positive_label"] = pos_label.item() if isinstance(pos_label, np.generic) else pos_label
    if weighted:
        columns["weight"] = "weight"
    if clustered:
        columns["cluster"] = "cluster"
    policy: Dict[str, Any] = {"version": 1, "task": task, "columns": columns,
                              "rules": [{"id": "compare", "metric": metric, "subject": "delta", "min": -1e300,
                                         "decide_on": "point"}]}
    if threshold is not None:
        policy["threshold"] = float(threshold)
    return policy


def _is_class_probabilities(scores: Any) -> bool:
    """An n x K array with K >= 3 is a multiclass model's predict_proba (n x 2 stays binary:
    its positive column is picked)."""
    shape = np.shape(scores) if isinstance(scores, np.ndarray) or hasattr(scores, "shape") else ()
    return len(shape) == 2 and shape[1] >= 3


def _class_names(y_true: Any, probabilities: Any, classes: Any, caller: str) -> list:
    """The class of each probability column, as text: ``classes`` (a model's ``classes_``),
    or the sorted distinct labels when they are as many as the columns (scikit-learn's
    ``classes_`` order, which predict_proba follows)."""
    k = np.shape(probabilities)[1]
    if classes is None:
        values = np.asarray(y_true.to_numpy() if hasattr(y_true, "to_numpy") else y_true)
        classes = np.unique(values)
        if len(classes) != k:
            raise UsageError(f"{caller}(): the probabilities have {k} columns but y_true has {len(classes)} distinct "
                             "labels; pass classes= (the model's classes_)")
    names = [_value_text(c) for c in classes]
    if len(names) != k:
        raise UsageError(f"{caller}(): classes= has {len(names)} names for {k} probability columns")
    return names


def _multiclass_policy(metric: str, classes: list, weighted: bool = False, clustered: bool = False) -> Dict[str, Any]:
    """The multiclass policy metric() and compare() evaluate: each model's probabilities as
    one n x K array under its prefix, the classes in column order, one rule naming the figure."""
    columns: Dict[str, Any] = {"label": "y_true", "champion": {"prefix": "champion_"},
                               "challenger": {"prefix": "challenger_"}, "classes": classes}
    if weighted:
        columns["weight"] = "weight"
    if clustered:
        columns["cluster"] = "cluster"
    return {"version": 1, "task": "multiclass", "columns": columns,
            "rules": [{"id": "compare", "metric": metric, "subject": "delta", "min": -1e300, "decide_on": "point"}]}


def _multiclass_metric(name: str, y_true: Any, probabilities: Any, *, weight: Any, classes: Any) -> float:
    classes = _class_names(y_true, probabilities, classes, "metric")
    policy = _built_policy(_multiclass_policy(name, classes, weighted=weight is not None), "metric")
    figure = policy.metrics[policy.rule_metric_index(0)]
    values = _core.point_metrics(
        policy, None, np.empty(0), None if weight is None else _as_float64(weight, "weight"),
        class_scores=_as_float64_block(probabilities, "y_score"),
        class_columns=[m + "_" + c for m in _MODELS for c in classes], label_text=_as_text(y_true, "y_true"))
    value, reason = values[figure]
    if value is None:
        raise UndefinedMetricError(f"{figure} is undefined: {reason}")
    return value


def metric(name: Any, y_true: Any = _NOT_GIVEN, y_score: Any = _NOT_GIVEN, *, weight: Any = None,
           threshold: Optional[float] = None, scores: Optional[str] = None, classes: Any = None) -> float:
    """One metric on the data as given, defined exactly as scikit-learn defines it.

    ``metric("roc_auc", y_true, y_score)``; scikit-learn's order with the name last,
    ``metric(y_true, y_score, "roc_auc")``, is read the same way. ``y_true`` and ``y_score``
    are arrays, lists or pandas Series. Binary metrics take probabilities in ``y_score``
    (``score >= threshold`` is a positive prediction, threshold 0.5 by default and within
    [0, 1]), or decision values with ``scores="decision"`` (threshold 0 by default, any
    finite number; log_loss and brier need probabilities and are refused). Regression
    metrics take predictions. Outcome metrics (``mean``, ``pass_rate``, ``quantile@0.9``)
    take one array of per-example results and no label: ``metric("pass_rate", results,
    threshold=1)`` (the pass mark, default 0.5). Multiclass figures take predict_proba's
    n x K array (K >= 3) and the labels, ``metric("f1_macro", y_true, proba)``, with the
    columns' classes from ``classes=`` (a model's ``classes_``) or the sorted labels. Raises UndefinedMetricError where
    scikit-learn would divide by zero (and warn, and return 0). A threshold or score kind
    the task does not take is a ``UsageError``, as is a missing name or array.
    """
    name, y_true, y_score = _metric_arguments(name, y_true, y_score)
    if _is_class_probabilities(y_score):
        return _multiclass_metric(name, y_true, y_score, weight=weight, classes=classes)
    task = _task_of(name)
    _threshold_argument(threshold)
    # One array in both model roles; the second name is never shown (the first is checked first).
    score_name = "results" if task == "outcome" else "y_score"
    policy = _built_policy(_task_policy(task, name, threshold=threshold, scores=scores, weighted=weight is not None,
                                        models=(score_name, score_name + " (again)")), "metric")
    values = _core.point_metrics(
        policy, None if y_true is None else _as_float64(y_true, "y_true"), _as_float64(y_score, score_name),
        None if weight is None else _as_float64(weight, "weight"))
    value, reason = values[name]
    if value is None:
        raise UndefinedMetricError(f"{name} is undefined: {reason}")
    return value


def _compare_models(task: str, y_true: Any, champion: Any, challenger: Any) -> Tuple[Any, Any, Any]:
    """(y_true, champion, challenger); an outcome metric has no y_true: compare("mean",
    champion, challenger), or y_true=None with both models."""
    if task != "outcome":
        if challenger is _NOT_GIVEN:
            raise UsageError("compare() needs y_true, champion and challenger")
        return y_true, champion, challenger
    if challenger is _NOT_GIVEN:
        return None, y_true, champion
    if y_true is not None:
        raise UsageError('an outcome metric has no y_true: referee.compare("mean", champion, challenger)')
    return None, champion, challenger


def compare(metric: str, y_true: Any, champion: Any, challenger: Any = _NOT_GIVEN, *, weight: Any = None,
            cluster: Any = None, resamples: int = 2000, confidence: float = 0.95,
            interval: str = "bca", scheme: str = "poisson", seed: int = 0, threshold: Optional[float] = None,
            scores: Optional[str] = None, pos_label: Any = None, threads: Optional[int] = None,
            classes: Any = None) -> Comparison:
    """A metric for both models with paired bootstrap CIs, and their difference.

    The same resample weights apply to both models, so the interval of ``delta``
    (challenger - champion) accounts for their correlation. An argument out of its range
    (``resamples`` from 100 to 1000000, ``confidence`` between 0.5 and 1, ``interval`` and
    ``scheme`` by name, ``threshold`` by the task and score kind) is a ``UsageError``
    naming it. Binary: ``scores="decision"`` for margins, ``pos_label`` for labels that are
    not 0/1 (strings, booleans), as in the policy's columns. Outcome metrics take no label:
    ``compare("pass_rate", champion_results, challenger_results, threshold=1)``. Multiclass
    figures (``accuracy``, ``f1_macro``, ``recall[3]``, ``roc_auc_weighted``, ...) take each
    model's predict_proba n x K array (K >= 3), read in place, and ``classes=`` (the models'
    ``classes_``) unless the sorted labels name the columns.
    """
    if _is_class_probabilities(champion):
        return _multiclass_compare(metric, y_true, champion, challenger, classes=classes, weight=weight,
                                   cluster=cluster, threads=threads,
                                   bootstrap={"resamples": resamples, "confidence": confidence, "interval": interval,
                                              "scheme": scheme, "seed": seed})
    task = _task_of(metric)
    y_true, champion, challenger = _compare_models(task, y_true, champion, challenger)
    # Arguments, checked as arguments (a UsageError) before they become a policy's values.
    _core.check_arguments(seed=seed, threads=threads)
    _threshold_argument(threshold)
    columns: Dict[str, Any] = {"champion": champion, "challenger": challenger}
    if y_true is not None:
        columns["y_true"] = y_true
    policy = _task_policy(task, metric, threshold=threshold, scores=scores, pos_label=pos_label,
                          weighted=weight is not None, clustered=cluster is not None)
    policy["bootstrap"] = {"resamples": resamples, "confidence": confidence, "interval": interval,
                           "scheme": scheme, "seed": seed}
    if weight is not None:
        columns["weight"] = weight
    if cluster is not None:
        columns["cluster"] = cluster
    figures = evaluate(columns, _built_policy(policy, "compare"), threads=threads).metrics
    return Comparison(metric=metric, champion=figures["champion"][metric],
                      challenger=figures["challenger"][metric], delta=figures["delta"][metric],
                      relative_delta=figures["relative_delta"][metric])


def _multiclass_compare(metric: str, y_true: Any, champion: Any, challenger: Any, *, classes: Any, weight: Any,
                        cluster: Any, threads: Optional[int], bootstrap: Dict[str, Any]) -> Comparison:
    _core.check_arguments(seed=bootstrap["seed"], threads=threads)
    names = _class_names(y_true, champion, classes, "compare")
    policy = _multiclass_policy(metric, names, weighted=weight is not None, clustered=cluster is not None)
    policy["bootstrap"] = bootstrap
    built = _built_policy(policy, "compare")
    figure = built.metrics[built.rule_metric_index(0)]
    columns: Dict[str, Any] = {"y_true": y_true, "champion_": champion, "challenger_": challenger}
    if weight is not None:
        columns["weight"] = weight
    if cluster is not None:
        columns["cluster"] = cluster
    figures = evaluate(columns, built, threads=threads).metrics
    return Comparison(metric=figure, champion=figures["champion"][figure], challenger=figures["challenger"][figure],
                      delta=figures["delta"][figure], relative_delta=figures["relative_delta"][figure])


__all__ = ["evaluate", "metric", "compare", "dictionary_encode", "UndefinedMetricError", "Estimate"]
