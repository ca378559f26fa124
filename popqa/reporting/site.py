"""The supervisor site: static pages rendered with Jinja from the audit's result files.

``index.html`` (Vietnamese) and ``index.en.html`` (English): the province
scorecard with the share of units failing beside the average, the units
(2025 communes, or legacy districts with ``geography="legacy"``) worst first
with grades, trend and links to their reports, units outside the province and
units with too few records apart, the grade thresholds, the run's date (local
time) and inputs, and the reports that failed. ``communes[.en].html``,
``collaborators[.en].html`` and ``rules[.en].html``: the commune (2025 and
legacy) and collaborator views, and every rule with its parameters and action.
``coverage[.en].html``: how complete the register is (the reconcile stage's
indicator rows, :mod:`popqa.reporting.coverage`): completeness of the register
and of civil registration with intervals and the events missed by both, the
comparison with the population-change survey, the resident and insurance
shares, and what the estimates assume; a unit too small says so, not a number.
Every page has breadcrumbs, links its other language and the previous and
next audited period (``periods/<YYYY-MM>/``, rendered from the store for every
other committed period). Tables sort and filter with one small inline script
(no CDN; the page reads the same without it). Numbers and dates follow the
page's language (Babel).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from jinja2 import Environment, FileSystemLoader, select_autoescape

from popqa.contract import DIMENSIONS
from popqa.reporting.draw import (
    GRADE_BG,
    PRINT_CSS,
    SORT_SCRIPT,
    badge,
    fmt_change,
    fmt_date,
    fmt_datetime,
    fmt_int,
    fmt_number,
    fmt_score,
    fmt_share,
    sparkline_svg,
    t,
)
from popqa.store import ResultsStore, atomic_write_text, period_site_dir

__all__ = ["render_site", "page_name", "PAGES"]

#: The pages of one period, each in both languages.
PAGES = ("index", "communes", "collaborators", "rules", "coverage")

_TEMPLATES = Path(__file__).parent / "templates" / "site"
LANGS = ("vi", "en")


def page_name(page: str, lang: str) -> str:
    """``index`` in Vietnamese is ``index.html``, in English ``index.en.html``.

    >>> page_name("communes", "en")
    'communes.en.html'
    """
    return f"{page}.html" if lang == "vi" else f"{page}.{lang}.html"


def _env() -> Environment:
    env = Environment(loader=FileSystemLoader(str(_TEMPLATES)), autoescape=select_autoescape(["html", "j2"]),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters.update(score=fmt_score, change=fmt_change, share=fmt_share, int=fmt_int, num=fmt_number,
                       date=fmt_date, datetime=fmt_datetime)
    env.globals.update(badge=badge, t=t, page_name=page_name, grade_bg=GRADE_BG, dimensions=DIMENSIONS,
                       spark=lambda vals, lang: sparkline_svg(vals or [], lang=lang), sort_script=SORT_SCRIPT,
                       print_css=PRINT_CSS, cov_label=_cov_label)
    return env


def _cov_label(key: str, lang: str) -> str:
    from popqa.reporting.coverage import ct

    return ct(key, lang)


def _sparks(trend: pd.DataFrame, level: str, dimension: str = "overall") -> dict[str, list[float]]:
    tr = trend[(trend["level"] == level) & (trend["dimension"] == dimension)]
    tr = tr.sort_values(["unit_code", "period"], kind="stable")
    return {str(u): list(v) for u, v in tr.groupby("unit_code", sort=False)["score"].agg(list).items()}


def _unit_rows(sc: pd.DataFrame, level: str, trend: pd.DataFrame, names: dict[str, str]) -> list[dict[str, Any]]:
    """One row per unit of ``level``: its scores and grades by dimension, records, parent, change, sparkline.

    Built from whole columns (a province has thousands of collaborators, in every period).

    >>> sc = pd.DataFrame({"level": ["commune"] * 2, "unit_code": ["1", "1"], "dimension": ["validity", "overall"],
    ...                    "score": [99.5, float("nan")], "grade": ["green", None], "records": [10, 10],
    ...                    "parent_code": ["710", "710"], "change": [None, 0.25]})
    >>> r = _unit_rows(sc, "commune", pd.DataFrame(columns=["level", "dimension", "unit_code", "period", "score"]), {})
    >>> r[0]["scores"]["validity"], r[0]["scores"]["overall"], r[0]["grades"]["overall"], r[0]["change"], r[0]["parent"]
    (99.5, None, None, 0.25, '710')
    """
    part = sc[sc["level"] == level].drop_duplicates(["unit_code", "dimension"])
    if part.empty:
        return []
    sparks = _sparks(trend, level)
    dims = (*DIMENSIONS, "overall")

    def wide(col: str) -> dict[Any, dict[str, Any]]:
        w = part.set_index(["unit_code", "dimension"])[col].unstack().reindex(columns=list(dims))
        w = w.astype(object).where(w.notna(), None)
        return w.to_dict(orient="index")

    scores, grades = wide("score"), wide("grade")
    ov = part[part["dimension"] == "overall"].set_index("unit_code")
    ov_cols = [c for c in ("parent_code", "records", "change") if c in ov.columns]
    ov = ov[ov_cols].astype(object).where(ov[ov_cols].notna(), None).to_dict(orient="index")
    rows = []
    for unit in sorted(scores):
        o = ov.get(unit)
        code = str(unit)
        rows.append({
            "code": code,
            "name": names.get(code, ""),
            "parent": None if o is None or o.get("parent_code") is None else str(o["parent_code"]),
            "records": int(o["records"]) if o is not None and o.get("records") is not None else 0,
            "scores": {d: None if v is None else float(v) for d, v in scores[unit].items()},
            "grades": {d: None if v is None else str(v) for d, v in grades[unit].items()},
            "change": None if o is None or o.get("change") is None else float(o["change"]),
            "spark": sparks.get(code, []),
        })
    return rows


def _collaborator_rows(res: Path, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Collaborators as a supervisor acts on them: graded ones worst first, with their error
    count and main problem rule; those with too few records to grade last."""
    extra: dict[str, dict[str, Any]] = {}
    for f in sorted((res / "districts").glob("*/collaborators.parquet")):
        df = pd.read_parquet(f)
        keep = [c for c in ("collaborator_id", "errors", "warnings", "top_rule", "top_message_vi",
                            "top_message_en", "top_action_vi", "top_action_en", "top_via", "commune_code",
                            "commune_name", "commune_code_2025", "commune_name_2025", "village")
                if c in df.columns]
        for r in df[keep].to_dict(orient="records"):
            extra[str(r["collaborator_id"])] = {k: (None if pd.isna(v) else v) for k, v in r.items()}
    for r in rows:
        e = extra.get(r["code"], {})
        r["errors"] = int(e["errors"]) if e.get("errors") is not None else None
        r["top_rule"] = e.get("top_rule")
        r["top_message"] = {"vi": e.get("top_message_vi"), "en": e.get("top_message_en")}
        r["top_action"] = {"vi": e.get("top_action_vi"), "en": e.get("top_action_en")}
        r["top_via"] = e.get("top_via")
        for k in ("commune_code", "commune_name", "commune_code_2025", "commune_name_2025", "village"):
            r[k] = e.get(k)
        r["graded"] = r["grades"]["overall"] not in (None, "insufficient")

    def key(r: dict[str, Any]) -> tuple[Any, ...]:
        ov = r["scores"]["overall"]
        return (not r["graded"], ov if ov is not None else 101.0, r["code"])

    return sorted(rows, key=key)


def worst_first(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Graded units by overall score, lowest first; ungraded (too few records, no score) last.

    >>> rows = [{"code": "a", "scores": {"overall": 99.0}, "grades": {"overall": "green"}},
    ...         {"code": "b", "scores": {"overall": 50.0}, "grades": {"overall": "insufficient"}},
    ...         {"code": "c", "scores": {"overall": 90.0}, "grades": {"overall": "red"}}]
    >>> [r["code"] for r in worst_first(rows)]
    ['c', 'a', 'b']
    """
    def key(r: dict[str, Any]) -> tuple[Any, ...]:
        ov = r["scores"]["overall"]
        graded = r["grades"]["overall"] not in (None, "insufficient") and ov is not None
        return (not graded, ov if ov is not None else 101.0, r["code"])

    return sorted(rows, key=key)


def _period_links(periods: list[str], period: str, current: str | None, page: str, lang: str,
                  here_is_current: bool) -> dict[str, Any]:
    """Relative links of the previous / next audited period and of every period, from a page of ``period``."""
    def href(p: str) -> str:
        name = page_name(page, lang)
        if p == current:
            return name if here_is_current else f"../../{name}"
        return f"periods/{p}/{name}" if here_is_current else f"../{p}/{name}"

    i = periods.index(period) if period in periods else -1
    prev = periods[i - 1] if i > 0 else None
    nxt = periods[i + 1] if 0 <= i < len(periods) - 1 else None
    return {"prev": prev, "prev_href": href(prev) if prev else None, "next": nxt,
            "next_href": href(nxt) if nxt else None,
            "all": [{"period": p, "href": href(p), "here": p == period} for p in periods]}


def _thresholds(config) -> list[dict[str, Any]]:
    from popqa.scorecard.config import ScorecardConfig

    cfg = config or ScorecardConfig()
    out = []
    for level in ("province", "district", "commune", "commune_2025", "collaborator"):
        b = cfg.bands(level)
        d = cfg.dimension_band(level, "validity")
        out.append({"level": level, "green": b.green, "yellow": b.yellow, "dim_green": d.green,
                    "dim_yellow": d.yellow, "min_records": b.min_records})
    return out


def _rules() -> list[dict[str, Any]]:
    try:
        from popqa.checks import catalogue
    except ImportError:  # pragma: no cover
        return []
    return [{"id": r.rule_id, "dimension": r.dimension, "severity": r.severity, "table": r.table,
             "message": {"vi": r.message_vi, "en": r.message_en},
             "action": {"vi": r.action("vi"), "en": r.action("en")}, "parameters": list(r.parameters)}
            for r in catalogue()]


def _coverage_context(ind: pd.DataFrame, province_code: str, units: list[tuple[str, str]], level: str,
                      lang: str) -> dict[str, Any]:
    """What the coverage page shows: the province first, then its units (districts or 2025 communes)."""
    from popqa.reporting import coverage as cov

    prov = [(province_code, cov.ct("province_row", lang))]
    comp = cov.completeness_rows(ind, "province", lang, prov) + cov.completeness_rows(ind, level, lang, units)
    survey = cov.survey_rows(ind, "province", lang, prov, by_sex=True) + cov.survey_rows(ind, level, lang, units)
    return {"completeness": comp, "survey": survey, "shares": cov.share_rows(ind, "province", province_code, lang),
            "notes": cov.assumptions(lang), "ct": lambda key: cov.ct(key, lang),
            "completeness_cols": ["births_register", "births_civil", "births_missed", "deaths_register",
                                  "deaths_civil", "deaths_missed"]}


def render_site(results_period_dir: Path, site: Path, report_manifest: dict[str, Any], *,
                geography: str = "legacy", store_root: str | Path | None = None,
                scorecard_config: Any = None) -> Path:
    """Render the site pages into ``site`` (atomically each) and return ``index.html``.

    ``geography`` "2025" organises the index by the province's 2025 communes
    (reports ``communes/<code>.<lang>.html``), "legacy" by districts. With
    ``store_root``, the pages of every other committed period are rendered into
    ``periods/<YYYY-MM>/`` and every page links the previous and next period.
    """
    res = Path(results_period_dir).resolve()
    site = Path(site)
    period = json.loads((res / "province.json").read_text(encoding="utf-8"))["period"]
    periods = ResultsStore(store_root).periods() if store_root is not None else [period]
    if period not in periods:
        periods = sorted({*periods, period})
    nav = {"periods": periods, "current": period}
    _render_period(res, site, report_manifest, geography=geography, scorecard_config=scorecard_config, nav=nav,
                   here_is_current=True)
    if store_root is not None:
        store = ResultsStore(store_root)
        for p in periods:
            if p == period:
                continue
            _render_period(store.period_dir(p).resolve(), period_site_dir(site, p), {}, geography=geography,
                           scorecard_config=scorecard_config, nav=nav, here_is_current=False)
    return site / "index.html"


def _render_period(res: Path, site: Path, report_manifest: dict[str, Any], *, geography: str, scorecard_config: Any,
                   nav: dict[str, Any], here_is_current: bool) -> None:
    from popqa.geo import commune_name, district_name, province_name
    from popqa.reporting.runner import report_audit_id

    site.mkdir(parents=True, exist_ok=True)
    sc = pd.read_parquet(res / "scorecard.parquet")
    trend = pd.read_parquet(res / "trend.parquet")
    roll_p = pd.read_parquet(res / "rollup_province.parquet")
    province = json.loads((res / "province.json").read_text(encoding="utf-8"))
    audit_manifest = json.loads((res / "manifest.json").read_text(encoding="utf-8"))
    period = province["period"]

    dnames = {d: district_name(d) or d for d in sc.loc[sc["level"] == "district", "unit_code"].unique()}
    cnames = {c: commune_name(c) or "" for c in sc.loc[sc["level"] == "commune", "unit_code"].unique()}
    c25names = {c: commune_name(c, kind="2025") or "" for c in sc.loc[sc["level"] == "commune_2025", "unit_code"].unique()}
    district_rows = worst_first(_unit_rows(sc, "district", trend, dnames))
    commune_rows = worst_first(_unit_rows(sc, "commune", trend, cnames))
    commune25_all = worst_first(_unit_rows(sc, "commune_2025", trend, c25names))
    collab_rows = _collaborator_rows(res, _unit_rows(sc, "collaborator", trend, {}))
    prov_rows = _unit_rows(sc, "province", trend, {})
    prov = prov_rows[0] if prov_rows else None

    # 2025 communes: the province's own, those outside it (records with codes of another province), and
    # legacy communes it holds as context
    from popqa.geo import crosswalk_2025_province

    cw = crosswalk_2025_province(province["province_code"])
    inside = set(cw["commune_code_2025"])
    legacy_of = cw.groupby("commune_code_2025")["district_code"].agg(lambda s: sorted(set(s))).to_dict()
    prov25_of = dict(zip(cw["commune_code_2025"], cw["province_code_2025"], strict=False))
    for r in commune25_all:
        r["legacy_districts"] = [dnames.get(d) or district_name(d) or d for d in legacy_of.get(r["code"], [])]
        r["province_2025"] = prov25_of.get(r["code"])
    communes_2025 = [r for r in commune25_all if r["code"] in inside]
    outside_2025 = [r for r in commune25_all if r["code"] not in inside]
    outside_legacy = [r for r in commune_rows if r["parent"] not in dnames or r["name"] == ""]
    provinces_2025 = [{"code": p, "name": province_name(p, kind="2025") or p}
                      for p in sorted({r["province_2025"] for r in communes_2025 if r["province_2025"]})]

    reports: dict[str, dict[str, Any]] = {}
    for r in report_manifest.get("districts", []):
        reports.setdefault(r["district"], {})[r["lang"]] = r
    audit_id = audit_manifest.get("audit_id")
    folder = "communes" if geography == "2025" else "districts"
    if here_is_current:
        # reports of other languages rendered by earlier runs count only if they came from this audit
        for f in sorted((site / folder).glob("*.html")):
            code, lang_ = f.stem.rsplit(".", 1) if "." in f.stem else (f.stem, "vi")
            reports.setdefault(code, {}).setdefault(lang_, {"district": code, "lang": lang_, "status": "ok",
                                                            "output": f"{folder}/{f.name}"})
        for by in reports.values():
            for r in by.values():
                if r.get("status") == "ok" and report_audit_id(site / r["output"]) != audit_id:
                    r["status"], r["error"] = "outdated", "rendered from an earlier audit; run popqa report --resume"
        for f in sorted((site / "province").glob("*.html")):  # province reports of earlier runs
            name, lang_ = f.stem.rsplit(".", 1) if "." in f.stem else (f.stem, "vi")
            r = reports.setdefault(f"province:{name}", {}).setdefault(
                lang_, {"district": f"province:{name}", "lang": lang_, "status": "ok", "output": f"province/{f.name}"})
            if r.get("status") == "ok" and report_audit_id(f) != audit_id:
                r["status"] = "outdated"
    unit_names = {**dnames, **c25names}
    failed = [{"code": d, "name": unit_names.get(d, d), "lang": r["lang"], "error": r.get("error") or ""}
              for d, by in sorted(reports.items()) for r in by.values() if r.get("status") != "ok"]

    def report_link(code: str, lang: str) -> str | None:
        r = reports.get(code, {}).get(lang)  # only the page's own language: the other is linked from it
        if r and r.get("status") == "ok" and (site / r["output"]).exists():
            return r["output"]
        return None

    from popqa.reporting.runner import PROVINCE_REPORTS

    def province_links(lang: str) -> list[dict[str, Any]]:
        out = []
        for key in sorted(reports):
            if not key.startswith("province:") or key.split(":", 1)[1] not in PROVINCE_REPORTS:
                continue
            spec = PROVINCE_REPORTS[key.split(":", 1)[1]]
            out.append({"title": spec[f"title_{lang}"], "link": report_link(key, lang)})
        return out

    units = communes_2025 if geography == "2025" else district_rows
    graded = [u for u in units if u["grades"]["overall"] not in (None, "insufficient")]
    failing = [u for u in graded if u["grades"]["overall"] != "green"]
    red_collabs = sum(1 for r in collab_rows if r["grades"]["overall"] == "red")
    env = _env()
    common = {
        "geography": geography,
        "province_code": province["province_code"],
        "province_name": province_name(province["province_code"]) or province["province_code"],
        "provinces_2025": provinces_2025,
        "period": period,
        "run_date": datetime.now(UTC).isoformat(timespec="seconds"),
        "audit_date": audit_manifest.get("created"),
        "audit_id": audit_manifest.get("audit_id"),
        "inputs": audit_manifest.get("inputs", []),
        "read_report": [{**{k: r.get(k) for k in ("file", "encoding", "format", "rows_found", "rows_read",
                                                  "rows_set_aside", "values_not_parsed")},
                         "date_orders": {c: d.get("order") for c, d in (r.get("date_orders") or {}).items()
                                         if d.get("order") not in ("none", None)}}
                        for r in audit_manifest.get("read_report", [])],
        "tables": audit_manifest.get("tables", {}),
        "versions": audit_manifest.get("versions", {}),
        "province": province,
        "prov": prov,
        "failed": failed if here_is_current else [],
        "here_is_current": here_is_current,
        "thresholds": _thresholds(scorecard_config),
        "headline": {"failing": len(failing), "graded": len(graded), "red_collaborators": red_collabs,
                     "collaborators": len(collab_rows)},
        "dnames": dnames,
    }
    roll = roll_p[roll_p["dimension"].isin([*DIMENSIONS, "overall"])].to_dict(orient="records")
    rules = _rules()
    ind_file = res / "indicators.parquet"
    indicators = pd.read_parquet(ind_file) if ind_file.exists() else pd.DataFrame()
    cov_units = ([(r["code"], r["name"] or r["code"]) for r in sorted(communes_2025, key=lambda r: r["code"])]
                 if geography == "2025" else [(d, dnames[d]) for d in sorted(dnames)])
    for lang in LANGS:
        other = "en" if lang == "vi" else "vi"

        def ctx_for(page: str, lang: str = lang, other: str = other) -> dict[str, Any]:
            return {**common, "lang": lang, "other_lang": other, "page": page,
                    "nav_periods": _period_links(nav["periods"], period, nav["current"], page, lang,
                                                 here_is_current)}

        link = (lambda code, lang=lang: report_link(code, lang)) if here_is_current else (lambda code: None)
        ctx = {**ctx_for("index"),
               "units": [dict(r, link=link(r["code"])) for r in units],
               "outside": outside_2025 if geography == "2025" else outside_legacy,
               "rollup": roll, "targets": province.get("targets", []),
               "province_reports": province_links(lang) if here_is_current else []}
        atomic_write_text(site / page_name("index", lang), env.get_template("index.html.j2").render(ctx))
        ctx_c = {**ctx_for("communes"), "communes": commune_rows, "communes_2025": communes_2025,
                 "outside": outside_2025,
                 "links": {r["code"]: link(r["code"]) for r in communes_2025} if geography == "2025" else {}}
        atomic_write_text(site / page_name("communes", lang),
                          env.get_template("communes.html.j2").render(ctx_c))
        ctx_k = {**ctx_for("collaborators"), "collaborators": collab_rows,
                 "links": {r["code"]: link(r["code"]) for r in communes_2025} if geography == "2025" else
                 {r["code"]: link(r["code"]) for r in district_rows}}
        atomic_write_text(site / page_name("collaborators", lang),
                          env.get_template("collaborators.html.j2").render(ctx_k))
        ctx_r = {**ctx_for("rules"), "rules": rules}
        atomic_write_text(site / page_name("rules", lang), env.get_template("rules.html.j2").render(ctx_r))
        atomic_write_text(site / page_name("coverage", lang), env.get_template("coverage.html.j2").render(
            {**ctx_for("coverage"), **_coverage_context(indicators, province["province_code"], cov_units,
                                                         "commune_2025" if geography == "2025" else "district",
                                                         lang)}))
