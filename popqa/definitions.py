"""One definition each of the notions that several stages use.

"Present", "age at the reference date", "lag" and "late" were once computed
in several places and disagreed; every stage now calls these.

* **present**: a person record whose ``status`` is not died (2) or moved out
  (3). A missing status counts as present: the person has not been recorded
  as gone (the completeness rules flag the missing value).
* **age**: completed years at a reference date; a person born on 29 February
  has their birthday on 1 March in common years.
* **reference date** of a period: its last day.
* **lag**: days from the event to its recording.
* **late**: lag above the deadline, which is ``late_days`` or, with
  ``use_legal_deadlines``, the legal deadline of the event's type
  (:data:`LEGAL_DEADLINES`).

Examples
--------
>>> import pandas as pd
>>> is_present(pd.DataFrame({"status": pd.array([1, 2, 3, None], dtype="Int64")})).tolist()
[True, False, False, True]
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "STATUS_PRESENT",
    "STATUS_GONE",
    "LEGAL_DEADLINES",
    "is_present",
    "age_at",
    "reference_date",
    "lag_days",
    "late_limit",
    "is_late",
]

#: Person status codes (contract ``CODE_LISTS["status"]``).
STATUS_PRESENT = 1
#: Status codes of persons no longer in the population: died, moved out.
STATUS_GONE = (2, 3)

#: Legal registration deadlines, in days after the event (documented in docs/rules.md).
LEGAL_DEADLINES: dict[str, tuple[int, str]] = {
    "birth": (60, "Luật Hộ tịch 2014, Điều 15: đăng ký khai sinh trong 60 ngày kể từ ngày sinh"),
    "death": (15, "Luật Hộ tịch 2014, Điều 33: đăng ký khai tử trong 15 ngày kể từ ngày chết"),
    "move_in": (
        30,
        "Luật Cư trú 2020, Điều 27: người đến ở từ 30 ngày trở lên phải đăng ký tạm trú "
        "(thời hạn đăng ký thường trú tại chỗ ở mới dài hơn; popqa dùng mốc 30 ngày)",
    ),
    "move_out": (30, "như chuyển đến: popqa dùng mốc 30 ngày của đăng ký tạm trú"),
}


def is_present(persons: pd.DataFrame) -> pd.Series:
    """Boolean mask of the persons who are present (status neither died nor moved out)."""
    return ~persons["status"].isin(STATUS_GONE).fillna(False).astype(bool)


def age_at(birth: pd.Series, at: pd.Timestamp | pd.Series) -> pd.Series:
    """Completed years between ``birth`` and ``at`` (float with NaN where unknown).

    Examples
    --------
    >>> b = pd.Series(pd.to_datetime(["2000-02-29", "1990-10-31", None]))
    >>> age_at(b, pd.Timestamp("2021-02-28")).tolist()[:2]
    [20.0, 30.0]
    >>> age_at(b, pd.Timestamp("2021-03-01")).tolist()[0]
    21.0
    """
    # pd.to_datetime samples a datetime Series element by element (its cache heuristic): skip it then
    b = birth if pd.api.types.is_datetime64_any_dtype(birth) else pd.to_datetime(birth)
    if isinstance(at, pd.Series):
        a = pd.to_datetime(at)
        ay, am, ad = a.dt.year.to_numpy(float), a.dt.month.to_numpy(float), a.dt.day.to_numpy(float)
    else:
        at = pd.Timestamp(at)
        ay, am, ad = float(at.year), float(at.month), float(at.day)
    by, bm, bd = b.dt.year.to_numpy(float), b.dt.month.to_numpy(float), b.dt.day.to_numpy(float)
    before = (am * 100 + ad) < (bm * 100 + bd)
    return pd.Series(ay - by - before.astype(float), index=birth.index)


def reference_date(period: Any) -> pd.Timestamp:
    """The last day of a period (a :class:`popqa.period.Period` or ``YYYY-MM`` text).

    >>> reference_date("2026-02")
    Timestamp('2026-02-28 00:00:00')
    """
    return pd.Period(str(period), freq="M").end_time.normalize()


def lag_days(events: pd.DataFrame) -> pd.Series:
    """Days from each event to its recording (float, NaN where a date is missing)."""
    return (events["recorded_date"] - events["event_date"]).dt.days.astype("float64")


def late_limit(events: pd.DataFrame, config: Any) -> pd.Series:
    """Days allowed between event and record, per event, under a ``ChecksConfig``."""
    limit = pd.Series(float(config.late_days), index=events.index)
    if config.use_legal_deadlines:
        kind = events["event_type"].astype("string")
        for k, (days, _) in LEGAL_DEADLINES.items():
            limit[kind.eq(k).fillna(False).to_numpy(bool)] = float(days)
    return limit


def is_late(events: pd.DataFrame, config: Any) -> pd.Series:
    """Boolean mask of the events recorded after their deadline (False where the lag is unknown).

    Examples
    --------
    >>> from popqa.checks.config import ChecksConfig
    >>> ev = pd.DataFrame({"event_type": ["birth", "death"],
    ...     "event_date": pd.to_datetime(["2026-01-01", "2026-01-01"]),
    ...     "recorded_date": pd.to_datetime(["2026-02-20", "2026-01-20"])})
    >>> is_late(ev, ChecksConfig()).tolist(), is_late(ev, ChecksConfig(use_legal_deadlines=True)).tolist()
    ([True, False], [False, True])
    """
    lag = lag_days(events)
    return pd.Series(np.asarray(lag > late_limit(events, config)), index=events.index)
