"""Operations on text keys (person, household, record ids) in time linear in their number.

pandas builds a hash table of Python objects for ``duplicated``, ``drop_duplicates``, ``isin``,
``map`` and an ``Index``'s lookups on text. Past a few million keys that table no longer fits
the processor's cache, and its cost per key grows with the number of keys: ``duplicated`` on the
3.38 M person ids of the merged province took 1.9 s against 0.23 s on 1.25 M (8.3 times the time
for 2.7 times the keys; docs/benchmarks.md, issue 16). Arrow's hash tables (``dictionary_encode``,
``is_in``, ``index_in``) stay linear (0.26 -> 0.60 s); the work after them is on integer codes.

Every function here gives what its pandas counterpart gives, missing keys included (``None``,
``pd.NA`` and ``NaN`` are one missing value, as in pandas):

>>> import pandas as pd
>>> s = pd.Series(["b", "a", None, "b", None], dtype="string")
>>> duplicated(s).tolist() == s.duplicated().tolist()
True
>>> isin(s, ["b"]).tolist()
[True, False, False, True, False]
>>> positions(s, pd.Series(["a", "b", "b"])).tolist()
[1, 0, -1, 1, -1]
>>> lookup(s, pd.Series([10, 20], index=["a", "b"])).tolist()
[20.0, 10.0, nan, 20.0, nan]
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["KeySet", "arrow", "codes", "sorted_codes", "shared_sorted_codes", "factorize", "duplicated", "first_of_each", "frame_duplicated", "isin", "positions", "lookup", "take", "first_rows"]


def arrow(values) -> pa.Array:
    """Text keys as one Arrow string array (missing -> null), position for position; other values as Arrow
    infers them. What the functions here look keys up in: hold it when the same keys are looked up many times.

    >>> arrow(pd.Index(["P1", None], dtype=object)).to_pylist()
    ['P1', None]

    Not :func:`popqa.io.xlsx.to_arrow`: its cast of pandas text to large strings took 0.53 s for the
    3.38 M person ids against 0.13 s here, and these conversions run dozens of times an audit.
    """
    if isinstance(values, pa.ChunkedArray):
        return values.combine_chunks()
    if isinstance(values, pa.Array):
        return values
    if isinstance(values, KeySet):
        return values.array
    if isinstance(values, pd.Series | pd.Index):
        arr = values.array
        if isinstance(values.dtype, pd.StringDtype) or values.dtype == object:
            try:
                out = pa.array(arr, from_pandas=True) if values.dtype != object else pa.array(
                    np.asarray(arr, dtype=object), from_pandas=True)
            except (pa.ArrowInvalid, pa.ArrowTypeError):  # mixed objects: compare their text
                out = pa.array([None if v is None or v is pd.NA or (isinstance(v, float) and v != v) else str(v)
                                for v in np.asarray(arr, dtype=object)], type=pa.string())
        else:
            out = pa.array(values.to_numpy(), from_pandas=True)
    else:
        out = pa.array(list(values) if not isinstance(values, np.ndarray) else values, from_pandas=True)
    if isinstance(out, pa.ChunkedArray):
        out = out.combine_chunks()
    if pa.types.is_null(out.type):
        out = out.cast(pa.string())
    return out


def _same_type(values: pa.Array, keys: pa.Array) -> tuple[pa.Array, pa.Array]:
    if values.type == keys.type:
        return values, keys
    if pa.types.is_string(values.type) or pa.types.is_string(keys.type) or pa.types.is_large_string(values.type):
        return values.cast(pa.large_string()), keys.cast(pa.large_string())
    return values, keys.cast(values.type)


def codes(values) -> np.ndarray:
    """An integer per distinct key (0, 1, ... in order of first appearance), -1 for a missing key.

    >>> codes(pd.Series(["x", None, "y", "x"], dtype="string")).tolist()
    [0, -1, 1, 0]
    """
    return _indices(pc.dictionary_encode(arrow(values)))


def sorted_codes(values) -> np.ndarray:
    """``pd.factorize(values, sort=True)[0]``: an integer per distinct key in the keys' text order, -1 for a
    missing key. No Python string is made: Arrow hashes and sorts the distinct keys (by UTF-8 bytes, the order
    of the code points, as Python compares text). pandas' factorize of the police residence records' scored
    pairs grew 4.4x for 2.7x the pairs (1.8 -> 7.8 s at 3.38 M persons; docs/benchmarks.md).

    >>> s = pd.Series(["b", "a", None, "b", "Ă"], dtype="string")
    >>> sorted_codes(s).tolist(), pd.factorize(s, sort=True)[0].tolist()
    ([1, 0, -1, 1, 2], [1, 0, -1, 1, 2])
    """
    enc = pc.dictionary_encode(arrow(values))
    codes = _indices(enc)
    if len(enc.dictionary) == 0:
        return codes.astype(np.int64)
    order = pc.sort_indices(enc.dictionary).to_numpy()
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    return np.where(codes < 0, -1, rank[np.maximum(codes, 0)])


def shared_sorted_codes(*values) -> list[np.ndarray]:
    """:func:`sorted_codes` of several sets of keys in one order: equal keys get one code whichever set they
    are in, and the codes keep the keys' text order across the sets. One hash table and one sort of the
    distinct keys for all of them, where a code of each set and a look-up of one in another
    (:func:`positions`) hashed the keys once for each.

    >>> a, b = shared_sorted_codes(pd.Series(["s2", "s1", None]), pd.Series(["s1", "s3", "s1"], dtype="string[pyarrow]"))
    >>> a.tolist(), b.tolist()
    ([1, 0, -1], [0, 2, 0])
    """
    arrays = [arrow(v) for v in values]
    if not arrays:
        return []
    if len({a.type for a in arrays}) > 1:
        arrays = [a.cast(pa.large_string()) if pa.types.is_string(a.type) or pa.types.is_large_string(a.type)
                  or pa.types.is_null(a.type) else a for a in arrays]
    codes = sorted_codes(pa.concat_arrays(arrays) if len(arrays) > 1 else arrays[0])
    bounds = np.cumsum([0] + [len(a) for a in arrays])
    return [codes[bounds[i]:bounds[i + 1]] for i in range(len(arrays))]


def _indices(enc: pa.DictionaryArray) -> np.ndarray:
    """The dictionary's indices as a NumPy array, -1 for a null (no copy when there is none)."""
    idx = enc.indices
    if idx.null_count:
        idx = pc.fill_null(idx, -1)
    return idx.to_numpy(zero_copy_only=False)


def factorize(values) -> tuple[np.ndarray, pd.Index]:
    """``pd.factorize(values)``: codes in order of first appearance (-1 missing) and the distinct values.

    >>> c, u = factorize(pd.Series(["x", None, "y", "x"], dtype="string"))
    >>> c.tolist(), u.tolist()
    ([0, -1, 1, 0], ['x', 'y'])
    """
    enc = pc.dictionary_encode(arrow(values))
    return _indices(enc), pd.Index(enc.dictionary.to_numpy(zero_copy_only=False), dtype=object)


def _first_codes(c: np.ndarray) -> np.ndarray:
    """True where a code (of :func:`codes`: numbered in order of first appearance) appears for the first time,
    missing (-1) never: a code is new where it is above every code before it. No hash table: pandas'
    ``duplicated`` of the codes built one of the 3.38 M person ids' codes (docs/benchmarks.md, "thirtieth
    measurement").

    >>> _first_codes(np.array([0, -1, 1, 0, 2, -1, 1])).tolist()
    [True, False, True, False, True, False, False]
    """
    if not len(c):
        return np.zeros(0, dtype=bool)
    before = np.empty(len(c), dtype=c.dtype)
    before[0] = -1
    np.maximum.accumulate(c[:-1], out=before[1:])
    return c > before


def duplicated(values, keep="first") -> np.ndarray:
    """``Series.duplicated(keep)`` as a boolean array (a missing key repeats another missing key).

    >>> s = pd.Series(["b", None, "a", "b", None], dtype="string")
    >>> [duplicated(s, k).tolist() == s.duplicated(keep=k).tolist() for k in ("first", "last", False)]
    [True, True, True]
    """
    c = codes(values)
    if keep == "first":  # a key's repeats, and every missing key after the first
        missing = c < 0
        return ~_first_codes(c) & ~(missing & (np.cumsum(missing) == 1))
    if keep is False:  # every row of a key held more than once (missing: when more than one is)
        counts = np.bincount(c + 1, minlength=1)
        return counts[c + 1] > 1
    return pd.Series(c).duplicated(keep=keep).to_numpy()


def first_of_each(values) -> np.ndarray:
    """True on the first row of each key, False on its repeats and on missing keys: the records of a
    table that dedupe, link and the link stage take, one per id.

    >>> first_of_each(pd.Series(["b", None, "a", "b", None], dtype="string")).tolist()
    [True, False, True, False, False]
    """
    return _first_codes(codes(values))


def frame_duplicated(df: pd.DataFrame, columns, keep="first") -> np.ndarray:
    """``DataFrame.duplicated(subset=columns, keep=keep)`` as a boolean array."""
    columns = [columns] if isinstance(columns, str) else list(columns)
    key = codes(df[columns[0]]).astype(np.int64) + 1
    for c in columns[1:]:
        nxt = codes(df[c]).astype(np.int64) + 1
        key = pd.factorize(key * (int(nxt.max(initial=0)) + 1) + nxt)[0].astype(np.int64)
    return pd.Series(key).duplicated(keep=keep).to_numpy()


def first_rows(df: pd.DataFrame, columns) -> pd.DataFrame:
    """``df.drop_duplicates(columns)``: the first row of each key, order kept."""
    return df[~frame_duplicated(df, columns)]


#: :func:`isin` hashes the values' distinct keys instead of the keys when there are this many times more
#: keys than values: the events' 0.26 M person ids looked up among the 3.38 M persons took 0.45 s so
#: against 0.9 s hashing the persons' ids (docs/benchmarks.md, "thirtieth measurement").
SMALLER_SIDE = 4


def isin(values, keys) -> np.ndarray:
    """``values.isin(keys)`` as a boolean array; a missing value is never in ``keys``.

    ``keys`` may be a :class:`KeySet` (its Arrow array, made once). Arrow hashes the smaller side: the
    keys (``is_in``), or, when the keys are :data:`SMALLER_SIDE` times as many as the values, the values'
    distinct keys, which each key is then looked up in; with :data:`JOIN_FROM` text keys or more on both
    sides, DuckDB joins them (the same answer each way):

    >>> isin(pd.Series(["k3", None, "zz", "k3"]), pd.Series([f"k{i}" for i in range(20)])).tolist()
    [True, False, False, True]
    """
    v, k = _same_type(arrow(values), arrow(keys))
    if len(k) > SMALLER_SIDE * len(v):
        enc, at = _keys_among_values(v, k)
        found = np.zeros(len(enc.dictionary) + 1, dtype=bool)  # the last: a missing value's (-1) place
        found[at.drop_null().to_numpy(zero_copy_only=False)] = True
        return found[_indices(enc)]
    if _joined(v, k):
        out = np.zeros(len(v), dtype=bool)
        out[_join(v, k, "select i from v semi join k on v.v = k.k")[0]] = True
        return out
    hit = pc.is_in(v, value_set=k, skip_nulls=True)
    return pc.fill_null(hit, False).to_numpy(zero_copy_only=False)


#: :func:`isin` and :func:`positions` join the keys in DuckDB when both sides hold at least this many: Arrow's
#: ``is_in`` and ``index_in`` build one hash table of every key and probe it on one core, and past a million
#: keys the table no longer fits the processor's cache (the 3.38 M person ids among themselves: 0.92 s, 2.9
#: times the time of 1.25 M), where DuckDB's join partitions both sides and runs on every core (``isin``
#: 0.30 s, 0.15 s at 1.25 M; ``benchmarks/bench_textkeys.py``). Below a few hundred thousand keys a
#: connection costs more than it saves (docs/benchmarks.md, "thirty-first measurement", where the audits'
#: peaks did not move).
JOIN_FROM = 500_000


def _joined(v: pa.Array, k: pa.Array) -> bool:
    """Whether :func:`isin` / :func:`positions` of text ``v`` among text ``k`` join them in DuckDB."""
    return (min(len(v), len(k)) >= JOIN_FROM and all(pa.types.is_string(a.type) or pa.types.is_large_string(a.type)
                                                      for a in (v, k)))


def _join(v: pa.Array, k: pa.Array, query: str) -> tuple[np.ndarray, ...]:
    """``query``'s columns as NumPy arrays, over ``v`` (columns ``v``, the value, and ``i``, its position)
    and ``k`` (``k`` and ``j``) in a DuckDB connection of its own. A missing key equals nothing in a join,
    as a missing value is never found here."""
    from popqa.io.duck import connect

    con = connect()
    try:
        con.execute("SET preserve_insertion_order = false")
        con.register("v", pa.table({"v": v, "i": pa.array(np.arange(len(v), dtype=np.int64))}))
        con.register("k", pa.table({"k": k, "j": pa.array(np.arange(len(k), dtype=np.int64))}))
        got = con.sql(query).fetchnumpy()
        return tuple(np.asarray(got[c], dtype=np.int64) for c in got)
    finally:
        con.close()


def _keys_among_values(v: pa.Array, k: pa.Array) -> tuple[pa.DictionaryArray, pa.Array]:
    """The values' dictionary (their distinct keys hashed) and each key's place in it (null: none)."""
    enc = pc.dictionary_encode(v)
    return enc, pc.index_in(k, value_set=enc.dictionary, skip_nulls=True)


class KeySet:
    """The distinct keys of a column, made once and looked up many times (``keys`` of :func:`isin`), as
    one Arrow string array: a look-up hashes whichever side is smaller, in time linear in the keys.

    The check stage held the persons' ids as a pandas ``Index`` for this, whose hash table of Python
    strings it built once: 4.0 s for the 3.38 M ids of the merged province against 0.5 s for 1.25 M
    (docs/benchmarks.md, "thirtieth measurement").

    >>> ks = KeySet(pd.Series(["P2", None, "P1", "P2"], dtype=object))
    >>> len(ks), ks.tolist(), isin(pd.Series(["P1", "P9", None]), ks).tolist()
    (2, ['P2', 'P1'], [True, False, False])
    >>> ks.equals(KeySet(pd.Series(["P2", "P1"]))), ks.equals(KeySet(pd.Series(["P1", "P2"])))
    (True, False)
    """

    __slots__ = ("array",)

    def __init__(self, values) -> None:
        #: the distinct keys, missing left out, in order of first appearance
        self.array: pa.Array = pc.unique(arrow(values).drop_null())

    def __len__(self) -> int:
        return len(self.array)

    def tolist(self) -> list:
        return self.array.to_pylist()

    def equals(self, other: KeySet) -> bool:
        """The same keys in the same order."""
        return isinstance(other, KeySet) and self.array.equals(other.array)


def positions(values, keys) -> np.ndarray:
    """The position in ``keys`` of each value (the first, when a key repeats), -1 when absent or missing.

    Arrow hashes the smaller side, as :func:`isin` does: with :data:`SMALLER_SIDE` times as many keys as
    values, the values' distinct keys, each key looked up among them, the first position of each kept; with
    :data:`JOIN_FROM` text keys or more on both sides, DuckDB joins them, the least position of each kept:

    >>> positions(pd.Series(["k7", None, "k2", "zz"]), pd.Series([f"k{i % 10}" for i in range(40)])).tolist()
    [7, -1, 2, -1]
    """
    v, k = _same_type(arrow(values), arrow(keys))
    if len(k) > SMALLER_SIDE * len(v):
        enc, at = _keys_among_values(v, k)
        hit = np.flatnonzero(pc.is_valid(at).to_numpy(zero_copy_only=False))
        found, once = np.unique(at.drop_null().to_numpy(zero_copy_only=False), return_index=True)
        first = np.full(len(enc.dictionary) + 1, -1, dtype=np.int64)  # the last: a missing value's (-1)
        first[found] = hit[once]  # a value's first key among those that hold it
        return first[_indices(enc)]
    if _joined(v, k):
        out = np.full(len(v), -1, dtype=np.int64)
        i, j = _join(v, k, "select i, j from v join k on v.v = k.k")
        out[i] = j
        if np.count_nonzero(out >= 0) < len(i):  # a value among repeated keys: the least of their positions
            out[i] = np.iinfo(np.int64).max
            np.minimum.at(out, i, j)
        return out
    pos = pc.index_in(v, value_set=k, skip_nulls=True)
    return pc.fill_null(pos, -1).to_numpy(zero_copy_only=False).astype(np.int64, copy=False)


def lookup(values, mapping: pd.Series, index=None) -> pd.Series:
    """``values.map(mapping)``: the value of ``mapping`` at each key (its first row when a key repeats),
    missing when absent. Returns a Series on ``values``' index (or ``index``) of ``mapping``'s dtype
    where it holds missing values (else float / object as pandas would)."""
    if index is None:
        index = values.index if isinstance(values, pd.Series) else None
    return take(mapping, positions(values, pd.Series(mapping.index)), index)


def take(mapping: pd.Series, pos: np.ndarray, index=None) -> pd.Series:
    """``mapping``'s values at positions ``pos`` (from :func:`positions`; -1: missing), as :func:`lookup`.

    >>> take(pd.Series([1.5, 2.5]), np.array([1, -1, 0])).tolist()
    [2.5, nan, 1.5]
    >>> take(pd.Series([], dtype="string"), np.array([-1, -1])).tolist()  # nothing to take from
    [<NA>, <NA>]
    >>> t = take(pd.Series(["a", "b"], dtype="string[pyarrow]"), np.array([1, -1, 0]))  # Arrow text stays Arrow
    >>> t.tolist(), t.dtype
    (['b', <NA>, 'a'], string[pyarrow])
    """
    found = pos >= 0
    if isinstance(mapping.dtype, pd.StringDtype) and mapping.dtype.storage == "pyarrow":
        # Arrow text taken in Arrow (null where missing): no Python string is made for a value
        arr = pa.array(mapping.array)
        taken = arr.take(pa.array(pos, mask=~found)) if len(arr) else pa.nulls(len(pos), arr.type)
        return pd.Series(pd.arrays.ArrowStringArray(taken), index=index, dtype=mapping.dtype)
    if found.all():
        return pd.Series(mapping.to_numpy()[pos], index=index, dtype=mapping.dtype)
    if not len(mapping):  # every position missing: one placeholder row of the mapping's dtype, masked below
        kind = getattr(mapping.dtype, "kind", "O")
        filler = 0 if kind in "iu" else False if kind == "b" else None
        mapping = pd.Series([filler], dtype=mapping.dtype)
    taken = mapping.iloc[np.where(found, pos, 0)].reset_index(drop=True)
    if isinstance(mapping.dtype, pd.api.extensions.ExtensionDtype) or mapping.dtype.kind in "OMmU":
        out = taken.where(found)
    elif mapping.dtype.kind == "b":
        out = taken.astype(object).where(found)
    else:
        out = taken.astype("float64").where(found) if mapping.dtype.kind in "iu" else taken.where(found)
    if index is not None:
        out.index = index
    return out
