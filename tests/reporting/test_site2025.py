"""The 2025 organisation, locale formatting, trends at the grade's precision, problems by weight (issue 13)."""

from __future__ import annotations

import json
import re

import pandas as pd

from popqa.reporting.draw import (
    LABELS,
    fmt_change,
    fmt_date,
    fmt_int,
    fmt_number,
    fmt_score,
    sparkline_svg,
)

PERIOD = "2026-10"


def test_vietnamese_formatting_with_babel():
    # CLDR (Babel) Vietnamese: "." groups thousands, "," marks decimals; dates dd/mm/yyyy
    assert fmt_number(1234.5, "vi") == "1.234,5" and fmt_number(1234.5, "en") == "1,234.5"
    assert fmt_int(29292, "vi") == "29.292"
    assert fmt_date("2026-07-01", "vi") == "01/07/2026"
    # a score prints with the two decimals that decide its grade: 96.98 is not 97.0
    assert fmt_score(96.98, "vi") == "96,98" and fmt_score(96.98, "en") != fmt_score(97.0, "en")


def test_change_prints_at_the_grade_precision_and_sparkline_scale_is_fixed():
    assert fmt_change(0.04, "en") == "▲ +0.04"
    small = sparkline_svg([97.00, 97.04], lang="en")
    big = sparkline_svg([92.0, 99.0], lang="en")
    ys = lambda svg: [float(p.split(",")[1]) for p in re.search(r'points="([^"]+)"', svg).group(1).split()]  # noqa: E731
    assert abs(ys(small)[0] - ys(small)[1]) < 0.5  # +0.04 is not drawn as a full-height rise
    assert abs(ys(big)[0] - ys(big)[1]) > 10


def test_vietnamese_labels_have_no_english_unit_abbreviations():
    bad = re.compile(r"(?<![\w/])(d|days?|hrs?|yrs?|km|mins?|pp|pts?|No\.)(?![\w])")
    found = {k: v["vi"] for k, v in LABELS.items() if bad.search(v["vi"])}
    assert found == {}


def test_problems_ranked_by_weight_and_symptom_counted_under_its_cause():
    from popqa.summaries import problem_weights

    class Reg:
        persons = pd.DataFrame({"person_id": ["p1", "p2", "p3"], "household_id": ["h1", "h1", "h2"]})

        def columns(self, name, cols):  # as popqa.io.Register's
            return getattr(self, name)[list(cols)]

    f = pd.DataFrame({
        "rule_id": ["V021", "V026", "V026", "V026", "C005", "C005", "C005", "C005"],
        "dimension": ["consistency"] * 4 + ["completeness"] * 4,
        "severity": ["error", "warning", "warning", "warning", "info", "info", "info", "info"],
        "table": ["households", "persons", "persons", "persons", "persons", "persons", "persons", "persons"],
        "record_id": ["h1", "p1", "p2", "p3", "p1", "p2", "p3", "p4"]})
    out = problem_weights(f, Reg())
    assert "C005" not in set(out["rule_id"])  # information rules weigh nothing in the score
    top = out.iloc[0]
    assert top["rule_id"] == "V021" and top["via"] == "V026"  # p1, p2 live in household h1 (V021)
    assert set(out["rule_id"]) == {"V021", "V026"}  # p3's household carries no cause: a plain V026


def test_commune_2025_reports_and_site(commune_site):
    from popqa.geo import commune_name

    audited, site, runs, code = commune_site
    assert all(r.ok == [code] for r in runs), [r.failed for r in runs]
    name = commune_name(code, kind="2025")
    for lg, other in (("vi", "en"), ("en", "vi")):
        html = (site / "communes" / f"{code}.{lg}.html").read_text(encoding="utf-8")
        assert f"<title>{name}" in html  # the commune's name in the page title
        assert f'href="{code}.{other}.html"' in html  # its other language
        assert 'id="map"' in html and "data:image/png;base64" in html
        assert 'class="crumbs"' in html and f"../communes{'' if lg == 'vi' else '.en'}.html#c-{code}" in html
    vi = (site / "communes" / f"{code}.vi.html").read_text(encoding="utf-8")
    assert "Huyện cũ" in vi and "Việc cần làm" in vi and "(> 30 d)" not in vi and "sổ tay" not in vi
    index = (site / "index.html").read_text(encoding="utf-8")
    assert f'href="communes/{code}.vi.html"' in index and "districts/" not in index
    assert "Bảng điểm theo xã/phường (đơn vị từ 1/7/2025)" in index and 'id="thresholds"' in index
    assert re.search(r'id="headline"><b>\d+ trên \d+ đơn vị', index)
    assert 'href="rules.html"' in index and 'href="index.en.html"' in index
    # units worst first: the overall scores of the unit table never decrease
    body = index[index.index('id="units-table"'):]
    body = body[:body.index("</table>")]
    rows = re.findall(r'<tr id="u-\d+"( class="ungraded")?>.*?<b>([\d.,–]+)</b>', body, re.S)
    graded = [float(s.replace(".", "").replace(",", ".")) for u, s in rows if not u and s != "–"]
    assert graded == sorted(graded)
    rules = (site / "rules.en.html").read_text(encoding="utf-8")
    assert 'id="rule-V026"' in rules and "late_days" in rules
    man = json.loads((site / "manifest.json").read_text(encoding="utf-8"))
    assert man["geography"] == "2025"


def test_commune_2025_files_are_computed_in_the_audit(audited):
    prov = json.loads((audited["results"] / PERIOD / "province.json").read_text(encoding="utf-8"))
    assert prov["communes_2025"] and not prov["outside_2025"]
    d = audited["results"] / PERIOD / "communes_2025" / prov["communes_2025"][0]
    kpis = json.loads((d / "kpis.json").read_text(encoding="utf-8"))
    assert kpis["level"] == "commune_2025" and kpis["legacy_districts"]
    top = pd.read_parquet(d / "top_rules.parquet")
    assert (top["severity"] != "info").all() and top["weight"].is_monotonic_decreasing
    assert top["action_vi"].str.len().gt(0).all()
