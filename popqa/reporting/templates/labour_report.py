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

# Province labour-market report, executed with papermill like the district reports: it only
# reads the audit's indicators.parquet (rows of the labour stage, popqa.labour) and draws them.

# %% tags=["parameters"]
period = "2026-10"
audit_dir = "out/demo/results/2026-10"
lang = "vi"

# %%
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import HTML, display

from popqa.indicators import get
from popqa.reporting.draw import figure_html, fmt_share, setup_matplotlib, t, table_html

setup_matplotlib()
ind = pd.read_parquet(Path(audit_dir) / "indicators.parquet")
lab = ind[ind["indicator_id"].map(lambda i: get(i).stage == "labour")].copy()
prov = lab[lab["level"] == "province"]
SURVEY = ["unemployment_rate", "unemployment_rate_urban", "trained_share", "agriculture_share", "neet_rate",
          "youth_unemployment_urban", "youth_underemployment_rural", "social_insurance_share",
          "voluntary_insurance_share", "it_skills_share"]
TABLE = ["labour_productivity_growth", "career_guidance_share", "job_centre_placement_share"]


def name(iid):
    spec = get(iid)
    return spec.name_vi if lang == "vi" else spec.name_en


def status_text(r):
    if r["status"] != "ok":
        return t("insufficient", lang) if r["status"] == "insufficient" else t("no_data", lang)
    if pd.isna(r["target"]):
        return "–"
    if pd.isna(r["met"]):
        return t("cannot_tell", lang)
    return t("met", lang) if bool(r["met"]) else t("not_met", lang)


def interval(r):
    if pd.isna(r["ci_low"]) or pd.isna(r["ci_high"]):
        return "–"
    return f"{fmt_share(r['ci_low'])} – {fmt_share(r['ci_high'])}"


def target_text(r):
    if pd.isna(r["target"]):
        return "–"
    spec = get(r["indicator_id"])
    sign = "≥" if spec.higher_is_better else "<"
    return f"{sign} {fmt_share(r['target'])} ({int(r['target_year'])})"


def h2(key, anchor):
    display(HTML(f'<h2 id="{anchor}">{t(key, lang)}</h2>'))


prov_code = prov["unit_code"].iloc[0] if len(prov) else "–"
display(HTML(
    "<style>.tbl{border-collapse:collapse;font-size:13px}.tbl td,.tbl th{border:1px solid #ccc;"
    "padding:3px 6px}.tbl td.num,.tbl th.num{text-align:right!important}"
    ".tbl td.txt,.tbl th.txt{text-align:left!important}.muted{color:#666;font-size:12px}</style>"
    f'<h1 id="title">{t("labour_report_title", lang)}: {t("province", lang)} {prov_code}</h1>'
    f"<p>{t('period', lang)}: {period}</p>"
))

# %%
h2("labour_targets", "targets")
top = prov[(prov["group"] == "") & prov["indicator_id"].isin(SURVEY)].set_index("indicator_id")
top = top.reindex([i for i in SURVEY if i in top.index]).reset_index()
if len(top):
    top["name"] = top["indicator_id"].map(name)
    top["value_txt"] = top["value"].map(fmt_share)
    top["ci"] = top.apply(interval, axis=1)
    top["target_txt"] = top.apply(target_text, axis=1)
    top["status_txt"] = top.apply(status_text, axis=1)
    display(HTML(table_html(top, {"name": t("indicator", lang), "value_txt": t("value", lang), "ci": t("interval", lang),
                                  "target_txt": t("target", lang), "status_txt": t("status", lang)},
                            text_columns=["name", "status_txt", "target_txt"])))
else:
    display(HTML(f"<p>{t('no_data', lang)}</p>"))

h2("labour_other", "province-table")
oth = prov[(prov["group"] == "") & prov["indicator_id"].isin(TABLE)].copy()
if len(oth):
    oth["name"] = oth["indicator_id"].map(name)
    oth["value_txt"] = oth["value"].map(fmt_share)
    oth["target_txt"] = oth.apply(target_text, axis=1)
    oth["status_txt"] = oth.apply(status_text, axis=1)
    oth["src"] = np.where(oth["status"] == "ok", oth["source"], "")
    display(HTML(table_html(oth, {"name": t("indicator", lang), "value_txt": t("value", lang),
                                  "target_txt": t("target", lang), "status_txt": t("status", lang),
                                  "src": t("source", lang)}, text_columns=["name", "status_txt", "src", "target_txt"])))

# %%
h2("labour_by", "groups")
DIMS = [("sex", {"sex=1": t("male", lang), "sex=2": t("female", lang)}),
        ("area", {"urban=True": t("urban", lang), "urban=False": t("rural", lang)}),
        ("age_group", None)]
grp = prov[prov["indicator_id"].isin(SURVEY) & (prov["group"] != "") & (prov["status"] == "ok")]
for dim, labels in DIMS:
    prefix = "age_group=" if dim == "age_group" else ("sex=" if dim == "sex" else "urban=")
    g = grp[grp["group"].str.startswith(prefix)].copy()
    if not len(g):
        continue
    g["cat"] = g["group"].map(labels) if labels else g["group"].str.removeprefix(prefix)
    cats = sorted(g["cat"].dropna().unique())
    inds = [i for i in SURVEY if i in set(g["indicator_id"])]
    fig, ax = plt.subplots(figsize=(11, 0.45 * len(inds) * max(1, len(cats)) / 2 + 1.5))
    h = 0.8 / len(cats)
    for k, c in enumerate(cats):
        s = g[g["cat"] == c].set_index("indicator_id").reindex(inds)
        y = np.arange(len(inds)) + k * h
        err = np.vstack([(s["value"] - s["ci_low"]).clip(lower=0), (s["ci_high"] - s["value"]).clip(lower=0)]) * 100
        ax.barh(y, 100 * s["value"], height=h, xerr=err, capsize=2, label=c)
    ax.set_yticks(np.arange(len(inds)) + 0.4 - h / 2)
    ax.set_yticklabels([name(i) for i in inds], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("%")
    ax.set_title(f"{t('labour_by', lang)}: {t(dim, lang)}")
    ax.legend(fontsize=8)
    fig.tight_layout()
    alt = f"{t('chart', lang)}: {t(dim, lang)}; " + "; ".join(
        f"{name(r.indicator_id)} {r.cat}: {fmt_share(r.value)}" for r in g.itertuples())
    display(HTML(figure_html(fig, alt)))

# %%
dist = lab[(lab["level"] == "district") & lab["indicator_id"].isin(SURVEY)]
if len(dist):
    h2("labour_districts", "districts")
    wide = dist.assign(v=np.where(dist["status"] == "ok", dist["value"].map(fmt_share),
                                  dist["status"].map({"insufficient": t("insufficient", lang)}).fillna("–")))
    wide = wide.pivot(index="unit_code", columns="indicator_id", values="v").reset_index()
    cols = {"unit_code": t("district", lang)} | {i: name(i) for i in SURVEY if i in wide.columns}
    display(HTML(table_html(wide, cols, text_columns=list(cols))))

# %%
h2("labour_gap", "insurance")
gap = lab[lab["indicator_id"] == "working_age_absent_from_insurance"]
if len(gap):
    display(HTML(f"<p>{t('labour_gap_note', lang)}</p>"))
    p = gap[gap["level"] == "province"]
    if len(p):
        r = p.iloc[0]
        display(HTML(f"<p><b>{int(r['numerator']):,}</b> / {int(r['denominator']):,} "
                     f"({fmt_share(r['numerator'] / r['denominator'] if r['denominator'] else np.nan)})</p>"))
    c = gap[gap["level"] == "commune"].assign(share=lambda d: d["numerator"] / d["denominator"].where(d["denominator"] > 0))
    c = c.sort_values("numerator", ascending=False).head(15)
    display(HTML(table_html(c, {"unit_code": t("commune", lang), "denominator": t("working_age_persons", lang),
                                "numerator": t("absent", lang), "share": "%"},
                            formats={"share": fmt_share, "numerator": lambda v: f"{int(v):,}",
                                     "denominator": lambda v: f"{int(v):,}"})))
else:
    display(HTML(f"<p>{t('no_data', lang)}</p>"))

# %%
h2("labour_design", "methods")
des = prov[prov["group"] == ""].set_index("indicator_id")


def _v(i, c="value"):
    return des.loc[i, c] if i in des.index else np.nan


items = [(t("sample_persons", lang), _v("lfs_sample_persons")), (t("weighted_population", lang),
         _v("lfs_sample_persons", "denominator")), (t("sample_psus", lang), _v("lfs_sample_psus")),
         (t("sample_strata", lang), _v("lfs_sample_strata")), (t("lonely_strata", lang),
         _v("lfs_sample_strata", "numerator"))]
display(HTML("<ul>" + "".join(f"<li>{k}: {'–' if pd.isna(v) else f'{v:,.0f}'}</li>" for k, v in items) + "</ul>"))
if lang == "vi":
    text = (
        "<p>Mỗi chỉ tiêu là tỷ số của hai tổng có trọng số ước lượng từ mẫu điều tra lao động việc làm (tầng, "
        "địa bàn điều tra, quyền số), theo định nghĩa của Hội nghị quốc tế các nhà thống kê lao động lần thứ 19 "
        "(ICLS-19). Sai số chuẩn tính bằng phương pháp tuyến tính hóa Taylor (như gói survey của R); khoảng tin "
        "cậy 95% theo thang logit. Tầng chỉ có một địa bàn được xử lý như tùy chọn 'adjust' của R.</p>"
        "<p>Đánh giá so với chỉ tiêu dựa trên khoảng tin cậy: 'Đạt' khi cả khoảng nằm về phía đạt, 'Chưa đạt' khi cả "
        "khoảng nằm về phía kia, 'Chưa kết luận được' khi khoảng chứa chỉ tiêu. Ước lượng có quá ít người trong mẫu "
        "được ghi 'không đủ dữ liệu'; chỉ tiêu thiếu cột dữ liệu cần thiết được ghi 'không có dữ liệu', không bao giờ là 0.</p>"
        "<p>Độ tuổi lao động: từ 15 tuổi đến tuổi nghỉ hưu của năm điều tra theo Bộ luật Lao động 2019 và Nghị định "
        "135/2020/NĐ-CP.</p>"
    )
else:
    text = (
        "<p>Each indicator is a ratio of two weighted totals estimated from the labour-force survey sample "
        "(strata, PSUs, weights), with the definitions of the 19th International Conference of Labour "
        "Statisticians (ICLS-19). Standard errors are Taylor-linearised (as R's survey package); 95% intervals "
        "on the logit scale. A stratum with a single PSU is handled as R's 'adjust' option.</p>"
        "<p>Status against a target reads the interval: 'met' when the whole interval is on the target's side, "
        "'not met' when it is wholly on the other side, 'cannot tell' when it contains the target. Estimates "
        "from too few sampled persons are 'too few records'; an indicator whose columns are missing is "
        "'no data', never zero.</p>"
        "<p>Working age: 15 to the statutory retirement age of the survey year (2019 Labour Code, Decree "
        "135/2020/ND-CP).</p>"
    )
display(HTML(text))
