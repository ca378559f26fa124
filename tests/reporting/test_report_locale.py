"""The unit report's numbers follow its language (Babel, CLDR): Vietnamese 1.234,5, English 1,234.5 (issue 13).

CLDR's Vietnamese number format groups thousands with "." and marks decimals with ",";
popqa prints scores with two decimals, shares with one, counts with none, so in a
Vietnamese report a "." is always followed by three digits and a "," never groups
thousands. The visible text and the charts' alternative text are checked.
"""

from __future__ import annotations

import html as _html
import re

# a number as printed: digits with "." or "," inside (dates dd/mm/yyyy, periods yyyy-mm and codes are not matched)
_NUM = re.compile(r"(?<![\w.,/:-])\d+(?:[.,]\d+)+(?![\w/-])")
_EN_GROUPED = re.compile(r"^\d{1,3}(?:,\d{3})+(?:\.\d+)?$")  # 29,292 or 1,234.5
_EN_DECIMAL = re.compile(r"^\d+\.\d{1,2}$")  # 97.25, 12.3 (a Vietnamese "." is followed by 3 digits)
_VI_GROUPED = re.compile(r"^\d{1,3}(?:\.\d{3})+(?:,\d+)?$")
_VI_DECIMAL = re.compile(r"^\d+,\d{1,2}$")
# the same list as the labels' test in test_site2025
_EN_UNIT = re.compile(r"(?<![\w/])(d|days?|hrs?|yrs?|km|mins?|pp|pts?|No\.)(?![\w])")


def visible_text(page: str) -> str:
    """What a reader sees or hears: text outside tags, scripts and styles, and the alternative texts."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S | re.I)
    alts = re.findall(r'\b(?:alt|aria-label)="([^"]*)"', page)
    text = re.sub(r"<[^>]+>", " ", page)
    return _html.unescape(text + " " + " ".join(alts))


def test_visible_text_keeps_alt_text_and_drops_scripts():
    page = '<style>a{width:1.5px}</style><p>Điểm <b>96,98</b></p><img alt="Tổng 1.234"><script>x=2.5</script>'
    assert _NUM.findall(visible_text(page)) == ["96,98", "1.234"]


def _report(commune_site, lang: str) -> str:
    _, site, runs, code = commune_site
    assert all(r.ok == [code] for r in runs), [r.failed for r in runs]
    return visible_text((site / "communes" / f"{code}.{lang}.html").read_text(encoding="utf-8"))


def test_vietnamese_report_numbers_are_in_vietnamese_format(commune_site):
    nums = _NUM.findall(_report(commune_site, "vi"))
    english = [n for n in nums if _EN_GROUPED.match(n) or _EN_DECIMAL.match(n)]
    assert english == []
    assert any(_VI_DECIMAL.match(n) for n in nums)  # scores such as 96,98 are there to check


def test_english_report_numbers_are_in_english_format(commune_site):
    nums = _NUM.findall(_report(commune_site, "en"))
    vietnamese = [n for n in nums if _VI_DECIMAL.match(n) or (_VI_GROUPED.match(n) and "." in n
                                                                and not _EN_DECIMAL.match(n))]
    assert vietnamese == []
    assert any(_EN_DECIMAL.match(n) for n in nums)


def test_vietnamese_report_has_no_english_unit_abbreviations(commune_site):
    text = _report(commune_site, "vi")
    assert _EN_UNIT.findall(text) == []
