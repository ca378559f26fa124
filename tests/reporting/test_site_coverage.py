"""The site's coverage page (both languages) from the audited tiny province of conftest.py."""

from __future__ import annotations

import html
import re

import pandas as pd
import pytest

from popqa.reporting.coverage import ct, survey_rows
from popqa.reporting.draw import fmt_indicator, fmt_int, t

PERIOD = "2026-10"


@pytest.fixture(scope="module")
def pages(audited, tmp_path_factory):
    from popqa.reporting.site import render_site

    res = audited["results"] / PERIOD
    site = tmp_path_factory.mktemp("site_coverage")
    render_site(res, site, {}, geography="legacy")
    ind = pd.read_parquet(res / "indicators.parquet")
    return audited, ind, {lang: html.unescape((site / name).read_text(encoding="utf-8"))
                          for lang, name in (("vi", "coverage.html"), ("en", "coverage.en.html"))}, site


def _row(ind, indicator_id, level, unit, group=""):
    r = ind[(ind["indicator_id"] == indicator_id) & (ind["level"] == level) & (ind["unit_code"] == unit)
            & (ind["group"] == group)]
    assert len(r) == 1, (indicator_id, level, unit, group)
    return r.iloc[0]


def test_coverage_page_in_both_languages(pages):
    audited, ind, page, site = pages
    for lang, other in (("vi", "en"), ("en", "vi")):
        p = page[lang]
        assert f'<html lang="{lang}">' in p
        for key in ("coverage_page", "completeness_sources", "survey_comparison", "assumptions_title"):
            assert ct(key, lang) in p and ct(key, other) not in p
        # the plain-language notes: the dual-system assumptions and the survey's sampling error
        assert t("dse_note", lang) in p and ct("survey_note", lang) in p
    assert "độc lập" in page["vi"] and "independent sources" in page["en"]
    # every page of the site links the coverage page in its own language
    assert 'href="coverage.html"' in (site / "index.html").read_text(encoding="utf-8")
    assert 'href="coverage.en.html"' in (site / "index.en.html").read_text(encoding="utf-8")


def test_survey_comparison_numbers_follow_the_language(pages):
    _, ind, page, _ = pages
    r = _row(ind, "survey_persons_total", "province", "72")
    # the register's present persons of the province (thousands: "." groups them in Vietnamese, "," in English)
    assert r["numerator"] >= 1000
    vi, en = fmt_int(r["numerator"], "vi"), fmt_int(r["numerator"], "en")
    assert vi != en and vi in page["vi"] and en in page["en"] and en not in page["vi"]
    # the survey's estimate with its interval, or the words saying why there is none
    for lang in ("vi", "en"):
        assert fmt_indicator(r.to_dict(), "persons", lang) in page[lang]
        rows = survey_rows(ind, "province", lang, [("72", ct("province_row", lang))], by_sex=True)
        assert [x["measure"] for x in rows] == [ct(f"measure_{m}", lang) for m in
                                                 ("persons", "persons_sex1", "persons_sex2", "births", "deaths")]
        for x in rows:
            assert f"<td class=\"l\">{x['survey']}</td><td>{x['register']}</td>" in page[lang]


def test_units_too_small_say_so_instead_of_a_number(pages):
    _, ind, page, _ = pages
    small = ind[(ind["indicator_id"] == "survey_births_12m") & (ind["level"] == "district")
                & (ind["status"] == "insufficient")]
    dse_small = ind[(ind["indicator_id"] == "reg_event_completeness") & (ind["level"] == "district")
                    & (ind["status"] == "insufficient")]
    assert len(small) or len(dse_small)
    for lang in ("vi", "en"):
        p = page[lang]
        if len(small):
            assert ct("verdict_small", lang) in p and t("too_few_to_estimate", lang) in p
        if len(dse_small):
            assert t("too_few_to_estimate", lang) in p
    # a district with an estimate shows its completeness as a percentage with its interval
    ok = ind[(ind["indicator_id"] == "reg_event_completeness") & (ind["level"] == "district")
             & (ind["status"] == "ok")]
    for _, r in ok.iterrows():
        assert fmt_indicator(r.to_dict(), "share", "vi") in page["vi"]
        assert fmt_indicator(r.to_dict(), "share", "en") in page["en"]


def test_no_personal_data_on_the_page(pages):
    audited, _, page, _ = pages
    for p in page.values():
        assert not [s for s in audited["secrets"] if s in p]
        assert not re.search(r"\b\d{12}\b", p)  # no citizen ID number


def test_district_report_has_the_survey_comparison(one_district_site):
    audited, site, _ = one_district_site
    ind = pd.read_parquet(audited["results"] / PERIOD / "indicators.parquet")
    r = _row(ind, "survey_persons_total", "district", "710")
    for lang, name in (("vi", "710.vi.html"), ("en", "710.en.html")):
        p = html.unescape((site / "districts" / name).read_text(encoding="utf-8"))
        assert ct("survey_comparison", lang) in p and ct("survey_note", lang) in p
        # the district's survey estimate (or why there is none) and its register count, in the report's language
        assert fmt_indicator(r.to_dict(), "persons", lang) in p and fmt_int(r["numerator"], lang) in p
        assert ct("measure_persons_sex1", lang) in p and ct("measure_births", lang) in p
