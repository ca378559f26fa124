"""Survey estimates as rows of the indicator table (:mod:`popqa.indicators`).

The survey module registers no indicator of its own: a stage that estimates one
from a survey declares it (``popqa.indicators.register``) and turns the estimates
into rows here.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = ["estimates_to_indicator_rows"]


def estimates_to_indicator_rows(
    estimates: Any,
    indicator_id: str,
    *,
    level: str,
    unit_code: Any,
    period: str,
    numerator: Any = None,
    denominator: Any = None,
    target: Any = None,
    target_year: Any = None,
    min_n: int = 1,
    source: str | None = "survey",
    group_sep: str = ";",
) -> pd.DataFrame:
    """Indicator rows (the contract's long shape) from an ``Estimate`` or a by-DataFrame.

    Parameters
    ----------
    estimates : a :class:`~popqa.survey.Estimate`, or a DataFrame from ``by=`` /
        a categorical column (index = group; columns estimate, se, ci_low, ci_high, n).
    indicator_id : a registered indicator (the caller registers it).
    level, unit_code, period : where the rows belong; ``unit_code`` a scalar or, for a
        by-DataFrame, one code per row (e.g. when grouping by commune).
    numerator, denominator : optional weighted totals to carry along.
    target, target_year : optional target (``met`` follows the indicator's direction).
    min_n : rows estimated from fewer sampled units are ``insufficient`` (no value).
    group_sep : joins the levels of a multi-column group into the ``group`` text.

    A row without an estimate (empty domain) is ``not_measurable``.

    Examples
    --------
    >>> from popqa.indicators import register
    >>> _ = register("survey_demo_share", name_vi="Tỷ lệ", name_en="Share", unit="share",
    ...              stage="survey", source="survey")
    >>> from popqa.survey import Estimate
    >>> r = estimates_to_indicator_rows(Estimate(0.25, 0.05, 0.16, 0.37, 1.4, 120),
    ...                                 "survey_demo_share", level="province", unit_code="72",
    ...                                 period="2026-10")
    >>> r[["value", "se", "ci_low", "status"]].values.tolist()
    [[0.25, 0.05, 0.16, 'ok']]
    """
    from popqa.indicators import indicator_rows
    from popqa.survey.design import Estimate

    if isinstance(estimates, Estimate):
        frame = pd.DataFrame([{"estimate": estimates.estimate, "se": estimates.se,
                               "ci_low": estimates.ci_low, "ci_high": estimates.ci_high,
                               "n": estimates.n}])
        groups = [""]
    elif isinstance(estimates, pd.DataFrame):
        missing = {"estimate", "se", "ci_low", "ci_high", "n"} - set(estimates.columns)
        if missing:
            raise ValueError(f"estimates frame lacks the columns {sorted(missing)}")
        frame = estimates.reset_index(drop=True)
        idx = estimates.index
        # the contract's group convention: key=value pairs (the index's names) joined by group_sep
        names = [n if n is not None else "group" for n in idx.names]
        if isinstance(idx, pd.MultiIndex):
            groups = [group_sep.join(f"{n}={v}" for n, v in zip(names, t, strict=True)) for t in idx]
        else:
            groups = [f"{names[0]}={v}" for v in idx]
    else:
        raise ValueError("estimates must be an Estimate or a DataFrame of estimates")
    n = frame["n"].to_numpy()
    value = frame["estimate"].to_numpy(dtype="float64")
    status = np.where(~np.isfinite(value), "not_measurable", np.where(n < min_n, "insufficient", "ok"))
    return indicator_rows(
        indicator_id, level=level, unit_code=unit_code, period=period, value=value,
        se=frame["se"].to_numpy(dtype="float64"), ci_low=frame["ci_low"].to_numpy(dtype="float64"),
        ci_high=frame["ci_high"].to_numpy(dtype="float64"), numerator=numerator,
        denominator=denominator, group=groups, target=target, target_year=target_year,
        status=[str(x) for x in status], source=source,
    )
