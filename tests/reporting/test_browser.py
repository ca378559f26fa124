"""Open the site and a district report in headless Chromium: no console errors, links resolve."""

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
