"""Drawing helpers shared by the report template and the site: labels, colours, tables, charts.

Nothing here computes results; it formats what :func:`popqa.pipeline.audit` wrote.
Charts use matplotlib with DejaVu Sans, which has the Vietnamese glyphs.
"""

from __future__ import annotations

import functools
import html
import math
from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd

__all__ = ["LABELS", "GRADE_COLOURS", "t", "fmt_score", "fmt_change", "fmt_share", "fmt_indicator", "badge",
           "fmt_number", "fmt_int", "fmt_date", "fmt_datetime", "LOCAL_TZ", "SPARK_RANGE", "SORT_SCRIPT",
           "PRINT_CSS", "grade_word_css", "sparkline_svg", "table_html", "figure_html", "setup_matplotlib", "commune_map_figure",
           "pyramid_html", "fixed_margins"]

#: Babel locale of each report language.
LOCALES = {"vi": "vi_VN", "en": "en_GB"}
#: Local time of the register (the run date is shown in it).
LOCAL_TZ = "Asia/Ho_Chi_Minh"
#: Fixed score scale of every sparkline: a change is drawn at its true size, never stretched to the
#: min-max of the series (scores below the bottom are drawn at the bottom).
SPARK_RANGE = (90.0, 100.0)

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
    "green": {"vi": "Tốt", "en": "Good"},
    "yellow": {"vi": "Trung bình", "en": "Fair"},
    "red": {"vi": "Kém", "en": "Poor"},
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
    # issue 13: 2025 geography, navigation, problems and actions, rules page, map
    "longitude": {"vi": "Kinh độ", "en": "Longitude"},
    "latitude": {"vi": "Vĩ độ", "en": "Latitude"},
    "commune_map": {"vi": "Bản đồ xã/phường (vòng tròn theo số bản ghi, màu theo xếp loại)",
                    "en": "Commune map (circle area by records, colour by grade)"},
    "commune_2025_report": {"vi": "Báo cáo xã/phường", "en": "Commune report"},
    "commune_2025_scorecard": {"vi": "Bảng điểm theo xã/phường (đơn vị từ 1/7/2025)",
                               "en": "Commune scorecard (units since 1 July 2025)"},
    "legacy_communes_in": {"vi": "Các xã/phường cũ hợp thành (huyện cũ để tham khảo)",
                           "en": "Legacy communes it was made of (legacy district for context)"},
    "legacy_district": {"vi": "Huyện cũ", "en": "Legacy district"},
    "outside_province": {"vi": "Ngoài tỉnh", "en": "Outside the province"},
    "outside_note": {"vi": "Bản ghi có mã đơn vị không thuộc tỉnh: không phải đơn vị của tỉnh, cần sửa mã.",
                     "en": "Records whose unit codes lie outside the province: not units of the province; "
                           "their codes need correcting."},
    "too_few_units": {"vi": "Đơn vị quá ít bản ghi để xếp loại", "en": "Units with too few records to grade"},
    "previous_period": {"vi": "Kỳ trước", "en": "Previous period"},
    "next_period": {"vi": "Kỳ sau", "en": "Next period"},
    "periods": {"vi": "Các kỳ", "en": "Periods"},
    "current_period": {"vi": "kỳ báo cáo mới nhất", "en": "latest reported period"},
    "rules_page": {"vi": "Quy tắc kiểm tra", "en": "Rules"},
    "rules_intro": {"vi": "Mọi quy tắc kiểm tra: khía cạnh, mức độ, tham số và việc cần làm khi có phát hiện.",
                    "en": "Every rule: its dimension, severity, parameters and what to do about a finding."},
    "parameters": {"vi": "Tham số", "en": "Parameters"},
    "action": {"vi": "Việc cần làm", "en": "What to do"},
    "weight_share": {"vi": "Tỷ trọng trong điểm", "en": "Share of the score lost"},
    "via": {"vi": "nguyên nhân của", "en": "cause of"},
    "main_problems": {"vi": "Vấn đề chính và việc cần làm", "en": "Main problems and what to do"},
    "main_problems_note": {"vi": "Xếp theo mức ảnh hưởng đến điểm (lỗi 1, cảnh báo 0,5; quy tắc thông tin không "
                                 "tính). Triệu chứng được tính cho nguyên nhân khi biết (ví dụ V026 do V021).",
                           "en": "Ranked by their weight in the score (error 1, warning 0.5; information rules "
                                 "left out). A symptom counts under its cause where known (e.g. V026 under V021)."},
    "thresholds": {"vi": "Ngưỡng xếp loại", "en": "Grade thresholds"},
    "thresholds_note": {"vi": "Điểm = 100 × (1 − tỷ lệ bản ghi có phát hiện, có trọng số: lỗi 1, cảnh báo 0,5, "
                              "thông tin 0). Đơn vị có ít bản ghi hơn mức tối thiểu không được xếp loại.",
                        "en": "Score = 100 × (1 − share of records with a finding, weighted: error 1, warning "
                              "0.5, info 0). Units with fewer records than the minimum are not graded."},
    "min_records": {"vi": "Số bản ghi tối thiểu", "en": "Minimum records"},
    "level": {"vi": "Cấp", "en": "Level"},
    "share_failing_units": {"vi": "Đơn vị không đạt", "en": "Units failing"},
    "units_failing_headline": {"vi": "{n} trên {total} đơn vị dưới ngưỡng tốt", "en": "{n} of {total} units below "
                                                                                       "the green band"},
    "collaborators_red": {"vi": "cộng tác viên xếp loại Kém", "en": "collaborators graded Poor"},
    "all_listed": {"vi": "Danh sách đầy đủ ({n} dòng), xếp điểm thấp nhất trước.",
                   "en": "Complete list ({n} rows), lowest score first."},
    "filter": {"vi": "Lọc bảng…", "en": "Filter the table…"},
    "sort_hint": {"vi": "Bấm để sắp xếp", "en": "Click to sort"},
    "late_days_note": {"vi": "quá {n} ngày", "en": "over {n} days"},
    "village": {"vi": "Thôn/ấp/khu phố", "en": "Village"},
    "no_map": {"vi": "Không có tọa độ xã/phường để vẽ bản đồ.", "en": "No commune coordinates to draw a map."},
    "unit_view": {"vi": "Theo đơn vị", "en": "Unit view"},
    # the one-page summary of a unit report (printed on one A4 page)
    "summary_worst": {"vi": "Xã/phường điểm thấp nhất", "en": "Lowest-scoring communes"},
    "summary_todo": {"vi": "Việc cần làm trước", "en": "What to do first"},
    "summary_collabs": {"vi": "{n} cộng tác viên cần hỗ trợ ({red} Kém, {yellow} Trung bình)",
                        "en": "{n} collaborators need support ({red} Poor, {yellow} Fair)"},
    "summary_none_graded": {"vi": "Chưa xã/phường nào đủ bản ghi để xếp loại.",
                            "en": "No commune has enough records to be graded."},
    "summary_details": {"vi": "Chi tiết ở các trang sau.", "en": "Details on the following pages."},
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


def fmt_number(v: Any, lang: str = "vi", decimals: int = 1) -> str:
    """A number in the language's format (Babel): Vietnamese ``1.234,5``, English ``1,234.5``; missing ``–``.

    >>> fmt_number(1234.5, "vi"), fmt_number(1234.5, "en"), fmt_number(None)
    ('1.234,5', '1,234.5', '–')
    """
    if _nan(v):
        return "–"
    # + 0.0: a value rounded to -0.0 prints as 0, whichever comes first in the cache
    return _fmt_rounded(round(float(v), decimals) + 0.0, LOCALES.get(lang, "en_GB"), decimals)


@functools.lru_cache(maxsize=1 << 16)
def _fmt_rounded(v: float, locale: str, decimals: int) -> str:
    """Babel's formatting of an already rounded number, remembered: a site prints the same scores and
    counts tens of thousands of times, and Babel parses the locale and the pattern on every call."""
    from babel.numbers import format_decimal

    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    return format_decimal(v, format=pattern, locale=locale)


def fmt_int(v: Any, lang: str = "vi") -> str:
    """A count with the language's grouping: ``29.292`` (vi), ``29,292`` (en).

    >>> fmt_int(29292, "vi"), fmt_int(29292, "en")
    ('29.292', '29,292')
    """
    return fmt_number(v, lang, 0)


def fmt_score(v: Any, lang: str = "vi") -> str:
    """A score with the two decimals that decide its grade: ``96,98`` (vi), ``96.98`` (en); missing ``–``.

    Scores are stored rounded to two decimals and graded at those bands, so a
    96.98 beside a 97.00 must not both print as 97.0.

    >>> fmt_score(96.98, "vi"), fmt_score(97, "en"), fmt_score(None)
    ('96,98', '97.00', '–')
    """
    return fmt_number(v, lang, 2)


def fmt_change(v: Any, lang: str = "vi") -> str:
    """Signed change with an arrow, at the precision of the score (two decimals); missing -> ``"–"``.

    >>> fmt_change(0.04, "en"), fmt_change(-2, "vi"), fmt_change(0.0, "en"), fmt_change(None)
    ('▲ +0.04', '▼ -2,00', '■ 0.00', '–')
    """
    if _nan(v):
        return "–"
    v = round(float(v), 2)
    arrow = "▲" if v > 0 else ("▼" if v < 0 else "■")
    sign = "+" if v > 0 else ("-" if v < 0 else "")
    return f"{arrow} {sign}{fmt_number(abs(v), lang, 2)}"


def fmt_share(v: Any, lang: str = "vi", decimals: int = 1) -> str:
    """A share 0-1 as a percentage in the language's format.

    >>> fmt_share(0.1234, "vi"), fmt_share(0.1234, "en")
    ('12,3%', '12.3%')
    """
    return "–" if _nan(v) else fmt_number(100 * float(v), lang, decimals) + "%"


def fmt_date(v: Any, lang: str = "vi") -> str:
    """A date: ``dd/mm/yyyy`` in Vietnamese, ``1 Dec 2026`` in English.

    >>> fmt_date("2026-10-31", "vi"), fmt_date("2026-10-31", "en")
    ('31/10/2026', '31 Oct 2026')
    """
    from babel.dates import format_date

    if _nan(v) or v == "":
        return "–"
    d = pd.Timestamp(v).date()
    return format_date(d, "dd/MM/yyyy", locale="vi_VN") if lang == "vi" else format_date(d, "d MMM yyyy",
                                                                                          locale="en_GB")


def fmt_datetime(v: Any, lang: str = "vi") -> str:
    """A moment in local time (Asia/Ho_Chi_Minh): ``01/12/2026 07:05`` (vi), ``1 Dec 2026 07:05`` (en).

    A time without a zone is taken as UTC (how popqa records them).

    >>> fmt_datetime("2026-12-01T00:05:00+00:00", "vi"), fmt_datetime("2026-12-01T00:05:00", "en")
    ('01/12/2026 07:05 (giờ Việt Nam)', '1 Dec 2026 07:05 (Vietnam time)')
    """
    from babel.dates import format_datetime, get_timezone

    if _nan(v) or v == "":
        return "–"
    ts = pd.Timestamp(v)
    if ts.tzinfo is None:
        ts = ts.tz_localize("UTC")
    tz = get_timezone(LOCAL_TZ)
    if lang == "vi":
        return format_datetime(ts.to_pydatetime(), "dd/MM/yyyy HH:mm", tzinfo=tz, locale="vi_VN") + " (giờ Việt Nam)"
    return format_datetime(ts.to_pydatetime(), "d MMM yyyy HH:mm", tzinfo=tz, locale="en_GB") + " (Vietnam time)"


#: How an indicator's unit of measure is printed (a share as a percentage), per language.
_UNIT_DECIMALS = {"share": None, "per_1000": 1, "per_100": 1, "ratio": 1, "years": 1, "count": 0, "persons": 0,
                  "index": 2, "children_per_woman": 2}


def _unit_format(unit: str, lang: str):
    d = _UNIT_DECIMALS.get(unit, 2)
    if d is None:
        return lambda v: fmt_share(v, lang)
    return lambda v: fmt_number(v, lang, d)


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
    f = _unit_format(unit, lang)
    out = f(float(get("value")))  # type: ignore[arg-type]  # _nan above: a number
    lo, hi = get("ci_low"), get("ci_high")
    if not _nan(lo) and not _nan(hi):
        out += f" ({f(float(lo))}–{f(float(hi))})"  # type: ignore[arg-type]
    return out


def badge(grade: Any, lang: str = "vi", text: str | None = None) -> str:
    """An inline coloured badge for a grade."""
    g = None if _nan(grade) else str(grade)
    label = text if text is not None else (t(g, lang) if g else "–")
    colour = GRADE_COLOURS.get(g, GRADE_COLOURS[None])
    fg = "#000" if g == "yellow" else "#fff"
    return (f'<span class="grade grade-{g or "none"}" style="background:{colour};color:{fg};'
            f'padding:1px 6px;border-radius:3px">{html.escape(label)}</span>')


def sparkline_svg(values: Sequence[Any], width: int = 90, height: int = 22, lo: float | None = SPARK_RANGE[0],
                  hi: float | None = SPARK_RANGE[1], lang: str = "vi") -> str:
    """A tiny inline SVG line of ``values`` (missing values skipped); empty string for none.

    With a single value (a first run) there is no trend to draw: the words
    "first period" in ``lang`` stand in its place. The vertical scale is fixed
    (:data:`SPARK_RANGE`, scores below it drawn at the bottom): a change of 0.04
    is a change of 0.04, not a full-height rise. ``lo``/``hi`` None: the
    series' own min-max.

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
    pts = [(i, min(max(v, lo), hi)) for i, v in pts]
    n = max(len(values) - 1, 1)
    xy = [(2 + (width - 4) * i / n, height - 2 - (height - 4) * (v - lo) / span) for i, v in pts]
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in xy)
    lx, ly = xy[-1]
    return (f'<svg class="spark" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
            f'xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{html.escape(_spark_label(vals, lang))}">'
            f'<polyline fill="none" stroke="#3b6fb6" '
            f'stroke-width="1.5" points="{path}"/><circle cx="{lx:.1f}" cy="{ly:.1f}" r="2" fill="#3b6fb6"/></svg>')


def _spark_label(vals: Sequence[float], lang: str = "vi") -> str:
    return " → ".join(fmt_score(v, lang) for v in vals)


def figure_html(fig: Any, alt: str, *, close: bool = True, crop: bool = True) -> str:
    """A matplotlib figure as an ``<img>`` with alternative text, PNG embedded as base64.

    Reports show charts this way so that screen readers (and nbconvert's
    accessibility check) get a description of every chart. ``crop`` trims the
    margins to the drawn content (``bbox_inches="tight"``), which draws the
    figure twice; a figure already laid out with ``tight_layout()`` needs no
    crop (``crop=False``: one draw, a third of a report's chart time saved).

    >>> import matplotlib; matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> figure_html(plt.figure(figsize=(1, 1)), "a <chart>").startswith('<img alt="a &lt;chart&gt;" src="data:image/png')
    True
    """
    import base64
    import io

    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight" if crop else None)
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
    lang: str | None = None,
) -> str:
    """An HTML table of ``df[columns]`` with headers ``columns.values()``.

    ``grade_columns`` maps a value column to the grade column whose colour
    fills its cell; ``formats`` maps a column to a formatter; columns in
    ``raw`` hold HTML already (everything else is escaped). Text columns are
    left-aligned (class ``txt``), numbers right-aligned (class ``num``); a
    column is text unless its dtype is numeric, or as ``text_columns`` says.

    >>> out = table_html(pd.DataFrame({"rule": ["V001"], "n": [3]}), {"rule": "Rule", "n": "N"})
    >>> '<td class="txt">V001</td>' in out, '<td class="num" data-v="3">3</td>' in out, '<th class="num">N</th>' in out
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
            cls = align[c]
            if c in grade_columns and not _nan(g) and str(g) in GRADE_BG:
                style = f' style="background:{GRADE_BG[str(g)]}"'
                cls += f" g-{g}"  # the grade as a class: print styles write it as a word
            dv = ""
            if align[c] == "num" and not _nan(v) and isinstance(v, int | float):
                dv = f' data-v="{float(v):g}"'
            cells.append(f'<td class="{cls}"{style}{dv}>{text}</td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    attrs = ""
    if lang:
        attrs = f' data-filter-label="{html.escape(t("filter", lang))}" data-sort-hint="{html.escape(t("sort_hint", lang))}"'
    return (f'<table class="{css_class}"{attrs}><thead><tr>{head}</tr></thead><tbody>'
            + "".join(body) + "</tbody></table>")


def grade_word_css(lang: str = "vi") -> str:
    """Print rules that write a coloured table cell's grade as a word (colours vanish in black and white).

    >>> "Kém" in grade_word_css("vi") and "td.g-red::after" in grade_word_css("vi")
    True
    """
    rules = "".join(f'td.g-{g}::after{{content:" · {t(g, lang)}";font-size:0.85em}}'
                    for g in ("green", "yellow", "red", "insufficient"))
    return f"@media print{{{rules}}}"


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


#: The one inline script of the site and the reports: every ``table.tbl`` gets clickable headers that
#: sort it (numbers by their ``data-v`` value) and a filter box above it. No CDN, works from
#: ``file://``; without script the tables are plain, complete and already ordered worst first.
SORT_SCRIPT = r"""<script>
(function () {
  function key(td) { if (!td) return ""; var v = td.getAttribute("data-v"); return v !== null ? v : td.textContent.trim(); }
  var NUM = /^-?\d+(\.\d+)?(e-?\d+)?$/;
  function cmp(a, b) {
    if (NUM.test(a) && NUM.test(b)) return parseFloat(a) - parseFloat(b);
    if (NUM.test(a) !== NUM.test(b)) return NUM.test(a) ? -1 : 1;
    return a.localeCompare(b, document.documentElement.lang || "vi"); }
  function setup(table) {
    if (table.getAttribute("data-sortable") === "no" || !table.tHead || !table.tBodies.length) return;
    var body = table.tBodies[0], heads = table.tHead.rows[0].cells;
    Array.prototype.forEach.call(heads, function (th, i) {
      th.style.cursor = "pointer"; th.setAttribute("tabindex", "0"); th.setAttribute("aria-sort", "none");
      th.title = table.getAttribute("data-sort-hint") || "";
      function go() {
        var asc = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(heads, function (h) { h.setAttribute("aria-sort", "none"); });
        th.setAttribute("aria-sort", asc ? "ascending" : "descending");
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (r1, r2) { var c = cmp(key(r1.cells[i]), key(r2.cells[i])); return asc ? c : -c; });
        rows.forEach(function (r) { body.appendChild(r); });
      }
      th.addEventListener("click", go);
      th.addEventListener("keydown", function (e) { if (e.key === "Enter") go(); });
    });
    if (body.rows.length < 8) return;
    var box = document.createElement("input");
    box.type = "search"; box.className = "tbl-filter";
    box.placeholder = table.getAttribute("data-filter-label") || "Filter";
    box.setAttribute("aria-label", box.placeholder);
    var count = document.createElement("span"); count.className = "muted tbl-count";
    function filter() {
      var q = box.value.toLowerCase(), shown = 0;
      Array.prototype.forEach.call(body.rows, function (r) {
        var ok = !q || r.textContent.toLowerCase().indexOf(q) >= 0; r.style.display = ok ? "" : "none"; if (ok) shown++; });
      count.textContent = " " + shown + " / " + body.rows.length;
    }
    box.addEventListener("input", filter);
    table.parentNode.insertBefore(box, table); table.parentNode.insertBefore(count, table); filter();
  }
  Array.prototype.forEach.call(document.querySelectorAll("table.tbl"), setup);
})();
</script>"""

#: Print: no navigation or filter boxes, grades keep their words and a border so they survive black and
#: white, each unit's summary on one page.
PRINT_CSS = """@media print {
  nav, .tbl-filter, .tbl-count, .no-print { display: none !important; }
  body { max-width: none; font-size: 11px; }
  .grade { border: 1px solid #000; color: #000 !important; background: none !important; font-weight: bold; }
  .grade-red::before { content: "✗ "; } .grade-yellow::before { content: "▲ "; } .grade-green::before { content: "✓ "; }
  table, .kpi, figure, img { break-inside: avoid; }
  .summary-page { break-after: page; }
  a { color: #000; text-decoration: none; }
}"""


def commune_map_figure(points: pd.DataFrame, lang: str = "vi", *, title: str = "", highlight: Iterable[str] = ()):
    """Communes as circles at their centroid, area proportional to records, coloured by grade (matplotlib only).

    ``points``: commune_code, name, latitude, longitude, records, grade. Communes
    without coordinates are left out (listed in the alternative text by the caller).
    No tiles and no network: the circles and their labels are the map.

    >>> import matplotlib; matplotlib.use("Agg")
    >>> pts = pd.DataFrame({"commune_code": ["1", "2"], "name": ["A", "B"], "latitude": [11.3, 11.1],
    ...     "longitude": [106.1, 106.3], "records": [100, 400], "grade": ["green", "red"]})
    >>> fig = commune_map_figure(pts, "en"); len(fig.axes[0].collections)
    1
    """
    import matplotlib.pyplot as plt

    pts = points.dropna(subset=["latitude", "longitude"])
    fig, ax = plt.subplots(figsize=(6.5, 5.5))
    if len(pts):
        rec = pts["records"].astype(float).clip(lower=1)
        size = 600 * rec / rec.max()
        colours = [GRADE_COLOURS.get(g if isinstance(g, str) else None, GRADE_COLOURS[None]) for g in pts["grade"]]
        hl = set(highlight)
        edge = ["#000" if c in hl else "#555" for c in pts["commune_code"]]
        lw = [2.5 if c in hl else 0.6 for c in pts["commune_code"]]
        ax.scatter(pts["longitude"], pts["latitude"], s=size, c=colours, edgecolors=edge, linewidths=lw, alpha=0.85)
        for r in pts.itertuples():
            ax.annotate(str(r.name), (r.longitude, r.latitude), fontsize=7, ha="center", va="bottom",
                        xytext=(0, 6), textcoords="offset points")
        ax.set_aspect(1.0 / max(math.cos(math.radians(float(pts["latitude"].mean()))), 0.1))
    from matplotlib.lines import Line2D

    handles = [Line2D([], [], marker="o", linestyle="", markersize=8, markerfacecolor=GRADE_COLOURS[g],
                      markeredgecolor="#555", label=t(g, lang)) for g in ("green", "yellow", "red", "insufficient")]
    ax.legend(handles=handles, loc="best", fontsize=8, title=t("grade", lang))
    ax.set_xlabel(t("longitude", lang))
    ax.set_ylabel(t("latitude", lang))
    if title:
        ax.set_title(title)
    fixed_margins(fig, **_MARGINS["map"])
    return fig


def pyramid_html(groups: Sequence[str], males: pd.Series, females: pd.Series, lang: str = "vi", *,
                 title: str = "", figsize: tuple[float, float] = (7, 4.5), crop: bool = True) -> str:
    """The age-sex pyramid (males left, females right) as an ``<img>`` with its alt text.

    ``males`` and ``females`` are persons per group, aligned with ``groups``.
    """
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=figsize)
    ax.barh(groups, -males.to_numpy(), color="#3b6fb6", label=t("male", lang))
    ax.barh(groups, females.to_numpy(), color="#e377c2", label=t("female", lang))
    ax.set_title(title or t("pyramid", lang))
    ax.set_ylabel(t("age_group", lang))
    ax.set_xlabel(t("persons", lang))
    ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: fmt_int(abs(int(v)), lang)))
    ax.legend()
    fixed_margins(fig, **_MARGINS["pyramid"])
    return figure_html(fig, f"{t('chart', lang)}: {t('pyramid', lang)}; {t('male', lang)} "
                            f"{fmt_int(int(males.sum()), lang)}, {t('female', lang)} {fmt_int(int(females.sum()), lang)}",
                       crop=crop)


#: Margins of the matplotlib charts, in inches. ``tight_layout`` measures every text of a chart to find them,
#: which took 60 % of a chart's time (0.74 of 1.18 s for a report's four charts); these were measured once
#: with it over the 72 reports of the demo (the largest margin of each chart, rounded up, with room for tick
#: labels a digit or two longer at full scale). ``tests/reporting/test_chart_layout.py`` checks that every
#: text of each chart stays inside its figure in both languages with full-scale numbers. (The unit
#: report's bar charts and pyramid are inline SVG, :mod:`popqa.reporting.svgcharts`.)
_MARGINS: dict[str, dict[str, float]] = {
    "map": {"left": 1.0, "right": 0.5, "bottom": 0.65, "top": 0.42},
    "pyramid": {"left": 1.0, "right": 0.3, "bottom": 0.7, "top": 0.42},
}


def fixed_margins(fig: Any, *, left: float, right: float, bottom: float, top: float, gap: float = 0.0) -> None:
    """Place a figure's subplots with margins given in inches (and ``gap`` between columns), without
    measuring its texts as ``tight_layout`` does.

    >>> import matplotlib; matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    >>> fixed_margins(fig, left=1, right=0.5, bottom=0.8, top=0.4, gap=1.5)
    >>> [round(float(v), 3) for v in (fig.subplotpars.left, fig.subplotpars.right, fig.subplotpars.bottom)]
    [0.1, 0.95, 0.2]
    >>> round(float(axes[1].get_position().x0 - axes[0].get_position().x1) * 10, 3)  # the gap, in inches
    1.5
    >>> plt.close(fig)
    """
    w, h = fig.get_size_inches()
    ncols = max((ax.get_subplotspec().get_gridspec().ncols for ax in fig.axes if ax.get_subplotspec()), default=1)
    kw: dict[str, float] = {"left": left / w, "right": 1 - right / w, "bottom": bottom / h, "top": 1 - top / h}
    if ncols > 1:
        axes_w = (w - left - right - gap * (ncols - 1)) / ncols
        kw["wspace"] = gap / axes_w
    fig.subplots_adjust(**kw)
