"""Segment and cluster columns encoded without a per-row Python loop (issue 17) give the
groups a row-by-row reading gives, whatever holds the column.

The oracle is the rule a CSV reader follows, written out row by row here: a row's text is
its str() (an integer's digits), None, NaN, pandas' NA and NaT are missing (an error naming
the 1-based row), and a segment column refuses floats and booleans. An object column mixing
1 and "1" is one group "1", as in a CSV (documented in python/referee/_api.py).
"""

import math

import numpy as np
import pandas as pd
import pytest

import referee
from referee import _api

pa = pytest.importorskip("pyarrow")


def row_texts(values):
    """The oracle: each row's text, or ("missing", row) / ("refused", row) at the first bad row."""
    texts = []
    for row, v in enumerate(values):
        if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA or v is pd.NaT:
            return ("missing", row + 1)
        if isinstance(v, (bool, float, np.bool_, np.floating)):
            return ("refused", row + 1)
        texts.append(str(int(v)) if isinstance(v, (int, np.integer)) else str(v))
    return texts


def encoded_texts(values):
    """What referee hands the core, read back per row; or the error's kind and row."""
    try:
        codes, dictionary = _api._as_categorical(values, "segment")
    except referee.DataError as error:
        row = int(str(error).split("row ")[1].split(":")[0])
        return ("missing" if "missing value" in str(error) else "refused", row)
    assert codes.dtype == np.uint32 and codes.flags["C_CONTIGUOUS"]
    assert len(set(dictionary)) == len(dictionary), "the core refuses a dictionary holding a value twice"
    return [dictionary[c] for c in codes]


TEXT = ["north", "", "é", "日本", "north", "\U0001F600", "a b", "north", "NaN", "None", "0", "é"]


def chunked(values):
    return pa.chunked_array([pa.array(values[:5], type=pa.string()), pa.array(values[5:], type=pa.string())])


# The column as each library holds text, built on demand (not every holder takes every value).
HOLDERS = {
    "pandas object": lambda v: pd.Series(np.array(v, dtype=object), dtype=object),
    "pandas string[python]": lambda v: pd.Series(v, dtype="string[python]"),
    "pandas string[pyarrow]": lambda v: pd.Series(v, dtype="string[pyarrow]"),
    "pandas default str": lambda v: pd.Series(v),
    "pandas category": lambda v: pd.Series(v, dtype="category"),
    "numpy U": lambda v: np.array(v, dtype=str),
    "numpy O": lambda v: np.array(v, dtype=object),
    "list": list,
    "pyarrow string": chunked,
    "pyarrow large_string": lambda v: chunked(v).cast(pa.large_string()),
    "pyarrow dictionary": lambda v: pa.chunked_array([pa.array(v[:5], type=pa.string()).dictionary_encode(),
                                                      pa.array(v[5:], type=pa.string()).dictionary_encode()]),
}


@pytest.mark.parametrize("holder", list(HOLDERS))
def test_text_groups_match_the_row_by_row_reading(holder):
    assert encoded_texts(HOLDERS[holder](TEXT)) == row_texts(TEXT)


@pytest.mark.parametrize("holder", [h for h in HOLDERS if h != "numpy U"])  # numpy U cannot miss
@pytest.mark.parametrize("missing", [None, float("nan"), pd.NA])
def test_a_missing_value_is_refused_at_its_row(holder, missing):
    if holder.startswith("pyarrow") and missing is not None:
        missing = None  # Arrow has one null
    assert encoded_texts(HOLDERS[holder](TEXT[:6] + [missing] + TEXT[7:])) == ("missing", 7)


def test_mixed_int_and_str_objects_group_by_their_text():
    values = [1, "1", "01", 2, np.int64(2), "x", 10**20]
    expected = row_texts(values)
    assert expected == ["1", "1", "01", "2", "2", "x", "100000000000000000000"]
    assert encoded_texts(pd.Series(values, dtype=object)) == expected
    assert encoded_texts(np.array(values, dtype=object)) == expected


@pytest.mark.parametrize("bad", [True, 1.5, np.float32(2), np.bool_(False)])
def test_floats_and_booleans_among_objects_are_refused_at_the_first_such_row(bad):
    # True == 1 and 1.0 == 1 for Python's equality, which a hash table would merge with 1
    values = ["a", 1, "b", bad, 1]
    assert row_texts(values) == ("refused", 4)
    assert encoded_texts(pd.Series(values, dtype=object)) == ("refused", 4)


def test_the_earlier_of_a_missing_and_a_refused_row_is_named():
    assert encoded_texts(pd.Series(["a", 2.5, None], dtype=object)) == ("refused", 2)
    assert encoded_texts(pd.Series(["a", None, 2.5], dtype=object)) == ("missing", 2)


def test_a_categorical_whose_categories_share_a_text_is_one_group():
    column = pd.Series(pd.Categorical([1, "1", "b"], categories=[1, "1", "b"]))
    assert encoded_texts(column) == ["1", "1", "b"]


def test_integers_and_empty_columns():
    assert encoded_texts(pd.Series([3, 1, 3])) == ["3", "1", "3"]
    assert encoded_texts(np.array([], dtype=str)) == []
    assert encoded_texts(pd.Series([], dtype=object)) == []


def test_fixed_width_text_survives_a_hash_collision():
    """_factorize_unicode hashes rows; a collision must not merge two texts. A factorize
    that maps every hash to one group stands in for the worst collision."""
    class Colliding:
        @staticmethod
        def factorize(hashes):
            return np.zeros(len(hashes), dtype=np.int64), np.zeros(1)
    array = np.array(TEXT, dtype=str)
    codes, uniques = _api._factorize_unicode(array, Colliding)
    assert [str(uniques[c]) for c in codes] == row_texts(TEXT)


def test_without_pandas_the_fallbacks_give_the_same_groups(monkeypatch):
    monkeypatch.setattr(_api, "_pandas", lambda: None)
    for values in (np.array(TEXT, dtype=str), np.array(TEXT, dtype=object), [1, "1", "x"]):
        assert encoded_texts(values) == row_texts(list(values))


def test_a_large_column_matches_the_row_by_row_reading_on_a_sample():
    rng = np.random.default_rng(7)
    names = np.array([f"seg-{i}-ü" for i in range(300)] + [""], dtype=object)
    values = names[rng.integers(0, len(names), 200_000)]
    for column in (pd.Series(values, dtype=object), values.astype(str), pa.chunked_array([values])):
        assert encoded_texts(column) == row_texts(values)


def test_drift_text_keeps_missing_as_empty_and_groups_by_text():
    values = pd.Series(["a", None, 1, "1", 1.5, "", float("nan")], dtype=object)
    codes, dictionary = _api._as_text(values, "feature")
    assert [dictionary[c] for c in codes] == ["a", "", "1", "1", "1.5", "", ""]
    assert dictionary == ["a", "", "1", "1.5"]  # first-seen order, as the CSV reader gives
    codes, dictionary = _api._as_text(pa.chunked_array([["b", None, ""], ["b"]]), "feature")
    assert [dictionary[c] for c in codes] == ["b", "", "", "b"]


def test_dictionary_encode_is_the_one_public_encoder():
    codes, dictionary = _api.dictionary_encode(pd.Series(["yes", "no", "yes"]), "label")
    assert [dictionary[c] for c in codes] == ["yes", "no", "yes"]
    with pytest.raises(referee.DataError, match=r'column "label": row 2: missing value'):
        _api.dictionary_encode(pd.Series(["yes", None]), "label")
