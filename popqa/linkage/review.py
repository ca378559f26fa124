"""Clerical review: an analyst workbook of uncertain pairs, and reading the decisions back.

The workbook has one row per uncertain pair: both records side by side
(name, birth date and its precision, sex, commune, household, citizen ID),
then for each comparison the level reached and its weight (log2 Bayes
factor: positive for a match, negative against), and an empty ``decision``
column where the reviewer writes ``match`` or ``non-match`` (a drop-down
offers both). It is for analysts with access to personal data; it carries
names and IDs and must not be published.

Every cell is written as a string, and any text starting with ``=``, ``+``,
``-``, ``@``, tab or carriage return gets a leading apostrophe, so a name
such as ``=HYPERLINK(...)`` typed into the register can never run as a
formula in Excel or LibreOffice (CSV/formula injection).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from popqa.errors import InputError

__all__ = ["write_review", "read_reviews", "normalise_reviews", "safe_cell"]

_DANGEROUS = ("=", "+", "-", "@", "\t", "\r")

_FIELDS = (
    ("full_name", "full_name"),
    ("birth_date", "birth_date"),
    ("birth_date_precision", "birth_date_precision"),
    ("sex", "sex"),
    ("commune_code", "commune_code"),
    ("household_id", "household_id"),
    ("citizen_id", "citizen_id"),
)

_MATCH = {"match", "yes", "y", "1", "true", "khớp", "trùng", "cùng người", "dup", "duplicate", "same"}
_NON = {
    "non-match", "nonmatch", "non match", "no match", "no", "n", "0", "false", "không khớp",
    "không trùng", "khác người", "different", "distinct",
}


def safe_cell(value: Any) -> str:
    """Text of a cell that no spreadsheet will run as a formula.

    Examples
    --------
    >>> safe_cell("=1+2"), safe_cell("Lê Văn Tám"), safe_cell(None)
    ("'=1+2", 'Lê Văn Tám', '')
    """
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    s = str(value)
    return "'" + s if s.startswith(_DANGEROUS) else s


def _unsafe(value: Any) -> Any:
    if isinstance(value, str) and len(value) > 1 and value[0] == "'" and value[1:].startswith(_DANGEROUS):
        return value[1:]
    return value


def _columns(pairs: pd.DataFrame, persons: pd.DataFrame) -> list[tuple[str, pd.Series]]:
    p = persons.drop_duplicates("person_id").copy()
    p["person_id"] = p["person_id"].astype("string")
    fields = [(a, b) for a, b in _FIELDS if b in p.columns]
    side = p.set_index("person_id")[[b for _, b in fields]]
    left = side.add_suffix("_l").reindex(pairs["person_id_l"].astype("string")).reset_index(drop=True)
    right = side.add_suffix("_r").reindex(pairs["person_id_r"].astype("string")).reset_index(drop=True)
    base = pairs.reset_index(drop=True)
    prob = base["model_probability"] if "rule" in base.columns and "model_probability" in base.columns else (
        base["match_probability"])
    cols: list[tuple[str, pd.Series]] = [
        ("person_id_l", base["person_id_l"]),
        ("person_id_r", base["person_id_r"]),
        ("match_probability", prob.round(4)),
        ("decision", pd.Series("", index=base.index)),
    ]
    if "rule" in base.columns and base["rule"].notna().any():
        cols.append(("rule", base["rule"]))
    for name, src in fields:
        cols.append((f"{name}_l", left[f"{src}_l"]))
        cols.append((f"{name}_r", right[f"{src}_r"]))
    for c in [c for c in base.columns if c.startswith("ev_")]:
        comp = c[3:]
        cols.append((f"evidence_{comp}", base[c]))
        if f"w_{comp}" in base.columns:
            cols.append((f"weight_{comp}", base[f"w_{comp}"].round(2)))
    return cols


def _sheet(wb: Any, name: str, cols: list[tuple[str, pd.Series]], head: Any) -> None:
    ws = wb.add_worksheet(name)
    for j, (col, _) in enumerate(cols):
        ws.write_string(0, j, col, head)
    for j, (_col, series) in enumerate(cols):
        for i, v in enumerate(series.tolist(), start=1):
            ws.write_string(i, j, safe_cell(v))
    n = len(cols[0][1])
    dcol = [c for c, _ in cols].index("decision")
    if n:
        ws.data_validation(1, dcol, n, dcol, {"validate": "list", "source": ["match", "non-match"]})
    ws.freeze_panes(1, 2)
    ws.set_column(0, len(cols) - 1, 16)


_INSTRUCTIONS = (
    "Ghi 'match' (cùng một người) hoặc 'non-match' (hai người khác nhau) vào cột decision.",
    "Write 'match' (same person) or 'non-match' (different people) in the decision column.",
    "Quyết định được đọc lại ở lần chạy sau và thay cho mô hình. / Decisions override the model on the next run.",
    "Tệp chứa họ tên và số định danh: không chia sẻ. / Contains names and IDs: do not share.",
    "weight_*: log2 hệ số Bayes, dương = giống, âm = khác. / log2 Bayes factor, positive for, negative against.",
    "Trang 'rules': các cặp mô hình cho là trùng nhưng quy tắc giữ riêng (sinh đôi cùng hộ, hai số định danh "
    "khác nhau, năm sinh cách nhau từ 5 năm, hoặc cặp mà việc gộp sẽ qua cặp khác đưa hai số định danh "
    "khác nhau vào một người: cluster_conflict). / Sheet 'rules': pairs the model scored high but a rule "
    "kept apart (twins in one household, two different citizen IDs, birth years 5 or more apart, or a pair "
    "whose merge would, through other pairs, put two different IDs in one person: cluster_conflict); "
    "'match' there overrides the rule.",
)


def write_review(
    pairs: pd.DataFrame, persons: pd.DataFrame, path: str | Path, *, overridden: pd.DataFrame | None = None
) -> Path:
    """Write the clerical-review workbook.

    Parameters
    ----------
    pairs : pairs to review (person_id_l, person_id_r, match_probability, ``ev_*``, ``w_*``),
        e.g. ``DedupeResult.uncertain_pairs()``.
    persons : the register's persons, for the side-by-side fields.
    path : the ``.xlsx`` file to write.
    overridden : pairs a merge rule kept apart although the model scored them high
        (``DedupeResult.overridden_pairs()``: twins-like pairs, distinct citizen IDs); they go
        to their own sheet ``rules``, with the rule and the model's probability. A decision
        written there overrides the rule on the next run.

    Returns
    -------
    The path written.
    """
    import xlsxwriter

    from popqa.store import atomic_write_file

    path = Path(path)

    def fill(tmp: str) -> None:
        wb = xlsxwriter.Workbook(tmp, {"strings_to_formulas": False, "strings_to_urls": False})
        try:
            head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
            _sheet(wb, "review", _columns(pairs, persons), head)
            if overridden is not None and len(overridden):
                _sheet(wb, "rules", _columns(overridden, persons), head)
            info = wb.add_worksheet("instructions")
            for i, line in enumerate(_INSTRUCTIONS):
                info.write_string(i, 0, line)
        finally:
            wb.close()

    # written beside the target and renamed into place: a reviewer's earlier workbook is never left
    # half-overwritten by a failed run (a full disk, an interrupted job)
    atomic_write_file(path, fill)
    return path


def normalise_reviews(reviews: pd.DataFrame) -> pd.DataFrame:
    """person_id_l < person_id_r and decision in {"match", "non-match"}; undecided rows dropped.

    Examples
    --------
    >>> normalise_reviews(pd.DataFrame({"person_id_l": ["B"], "person_id_r": ["A"], "decision": ["Khớp"]}))
      person_id_l person_id_r decision
    0           A           B    match
    """
    need = {"person_id_l", "person_id_r", "decision"}
    if not need <= set(reviews.columns):
        raise InputError(f"reviews need columns {', '.join(sorted(need))}")
    r = reviews[["person_id_l", "person_id_r", "decision"]].copy()
    for c in r.columns:
        r[c] = r[c].map(_unsafe).astype("string").str.strip()
    r = r[r["decision"].notna() & (r["decision"] != "")]
    d = r["decision"].str.lower()
    dec = pd.Series(pd.NA, index=r.index, dtype="string")
    dec[d.isin(_MATCH)] = "match"
    dec[d.isin(_NON)] = "non-match"
    bad = dec.isna()
    if bad.any():
        first = r.index[bad.to_numpy()][0]
        raise InputError(
            f"decision {r.loc[first, 'decision']!r} is neither 'match' nor 'non-match'",
            row=int(first) + 2,
            column="decision",
        )
    lo = r[["person_id_l", "person_id_r"]].min(axis=1)
    hi = r[["person_id_l", "person_id_r"]].max(axis=1)
    out = pd.DataFrame({"person_id_l": lo.astype("string"), "person_id_r": hi.astype("string"), "decision": dec})
    return out.drop_duplicates(["person_id_l", "person_id_r"], keep="last").reset_index(drop=True)


def read_reviews(path: str | Path) -> pd.DataFrame:
    """Read a reviewed workbook back: person_id_l, person_id_r, decision ("match" / "non-match").

    Both sheets are read (``review`` and ``rules``); rows without a decision are left out.
    Pass the result as ``dedupe(..., reviews=...)``.
    """
    path = Path(path)
    if not path.exists():
        raise InputError("file not found", file=str(path))
    try:
        sheets = pd.read_excel(path, sheet_name=None, dtype=str, engine="openpyxl", keep_default_na=False)
    except ValueError as exc:
        raise InputError(f"not a review workbook: {exc}", file=str(path)) from exc
    if "review" not in sheets:
        raise InputError("not a review workbook: no sheet 'review'", file=str(path))
    df = pd.concat([sheets[k][["person_id_l", "person_id_r", "decision"]] if
                    {"person_id_l", "person_id_r", "decision"} <= set(sheets[k].columns) else sheets[k]
                    for k in ("review", "rules") if k in sheets], ignore_index=True)
    try:
        return normalise_reviews(df)
    except InputError as exc:
        raise InputError(exc.reason, file=str(path), row=exc.row, column=exc.column) from exc
