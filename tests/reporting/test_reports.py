"""District reports through papermill, the site, faults, resume, Dask, CLI."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from popqa.pipeline import report
from popqa.reporting.runner import strip_external_assets
from popqa.store import atomic_write_text
from popqa.workbook import write_workbook

PERIOD = "2026-10"
DISTRICTS = ["710", "711"]


def personal_data_in(text: str, secrets: set[str]) -> list[str]:
    """Names and citizen IDs of the input (9 characters or more) found in ``text``."""
    return [s for s in secrets if len(s) >= 9 and s in text]


def read(path: Path) -> str:
    return Path(path).read_text(encoding="utf-8")

SECTIONS = ["summary", "communes", "rules", "collaborators", "timeliness", "duplicates", "demography",
            "coverage", "methods"]


def _links(html: str) -> list[str]:
    return re.findall(r'(?:href|src)="([^"#]+)"', html)


def test_district_report_html_has_sections_no_code_no_personal_data(one_district_site):
    audited, site, run = one_district_site
    assert run.ok == [DISTRICTS[0]] and not run.failed, run.results[DISTRICTS[0]].get("traceback")
    html = read(site / "districts" / f"{DISTRICTS[0]}.vi.html")
    for s in SECTIONS:
        assert f'id="{s}"' in html, s
    assert "Tóm tắt" in html and "Tính kịp thời" in html  # Vietnamese headings with diacritics
    # code hidden: no source of the template appears
    assert "read_parquet" not in html and "import json" not in html and "district_code =" not in html
    # charts embedded in the page, nothing loaded from elsewhere: the commune map as a PNG image, the bar
    # charts and the pyramid as inline SVG (popqa.reporting.svgcharts)
    svgs = re.findall(r'<svg [^>]*\bclass="chart"[^>]*>', html)  # (nbconvert writes attributes sorted)
    assert html.count("data:image/png;base64") >= 1 and len(svgs) >= 3 and all('role="img"' in s for s in svgs)
    assert not re.search(r"<script[^>]+src=", html) and not re.search(r"<link[^>]+href=\"?https?:", html)
    assert personal_data_in(html, audited["secrets"]) == []
    # every chart has an alternative text in the report language (an image's alt, an SVG chart's aria-label)
    imgs = re.findall(r'<img[^>]*>|<svg [^>]*\bclass="chart"[^>]*>', html)
    assert len(imgs) >= 4 and all(re.search(r'(?:alt|aria-label)="[^"]{10,}"', i) for i in imgs), [i[:80] for i in imgs]
    assert 'aria-label="Biểu đồ: Tháp dân số' in html and 'aria-label="Biểu đồ: Phân bố độ trễ' in html
    assert 'alt="Biểu đồ: Bản đồ xã/phường' in html  # the map
    # text columns left-aligned, numbers right-aligned: the rule description is text, counts are numbers
    rules = html[html.index('id="rules"'):html.index('id="collaborators"')]
    assert re.search(r'<th class="txt">Mô tả</th>', rules) and re.search(r'<td class="num" data-v="\d+">\d+</td>', rules)
    assert ".tbl td.txt,.tbl th.txt{text-align:left" in html
    # a first run has no trend to draw: the words say so instead of a lone dot
    assert "kỳ đầu tiên" in html
    # the demography and coverage sections draw the audit's indicator rows, with intervals or the reason
    demo = html[html.index('id="demography"'):html.index('id="coverage"')]
    assert "Tỷ suất sinh thô" in demo and "Chỉ số Whipple" in demo and "Dự báo dân số" in demo
    # Vietnamese number format (Babel): decimal comma
    assert re.search(r"\d+,\d+ \(\d+,\d+–\d+,\d+\)", demo) or "quá ít số liệu để ước lượng" in demo
    cov = html[html.index('id="coverage"'):html.index('id="methods"')]
    assert "Chapman" in cov and "Sổ dân cư đầy đủ" in cov
    # the ids of the input never reach the supervisor HTML either
    pids = audited["persons"]["person_id"].astype(str).head(200)
    assert not [p for p in pids if len(p) >= 6 and p in html]


def test_site_index_links_resolve_and_show_run_and_inputs(one_district_site):
    audited, site, run = one_district_site
    for page in ["index.html", "index.en.html", "communes.html", "communes.en.html", "collaborators.html",
                 "collaborators.en.html"]:
        html = read(site / page)
        for link in _links(html):
            assert not link.startswith(("http:", "https:", "//")), (page, link)
            assert (site / link).exists(), (page, link)
        assert personal_data_in(html, audited["secrets"]) == []
    index = read(site / "index.html")
    assert f'href="districts/{DISTRICTS[0]}.vi.html"' in index
    assert "Bảng điểm theo huyện" in index and "persons.parquet" in index
    # the read report: rows in each file, read and set aside
    rr = index[index.index('id="read-report"'):]
    persons = len(audited["persons"])
    vi = f"{persons:,}".replace(",", ".")  # Vietnamese grouping
    assert re.search(rf"<td class=\"l\">persons\.parquet</td>.*?<td>{vi}</td><td>{vi}</td><td>0</td>", rr, re.S)
    assert "District scorecard" in read(site / "index.en.html")
    # collaborators: graded ones worst first with their main problem, too-few-records ones last and grey
    coll = read(site / "collaborators.en.html")
    body = coll[coll.index("<tbody>"):]
    assert "Main problem" in coll
    grades = re.findall(r'class="grade grade-(\w+)"', body)
    assert "insufficient" in grades and "Too few records" in body
    first_few = grades.index("insufficient")
    assert set(grades[first_few:]) == {"insufficient"}  # listed last
    man = json.loads(read(site / "manifest.json"))
    assert man["status"] == "ok" and man["period"] == PERIOD
    assert all(len(i["sha256"]) == 64 for i in man["inputs"])
    assert man["districts"][0]["seconds"] > 0 and "papermill" in man["versions"]


def test_atomic_write_keeps_old_file_when_write_fails(tmp_path, monkeypatch):
    target = tmp_path / "r.html"
    atomic_write_text(target, "old complete report")

    import os

    def boom(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError):
        atomic_write_text(target, "new half-written report")
    assert target.read_text() == "old complete report"
    assert [p.name for p in tmp_path.iterdir()] == ["r.html"]  # no temporary left behind


def test_workbook_is_safe_against_formula_injection(tmp_path):
    import openpyxl

    f = pd.DataFrame({"commune_code": ["25654"], "collaborator_id": ["c1"], "table": ["persons"],
                      "record_id": ["=HYPERLINK(\"http://evil\",\"x\")"], "rule_id": ["P001"],
                      "dimension": ["validity"], "severity": ["error"], "column": ["full_name"],
                      "value": ["+cmd|' /C calc'!A0"], "message_vi": ["Tên sai"], "message_en": ["Bad"]})
    p = write_workbook(tmp_path / "710.xlsx", f)
    ws = openpyxl.load_workbook(p)["c1"]
    values = [c.value for c in ws[2]]
    assert all(c.data_type != "f" for c in ws[2])
    assert "'=HYPERLINK(\"http://evil\",\"x\")" in values and "'+cmd|' /C calc'!A0" in values
    assert "Tên sai" in values


def test_strip_external_assets():
    html = ('<link rel="stylesheet" href="https://cdn.example/x.css"><script src="//cdn/require.js"></script>'
            '<script>var a=1;</script><a href="https://example.org">doc</a>')
    out = strip_external_assets(html)
    assert "cdn" not in out and "<script>var a=1;</script>" in out and "https://example.org" in out


@pytest.mark.slow
def test_failing_district_leaves_others_complete_then_resume(audited, tmp_path):
    from popqa.cli import main

    results = tmp_path / "results"
    shutil.copytree(audited["results"], results)
    bad = results / PERIOD / "districts" / DISTRICTS[1] / "kpis.json"
    saved = bad.read_bytes()
    bad.unlink()
    site = tmp_path / "site"
    rc = main(["report", "--results", str(results), "--out", str(site), "--workers", "2", "--no-progress",
               "--geography", "legacy"])
    assert rc == 1
    assert (site / "districts" / f"{DISTRICTS[0]}.vi.html").exists()
    assert not (site / "districts" / f"{DISTRICTS[1]}.vi.html").exists()
    index = read(site / "index.html")
    assert 'id="failed"' in index and "FileNotFoundError" in index and "kpis.json" in index
    man = json.loads(read(site / "manifest.json"))
    status = {d["district"]: d for d in man["districts"]}
    assert status[DISTRICTS[0]]["status"] == "ok" and status[DISTRICTS[1]]["status"] == "failed"
    assert status[DISTRICTS[1]]["attempts"] == 1  # a notebook error is not retried

    bad.write_bytes(saved)
    first_ok = status[DISTRICTS[0]]["started"]
    rc = main(["report", "--results", str(results), "--out", str(site), "--resume", "--no-progress",
               "--geography", "legacy"])
    assert rc == 0
    man = json.loads(read(site / "manifest.json"))
    status = {d["district"]: d for d in man["districts"]}
    assert status[DISTRICTS[0]]["started"] == first_ok  # not rerun
    assert status[DISTRICTS[1]]["status"] == "ok"
    assert 'id="failed"' not in read(site / "index.html")
    assert f"districts/{DISTRICTS[1]}.vi.html" in read(site / "index.html")


@pytest.mark.slow
def test_two_districts_on_a_dask_local_cluster(audited, tmp_path):
    from distributed import LocalCluster

    site = tmp_path / "site"
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster:
        run = report(audited["results"], site, executor="dask", scheduler=cluster.scheduler_address,
                     lang="en", progress=False, geography="legacy")
    # a full run also renders the province reports (labour, demography): the districts are the rest
    assert [k for k in run.ok if not k.startswith("province:")] == sorted(DISTRICTS) and not run.failed
    for d in DISTRICTS:
        html = read(site / "districts" / f"{d}.en.html")
        assert "Summary" in html and "Timeliness" in html
    assert json.loads(read(site / "manifest.json"))["parameters"]["executor"] == "dask"


@pytest.mark.slow
def test_cli_audit_and_report_end_to_end(audited, tmp_path, capsys):
    from popqa.cli import main

    rc = main(["audit", "--data", str(audited["data"]), "--period", PERIOD, "--out", str(tmp_path / "res")])
    assert rc == 0
    assert (tmp_path / "res" / PERIOD / "analyst" / "workbooks" / f"{DISTRICTS[0]}.xlsx").exists()
    rc = main(["report", "--results", str(tmp_path / "res"), "--out", str(tmp_path / "site"),
               "--districts", DISTRICTS[0], "--no-progress", "--lang", "en", "--geography", "legacy"])
    assert rc == 0
    out = capsys.readouterr().out.strip().splitlines()[-1]
    assert Path(out) == (tmp_path / "site" / "index.html").resolve()


def test_report_rejects_unknown_district(audited, tmp_path):
    from popqa.errors import InputError

    with pytest.raises(InputError, match="999"):
        report(audited["results"], tmp_path / "s", districts=["999"], progress=False, geography="legacy")
    with pytest.raises(InputError, match="2025 commune"):
        report(audited["results"], tmp_path / "s", districts=["99999"], progress=False)


@pytest.mark.slow
def test_resume_after_the_input_changed_renders_every_report_again(audited, tmp_path):
    """A report records its audit; --resume after a new audit re-renders it and the index never mixes audits."""
    from popqa.pipeline import audit
    from popqa.reporting.runner import report_audit_id
    from popqa.store import ResultsStore

    results, site = tmp_path / "results", tmp_path / "site"
    data = shutil.copytree(audited["data"], tmp_path / "data")
    first = audit(data, PERIOD, results, workbooks=False)
    run1 = report(results, site, districts=[DISTRICTS[0]], workers=1, progress=False, geography="legacy")
    out = site / "districts" / f"{DISTRICTS[0]}.vi.html"
    assert run1.ok == [DISTRICTS[0]] and report_audit_id(out) == first["audit_id"]

    # next month's export: a fifth of the persons gone
    persons_file = next(data.glob("persons.*"))
    if persons_file.suffix == ".parquet":
        pp = pd.read_parquet(persons_file)
        pp.iloc[: int(len(pp) * 0.8)].to_parquet(persons_file, index=False)
    else:
        lines = persons_file.read_bytes().splitlines(keepends=True)  # whatever the file's encoding
        persons_file.write_bytes(b"".join(lines[: 1 + int((len(lines) - 1) * 0.8)]))
    second = audit(data, PERIOD, results, workbooks=False)
    assert second["audit_id"] != first["audit_id"]

    # before the reports are rendered again, the index does not link the report of the earlier audit
    from popqa.reporting.site import render_site

    render_site(ResultsStore(results).period_dir(PERIOD), site, json.loads(read(site / "manifest.json")),
                geography="legacy")
    assert f"districts/{DISTRICTS[0]}.vi.html" not in read(site / "index.html")

    run2 = report(results, site, districts=[DISTRICTS[0]], workers=1, progress=False, resume=True,
                  geography="legacy")
    assert run2.ok == [DISTRICTS[0]]
    assert report_audit_id(out) == second["audit_id"]
    assert run2.manifest["audit_id"] == second["audit_id"]
    kpis = json.loads(read(results / PERIOD / "districts" / DISTRICTS[0] / "kpis.json"))
    assert f"<b>{kpis['persons']:,}</b>".replace(",", ".") in read(out)  # the report shows the new audit's persons
    assert f"districts/{DISTRICTS[0]}.vi.html" in read(site / "index.html")
    # a third run with nothing changed renders nothing
    run3 = report(results, site, districts=[DISTRICTS[0]], workers=1, progress=False, resume=True,
                  geography="legacy")
    assert run3.results[DISTRICTS[0]]["started"] == run2.results[DISTRICTS[0]]["started"]


@pytest.mark.slow
def test_full_report_renders_the_labour_report_and_links_it(audited, tmp_path):
    site = tmp_path / "site"
    run = report(audited["results"], site, workers=2, progress=False, lang="en", geography="legacy")
    assert "province:labour" in run.ok and not run.failed
    html = read(site / "province" / "labour.en.html")
    assert "popqa-audit-id" in html and "unemployment" in html.lower()
    assert not personal_data_in(html, audited["secrets"])
    assert 'href="province/labour.en.html"' in read(site / "index.en.html")
