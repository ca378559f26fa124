"""Record-level analyst workbooks (XLSX): findings for the commune staff who correct them.

One workbook per district (and one for the records without a usable district):

* a **summary** sheet: one row per collaborator, the most to correct first (score
  weight: the weighted records in error, as the scorecard counts them), with the
  name of the collaborator's sheet and counts by severity;
* one **sheet per collaborator**: the findings on the records they keep, errors
  first, then warnings, then information; within a severity the rules that weigh
  most in the collaborator's score first; then commune, village, household and
  record. Columns: severity, rule, dimension, problem, what to do, commune code and
  name, village, household, table, record, field, value, person status (present,
  died, moved out), the related collaborator of a probable duplicate, and an empty
  correction column with a drop-down for the person who corrects;
* a **notes** sheet: what each column holds and, for every rule of the workbook,
  what its ``value`` is (the units of derived numbers: days, years, ratios, ...).

Probable duplicates (rules L001 and L002) concern two records that may be kept by two
collaborators: each finding appears on the sheets of both (:func:`route_findings`).
Headers, severities, dimensions and tables are written in the report language.

These files carry names, IDs and offending values, so they live in the results'
``analyst/`` folder, never on the supervisor site. Every text cell is made
formula-safe (:func:`popqa.io.safe.safe_frame`) and the writer never turns
strings into formulas, links or numbers.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from popqa import textkeys
from popqa.io.safe import safe_cell, safe_frame
from popqa.store import atomic_write_bytes

__all__ = ["write_workbook", "route_findings", "workbook_sheets", "safe_cell", "VALUE_NOTES", "LANGS",
           "DUPLICATE_RULES", "ROUTE_COLUMNS"]

LANGS = ("vi", "en")
#: Rules whose finding concerns two person records (the record and the one named in ``value``).
DUPLICATE_RULES = ("L001", "L002")
#: Columns :func:`route_findings` adds to the findings.
ROUTE_COLUMNS = ("route_collaborator", "route_district_code", "related_collaborator", "household_id",
                 "village", "person_status")
_SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
_DEFAULT_WEIGHTS = {"error": 1.0, "warning": 0.5, "info": 0.0}

#: What the ``value`` column holds for rules whose value is not simply the recorded value of
#: the field at fault: (Vietnamese, English). Every other rule: the value as recorded.
VALUE_NOTES: dict[str, tuple[str, str]] = {
    "C007": ("tỷ lệ nhân khẩu thiếu trường bắt buộc của xã, phần trăm (%)",
             "the commune's share of persons with an empty required field, percent (%)"),
    "E001": ("ngày xảy ra > ngày nhập sổ (ngày/tháng/năm)", "event date > recorded date"),
    "E002": ("số ngày từ khi xảy ra đến khi nhập sổ (ngày)", "days from the event to its recording (days)"),
    "E010": ("ngày của biến động sinh / ngày sinh của trẻ trong sổ", "birth event date / the child's recorded birth date"),
    "E013": ("số ngày từ khi xảy ra đến khi nhập sổ (ngày)", "days from the event to its recording (days)"),
    "H001": ("số chủ hộ (người)", "number of heads (persons)"),
    "H002": ("số chủ hộ (người)", "number of heads (persons)"),
    "H003": ("số vợ/chồng của chủ hộ (người)", "number of spouses of the head (persons)"),
    "H004": ("tuổi tròn của chủ hộ tại ngày chốt số liệu (năm)", "the head's age in completed years at the export date (years)"),
    "H005": ("tuổi tròn của chủ hộ tại ngày chốt số liệu (năm)", "the head's age in completed years at the export date (years)"),
    "H006": ("tuổi tròn tại ngày chốt số liệu (năm)", "age in completed years at the export date (years)"),
    "H007": ("con kém chủ hộ bao nhiêu tuổi (năm, một chữ số thập phân; âm: con lớn hơn)",
             "how much younger the child is than the head (years, one decimal; negative: the child is older)"),
    "H012": ("mã tình trạng hôn nhân của chủ hộ", "the head's marital status code"),
    "I003": ("chữ số thứ 4 / giới tính / năm sinh", "digit 4 / sex code / birth year"),
    "I004": ("chữ số 5-6 / năm sinh", "digits 5-6 / birth year"),
    "L001": ("mã nhân khẩu của bản ghi đại diện cho cùng một người", "person_id of the record kept for the same person"),
    "L002": ("mã nhân khẩu của bản ghi kia trong cặp nghi trùng", "person_id of the other record of the pair"),
    "M001": ("mã người mẹ / tuổi của mẹ khi sinh (năm)", "mother's person_id / her age at the birth (years)"),
    "M002": ("mã người mẹ / tuổi của mẹ vào ngày sinh (năm)", "mother's person_id / her age on the event date (years)"),
    "Q001": ("tỷ số giới tính khi sinh (số bé trai trên 100 bé gái)", "sex ratio at birth (boys per 100 girls)"),
    "Q002": ("tỷ số giới tính (số nam trên 100 nữ)", "sex ratio (males per 100 females)"),
    "Q003": ("tháng: số biến động (trung vị các tháng, điểm z hiệu chỉnh)",
             "month: events (median of the months, modified z-score)"),
    "Q004": ("chỉ số Whipple (100: không dồn tuổi; 500: mọi tuổi tận cùng 0 hoặc 5)",
             "Whipple's index (100: no heaping; 500: every age ends in 0 or 5)"),
    "Q005": ("chỉ số Whipple (100: không dồn tuổi; 500: mọi tuổi tận cùng 0 hoặc 5)",
             "Whipple's index (100: no heaping; 500: every age ends in 0 or 5)"),
    "Q006": ("chênh lệch so với dân số cuối kỳ dự kiến / dân số cuối kỳ (người)",
             "difference from the expected end population / end population (persons)"),
    "Q007": ("tỷ suất sinh thô (trên 1.000 dân)", "crude birth rate (per 1,000 population)"),
    "Q008": ("tỷ suất chết thô (trên 1.000 dân)", "crude death rate (per 1,000 population)"),
    "Q009": ("số biến động trong kỳ", "events in the period"),
    "Q010": ("quy mô hộ bình quân (người/hộ)", "mean household size (persons per household)"),
    "V021": ("mã xã / mã huyện ghi trong bản ghi", "commune code / district code on the record"),
    "V023": ("mã xã / mã huyện ghi trong bản ghi", "commune code / district code on the record"),
    "V025": ("mã xã / mã huyện ghi trong bản ghi", "commune code / district code on the record"),
    "V026": ("mã xã của nhân khẩu / mã xã của hộ", "the person's commune code / the household's commune code"),
    "V037": ("độ chính xác ngày sinh / ngày sinh", "birth-date precision / birth date"),
}

_T: dict[str, dict[str, str]] = {
    "summary": {"vi": "Tổng hợp", "en": "Summary"},
    "notes": {"vi": "Ghi chú", "en": "Notes"},
    "no_collaborator": {"vi": "Không có CTV", "en": "No collaborator"},
    # columns of a collaborator's sheet
    "severity": {"vi": "Mức độ", "en": "Severity"},
    "rule_id": {"vi": "Mã quy tắc", "en": "Rule"},
    "dimension": {"vi": "Khía cạnh", "en": "Dimension"},
    "message": {"vi": "Vấn đề", "en": "Problem"},
    "action": {"vi": "Việc cần làm", "en": "What to do"},
    "commune_code": {"vi": "Mã xã", "en": "Commune code"},
    "commune_name": {"vi": "Xã/phường", "en": "Commune"},
    "village": {"vi": "Thôn/ấp", "en": "Village"},
    "household_id": {"vi": "Mã hộ", "en": "Household"},
    "table": {"vi": "Bảng", "en": "Table"},
    "record_id": {"vi": "Mã bản ghi", "en": "Record"},
    "column": {"vi": "Trường", "en": "Field"},
    "value": {"vi": "Giá trị", "en": "Value"},
    "person_status": {"vi": "Tình trạng nhân khẩu", "en": "Person status"},
    "related_collaborator": {"vi": "CTV của bản ghi kia", "en": "Collaborator of the other record"},
    "correction": {"vi": "Kết quả xử lý", "en": "Correction"},
    # columns of the summary
    "collaborator_id": {"vi": "Cộng tác viên", "en": "Collaborator"},
    "sheet": {"vi": "Trang tính", "en": "Sheet"},
    "findings": {"vi": "Số phát hiện", "en": "Findings"},
    "error": {"vi": "lỗi", "en": "error"},
    "warning": {"vi": "cảnh báo", "en": "warning"},
    "info": {"vi": "thông tin", "en": "info"},
    "weight": {"vi": "Trọng số trong điểm", "en": "Weight in the score"},
    "top_rule": {"vi": "Vấn đề nặng nhất", "en": "Heaviest problem"},
    # dimensions, tables, statuses
    "completeness": {"vi": "Đầy đủ", "en": "Completeness"},
    "validity": {"vi": "Hợp lệ", "en": "Validity"},
    "consistency": {"vi": "Nhất quán", "en": "Consistency"},
    "uniqueness": {"vi": "Duy nhất", "en": "Uniqueness"},
    "timeliness": {"vi": "Kịp thời", "en": "Timeliness"},
    "coverage": {"vi": "Bao phủ", "en": "Coverage"},
    "plausibility": {"vi": "Hợp lý", "en": "Plausibility"},
    "households": {"vi": "hộ", "en": "households"},
    "persons": {"vi": "nhân khẩu", "en": "persons"},
    "events": {"vi": "biến động", "en": "events"},
    "units": {"vi": "xã", "en": "communes"},
    "status_1": {"vi": "đang cư trú", "en": "present"},
    "status_2": {"vi": "đã chết", "en": "died"},
    "status_3": {"vi": "đã chuyển đi", "en": "moved out"},
    "fixed": {"vi": "đã sửa", "en": "fixed"},
    "not_an_error": {"vi": "không phải lỗi", "en": "not an error"},
    "pending": {"vi": "chưa xử lý", "en": "pending"},
    # notes
    "column_header": {"vi": "Cột", "en": "Column"},
    "meaning": {"vi": "Nội dung", "en": "Meaning"},
    "value_meaning": {"vi": "Cột Giá trị chứa", "en": "The Value column holds"},
    "as_recorded": {"vi": "giá trị ghi trong trường bị lỗi", "en": "the value recorded in the field at fault"},
}

_COLUMN_NOTES: dict[str, tuple[str, str]] = {
    "severity": ("lỗi: phải sửa; cảnh báo: cần kiểm tra; thông tin: không tính vào điểm",
                 "error: must be corrected; warning: to check; info: not counted in the score"),
    "rule_id": ("mã quy tắc kiểm tra (xem danh mục quy tắc)", "the quality rule's id (see the rule catalogue)"),
    "message": ("mô tả vấn đề", "what is wrong"),
    "action": ("việc người sửa cần làm", "what the person who corrects should do"),
    "household_id": ("hộ của bản ghi (nhân khẩu, biến động)", "the record's household (persons, events)"),
    "value": ("xem bảng dưới: với một số quy tắc là số đã tính (ngày, năm, tỷ số)",
              "see the table below: for some rules a derived number (days, years, ratios)"),
    "person_status": ("tình trạng của nhân khẩu trong sổ", "the person's status in the register"),
    "related_collaborator": ("với bản ghi nghi trùng (L001, L002): CTV giữ bản ghi kia; cùng đối chiếu",
                             "for probable duplicates (L001, L002): the collaborator keeping the other record; "
                             "compare together"),
    "correction": ("người sửa ghi kết quả: đã sửa, không phải lỗi, chưa xử lý",
                   "for the person who corrects: fixed, not an error, pending"),
}

_SHEET_COLUMNS = ("severity", "rule_id", "dimension", "message", "action", "commune_code", "commune_name",
                  "village", "household_id", "table", "record_id", "column", "value", "person_status",
                  "related_collaborator", "correction")
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\\x00-\x1f]")


def _tr(key: str, lang: str) -> str:
    return _T[key][lang]


def _check_lang(lang: str) -> None:
    if lang not in LANGS:
        raise ValueError(f"lang must be 'vi' or 'en', not {lang!r}")


def _record_info(register, findings: pd.DataFrame) -> pd.DataFrame:
    """table, record_id -> household_id, village, collaborator, district, person status (first of a duplicated id),
    for the records ``findings`` name: their own and, for a probable duplicate, the other person.

    Only those records are looked up (a few per cent of a register): built for the whole register, the
    table took 8 s at 1.2 M persons, most of it typing ids that no finding names.
    """
    cols = ["table", "record_id", "household_id", "village", "collaborator_id", "district_code", "status"]
    if register is None:
        return pd.DataFrame({c: pd.Series(dtype="string") for c in cols})
    tab, rid = findings["table"], findings["record_id"]
    dup = findings["rule_id"].isin(DUPLICATE_RULES).fillna(False)
    need_p = set(rid[(tab == "persons").fillna(False)].dropna()) | set(findings.loc[dup, "value"].dropna())
    need_e = set(rid[(tab == "events").fillna(False)].dropna())
    persons = register.columns("persons", ["person_id", "household_id", "district_code", "status"])  # those used
    # filtering keeps the register's order, so the first of a duplicated id is still the one kept
    pp = persons[textkeys.isin(persons["person_id"], pd.Series(sorted(need_p), dtype=object))]
    pp = textkeys.first_rows(pp, "person_id")
    ev = register.events
    if ev is not None and len(ev):
        ev = ev[textkeys.isin(ev["event_id"], pd.Series(sorted(need_e), dtype=object))].drop_duplicates("event_id")
    need_h = set(rid[(tab == "households").fillna(False)].dropna()) | set(pp["household_id"].dropna())
    if ev is not None and len(ev):
        need_h |= set(ev["household_id"].dropna())
    households = register.households
    hh = households[textkeys.isin(households["household_id"], pd.Series(sorted(need_h), dtype=object))
                    ].drop_duplicates("household_id")
    hh_idx = hh.set_index(hh["household_id"].astype("string"))
    parts = [pd.DataFrame({"table": "households", "record_id": hh["household_id"], "household_id": hh["household_id"],
                           "village": hh.get("village"), "collaborator_id": hh.get("collaborator_id"),
                           "district_code": hh.get("district_code"), "status": pd.NA})]
    phh = pp["household_id"].astype("string")
    parts.append(pd.DataFrame({"table": "persons", "record_id": pp["person_id"], "household_id": phh,
                               "village": phh.map(hh_idx.get("village", pd.Series(dtype="string"))),
                               "collaborator_id": phh.map(hh_idx["collaborator_id"]),
                               "district_code": pp.get("district_code"), "status": pp.get("status")}))
    if ev is not None and len(ev):
        ehh = ev["household_id"].astype("string")
        own = ev["collaborator_id"].astype("string") if "collaborator_id" in ev.columns else pd.Series(pd.NA, index=ev.index)
        parts.append(pd.DataFrame({"table": "events", "record_id": ev["event_id"], "household_id": ehh,
                                   "village": ehh.map(hh_idx.get("village", pd.Series(dtype="string"))),
                                   "collaborator_id": own.fillna(ehh.map(hh_idx["collaborator_id"])),
                                   "district_code": ev.get("district_code"), "status": pd.NA}))
    out = pd.concat([p.astype("string") for p in parts], ignore_index=True)
    return out.drop_duplicates(["table", "record_id"])[cols]


def route_findings(findings: pd.DataFrame, register=None) -> pd.DataFrame:
    """One row per finding and collaborator who acts on it, with the record's household, village and status.

    A finding goes to the collaborator of its record (the finding's ``collaborator_id``,
    else the register's: the household's collaborator for a person, the event's own for
    an event). A probable duplicate (:data:`DUPLICATE_RULES`, whose ``value`` is the
    other person's id) also goes to the collaborator of that other record, when it is
    another collaborator; ``related_collaborator`` names the collaborator of the other
    record on both rows.

    Parameters
    ----------
    findings : findings table (contract ``FINDINGS_COLUMNS``).
    register : the :class:`~popqa.io.Register` the findings came from (its households,
        persons and events give households, villages, statuses and the collaborators of
        duplicates); without it only the findings' own columns are used.

    Returns
    -------
    pandas.DataFrame
        The findings' columns plus :data:`ROUTE_COLUMNS` (``route_collaborator``: whose
        sheet; ``route_district_code``: that record's district, to choose the workbook).

    Examples
    --------
    >>> import pandas as pd
    >>> from types import SimpleNamespace
    >>> hh = pd.DataFrame({"household_id": ["h1", "h2"], "province_code": "72", "district_code": ["710", "711"],
    ...     "commune_code": ["25654", "25681"], "village": ["Ấp 1", "Ấp 2"], "collaborator_id": ["A", "B"]})
    >>> pp = pd.DataFrame({"person_id": ["p1", "p2"], "household_id": ["h1", "h2"], "status": [1, 1],
    ...     "province_code": "72", "district_code": ["710", "711"], "commune_code": ["25654", "25681"]})
    >>> reg = SimpleNamespace(households=hh, events=None, columns=lambda name, cols: pp[list(cols)])  # as a Register
    >>> f = pd.DataFrame({"rule_id": ["L001"], "table": ["persons"], "record_id": ["p2"], "value": ["p1"],
    ...     "district_code": ["711"], "collaborator_id": [None], "severity": ["warning"]})
    >>> route_findings(f, reg)[["route_collaborator", "route_district_code", "related_collaborator"]].values.tolist()
    [['B', '711', 'A'], ['A', '710', 'A']]
    """
    f = findings.copy()
    for c in ("rule_id", "table", "record_id", "value", "district_code", "collaborator_id", "commune_code",
              "severity"):
        if c not in f.columns:
            f[c] = pd.Series(pd.NA, index=f.index, dtype="string")
        f[c] = f[c].astype("string")
    info = _record_info(register, f).rename(columns={"collaborator_id": "_coll", "district_code": "_dist",
                                                  "status": "person_status"})
    f = f.drop(columns=[c for c in ROUTE_COLUMNS if c in f.columns])
    f = f.merge(info, on=["table", "record_id"], how="left")
    f["route_collaborator"] = f["collaborator_id"].fillna(f["_coll"])
    f["route_district_code"] = f["district_code"].fillna(f["_dist"])
    f["related_collaborator"] = pd.Series(pd.NA, index=f.index, dtype="string")
    dup = f["rule_id"].isin(DUPLICATE_RULES) & f["value"].notna()
    other = pd.DataFrame()
    if dup.any():
        pinfo = info[info["table"] == "persons"].set_index("record_id")
        d = f[dup]
        o_coll = d["value"].map(pinfo["_coll"]).astype("string")
        o_dist = d["value"].map(pinfo["_dist"]).astype("string")
        f.loc[dup, "related_collaborator"] = o_coll
        other = d.assign(route_collaborator=o_coll, route_district_code=o_dist.fillna(d["route_district_code"]),
                         related_collaborator=o_coll)
        other = other[o_coll.notna() & (o_coll != d["route_collaborator"]).fillna(True)]
    out = pd.concat([f, other], ignore_index=True) if len(other) else f
    out = out.drop(columns=["_coll", "_dist"])
    for c in ROUTE_COLUMNS:
        out[c] = out[c].astype("string")
    return out.reset_index(drop=True)


def _sheet_names(collaborators: list[Any], lang: str) -> list[str]:
    """Excel-valid, unique (case-insensitive) sheet names, at most 31 characters."""
    used = {_tr("summary", lang).lower(), _tr("notes", lang).lower(), "history"}
    names = []
    for c in collaborators:
        base = _tr("no_collaborator", lang) if c is None or pd.isna(c) else _BAD_SHEET_CHARS.sub("_", str(c))
        base = base.strip("'").strip() or "_"
        name, k = base[:31], 1
        while name.lower() in used:
            k += 1
            name = f"{base[:31 - len(str(k)) - 1]}~{k}"
        used.add(name.lower())
        names.append(name)
    return names


def _prepare(routed: pd.DataFrame, lang: str, weights: dict[str, float] | None
             ) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """Summary, the body of every collaborator's sheet (sorted, ``_sheet`` column) and the sheet order."""
    from popqa.checks import catalogue
    from popqa.geo import commune_name

    _check_lang(lang)
    w = {**_DEFAULT_WEIGHTS, **(weights or {})}
    r = routed.copy()
    for c in ("rule_id", "severity", "table", "record_id", "commune_code", "village", "household_id",
              "person_status", "dimension", "column", "value", "related_collaborator"):
        if c not in r.columns:
            r[c] = pd.Series(pd.NA, index=r.index, dtype="string")
    r["_key"] = r["route_collaborator"].astype("string").fillna("\uffff")  # no collaborator: last
    r["_sev"] = r["severity"].map(_SEVERITY_ORDER).fillna(3).astype("int64")
    r["_w"] = r["severity"].map(w).astype("float64").fillna(0.0)
    n_rec = r.groupby(["_key", "rule_id"], dropna=False)["record_id"].transform("nunique")
    r["_rule_weight"] = r["_w"] * n_rec
    r = r.sort_values(["_key", "_sev", "_rule_weight", "rule_id", "commune_code", "village", "household_id",
                       "record_id"], ascending=[True, True, False, True, True, True, True, True],
                      kind="stable", na_position="last")
    # summary: collaborators by weighted records in error (each record once, at its worst)
    rec_w = r.groupby(["_key", "table", "record_id"], dropna=False)["_w"].max().groupby(level=0).sum()
    counts = pd.crosstab(r["_key"], r["severity"]).reindex(columns=list(_SEVERITY_ORDER), fill_value=0)
    firsts = r.drop_duplicates("_key").set_index("_key")
    cc = r.dropna(subset=["commune_code"]).groupby(["_key", "commune_code"]).size().rename("n").reset_index()
    cc = cc.sort_values(["n", "commune_code"], ascending=[False, True], kind="stable").drop_duplicates("_key")
    summ = pd.DataFrame({"weight": rec_w.round(2), "findings": counts.sum(axis=1)}).join(counts)
    summ["top_rule"] = firsts["rule_id"]
    summ["commune_code"] = cc.set_index("_key")["commune_code"]
    summ = summ.rename_axis("_key").reset_index().sort_values(
        ["weight", "findings", "_key"], ascending=[False, False, True], kind="stable")
    colls = [None if k == "\uffff" else k for k in summ["_key"]]
    names = _sheet_names(colls, lang)
    summ["sheet"] = names
    summ["collaborator_id"] = pd.Series(colls, index=summ.index, dtype="string")
    summ["commune_name"] = summ["commune_code"].map(lambda c: commune_name(c) if pd.notna(c) else None)
    summary = summ[["collaborator_id", "sheet", "commune_code", "commune_name", "weight", "findings",
                    "error", "warning", "info", "top_rule"]].reset_index(drop=True)
    summary = summary.rename(columns={c: _tr(c, lang) for c in summary.columns})

    rules = {x.rule_id: x for x in catalogue()}
    msg = "message_vi" if lang == "vi" else "message_en"
    r["message"] = r[msg].astype("string") if msg in r.columns else pd.Series(pd.NA, index=r.index, dtype="string")
    r["message"] = r["message"].fillna(r["rule_id"].map({k: x.message(lang) for k, x in rules.items()}))
    r["action"] = r["rule_id"].map({k: x.action(lang) for k, x in rules.items()})
    codes = r["commune_code"].dropna().unique()
    r["commune_name"] = r["commune_code"].map({c: commune_name(c) for c in codes})
    for c in ("dimension", "table"):
        vals = r[c].dropna().unique()
        r[c] = r[c].map({v: _T[v][lang] if v in _T else v for v in vals})
    r["severity"] = r["severity"].map({s: _tr(s, lang) for s in _SEVERITY_ORDER}).fillna(r["severity"])
    status = pd.to_numeric(r["person_status"], errors="coerce")
    r["person_status"] = status.map({float(k): _tr(f"status_{k}", lang) for k in (1, 2, 3)}).fillna(
        r["person_status"].astype("object"))
    r["correction"] = None
    order = {k: i for i, k in enumerate(summ["_key"])}
    r["_sheet"] = r["_key"].map(dict(zip(summ["_key"], names, strict=True)))
    r = r.iloc[np.argsort(r["_key"].map(order).to_numpy(), kind="stable")]
    body = r[[*_SHEET_COLUMNS, "_sheet"]].rename(columns={c: _tr(c, lang) for c in _SHEET_COLUMNS})
    return summary, body.reset_index(drop=True), names


def workbook_sheets(routed: pd.DataFrame, *, lang: str = "vi", weights: dict[str, float] | None = None,
                    ) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    """The summary and the per-collaborator sheets of routed findings, in the language's headers.

    Parameters
    ----------
    routed : :func:`route_findings` output.
    lang : "vi" or "en".
    weights : severity weights of the score (default error 1, warning 0.5, info 0, as
        :class:`~popqa.scorecard.ScorecardConfig`).

    Returns
    -------
    (summary, {sheet name: sheet}) with sheets in summary order: the collaborator whose
    records weigh most in the score (each record once, at its worst severity) first,
    findings without a collaborator last. Within a sheet: severity (error, warning,
    info), then the rule's weight in the collaborator's score (severity weight x
    records it flags), then rule, commune, village, household and record.
    """
    summary, body, names = _prepare(routed, lang, weights)
    groups = dict(iter(body.groupby("_sheet", sort=False)))
    return summary, {n: groups[n].drop(columns="_sheet").reset_index(drop=True) for n in names}


def _notes(lang: str, rule_ids: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    from popqa.checks import catalogue

    i = LANGS.index(lang)
    cols = pd.DataFrame({_tr("column_header", lang): [_tr(c, lang) for c in _SHEET_COLUMNS if c in _COLUMN_NOTES],
                         _tr("meaning", lang): [_COLUMN_NOTES[c][i] for c in _SHEET_COLUMNS if c in _COLUMN_NOTES]})
    rules = {x.rule_id: x for x in catalogue()}
    ids = sorted(set(rule_ids))
    vals = pd.DataFrame({
        _tr("rule_id", lang): ids,
        _tr("message", lang): [rules[x].message(lang) if x in rules else "" for x in ids],
        _tr("value_meaning", lang): [VALUE_NOTES[x][i] if x in VALUE_NOTES else _tr("as_recorded", lang)
                                      for x in ids],
    })
    return cols, vals


def _rows_of(df: pd.DataFrame) -> tuple[list[str], bytes]:
    """Headers and the formula-safe rows' XML of a small frame (summary, notes)."""
    from popqa.io.xlsx import row_xml, rows_blob

    return [str(c) for c in df.columns], rows_blob(row_xml(safe_frame(df)), 0, len(df))


def write_workbook(
    path: str | Path,
    findings: pd.DataFrame,
    *,
    lang: str = "vi",
    register=None,
    district: str | None = None,
    weights: dict[str, float] | None = None,
) -> Path:
    """Write record-level findings as an XLSX for commune staff: a summary and one sheet per collaborator.

    Parameters
    ----------
    path : the ``.xlsx`` to write (atomically: a temporary sibling renamed).
    findings : findings (contract ``FINDINGS_COLUMNS``), or :func:`route_findings`
        output (with ``route_collaborator``) to route once for several workbooks.
    lang : "vi" or "en": headers, severities, dimensions, tables, messages and actions.
    register : the register the findings came from: households, villages, person
        statuses and the collaborators of both records of a probable duplicate.
    district : keep only the rows routed to this district (the district of the
        record that collaborator keeps); all rows when None.
    weights : severity weights of the score (``ScorecardConfig.severity_weights``).

    Returns
    -------
    pathlib.Path
        ``path``.

    Examples
    --------
    >>> import pandas as pd, tempfile, openpyxl
    >>> f = pd.DataFrame({"rule_id": ["E002", "V001"], "dimension": ["timeliness", "validity"],
    ...     "severity": ["warning", "error"], "table": ["events", "persons"], "record_id": ["e1", "p1"],
    ...     "column": ["recorded_date", "sex"], "value": ["45", "=9"], "commune_code": "25654",
    ...     "district_code": "710", "collaborator_id": "c1", "message_vi": ["Muộn", "Sai mã"],
    ...     "message_en": ["Late", "Bad code"]})
    >>> p = write_workbook(Path(tempfile.mkdtemp()) / "710.xlsx", f, lang="en")
    >>> wb = openpyxl.load_workbook(p)
    >>> wb.sheetnames
    ['Summary', 'c1', 'Notes']
    >>> [c.value for c in wb["c1"]["A"]], wb["c1"]["M2"].value
    (['Severity', 'error', 'warning'], "'=9")
    """
    from popqa.io.xlsx import Sheet, row_xml, rows_blob, text_rows, workbook_bytes

    _check_lang(lang)
    path = Path(path)
    routed = findings if "route_collaborator" in findings.columns else route_findings(findings, register)
    if district is not None:
        routed = routed[(routed["route_district_code"] == str(district)).fillna(False).to_numpy()]
    summary, body, names = _prepare(routed, lang, weights)
    col_notes, value_notes = _notes(lang, routed["rule_id"].dropna().astype(str).tolist())

    # every collaborator's rows are built at once (Arrow and DuckDB), then cut into sheets
    sheet_of = body.pop("_sheet").to_numpy()
    headers = [str(c) for c in body.columns]
    rows = row_xml(safe_frame(body))
    bounds = np.flatnonzero(np.r_[True, sheet_of[1:] != sheet_of[:-1], True]) if len(body) else np.array([0])
    choices = {_SHEET_COLUMNS.index("correction"): [_tr("fixed", lang), _tr("not_an_error", lang),
                                                     _tr("pending", lang)]}
    s_head, s_rows = _rows_of(summary)
    sheets = [Sheet(_tr("summary", lang), s_head, s_rows, ncols=len(s_head), nrows=len(summary))]
    for name, lo, hi in zip(names, bounds[:-1], bounds[1:], strict=True):
        sheets.append(Sheet(name, headers, rows_blob(rows, int(lo), int(hi)), ncols=len(headers),
                            nrows=int(hi - lo), choices=choices))
    c_head, c_rows = _rows_of(col_notes)
    v_head, v_rows = _rows_of(value_notes)
    notes = c_rows + text_rows([[]]) + text_rows([v_head], bold=True) + v_rows
    sheets.append(Sheet(_tr("notes", lang), c_head, notes, ncols=max(len(c_head), len(v_head)),
                        nrows=len(col_notes) + 2 + len(value_notes), freeze=False, filter=False))
    atomic_write_bytes(path, workbook_bytes(sheets))
    return path



