"""The province in-depth demography report: rendered from an audit's results in both languages, linked by the site.

Two audits of the committed sample (Gò Dầu, 3,700 persons, 19 deaths in the window) are written
through the results store by the real demography stage: one with the default thresholds (too few
deaths for a life table: the report must say so and make no projection) and one with thresholds
lowered so that the life tables and the projection exist (their values mean little on 19 deaths;
the test checks that the report prints what the audit stored, not the demography).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from popqa.demography import DemographyConfig
from popqa.demography.stage import ARTIFACTS, demography_stage
from popqa.indicators import concat_indicators, get
from popqa.io import read_register
from popqa.period import Period
from popqa.reporting.draw import fmt_indicator, fmt_int
from popqa.reporting.runner import PROVINCE_REPORTS, province_reports, template_path
from popqa.stages import RunContext
from popqa.store import ResultsStore

SAMPLE = "data_samples/tayninh-godau/register"
PERIOD = "2026-10"
LOW = DemographyConfig(min_deaths_life_table=5, min_population_life_table=1000, life_table_open_age=70, min_events=10)


def _audit(root: Path, cfg: DemographyConfig, audit_id: str) -> Path:
    """An audit folder holding what the demography stage writes (indicator rows and its files)."""
    reg = read_register(SAMPLE)
    store = ResultsStore(root)
    with store.begin(PERIOD, audit_id=audit_id) as st:
        ctx = RunContext(data_dir=Path(SAMPLE), period=Period.parse(PERIOD),
                         config=SimpleNamespace(demography=cfg, province_code="72"), staging=st,
                         artifacts={"register": reg})
        out = demography_stage(ctx)
        st.write_parquet("indicators.parquet", concat_indicators([out["indicators:demography"],
                                                                   out["indicators:age_quality"]]))
        st.commit({"status": "ok"})
    return store.period_dir(PERIOD)


@pytest.fixture(scope="module")
def audits(tmp_path_factory):
    root = tmp_path_factory.mktemp("dem_audits")
    return {"low": _audit(root / "low", LOW, "0123456789abcdef"),
            "default": _audit(root / "default", DemographyConfig(), "fedcba9876543210")}


def _render(audit_dir: Path, lang: str) -> str:
    import jupytext
    import papermill as pm

    from popqa.reporting.runner import notebook_to_html

    nb = jupytext.read(template_path("demography_report"), fmt="py:percent")
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "python3", "language": "python"}
    nb = pm.execute_notebook(nb, None, parameters={"period": PERIOD, "audit_dir": str(audit_dir), "lang": lang},
                             kernel_name="python3", progress_bar=False, log_output=False, report_mode=True)
    return notebook_to_html(nb, lang=lang)


def _text(html: str) -> str:
    """The report's visible text, tags removed (numbers are then found whatever cell holds them)."""
    import html as h

    s = re.sub(r"<(style|script)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", h.unescape(re.sub(r"<[^>]+>", " ", s)))


def test_template_first_cell_holds_literal_parameters():
    import ast

    import jupytext

    nb = jupytext.read(template_path("demography_report"), fmt="py:percent")
    first = next(c for c in nb.cells if c.cell_type == "code"
                 and any(ln.strip() and not ln.lstrip().startswith("#") for ln in c.source.splitlines()))
    assert "parameters" in first.metadata.get("tags", [])
    body = ast.parse(first.source).body
    assert all(isinstance(n, ast.Assign) and isinstance(n.value, ast.Constant) for n in body)
    assert {n.targets[0].id for n in body} == {"period", "audit_dir", "lang"}


@pytest.mark.slow
def test_stage_writes_the_files_the_report_reads(audits):
    d = audits["low"]
    for rel in ARTIFACTS.values():
        assert (d / rel).exists(), rel
    ind = pd.read_parquet(d / "indicators.parquet")
    proj = pd.read_parquet(d / ARTIFACTS["projection"])
    rows = ind[(ind["indicator_id"] == "projected_population") & (ind["level"] == "province")
               & (ind["status"] == "ok")].set_index("group")["value"]
    # the artifact's annual figures are the indicator rows' (and add the base year)
    for (scen, year), g in proj[proj["level"] == "province"].groupby(["scenario", "year"]):
        if f"scenario={scen};year={year}" in rows.index:
            assert g["population"].sum() == pytest.approx(rows[f"scenario={scen};year={year}"])
    assert proj["year"].min() == 2026 and proj["year"].max() == 2030
    life = pd.read_parquet(d / ARTIFACTS["life_tables"])
    e0 = ind[(ind["indicator_id"] == "life_expectancy") & (ind["level"] == "province")].set_index("group")["value"]
    for sex, grp in ((1, "sex=1"), (2, "sex=2"), (0, "")):
        t = life[(life["level"] == "province") & (life["sex"] == sex)]
        assert t["ex"].iloc[0] == pytest.approx(e0[grp])
    a = json.loads((d / ARTIFACTS["assumptions"]).read_text(encoding="utf-8"))
    assert a["horizon"] == 2030 and a["units"]["province"]["72"]["projected"] is True
    # too few deaths with the default thresholds: no life table rows, no projection
    d0 = audits["default"]
    assert len(pd.read_parquet(d0 / ARTIFACTS["life_tables"])) == 0
    assert len(pd.read_parquet(d0 / ARTIFACTS["projection"])) == 0


@pytest.mark.slow
def test_province_reports_lists_demography_only_with_demography_rows(audits, tmp_path):
    assert PROVINCE_REPORTS["demography"]["template"] == "demography_report"
    assert template_path("demography_report").exists()
    assert "demography" in province_reports(audits["low"])
    ind = pd.read_parquet(audits["low"] / "indicators.parquet")
    other = ind[ind["indicator_id"].map(lambda i: get(i).stage != "demography")]
    (tmp_path / "a").mkdir()
    other.to_parquet(tmp_path / "a" / "indicators.parquet")
    assert "demography" not in province_reports(tmp_path / "a")


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_report_shows_the_stored_numbers(audits, lang):
    d = audits["low"]
    html = _render(d, lang)
    text = _text(html)
    assert "Traceback" not in html
    for anchor in ("summary", "structure", "age-quality", "rates", "units", "life-table", "projection", "methods"):
        assert f'id="{anchor}"' in html, anchor
    assert html.count('<img alt="') >= 3  # pyramid, fertility by age, projection
    ind = pd.read_parquet(d / "indicators.parquet")
    prov = ind[ind["level"] == "province"].set_index(["indicator_id", "group"])

    def shown(iid, group=""):
        return fmt_indicator(prov.loc[(iid, group)].to_dict(), get(iid).unit, lang)

    # rates with their intervals, life expectancy by sex with its interval
    for iid in ("crude_birth_rate", "crude_death_rate", "total_fertility_rate", "general_fertility_rate",
                "sex_ratio_at_birth", "median_age", "dependency_ratio_total"):
        assert shown(iid) in text, iid
    for g in ("", "sex=1", "sex=2"):
        assert re.search(r"\(.+–.+\)", shown("life_expectancy", g)) and shown("life_expectancy", g) in text
    # the age-reporting quality index and its band
    whipple = prov.loc[("age_whipple", "sex=total")]
    assert shown("age_whipple", "sex=total") in text
    band = {"vi": "khá chính xác", "en": "fairly accurate"}[lang]  # Whipple 1.09: UN band 105-110
    assert 1.05 <= whipple["value"] < 1.10 and band in text
    # the projection: every year and scenario by sex and in total, as stored
    pp = ind[(ind["indicator_id"] == "projected_population") & (ind["level"] == "province")]
    assert len(pp) == 3 * 4 * 3  # scenarios x years 2027-2030 x (total, male, female)
    table = html[html.index('id="projection"'):html.index('id="methods"')]
    for v in pp["value"]:
        assert f">{fmt_int(v, lang)}<" in table, v
    base = json.loads((d / ARTIFACTS["assumptions"]).read_text(encoding="utf-8"))["units"]["province"]["72"]
    assert fmt_int(base["base_m"], lang) in text and fmt_int(base["base_f"], lang) in text
    if lang == "vi":
        assert "Báo cáo chuyên sâu về dân số" in text and "Mức sinh giảm" in text and "Giả định" in text
        assert "2026 (gốc)" in text and "Tây Ninh" in text and "[gộp]" in text
        assert 'href="demography.en.html"' in html
    else:
        assert "In-depth demography report" in text and "Declining fertility" in text and "Assumptions" in text
        assert "2026 (base)" in text and "[pooled]" in text
        assert 'href="demography.vi.html"' in html
    # 2025 communes are listed, each with its own estimate or the province's marked pooled
    assert "Xã/phường (từ 2025)" in text or "Commune (2025 units)" in text
    # no register record: names of the sample's persons never appear
    names = set(read_register(SAMPLE).persons["full_name"].dropna().astype(str))
    assert not [n for n in names if len(n) >= 9 and n in text]


@pytest.mark.slow
def test_report_says_deaths_are_too_few_instead_of_a_number(audits):
    d = audits["default"]
    html = _render(d, "vi")
    text = _text(html)
    ind = pd.read_parquet(d / "indicators.parquet")
    deaths = ind[(ind["indicator_id"] == "crude_death_rate") & (ind["level"] == "province")]["numerator"].iloc[0]
    assert deaths == 19
    assert "Số ca tử vong quá ít để lập bảng sống: 19 ca trong 12 tháng, cần ít nhất 50 ca" in text
    assert "không lập dự báo" in text
    assert "Dân số theo năm" not in text  # no table of projected figures
    assert "Tuổi thọ trung bình khi sinh quá ít số liệu để ước lượng" in text


@pytest.mark.slow
def test_the_site_links_the_report_in_both_languages(audited):
    """The pipeline's audit writes the demography files; the runner renders the report; the site links it."""
    from popqa.reporting.runner import render_district, report_audit_id
    from popqa.reporting.site import render_site
    from popqa.store import province_report_path, read_json

    res = (audited["results"] / audited["period"]).resolve()
    for rel in ARTIFACTS.values():
        assert (res / rel).exists(), rel
    assert "demography" in province_reports(res)
    audit_id = read_json(res / "manifest.json")["audit_id"]
    site = audited["root"] / "site_demography"
    results = []
    for lang in ("vi", "en"):
        out = province_report_path(site, "demography", lang)
        r = render_district({
            "key": "province:demography", "lang": lang, "output": str(out.resolve()), "audit_id": audit_id,
            "parameters": {"period": audited["period"], "audit_dir": str(res), "lang": lang},
            "template": str(template_path("demography_report")), "kernel_name": "python3",
            "execution_timeout": 600, "start_timeout": 60, "retries": 1,
            "title": f"{PROVINCE_REPORTS['demography']['title_' + lang]} — {audited['period']}"})
        assert r["status"] == "ok", r.get("traceback")
        assert report_audit_id(out) == audit_id
        results.append({**r, "level": "province", "output": f"province/demography.{lang}.html"})
    render_site(res, site, {"districts": results}, geography="legacy")
    vi, en = (site / "index.html").read_text(encoding="utf-8"), (site / "index.en.html").read_text(encoding="utf-8")
    assert 'href="province/demography.vi.html"' in vi and PROVINCE_REPORTS["demography"]["title_vi"] in vi
    assert 'href="province/demography.en.html"' in en and PROVINCE_REPORTS["demography"]["title_en"] in en
    html = (site / "province" / "demography.vi.html").read_text(encoding="utf-8")
    assert not [s for s in audited["secrets"] if len(s) >= 9 and s in html]
