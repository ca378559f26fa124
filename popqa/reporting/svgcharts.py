"""Simple report charts (bars, a bar-and-line pair, the age-sex pyramid) drawn as inline SVG.

A matplotlib chart costs a unit report 0.1-0.3 s (every tick label is laid out and
rasterised); these charts are a few hundred SVG elements written directly, in
milliseconds, vector (sharp on paper at any size), with their texts as text: in the
report's language and number format (the same Babel helpers as the tables), and
read by screen readers through ``role="img"`` and ``aria-label`` (the chart's
alternative text, as the ``alt`` of an image). The commune map stays matplotlib
(:func:`popqa.reporting.draw.commune_map_figure`). Nothing is computed here: the
caller passes what the audit wrote.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

from popqa.reporting.draw import fmt_int, fmt_number, t

__all__ = ["bar_chart_svg", "pyramid_svg", "nice_ticks"]

_FONT = "DejaVu Sans, Verdana, Arial, sans-serif"
_AXIS = "#333"
_GRID = "#e5e5e5"


def nice_ticks(vmax: float, n: int = 5) -> list[float]:
    """Round tick values from 0 to at least ``vmax`` (1, 2, 2.5 or 5 times a power of ten apart).

    >>> nice_ticks(382)
    [0.0, 100.0, 200.0, 300.0, 400.0]
    >>> nice_ticks(0)
    [0.0, 1.0]
    >>> nice_ticks(2.2)[-1] >= 2.2
    True
    """
    import math

    if not vmax or vmax <= 0 or math.isnan(vmax):
        return [0.0, 1.0]
    raw = vmax / n
    mag = 10 ** math.floor(math.log10(raw))
    step = next(s * mag for s in (1, 2, 2.5, 5, 10) if s * mag >= raw)
    k = math.ceil(vmax / step - 1e-9)
    return [float(round(i * step, 10)) for i in range(k + 1)]


def _num(v: float, lang: str) -> str:
    return fmt_number(v, lang, 0 if float(v).is_integer() else 1)


def _text(x: float, y: float, s: str, *, size: int = 11, anchor: str = "middle", rotate: float = 0,
          weight: str = "normal", baseline: str = "auto") -> str:
    rot = f' transform="rotate({rotate:g} {x:.1f} {y:.1f})"' if rotate else ""
    bl = f' dominant-baseline="{baseline}"' if baseline != "auto" else ""
    bold = ' font-weight="bold"' if weight != "normal" else ""
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}"{bl}{bold}{rot}>'
            f"{html.escape(s)}</text>")


def _svg(width: int, height: int, label: str, body: list[str], css_class: str = "chart") -> str:
    return (f'<svg class="{css_class}" role="img" aria-label="{html.escape(label)}" width="{width}" '
            f'height="{height}" viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg" '
            f'font-family="{_FONT}" fill="{_AXIS}" style="max-width:100%;height:auto">'
            f"<title>{html.escape(label)}</title>" + "".join(body) + "</svg>")


def _bars_panel(x0: float, y0: float, w: float, h: float, cats: Sequence[str], vals: Sequence[float], *,
                colour: str, title: str, xlabel: str, ylabel: str, lang: str, rotate: float = 0,
                line: Sequence[float] | None = None, line_colour: str = "#d73027", line_label: str = "") -> list[str]:
    """One panel: vertical bars of ``vals`` over ``cats`` inside the plot box (x0, y0, w, h), axes, ticks,
    labels and title; with ``line``, a line with markers on a second axis at the right (``line_label``)."""
    out: list[str] = []
    vals = [0.0 if v is None or v != v else float(v) for v in vals]
    ticks = nice_ticks(max(vals, default=0))
    top = ticks[-1] or 1.0
    ys = lambda v: y0 + h - h * v / top  # noqa: E731
    for tk in ticks:  # grid and the left axis
        y = ys(tk)
        out.append(f'<line x1="{x0:.1f}" x2="{x0 + w:.1f}" y1="{y:.1f}" y2="{y:.1f}" stroke="{_GRID}"/>')
        out.append(_text(x0 - 6, y, _num(tk, lang), size=10, anchor="end", baseline="middle"))
    n = max(len(cats), 1)
    slot = w / n
    bw = slot * 0.8
    for i, (c, v) in enumerate(zip(cats, vals, strict=True)):
        x = x0 + slot * i + (slot - bw) / 2
        out.append(f'<rect x="{x:.1f}" y="{ys(v):.1f}" width="{bw:.1f}" height="{y0 + h - ys(v):.1f}" '
                   f'fill="{colour}"><title>{html.escape(str(c))}: {html.escape(_num(v, lang))}</title></rect>')
        cx = x0 + slot * (i + 0.5)
        if rotate:
            out.append(_text(cx + 3, y0 + h + 8, str(c), size=10, anchor="end", rotate=-rotate, baseline="middle"))
        else:
            out.append(_text(cx, y0 + h + 16, str(c), size=10))
    out.append(f'<line x1="{x0:.1f}" x2="{x0 + w:.1f}" y1="{y0 + h:.1f}" y2="{y0 + h:.1f}" stroke="{_AXIS}"/>')
    out.append(f'<line x1="{x0:.1f}" x2="{x0:.1f}" y1="{y0:.1f}" y2="{y0 + h:.1f}" stroke="{_AXIS}"/>')
    if line is not None:
        lv = [0.0 if v is None or v != v else float(v) for v in line]
        rt = nice_ticks(max(lv, default=0))
        rtop = rt[-1] or 1.0
        ry = lambda v: y0 + h - h * v / rtop  # noqa: E731
        for tk in rt:
            out.append(_text(x0 + w + 6, ry(tk), _num(tk, lang), size=10, anchor="start", baseline="middle"))
        out.append(f'<line x1="{x0 + w:.1f}" x2="{x0 + w:.1f}" y1="{y0:.1f}" y2="{y0 + h:.1f}" stroke="{_AXIS}"/>')
        pts = [(x0 + slot * (i + 0.5), ry(v)) for i, v in enumerate(lv)]
        out.append(f'<polyline fill="none" stroke="{line_colour}" stroke-width="1.6" points="'
                   + " ".join(f"{x:.1f},{y:.1f}" for x, y in pts) + '"/>')
        out += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{line_colour}"/>' for x, y in pts]
        out.append(_text(x0 + w + 52, y0 + h / 2, line_label, size=11, rotate=90, baseline="middle"))
    out.append(_text(x0 + w / 2, y0 - 10, title, size=13))
    out.append(_text(x0 - 52, y0 + h / 2, ylabel, size=11, rotate=-90, baseline="middle"))
    out.append(_text(x0 + w / 2, y0 + h + _label_depth(cats, rotate) + 18, xlabel, size=11))
    return out


def _label_depth(cats: Sequence[str], rotate: float) -> float:
    """How far below the axis the category labels reach (10 px type, about 6.2 px a character)."""
    import math

    if not rotate:
        return 20.0
    longest = max((len(str(c)) for c in cats), default=1)
    return 10 + longest * 6.2 * math.sin(math.radians(rotate)) + 10 * math.cos(math.radians(rotate))


def bar_chart_svg(panels: Sequence[dict[str, Any]], label: str, *, width: int = 990, plot_height: int = 170) -> str:
    """Bar-chart panels side by side in one inline SVG.

    Each panel: ``cats``, ``vals``, ``colour``, ``title``, ``xlabel``, ``ylabel``, ``lang``, optionally
    ``rotate`` (degrees of the category labels), ``line`` (values drawn as a line on a right-hand axis)
    with ``line_label``. ``label`` is the chart's alternative text.

    >>> svg = bar_chart_svg([{"cats": ["0-7", ">180"], "vals": [1234, 5], "colour": "#3b6fb6", "title": "Lag",
    ...                       "xlabel": "Days", "ylabel": "Events", "lang": "vi"}], "Chart: lag; 0-7: 1.234")
    >>> svg.startswith('<svg class="chart" role="img" aria-label="Chart: lag; 0-7: 1.234"'), ">1.250<" in svg
    (True, True)
    """
    n = len(panels)
    # room for the tick labels and the axis titles: left of each panel, and right of one with a second axis
    left, top, gap = 70, 34, 80
    right = [70 if p.get("line") is not None else 0 for p in panels]
    pw = (width - left - 20 - sum(right) - gap * (n - 1)) / n
    bottom = max(_label_depth(p["cats"], p.get("rotate", 0)) for p in panels) + 30
    height = int(top + plot_height + bottom)
    body: list[str] = []
    x0 = float(left)
    for i, p in enumerate(panels):
        body += _bars_panel(x0, top, pw, plot_height, p["cats"], p["vals"], colour=p["colour"], title=p["title"],
                            xlabel=p["xlabel"], ylabel=p["ylabel"], lang=p["lang"], rotate=p.get("rotate", 0),
                            line=p.get("line"), line_label=p.get("line_label", ""))
        x0 += pw + right[i] + gap
    return _svg(width, height, label, body)


def pyramid_svg(groups: Sequence[str], males: Sequence[float], females: Sequence[float], lang: str = "vi", *,
                title: str = "", label: str = "", width: int = 630, height: int = 405) -> str:
    """The age-sex pyramid (males left, females right, youngest at the bottom) as inline SVG.

    >>> svg = pyramid_svg(["0-4", "5-9"], [1200, 900], [1100, 950], "vi", label="Biểu đồ: Tháp dân số")
    >>> 'aria-label="Biểu đồ: Tháp dân số"' in svg, ">Nam<" in svg, ">1.000<" in svg
    (True, True, True)
    """
    m = [0.0 if v is None or v != v else float(v) for v in males]
    f = [0.0 if v is None or v != v else float(v) for v in females]
    ticks = nice_ticks(max(m + f, default=0), n=3)
    top_v = ticks[-1] or 1.0
    x0, y0, x1 = 80, 34, width - 20
    y1 = height - 62
    mid = (x0 + x1) / 2
    half = (x1 - x0) / 2
    xs = lambda v: half * v / top_v  # noqa: E731
    n = max(len(groups), 1)
    slot = (y1 - y0) / n
    bh = slot * 0.8
    body: list[str] = []
    for tk in ticks:
        for sgn in ((-1, 1) if tk else (1,)):
            x = mid + sgn * xs(tk)
            body.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{y0:.1f}" y2="{y1:.1f}" stroke="{_GRID}"/>')
            body.append(_text(x, y1 + 16, fmt_int(int(tk), lang), size=10))
    for i, (g, mv, fv) in enumerate(zip(groups, m, f, strict=True)):
        y = y1 - slot * (i + 1) + (slot - bh) / 2
        body.append(f'<rect x="{mid - xs(mv):.1f}" y="{y:.1f}" width="{xs(mv):.1f}" height="{bh:.1f}" fill="#3b6fb6">'
                    f'<title>{html.escape(t("male", lang))} {html.escape(str(g))}: {fmt_int(int(mv), lang)}</title></rect>')
        body.append(f'<rect x="{mid:.1f}" y="{y:.1f}" width="{xs(fv):.1f}" height="{bh:.1f}" fill="#e377c2">'
                    f'<title>{html.escape(t("female", lang))} {html.escape(str(g))}: {fmt_int(int(fv), lang)}</title></rect>')
        body.append(_text(x0 - 6, y + bh / 2, str(g), size=10, anchor="end", baseline="middle"))
    body.append(f'<line x1="{x0}" x2="{x1}" y1="{y1:.1f}" y2="{y1:.1f}" stroke="{_AXIS}"/>')
    body.append(f'<line x1="{mid:.1f}" x2="{mid:.1f}" y1="{y0:.1f}" y2="{y1:.1f}" stroke="{_AXIS}"/>')
    body.append(_text((x0 + x1) / 2, y0 - 12, title or t("pyramid", lang), size=13))
    body.append(_text(20, (y0 + y1) / 2, t("age_group", lang), size=11, rotate=-90, baseline="middle"))
    body.append(_text((x0 + x1) / 2, y1 + 40, t("persons", lang), size=11))
    for j, (key, colour) in enumerate((("male", "#3b6fb6"), ("female", "#e377c2"))):  # legend, top right
        lx, ly = x1 - 90, y0 + 6 + 18 * j
        body.append(f'<rect x="{lx}" y="{ly}" width="14" height="10" fill="{colour}"/>')
        body.append(_text(lx + 20, ly + 5, t(key, lang), size=11, anchor="start", baseline="middle"))
    return _svg(width, height, label or f"{t('chart', lang)}: {title or t('pyramid', lang)}", body)
