# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# District data-quality report, executed by popqa's runner with papermill, one
# district at a time: it only loads what `popqa audit` wrote and draws it. Every
# visible heading comes from code, so it follows the `lang` parameter.

# %% tags=["parameters"]
district_code = "710"
period = "2026-10"
audit_dir = "out/demo/results/2026-10"
lang = "vi"
level = "district"
periods: list[str] = []

# %%
import html as html_text
import json
from pathlib import Path

import pandas as pd
from IPython.display import HTML, display

from popqa.contract import DIMENSIONS
from popqa.demography.quality import band as quality_band
from popqa.indicators import get as indicator_spec
from popqa.reporting.draw import (
    PRINT_CSS,
    SORT_SCRIPT,
    badge,
    commune_map_figure,
    figure_html,
    fmt_change,
    fmt_indicator,
    fmt_int,
    fmt_number,
    fmt_score,
    fmt_share,
    grade_word_css,
    setup_matplotlib,
    sparkline_svg,
    t,
    table_html,
)
from popqa.reporting.svgcharts import bar_chart_svg, pyramid_svg
from popqa.store import unit_results_rel

setup_matplotlib()
base = Path(audit_dir)
ddir = base / unit_results_rel(level, district_code)
kpis = json.loads((ddir / "kpis.json").read_text(encoding="utf-8"))
ind_file = ddir / "indicators.parquet"
ind = pd.read_parquet(ind_file) if ind_file.exists() else pd.DataFrame(columns=["indicator_id", "group"])


def indicator_table(ids, group=""):
    """The district's rows of ``ids`` (one group) as label / value-with-interval rows; nothing computed."""
    rows = []
    for i in ids:
        r = ind[(ind["indicator_id"] == i) & (ind["group"] == group)]
        if len(r):
            spec = indicator_spec(i)
            rows.append({"indicator": spec.name_vi if lang == "vi" else spec.name_en,
                         "value": fmt_indicator(r.iloc[0].to_dict(), spec.unit, lang)})
    return pd.DataFrame(rows)
msg_col = "message_vi" if lang == "vi" else "message_en"


def h2(key, anchor):
    display(HTML(f'<h2 id="{anchor}">{t(key, lang)}</h2>'))


other = "en" if lang == "vi" else "vi"
idx = "index.html" if lang == "vi" else f"index.{lang}.html"
cpage = "communes.html" if lang == "vi" else f"communes.{lang}.html"
unit_name = kpis.get("unit_name") or kpis.get("district_name") or district_code


def period_href(p):
    """The site page of another period (the current one is the site root)."""
    if periods and p == periods[-1]:
        return f"../{idx}"
    return f"../periods/{p}/{cpage if level == 'commune_2025' else idx}"


nav = []
if period in periods:
    i = periods.index(period)
    if i > 0:
        nav.append(f'<a class="prev-period" rel="prev" href="{period_href(periods[i - 1])}">◀ '
                   f'{t("previous_period", lang)} ({periods[i - 1]})</a>')
    if i < len(periods) - 1:
        nav.append(f'<a class="next-period" rel="next" href="{period_href(periods[i + 1])}">'
                   f'{t("next_period", lang)} ({periods[i + 1]}) ▶</a>')
context = ""
if level == "commune_2025" and kpis.get("legacy_district_names"):
    context = f" · {t('legacy_district', lang)}: {', '.join(kpis['legacy_district_names'])}"
display(HTML(
    "<style>.tbl{border-collapse:collapse;font-size:13px}.tbl td,.tbl th{border:1px solid #ccc;"
    "padding:3px 6px}.tbl td.num,.tbl th.num{text-align:right!important}"
    ".tbl td.txt,.tbl th.txt{text-align:left!important}.muted{color:#666;font-size:12px}"
    ".kpi{display:inline-block;border:1px solid #ccc;border-radius:4px;padding:6px 10px;margin:4px;"
    "min-width:120px;vertical-align:top}.kpi b{font-size:20px;display:block}"
    ".tbl th[aria-sort=ascending]::after{content:' ▲'}.tbl th[aria-sort=descending]::after{content:' ▼'}"
    "nav.crumbs a,nav.periods a{margin-right:12px}"
    + PRINT_CSS + "@media print{h2{page-break-before:auto}.jp-Cell{break-inside:avoid}}"
    # the summary fits one A4 page and the details begin on the next; grades printed as words
    + grade_word_css(lang) + "@page{size:A4;margin:12mm}@media print{.summary-page{font-size:10.5px}"
    ".summary-page .kpi{min-width:0;padding:2px 6px;margin:2px}.summary-page .kpi b{font-size:14px}"
    ".summary-page h3{margin:6px 0 2px}.summary-page ol{margin:2px 0}"
    ".jp-Cell:has(.summary-page){break-after:page}}</style>"
    f'<nav class="crumbs" aria-label="breadcrumb"><a href="../{idx}">{t("province", lang)}</a> › '
    + (f'<a href="../{cpage}#c-{district_code}">{t("commune_2025", lang)}</a> › ' if level == "commune_2025" else "")
    + f'<b>{unit_name}</b> · <a class="other-lang" hreflang="{other}" href="{district_code}.{other}.html">'
    f'{t("switch_lang", lang)}</a></nav>'
    + (f'<nav class="periods">{" ".join(nav)}</nav>' if nav else "")
    + f'<h1 id="title">{t("report_title", lang)}: {unit_name} ({district_code})</h1>'
    f"<p>{t('period', lang)}: {period}{context}</p>"
))

# %%
# The summary: one block that prints on one A4 page (the print style breaks the page after it), with
# every grade as a word beside its colour; the details follow on the next pages.
page = [f'<h2 id="summary">{t("summary", lang)}</h2>']
scores = kpis["scores"]
trend = pd.read_parquet(ddir / "trend.parquet")
dtr = trend[(trend.level == level) & (trend.unit_code == district_code)]  # this unit's own series
ov = scores.get("overall", {})
spark = sparkline_svg(dtr[dtr.dimension == "overall"].sort_values("period").score.tolist(), lang=lang)
tiles = [
    f'<div class="kpi">{t("overall", lang)}<b>{fmt_score(ov.get("score"), lang)}</b>{badge(ov.get("grade"), lang)} '
    f'<br>{fmt_change(ov.get("change"), lang)} {spark}</div>',
    f'<div class="kpi">{t("households", lang)}<b>{fmt_int(kpis["households"], lang)}</b></div>',
    f'<div class="kpi">{t("persons", lang)}<b>{fmt_int(kpis["persons"], lang)}</b></div>',
    f'<div class="kpi">{t("events", lang)}<b>{fmt_int(kpis["events"], lang)}</b></div>',
    f'<div class="kpi">{t("communes", lang)}<b>{fmt_int(kpis["communes"], lang)}</b></div>',
]
for d in DIMENSIONS:
    s = scores.get(d, {})
    sp = sparkline_svg(dtr[dtr.dimension == d].sort_values("period").score.tolist(), lang=lang)
    tiles.append(f'<div class="kpi">{t(d, lang)}<b>{fmt_score(s.get("score"), lang)}</b>{badge(s.get("grade"), lang)}'
                 f' {fmt_change(s.get("change"), lang)} {sp}</div>')
page.append('<div class="tiles">' + "".join(tiles) + "</div>")

# what to look at first: the lowest-scoring communes, the main problems with their action, who needs support
sum_communes = pd.read_parquet(ddir / "communes.parquet")
graded = sum_communes[sum_communes["grade_overall"].isin(["green", "yellow", "red"])
                      & sum_communes["overall"].notna()].sort_values(["overall", "commune_code"]).head(3)
if len(graded):
    worst = "".join(f"<li>{html_text.escape(str(r.commune_name or ''))} ({r.commune_code}): "
                    f"<b>{fmt_score(r.overall, lang)}</b> "
                    f"{badge(r.grade_overall, lang)} {fmt_change(r.change, lang)}</li>" for r in graded.itertuples())
    page.append(f"<h3>{t('summary_worst', lang)}</h3><ol class='worst'>{worst}</ol>")
else:
    page.append(f"<h3>{t('summary_worst', lang)}</h3><p>{t('summary_none_graded', lang)}</p>")
sum_top = pd.read_parquet(ddir / "top_rules.parquet").head(3)
if len(sum_top):
    todo = "".join(f"<li><b>{r['rule_id']}</b> {html_text.escape(str(r[msg_col] or ''))} "
                   f"({fmt_share(r['share_of_weight'], lang)}) — {html_text.escape(str(r.get(f'action_{lang}') or ''))}"
                   "</li>" for r in sum_top.to_dict(orient="records"))
    page.append(f"<h3>{t('summary_todo', lang)}</h3><ol class='todo'>{todo}</ol>")
sum_coll = pd.read_parquet(ddir / "collaborators.parquet", columns=["grade_overall"])["grade_overall"]
n_red, n_yellow = int((sum_coll == "red").sum()), int((sum_coll == "yellow").sum())
page.append(f'<p><a href="#collaborators">{t("summary_collabs", lang).format(n=fmt_int(n_red + n_yellow, lang), red=fmt_int(n_red, lang), yellow=fmt_int(n_yellow, lang))}</a></p>')

rows = []
for tg in kpis["targets"]:
    met = tg.get("met")
    status = t("not_available", lang) if met is None else (t("met", lang) if met else t("not_met", lang))
    rows.append({"indicator": t(tg["indicator"], lang), "value": fmt_share(tg.get("value"), lang),
                 "target": f'{fmt_share(tg.get("target"), lang)} ({tg.get("target_year")})', "status": status})
if rows:
    page.append(f"<h3>{t('targets', lang)}</h3>" + table_html(
        pd.DataFrame(rows), {"indicator": "", "value": t("value", lang), "target": t("target", lang),
                             "status": t("met", lang)}))
roll = pd.DataFrame(kpis["rollup"])
if len(roll):
    roll = roll[roll.dimension.isin(DIMENSIONS + ("overall",))].copy()
    roll["dim"] = roll.dimension.map(lambda d: t(d, lang))
    page.append(f"<h3>{t('rollup', lang)}</h3>" + table_html(
        roll, {"dim": t("dimension", lang), "units": t("communes", lang), "failing": t("failing", lang),
               "share_failing": "%"}, formats={"share_failing": lambda v: fmt_share(v, lang),
                                              "units": lambda v: fmt_int(v, lang), "failing": lambda v: fmt_int(v, lang)},
        lang=lang))
page.append(f"<p class='muted'>{t('summary_details', lang)}</p>")
display(HTML('<section class="summary-page" id="summary-page">' + "".join(page) + "</section>"))

# %%
h2("commune_scorecard", "communes")
communes = pd.read_parquet(ddir / "communes.parquet")
ctr = trend[trend.level == "commune"]
sparks = {c: sparkline_svg(g.sort_values("period").score.tolist(), lang=lang)
          for c, g in ctr[ctr.dimension == "overall"].groupby("unit_code")}
communes["trend"] = communes.commune_code.map(sparks).fillna("")
cols = {"commune_code": t("code", lang), "commune_name": t("name", lang)}
if level == "commune_2025":
    display(HTML(f"<p class='muted'>{t('legacy_communes_in', lang)}</p>"))
    cols["district_name"] = t("legacy_district", lang)
cols["records"] = t("records", lang)
cols |= {d: t(d, lang) for d in DIMENSIONS}
cols |= {"overall": t("overall", lang), "change": t("change", lang), "trend": t("trend", lang)}
display(HTML(table_html(
    communes, cols, grade_columns={d: f"grade_{d}" for d in (*DIMENSIONS, "overall")},
    formats={**{d: (lambda v: fmt_score(v, lang)) for d in (*DIMENSIONS, "overall")},
             "change": lambda v: fmt_change(v, lang), "records": lambda v: fmt_int(v, lang)}, raw=["trend"], lang=lang)))

from popqa.geo import commune_centroids

cent = commune_centroids(None, kind="legacy")
pts = communes.merge(cent[["commune_code", "latitude", "longitude"]], on="commune_code", how="left")
pts = pts.assign(name=pts["commune_name"], grade=pts["grade_overall"])
if pts["latitude"].notna().any():
    fig = commune_map_figure(pts, lang, title=t("commune_map", lang))
    alt = f"{t('chart', lang)}: {t('commune_map', lang)}; " + ", ".join(
        f"{n}: {fmt_score(v, lang)} {t(g, lang) if isinstance(g, str) else ''}"
        for n, v, g in zip(pts["commune_name"], pts["overall"], pts["grade_overall"], strict=True))
    display(HTML(f'<h3 id="map">{t("commune_map", lang)}</h3>' + figure_html(fig, alt, crop=False)))
else:
    display(HTML(f"<p>{t('no_map', lang)}</p>"))

# %%
h2("main_problems", "rules")
top = pd.read_parquet(ddir / "top_rules.parquet")
if len(top):
    top["dim"] = top.dimension.map(lambda d: t(d, lang))
    top["sev"] = top.severity.map(lambda s: t(s, lang))
    top["share"] = top["share_of_weight"].map(lambda v: fmt_share(v, lang))
    top["rule"] = top.rule_id + top.via.map(lambda v: f" ({t('via', lang)} {v})" if isinstance(v, str) else "")
    display(HTML(f"<p class='muted'>{t('main_problems_note', lang)} "
                 f"{t('all_listed', lang).format(n=len(top))}</p>" + table_html(
        top, {"rule": t("rule", lang), msg_col: t("message", lang), f"action_{lang}": t("action", lang),
              "dim": t("dimension", lang), "sev": t("severity", lang), "records": t("records", lang),
              "share": t("weight_share", lang)}, text_columns=["rule", msg_col, f"action_{lang}", "dim", "sev", "share"],
        formats={"records": lambda v: fmt_int(v, lang)}, lang=lang)))
else:
    display(HTML(f"<p>{t('none', lang)}</p>"))

# %%
h2("collab_support", "collaborators")
coll = pd.read_parquet(ddir / "collaborators.parquet")
need = coll[coll.grade_overall.isin(["red", "yellow"])].sort_values(["overall", "collaborator_id"])
if len(need):
    need = need.assign(problem=need.top_rule.fillna("") + " " + need[f"top_{msg_col}"].fillna(""),
                       action=need[f"top_action_{lang}"].fillna("") if f"top_action_{lang}" in need else "")
    display(HTML(f"<p class='muted'>{t('all_listed', lang).format(n=len(need))}</p>" + table_html(
        need, {"collaborator_id": t("collaborator", lang), "commune_name": t("commune", lang),
               "village": t("village", lang), "records": t("records", lang), "errors": t("errors", lang),
               "warnings": t("warnings", lang), "errors_per_1000": t("errors_per_1000", lang),
               "late_share": t("late_share", lang), "median_lag": t("median_lag", lang),
               "overall": t("overall", lang), "problem": t("top_problem", lang), "action": t("action", lang)},
        grade_columns={"overall": "grade_overall"},
        formats={"overall": lambda v: fmt_score(v, lang), "late_share": lambda v: fmt_share(v, lang),
                 "errors_per_1000": lambda v: fmt_number(v, lang, 1), "median_lag": lambda v: fmt_number(v, lang, 0),
                 "records": lambda v: fmt_int(v, lang), "errors": lambda v: fmt_int(v, lang),
                 "warnings": lambda v: fmt_int(v, lang)}, lang=lang)))
else:
    display(HTML(f"<p>{t('none', lang)}</p>"))

# %%
h2("timeliness_title", "timeliness")
lag = pd.read_parquet(ddir / "lag_hist.parquet")
monthly = pd.read_parquet(ddir / "monthly.parquet")
alt_lag = f'{t("chart", lang)}: {t("lag_hist", lang)}; ' + ", ".join(
    f"{b}: {fmt_int(n, lang)}" for b, n in zip(lag["bin"], lag["events"], strict=True))
# the charts are inline SVG (popqa.reporting.svgcharts): texts in the report's language and number format
panels = [{"cats": [str(b) for b in lag["bin"]], "vals": lag["events"].tolist(), "colour": "#3b6fb6",
           "title": t("lag_hist", lang), "xlabel": t("lag_days", lang), "ylabel": t("events", lang), "lang": lang}]
if len(monthly):
    alt_lag += f'. {t("monthly", lang)}: ' + ", ".join(
        f"{m}: {fmt_int(n, lang)}" for m, n in zip(monthly["month"], monthly["events"], strict=True))
    panels.append({"cats": monthly["month"].astype(str).tolist(), "vals": monthly["events"].tolist(),
                   "colour": "#9ecae1", "title": t("monthly", lang), "xlabel": t("month", lang),
                   "ylabel": t("events", lang), "lang": lang, "rotate": 60,
                   "line": (100 * monthly["late_share"]).tolist(), "line_label": t("late_share", lang) + " (%)"})
display(HTML(bar_chart_svg(panels, alt_lag)))
tl = kpis.get("timeliness") or {}
display(HTML(f"<p>{t('late_share', lang)} ({t('late_days_note', lang).format(n=kpis['late_days'])}): "
             f"{fmt_share(tl.get('late_share'), lang)}; {t('median_lag', lang)}: "
             f"{fmt_number(tl.get('median_lag'), lang, 1)}</p>"))

# %%
h2("duplicates_title", "duplicates")
dup = pd.read_parquet(ddir / "duplicates.parquet")
if len(dup):
    dup = dup.sort_values("per_1000", ascending=False)
    top3 = ", ".join(f"{c}: {fmt_number(v, lang, 1)}" for c, v in zip(dup["commune_code"].head(3), dup["per_1000"].head(3),
                                                    strict=True))
    alt_dup = f"{t('chart', lang)}: {t('duplicates', lang)} — {t('per_1000', lang)}; {top3}"
    display(HTML(bar_chart_svg([{"cats": dup["commune_code"].astype(str).tolist(), "vals": dup["per_1000"].tolist(),
                                 "colour": "#756bb1", "title": f"{t('duplicates', lang)} — {t('per_1000', lang)}",
                                 "xlabel": t("commune", lang), "ylabel": t("per_1000", lang), "lang": lang,
                                 "rotate": 90}], alt_dup)))
    display(HTML(table_html(dup, {"commune_code": t("code", lang), "commune_name": t("name", lang),
                                           "persons": t("persons", lang), "duplicates": t("duplicates", lang),
                                           "per_1000": t("per_1000", lang)},
                            formats={"persons": lambda v: fmt_int(v, lang), "duplicates": lambda v: fmt_int(v, lang),
                                     "per_1000": lambda v: fmt_number(v, lang, 1)}, lang=lang)))
else:
    display(HTML(f"<p>{t('none', lang)}</p>"))

# %%
h2("demography", "demography")
pyr = pd.read_parquet(ddir / "pyramid.parquet")
groups = list(dict.fromkeys(pyr["age_group"]))
m = pyr[pyr.sex == "male"].set_index("age_group")["persons"].reindex(groups, fill_value=0)
f = pyr[pyr.sex == "female"].set_index("age_group")["persons"].reindex(groups, fill_value=0)
display(HTML(pyramid_svg(groups, m.tolist(), f.tolist(), lang, label=(
    f"{t('chart', lang)}: {t('pyramid', lang)}; {t('male', lang)} {fmt_int(int(m.sum()), lang)}, "
    f"{t('female', lang)} {fmt_int(int(f.sum()), lang)}"))))
srb = kpis.get("sex_ratio_at_birth")
if srb and srb.get("ratio") is not None:
    display(HTML(f"<p>{t('srb', lang)}: <b>{fmt_number(srb['ratio'], lang, 1)}</b> {t('srb_unit', lang)} "
                 f"({t('births', lang)}: {fmt_int(srb['births'], lang)})</p>"))

RATES = ["crude_birth_rate", "crude_death_rate", "general_fertility_rate", "total_fertility_rate",
         "mean_age_childbearing", "sex_ratio_at_birth", "infant_mortality_rate", "under5_mortality_rate",
         "life_expectancy", "median_age", "dependency_ratio_total", "dependency_ratio_young", "dependency_ratio_old"]
rates = indicator_table(RATES)
if len(rates):
    display(HTML(f"<h3>{t('rates', lang)}</h3>" + table_html(
        rates, {"indicator": t("indicator", lang), "value": t("value", lang)}, text_columns=["indicator"])))

quality = []
for iid in ["age_whipple", "age_myers", "age_bachi", "age_age_sex_accuracy_adjusted", "age_age_sex_accuracy"]:
    r = ind[(ind["indicator_id"] == iid) & (ind["group"] == "sex=total")]
    if len(r):
        spec = indicator_spec(iid)
        v = r.iloc[0]
        quality.append({"indicator": spec.name_vi if lang == "vi" else spec.name_en,
                        "value": fmt_indicator(v.to_dict(), spec.unit, lang),
                        "band": t(quality_band(iid.removeprefix("age_"), v["value"]), lang) or "–"})
if quality:
    display(HTML(f"<h3>{t('age_quality', lang)}</h3>" + table_html(
        pd.DataFrame(quality), {"indicator": t("indicator", lang), "value": t("value", lang),
                                "band": t("band", lang)}, text_columns=["indicator", "band"])))

proj = ind[(ind["indicator_id"] == "projected_population") & ~ind["group"].str.contains("sex=")]
if len(proj):
    parts = proj["group"].str.extract(r"scenario=([a-z_]+);year=(\d{4})")
    pt = pd.DataFrame({"scenario": parts[0], "year": parts[1], "value": proj["value"].to_numpy()}).dropna()
    if len(pt):
        wide = pt.pivot_table(index="year", columns="scenario", values="value", aggfunc="first").reset_index()
        cols = {"year": t("year", lang)}
        cols.update({sc: t(f"scenario_{sc}", lang) for sc in wide.columns if sc != "year"})
        display(HTML(f"<h3>{t('projection', lang)}</h3>" + table_html(
            wide, cols, formats={sc: (lambda v: fmt_int(v, lang)) for sc in wide.columns if sc != "year"},
            text_columns=["year"])))
    else:
        display(HTML(f"<h3>{t('projection', lang)}</h3><p>{t('projection_insufficient', lang)}</p>"))

# %%
h2("coverage_title", "coverage")
cov = pd.read_parquet(ddir / "coverage.parquet")
if len(cov):
    tot = cov.groupby("source").agg(records=("records", "sum"), linked=("linked", "sum")).reset_index()
    tot["share"] = tot["linked"] / tot["records"]
    tot["src"] = tot.source.map(lambda s: t(s, lang))
    display(HTML(table_html(tot, {"src": t("source", lang), "records": t("records", lang),
                                  "linked": t("linked", lang), "share": t("share_linked", lang)},
                            formats={"share": lambda v: fmt_share(v, lang), "records": lambda v: fmt_int(v, lang),
                                     "linked": lambda v: fmt_int(v, lang)}, lang=lang)))
    low = cov.sort_values("share").head(10).assign(src=lambda d: d.source.map(lambda s: t(s, lang)))
    display(HTML(table_html(low, {"commune_code": t("commune", lang), "src": t("source", lang),
                                  "records": t("records", lang), "linked": t("linked", lang),
                                  "share": t("share_linked", lang)},
                            formats={"share": lambda v: fmt_share(v, lang), "records": lambda v: fmt_int(v, lang),
                                     "linked": lambda v: fmt_int(v, lang)}, lang=lang)))
else:
    display(HTML(f"<p>{t('coverage_none', lang)}</p>"))

comp_rows = []
for ev in ("birth", "death"):
    vals = {}
    for key, iid in (("register", "reg_event_completeness"), ("civil", "civil_event_completeness"),
                     ("missed", "dse_events_missed")):
        r = ind[(ind["indicator_id"] == iid) & (ind["group"] == f"event={ev}")]
        vals[key] = fmt_indicator(r.iloc[0].to_dict(), indicator_spec(iid).unit, lang) if len(r) else "–"
    if any(v != "–" for v in vals.values()):
        comp_rows.append({"event": t(f"event_{ev}", lang), **vals})
if comp_rows:
    display(HTML(f"<h3>{t('dse_completeness', lang)}</h3>" + table_html(
        pd.DataFrame(comp_rows), {"event": t("event", lang), "register": t("register_completeness", lang),
                                  "civil": t("civil_completeness", lang), "missed": t("missed_both", lang)},
        text_columns=["event", "register", "civil", "missed"]) + f"<p class='muted'>{t('dse_note', lang)}</p>"))

# the register against the population-change survey: the survey's estimate with its interval (or why the
# survey cannot say), the register's count and where it lies (popqa.reporting.coverage formats; nothing computed)
from popqa.reporting import coverage as cov_text  # noqa: E402

survey_rows = cov_text.survey_rows(ind, level, lang, [(district_code, unit_name)], by_sex=True)
if survey_rows:
    display(HTML(f"<h3 id='survey'>{cov_text.ct('survey_comparison', lang)}</h3>" + table_html(
        pd.DataFrame(survey_rows), {"measure": cov_text.ct("measure", lang),
                                    "survey": cov_text.ct("survey_estimate", lang),
                                    "register": cov_text.ct("register_count", lang),
                                    "verdict": cov_text.ct("verdict", lang)},
        text_columns=["measure", "survey", "verdict"])
        + "".join(f"<p class='muted'>{n}</p>" for n in cov_text.assumptions(lang)[1:])))

# %%
h2("methods", "methods")
if lang == "vi":
    text = (
        "<p>Điểm của mỗi khía cạnh = 100 × (1 − số bản ghi có phát hiện, có trọng số theo mức độ / số bản ghi). "
        "Lỗi có trọng số 1, cảnh báo 0,5, thông tin 0; mỗi bản ghi chỉ tính theo phát hiện nặng nhất. "
        "Điểm chung = 100 × (1 − tỷ lệ bản ghi có ít nhất một phát hiện của bất kỳ khía cạnh nào), "
        "có trọng số theo mức độ; bản ghi trùng chỉ tính bản ghi thừa. Xếp loại xanh/vàng/đỏ theo ngưỡng "
        "cấu hình cho từng cấp; đơn vị có quá ít bản ghi không được xếp loại (không đủ dữ liệu).</p>"
        f"<p>Biến động cập nhật muộn: sau {kpis['late_days']} ngày kể từ khi xảy ra. "
        "Trùng lặp và đối chiếu nguồn dựa trên liên kết xác suất (Splink); kết quả là ước lượng và cần kiểm tra thực địa.</p>"
        "<p>Báo cáo chỉ hiển thị số liệu tổng hợp và mã; danh sách bản ghi cụ thể nằm trong tệp Excel (bảng tính) dành cho cán bộ phân tích.</p>"
    )
else:
    text = (
        "<p>Dimension score = 100 × (1 − records with findings, weighted by severity / records). "
        "Errors weigh 1, warnings 0.5, info 0; each record counts once, at its worst finding. "
        "The overall score = 100 × (1 − share of records with at least one finding of any dimension), weighted "
        "by severity; of duplicate records only the surplus ones count. Green/yellow/red bands are configured "
        "per admin level; units with too few records are not graded (too few records).</p>"
        f"<p>An event is late when recorded more than {kpis['late_days']} days after it happened. "
        "Duplicates and source coverage come from probabilistic record linkage (Splink): they are estimates "
        "to be confirmed in the field.</p>"
        "<p>This report shows counts and codes only; record-level lists are in the analysts' Excel workbook.</p>"
    )
display(HTML(text))
display(HTML(SORT_SCRIPT))
