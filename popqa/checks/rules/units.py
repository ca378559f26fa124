"""Unit-level plausibility rules (Q family): table "units", record_id = commune code.

Monthly event counts are judged with the modified z-score of Iglewicz and
Hoaglin as the WHO Data Quality Review uses it: ``M = 0.6745 (x - median) / MAD``;
when the median absolute deviation is zero (common in small communes) the mean
absolute deviation replaces it, ``M = 0.7979 (x - median) / MeanAD``; when that is
zero too, every month equals the median and nothing is an outlier.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from popqa.checks.base import Context, empty_hits, isin, rule
from popqa.demography.heaping import whipple, whipple_terms

__all__ = ["modified_zscore", "ratio_outside_band"]


def modified_zscore(x: np.ndarray) -> np.ndarray:
    """Modified z-scores of each row of ``x`` (units x months) against the row's own median.

    Examples
    --------
    >>> modified_zscore(np.array([[5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 40.0]])).round(1).tolist()
    [[0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 9.6]]
    >>> modified_zscore(np.array([[3, 3, 3.0]])).tolist()
    [[0.0, 0.0, 0.0]]
    """
    x = np.asarray(x, dtype=float)
    if x.ndim == 1:
        x = x[None, :]
    med = np.median(x, axis=1, keepdims=True)
    dev = x - med
    mad = np.median(np.abs(dev), axis=1, keepdims=True)
    meanad = np.mean(np.abs(dev), axis=1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        z_mad = 0.6745 * dev / mad
        z_mean = 0.7979 * dev / meanad
    z = np.where(mad > 0, z_mad, np.where(meanad > 0, z_mean, 0.0))
    return z


def ratio_outside_band(k: pd.Series, n: pd.Series, band: tuple[float, float], z: float) -> pd.Series:
    """Whether ``k/(n-k) * 100`` lies significantly outside ``band`` (one-sided z tests on the share).

    The share ``k/n`` is compared with the shares at the band's edges; a commune is
    flagged only when it differs from the nearer edge by more than ``z`` standard
    errors, so small communes are not flagged for noise.

    Examples
    --------
    >>> ratio_outside_band(pd.Series([60, 52]), pd.Series([100, 100]), (95, 125), 2.0).tolist()
    [False, False]
    >>> ratio_outside_band(pd.Series([800]), pd.Series([1000]), (95, 125), 3.0).tolist()
    [True]
    """
    lo, hi = band[0] / (100 + band[0]), band[1] / (100 + band[1])
    n = n.astype(float)
    share = k.astype(float) / n.where(n > 0)
    se_hi = np.sqrt(hi * (1 - hi) / n)
    se_lo = np.sqrt(lo * (1 - lo) / n)
    return (((share - hi) / se_hi > z) | ((lo - share) / se_lo > z)).fillna(False)


def _communes(ctx: Context) -> pd.Index:
    hh = ctx.table("households")
    c = hh["commune_code"].dropna()
    return pd.Index(sorted(c[isin(c, ctx.units.index)].unique()))


def _in_period(ctx: Context, e: pd.DataFrame) -> pd.Series:
    d = e["event_date"]
    return ((d >= ctx.period_start) & (d <= ctx.ref_date)).fillna(False)


def _events_in_period(ctx: Context) -> pd.DataFrame:
    e = ctx.table("events")
    e = e[_in_period(ctx, e) & e["commune_code"].notna()]
    return e.drop_duplicates("event_id")


@rule("Q001", scope="unit", dimension="plausibility", severity="warning", table="units", requires=("persons", "households"),
      action_vi="Cán bộ dân số xã rà soát giới tính của trẻ sinh trong 3 năm qua với sổ A0 và giấy khai sinh.",
      action_en="The commune population officer checks the recorded sex of children born in the last 3 years against the A0 sheets and birth certificates.",
      parameters=("srb_band", "significance_z"),
      column="sex",
      message_vi="Tỷ số giới tính khi sinh (trẻ sinh trong 3 năm) của xã nằm ngoài khoảng hợp lý.",
      message_en="The commune's sex ratio at birth (children born in the last 3 years) is outside the plausible band.",
      family="plausibility")
def _q001(ctx: Context) -> pd.DataFrame:
    p = ctx.persons
    recent = p["_bd_lo"] > (ctx.ref_date - pd.DateOffset(years=3))
    births = p.loc[(recent & p["sex"].isin([1, 2]).fillna(False) & p["commune_code"].notna()).to_numpy(bool),
                   ["sex", "commune_code"]]
    boys = births["sex"].eq(1).groupby(births["commune_code"]).sum()
    n = births.groupby("commune_code").size()
    bad = ratio_outside_band(boys, n, ctx.config.srb_band, ctx.config.significance_z)
    bad = bad[bad].index
    ratio = (boys / (n - boys).where(n > boys) * 100).round(1)
    frame = pd.DataFrame({"commune_code": bad})
    return ctx.unit_hits(frame, column="sex", value=pd.Series(ratio.reindex(bad).astype(str).to_numpy()))


@rule("Q002", scope="unit", dimension="plausibility", severity="warning", table="units", requires=("persons", "households"),
      action_vi="Rà soát giới tính ghi trong sổ và những người đã đi làm ăn xa nhưng chưa ghi chuyển đi.",
      action_en="Review recorded sex, and persons who left for work elsewhere but are not recorded as moved out.",
      parameters=("sex_ratio_band", "significance_z"),
      column="sex",
      message_vi="Tỷ số giới tính chung của xã nằm ngoài khoảng hợp lý (có ý nghĩa thống kê).",
      message_en="The commune's overall sex ratio is significantly outside the plausible band.",
      family="plausibility")
def _q002(ctx: Context) -> pd.DataFrame:
    p = ctx.persons
    # the two columns counted, not every column of the persons (a copy of 0.8 GB at 3.38 M persons)
    p = p.loc[(p["_present"] & p["sex"].isin([1, 2]).fillna(False) & p["commune_code"].notna()).to_numpy(bool),
              ["sex", "commune_code"]]
    men = p["sex"].eq(1).groupby(p["commune_code"]).sum()
    n = p.groupby("commune_code").size()
    bad = ratio_outside_band(men, n, ctx.config.sex_ratio_band, ctx.config.significance_z)
    idx = bad[bad].index
    ratio = (men / (n - men).where(n > men) * 100).round(1)
    return ctx.unit_hits(pd.DataFrame({"commune_code": idx}), column="sex",
                         value=pd.Series(ratio.reindex(idx).astype(str).to_numpy()))


def monthly_counts(ctx: Context) -> pd.DataFrame:
    """Events per commune (rows, every commune of the households) and month of the period (columns)."""
    e = _events_in_period(ctx)
    months = pd.period_range(ctx.period_start, ctx.ref_date, freq="M")
    m = e["event_date"].dt.to_period("M")
    tab = pd.crosstab(e["commune_code"], m) if len(e) else pd.DataFrame()
    return tab.reindex(index=_communes(ctx), columns=months, fill_value=0).fillna(0)


@rule("Q003", scope="unit", dimension="plausibility", severity="warning", table="units", requires=("events", "households"),
      action_vi="Kiểm tra tháng bất thường: biến động nhập dồn, nhập trùng hoặc sai ngày; ghi biến động vào đúng tháng xảy ra.",
      action_en="Check the outlying month for backlogs entered at once, duplicates or wrong dates; record each event in the month it happened.",
      parameters=("outlier_z", "outlier_min_count"),
      column="event_date",
      message_vi="Số biến động trong tháng của xã bất thường so với các tháng khác (điểm z hiệu chỉnh > 3,5).",
      message_en="A month's event count is an outlier against the commune's own months (modified z-score > 3.5).",
      family="plausibility")
def _q003(ctx: Context) -> pd.DataFrame:
    tab = monthly_counts(ctx)
    if tab.empty:
        return empty_hits()
    x = tab.to_numpy(float)
    z = modified_zscore(x)
    med = np.median(x, axis=1, keepdims=True)
    flag = (np.abs(z) > ctx.config.outlier_z) & (np.abs(x - med) >= ctx.config.outlier_min_count)
    r, c = np.nonzero(flag)
    if not len(r):
        return empty_hits()
    months = tab.columns.astype(str).to_numpy()
    value = pd.Series(
        [f"{months[j]}: {int(x[i, j])} (median {med[i, 0]:g}, z {z[i, j]:.1f})" for i, j in zip(r, c, strict=True)]
    )
    return ctx.unit_hits(pd.DataFrame({"commune_code": tab.index.to_numpy()[r]}), column="event_date", value=value)


def _heaping(ctx: Context, age_min: int, age_max: int, threshold: float) -> pd.DataFrame:
    """Whipple's index x 100 per commune, as DemoTools computes it (:func:`popqa.demography.heaping.whipple`).

    The numerator holds the ages ``age_min..age_max`` ending in 0 or 5, the
    denominator the ages from 2 below the lowest to 2 above the highest of them
    (25-60 over 23-62, the UN formula). A commune is flagged when the index is
    above ``threshold`` and more than ``significance_z`` binomial standard
    errors above 100 (the share 0.2 expected without heaping).
    """
    p = ctx.persons
    # the age as stated: years since the birth year (a year-only date states exactly this)
    age = ctx.ref_date.year - p["_bd_lo"].dt.year
    lo, hi = age_min - 2, age_max + 2
    sel = p["_present"] & age.between(lo, hi) & p["commune_code"].notna()
    if not sel.any():
        return empty_hits()
    codes = p.loc[sel, "commune_code"].astype(str)
    tab = pd.crosstab(codes, age[sel].astype(int)).reindex(columns=range(lo, hi + 1), fill_value=0)
    counts, ages = tab.to_numpy(float), tab.columns.to_numpy()
    index = pd.Series(100 * whipple(counts, ages, age_min=age_min, age_max=age_max), index=tab.index)
    n = pd.Series(whipple_terms(counts, ages, age_min=age_min, age_max=age_max)[1], index=tab.index)
    se = np.sqrt(0.2 * 0.8 / n) * 500
    bad = (index > threshold) & ((index - 100) / se > ctx.config.significance_z)
    idx = tab.index[bad.to_numpy()]
    return ctx.unit_hits(pd.DataFrame({"commune_code": idx}), column="birth_date",
                         value=pd.Series(index[bad].round(0).astype(int).astype(str).to_numpy()))


@rule("Q004", scope="unit", dimension="plausibility", severity="warning", table="units", requires=("persons", "households"),
      action_vi="Đối chiếu ngày sinh của người cao tuổi với thẻ căn cước hoặc giấy tờ gốc; sửa năm sinh ước lượng.",
      action_en="Check elderly persons' birth dates against ID cards or original documents; correct estimated birth years.",
      parameters=("elderly_heaping_max", "significance_z"),
      column="birth_date",
      message_vi="Tuổi người cao tuổi (60–95) của xã dồn vào các số tận cùng 0 và 5.",
      message_en="The commune's elderly ages (60-95) heap on ages ending in 0 or 5.", family="plausibility")
def _q004(ctx: Context) -> pd.DataFrame:
    return _heaping(ctx, 60, 95, ctx.config.elderly_heaping_max)  # ages 60-95 over 58-97


@rule("Q005", scope="unit", dimension="plausibility", severity="info", table="units", requires=("persons", "households"),
      action_vi="Để biết: nhắc cộng tác viên ghi ngày sinh theo giấy tờ, không ước lượng tuổi.",
      action_en="For information: remind collaborators to take birth dates from documents, not to estimate ages.",
      parameters=("whipple_max", "significance_z"),
      column="birth_date",
      message_vi="Chỉ số Whipple (tuổi 23–62) của xã cho thấy khai tuổi dồn vào số tận cùng 0 và 5.",
      message_en="The commune's Whipple index (ages 23-62) shows heaping on ages ending in 0 or 5.",
      family="plausibility")
def _q005(ctx: Context) -> pd.DataFrame:
    return _heaping(ctx, 25, 60, ctx.config.whipple_max)  # ages 25-60 over 23-62


def population_balance(ctx: Context) -> pd.DataFrame:
    """Per commune: start, births, deaths, moves in/out in the period, end, expected end, residual.

    The register is one snapshot, so the start population is rebuilt from the
    persons table: everyone born before the period who did not move in during it
    and who is either still present or left through a death or move-out event of
    the period. ``residual = end - (start + births - deaths + in - out)`` is zero
    when statuses and events agree; each dead-but-present person, missing child
    of a birth event, event of an unknown person, ... moves it by one.
    """
    p = ctx.persons
    e = _events_in_period(ctx)
    kinds = {k: e.loc[e["event_type"].eq(k).fillna(False)] for k in ("birth", "death", "move_in", "move_out")}
    born = isin(p["person_id"], kinds["birth"]["person_id"]) | (p["_bd_lo"] >= ctx.period_start).fillna(False)
    moved_in = isin(p["person_id"], kinds["move_in"]["person_id"])
    left = isin(p["person_id"], kinds["death"]["person_id"]) | isin(p["person_id"], kinds["move_out"]["person_id"])
    start = ~born & ~moved_in & (p["_present"] | left)
    comm = p["commune_code"]
    out = pd.DataFrame(index=_communes(ctx))
    out["start"] = start.groupby(comm).sum()
    out["end"] = p["_present"].groupby(comm).sum()
    for k, df in kinds.items():
        out[k] = df.groupby("commune_code").size()
    out = out.fillna(0).astype(int)
    out["expected_end"] = out["start"] + out["birth"] - out["death"] + out["move_in"] - out["move_out"]
    out["residual"] = out["end"] - out["expected_end"]
    out.index.name = "commune_code"
    return out


@rule("Q006", scope="province", dimension="coverage", severity="warning", table="units", requires=("events", "persons", "households"),
      action_vi="Rà soát biến động chết, chuyển đi, chuyển đến trong kỳ của xã: tình trạng của từng người phải khớp với biến động.",
      action_en="Review the commune's deaths and moves of the period: each person's status must match their events.",
      parameters=("balance_tolerance", "balance_min"),
      column="status",
      message_vi="Cân đối dân số của xã không khớp: dân số cuối kỳ khác đầu kỳ + sinh − chết + đến − đi.",
      message_en="The commune's population balance fails: end population differs from start + births - deaths + in - out.",
      family="plausibility")
def _q006(ctx: Context) -> pd.DataFrame:
    b = population_balance(ctx)
    c = ctx.config
    bad = b["residual"].abs() > np.maximum(c.balance_min, c.balance_tolerance * b["end"])
    b = b[bad].reset_index()
    return ctx.unit_hits(b, column="status", value=b["residual"].astype(str) + " / " + b["end"].astype(str))


def _rate_rule(kind: str, band_attr: str):
    def fn(ctx: Context) -> pd.DataFrame:
        e = _events_in_period(ctx)
        n = e[e["event_type"].eq(kind).fillna(False)].groupby("commune_code").size()
        p = ctx.persons
        pop = p["_present"].groupby(p["commune_code"]).sum()
        comm = _communes(ctx)
        pop = pop.reindex(comm).fillna(0)
        n = n.reindex(comm).fillna(0)
        lo, hi = getattr(ctx.config, band_attr)
        # Poisson test against the band edges: flag only clear departures
        exp_lo, exp_hi = pop * lo / 1000, pop * hi / 1000
        z = ctx.config.significance_z
        bad = (pop >= 500) & (((n - exp_hi) / np.sqrt(exp_hi.clip(lower=1)) > z) |
                              ((exp_lo - n) / np.sqrt(exp_lo.clip(lower=1)) > z))
        rate = (n / pop.where(pop > 0) * 1000).round(1)
        idx = comm[bad.to_numpy()]
        return ctx.unit_hits(pd.DataFrame({"commune_code": idx}), column="event_type",
                             value=pd.Series(rate.reindex(idx).astype(str).to_numpy()))

    return fn


from popqa.checks.base import Rule, add_rule  # noqa: E402

add_rule(Rule("Q007", "plausibility", "warning", "units",
              "Tỷ suất sinh thô của xã nằm ngoài khoảng hợp lý.",
              "The commune's crude birth rate is outside the plausible band.",
              _rate_rule("birth", "cbr_band"), ("events", "persons", "households"), "event_type", "plausibility",
              action_vi="Rà soát biến động sinh của xã: trẻ sinh chưa ghi (tỷ suất thấp) hoặc ghi trùng, sai kỳ (tỷ suất cao).",
              action_en="Review the commune's birth events: births not recorded (low rate) or duplicated or out of period (high rate).",
              parameters=("cbr_band", "significance_z"), scope="unit"))
add_rule(Rule("Q008", "plausibility", "warning", "units",
              "Tỷ suất chết thô của xã nằm ngoài khoảng hợp lý.",
              "The commune's crude death rate is outside the plausible band.",
              _rate_rule("death", "cdr_band"), ("events", "persons", "households"), "event_type", "plausibility",
              action_vi="Rà soát biến động chết của xã: trường hợp chết chưa ghi (tỷ suất thấp) hoặc ghi trùng, sai kỳ (tỷ suất cao).",
              action_en="Review the commune's death events: deaths not recorded (low rate) or duplicated or out of period (high rate).",
              parameters=("cdr_band", "significance_z"), scope="unit"))


@rule("Q009", scope="unit", dimension="coverage", severity="warning", table="units", requires=("events", "persons", "households"),
      action_vi="Liên hệ cộng tác viên của xã: xác minh việc cập nhật biến động và hướng dẫn ghi các biến động còn thiếu.",
      action_en="Contact the commune's collaborators: verify that they record events and have the missing ones entered.",
      column="event_type",
      message_vi="Xã có dân cư nhưng không có biến động nào trong kỳ.",
      message_en="The commune has residents but no event in the period.", family="plausibility")
def _q009(ctx: Context) -> pd.DataFrame:
    tab = monthly_counts(ctx)
    p = ctx.persons
    pop = p["_present"].groupby(p["commune_code"]).sum().reindex(tab.index).fillna(0)
    bad = (tab.sum(axis=1) == 0) & (pop > 0)
    return ctx.unit_hits(pd.DataFrame({"commune_code": tab.index[bad.to_numpy()]}), column="event_type",
                         value=pd.Series("0", index=range(int(bad.sum()))))


@rule("Q010", scope="unit", dimension="plausibility", severity="info", table="units", requires=("persons", "households"),
      action_vi="Rà soát mã hộ của nhân khẩu trong xã (hộ bị tách hoặc gộp nhầm).",
      action_en="Review the household ids of the commune's persons (households split or merged by mistake).",
      column="household_id",
      message_vi="Quy mô hộ bình quân của xã nằm ngoài khoảng 1,5–7 người.",
      message_en="The commune's mean household size is outside 1.5-7 persons.", family="plausibility")
def _q010(ctx: Context) -> pd.DataFrame:
    p = ctx.persons
    # the two columns counted, not every column of the persons (a copy of 0.8 GB at 3.38 M persons)
    p = p.loc[(p["_present"] & p["commune_code"].notna()).to_numpy(bool), ["commune_code", "household_id"]]
    g = p.groupby("commune_code")["household_id"].agg(["size", "nunique"])
    size = g["size"] / g["nunique"]
    bad = (size < 1.5) | (size > 7)
    idx = g.index[bad.to_numpy()]
    return ctx.unit_hits(pd.DataFrame({"commune_code": idx}), column="household_id",
                         value=pd.Series(size[bad].round(2).astype(str).to_numpy()))
