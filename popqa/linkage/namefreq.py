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
    cols = [c for c, _ in PARTS]
    if any(c not in frame.columns for c in cols):
        return pd.Series(0.0, index=frame["unique_id"].astype("string"))
    share = {}
    for c in ("surname", "middle", "given"):
        v = frame[c]
        share[c] = v.map(v.value_counts(normalize=True, dropna=True)).to_numpy(dtype="float64", na_value=np.nan)
    sex = frame["sex"]
    u_sex = float((sex.value_counts(normalize=True, dropna=True) ** 2).sum())
    whole = frame[cols].notna().all(axis=1).to_numpy()
    named = frame.loc[whole, cols]
    joint = np.full(len(frame), np.nan)
    if len(named):  # one grouping, no per-row key (a row-wise join took 30 s at 1.2 M records)
        size = named.groupby(cols, sort=False, observed=True)[cols[0]].transform("size")
        joint[whole] = size.to_numpy(dtype="float64") / len(named)
    with np.errstate(divide="ignore", invalid="ignore"):
        adj = np.log2(share["surname"] * share["middle"] * share["given"] * u_sex / joint)
    adj = np.where(np.isfinite(adj), adj, 0.0)
    return pd.Series(np.round(adj, 6), index=frame["unique_id"].astype("string").to_numpy())


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
        per_record = name_adjustments(read_columns(frame, ["unique_id", *(c for c, _ in PARTS)]))
        ids = out["unique_id_l"].astype("string").to_numpy()[hit]
        adj[hit] = textkeys.lookup(ids, per_record).fillna(0.0).to_numpy(dtype="float64")
    weight = out["match_weight"].to_numpy(dtype="float64", copy=True)
    prob = out["match_probability"].to_numpy(dtype="float64", copy=True)
    weight[hit] = np.round(weight[hit] + adj[hit], 6)
    prob[hit] = np.round(1.0 / (1.0 + np.exp2(-weight[hit])), 10)
    out["match_weight"], out["match_probability"] = weight, prob
    return out
