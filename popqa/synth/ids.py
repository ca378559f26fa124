"""Identifiers of the synthetic province (used by the population and by the administrative sources)."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["citizen_ids"]


def citizen_ids(
    rng: np.random.Generator,
    prefix: np.ndarray,
    sex: np.ndarray,
    birth_year: np.ndarray,
    *,
    exclude: np.ndarray | None = None,
) -> np.ndarray:
    """12-digit citizen IDs: province prefix, sex/century digit, 2-digit year, unique serial.

    IDs are unique among themselves and never equal one of ``exclude`` (IDs already issued).

    Examples
    --------
    >>> ids = citizen_ids(np.random.default_rng(0), np.array(["072", "079"]),
    ...                   np.array([1, 2]), np.array([1985, 2003]))
    >>> [i[:6] for i in ids]
    ['072085', '079303']
    """
    century = np.where(birth_year >= 2000, 2, 0)
    d4 = century + (sex - 1)
    head = np.char.add(np.char.add(prefix.astype(str), d4.astype(str)), np.char.zfill((birth_year % 100).astype(str), 2))
    serial = rng.integers(0, 1_000_000, len(prefix))
    ids = np.char.add(head, np.char.zfill(serial.astype(str), 6))
    taken = np.asarray([] if exclude is None else exclude, dtype=object)
    taken = taken[pd.notna(taken)].astype(str)
    for _ in range(50):
        _, first, inv, cnt = np.unique(ids, return_index=True, return_inverse=True, return_counts=True)
        dup = (cnt[inv] > 1) & (np.arange(len(ids)) != first[inv])
        dup |= np.isin(ids, taken)
        if not dup.any():
            break
        serial = rng.integers(0, 1_000_000, int(dup.sum()))
        ids[dup] = np.char.add(head[dup], np.char.zfill(serial.astype(str), 6))
    return ids.astype(object)
