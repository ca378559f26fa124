"""The frequency of a whole name, for two records that agree on every part of it.

A Fellegi-Sunter model with term frequencies weighs an exact agreement on a value by the
value's frequency (Winkler 1989): the rarer the value, the stronger the evidence. popqa's model
compares the surname, the middle name, the given name and the sex separately, so for two
records that agree on all four it multiplies four frequencies as if they were independent. In
Vietnamese names they are not: "Thị" is a woman's middle name, "Văn" nearly always a man's, and
given names go with the sex and often with the middle name ("Thị Thảo", "Văn Hùng"). The
product then makes a common full name look rarer than it is (about 2 bits for "Nguyễn Thị
Thảo"), and two namesakes with one birth date in two households look like one person re-entered.

:func:`whole_name_adjustment` replaces, for those pairs only, the product of the four
frequencies by the frequency of the whole name with the sex, counted in the register itself:

    adjustment = log2(f(surname) * f(middle) * f(given) * u(sex) / f(surname, middle, given, sex))

with f a value's share among the records that have one (as Splink computes its term
frequencies) and u(sex) the chance that two random records have one sex (the sum of the squared
shares). The pair's match weight gains the adjustment (negative for a name more common than
its parts suggest, positive for a rarer one) and its probability follows. Pairs that differ in
any part keep the model's weight.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from popqa import textkeys

#: The comparisons whose agreement makes "the same whole name", with their agreeing level.
PARTS: tuple[tuple[str, str], ...] = (("surname", "exact"), ("middle", "same"), ("given", "exact"), ("sex", "same"))

__all__ = ["PARTS", "whole_name_adjustment", "name_adjustments"]


def name_adjustments(frame: pd.DataFrame) -> pd.Series:
    """unique_id -> the whole-name adjustment (bits) of a pair of two records with this record's name.

    Records missing a part get 0.

    Examples
    --------
    Half the register is called "Nguyễn Thị Hoa" (women), half "Trần Văn Hùng" (men): every part
    has the share 1/2, sex too, so the parts suggest 1/16 for a whole name that 1/2 of the
    records bear, 3 bits too rare:

    >>> f = pd.DataFrame({"unique_id": list("abcd"), "surname": ["nguyen", "nguyen", "tran", "tran"],
    ...                   "middle": ["thi", "thi", "van", "van"], "given": ["hoa", "hoa", "hung", "hung"],
    ...                   "sex": [2, 2, 1, 1]})
    >>> name_adjustments(f).tolist()
    [-3.0, -3.0, -3.0, -3.0]
    """
    return pd.Series(_per_row(frame), index=frame["unique_id"].astype("string").to_numpy())


def _per_row(frame: pd.DataFrame) -> np.ndarray:
    """:func:`name_adjustments`' values, one per row of ``frame`` in its order.

    Each part is coded once by Arrow (no Python string is made) and counted with ``bincount``; the whole
    names are counted on one integer key of the four codes. The adjustment of 400,000 pairs of 1.25 M
    records took 0.7 s against 2.0-2.2 s with pandas' ``value_counts``, ``map`` and a four-column ``groupby``
    (docs/benchmarks.md, twenty-first measurement); the shares are the same divisions, so the values are the
    same to the bit.
    """
    cols = [c for c, _ in PARTS]
    if any(c not in frame.columns for c in cols):
        return np.zeros(len(frame))
    code = {c: textkeys.codes(frame[c]) for c in cols}
    counts = {c: np.bincount(k[k >= 0]) for c, k in code.items()}
    share = {c: np.where(code[c] >= 0, counts[c][np.maximum(code[c], 0)] / counts[c].sum(), np.nan)
             if counts[c].sum() else np.full(len(frame), np.nan) for c in ("surname", "middle", "given")}
    u_sex = float(((counts["sex"] / counts["sex"].sum()) ** 2).sum()) if counts["sex"].sum() else np.nan
    whole = np.logical_and.reduce([code[c] >= 0 for c in cols])
    joint = np.full(len(frame), np.nan)
    if whole.any():
        # one integer per whole name: the parts' codes joined one at a time, coded again after each so
        # the key stays below the number of records
        names = np.zeros(int(whole.sum()), dtype=np.int64)
        for c in cols:
            names = textkeys.codes(names * (int(code[c].max()) + 1) + code[c][whole])
        joint[whole] = np.bincount(names)[names] / len(names)
    with np.errstate(divide="ignore", invalid="ignore"):
        adj = np.log2(share["surname"] * share["middle"] * share["given"] * u_sex / joint)
    return np.round(np.where(np.isfinite(adj), adj, 0.0), 6)


def whole_name_adjustment(raw: pd.DataFrame, frame: Any, kind: str = "dedupe") -> pd.DataFrame:
    """Scored pairs (``run_splink``'s output) with the whole-name adjustment applied where the two
    records agree on every part of the name and on the sex.

    ``match_weight`` and ``match_probability`` are replaced (new columns; ``raw`` is not written
    into); other pairs keep their values.
    """
    from popqa.linkage.model import evidence_labels

    out = raw.copy(deep=False)
    labels = evidence_labels(kind)
    hit = np.ones(len(out), dtype=bool)
    for name, label in PARTS:
        col = f"gamma_{name}"
        codes = [k for k, v in labels.get(name, {}).items() if v == label]
        if col not in out.columns or not codes:
            return out
        hit &= out[col].to_numpy() == codes[0]
    adj = np.zeros(len(out))
    if hit.any():
        from popqa.linkage.frames import read_columns

        # the columns it reads (a frame in a file is read for them alone)
        records = read_columns(frame, ["unique_id", *(c for c, _ in PARTS)])
        per_row = _per_row(records)
        # the left records of the agreeing pairs only, found by position among the records
        pos = textkeys.positions(out["unique_id_l"][hit], records["unique_id"])
        adj[hit] = np.where(pos >= 0, per_row[np.maximum(pos, 0)], 0.0)
    weight = out["match_weight"].to_numpy(dtype="float64", copy=True)
    prob = out["match_probability"].to_numpy(dtype="float64", copy=True)
    weight[hit] = np.round(weight[hit] + adj[hit], 6)
    prob[hit] = np.round(1.0 / (1.0 + np.exp2(-weight[hit])), 10)
    out["match_weight"], out["match_probability"] = weight, prob
    return out
