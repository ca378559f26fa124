"""The supervisor site: static pages rendered with Jinja from the audit's result files.

``index.html`` (Vietnamese) and ``index.en.html`` (English): the province
scorecard, districts by dimension with grades and trend, links to each district
report, the run's date and inputs, and the districts whose report failed.
``communes[.en].html`` and ``collaborators[.en].html``: the commune (legacy and
2025) and collaborator views. No server, no CDN, no script.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from jinja2 import Environment, FileSystemLoader, select_autoescape

from popqa.contract import DIMENSIONS
from popqa.reporting.draw import GRADE_BG, badge, fmt_change, fmt_score, fmt_share, sparkline_svg, t
from popqa.store import atomic_write_text

__all__ = ["render_site", "page_name"]

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
    env.filters.update(score=fmt_score, change=fmt_change, share=fmt_share)
    env.globals.update(badge=badge, t=t, page_name=page_name, grade_bg=GRADE_BG, dimensions=DIMENSIONS,
                       spark=lambda vals, lang: sparkline_svg(vals or [], lang=lang))
    return env


def _sparks(trend: pd.DataFrame, level: str, dimension: str = "overall") -> dict[str, list[float]]:
    tr = trend[(trend["level"] == level) & (trend["dimension"] == dimension)]
    return {str(u): g.sort_values("period")["score"].tolist() for u, g in tr.groupby("unit_code")}


def _unit_rows(sc: pd.DataFrame, level: str, trend: pd.DataFrame, names: dict[str, str]) -> list[dict[str, Any]]:
    part = sc[sc["level"] == level]
    sparks = _sparks(trend, level)
    rows = []
    for unit, g in part.groupby("unit_code", sort=True):
        by = g.set_index("dimension")
        ov = by.loc["overall"] if "overall" in by.index else None
        rows.append({
            "code": str(unit),
            "name": names.get(str(unit), ""),
            "parent": None if ov is None or pd.isna(ov["parent_code"]) else str(ov["parent_code"]),
            "records": int(ov["records"]) if ov is not None else 0,
            "scores": {d: (None if d not in by.index or pd.isna(by.loc[d, "score"]) else float(by.loc[d, "score"]))
                       for d in (*DIMENSIONS, "overall")},
            "grades": {d: (None if d not in by.index or pd.isna(by.loc[d, "grade"]) else str(by.loc[d, "grade"]))
                       for d in (*DIMENSIONS, "overall")},
            "change": None if ov is None or "change" not in by.columns or pd.isna(ov["change"]) else float(ov["change"]),
            "spark": sparks.get(str(unit), []),
        })
    return rows


def _collaborator_rows(res: Path, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Collaborators as a supervisor acts on them: graded ones worst first, with their error
    count and main problem rule; those with too few records to grade last."""
    extra: dict[str, dict[str, Any]] = {}
    for f in sorted((res / "districts").glob("*/collaborators.parquet")):
        df = pd.read_parquet(f)
        keep = [c for c in ("collaborator_id", "errors", "warnings", "top_rule", "top_message_vi",
                            "top_message_en") if c in df.columns]
        for r in df[keep].to_dict(orient="records"):
            extra[str(r["collaborator_id"])] = {k: (None if pd.isna(v) else v) for k, v in r.items()}
    for r in rows:
        e = extra.get(r["code"], {})
        r["errors"] = int(e["errors"]) if e.get("errors") is not None else None
        r["top_rule"] = e.get("top_rule")
        r["top_message"] = {"vi": e.get("top_message_vi"), "en": e.get("top_message_en")}
        r["graded"] = r["grades"]["overall"] not in (None, "insufficient")

    def key(r: dict[str, Any]) -> tuple[Any, ...]:
        ov = r["scores"]["overall"]
        return (not r["graded"], ov if ov is not None else 101.0, r["code"])

    return sorted(rows, key=key)


def render_site(results_period_dir: Path, site: Path, report_manifest: dict[str, Any]) -> Path:
    """Render the site pages into ``site`` (atomically each) and return ``index.html``."""
    from popqa.geo import commune_name, district_name, province_name
    from popqa.reporting.runner import report_audit_id

    res = Path(results_period_dir).resolve()
    site = Path(site)
    sc = pd.read_parquet(res / "scorecard.parquet")
    trend = pd.read_parquet(res / "trend.parquet")
    roll_p = pd.read_parquet(res / "rollup_province.parquet")
    province = json.loads((res / "province.json").read_text(encoding="utf-8"))
    audit_manifest = json.loads((res / "manifest.json").read_text(encoding="utf-8"))

    dnames = {d: district_name(d) or d for d in sc.loc[sc["level"] == "district", "unit_code"].unique()}
    cnames = {c: commune_name(c) or "" for c in sc.loc[sc["level"] == "commune", "unit_code"].unique()}
    c25names = {c: commune_name(c, kind="2025") or "" for c in sc.loc[sc["level"] == "commune_2025", "unit_code"].unique()}
    district_rows = _unit_rows(sc, "district", trend, dnames)
    commune_rows = _unit_rows(sc, "commune", trend, cnames)
    commune25_rows = _unit_rows(sc, "commune_2025", trend, c25names)
    collab_rows = _collaborator_rows(res, _unit_rows(sc, "collaborator", trend, {}))
    prov_rows = _unit_rows(sc, "province", trend, {})
    prov = prov_rows[0] if prov_rows else None

    reports: dict[str, dict[str, Any]] = {}
    for r in report_manifest.get("districts", []):
        reports.setdefault(r["district"], {})[r["lang"]] = r
    # reports of other languages rendered by earlier runs count only if they came from this audit
    audit_id = audit_manifest.get("audit_id")
    for f in sorted((site / "districts").glob("*.html")):
        code, lang_ = f.stem.rsplit(".", 1) if "." in f.stem else (f.stem, "vi")
        reports.setdefault(code, {}).setdefault(lang_, {"district": code, "lang": lang_, "status": "ok",
                                                        "output": f"districts/{f.name}"})
    for by in reports.values():
        for r in by.values():
            if r.get("status") == "ok" and report_audit_id(site / r["output"]) != audit_id:
                r["status"], r["error"] = "outdated", "rendered from an earlier audit; run popqa report --resume"
    failed = [{"code": d, "name": dnames.get(d, d), "lang": r["lang"], "error": r.get("error") or ""}
              for d, by in sorted(reports.items()) for r in by.values() if r.get("status") != "ok"]
    for f in sorted((site / "province").glob("*.html")):  # province reports of earlier runs
        name, lang_ = f.stem.rsplit(".", 1) if "." in f.stem else (f.stem, "vi")
        r = reports.setdefault(f"province:{name}", {}).setdefault(
            lang_, {"district": f"province:{name}", "lang": lang_, "status": "ok", "output": f"province/{f.name}"})
        if r.get("status") == "ok" and report_audit_id(f) != audit_id:
            r["status"] = "outdated"

    def report_link(code: str, lang: str) -> str | None:
        by = reports.get(code, {})
        for lg in (lang, *[x for x in LANGS if x != lang]):
            r = by.get(lg)
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

    env = _env()
    common = {
        "province_code": province["province_code"],
        "province_name": province_name(province["province_code"]) or province["province_code"],
        "period": province["period"],
        "run_date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
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
        "failed": failed,
    }
    roll = roll_p[roll_p["dimension"].isin([*DIMENSIONS, "overall"])].to_dict(orient="records")
    for lang in LANGS:
        ctx = {**common, "lang": lang, "other_lang": "en" if lang == "vi" else "vi",
               "districts": [dict(r, link=report_link(r["code"], lang)) for r in district_rows],
               "rollup": roll, "targets": province.get("targets", []), "province_reports": province_links(lang)}
        atomic_write_text(site / page_name("index", lang), env.get_template("index.html.j2").render(ctx, page="index"))
        ctx_c = {**common, "lang": lang, "other_lang": ctx["other_lang"], "dnames": dnames,
                 "communes": commune_rows, "communes_2025": commune25_rows}
        atomic_write_text(site / page_name("communes", lang),
                          env.get_template("communes.html.j2").render(ctx_c, page="communes"))
        ctx_k = {**common, "lang": lang, "other_lang": ctx["other_lang"], "dnames": dnames,
                 "collaborators": collab_rows}
        atomic_write_text(site / page_name("collaborators", lang),
                          env.get_template("collaborators.html.j2").render(ctx_k, page="collaborators"))
    return site / "index.html"
