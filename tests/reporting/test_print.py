"""A unit report prints its summary on one A4 page, grades as words (issue 13): headless Chromium's print-to-PDF."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.reporting.test_browser import CHROMIUM, _chromium

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (apt-get install chromium; .ci/run does it)"),
]

_PAGE = re.compile(rb"/Type\s*/Page\b(?!s)")
A4 = (595.28, 841.89)  # points (ISO 216: 210 x 297 mm)


def _pdf(html: Path, tmp: Path) -> bytes:
    out = tmp / (html.stem + ".pdf")
    res = _chromium(html.as_uri(), tmp, "--no-pdf-header-footer", f"--print-to-pdf={out}")
    assert out.exists(), res.stderr[-2000:]
    return out.read_bytes()


def _with_probe_after_summary(page: str) -> str:
    """The report with a marker cell right after the summary and every later cell hidden."""
    i = page.index('<section class="summary-page"')
    j = page.index('<div class="jp-Cell', i)
    probe = '<div class="jp-Cell" id="probe"><p>PROBE</p></div>'
    page = page[:j] + probe + page[j:]
    return page.replace("</head>", "<style>#probe ~ .jp-Cell{display:none!important}</style></head>", 1)


def test_pdf_page_count_helper_counts_pages_not_the_page_tree():
    pdf = b"<< /Type /Pages /Count 2 >> << /Type /Page /Parent 1 0 R >> << /Type/Page >>"
    assert len(_PAGE.findall(pdf)) == 2


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_unit_summary_prints_on_one_a4_page_with_grades_as_words(commune_site, tmp_path, lang):
    from popqa.reporting.draw import t

    _, site, runs, code = commune_site
    report = site / "communes" / f"{code}.{lang}.html"
    page = report.read_text(encoding="utf-8")
    full = _pdf(report, tmp_path)
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", full)
    assert boxes and all(abs(float(w) - A4[0]) < 1 and abs(float(h) - A4[1]) < 1 for w, h in boxes)
    assert len(_PAGE.findall(full)) > 2  # the details follow the summary
    # title and summary on page 1, what follows the summary starts page 2: exactly two pages
    probe = report.parent / f"probe-{code}.{lang}.html"  # beside the report, so its links still resolve
    probe.write_text(_with_probe_after_summary(page), encoding="utf-8")
    try:
        assert len(_PAGE.findall(_pdf(probe, tmp_path))) == 2
    finally:
        probe.unlink()
    # every grade in the summary is written as a word, and coloured table cells get theirs in print
    summary = page[page.index('<section class="summary-page"'):]
    summary = summary[:summary.index("</section>")]
    badges = re.findall(r'class="grade grade-(\w+)"[^>]*>([^<]*)</span>', summary)
    # a grade is its word; a dimension without a score (none) shows a dash, never an empty badge
    assert any(g != "none" for g, _ in badges)
    assert all(word == (t(g, lang) if g != "none" else "–") for g, word in badges)
    assert f'td.g-red::after{{content:" · {t("red", lang)}"' in page
