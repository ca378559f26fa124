"""What the reports and the site say about coverage: completeness of each source, the survey comparison.

Reads only indicator rows (``indicators.parquet``) of the reconcile stage
(:mod:`popqa.reconcile`) and turns them into rows of text in Vietnamese or
English: every number through the Babel helpers of :mod:`popqa.reporting.draw`,
and a unit too small to estimate says so instead of a number. Nothing here
computes an estimate.

Examples
--------
>>> ct("verdict_above", "en")
'register above the interval'
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from popqa.reporting.draw import fmt_indicator, fmt_int, t

__all__ = ["COVERAGE_LABELS", "ct", "completeness_rows", "survey_rows", "share_rows", "assumptions"]

#: The labels of the coverage section and page (both languages).
COVERAGE_LABELS: dict[str, dict[str, str]] = {
    "coverage_page": {"vi": "Độ bao phủ của sổ dân cư", "en": "Coverage of the register"},
    "coverage_nav": {"vi": "Độ bao phủ", "en": "Coverage"},
    "coverage_intro": {"vi": "Sổ dân cư đầy đủ đến đâu, đo bằng các nguồn khác: hộ tịch (ước lượng hai nguồn), "
                             "điều tra biến động dân số, cơ sở dữ liệu cư trú và bảo hiểm xã hội.",
                       "en": "How complete the register is, measured against other sources: civil registration "
                             "(dual-system estimate), the population-change survey, the resident database and "
                             "social insurance."},
    "completeness_sources": {"vi": "Mức độ đầy đủ của từng nguồn (sinh, chết trong 12 tháng; khoảng tin cậy 95%)",
                             "en": "Completeness of each source (births and deaths of twelve months; 95% "
                                   "interval)"},
    "survey_comparison": {"vi": "So sánh với điều tra biến động dân số (khoảng tin cậy 95%)",
                          "en": "Comparison with the population-change survey (95% interval)"},
    "source_shares": {"vi": "Đối chiếu với cư trú và bảo hiểm xã hội", "en": "Residents and social insurance"},
    "unit": {"vi": "Đơn vị", "en": "Unit"},
    "province_row": {"vi": "Toàn tỉnh", "en": "Whole province"},
    "births_register": {"vi": "Sinh: sổ dân cư đầy đủ", "en": "Births: register complete"},
    "births_civil": {"vi": "Sinh: hộ tịch đầy đủ", "en": "Births: civil registration complete"},
    "births_missed": {"vi": "Sinh: cả hai nguồn bỏ sót", "en": "Births missed by both"},
    "deaths_register": {"vi": "Chết: sổ dân cư đầy đủ", "en": "Deaths: register complete"},
    "deaths_civil": {"vi": "Chết: hộ tịch đầy đủ", "en": "Deaths: civil registration complete"},
    "deaths_missed": {"vi": "Chết: cả hai nguồn bỏ sót", "en": "Deaths missed by both"},
    "measure": {"vi": "Số đếm", "en": "Count"},
    "measure_persons": {"vi": "Nhân khẩu hiện có", "en": "Persons present"},
    "measure_persons_sex1": {"vi": "Nhân khẩu hiện có: nam", "en": "Persons present: male"},
    "measure_persons_sex2": {"vi": "Nhân khẩu hiện có: nữ", "en": "Persons present: female"},
    "measure_births": {"vi": "Trẻ sinh trong 12 tháng", "en": "Births in twelve months"},
    "measure_deaths": {"vi": "Người chết trong 12 tháng", "en": "Deaths in twelve months"},
    "survey_estimate": {"vi": "Ước lượng từ điều tra", "en": "Survey estimate"},
    "register_count": {"vi": "Sổ dân cư", "en": "Register"},
    "verdict": {"vi": "Kết luận", "en": "Verdict"},
    "verdict_inside": {"vi": "sổ nằm trong khoảng", "en": "register inside the interval"},
    "verdict_below": {"vi": "sổ thấp hơn khoảng (có thể thiếu)", "en": "register below the interval"},
    "verdict_above": {"vi": "sổ cao hơn khoảng (có thể thừa)", "en": "register above the interval"},
    "verdict_small": {"vi": "mẫu điều tra quá nhỏ để so sánh", "en": "survey too small here to compare"},
    "verdict_none": {"vi": "điều tra không có mẫu ở đơn vị này", "en": "no survey sample in this unit"},
    "share_indicator": {"vi": "Chỉ tiêu", "en": "Indicator"},
    "share_value": {"vi": "Tỷ lệ (khoảng tin cậy 95%)", "en": "Share (95% interval)"},
    "no_coverage_rows": {"vi": "Kỳ này không có số liệu đối chiếu.", "en": "No coverage figures for this period."},
    "assumptions_title": {"vi": "Các ước lượng này giả định gì", "en": "What these estimates assume"},
    "survey_note": {
        "vi": "Điều tra biến động dân số là một mẫu: số ước lượng có sai số, thể hiện bằng khoảng tin cậy 95%. Số "
              "của sổ dân cư nằm ngoài khoảng cho thấy sổ có thể thiếu (thấp hơn) hoặc thừa (cao hơn) người hoặc sự "
              "kiện; nhưng cứ khoảng 20 lần so sánh thì có 1 lần nằm ngoài do ngẫu nhiên dù sổ đúng, nên đó là lý do "
              "để kiểm tra, chưa phải kết luận. Đơn vị mà mẫu có quá ít địa bàn điều tra, hoặc ước lượng quá kém "
              "chính xác (hệ số biến thiên trên 30%), không được so sánh. Điều tra chỉ tính người đang sống trong "
              "hộ được chọn, như nhân khẩu hiện có của sổ.",
        "en": "The population-change survey is a sample: its figures carry sampling error, shown as a 95% "
              "interval. A register count outside the interval suggests the register misses (below) or holds too "
              "many (above) persons or events; but about one comparison in twenty falls outside by chance even "
              "when the register is right, so it is a reason to check, not a verdict. Units where the survey "
              "sampled too few areas, or where its estimate is too imprecise (coefficient of variation above "
              "30%), are not compared. The survey counts the persons living in the sampled households, as the "
              "register's persons present."},
    "unreliable_note": {
        "vi": "\"Quá ít số liệu để ước lượng\": đơn vị quá nhỏ để nói điều gì (ít hơn 10 sự kiện có trong cả hai "
              "nguồn, hoặc sai số quá lớn); xã nhỏ được gộp lên cấp huyện.",
        "en": "\"Too few to estimate\": the unit is too small to say anything (fewer than 10 events found in both "
              "sources, or too large an error); small communes are pooled up to the district."},
}

_SHARES = ("residents_in_register", "register_in_residents", "insurance_absent_from_register")


def ct(key: str, lang: str = "vi") -> str:
    """A coverage label in ``lang`` (the draw module's labels as fallback, then the key)."""
    entry = COVERAGE_LABELS.get(key)
    return entry.get(lang, entry["en"]) if entry else t(key, lang)


def _rows(ind: pd.DataFrame, indicator_id: str, group: str) -> pd.DataFrame:
    if not len(ind) or "indicator_id" not in ind.columns:
        return ind.iloc[0:0]
    return ind[(ind["indicator_id"] == indicator_id) & (ind["group"].fillna("") == group)]


def _text(r: pd.Series | None, indicator_id: str, lang: str) -> str:
    from popqa.indicators import get

    if r is None:
        return "–"
    return fmt_indicator(r.to_dict(), get(indicator_id).unit, lang)


def _by_unit(ind: pd.DataFrame, indicator_id: str, group: str, level: str) -> dict[str, pd.Series]:
    rows = _rows(ind, indicator_id, group)
    rows = rows[rows["level"] == level]
    return {str(r["unit_code"]): r for _, r in rows.iterrows()}


def completeness_rows(ind: pd.DataFrame, level: str, lang: str, units: list[tuple[str, str]] | None = None
                      ) -> list[dict[str, Any]]:
    """Per unit of ``level``: births and deaths, completeness of the register and of civil registration
    with intervals, and the events missed by both (``too few to estimate`` for an unreliable unit).

    ``units`` (code, label) orders and names the rows; None: every unit with a row.
    """
    cols = {"births_register": ("reg_event_completeness", "birth"),
            "births_civil": ("civil_event_completeness", "birth"),
            "births_missed": ("dse_events_missed", "birth"),
            "deaths_register": ("reg_event_completeness", "death"),
            "deaths_civil": ("civil_event_completeness", "death"),
            "deaths_missed": ("dse_events_missed", "death")}
    found = {k: _by_unit(ind, i, f"event={e}", level) for k, (i, e) in cols.items()}
    if units is None:
        units = [(c, c) for c in sorted(set().union(*[set(v) for v in found.values()]))]
    out = []
    for code, label in units:
        if not any(code in v for v in found.values()):
            continue
        out.append({"code": code, "unit": label,
                    **{k: _text(found[k].get(code), cols[k][0], lang) for k in cols}})
    return out


def survey_rows(ind: pd.DataFrame, level: str, lang: str, units: list[tuple[str, str]] | None = None,
                by_sex: bool = False) -> list[dict[str, Any]]:
    """Per unit of ``level`` and count (persons, [by sex,] births, deaths): the survey's estimate with its
    interval (or why there is none), the register's count and where it lies."""
    measures = [("persons", "survey_persons_total", "")]
    if by_sex:
        measures += [("persons_sex1", "survey_persons_total", "sex=1"),
                     ("persons_sex2", "survey_persons_total", "sex=2")]
    measures += [("births", "survey_births_12m", ""), ("deaths", "survey_deaths_12m", "")]
    found = {m: _by_unit(ind, i, g, level) for m, i, g in measures}
    if units is None:
        units = [(c, c) for c in sorted(set().union(*[set(v) for v in found.values()]))]
    out = []
    for code, label in units:
        for m, i, _ in measures:
            r = found[m].get(code)
            if r is None:
                continue
            out.append({"code": code, "unit": label, "measure": ct(f"measure_{m}", lang),
                        "survey": _text(r, i, lang), "register": fmt_int(r["numerator"], lang),
                        "verdict": ct(_verdict(r), lang), "flag": _verdict(r) in ("verdict_below", "verdict_above")})
    return out


def _verdict(r: pd.Series) -> str:
    if r["status"] == "insufficient":
        return "verdict_small"
    if r["status"] != "ok" or pd.isna(r["value"]):
        return "verdict_none"
    if r["numerator"] < r["ci_low"]:
        return "verdict_below"
    if r["numerator"] > r["ci_high"]:
        return "verdict_above"
    return "verdict_inside"


def share_rows(ind: pd.DataFrame, level: str, code: str, lang: str) -> list[dict[str, str]]:
    """The unit's resident and insurance shares (all residence types / schemes) with intervals."""
    from popqa.indicators import get

    out = []
    for i in _SHARES:
        r = _by_unit(ind, i, "", level).get(code)
        if r is not None:
            spec = get(i)
            out.append({"indicator": spec.name_vi if lang == "vi" else spec.name_en, "value": _text(r, i, lang)})
    return out


def assumptions(lang: str) -> list[str]:
    """The plain-language notes: the dual-system estimate, unreliable units, the survey comparison."""
    return [t("dse_note", lang), ct("unreliable_note", lang), ct("survey_note", lang)]
