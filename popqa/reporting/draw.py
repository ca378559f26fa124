"""Drawing helpers shared by the report template and the site: labels, colours, tables, charts.

Nothing here computes results; it formats what :func:`popqa.pipeline.audit` wrote.
Charts use matplotlib with DejaVu Sans, which has the Vietnamese glyphs.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd

__all__ = ["LABELS", "GRADE_COLOURS", "t", "fmt_score", "fmt_change", "fmt_share", "fmt_indicator", "badge",
           "sparkline_svg", "table_html", "figure_html", "setup_matplotlib"]

GRADE_COLOURS = {"green": "#1a9850", "yellow": "#f2c12e", "red": "#d73027", "insufficient": "#9e9e9e",
                 None: "#bdbdbd"}
GRADE_BG = {"green": "#d9f0d3", "yellow": "#fff3bf", "red": "#f8d0cc", "insufficient": "#eeeeee"}

LABELS: dict[str, dict[str, str]] = {
    "report_title": {"vi": "Báo cáo chất lượng dữ liệu dân cư", "en": "Population register data quality report"},
    "district": {"vi": "Huyện/thị xã/thành phố", "en": "District"},
    "province": {"vi": "Tỉnh", "en": "Province"},
    "period": {"vi": "Kỳ báo cáo", "en": "Period"},
    "summary": {"vi": "Tóm tắt", "en": "Summary"},
    "overall": {"vi": "Điểm chung", "en": "Overall score"},
    "grade": {"vi": "Xếp loại", "en": "Grade"},
    "change": {"vi": "Thay đổi so với kỳ trước", "en": "Change since previous period"},
    "score": {"vi": "Điểm", "en": "Score"},
    "records": {"vi": "Số bản ghi", "en": "Records"},
    "households": {"vi": "Hộ", "en": "Households"},
    "persons": {"vi": "Nhân khẩu", "en": "Persons"},
    "events": {"vi": "Biến động", "en": "Events"},
    "communes": {"vi": "Xã/phường", "en": "Communes"},
    "commune": {"vi": "Xã/phường", "en": "Commune"},
    "commune_2025": {"vi": "Xã/phường (từ 2025)", "en": "Commune (2025 units)"},
    "collaborator": {"vi": "Cộng tác viên", "en": "Collaborator"},
    "collaborators": {"vi": "Cộng tác viên", "en": "Collaborators"},
    "commune_scorecard": {"vi": "Bảng điểm theo xã/phường", "en": "Commune scorecard"},
    "top_rules": {"vi": "Các lỗi phổ biến nhất", "en": "Top problems by rule"},
    "rule": {"vi": "Quy tắc", "en": "Rule"},
    "dimension": {"vi": "Khía cạnh", "en": "Dimension"},
    "severity": {"vi": "Mức độ", "en": "Severity"},
    "findings": {"vi": "Số phát hiện", "en": "Findings"},
    "message": {"vi": "Mô tả", "en": "Description"},
    "collab_support": {"vi": "Cộng tác viên cần hỗ trợ", "en": "Collaborators needing support"},
    "errors": {"vi": "Lỗi", "en": "Errors"},
    "warnings": {"vi": "Cảnh báo", "en": "Warnings"},
    "errors_per_1000": {"vi": "Lỗi/1.000 bản ghi", "en": "Errors per 1,000 records"},
    "late_share": {"vi": "Tỷ lệ cập nhật muộn", "en": "Share recorded late"},
    "median_lag": {"vi": "Độ trễ trung vị (ngày)", "en": "Median lag (days)"},
    "timeliness_title": {"vi": "Tính kịp thời", "en": "Timeliness"},
    "lag_hist": {"vi": "Phân bố độ trễ cập nhật biến động", "en": "Recording lag of events"},
    "lag_days": {"vi": "Số ngày từ khi xảy ra đến khi cập nhật", "en": "Days from event to recording"},
    "monthly": {"vi": "Xu hướng theo tháng", "en": "Monthly trend"},
    "month": {"vi": "Tháng", "en": "Month"},
    "duplicates_title": {"vi": "Trùng lặp nhân khẩu", "en": "Duplicate persons"},
    "duplicates": {"vi": "Bản ghi trùng", "en": "Duplicate records"},
    "per_1000": {"vi": "Trên 1.000 nhân khẩu", "en": "Per 1,000 persons"},
    "demography": {"vi": "Tình hình dân số", "en": "Demographic snapshot"},
    "pyramid": {"vi": "Tháp dân số", "en": "Age-sex pyramid"},
    "age_group": {"vi": "Nhóm tuổi", "en": "Age group"},
    "male": {"vi": "Nam", "en": "Male"},
    "female": {"vi": "Nữ", "en": "Female"},
    "srb": {"vi": "Tỷ số giới tính khi sinh", "en": "Sex ratio at birth"},
    "too_few_to_estimate": {"vi": "quá ít số liệu để ước lượng", "en": "too few to estimate"},
    "projection_insufficient": {"vi": "Chưa đủ số ca tử vong để lập bảng sống; không dự báo.",
                                "en": "Too few deaths for a life table; no projection."},
    "highly accurate": {"vi": "rất chính xác", "en": "highly accurate"},
    "fairly accurate": {"vi": "khá chính xác", "en": "fairly accurate"},
    "approximate": {"vi": "tương đối", "en": "approximate"},
    "rough": {"vi": "thô", "en": "rough"},
    "very rough": {"vi": "rất thô", "en": "very rough"},
    "accurate": {"vi": "chính xác", "en": "accurate"},
    "inaccurate": {"vi": "không chính xác", "en": "inaccurate"},
    "highly inaccurate": {"vi": "rất không chính xác", "en": "highly inaccurate"},
    "rates": {"vi": "Tỷ suất và cơ cấu (khoảng tin cậy 95%)", "en": "Rates and structure (95% interval)"},
    "age_quality": {"vi": "Chất lượng khai báo tuổi và giới tính", "en": "Quality of age and sex reporting"},
    "band": {"vi": "Mức đánh giá", "en": "Assessment"},
    "projection": {"vi": "Dự báo dân số đến 2030 (phương án)", "en": "Population projection to 2030 (scenarios)"},
    "scenario_constant": {"vi": "Mức sinh không đổi", "en": "Constant fertility"},
    "scenario_declining_fertility": {"vi": "Mức sinh giảm", "en": "Declining fertility"},
    "scenario_no_migration": {"vi": "Không di cư", "en": "No migration"},
    "dse_completeness": {"vi": "Mức độ đầy đủ so với hộ tịch (ước lượng hai nguồn)",
                     "en": "Completeness against civil registration (dual-system estimate)"},
    "register_completeness": {"vi": "Sổ dân cư đầy đủ", "en": "Register complete"},
    "civil_completeness": {"vi": "Hộ tịch đầy đủ", "en": "Civil registration complete"},
    "missed_both": {"vi": "Sự kiện cả hai nguồn bỏ sót (ước lượng)", "en": "Events missed by both (estimate)"},
    "event_birth": {"vi": "Sinh", "en": "Births"},
    "event_death": {"vi": "Chết", "en": "Deaths"},
    "event": {"vi": "Sự kiện", "en": "Event"},
    "dse_note": {"vi": "Ước lượng hai nguồn (Chapman) giả định hai nguồn độc lập, dân số đóng và ghép nối đúng. "
                       "Khi sổ dân cư và hộ tịch do cùng cộng tác viên cập nhật, hai nguồn phụ thuộc nhau: ước lượng "
                       "thấp hơn thực tế và mức độ đầy đủ cao hơn thực tế. Xã quá nhỏ được gộp lên cấp huyện.",
                 "en": "The dual-system (Chapman) estimate assumes independent sources, a closed population and "
                       "perfect matching. Where the register and civil registration are kept by the same "
                       "collaborators the sources are dependent: the estimate is then too low and completeness too "
                       "high. Communes too small to say anything are pooled up to the district."},
    "srb_unit": {"vi": "bé trai/100 bé gái", "en": "boys per 100 girls"},
    "births": {"vi": "Số trẻ sinh", "en": "Births"},
    "coverage_title": {"vi": "Đối chiếu với hộ tịch", "en": "Coverage against civil registration"},
    "coverage_none": {"vi": "Không có dữ liệu hộ tịch cho kỳ này.",
                      "en": "No civil-registration source for this period."},
    "source": {"vi": "Nguồn", "en": "Source"},
    "linked": {"vi": "Tìm thấy trong sổ", "en": "Found in the register"},
    "share_linked": {"vi": "Tỷ lệ tìm thấy", "en": "Share found"},
    "methods": {"vi": "Phương pháp và lưu ý", "en": "Methods and caveats"},
    "targets": {"vi": "Chỉ tiêu kế hoạch", "en": "Program targets"},
    "province_reports": {"vi": "Báo cáo cấp tỉnh", "en": "Province reports"},
    "on_time_communes": {"vi": "Xã/phường cập nhật đúng hạn", "en": "Communes updating on time"},
    "mobile_entry": {"vi": "Biến động nhập qua thiết bị di động", "en": "Changes entered on mobile"},
    "target": {"vi": "Chỉ tiêu", "en": "Target"},
    "value": {"vi": "Thực hiện", "en": "Achieved"},
    "met": {"vi": "Đạt", "en": "Met"},
    "not_met": {"vi": "Chưa đạt", "en": "Not met"},
    "not_available": {"vi": "Không có dữ liệu", "en": "Not available"},
    "rollup": {"vi": "Tỷ lệ xã/phường không đạt (theo WHO DQR)",
               "en": "Share of communes failing each metric (WHO DQR)"},
    "failing": {"vi": "Không đạt", "en": "Failing"},
    "trend": {"vi": "Xu hướng", "en": "Trend"},
    "name": {"vi": "Tên", "en": "Name"},
    "code": {"vi": "Mã", "en": "Code"},
    "none": {"vi": "Không có", "en": "None"},
    "completeness": {"vi": "Đầy đủ", "en": "Completeness"},
    "validity": {"vi": "Hợp lệ", "en": "Validity"},
    "consistency": {"vi": "Nhất quán", "en": "Consistency"},
    "uniqueness": {"vi": "Duy nhất", "en": "Uniqueness"},
    "timeliness": {"vi": "Kịp thời", "en": "Timeliness"},
    "coverage": {"vi": "Bao phủ", "en": "Coverage"},
    "plausibility": {"vi": "Hợp lý", "en": "Plausibility"},
    "error": {"vi": "lỗi", "en": "error"},
    "warning": {"vi": "cảnh báo", "en": "warning"},
    "info": {"vi": "thông tin", "en": "info"},
    "green": {"vi": "Tốt", "en": "Green"},
    "yellow": {"vi": "Trung bình", "en": "Yellow"},
    "red": {"vi": "Kém", "en": "Red"},
    "insufficient": {"vi": "Không đủ dữ liệu", "en": "Too few records"},
    "first_period": {"vi": "kỳ đầu tiên", "en": "first period"},
    "top_problem": {"vi": "Lỗi chính", "en": "Main problem"},
    "collab_order": {"vi": "Cộng tác viên được xếp loại, điểm thấp nhất trước; cộng tác viên có quá ít bản ghi "
                           "(không đủ dữ liệu) ở cuối bảng.",
                     "en": "Graded collaborators, lowest score first; collaborators with too few records to grade "
                           "are listed last."},
    "chart": {"vi": "Biểu đồ", "en": "Chart"},
    "civil_births": {"vi": "Khai sinh", "en": "Birth registrations"},
    "civil_deaths": {"vi": "Khai tử", "en": "Death registrations"},
    "residents": {"vi": "Cơ sở dữ liệu cư trú", "en": "Resident database"},
    "insurance": {"vi": "Bảo hiểm xã hội", "en": "Social insurance"},
    "site_title": {"vi": "Bảng điểm chất lượng dữ liệu dân cư", "en": "Population register data-quality scorecard"},
    "run_date": {"vi": "Ngày chạy", "en": "Run date"},
    "audit_date": {"vi": "Ngày kiểm tra dữ liệu", "en": "Audit date"},
    "inputs": {"vi": "Dữ liệu đầu vào", "en": "Inputs"},
    "read_report": {"vi": "Kết quả đọc tệp", "en": "How the files were read"},
    "encoding": {"vi": "Bảng mã", "en": "Encoding"},
    "rows_found": {"vi": "Dòng trong tệp", "en": "Rows in the file"},
    "rows_read": {"vi": "Dòng đã đọc", "en": "Rows read"},
    "rows_set_aside": {"vi": "Dòng để riêng", "en": "Rows set aside"},
    "values_not_parsed": {"vi": "Giá trị không đọc được", "en": "Values not read"},
    "date_order": {"vi": "Thứ tự ngày tháng", "en": "Date order"},
    "order_day-first": {"vi": "ngày trước", "en": "day first"},
    "order_month-first": {"vi": "tháng trước", "en": "month first"},
    "order_contradictory": {"vi": "mâu thuẫn", "en": "contradictory"},
    "file": {"vi": "Tệp", "en": "File"},
    "failed_reports": {"vi": "Báo cáo huyện bị lỗi", "en": "District reports that failed"},
    "reason": {"vi": "Lý do", "en": "Reason"},
    "report": {"vi": "Báo cáo", "en": "Report"},
    "district_scorecard": {"vi": "Bảng điểm theo huyện", "en": "District scorecard"},
    "province_scorecard": {"vi": "Bảng điểm toàn tỉnh", "en": "Province scorecard"},
    "commune_view": {"vi": "Theo xã/phường", "en": "Commune view"},
    "collaborator_view": {"vi": "Theo cộng tác viên", "en": "Collaborator view"},
    "home": {"vi": "Trang chính", "en": "Home"},
    "switch_lang": {"vi": "English", "en": "Tiếng Việt"},
    "rollup_province": {"vi": "Tỷ lệ huyện không đạt (theo WHO DQR)",
                        "en": "Share of districts failing each metric (WHO DQR)"},
    "districts": {"vi": "Huyện", "en": "Districts"},
    "no_report": {"vi": "chưa có", "en": "missing"},
    "legacy_units": {"vi": "Đơn vị hành chính cũ (3 cấp)", "en": "Legacy units (three levels)"},
    "units_2025": {"vi": "Đơn vị hành chính từ 1/7/2025 (2 cấp)", "en": "Units since 1 July 2025 (two levels)"},
    "versions": {"vi": "Phiên bản", "en": "Versions"},
    "legend": {"vi": "Điểm = 100 × (1 − tỷ lệ bản ghi có lỗi, có trọng số theo mức độ). Xếp loại: xanh ≥ ngưỡng tốt, "
                     "vàng ≥ ngưỡng trung bình, đỏ dưới ngưỡng; xám: không đủ bản ghi để xếp loại.",
               "en": "Score = 100 × (1 − share of records with a finding, weighted by severity). Grades: green at or "
                     "above the green band, yellow at or above the yellow band, red below; grey: too few records "
                     "to grade."},
    # labour-market report (popqa/reporting/templates/labour_report.py)
    "labour_report_title": {"vi": "Báo cáo thị trường lao động", "en": "Labour-market report"},
    "labour_targets": {"vi": "Chỉ tiêu Chương trình hỗ trợ phát triển thị trường lao động (QĐ 176/QĐ-TTg)",
                       "en": "Targets of the labour-market development program (Decision 176/QĐ-TTg)"},
    "labour_other": {"vi": "Chỉ tiêu không có trong điều tra lao động việc làm (số liệu của tỉnh)",
                     "en": "Indicators the labour-force survey cannot give (the province's figures)"},
    "labour_by": {"vi": "Theo nhóm dân số", "en": "By population group"},
    "labour_districts": {"vi": "Theo huyện", "en": "By district"},
    "labour_gap": {"vi": "Đối chiếu với bảo hiểm xã hội", "en": "Linkage with social insurance"},
    "labour_gap_note": {"vi": "Người trong độ tuổi lao động có mặt trong sổ dân cư nhưng không có trong cơ sở dữ liệu "
                                "bảo hiểm xã hội (không đóng bảo hiểm), theo xã/phường.",
                        "en": "Working-age persons present in the register but not found contributing in the social "
                              "insurance database, by commune."},
    "labour_design": {"vi": "Thiết kế mẫu và phương pháp", "en": "Survey design and methods"},
    "interval": {"vi": "Khoảng tin cậy 95%", "en": "95% interval"},
    "status": {"vi": "Đánh giá", "en": "Status"},
    "cannot_tell": {"vi": "Chưa kết luận được", "en": "Cannot tell"},
    "no_data": {"vi": "Không có dữ liệu", "en": "No data"},
    "sex": {"vi": "Giới tính", "en": "Sex"},
    "area": {"vi": "Khu vực", "en": "Area"},
    "urban": {"vi": "Thành thị", "en": "Urban"},
    "rural": {"vi": "Nông thôn", "en": "Rural"},
    "indicator": {"vi": "Chỉ tiêu", "en": "Indicator"},
    "year": {"vi": "Năm", "en": "Year"},
    "sample_persons": {"vi": "Số người trong mẫu", "en": "Persons sampled"},
    "sample_psus": {"vi": "Số địa bàn điều tra (PSU)", "en": "PSUs sampled"},
    "sample_strata": {"vi": "Số tầng", "en": "Strata"},
    "lonely_strata": {"vi": "Tầng chỉ có một PSU", "en": "Strata with a single PSU"},
    "weighted_population": {"vi": "Dân số 15+ suy rộng", "en": "Weighted population 15+"},
    "working_age_persons": {"vi": "Người trong độ tuổi lao động", "en": "Working-age persons"},
    "absent": {"vi": "Không có bảo hiểm", "en": "Absent from insurance"},
}


def t(key: str, lang: str = "vi") -> str:
    """The label ``key`` in ``lang`` (the key itself when unknown).

    >>> t("timeliness", "vi"), t("timeliness", "en")
    ('Kịp thời', 'Timeliness')
    """
    entry = LABELS.get(key)
    return entry.get(lang, entry["en"]) if entry else key


def _nan(v: Any) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v))


def fmt_score(v: Any) -> str:
    """``97.5`` -> ``"97.5"``; missing -> ``"–"``."""
    return "–" if _nan(v) else f"{float(v):.1f}"


def fmt_change(v: Any) -> str:
    """Signed change with an arrow; missing -> ``"–"``.

    >>> fmt_change(1.25), fmt_change(-2), fmt_change(None)
    ('▲ +1.2', '▼ -2.0', '–')
    """
    if _nan(v):
        return "–"
    v = float(v)
    arrow = "▲" if v > 0 else ("▼" if v < 0 else "■")
    return f"{arrow} {v:+.1f}"


def fmt_share(v: Any) -> str:
    """A share 0-1 as a percentage."""
    return "–" if _nan(v) else f"{100 * float(v):.1f}%"


#: How an indicator's unit of measure is printed (a share as a percentage).
_UNIT_FORMATS = {"share": lambda v: f"{100 * v:.1f}%", "per_1000": lambda v: f"{v:.1f}",
                 "per_100": lambda v: f"{v:.1f}", "ratio": lambda v: f"{v:.1f}", "years": lambda v: f"{v:.1f}",
                 "count": lambda v: f"{v:,.0f}", "persons": lambda v: f"{v:,.0f}", "index": lambda v: f"{v:.2f}",
                 "children_per_woman": lambda v: f"{v:.2f}"}


def fmt_indicator(row: Any, unit: str, lang: str = "vi") -> str:
    """An indicator row's value with its 95% interval, or why there is none.

    >>> fmt_indicator({"value": 0.5, "ci_low": 0.4, "ci_high": 0.6, "status": "ok"}, "share", "en")
    '50.0% (40.0%–60.0%)'
    >>> fmt_indicator({"value": None, "status": "insufficient"}, "share", "en")
    'too few to estimate'
    """
    get = row.get if isinstance(row, dict) else (lambda k, d=None: getattr(row, k, d))
    if get("status") == "insufficient":
        return t("too_few_to_estimate", lang)
    if get("status") != "ok" or _nan(get("value")):
        return t("not_available", lang)
    f = _UNIT_FORMATS.get(unit, lambda v: f"{v:.2f}")
    out = f(float(get("value")))
    lo, hi = get("ci_low"), get("ci_high")
    if not _nan(lo) and not _nan(hi):
        out += f" ({f(float(lo))}–{f(float(hi))})"
    return out


def badge(grade: Any, lang: str = "vi", text: str | None = None) -> str:
    """An inline coloured badge for a grade."""
    g = None if _nan(grade) else str(grade)
    label = text if text is not None else (t(g, lang) if g else "–")
    colour = GRADE_COLOURS.get(g, GRADE_COLOURS[None])
    fg = "#000" if g == "yellow" else "#fff"
    return (f'<span class="grade grade-{g or "none"}" style="background:{colour};color:{fg};'
            f'padding:1px 6px;border-radius:3px">{html.escape(label)}</span>')


def sparkline_svg(values: Sequence[Any], width: int = 90, height: int = 22, lo: float | None = None,
                  hi: float | None = None, lang: str = "vi") -> str:
    """A tiny inline SVG line of ``values`` (missing values skipped); empty string for none.

    With a single value (a first run) there is no trend to draw: the words
    "first period" in ``lang`` stand in its place.

    >>> sparkline_svg([90, 92, 95]).startswith("<svg")
    True
    >>> sparkline_svg([90], lang="en")
    '<span class="muted first-period">first period</span>'
    """
    pts = [(i, float(v)) for i, v in enumerate(values) if not _nan(v)]
    if not pts:
        return ""
    if len(pts) == 1:
        return f'<span class="muted first-period">{html.escape(t("first_period", lang))}</span>'
    vals = [v for _, v in pts]
    lo = min(vals) if lo is None else lo
    hi = max(vals) if hi is None else hi
    span = (hi - lo) or 1.0
    n = max(len(values) - 1, 1)
    xy = [(2 + (width - 4) * i / n, height - 2 - (height - 4) * (v - lo) / span) for i, v in pts]
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in xy)
    lx, ly = xy[-1]
    return (f'<svg class="spark" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
            f'xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{html.escape(_spark_label(vals))}">'
            f'<polyline fill="none" stroke="#3b6fb6" '
            f'stroke-width="1.5" points="{path}"/><circle cx="{lx:.1f}" cy="{ly:.1f}" r="2" fill="#3b6fb6"/></svg>')


def _spark_label(vals: Sequence[float]) -> str:
    return " → ".join(f"{v:.1f}" for v in vals)


def figure_html(fig: Any, alt: str, *, close: bool = True) -> str:
    """A matplotlib figure as an ``<img>`` with alternative text, PNG embedded as base64.

    Reports show charts this way so that screen readers (and nbconvert's
    accessibility check) get a description of every chart.

    >>> import matplotlib; matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> figure_html(plt.figure(figsize=(1, 1)), "a <chart>").startswith('<img alt="a &lt;chart&gt;" src="data:image/png')
    True
    """
    import base64
    import io

    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight")
    if close:
        import matplotlib.pyplot as plt

        plt.close(fig)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return (f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{data}" '
            f'style="max-width:100%">')


def table_html(
    df: pd.DataFrame,
    columns: dict[str, str],
    *,
    grade_columns: dict[str, str] | None = None,
    formats: dict[str, Any] | None = None,
    raw: Iterable[str] = (),
    css_class: str = "tbl",
    text_columns: Iterable[str] | None = None,
) -> str:
    """An HTML table of ``df[columns]`` with headers ``columns.values()``.

    ``grade_columns`` maps a value column to the grade column whose colour
    fills its cell; ``formats`` maps a column to a formatter; columns in
    ``raw`` hold HTML already (everything else is escaped). Text columns are
    left-aligned (class ``txt``), numbers right-aligned (class ``num``); a
    column is text unless its dtype is numeric, or as ``text_columns`` says.

    >>> out = table_html(pd.DataFrame({"rule": ["V001"], "n": [3]}), {"rule": "Rule", "n": "N"})
    >>> '<td class="txt">V001</td>' in out, '<td class="num">3</td>' in out, '<th class="num">N</th>' in out
    (True, True, True)
    """
    grade_columns = grade_columns or {}
    formats = formats or {}
    raw = set(raw)
    if text_columns is None:
        text_cols = {c for c in columns if c not in df.columns or not pd.api.types.is_numeric_dtype(df[c])}
    else:
        text_cols = set(text_columns)
    align = {c: ("txt" if c in text_cols else "num") for c in columns}
    head = "".join(f'<th class="{align[c]}">{html.escape(h)}</th>' for c, h in columns.items())
    body = []
    for row in df.to_dict(orient="records"):
        cells = []
        for c in columns:
            v = row.get(c)
            text = formats[c](v) if c in formats else ("" if _nan(v) else str(v))
            if c not in raw:
                text = html.escape(text)
            style = ""
            g = row.get(grade_columns[c]) if c in grade_columns else None
            if c in grade_columns and not _nan(g) and str(g) in GRADE_BG:
                style = f' style="background:{GRADE_BG[str(g)]}"'
            cells.append(f'<td class="{align[c]}"{style}>{text}</td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (f'<table class="{css_class}"><thead><tr>{head}</tr></thead><tbody>'
            + "".join(body) + "</tbody></table>")


def setup_matplotlib() -> None:
    """A font with Vietnamese glyphs and sober defaults for report charts."""
    import matplotlib

    matplotlib.rcParams.update({
        "font.family": "DejaVu Sans",
        "figure.dpi": 90,
        "savefig.dpi": 90,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.titlesize": 12,
    })
