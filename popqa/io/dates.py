"""Read a date column as a whole: the day/month order is decided per column, not per value.

A value such as ``09/01/1967`` reads as 9 January in Vietnam and as 1 September in
Excel's US default; read value by value it is a guess. :func:`parse_date_column`
looks at every ``a/b/yyyy`` value of a column first:

* values with ``a > 12`` can only be day-first, values with ``b > 12`` only month-first;
* a column with only day-first evidence is read day-first, only month-first evidence
  month-first; a column with no evidence (every ``a`` and ``b`` at most 12) follows the
  configured default (day-first for Vietnam) and the decision says so;
* a column with both kinds is a contradiction: when the smaller kind is at most
  ``tolerance`` of the decided values (a few typing errors) the column follows the
  larger kind and the others are problems; otherwise the values that could be read
  either way are left missing, each a problem naming the contradiction. Nothing is
  guessed.

ISO ``yyyy-mm-dd`` (with or without a time), ``yyyy/mm/dd``, Excel serial day numbers
(five digits, days since 1899-12-30, as Excel writes a date cell to CSV in the
"General" format) and date-times (``05/06/2010 01:01:23``) are read; a ``datetime``
column keeps its time of day, a ``date`` column drops it.

Examples
--------
>>> s = pd.Series(["09/01/1967", "25/12/1980", "2001-02-03", "nope"])
>>> out = parse_date_column(s)
>>> out.values.dt.strftime("%Y-%m-%d").tolist()[:3], out.decision["order"]
(['1967-01-09', '1980-12-25', '2001-02-03'], 'day-first')
>>> out.problems.tolist()
[None, None, None, 'not a valid date']
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["parse_date_column", "DateColumn", "EXCEL_EPOCH"]

#: Day 0 of Excel's 1900 date system (serial 1 is 1900-01-01 after Excel's leap-year bug).
EXCEL_EPOCH = pd.Timestamp("1899-12-30")

_TIME = r"(?:[ T]+(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:\.\d+)?)?)?\s*$"
_ISO = r"^\d{4}-\d{2}-\d{2}"
_YMD = r"^(?P<y>\d{4})[/.](?P<m>\d{1,2})[/.](?P<d>\d{1,2})" + _TIME
_AB = r"^(?P<a>\d{1,2})[/.-](?P<b>\d{1,2})[/.-](?P<y>\d{4})" + _TIME
_SERIAL = r"^\d{5}(?:\.\d+)?$"


@dataclass(frozen=True)
class DateColumn:
    """One date column read as a whole.

    Attributes
    ----------
    values : ``datetime64[ns]`` series (missing where a value did not parse).
    problems : object series, None where the value is fine or empty, else the problem.
    decision : JSON-ready dict: ``order`` (``day-first``, ``month-first``,
        ``contradictory`` or ``none`` when no ``a/b/yyyy`` value is present), ``basis``
        and the counts of each kind of value.
    """

    values: pd.Series
    problems: pd.Series
    decision: dict[str, Any] = field(default_factory=dict)


def _extract(txt: pa.Array, pattern: str) -> dict[str, np.ndarray] | None:
    ok = pc.fill_null(pc.match_substring_regex(txt, pattern), False)
    if not pc.any(ok).as_py():
        return None
    st = pc.extract_regex(pc.if_else(ok, txt, pa.scalar(None, pa.string())), pattern)
    out = {"_ok": ok.to_numpy(zero_copy_only=False)}
    for i in range(st.type.num_fields):
        name = st.type.field(i).name
        col = pc.struct_field(st, [i])
        col = pc.if_else(pc.equal(col, ""), pa.scalar(None, pa.string()), col)
        out[name] = pc.cast(col, pa.float64()).to_numpy(zero_copy_only=False)
    return out


def _arrow_text(s: pd.Series) -> pa.Array:
    """A text column as an Arrow string array (zero-copy when it is Arrow-backed already)."""
    if isinstance(s.dtype, pd.StringDtype) and s.dtype.storage == "pyarrow":
        arr = pa.array(s.array)
        return arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr
    return pa.array(s.astype("string").astype(object).where(s.notna(), None).to_numpy(), type=pa.string())


def _assemble(y, m, d, hh, mm, ss) -> pd.Series:
    parts = pd.DataFrame({"year": y, "month": m, "day": d,
                          "hour": np.nan_to_num(hh), "minute": np.nan_to_num(mm),
                          "second": np.nan_to_num(ss)})
    ok = parts[["year", "month", "day"]].notna().all(axis=1).to_numpy()
    out = pd.Series(pd.NaT, index=range(len(parts)), dtype="datetime64[ns]")
    if ok.any():
        out.iloc[np.flatnonzero(ok)] = pd.to_datetime(parts[ok], errors="coerce").to_numpy()
    return out


def parse_date_column(
    s: pd.Series, *, with_time: bool = False, dayfirst: bool = True, tolerance: float = 0.01
) -> DateColumn:
    """Read one column of dates, deciding its day/month order from its values.

    Parameters
    ----------
    s : the raw column (text, numbers, datetimes or a mix, as a reader gives it).
    with_time : keep the time of day (``datetime`` columns).
    dayfirst : the order followed when no value tells day from month (Vietnam: day-first).
    tolerance : largest share of the decided ``a/b/yyyy`` values that may contradict the
        column's order before the column is declared contradictory.

    Returns
    -------
    DateColumn

    Examples
    --------
    >>> us = parse_date_column(pd.Series(["09/01/1967", "12/31/1980", "05/06/2010 01:01:23"]),
    ...                        with_time=True)
    >>> us.decision["order"], [str(v) for v in us.values]
    ('month-first', ['1967-09-01 00:00:00', '1980-12-31 00:00:00', '2010-05-06 01:01:23'])
    >>> mixed = parse_date_column(pd.Series(["13/01/1990", "01/13/1990", "02/03/1990"] * 2))
    >>> mixed.decision["order"], int(mixed.problems.notna().sum())
    ('contradictory', 2)
    """
    if not 0 <= tolerance < 0.5:
        raise ValueError(f"tolerance must be in [0, 0.5), got {tolerance!r}")
    n = len(s)
    index = s.index
    out = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    problems = np.full(n, None, dtype=object)
    decision: dict[str, Any] = {"order": "none", "basis": "no day/month/year values"}
    if pd.api.types.is_datetime64_any_dtype(s):
        v = pd.to_datetime(s, errors="coerce")
        if getattr(v.dt, "tz", None) is not None:
            v = v.dt.tz_localize(None)
        v = v if with_time else v.dt.normalize()
        decision.update(typed_values=int(v.notna().sum()))
        return DateColumn(v.reset_index(drop=True).set_axis(index), pd.Series(problems, index=index), decision)

    typed = np.zeros(n, dtype=bool)
    serial_num = np.full(n, np.nan)
    if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
        serial_num = pd.to_numeric(s, errors="coerce").to_numpy(dtype=float)
        arr = pa.nulls(n, pa.string())
    else:
        if s.dtype == object and pd.api.types.infer_dtype(s, skipna=True) not in ("string", "empty"):
            # a spreadsheet column: date cells come as datetimes, General cells as numbers
            is_dt = s.map(lambda x: isinstance(x, (_dt.date, pd.Timestamp)), na_action="ignore")
            is_dt = is_dt.fillna(False).astype(bool).to_numpy()
            is_num = s.map(lambda x: isinstance(x, (int, float)) and not isinstance(x, bool),
                           na_action="ignore").fillna(False).astype(bool).to_numpy()
            if is_dt.any():
                out[is_dt] = pd.to_datetime(s[is_dt].astype(object), errors="coerce").to_numpy()
                typed = is_dt
            if is_num.any():
                serial_num[is_num] = pd.to_numeric(s[is_num], errors="coerce").to_numpy(dtype=float)
            s = s.where(~(is_dt | is_num)).astype("string")
        arr = _arrow_text(s)
    arr = pc.utf8_trim_whitespace(arr)
    arr = pc.if_else(pc.equal(arr, ""), pa.scalar(None, pa.string()), arr)
    nonempty = arr.is_valid().to_numpy(zero_copy_only=False) | typed | ~np.isnan(serial_num)

    iso = pc.fill_null(pc.match_substring_regex(arr, _ISO), False).to_numpy(zero_copy_only=False)
    if iso.any():
        sub = arr if iso.all() else pc.filter(arr, pa.array(iso))
        out[iso] = pd.to_datetime(pd.Series(pd.arrays.ArrowStringArray(sub)), errors="coerce",
                                  format="ISO8601").to_numpy(dtype="datetime64[ns]")
    # everything else is usually a handful of values: work on those only
    rest = np.flatnonzero(arr.is_valid().to_numpy(zero_copy_only=False) & ~iso)
    sub = pc.take(arr, pa.array(rest, pa.int64())) if len(rest) else pa.array([], pa.string())

    ser = _extract(sub, _SERIAL) if len(rest) else None
    if ser is not None:
        serial_num[rest[ser["_ok"]]] = pc.cast(
            pc.filter(sub, pa.array(ser["_ok"])), pa.float64()
        ).to_numpy(zero_copy_only=False)
    is_serial = (serial_num >= 10000) & (serial_num < 100000)
    if is_serial.any():
        days = serial_num[is_serial]
        vals = EXCEL_EPOCH + pd.to_timedelta(np.round(days * 86400), unit="s")
        out[is_serial] = vals.to_numpy()
    n_serial = int(is_serial.sum())

    ymd = _extract(sub, _YMD) if len(rest) else None
    if ymd is not None:
        k = ymd["_ok"]
        out[rest[k]] = _assemble(ymd["y"][k], ymd["m"][k], ymd["d"][k], ymd["H"][k], ymd["M"][k],
                                 ymd["S"][k]).to_numpy()

    ab = _extract(sub, _AB) if len(rest) else None
    counts = {"day_first_values": 0, "month_first_values": 0, "ambiguous_values": 0}
    if ab is not None:
        k = ab["_ok"]
        a, b = ab["a"], ab["b"]
        day_only = k & (a > 12) & (a <= 31) & (b >= 1) & (b <= 12)
        month_only = k & (b > 12) & (b <= 31) & (a >= 1) & (a <= 12)
        either = k & (a >= 1) & (a <= 12) & (b >= 1) & (b <= 12) & (a != b)
        nd, nm = int(day_only.sum()), int(month_only.sum())
        counts = {"day_first_values": nd, "month_first_values": nm, "ambiguous_values": int(either.sum())}
        decided = nd + nm
        if nd and nm and min(nd, nm) / decided > tolerance:
            order = "contradictory"
            basis = (f"{nd} values are only valid day-first and {nm} only month-first; the "
                     f"{counts['ambiguous_values']} values readable either way are left missing")
        elif nd or nm:
            order = "day-first" if nd >= nm else "month-first"
            basis = f"decided from {max(nd, nm)} values that can only be read {order}"
            if nd and nm:
                basis += f"; {min(nd, nm)} values that contradict it are problems"
        else:
            order = "day-first" if dayfirst else "month-first"
            basis = "no value tells day from month: the configured default"
        decision = {"order": order, "basis": basis}
        if order == "contradictory":
            dfirst = ~month_only  # each unambiguous value in its only order; a == b either way
        else:
            dfirst = np.full(len(k), order == "day-first")
        day = np.where(dfirst, a, b)
        month = np.where(dfirst, b, a)
        out[rest[k]] = _assemble(ab["y"][k], month[k], day[k], ab["H"][k], ab["M"][k],
                                 ab["S"][k]).to_numpy()
        if order == "contradictory":
            out[rest[either]] = np.datetime64("NaT")
            problems[rest[either]] = (f"day/month order cannot be decided: the column has {nd} "
                                      f"day-first and {nm} month-first values")
        elif nd and nm:
            wrong = month_only if order == "day-first" else day_only
            out[rest[wrong]] = np.datetime64("NaT")
            problems[rest[wrong]] = (f"only valid {'month' if order == 'day-first' else 'day'}-first "
                                     f"in a {order} column")
    decision.update(counts)
    decision.update(iso_values=int(iso.sum()), excel_serial_values=n_serial, typed_values=int(typed.sum()))

    values = pd.Series(out, index=index)
    if not with_time:
        values = values.dt.normalize()
    bad = nonempty & values.isna().to_numpy() & pd.isna(problems)
    problems[bad] = "not a valid date"
    return DateColumn(values, pd.Series(problems, index=index, dtype=object), decision)
