"""Indicators of the labour stage (declarations only; computed by :mod:`popqa.labour.estimate`
and :mod:`popqa.labour.stage`).

Survey indicators are ratios of weighted totals on the labour-force survey
design (ICLS-19 definitions); ``group`` carries the domain (``"sex=2"``,
``"urban=True"``, ``"age_group=25-34"``; ``""`` for all). The province-table
indicators come from the optional ``labour_indicators`` table; the insurance gap
is a count of register persons by commune; the ``lfs_*`` rows describe the
sample (the design appendix of the labour report).

Examples
--------
>>> from popqa.indicators import get
>>> get("unemployment_rate").higher_is_better
False
>>> sorted(SURVEY_INDICATORS)[:3]
['agriculture_share', 'it_skills_share', 'neet_rate']
"""

from __future__ import annotations

from popqa.indicators.core import IndicatorSpec, register

__all__ = ["SURVEY_INDICATORS", "TABLE_INDICATORS", "DESIGN_INDICATORS", "INSURANCE_GAP"]


def _lfs(iid: str, vi: str, en: str, better: bool, desc: str) -> IndicatorSpec:
    return register(iid, name_vi=vi, name_en=en, unit="share", stage="labour", source="lfs",
                    higher_is_better=better, description_en=desc)


#: Indicators estimated from the labour-force survey, by id.
SURVEY_INDICATORS: dict[str, IndicatorSpec] = {s.indicator_id: s for s in (
    _lfs("unemployment_rate", "Tỷ lệ thất nghiệp", "Unemployment rate", False,
         "Unemployed over the labour force (employed + unemployed), persons 15+."),
    _lfs("unemployment_rate_urban", "Tỷ lệ thất nghiệp khu vực thành thị", "Urban unemployment rate", False,
         "Unemployed over the labour force, persons 15+ in urban areas."),
    _lfs("trained_share", "Tỷ lệ lao động qua đào tạo có bằng cấp, chứng chỉ",
         "Share of the labour force trained with a degree or certificate", True,
         "Labour force 15+ with a certificate or higher over the labour force 15+."),
    _lfs("agriculture_share", "Tỷ lệ lao động nông nghiệp trong tổng lao động có việc làm",
         "Share of employment in agriculture", False,
         "Employed 15+ in agriculture, forestry and fishing over employed 15+."),
    _lfs("neet_rate", "Tỷ lệ thanh niên không có việc làm, không đi học hoặc đào tạo (NEET)",
         "Youth not in employment, education or training (NEET)", False,
         "Persons 15-24 not employed and not in education or training over persons 15-24."),
    _lfs("youth_unemployment_urban", "Tỷ lệ thất nghiệp thanh niên khu vực thành thị",
         "Urban youth unemployment rate", False,
         "Unemployed 15-24 over the labour force 15-24, urban areas."),
    _lfs("youth_underemployment_rural", "Tỷ lệ thiếu việc làm của thanh niên khu vực nông thôn",
         "Rural youth time-related underemployment rate", False,
         "Employed 15-24 in rural areas who worked under 35 hours in the reference week, want and are "
         "available to work more, over employed 15-24 in rural areas."),
    _lfs("social_insurance_share", "Tỷ lệ lực lượng lao động trong độ tuổi tham gia bảo hiểm xã hội",
         "Share of the working-age labour force contributing to social insurance", True,
         "Labour force from 15 to the statutory retirement age of the survey year contributing to social "
         "insurance over the labour force of that age."),
    _lfs("voluntary_insurance_share", "Tỷ lệ lực lượng lao động tham gia bảo hiểm xã hội tự nguyện",
         "Share of the labour force in voluntary social insurance", True,
         "Labour force 15+ in the voluntary social insurance scheme over the labour force 15+."),
    _lfs("it_skills_share", "Tỷ lệ lao động có kỹ năng công nghệ thông tin",
         "Share of the labour force with information-technology skills", True,
         "Labour force 15+ with basic IT skills over the labour force 15+."),
)}


def _table(iid: str, vi: str, en: str, desc: str) -> IndicatorSpec:
    return register(iid, name_vi=vi, name_en=en, unit="share", stage="labour", source="province_table",
                    higher_is_better=True, description_en=desc)


#: Indicators the LFS cannot give, read from the optional province table (indicator, year, value, source).
TABLE_INDICATORS: dict[str, IndicatorSpec] = {s.indicator_id: s for s in (
    _table("labour_productivity_growth", "Tốc độ tăng năng suất lao động bình quân",
           "Annual labour-productivity growth", "Annual growth of GDP (GRDP) per worker, as published."),
    _table("career_guidance_share", "Tỷ lệ học sinh tốt nghiệp THPT được tư vấn hướng nghiệp",
           "Upper-secondary graduates given career guidance",
           "Upper-secondary graduates given career guidance over graduates, as reported."),
    _table("job_centre_placement_share", "Tỷ lệ người được giải quyết việc làm qua trung tâm dịch vụ việc làm",
           "Job seekers placed by public job-service centres",
           "Workers placed in jobs through job-service centres over job seekers registered, as reported."),
)}

#: Working-age register persons without any insurance record, by commune (count).
INSURANCE_GAP = register(
    "working_age_absent_from_insurance", name_vi="Người trong độ tuổi lao động không có trong cơ sở dữ liệu bảo hiểm",
    name_en="Working-age register persons absent from social insurance", unit="count", stage="labour",
    source="register+insurance", higher_is_better=False,
    description_en="Present register persons aged 15 to the statutory retirement age not linked to any insurance "
                   "record (numerator) among present register persons of that age (denominator), by commune.")

#: Descriptions of the LFS sample, written as count rows (the report's design appendix).
DESIGN_INDICATORS: dict[str, IndicatorSpec] = {s.indicator_id: s for s in (
    register("lfs_sample_persons", name_vi="Số người trong mẫu điều tra lao động việc làm",
             name_en="Persons in the labour-force survey sample", unit="count", stage="labour", source="lfs",
             description_en="Sampled persons (rows of labour_force); denominator: the weighted population."),
    register("lfs_sample_psus", name_vi="Số địa bàn điều tra (PSU)", name_en="Primary sampling units sampled",
             unit="count", stage="labour", source="lfs", description_en="Distinct PSUs in the sample."),
    register("lfs_sample_strata", name_vi="Số tầng mẫu", name_en="Strata of the design", unit="count",
             stage="labour", source="lfs", description_en="Distinct strata; numerator: strata with one PSU."),
)}
