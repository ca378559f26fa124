"""Indicator registry and the long indicator-row shape (see :mod:`popqa.indicators`)."""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from popqa.contract import INDICATOR_COLUMNS, INDICATOR_LEVELS, INDICATOR_STATUSES

__all__ = [
    "IndicatorSpec",
    "INDICATORS",
    "PROVIDERS",
    "register",
    "get",
    "all_indicators",
    "indicator_rows",
    "empty_indicators",
    "concat_indicators",
    "validate_indicators",
]

#: Units of measure an indicator may declare.
UNITS = ("share", "per_1000", "per_100", "ratio", "years", "count", "persons", "index", "children_per_woman")

_TEXT = ("indicator_id", "level", "unit_code", "period", "group", "status", "source")
_FLOAT = ("value", "se", "ci_low", "ci_high", "numerator", "denominator", "target")
_ID = re.compile(r"^[a-z][a-z0-9_]{1,63}$")
_PERIOD = re.compile(r"^[0-9]{4}-(0[1-9]|1[0-2])$")
#: the group of a row: "" or key=value pairs joined by ";" (keys snake_case, values without ; or =)
_GROUP = re.compile(r"^$|^[a-z][a-z0-9_]*=[^;=]*(;[a-z][a-z0-9_]*=[^;=]*)*$")


@dataclass(frozen=True)
class IndicatorSpec:
    """One indicator, declared once.

    Parameters
    ----------
    indicator_id : stable snake_case id.
    name_vi, name_en : the name a report prints.
    unit : one of :data:`UNITS`; a ``share`` is stored as 0-1.
    stage : the audit stage that computes it.
    source : what it is computed from by default (register, survey, lfs, ...).
    higher_is_better : direction for targets (``met`` is value >= target when
        True, value <= target when False); None when it has no direction.
    description_en : one sentence: definition, numerator and denominator.
    """

    indicator_id: str
    name_vi: str
    name_en: str
    unit: str
    stage: str
    source: str = "register"
    higher_is_better: bool | None = None
    description_en: str = ""


#: The registry, by id. Modules of the stages register their indicators on import.
INDICATORS: dict[str, IndicatorSpec] = {}

#: Modules that register indicators; :func:`all_indicators` imports those present.
PROVIDERS = (
    "popqa.indicators.register_stats",
    "popqa.demography.indicators",
    "popqa.demography.quality",
    "popqa.survey.indicators",
    "popqa.labour.indicators",
    "popqa.reconcile.indicators",
    "popqa.extracts.indicators",
)


def register(
    indicator_id: str,
    *,
    name_vi: str,
    name_en: str,
    unit: str,
    stage: str,
    source: str = "register",
    higher_is_better: bool | None = None,
    description_en: str = "",
) -> IndicatorSpec:
    """Declare an indicator (idempotent for an identical declaration).

    Raises
    ------
    ValueError
        A malformed id or unit, or a second, different declaration of the same id.
    """
    if not _ID.match(indicator_id):
        raise ValueError(f"indicator id must be snake_case, got {indicator_id!r}")
    if unit not in UNITS:
        raise ValueError(f"indicator {indicator_id}: unit must be one of {UNITS}, got {unit!r}")
    spec = IndicatorSpec(indicator_id, name_vi, name_en, unit, stage, source, higher_is_better, description_en)
    old = INDICATORS.get(indicator_id)
    if old is not None and old != spec:
        raise ValueError(f"indicator {indicator_id} is declared twice, differently")
    INDICATORS[indicator_id] = spec
    return spec


def all_indicators() -> dict[str, IndicatorSpec]:
    """Every registered indicator, after importing the provider modules that exist."""
    for mod in PROVIDERS:
        try:
            importlib.import_module(mod)
        except ModuleNotFoundError as exc:
            if exc.name is None or not mod.startswith(exc.name):
                raise
    return dict(sorted(INDICATORS.items()))


def get(indicator_id: str) -> IndicatorSpec:
    """The declaration of ``indicator_id`` (KeyError naming it when unknown)."""
    if indicator_id not in INDICATORS:
        all_indicators()
    try:
        return INDICATORS[indicator_id]
    except KeyError:
        raise KeyError(f"unknown indicator {indicator_id!r}: register it in popqa.indicators first") from None


def empty_indicators() -> pd.DataFrame:
    """A frame of the indicator shape with no rows."""
    return _typed(pd.DataFrame({c: [] for c in INDICATOR_COLUMNS}))


def _dtype_of(column: str) -> str:
    if column in _TEXT:
        return "string"
    if column in _FLOAT:
        return "float64"
    return "Int64" if column == "target_year" else "boolean"


def _typed(df: pd.DataFrame) -> pd.DataFrame:
    if tuple(df.columns) == INDICATOR_COLUMNS and all(
            str(df[c].dtype) == _dtype_of(c) for c in INDICATOR_COLUMNS):
        # already typed (the rows of indicator_rows, gathered again by concat_indicators): one copy,
        # no conversion per column
        return df.reset_index(drop=True)
    out = pd.DataFrame(index=df.index)
    for c in INDICATOR_COLUMNS:
        s = df[c]
        if c in _TEXT:
            out[c] = s.astype("string")
        elif c in _FLOAT:
            out[c] = pd.to_numeric(s, errors="raise").astype("float64")
        elif c == "target_year":
            out[c] = pd.to_numeric(s, errors="raise").astype("Int64")
        else:  # met
            out[c] = s.astype("boolean")
    return out.reset_index(drop=True)


def _col(v: Any, n: int, default: Any = np.nan) -> Any:
    if v is None:
        return [default] * n
    if isinstance(v, pd.Series):
        return v.to_numpy()
    return v


def indicator_rows(
    indicator_id: str,
    *,
    level: str,
    unit_code: Any,
    period: str,
    value: Any = None,
    numerator: Any = None,
    denominator: Any = None,
    se: Any = None,
    ci_low: Any = None,
    ci_high: Any = None,
    group: Any = "",
    target: Any = None,
    target_year: Any = None,
    status: Any = None,
    source: str | None = None,
) -> pd.DataFrame:
    """Rows of ``indicator_id`` in the contract's indicator shape.

    Scalars broadcast against array-likes (one row per element). Without
    ``value``, the value is ``numerator / denominator``. Without ``status``, a
    row is ``ok`` when it has a value and ``not_measurable`` otherwise; a row
    whose status is not ``ok`` carries no value. ``met`` compares the value
    with the target in the indicator's direction.

    Examples
    --------
    >>> r = indicator_rows("mobile_entry", level="district", unit_code=["710", "711"],
    ...                    period="2026-10", numerator=[5, 0], denominator=[10, 0], target=0.4)
    >>> r[["unit_code", "value", "met", "status"]].values.tolist()
    [['710', 0.5, True, 'ok'], ['711', nan, <NA>, 'not_measurable']]
    """
    spec = get(indicator_id)
    if level not in INDICATOR_LEVELS:
        raise ValueError(f"indicator level must be one of {INDICATOR_LEVELS}, got {level!r}")
    cols: dict[str, Any] = {"unit_code": unit_code, "group": group, "value": value, "numerator": numerator,
                            "denominator": denominator, "se": se, "ci_low": ci_low, "ci_high": ci_high,
                            "target": target, "target_year": target_year, "status": status}
    lengths = {len(v) for v in cols.values() if v is not None and not isinstance(v, str) and hasattr(v, "__len__")}
    if len(lengths) > 1:
        raise ValueError(f"indicator {indicator_id}: columns of different lengths {sorted(lengths)}")
    n = lengths.pop() if lengths else 1
    df = pd.DataFrame({
        "indicator_id": indicator_id, "level": level, "unit_code": _col(unit_code, n), "period": period,
        "group": _col(group, n, ""), "value": _col(value, n), "se": _col(se, n), "ci_low": _col(ci_low, n),
        "ci_high": _col(ci_high, n), "numerator": _col(numerator, n), "denominator": _col(denominator, n),
        "target_year": _col(target_year, n, pd.NA), "target": _col(target, n), "met": pd.NA,
        "status": _col(status, n, None), "source": source or spec.source,
    }, index=range(n))
    for c in _FLOAT:
        df[c] = pd.to_numeric(df[c], errors="raise").astype("float64")
    if value is None and denominator is not None:
        den = df["denominator"].where(df["denominator"] != 0)
        df["value"] = df["numerator"] / den
    if status is None:
        df["status"] = np.where(df["value"].notna(), "ok", "not_measurable")
    not_ok = df["status"] != "ok"
    df.loc[not_ok, ["value", "se", "ci_low", "ci_high"]] = np.nan
    has = df["value"].notna() & df["target"].notna()
    if spec.higher_is_better is not None:
        met = df["value"] >= df["target"] if spec.higher_is_better else df["value"] <= df["target"]
        df["met"] = pd.array(np.where(has, met, False), dtype="boolean")
        df.loc[~has, "met"] = pd.NA
    out = _typed(df[list(INDICATOR_COLUMNS)])
    validate_indicators(out)
    return out


def concat_indicators(frames: Iterable[pd.DataFrame]) -> pd.DataFrame:
    """Stack indicator frames (validated), or an empty one."""
    parts = [f for f in frames if f is not None and len(f)]
    if not parts:
        return empty_indicators()
    out = _typed(pd.concat([_typed(p) for p in parts], ignore_index=True))
    validate_indicators(out)
    return out


def validate_indicators(df: pd.DataFrame) -> pd.DataFrame:
    """Check that ``df`` has the indicator shape; return it.

    Raises
    ------
    ValueError
        Naming the first problem: columns, an unknown indicator or level, a
        malformed period, an unknown status, a value on a row that is not ok,
        an interval that does not contain its value, or a duplicated key.
    """
    if tuple(df.columns) != INDICATOR_COLUMNS:
        raise ValueError(f"indicator columns must be {INDICATOR_COLUMNS}, got {tuple(df.columns)}")
    if not len(df):
        return df
    ids = set(df["indicator_id"].dropna().unique())
    unknown = sorted(i for i in ids if i not in INDICATORS)
    if unknown:
        all_indicators()
        unknown = [i for i in unknown if i not in INDICATORS]
    if unknown or df["indicator_id"].isna().any():
        raise ValueError(f"unregistered indicator(s): {unknown or ['<missing>']}")
    bad = ~df["level"].isin(INDICATOR_LEVELS)
    if bad.any():
        raise ValueError(f"indicator level {df.loc[bad, 'level'].iloc[0]!r} not in {INDICATOR_LEVELS}")
    bad = ~df["period"].astype("string").str.match(_PERIOD.pattern).fillna(False)
    if bad.any():
        raise ValueError(f"indicator period {df.loc[bad, 'period'].iloc[0]!r} is not YYYY-MM")
    bad = ~df["status"].isin(INDICATOR_STATUSES)
    if bad.any():
        raise ValueError(f"indicator status {df.loc[bad, 'status'].iloc[0]!r} not in {INDICATOR_STATUSES}")
    if df["unit_code"].isna().any():
        raise ValueError("indicator rows need a unit_code")
    bad = ~df["group"].fillna("").str.match(_GROUP.pattern)
    if bad.any():
        r = df[bad].iloc[0]
        raise ValueError(f"indicator {r['indicator_id']}: group {r['group']!r} is not key=value pairs joined by ';'")
    if (df["value"].notna() & (df["status"] != "ok")).any():
        raise ValueError("an indicator row that is not ok carries a value")
    v, lo, hi = df["value"], df["ci_low"], df["ci_high"]
    tol = 1e-9 * (1 + v.abs())
    outside = v.notna() & ((lo.notna() & (lo > v + tol)) | (hi.notna() & (hi < v - tol)))
    if outside.any():
        r = df[outside].iloc[0]
        raise ValueError(f"indicator {r['indicator_id']} at {r['unit_code']}: interval [{r['ci_low']}, "
                         f"{r['ci_high']}] does not contain the value {r['value']}")
    key = ["indicator_id", "level", "unit_code", "period", "group"]
    dup = df.duplicated(key)
    if dup.any():
        r = df[dup].iloc[0]
        raise ValueError(f"indicator {r['indicator_id']} appears twice for {r['level']} {r['unit_code']} "
                         f"{r['period']} group {r['group']!r}")
    return df
