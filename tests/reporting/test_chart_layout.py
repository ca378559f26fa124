"""The matplotlib charts (the commune map, the province report's pyramid) are laid out with fixed margins
(no ``tight_layout``): every text stays inside its figure, in both languages, with numbers as large as a
full-scale province gives."""

from __future__ import annotations

import matplotlib
import pandas as pd
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from popqa.reporting.draw import commune_map_figure, pyramid_html, setup_matplotlib  # noqa: E402

AGES = ["0-4", "5-9", "10-14", "15-19", "20-24", "25-29", "30-34", "35-39", "40-44", "45-49", "50-54", "55-59",
        "60-64", "65-69", "70-74", "75-79", "80-84", "85+"]


def _texts_outside(fig) -> list[str]:
    """What is drawn beyond the figure's edges: the figure's tight box (every drawn title, label, tick
    label, legend and annotation, as ``bbox_inches="tight"`` measures it) against the figure, in inches."""
    fig.canvas.draw()
    box = fig.get_tightbbox(fig.canvas.get_renderer())
    w, h = fig.get_size_inches()
    eps = 0.01
    out = [side for side, bad in (("left", box.x0 < -eps), ("bottom", box.y0 < -eps), ("right", box.x1 > w + eps),
                                  ("top", box.y1 > h + eps)) if bad]
    return [f"{side}: {tuple(round(float(v), 2) for v in box.extents)} in {w}x{h}" for side in out]


@pytest.fixture(autouse=True)
def _style():
    setup_matplotlib()
    yield
    plt.close("all")
    matplotlib.rcdefaults()


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_pyramid_and_map_keep_their_texts_inside(lang, monkeypatch):
    import popqa.reporting.draw as draw

    figs = []
    real = draw.figure_html
    monkeypatch.setattr(draw, "figure_html", lambda fig, alt, **kw: figs.append(fig) or real(fig, alt, close=False, **kw))
    males = pd.Series([61_234 - 2_000 * i for i in range(len(AGES))], index=AGES)
    females = pd.Series([59_876 - 1_900 * i for i in range(len(AGES))], index=AGES)
    html = pyramid_html(AGES, males, females, lang, crop=False)
    assert html.startswith('<img alt="') and len(figs) == 1
    assert _texts_outside(figs[0]) == []
    pts = pd.DataFrame({"commune_code": ["1", "2", "3"], "name": ["Phường Ninh Sơn", "Xã Thạnh Tân", "Xã Phan"],
                        "latitude": [11.30, 11.45, 11.12], "longitude": [106.05, 106.31, 106.18],
                        "records": [8_000, 12_000, 3_000], "grade": ["green", "red", "yellow"]})
    fig = commune_map_figure(pts, lang, title="Bản đồ xã/phường" if lang == "vi" else "Commune map")
    assert _texts_outside(fig) == []
