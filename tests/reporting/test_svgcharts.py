"""The report's simple charts as inline SVG (popqa.reporting.svgcharts): drawn to scale, labelled in the
report's language and number format, described for screen readers, nothing outside the picture."""

from __future__ import annotations

import re

import pytest

from popqa.reporting.svgcharts import bar_chart_svg, nice_ticks, pyramid_svg


def _bars(svg: str) -> list[dict[str, float]]:
    return [{k: float(v) for k, v in re.findall(r'(x|y|width|height)="([-\d.]+)"', m)}
            for m in re.findall(r"<rect ([^>]*)><title>", svg)]


def _texts(svg: str) -> list[str]:
    return re.findall(r"<text [^>]*>([^<]*)</text>", svg)


def _viewbox(svg: str) -> tuple[float, float]:
    w, h = re.search(r'viewBox="0 0 (\d+) (\d+)"', svg).groups()
    return float(w), float(h)


@pytest.mark.parametrize("vmax", [0.4, 1, 7, 10, 382, 999, 1000, 48_213, 2.2e6])
def test_ticks_are_round_and_cover_the_data(vmax):
    ticks = nice_ticks(vmax)
    assert ticks[0] == 0 and ticks[-1] >= vmax and len(ticks) <= 7
    step = ticks[1] - ticks[0]
    mantissa = step / 10 ** int(f"{step:e}".split("e")[1])
    assert round(mantissa, 6) in (1, 2, 2.5, 5)
    assert all(abs((b - a) - step) < 1e-9 * max(1, vmax) for a, b in zip(ticks, ticks[1:], strict=False))


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_bars_to_scale_in_the_report_language(lang):
    cats, vals = ["<0", "0-7", "8-15", ">180"], [412, 48_213, 9_875, 0]
    months = [f"2026-{m:02d}" for m in range(1, 11)]
    svg = bar_chart_svg([
        {"cats": cats, "vals": vals, "colour": "#3b6fb6", "title": "T1", "xlabel": "X1", "ylabel": "Y1", "lang": lang},
        {"cats": months, "vals": [5_000 + i for i in range(10)], "colour": "#9ecae1", "title": "T2", "xlabel": "X2",
         "ylabel": "Y2", "lang": lang, "rotate": 60, "line": [12.5] * 9 + [25.0], "line_label": "late (%)"},
    ], "Biểu đồ: độ trễ; 0-7: 48.213")
    assert svg.startswith('<svg class="chart" role="img" aria-label="Biểu đồ: độ trễ; 0-7: 48.213"')
    assert "<title>Biểu đồ: độ trễ; 0-7: 48.213</title>" in svg
    bars = _bars(svg)
    assert len(bars) == len(cats) + len(months)
    # heights in proportion to the values, from one baseline
    h = [b["height"] for b in bars[:4]]
    assert h[3] == 0 and abs(h[1] / h[2] - 48_213 / 9_875) < 0.01
    assert len({round(b["y"] + b["height"], 1) for b in bars}) == 1
    texts = _texts(svg)
    # tick labels in the language's grouping, the axis and panel titles, the categories and the second axis
    assert ("50.000" if lang == "vi" else "50,000") in texts and ("12,5" if lang == "vi" else "12.5") not in texts
    assert {"T1", "T2", "X1", "X2", "Y1", "Y2", "late (%)", "0-7", "2026-10", "25"} <= set(texts)
    assert len(re.findall(r"<circle ", svg)) == 10
    w, hh = _viewbox(svg)
    xs = [float(x) for x in re.findall(r'\bx[12]?="([-\d.]+)"', svg)]
    ys = [float(y) for y in re.findall(r'\by[12]?="([-\d.]+)"', svg)]
    assert min(xs) >= 0 and max(xs) <= w and min(ys) >= 0 and max(ys) <= hh


def test_pyramid_males_left_females_right_to_scale():
    groups = ["0-4", "5-9", "80+"]
    svg = pyramid_svg(groups, [1_200, 900, 30], [1_100, 950, 60], "vi", label="Biểu đồ: Tháp dân số; Nam 2.130")
    assert 'aria-label="Biểu đồ: Tháp dân số; Nam 2.130"' in svg
    bars = _bars(svg)
    males, females = bars[0::2], bars[1::2]
    mid = females[0]["x"]
    assert all(abs(m["x"] + m["width"] - mid) < 0.2 for m in males) and all(f["x"] == mid for f in females)
    assert abs(males[0]["width"] / females[0]["width"] - 1_200 / 1_100) < 0.01
    assert males[0]["y"] > males[2]["y"]  # the youngest at the bottom
    texts = _texts(svg)
    assert {"Nam", "Nữ", "Nhóm tuổi", "Nhân khẩu", "Tháp dân số", "80+", "1.000"} <= set(texts)
    en = _texts(pyramid_svg(groups, [1_200, 900, 30], [1_100, 950, 60], "en"))
    assert {"Male", "Female", "Age group", "Persons", "1,000"} <= set(en)
