"""popqa.textkeys gives what pandas gives, on text keys of every storage, missing values included."""

import numpy as np
import pandas as pd
import pytest

from popqa import textkeys


def _keys(n: int, seed: int, dtype) -> pd.Series:
    rng = np.random.default_rng(seed)
    vals = np.array([f"{v:012d}" for v in rng.integers(0, n // 2 + 1, n)], dtype=object)
    vals[rng.random(n) < 0.1] = None
    return pd.Series(vals, dtype=dtype)


DTYPES = [object, "string", pd.StringDtype("pyarrow")]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("keep", ["first", "last", False])
def test_duplicated_is_pandas(dtype, keep):
    s = _keys(2000, 1, dtype)
    assert textkeys.duplicated(s, keep=keep).tolist() == s.duplicated(keep=keep).tolist()


@pytest.mark.parametrize("dtype", DTYPES)
def test_sorted_codes_are_pandas_sorted_factorize(dtype):
    s = _keys(2000, 4, dtype)
    s[s.notna() & (np.arange(len(s)) % 7 == 0)] = "Đặng Ă"  # beyond ASCII: ordered by code point, as Python
    assert textkeys.sorted_codes(s).tolist() == pd.factorize(s.astype(object), sort=True)[0].tolist()
    assert textkeys.sorted_codes(pd.Series([None, None], dtype=dtype)).tolist() == [-1, -1]


@pytest.mark.parametrize("dtype", DTYPES)
def test_frame_duplicated_and_first_rows(dtype):
    df = pd.DataFrame({"a": _keys(3000, 2, dtype), "b": _keys(3000, 3, dtype).str[-1:]})
    assert textkeys.frame_duplicated(df, ["a", "b"]).tolist() == df.duplicated(["a", "b"]).tolist()
    pd.testing.assert_frame_equal(textkeys.first_rows(df, "a"), df.drop_duplicates("a"))


@pytest.mark.parametrize("dtype", DTYPES)
def test_isin_is_pandas_without_missing_matches(dtype):
    s, vals = _keys(2000, 4, dtype), _keys(500, 5, object).dropna()
    want = s.isin(vals.tolist()).fillna(False).to_numpy(bool) & s.notna().to_numpy()
    assert textkeys.isin(s, vals).tolist() == want.tolist()
    assert textkeys.isin(s, pd.Index(vals)).tolist() == want.tolist()


@pytest.fixture(params=["hashed", "joined"])
def join_from(request, monkeypatch):
    """Each look-up both ways: Arrow's hash tables, and DuckDB's join of two sides of at least
    ``JOIN_FROM`` keys, here brought down to the tests' few keys."""
    if request.param == "joined":
        monkeypatch.setattr(textkeys, "JOIN_FROM", 30)
    return request.param


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("sizes", [(40, 5000), (5000, 40), (300, 300)])
def test_isin_hashing_either_side_is_pandas(dtype, sizes, join_from):
    """Few values among many keys (the values' distinct keys hashed), many among few (the keys hashed), and
    as many (joined, when ``JOIN_FROM`` is below both): the same answer, keys repeated and missing on both
    sides."""
    s, keys = _keys(sizes[0], 8, dtype), _keys(sizes[1], 9, object)
    v, k = textkeys._same_type(textkeys.arrow(s), textkeys.arrow(keys))
    assert textkeys._joined(v, k) == (join_from == "joined")
    half = min(len(s), len(keys)) // 2
    s[:half] = keys.iloc[:half].to_numpy()  # some values are keys (some missing on both sides)
    want = s.isin(keys.dropna().tolist()).fillna(False).to_numpy(bool) & s.notna().to_numpy()
    assert want.any() and not want.all()
    assert textkeys.isin(s, keys).tolist() == want.tolist()
    ks = textkeys.KeySet(keys)
    assert len(ks) == keys.nunique() and ks.tolist() == keys.dropna().drop_duplicates().tolist()
    assert textkeys.isin(s, ks).tolist() == want.tolist()


def test_isin_of_no_value_or_among_no_key():
    keys = _keys(100, 10, object)
    assert textkeys.isin(pd.Series([], dtype=object), keys).tolist() == []
    assert textkeys.isin(pd.Series([None, None], dtype=object), keys).tolist() == [False, False]
    assert textkeys.isin(keys, pd.Series([], dtype=object)).tolist() == [False] * 100


@pytest.mark.parametrize("dtype", DTYPES)
def test_positions_and_lookup_are_map(dtype):
    s = _keys(2000, 6, dtype)
    table = _keys(800, 7, object).dropna().drop_duplicates()
    mapping = pd.Series(np.arange(len(table), dtype=np.int64) * 3, index=table.to_numpy())
    want = s.astype(object).map(mapping)
    got = textkeys.lookup(s, mapping)
    assert got.index.equals(s.index)
    np.testing.assert_array_equal(got.to_numpy(dtype=float), want.to_numpy(dtype=float))
    pos = textkeys.positions(s, pd.Series(mapping.index))
    hit = pos >= 0
    assert (hit == want.notna().to_numpy()).all()
    assert (mapping.to_numpy()[pos[hit]] == want.to_numpy()[hit]).all()


def test_lookup_keeps_extension_dtypes_and_dates():
    s = pd.Series(["a", "x", None], dtype="string")
    m = pd.Series(pd.array([1, 2], dtype="Int64"), index=["a", "b"])
    assert textkeys.lookup(s, m).tolist() == [1, pd.NA, pd.NA]
    d = pd.Series(pd.to_datetime(["2020-01-02", "2021-03-04"]), index=["a", "b"])
    got = textkeys.lookup(s, d)
    assert got.dtype == d.dtype and got.iloc[0] == pd.Timestamp("2020-01-02") and got.iloc[1:].isna().all()


def test_positions_takes_the_first_of_repeated_keys():
    assert textkeys.positions(pd.Series(["b", "a"]), pd.Series(["a", "b", "a", "b"])).tolist() == [1, 0]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("sizes", [(40, 5000), (5000, 40), (300, 300)])
def test_positions_hashing_either_side_is_the_first_matching_key(dtype, sizes, join_from):
    """Few values among many keys, repeated and missing (the values hashed), many among few, and as many
    (joined, when ``JOIN_FROM`` is below both): each value's first position among the keys, as a scan of
    the keys finds it."""
    s, keys = _keys(sizes[0], 11, dtype), _keys(sizes[1], 12, object)
    half = min(len(s), len(keys)) // 2
    s[:half] = keys.iloc[::-1].iloc[:half].to_numpy()  # keys from the end: a later repeat is not the first
    first: dict = {}
    for i, k in enumerate(keys):
        if k is not None:
            first.setdefault(k, i)
    want = [first.get(v, -1) if isinstance(v, str) else -1 for v in s.astype(object)]
    assert any(w >= 0 for w in want) and -1 in want and keys.dropna().duplicated().any()
    assert textkeys.positions(s, keys).tolist() == want


@pytest.mark.parametrize("dtype", DTYPES)
def test_first_of_each_is_each_ids_first_record(dtype):
    s = _keys(2000, 5, dtype)
    want = (s.notna() & ~s.duplicated()).to_numpy()
    assert s.isna().any() and s.dropna().duplicated().any()  # both cases the mask leaves out are present
    assert textkeys.first_of_each(s).tolist() == want.tolist()


@pytest.mark.parametrize("mapping", [pd.Series([], dtype="string"), pd.Series([], dtype="float64"),
                                     pd.Series([], dtype="Int64"), pd.Series([], dtype="int64")])
def test_take_from_an_empty_mapping_is_all_missing(mapping):
    """A linkage without a single scored pair looks each source record up among no pairs at all."""
    got = textkeys.take(mapping, np.array([-1, -1, -1]))
    full = textkeys.take(pd.concat([mapping, pd.Series([1], dtype=mapping.dtype)], ignore_index=True),
                         np.array([-1, -1, -1]))
    assert got.isna().all() and len(got) == 3 and got.dtype == full.dtype


def test_keys_other_than_text_are_not_joined(monkeypatch):
    """DuckDB would compare numbers and text by casting one of them: numbers stay with Arrow's hash tables."""
    monkeypatch.setattr(textkeys, "JOIN_FROM", 1)
    v, k = textkeys.arrow(pd.Series([1, 2, 3])), textkeys.arrow(pd.Series([3, 1]))
    assert not textkeys._joined(v, k)
    assert textkeys.isin(pd.Series([1, 2, 3]), pd.Series([3, 1])).tolist() == [True, False, True]
    assert textkeys.positions(pd.Series([1, 2, 3]), pd.Series([3, 1])).tolist() == [1, -1, 0]


def test_the_checks_find_the_same_with_every_text_look_up_joined(monkeypatch):
    """The check stage on the sample register, every ``isin`` / ``positions`` of text among text joined in
    DuckDB (as at 3.38 M persons, where both sides pass ``JOIN_FROM``) against none: the same findings."""
    from pathlib import Path

    from popqa.checks.engine import run_checks
    from popqa.config import Config
    from popqa.io import read_register

    register = read_register(Path(__file__).resolve().parents[1] / "data_samples" / "tayninh-godau" / "register")
    joined = []
    real = textkeys._join
    monkeypatch.setattr(textkeys, "_join", lambda *a: joined.append(1) or real(*a))
    monkeypatch.setattr(textkeys, "JOIN_FROM", 10**9)
    hashed = run_checks(register, Config(province_code="72"))
    assert not joined
    monkeypatch.setattr(textkeys, "JOIN_FROM", 1)
    pd.testing.assert_frame_equal(run_checks(register, Config(province_code="72")), hashed)
    assert len(joined) >= 5 and len(hashed) > 100
