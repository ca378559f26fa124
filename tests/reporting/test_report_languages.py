"""Both report languages from one ``popqa report`` (``--lang vi,en`` / ``all``): one pool, one kernel per
worker for every report of both languages, the site rendered once, each report linking its other language."""

from __future__ import annotations

import json
import re

import pytest

from popqa.errors import InputError
from popqa.reporting.runner import parse_languages, report_audit_id

PERIOD = "2026-10"


def test_languages_parsed_vietnamese_first_and_unknown_ones_refused():
    assert parse_languages("vi") == ("vi",) and parse_languages("en") == ("en",)
    assert parse_languages("en,vi") == parse_languages("vi,en") == parse_languages("all") == ("vi", "en")
    assert parse_languages(["en", "vi", "en"]) == ("vi", "en")
    for bad in ("fr", "vi,fr", "", "vi;en"):
        with pytest.raises(InputError, match="unknown language"):
            parse_languages(bad)


def _read(p) -> str:
    return p.read_text(encoding="utf-8")


@pytest.mark.slow
def test_one_invocation_renders_both_languages_with_working_cross_language_links(audited, tmp_path):
    from popqa.cli import main
    from popqa.pipeline import report

    province = json.loads(_read(audited["results"] / PERIOD / "province.json"))
    codes = province["communes_2025"][:2]
    site = tmp_path / "site"
    rc = main(["report", "--results", str(audited["results"]), "--out", str(site), "--workers", "1",
               "--lang", "vi,en", "--districts", *codes, "--no-progress"])
    assert rc == 0
    man = json.loads(_read(site / "manifest.json"))
    audit_id = man["audit_id"]
    assert man["languages"] == ["vi", "en"] and man["status"] == "ok"
    rows = {(r["district"], r["lang"]): r for r in man["districts"]}
    assert set(rows) == {(c, lg) for c in codes for lg in ("vi", "en")}
    # one worker: its one kernel ran all four reports, the English ones after the Vietnamese ones
    assert sorted(r["kernel_reports"] for r in rows.values()) == [1, 2, 3, 4]
    for code in codes:
        for lg, other in (("vi", "en"), ("en", "vi")):
            page = site / "communes" / f"{code}.{lg}.html"
            html = _read(page)
            assert report_audit_id(page) == audit_id
            assert f'<html lang="{lg}">' in html
            # the link to the other language resolves to a report of the same audit
            link = re.search(r'<a class="other-lang" href="([^"]+)" hreflang="(\w+)"', html)
            assert link and link.groups() == (f"{code}.{other}.html", other)
            assert report_audit_id(page.parent / link.group(1)) == audit_id
        assert "Tóm tắt" in _read(site / "communes" / f"{code}.vi.html")
        assert "Summary" in _read(site / "communes" / f"{code}.en.html")
    # each index links its own language's reports, and every link of every page resolves
    for page, lg in (("index.html", "vi"), ("index.en.html", "en")):
        html = _read(site / page)
        for code in codes:
            assert f'href="communes/{code}.{lg}.html"' in html
        for link in re.findall(r'(?:href|src)="([^"#]+)"', html):
            assert (site / link).exists(), (page, link)
    assert '<a class="other-lang" href="index.en.html" hreflang="en"' in _read(site / "index.html")

    # --resume with both languages renders nothing again; a single language still works as before
    started = {k: r["started"] for k, r in rows.items()}
    run = report(audited["results"], site, districts=codes, workers=1, progress=False, lang="all", resume=True)
    assert sorted(run.ok) == sorted(f"{c}.{lg}" for c in codes for lg in ("vi", "en")) and not run.failed
    assert {(r["district"], r["lang"]): r["started"] for r in run.manifest["districts"]} == started
    run = report(audited["results"], site, districts=codes[:1], workers=1, progress=False, lang="en")
    assert run.ok == [codes[0]] and run.manifest["lang"] == "en"
    assert f'href="communes/{codes[1]}.vi.html"' in _read(site / "index.html")  # the earlier reports still count
