"""Open the site and the reports in headless Chromium: no console errors, links resolve, tables sort and filter."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or (Path("/usr/bin/chromium") if Path("/usr/bin/chromium").exists() else None)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (apt-get install chromium; .ci/run does it)"),
]

# Chromium's own noise on a machine without a session bus or GPU, never the page's
_NOISE = re.compile(r"dbus|gpu|GPU|viz|sandbox|Fontconfig|ALSA|crashpad|shared_image|SharedImage|"
                    r"Bluez|bluetooth|UPower|ssl_client|mojo|Skia|angle|ANGLE|vaapi|egl|EGL", re.I)


def _chromium(url: str, tmp: Path, *extra: str) -> subprocess.CompletedProcess:
    cmd = [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           f"--user-data-dir={tmp / 'profile'}", "--enable-logging=stderr", "--v=0",
           "--window-size=1280,2000", *extra, url]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


def _page_errors(stderr: str) -> list[str]:
    out = []
    for line in stderr.splitlines():
        if "CONSOLE" in line and ("rror" in line or "Uncaught" in line):
            out.append(line)
        elif ("net::ERR" in line or "Failed to load resource" in line or "Not allowed to load" in line):
            out.append(line)
    return [x for x in out if not _NOISE.search(x) or "CONSOLE" in x]


@pytest.mark.parametrize("page", ["index.html", "index.en.html", "communes.html", "districts/710.vi.html"])
def test_page_renders_without_console_errors(one_district_site, tmp_path, page):
    _, site, _ = one_district_site
    target = site / page
    assert target.exists()
    shot = tmp_path / (page.replace("/", "_") + ".png")
    res = _chromium(target.as_uri(), tmp_path, f"--screenshot={shot}")
    assert shot.exists() and shot.stat().st_size > 10_000, res.stderr[-2000:]
    assert _page_errors(res.stderr) == []
    dom = _chromium(target.as_uri(), tmp_path, "--dump-dom").stdout
    assert "<table" in dom
    # every link of the rendered DOM resolves to a file of the site
    for href in re.findall(r'(?:href|src)="([^"#]+)"', dom):
        if href.startswith("data:"):
            continue
        assert not href.startswith(("http:", "https:", "//")), href
        assert (target.parent / href).resolve().exists(), href


# --- a three-month run: the 2025 site in both languages ------------------------------------------------
@pytest.fixture(scope="module")
def three_months(tmp_path_factory):
    """Three monthly exports of one small population, audited in turn; reports of two 2025 communes."""
    import json

    from popqa.pipeline import audit, report
    from popqa.synth.history import generate_history

    root = tmp_path_factory.mktemp("three_months")
    hist = generate_history(months=3, scale=0.01, seed=5, districts=["710"], trajectory_share=0.1)
    hist.write(root / "data")
    for p in hist.periods:
        audit(root / "data" / p / "register", p, root / "results", workbooks=False)
    last = hist.periods[-1]
    codes = json.loads((root / "results" / last / "province.json").read_text(encoding="utf-8"))["communes_2025"][:2]
    for lg in ("vi", "en"):
        run = report(root / "results", root / "site", districts=codes, workers=2, progress=False, lang=lg)
        assert not run.failed, run.failed
    return root / "site", hist, codes


def _crawl(start: Path, site: Path) -> set[Path]:
    seen, todo = set(), [start.resolve()]
    while todo:
        page = todo.pop()
        if page in seen:
            continue
        seen.add(page)
        html = page.read_text(encoding="utf-8")
        for href in re.findall(r'href="([^"#]+)', html):
            assert not href.startswith(("http:", "https:", "//")), (page, href)
            target = (page.parent / href).resolve()
            assert target.exists(), (page, href)
            if target.suffix == ".html" and site.resolve() in target.parents:
                todo.append(target)
    return seen


@pytest.mark.slow
def test_three_month_site_links_trend_geography_and_screenshots(three_months, tmp_path):
    site, hist, codes = three_months
    pages = _crawl(site / "index.html", site)
    names = {p.relative_to(site.resolve()).as_posix() for p in pages}
    # both languages, every period, every report: all reached by following links from the index
    assert {"index.en.html", "rules.html", "rules.en.html", f"communes/{codes[0]}.en.html",
            f"periods/{hist.periods[0]}/index.html", f"periods/{hist.periods[1]}/collaborators.en.html"} <= names
    index = (site / "index.html").read_text(encoding="utf-8")
    # trend: three periods drawn on the sparklines, the previous period linked, changes at two decimals
    assert "kỳ đầu tiên" not in index and index.count("<svg") > 3
    assert f'href="periods/{hist.periods[1]}/index.html"' in index
    assert re.search(r"[▲▼■] [+-]?\d+,\d\d", index)
    # geography: the 2025 communes of the province with their legacy district as context
    assert "đơn vị từ 1/7/2025" in index and "Huyện Gò Dầu" in index
    old = (site / "periods" / hist.periods[0] / "index.en.html").read_text(encoding="utf-8")
    assert f'href="../{hist.periods[1]}/index.en.html"' in old and "first period" in old  # it is the first
    for page in ["index.html", "index.en.html", "collaborators.html", f"communes/{codes[0]}.vi.html",
                 f"communes/{codes[0]}.en.html", f"periods/{hist.periods[0]}/communes.html"]:
        shot = tmp_path / (page.replace("/", "_") + ".png")
        res = _chromium((site / page).as_uri(), tmp_path, f"--screenshot={shot}")
        assert shot.exists() and shot.stat().st_size > 10_000, res.stderr[-2000:]
        assert _page_errors(res.stderr) == [], page


@pytest.mark.slow
def test_tables_sort_and_filter_in_the_browser(three_months, tmp_path):
    site, _, _ = three_months
    page = (site / "collaborators.en.html").read_text(encoding="utf-8")
    probe = """<script>
    var t = document.getElementById("collaborators-table"), th = t.tHead.rows[0].cells[0];
    th.click(); th.click();  // the collaborator column, descending
    var ids = Array.prototype.map.call(t.tBodies[0].rows, function (r) { return r.cells[0].textContent; });
    var box = document.querySelector(".tbl-filter"); box.value = ids[0];
    box.dispatchEvent(new Event("input"));
    var shown = Array.prototype.filter.call(t.tBodies[0].rows, function (r) { return r.style.display !== "none"; });
    document.body.setAttribute("data-probe", JSON.stringify({first: ids[0], last: ids[ids.length - 1],
      n: ids.length, shown: shown.length}));
    </script></body>"""
    test_page = site / "probe.en.html"  # beside the real page, so its relative links still resolve
    test_page.write_text(page.replace("</body>", probe), encoding="utf-8")
    try:
        dom = _chromium(test_page.as_uri(), tmp_path, "--dump-dom").stdout
    finally:
        test_page.unlink()
    import html
    import json

    m = re.search(r'data-probe="([^"]+)"', dom)
    assert m, dom[-2000:]
    probe = json.loads(html.unescape(m.group(1)))
    assert probe["n"] > 10 and probe["first"] > probe["last"]  # sorted descending by id
    assert 1 <= probe["shown"] < probe["n"]  # the filter keeps the matching row(s) only
