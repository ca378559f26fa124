"""Twelve months of population changes, and the history persons they leave behind.

Rates per person-year at full scale give 7,000-9,000 events a month for
Tây Ninh (births come from the register's own infants). Every clean event is
recorded within 30 days (the injected ``late_record`` faults are the tail),
never before it happened, and by the collaborator who kept the household at
that date.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["EVENT_RATES", "recording_lag", "entry_channel"]

#: Events per present person and year (births are the register's infants).
EVENT_RATES = {
    "death": 0.0055,
    "move_out": 0.019,
    "move_in": 0.018,
    "marriage": 0.007,
    "divorce": 0.0008,
    "contraception_change": 0.013,
}


def recording_lag(rng: np.random.Generator, n: int, bad: np.ndarray) -> np.ndarray:
    """Days from event to MIS entry: mostly within a week, at most 30 (bad collaborators slower)."""
    mean = np.where(bad, 12.0, 5.0)
    lag = rng.exponential(mean, n)
    return np.minimum(np.floor(lag), 30).astype(int)


def entry_channel(
    rng: np.random.Generator, month_index: np.ndarray, commune_mobile: np.ndarray
) -> np.ndarray:
    """paper / web / mobile: mobile grows month by month and varies by commune.

    ``month_index`` runs 0..11 over the twelve months; ``commune_mobile`` is
    the commune's mobile share at the start of the year.
    """
    p_mobile = np.clip(commune_mobile + 0.025 * month_index, 0, 0.9)
    p_web = np.clip(0.25 - 0.005 * month_index, 0.05, 1) * (1 - p_mobile)
    u = rng.random(len(month_index))
    return np.where(u < p_mobile, "mobile", np.where(u < p_mobile + p_web, "web", "paper"))


def month_index(dates: np.ndarray, window_start: pd.Timestamp) -> np.ndarray:
    """0..11: month of ``dates`` counted from the window's first month."""
    d = pd.DatetimeIndex(dates)
    return np.asarray((d.year - window_start.year) * 12 + (d.month - window_start.month))
