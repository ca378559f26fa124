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

# Province in-depth demography report ("báo cáo chuyên sâu, dự báo"), executed with papermill like
# the other province reports. It reads only what the audit wrote: the demography and age-quality rows
# of indicators.parquet, and the demography stage's files demography/life_tables.parquet,
# demography/projection.parquet and demography/assumptions.json (popqa.demography.stage.ARTIFACTS).
# No register record, name or ID is read. Nothing is estimated here: every number is a stored one.

# %% tags=["parameters"]
period = "2026-10"
audit_dir = "out/demo/results/2026-10"
lang = "vi"

# %%
import json
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import HTML, display

from popqa.demography.quality import QUALITY_INDICES
from popqa.demography.quality import band as quality_band
from popqa.demography.stage import ARTIFACTS
from popqa.geo import commune_name, district_name, province_name
from popqa.indicators import get
from popqa.reporting.draw import (
    PRINT_CSS,
    figure_html,
    fmt_date,
    fmt_indicator,
    fmt_int,
    fmt_number,
    fmt_share,
    pyramid_html,
    setup_matplotlib,
    t,
    table_html,
)

setup_matplotlib()
base = Path(audit_dir)
ind = pd.read_parquet(base / "indicators.parquet")
dem = ind[ind["indicator_id"].map(lambda i: get(i).stage == "demography")].copy()


def _artifact(key):
    f = base / ARTIFACTS[key]
    if not f.exists():
        return None
    return json.loads(f.read_text(encoding="utf-8")) if f.suffix == ".json" else pd.read_parquet(f)


life = _artifact("life_tables")
proj_file = _artifact("projection")
assume = _artifact("assumptions") or {}

# Labels of this report (both languages); the shared ones come from popqa.reporting.draw.t
L = {
    "title": {"vi": "Báo cáo chuyên sâu về dân số và dự báo dân số", "en": "In-depth demography report and projection"},
    "base_date": {"vi": "Thời điểm tính", "en": "Reference date"},
    "key": {"vi": "Số liệu chính", "en": "Key figures"},
    "structure": {"vi": "Cơ cấu dân số theo tuổi và giới tính", "en": "Age and sex structure"},
    "persons_known": {"vi": "Nhân khẩu có mặt (biết tuổi và giới tính)",
                      "en": "Persons present (age and sex known)"},
    "quality": {"vi": "Chất lượng khai báo tuổi", "en": "Quality of age reporting"},
    "quality_note": {"vi": "Chỉ số tính như gói DemoTools của R; mức đánh giá theo Liên Hợp Quốc (chỉ số Whipple) "
                           "và chương trình PAS (chỉ số chính xác tuổi-giới). Chỉ số Myers, Bachi: 0 là không có "
                           "thiên lệch chữ số.",
                     "en": "Indices as R's DemoTools computes them; bands of the United Nations (Whipple's "
                           "index) and of PAS (age-sex accuracy index). Myers' and Bachi's indices: 0 means no "
                           "digit preference."},
    "index": {"vi": "Chỉ số", "en": "Index"},
    "value": {"vi": "Giá trị (khoảng tin cậy 95%)", "en": "Value (95% interval)"},
    "total": {"vi": "Chung", "en": "Total"},
    "rates_prov": {"vi": "Tỷ suất sinh, chết của tỉnh (khoảng tin cậy 95%)",
                   "en": "Fertility and mortality of the province (95% interval)"},
    "numerator": {"vi": "Số sự kiện", "en": "Events"},
    "denominator": {"vi": "Mẫu số", "en": "Denominator"},
    "asfr_chart": {"vi": "Tỷ suất sinh đặc trưng theo tuổi mẹ (trên 1.000 phụ nữ)",
                   "en": "Age-specific fertility rates (per 1,000 women)"},
    "mother_age": {"vi": "Tuổi mẹ", "en": "Mother's age"},
    "per_1000_women": {"vi": "Trên 1.000 phụ nữ", "en": "Per 1,000 women"},
    "by_unit": {"vi": "Tỷ suất theo đơn vị hành chính", "en": "Rates by administrative unit"},
    "pooled_note": {"vi": "Đơn vị có quá ít sự kiện không có ước lượng riêng; ô ghi giá trị của đơn vị cấp trên "
                          "kèm chữ “gộp” (ước lượng gộp).",
                    "en": "A unit with too few events has no estimate of its own; the cell shows the estimate of "
                          "the unit above it, marked “pooled”."},
    "pooled": {"vi": "gộp", "en": "pooled"},
    "life": {"vi": "Bảng sống và tuổi thọ trung bình", "en": "Life table and life expectancy"},
    "e0_table": {"vi": "Tuổi thọ trung bình khi sinh (khoảng tin cậy 95%)",
                 "en": "Life expectancy at birth (95% interval)"},
    "deaths_few": {"vi": "Số ca tử vong quá ít để lập bảng sống: {d} ca trong 12 tháng, cần ít nhất {m} ca và dân số "
                         "ít nhất {p} người. Không công bố tuổi thọ.",
                   "en": "Too few deaths for a life table: {d} in the window, at least {m} deaths and a population "
                         "of at least {p} are needed. No life expectancy is given."},
    "unit": {"vi": "Đơn vị", "en": "Unit"},
    "both": {"vi": "Chung hai giới", "en": "Both sexes"},
    "lt_caption": {"vi": "Bảng sống rút gọn của tỉnh", "en": "Abridged life table of the province"},
    "age": {"vi": "Tuổi", "en": "Age"},
    "qx": {"vi": "Xác suất chết nqx", "en": "Probability of dying nqx"},
    "ex": {"vi": "Kỳ vọng sống ex (năm)", "en": "Life expectancy ex (years)"},
    "projection": {"vi": "Dự báo dân số đến năm {h}", "en": "Population projection to {h}"},
    "assumptions": {"vi": "Giả định", "en": "Assumptions"},
    "proj_none": {"vi": "Chưa đủ số ca tử vong để lập bảng sống của tỉnh; không lập dự báo.",
                  "en": "Too few deaths for the province's life table; no projection is made."},
    "proj_chart": {"vi": "Dân số dự báo của tỉnh theo phương án", "en": "Projected population of the province by scenario"},
    "proj_table": {"vi": "Dân số theo năm, phương án và giới tính", "en": "Population by year, scenario and sex"},
    "proj_districts": {"vi": "Dân số dự báo năm {h} theo huyện", "en": "Projected population in {h} by district"},
    "year": {"vi": "Năm", "en": "Year"},
    "base": {"vi": "gốc", "en": "base"},
    "no_rows": {"vi": "Kỳ kiểm tra này không có số liệu dân số (giai đoạn dân số không chạy).",
                "en": "This audit has no demography results (the demography stage did not run)."},
    "methods": {"vi": "Phương pháp và lưu ý", "en": "Methods and caveats"},
    "other_lang": {"vi": "English", "en": "Tiếng Việt"},
    "home": {"vi": "Trang tỉnh", "en": "Province page"},
    "too_few": {"vi": "quá ít số liệu", "en": "too few"},
    "own": {"vi": "của chính đơn vị", "en": "the unit's own"},
    "province_src": {"vi": "của tỉnh (đơn vị có quá ít sự kiện)", "en": "the province's (too few events in the unit)"},
}


def tr(key, **kw):
    s = L[key].get(lang, L[key]["en"])
    return s.format(**kw) if kw else s


def name(iid):
    spec = get(iid)
    return spec.name_vi if lang == "vi" else spec.name_en


def h2(text, anchor):
    display(HTML(f'<h2 id="{anchor}">{text}</h2>'))


def unit_label(level, code):
    n = None
    if level == "district":
        n = district_name(code)
    elif level == "commune":
        n = commune_name(code)
    elif level == "commune_2025":
        n = commune_name(code, kind="2025")
    elif level == "province":
        n = province_name(code)
    return f"{n} ({code})" if n else str(code)


def row_of(frame, iid, group=""):
    r = frame[(frame["indicator_id"] == iid) & (frame["group"] == group)]
    return r.iloc[0] if len(r) else None


def value_text(r, iid):
    return "–" if r is None else fmt_indicator(r.to_dict(), get(iid).unit, lang)


prov = dem[dem["level"] == "province"]
prov_code = str(prov["unit_code"].iloc[0]) if len(prov) else str(assume.get("province_code", "–"))
prov_name = province_name(prov_code) or prov_code
other = "en" if lang == "vi" else "vi"
idx = "index.html" if lang == "vi" else f"index.{lang}.html"
base_date = assume.get("base_date")
horizon = int(assume.get("horizon", 2030))
display(HTML(
    "<style>.tbl{border-collapse:collapse;font-size:13px}.tbl td,.tbl th{border:1px solid #ccc;"
    "padding:3px 6px}.tbl td.num,.tbl th.num{text-align:right!important}"
    ".tbl td.txt,.tbl th.txt{text-align:left!important}.muted{color:#666;font-size:12px}"
    ".kpi{display:inline-block;border:1px solid #ccc;border-radius:4px;padding:6px 10px;margin:4px;"
    "min-width:150px;vertical-align:top}.kpi b{font-size:18px;display:block}nav.crumbs a{margin-right:12px}"
    + PRINT_CSS + "</style>"
    f'<nav class="crumbs"><a href="../{idx}">{tr("home")}</a> · '
    f'<a class="other-lang" hreflang="{other}" href="demography.{other}.html">{tr("other_lang")}</a></nav>'
    f'<h1 id="title">{tr("title")}: {prov_name}</h1>'
    f"<p>{t('period', lang)}: {period}"
    + (f" · {tr('base_date')}: {fmt_date(base_date, lang)}" if base_date else "") + "</p>"
))
if not len(prov):
    display(HTML(f"<p>{tr('no_rows')}</p>"))

# %%
h2(tr("key"), "summary")
tiles = []
for iid in ("crude_birth_rate", "crude_death_rate", "total_fertility_rate", "median_age"):
    tiles.append((name(iid), value_text(row_of(prov, iid), iid)))
e0 = row_of(prov, "life_expectancy")
tiles.append((name("life_expectancy"), value_text(e0, "life_expectancy")))
pp_prov = prov[prov["indicator_id"] == "projected_population"]
p_const = row_of(prov, "projected_population", f"scenario=constant;year={horizon}")
if p_const is not None:
    tiles.append((f"{name('projected_population')} {horizon} ({t('scenario_constant', lang).lower()})",
                  value_text(p_const, "projected_population")))
display(HTML("".join(f'<div class="kpi"><span class="muted">{k}</span><b>{v}</b></div>' for k, v in tiles)))

# %%
h2(tr("structure"), "structure")
share = prov[(prov["indicator_id"] == "population_share") & (prov["status"] == "ok")]
if len(share):
    g = share["group"].str.extract(r"sex=(\d);age=([0-9+\-]+)")
    pyr = pd.DataFrame({"sex": g[0].to_numpy(), "age": g[1].to_numpy(), "persons": share["numerator"].to_numpy(),
                        "share": share["value"].to_numpy()})
    ages = list(dict.fromkeys(pyr["age"]))
    m = pyr[pyr["sex"] == "1"].set_index("age")["persons"].reindex(ages, fill_value=0)
    f = pyr[pyr["sex"] == "2"].set_index("age")["persons"].reindex(ages, fill_value=0)
    display(HTML(pyramid_html(ages, m, f, lang, title=f"{t('pyramid', lang)} — {prov_name}", figsize=(7.5, 5))))
    display(HTML(f"<p>{tr('persons_known')}: <b>{fmt_int(share['denominator'].iloc[0], lang)}</b></p>"))
struct = pd.DataFrame([{"indicator": name(i), "value": value_text(row_of(prov, i), i)}
                       for i in ("median_age", "dependency_ratio_total", "dependency_ratio_young",
                                 "dependency_ratio_old") if row_of(prov, i) is not None])
if len(struct):
    display(HTML(table_html(struct, {"indicator": t("indicator", lang), "value": tr("value")},
                            text_columns=["indicator", "value"])))

# %%
h2(tr("quality"), "age-quality")
aq = ind[ind["indicator_id"].str.startswith("age_") & (ind["level"] == "province")]
qrows = []
for idx_id in QUALITY_INDICES:
    iid = f"age_{idx_id}"
    cells = {"indicator": name(iid)}
    for sexg, col in (("sex=total", "total"), ("sex=male", "male"), ("sex=female", "female")):
        r = row_of(aq, iid, sexg)
        cells[col] = value_text(r, iid)
    r = row_of(aq, iid, "sex=total")
    b = quality_band(idx_id, r["value"]) if r is not None and r["status"] == "ok" else ""
    cells["band"] = t(b, lang) if b else "–"
    if any(cells[c] != "–" for c in ("total", "male", "female")):
        qrows.append(cells)
if qrows:
    display(HTML(table_html(pd.DataFrame(qrows), {"indicator": tr("index"), "total": tr("total"),
                                                  "male": t("male", lang), "female": t("female", lang),
                                                  "band": t("band", lang)},
                            text_columns=["indicator", "total", "male", "female", "band"])))
    display(HTML(f"<p class='muted'>{tr('quality_note')}</p>"))
aqd = ind[ind["indicator_id"].isin(["age_whipple", "age_age_sex_accuracy_adjusted", "age_myers"])
          & (ind["level"] == "district") & (ind["group"] == "sex=total")]
if len(aqd):
    rows = []
    for code, g in aqd.groupby("unit_code", sort=True):
        cells = {"unit": unit_label("district", code)}
        for iid in ("age_whipple", "age_myers", "age_age_sex_accuracy_adjusted"):
            r = row_of(g, iid, "sex=total")
            v = value_text(r, iid)
            b = quality_band(iid.removeprefix("age_"), r["value"]) if r is not None and r["status"] == "ok" else ""
            cells[iid] = v + (f" ({t(b, lang)})" if b else "")
        rows.append(cells)
    display(HTML(table_html(pd.DataFrame(rows), {"unit": t("district", lang), "age_whipple": name("age_whipple"),
                                                 "age_myers": name("age_myers"),
                                                 "age_age_sex_accuracy_adjusted": name("age_age_sex_accuracy_adjusted")},
                            text_columns=["unit", "age_whipple", "age_myers", "age_age_sex_accuracy_adjusted"])))

# %%
h2(tr("rates_prov"), "rates")
RATES = ["crude_birth_rate", "crude_death_rate", "general_fertility_rate", "total_fertility_rate",
         "mean_age_childbearing", "sex_ratio_at_birth", "infant_mortality_rate", "under5_mortality_rate"]
rows = []
for iid in RATES:
    r = row_of(prov, iid)
    if r is None:
        continue
    rows.append({"indicator": name(iid), "value": value_text(r, iid),
                 "numerator": r["numerator"], "denominator": r["denominator"]})
if rows:
    display(HTML(table_html(pd.DataFrame(rows), {"indicator": t("indicator", lang), "value": tr("value"),
                                                 "numerator": tr("numerator"), "denominator": tr("denominator")},
                            formats={"numerator": lambda v: fmt_number(v, lang, 0),
                                     "denominator": lambda v: fmt_number(v, lang, 0)},
                            text_columns=["indicator", "value"])))
asfr = prov[(prov["indicator_id"] == "age_specific_fertility_rate") & (prov["status"] == "ok")]
if len(asfr):
    groups = asfr["group"].str.removeprefix("age=").tolist()
    v = asfr["value"].to_numpy()
    err = np.vstack([(v - asfr["ci_low"].to_numpy()).clip(min=0), (asfr["ci_high"].to_numpy() - v).clip(min=0)])
    fig, ax = plt.subplots(figsize=(7, 3.5))
    ax.bar(groups, v, yerr=np.nan_to_num(err), capsize=3, color="#e377c2")
    ax.set_xlabel(tr("mother_age"))
    ax.set_ylabel(tr("per_1000_women"))
    ax.set_title(tr("asfr_chart"))
    fig.tight_layout()
    display(HTML(figure_html(fig, f"{t('chart', lang)}: {tr('asfr_chart')}; " + "; ".join(
        f"{a}: {fmt_number(x, lang, 1)}" for a, x in zip(groups, v, strict=True)))))

# %%
h2(tr("by_unit"), "units")
display(HTML(f"<p class='muted'>{tr('pooled_note')}</p>"))
UNIT_RATES = ["crude_birth_rate", "crude_death_rate", "general_fertility_rate", "total_fertility_rate",
              "sex_ratio_at_birth"]
# districts, then the 2025 communes (legacy communes only for an audit written before the 2025 level)
unit_levels = ("district", "commune_2025") if (dem["level"] == "commune_2025").any() else ("district", "commune")
for level in unit_levels:
    lv = dem[(dem["level"] == level) & dem["indicator_id"].isin(UNIT_RATES)]
    if not len(lv):
        continue
    rows = []
    for code, g in lv.groupby("unit_code", sort=True):
        cells = {"unit": unit_label(level, code)}
        for iid in UNIT_RATES:
            own = row_of(g, iid)
            pooled = g[(g["indicator_id"] == iid) & g["group"].str.startswith("pooled=")]
            if own is not None and own["status"] != "ok" and len(pooled) and pooled.iloc[0]["status"] == "ok":
                cells[iid] = f"{value_text(pooled.iloc[0], iid)} [{tr('pooled')}]"
            else:
                cells[iid] = value_text(own, iid)
        rows.append(cells)
    cols = {"unit": t(level, lang)} | {i: name(i) for i in UNIT_RATES}
    display(HTML(f"<h3>{t(level, lang)}</h3>"
                 + table_html(pd.DataFrame(rows), cols, text_columns=list(cols), lang=lang)))

# %%
h2(tr("life"), "life-table")
le = dem[dem["indicator_id"] == "life_expectancy"]
deaths = row_of(prov, "crude_death_rate")
if e0 is None or e0["status"] != "ok":
    d = 0 if deaths is None or pd.isna(deaths["numerator"]) else deaths["numerator"]
    display(HTML(f"<p class='deaths-too-few'>{tr('deaths_few', d=fmt_int(d, lang), m=fmt_int(assume.get('min_deaths_life_table', 50), lang), p=fmt_int(assume.get('min_population_life_table', 5000), lang))}</p>"))
if len(le):
    rows = []
    for (level, code), g in le.groupby(["level", "unit_code"], sort=False):
        rows.append({"unit": unit_label(level, code),
                     "both": value_text(row_of(g, "life_expectancy", ""), "life_expectancy"),
                     "male": value_text(row_of(g, "life_expectancy", "sex=1"), "life_expectancy"),
                     "female": value_text(row_of(g, "life_expectancy", "sex=2"), "life_expectancy")})
    display(HTML(f"<h3>{tr('e0_table')}</h3>" + table_html(
        pd.DataFrame(rows), {"unit": tr("unit"), "both": tr("both"), "male": t("male", lang),
                             "female": t("female", lang)}, text_columns=["unit", "both", "male", "female"])))
if life is not None and len(life):
    lt = life[(life["level"] == "province") & (life["sex"].isin([1, 2]))]
    if len(lt):
        wide = lt.pivot_table(index="age", columns="sex", values=["qx", "ex"], aggfunc="first").sort_index()
        ages_lt = wide.index.to_numpy()
        labels = [f"{int(a)}+" if i == len(ages_lt) - 1 else
                  (f"{int(a)}" if ages_lt[i + 1] - a == 1 else f"{int(a)}-{int(ages_lt[i + 1]) - 1}")
                  for i, a in enumerate(ages_lt)]
        tab = pd.DataFrame({"age": labels,
                            "qx_m": wide[("qx", 1)].to_numpy() if ("qx", 1) in wide else np.nan,
                            "qx_f": wide[("qx", 2)].to_numpy() if ("qx", 2) in wide else np.nan,
                            "ex_m": wide[("ex", 1)].to_numpy() if ("ex", 1) in wide else np.nan,
                            "ex_f": wide[("ex", 2)].to_numpy() if ("ex", 2) in wide else np.nan})
        display(HTML(f"<h3>{tr('lt_caption')}</h3>" + table_html(
            tab, {"age": tr("age"), "qx_m": f"{tr('qx')} — {t('male', lang)}", "qx_f": f"{tr('qx')} — {t('female', lang)}",
                  "ex_m": f"{tr('ex')} — {t('male', lang)}", "ex_f": f"{tr('ex')} — {t('female', lang)}"},
            formats={"qx_m": lambda v: fmt_number(v, lang, 5), "qx_f": lambda v: fmt_number(v, lang, 5),
                     "ex_m": lambda v: fmt_number(v, lang, 1), "ex_f": lambda v: fmt_number(v, lang, 1)},
            text_columns=["age"])))

# %%
h2(tr("projection", h=horizon), "projection")
scen_names = {s: t(f"scenario_{s}", lang) for s in ("constant", "declining_fertility", "no_migration")}
pp = pp_prov[pp_prov["status"] == "ok"]
if not len(pp):
    display(HTML(f"<p class='projection-none'>{tr('proj_none')}</p>"))
else:
    parts = pp["group"].str.extract(r"scenario=([a-z_]+);(?:sex=(\d);)?year=(\d{4})")
    pt = pd.DataFrame({"scenario": parts[0].to_numpy(), "sex": parts[1].fillna("0").to_numpy(),
                       "year": parts[2].astype(int).to_numpy(), "value": pp["value"].to_numpy()})
    u = assume.get("units", {}).get("province", {}).get(prov_code, {})
    base_year = int(base_date[:4]) if base_date else None
    if proj_file is not None and len(proj_file) and base_year is not None:
        b = proj_file[(proj_file["level"] == "province") & (proj_file["year"] == base_year)]
        for scen, gb in b.groupby("scenario"):
            for sx, gs in gb.groupby("sex"):
                pt.loc[len(pt)] = [scen, str(int(sx)), base_year, float(gs["population"].sum())]
            pt.loc[len(pt)] = [scen, "0", base_year, float(gb["population"].sum())]
    # assumptions
    items = []
    if lang == "vi":
        items.append(f"Dân số gốc: nhân khẩu có mặt trong sổ ngày {fmt_date(base_date, lang)}, theo giới và nhóm tuổi 5 năm "
                     f"(nam {fmt_int(u.get('base_m'), lang)}, nữ {fmt_int(u.get('base_f'), lang)}); người thiếu tuổi "
                     "hoặc giới được phân bổ như người có đủ thông tin"
                     + ("; đã chia cho tỷ lệ bao phủ của sổ." if assume.get("coverage_applied") else
                        "; chưa hiệu chỉnh theo mức độ bao phủ của sổ."))
        items.append(f"Mức sinh: tỷ suất sinh đặc trưng theo tuổi trong {assume.get('window_months', 12)} tháng "
                     f"(TFR {fmt_number(u.get('tfr'), lang, 2)}), "
                     f"{tr('own') if u.get('fertility') == 'own' else tr('province_src')}; tỷ số giới tính khi sinh "
                     f"{fmt_number(100 * u['srb'], lang, 1) if u.get('srb') else '–'} bé trai/100 bé gái.")
        items.append(f"Mức chết: bảng sống của tỉnh theo giới (tuổi thọ nam {fmt_number(u.get('e0_m'), lang, 1)}, "
                     f"nữ {fmt_number(u.get('e0_f'), lang, 1)} năm), giữ không đổi.")
        items.append(f"Di cư thuần: chuyển đến trừ chuyển đi trong sổ, mỗi năm nam {fmt_number(u.get('net_migrants_per_year_m'), lang, 0)}, "
                     f"nữ {fmt_number(u.get('net_migrants_per_year_f'), lang, 0)} người; một nửa cộng đầu mỗi bước 5 năm, một nửa cuối bước.")
        items.append("Phương án: <b>mức sinh không đổi</b>; <b>mức sinh giảm</b> (tỷ suất sinh giảm "
                     f"{fmt_share(assume.get('fertility_decline_per_5y', 0.05), lang)} mỗi 5 năm); <b>không di cư</b> "
                     "(mức sinh không đổi, di cư thuần bằng 0).")
        items.append("Số liệu hằng năm nội suy hình học giữa các mốc 5 năm (phương pháp thành phần theo đoàn hệ, "
                     "Preston, Heuveline và Guillot 2001, chương 6).")
    else:
        items.append(f"Base population: persons present in the register on {fmt_date(base_date, lang)}, by sex and "
                     f"five-year age group (males {fmt_int(u.get('base_m'), lang)}, females {fmt_int(u.get('base_f'), lang)}); "
                     "persons of unknown age or sex spread like the known"
                     + ("; divided by the register's coverage." if assume.get("coverage_applied") else
                        "; not corrected for the register's coverage."))
        items.append(f"Fertility: age-specific rates over the {assume.get('window_months', 12)}-month window "
                     f"(TFR {fmt_number(u.get('tfr'), lang, 2)}), "
                     f"{tr('own') if u.get('fertility') == 'own' else tr('province_src')}; sex ratio at birth "
                     f"{fmt_number(100 * u['srb'], lang, 1) if u.get('srb') else '–'} boys per 100 girls.")
        items.append(f"Mortality: the province's life tables by sex (life expectancy males {fmt_number(u.get('e0_m'), lang, 1)}, "
                     f"females {fmt_number(u.get('e0_f'), lang, 1)} years), held constant.")
        items.append(f"Net migration: the register's moves in less moves out, per year males "
                     f"{fmt_number(u.get('net_migrants_per_year_m'), lang, 0)}, females "
                     f"{fmt_number(u.get('net_migrants_per_year_f'), lang, 0)}; half added at the start of each "
                     "five-year step, half at its end.")
        items.append("Scenarios: <b>constant fertility</b>; <b>declining fertility</b> (the rates fall by "
                     f"{fmt_share(assume.get('fertility_decline_per_5y', 0.05), lang)} every five years); <b>no "
                     "migration</b> (constant fertility, zero net migration).")
        items.append("Annual figures interpolate geometrically between the five-year points (cohort-component "
                     "method, Preston, Heuveline and Guillot 2001, ch. 6).")
    display(HTML(f"<h3>{tr('assumptions')}</h3><ul class='assumptions'>"
                 + "".join(f"<li>{x}</li>" for x in items) + "</ul>"))
    tot = pt[pt["sex"] == "0"].pivot_table(index="year", columns="scenario", values="value", aggfunc="first")
    fig, ax = plt.subplots(figsize=(7.5, 4))
    for scen in tot.columns:
        ax.plot(tot.index, tot[scen], marker="o", label=scen_names.get(scen, scen))
    ax.set_xlabel(tr("year"))
    ax.set_ylabel(t("persons", lang))
    ax.set_title(f"{tr('proj_chart')} — {prov_name}")
    ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: fmt_int(v, lang)))
    ax.xaxis.set_major_locator(plt.MaxNLocator(integer=True))
    ax.legend()
    fig.tight_layout()
    last = tot.index.max()
    display(HTML(figure_html(fig, f"{t('chart', lang)}: {tr('proj_chart')}; {last}: " + "; ".join(
        f"{scen_names.get(s, s)} {fmt_int(tot.loc[last, s], lang)}" for s in tot.columns))))
    wide = pt.pivot_table(index="year", columns=["scenario", "sex"], values="value", aggfunc="first").sort_index()
    tab = pd.DataFrame({"year": [f"{y} ({tr('base')})" if y == base_year else str(y) for y in wide.index]})
    cols = {"year": tr("year")}
    sex_names = {"1": t("male", lang), "2": t("female", lang), "0": tr("total")}
    for scen in [s for s in ("constant", "declining_fertility", "no_migration") if s in wide.columns.get_level_values(0)]:
        for sx in ("1", "2", "0"):
            if (scen, sx) in wide.columns:
                key = f"{scen}_{sx}"
                tab[key] = wide[(scen, sx)].to_numpy()
                cols[key] = f"{scen_names[scen]} — {sex_names[sx]}"
    display(HTML(f"<h3>{tr('proj_table')}</h3>" + table_html(
        tab, cols, formats={k: (lambda v: fmt_int(v, lang)) for k in cols if k != "year"}, text_columns=["year"])))
    pd_ = dem[(dem["level"] == "district") & (dem["indicator_id"] == "projected_population")]
    pd_ = pd_[pd_["group"].str.fullmatch(rf"scenario=[a-z_]+;year={horizon}")]
    if len(pd_):
        g = pd_.assign(scenario=pd_["group"].str.extract(r"scenario=([a-z_]+)")[0])
        rows = []
        for code, gg in g.groupby("unit_code", sort=True):
            cells = {"unit": unit_label("district", code)}
            for scen in scen_names:
                r = gg[gg["scenario"] == scen]
                cells[scen] = value_text(r.iloc[0], "projected_population") if len(r) else "–"
            rows.append(cells)
        cols = {"unit": t("district", lang)} | scen_names
        display(HTML(f"<h3>{tr('proj_districts', h=horizon)}</h3>"
                     + table_html(pd.DataFrame(rows), cols, text_columns=list(cols))))

# %%
h2(tr("methods"), "methods")
if lang == "vi":
    text = (
        "<p>Tỷ suất tính trên số năm-người sống trong 12 tháng đến hết kỳ báo cáo; sự kiện sinh, chết, chuyển đi, "
        "chuyển đến lấy từ sổ dân cư. Khoảng tin cậy 95%: Poisson chính xác (Garwood) cho tỷ suất sinh, chết; "
        "phương pháp gamma của Fay và Feuer cho tổng tỷ suất sinh; Clopper-Pearson cho tỷ số giới tính khi sinh và "
        "tỷ số phụ thuộc. Đơn vị có dưới "
        f"{fmt_int(assume.get('min_events', 20), lang)} sự kiện ghi 'quá ít số liệu' và dùng ước lượng gộp của cấp trên.</p>"
        "<p>Bảng sống rút gọn (nhóm 0, 1-4, 5-9, …) theo quy ước của Preston và cộng sự (2001); phương sai tuổi "
        "thọ theo Chiang. Bảng sống cần ít nhất "
        f"{fmt_int(assume.get('min_deaths_life_table', 50), lang)} ca tử vong và "
        f"{fmt_int(assume.get('min_population_life_table', 5000), lang)} người.</p>"
        "<p>Dự báo chỉ phản ánh số liệu sổ dân cư: nếu sổ bỏ sót sinh, chết hoặc di chuyển thì dự báo lệch theo. "
        "Đây là các phương án 'nếu … thì', không phải dự đoán chắc chắn. Chi tiết: docs/demography.md.</p>"
    )
else:
    text = (
        "<p>Rates are per person-year lived in the 12 months ending with the period; births, deaths and moves come "
        "from the register. 95% intervals: exact Poisson (Garwood) for birth and death rates; Fay and Feuer's gamma "
        "interval for the total fertility rate; Clopper-Pearson for the sex ratio at birth and the dependency "
        f"ratios. A unit with fewer than {fmt_int(assume.get('min_events', 20), lang)} events is 'too few to "
        "estimate' and shows the pooled estimate of the unit above it.</p>"
        "<p>Abridged life table (0, 1-4, 5-9, …) with the conventions of Preston et al. (2001); Chiang's variance "
        f"of life expectancy. A life table needs at least {fmt_int(assume.get('min_deaths_life_table', 50), lang)} "
        f"deaths and {fmt_int(assume.get('min_population_life_table', 5000), lang)} persons.</p>"
        "<p>The projection reflects the register only: births, deaths or moves the register misses bias it. The "
        "scenarios are 'what if' paths, not forecasts of certainty. Details: docs/demography.md.</p>"
    )
display(HTML(text))
