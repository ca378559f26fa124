"""Writing an extract: ``<kind>.csv``, one XLSX per commune, ``summary.json`` and the sharing log.

Layout of an extracts folder ``DIR/``::

    DIR/
      <kind>.csv                all communes; UTF-8 with BOM, formula-safe
      <kind>/<commune>.xlsx     one workbook per commune (``unassigned.xlsx``: no valid commune code)
      summary.json              counts by commune and flag, per kind (no names)
      sharing-log.jsonl         one line per extract made: what, when, parameters, file hashes, rows

Extracts are personal data: :func:`check_extract_dir` refuses a folder inside a
supervisor site, a results store or the register folder. Every file is written
to a temporary sibling and renamed (:func:`popqa.store.atomic_write_bytes`; the CSV,
written as it is made, :func:`popqa.store.atomic_write_file`); the sharing-log line is
written last, once every file of the extract is in place.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from popqa.errors import InputError, OutputError
from popqa.extracts.build import (
    EXTRACT_COLUMNS,
    NAMED_FLAGS,
    ExtractTable,
    build_extract,
    flag_table,
)
from popqa.extracts.kinds import KIND_TEXT
from popqa.io.safe import safe_cell
from popqa.io.xlsx import Sheet, row_xml, rows_blob, text_rows, workbook_bytes
from popqa.store import atomic_write_bytes, atomic_write_file, is_safe_code, read_json, write_json

__all__ = ["extract", "write_extract", "ExtractResult", "check_extract_dir", "COLUMN_LABELS", "FLAG_TEXT",
           "flag_explanation", "SHARING_LOG", "SUMMARY"]

SHARING_LOG = "sharing-log.jsonl"
SUMMARY = "summary.json"

#: column -> (Vietnamese header, English header)
COLUMN_LABELS: dict[str, tuple[str, str]] = {
    "person_id": ("Mã nhân khẩu", "Person id"),
    "duplicate_person_ids": ("Mã bản ghi trùng", "Duplicate record ids"),
    "household_id": ("Mã hộ", "Household id"),
    "full_name": ("Họ và tên", "Full name"),
    "sex": ("Giới tính (1 nam, 2 nữ)", "Sex (1 male, 2 female)"),
    "birth_date": ("Ngày sinh", "Birth date"),
    "birth_date_precision": ("Độ chính xác ngày sinh", "Birth date precision"),
    "age": ("Tuổi", "Age"),
    "citizen_id": ("Số định danh cá nhân", "Citizen id"),
    "province_code": ("Mã tỉnh", "Province code"),
    "province_name": ("Tỉnh", "Province"),
    "district_code": ("Mã huyện", "District code"),
    "district_name": ("Huyện", "District"),
    "commune_code": ("Mã xã", "Commune code"),
    "commune_name": ("Xã", "Commune"),
    "province_code_2025": ("Mã tỉnh (2025)", "Province code (2025)"),
    "province_name_2025": ("Tỉnh (2025)", "Province (2025)"),
    "commune_code_2025": ("Mã xã (2025)", "Commune code (2025)"),
    "commune_name_2025": ("Xã (2025)", "Commune (2025)"),
    "village": ("Thôn / ấp", "Village"),
    "collaborator_id": ("Mã cộng tác viên", "Collaborator id"),
    "flags": ("Cần kiểm tra", "Flags"),
}
_WIDTHS = {"person_id": 14, "duplicate_person_ids": 18, "household_id": 14, "full_name": 26, "sex": 8,
           "birth_date": 12, "birth_date_precision": 10, "age": 6, "citizen_id": 15, "village": 16,
           "collaborator_id": 12, "flags": 30}
#: Threads writing an extract's files (compression, hashing and disk writes run in parallel).
_WORKERS = max(1, min(4, os.cpu_count() or 1))

#: Rows of a list whose workbooks' XML is made at once (whole communes; :func:`write_extract`).
XML_ROWS = 200_000
#: Rows of a list written to its CSV at a time (:func:`_write_csv`).
CSV_ROWS = 100_000
#: Columns of a commune's list (its unit codes and names are on the first sheet).
XLSX_COLUMNS = tuple(c for c in EXTRACT_COLUMNS if not c.startswith(("province_", "district_", "commune_")))

#: Named flags: (Vietnamese, English) explanation.
FLAG_TEXT: dict[str, tuple[str, str]] = {
    "age_uncertain": (
        "Ngày sinh chỉ biết năm hoặc tháng; có thể người này không thuộc danh sách. Xác minh ngày sinh.",
        "The birth date is known to the year or month only; the person may not belong on this list. "
        "Verify the birth date."),
    "probable_duplicate": (
        "Người này có thể được ghi nhiều lần (xem cột mã bản ghi trùng); bản ghi đầy đủ nhất được giữ. "
        "Xác minh và gộp các bản ghi.",
        "This person is probably recorded more than once (see the duplicate record ids); the most complete "
        "record is shown. Verify and merge the records."),
    "possible_duplicate": (
        "Có thể là cùng một người với một bản ghi khác trong sổ (điểm giống nhau chưa đủ chắc chắn để ghép "
        "thành một dòng: dưới ngưỡng gộp, cặp bản ghi đang chờ rà soát thủ công theo quy tắc L002, hoặc dưới "
        "ngưỡng ghép dòng của danh sách này): người này có thể xuất hiện hai lần trong danh sách. "
        "Xác minh trước khi chia sẻ.",
        "Possibly the same person as another record of the register (a similarity not certain enough to list "
        "them as one row: below the merge threshold, the pair awaiting clerical review under rule L002, or below "
        "this list's collapse_at): the person may be listed twice. Verify before the list is shared."),
    "no_citizen_id": (
        "Từ 14 tuổi trở lên nhưng thiếu số định danh cá nhân.",
        "Aged 14 or more without a citizen id number."),
}

_TEXT = {
    "summary_sheet": ("Tổng hợp", "Summary"), "list_sheet": ("Danh sách", "List"),
    "item": ("Mục", "Item"), "value": ("Giá trị", "Value"), "explanation": ("Giải thích", "Explanation"),
    "extract": ("Danh sách", "Extract"), "rule": ("Tiêu chí", "Rule"), "period": ("Kỳ", "Period"),
    "reference_date": ("Ngày tham chiếu", "Reference date"), "school_year": ("Năm học", "School year"),
    "election_date": ("Ngày bầu cử", "Election date"), "commune": ("Xã", "Commune"),
    "district": ("Huyện", "District"), "persons": ("Số người", "Persons"),
    "flag": ("Cờ: ", "Flag: "), "any": ("Có ít nhất một cờ", "At least one flag"),
    "any_text": ("Người cần kiểm tra trước khi chia sẻ.", "Persons to verify before the list is shared."),
    "personal": ("Dữ liệu cá nhân: chỉ chia sẻ với cơ quan được phép.",
                 "Personal data: share only with the authorised agency."),
}


def _t(key: str, lang: str) -> str:
    vi, en = _TEXT[key]
    return vi if lang == "vi" else en


def flag_explanation(flag: str, lang: str = "en") -> str:
    """What a flag means and what to do (named flags here; rule ids from the rule catalogue).

    >>> flag_explanation("no_citizen_id")
    'Aged 14 or more without a citizen id number.'
    >>> flag_explanation("V012", "en")[:5] != ""
    True
    """
    if flag in FLAG_TEXT:
        vi, en = FLAG_TEXT[flag]
        return vi if lang == "vi" else en
    try:
        from popqa.checks import get_rule

        r = get_rule(flag)
    except KeyError:
        return flag
    return f"{r.message(lang)} {r.action(lang)}".strip()


def _is_site(d: Path) -> bool:
    m = d / "manifest.json"
    if not m.is_file():
        return False
    try:
        return read_json(m).get("stage") in ("report", "audit")
    except (OSError, ValueError, AttributeError):
        return False


def check_extract_dir(out: str | Path, *, data_dir: str | Path | None = None,
                      forbidden: tuple[str | Path, ...] = ()) -> Path:
    """``out`` resolved, after refusing a place where personal lists must not go.

    Refused: a folder inside a supervisor site or a committed audit (a ``manifest.json`` of a report or
    an audit in it or a parent), inside a results store (a ``.popqa`` folder in it or a parent), the
    register folder itself, or inside any of ``forbidden``. Raises :class:`popqa.errors.OutputError`.
    """
    p = Path(out).resolve()
    for d in (p, *p.parents):
        if _is_site(d) or (d / ".popqa").is_dir():
            raise OutputError("extracts are personal data and are never written inside a supervisor site or "
                              f"a results store ({d}); choose another --out", path=str(out))
    if data_dir is not None and p == Path(data_dir).resolve():
        raise OutputError("extracts are not written into the register folder (the next audit would read "
                          "them); choose another --out", path=str(out))
    for f in forbidden:
        fp = Path(f).resolve()
        if p == fp or fp in p.parents:
            raise OutputError(f"extracts are personal data and are never written inside {fp}; "
                              "choose another folder", path=str(out))
    return p


@dataclass(frozen=True)
class ExtractResult:
    """What :func:`extract` wrote.

    Attributes
    ----------
    kind : the extract's kind.
    out : the extracts folder.
    table : the :class:`~popqa.extracts.build.ExtractTable` (rows, parameters, exclusions).
    summary : what ``summary.json`` holds for this kind.
    files : ``{"path", "sha256", "rows"}`` of every file written (paths relative to ``out``).
    log_entry : the line appended to the sharing log.
    """

    kind: str
    out: Path
    table: ExtractTable = field(repr=False)
    summary: dict[str, Any] = field(repr=False)
    files: tuple[dict[str, Any], ...] = field(repr=False)
    log_entry: dict[str, Any] = field(repr=False)

    @property
    def rows(self) -> pd.DataFrame:
        return self.table.rows


def safe_arrow(rows: pd.DataFrame) -> pa.Table:
    """``rows`` as an Arrow table, text escaped against formula injection exactly as
    :func:`popqa.io.safe.safe_frame` does (a quote before a leading ``= + - @`` or tab / line break,
    unless the text is a number), with Arrow's regex kernels instead of a Python call per cell.

    >>> safe_arrow(pd.DataFrame({"v": ["=1+1", "-2.8", "Ấp 3", None]})).column("v").to_pylist()
    ["'=1+1", '-2.8', 'Ấp 3', None]
    """
    from popqa.io.safe import formula_cells
    from popqa.io.xlsx import to_arrow

    cols = {}
    for c in rows.columns:
        arr = to_arrow(rows[c])
        if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
            cols[c] = arr
            continue
        arr = arr.cast(pa.large_string())
        risky = formula_cells(arr)
        if len(risky):
            mask = np.zeros(len(arr), dtype=bool)
            mask[risky] = True
            quoted = pc.binary_join_element_wise(pa.scalar("'", pa.large_string()), arr,
                                                 pa.scalar("", pa.large_string()))
            arr = pc.if_else(pa.array(mask), quoted, arr)
        cols[c] = arr
    return pa.table(cols)


def _write_csv(path: Path, table: pa.Table) -> tuple[str, int]:
    """``table`` as CSV (a byte-order mark, the header, the rows quoted where needed) written to ``path``
    atomically as it is made, :data:`CSV_ROWS` rows at a time; its SHA-256 and size.

    The whole file was made in memory, then copied twice (a 2.37 M-row voters' list is 0.6 GB of CSV);
    the bytes are the same (``tests/extracts/test_write.py``).
    """
    import pyarrow.csv as pacsv

    digest, size = hashlib.sha256(), 0

    def fill(tmp: str) -> None:
        nonlocal size
        with open(tmp, "wb") as fh:
            for i, start in enumerate(range(0, max(len(table), 1), CSV_ROWS)):
                buf = pa.BufferOutputStream()
                if i == 0:
                    buf.write(b"\xef\xbb\xbf")
                pacsv.write_csv(table.slice(start, CSV_ROWS), buf,
                                pacsv.WriteOptions(quoting_style="needed", include_header=i == 0))
                part = memoryview(buf.getvalue())
                digest.update(part)
                fh.write(part)
                size += len(part)
            fh.flush()
            os.fsync(fh.fileno())

    atomic_write_file(path, fill)
    return digest.hexdigest(), size


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _summary_sheet(table: ExtractTable, lang: str, commune: str, units: dict[str, Any], persons: int,
                   flags: list[str], counts: dict[str, int]) -> Sheet:
    """The first sheet of a commune's workbook: what the list is, its unit, counts and each flag explained.

    ``units`` holds the unit columns of the commune's first row (text or None). Every value is
    formula-escaped (unit codes and names come from the data).
    """
    prm = table.params
    vi, en, rvi, ren = KIND_TEXT[prm.kind]

    def name(col: str) -> str:
        v = units.get(col)
        return "" if v is None or pd.isna(v) else str(v)

    items: list[tuple[str, Any, str]] = [
        (_t("extract", lang), vi if lang == "vi" else en, rvi if lang == "vi" else ren),
        (_t("period", lang), prm.period, ""),
        (_t("reference_date", lang), prm.reference_date.date().isoformat(), ""),
    ]
    if prm.school_year is not None:
        items.append((_t("school_year", lang), f"{prm.school_year}-{prm.school_year + 1}", ""))
    if prm.election_date is not None:
        items.append((_t("election_date", lang), prm.election_date.date().isoformat(), ""))
    items += [
        (_t("commune", lang), commune, name("commune_name")),
        (_t("district", lang), name("district_code"), name("district_name")),
        (_t("commune", lang) + " (2025)", name("commune_code_2025"), name("commune_name_2025")),
        (_t("persons", lang), int(persons), _t("personal", lang)),
    ]
    items.append((_t("any", lang), int(counts.get("any", 0)), _t("any_text", lang)))
    for f in flags:
        items.append((_t("flag", lang) + f, int(counts.get(f, 0)), flag_explanation(f, lang)))
    body = text_rows([[safe_cell(str(v)) for v in item] for item in items])
    return Sheet(_t("summary_sheet", lang), [_t("item", lang), _t("value", lang), _t("explanation", lang)],
                 body, ncols=3, nrows=len(items), widths=[28, 22, 90], filter=False)


def _file_name(commune: Any) -> str:
    return f"{commune}.xlsx" if is_safe_code(commune, "commune") else "unassigned.xlsx"


@contextlib.contextmanager
def _log_lock(out: Path):
    fh = open(out / ".sharing-log.lock", "a+")  # noqa: SIM115 - held while the log is rewritten
    try:
        try:
            import fcntl

            fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        except ImportError:  # pragma: no cover - not POSIX
            pass
        yield
    finally:
        fh.close()


def _append_log(out: Path, entry: dict[str, Any]) -> None:
    line = (json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")
    path = out / SHARING_LOG
    with _log_lock(out):
        old = path.read_bytes() if path.is_file() else b""
        if old and not old.endswith(b"\n"):
            old += b"\n"
        atomic_write_bytes(path, old + line)


def write_extract(table: ExtractTable, out: str | Path, *, lang: str = "vi",
                  provenance: dict[str, Any] | None = None) -> ExtractResult:
    """Write ``table`` into ``out`` (CSV, XLSX per commune, summary, sharing-log line); see module docs.

    ``out`` must already have passed :func:`check_extract_dir`. ``provenance`` (data folder, input
    hashes, audit id) goes into the sharing-log line.
    """
    from popqa.store import ensure_output_dir

    if lang not in ("vi", "en"):
        raise ValueError(f"lang must be 'vi' or 'en', not {lang!r}")
    out = ensure_output_dir(out, "extracts folder")
    kind = table.params.kind
    rows = table.rows
    arrow = safe_arrow(rows)
    files: list[dict[str, Any]] = []

    # the files are compressed, hashed and written by a few threads (zlib, hashlib, the CSV writer and the
    # disk writes release the GIL); the row XML and the summary sheets are made here
    pool = ThreadPoolExecutor(max_workers=_WORKERS)
    try:
        return _write_files(table, rows, arrow, out, kind, lang, provenance, pool, files)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _write_one(path: Path, make) -> tuple[str, int]:
    data = make()
    atomic_write_bytes(path, data)
    return _sha(data), len(data)


def _write_files(table: ExtractTable, rows: pd.DataFrame, arrow: pa.Table, out: Path, kind: str, lang: str,
                 provenance: dict[str, Any] | None, pool: ThreadPoolExecutor, files: list[dict[str, Any]]
                 ) -> ExtractResult:
    from popqa import __version__

    csv_job = pool.submit(_write_csv, out / f"{kind}.csv", arrow)

    # one workbook per commune: rows in commune order, each commune a slice of its run's row XML (below)
    cc = arrow.column("commune_code").combine_chunks().cast(pa.large_string())
    valid = pc.fill_null(pc.match_substring_regex(cc, r"^[0-9]{5}$"), False)
    key = pc.if_else(valid, cc, pa.scalar("unassigned", pa.large_string()))
    order = pc.sort_indices(key).to_numpy()           # stable: rows keep their order within a commune
    if (order != np.arange(len(order))).any():
        rows = rows.iloc[order].reset_index(drop=True)
        arrow, key = arrow.take(pa.array(order)), key.take(pa.array(order))
    # counts of each flag per workbook
    ft = flag_table(pd.Series(pd.arrays.ArrowStringArray(key)), rows["flags"])
    per_key = {k: dict(zip(g["flag"], g["persons"], strict=True)) for k, g in ft.groupby("key", sort=False)}
    all_flags = sorted(set(ft["flag"]) - {"any"}, key=lambda f: (f in NAMED_FLAGS, f))
    header = [COLUMN_LABELS[c][0 if lang == "vi" else 1] for c in XLSX_COLUMNS]
    widths = [_WIDTHS.get(c, 14) for c in XLSX_COLUMNS]
    folder = out / kind
    written: set[str] = set()
    jobs: list[tuple[str, int, Any]] = []
    n = len(key)
    change = (pc.not_equal(key.slice(1), key.slice(0, n - 1)).to_numpy(zero_copy_only=False).nonzero()[0] + 1
              if n > 1 else np.zeros(0, dtype=np.int64))
    bounds = [0, *change.tolist(), n] if n else [0]
    starts = np.asarray(bounds[:-1], dtype=np.int64)
    kv = key.take(pa.array(starts)).to_pylist()
    unit_cols = {c: rows[c].take(starts).to_numpy(dtype=object, na_value=None) for c in
                 ("commune_name", "district_code", "district_name", "commune_code_2025", "commune_name_2025")}
    cells = arrow.select(list(XLSX_COLUMNS))
    body, b0 = None, 0
    run_before: list[Any] = []   # the workbooks' jobs of the run before the last
    run_now: list[Any] = []
    for j, (i0, i1) in enumerate(zip(bounds[:-1], bounds[1:], strict=True)):
        if body is None or i1 > b0 + len(body):
            # the rows' XML is made for a run of whole communes of at most XML_ROWS rows (or one commune)
            # at a time; the workbooks of the run before the last are done first, so that at most two runs'
            # XML are held (the whole list's at once took 2.7 GB for 2.37 M voters; docs/benchmarks.md)
            b1 = max(int(bounds[int(np.searchsorted(bounds, i0 + XML_ROWS, side="right")) - 1]), i1)
            for job in run_before:
                job.result()
            run_before, run_now = run_now, []
            body, b0 = row_xml(cells.slice(i0, b1 - i0)), i0
        commune = kv[j]
        counts = per_key.get(commune, {})
        summary_sheet = _summary_sheet(table, lang, commune, {c: v[j] for c, v in unit_cols.items()}, i1 - i0,
                                       all_flags, counts)
        fname = _file_name(commune)

        def make(summary_sheet=summary_sheet, body=body, r0=i0 - b0, r1=i1 - b0) -> bytes:
            return workbook_bytes([summary_sheet, Sheet(_t("list_sheet", lang), header, rows_blob(body, r0, r1),
                                                        ncols=len(header), nrows=r1 - r0, widths=widths)])

        jobs.append((f"{kind}/{fname}", i1 - i0, pool.submit(_write_one, folder / fname, make)))
        run_now.append(jobs[-1][2])
        written.add(fname)
    del body, cells, run_before, run_now
    summary = table.summary()                          # while the files are written
    sha, _ = csv_job.result()
    files.append({"path": f"{kind}.csv", "sha256": sha, "rows": len(rows)})
    for rel, nrows, job in jobs:
        sha, _ = job.result()
        files.append({"path": rel, "sha256": sha, "rows": nrows})
    if folder.is_dir():  # workbooks of communes no longer in this kind's extract would mislead
        for f in folder.glob("*.xlsx"):
            if f.name not in written:
                f.unlink(missing_ok=True)

    spath = out / SUMMARY
    try:
        current = read_json(spath) if spath.is_file() else {}
    except (OSError, ValueError):
        current = {}
    kinds = current.get("kinds", {}) if isinstance(current, dict) else {}
    kinds[kind] = summary
    write_json(spath, {"kinds": dict(sorted(kinds.items()))})

    entry = {"time": datetime.now(UTC).isoformat(timespec="seconds"), "kind": kind,
             "period": table.params.period, "reference_date": table.params.reference_date.date().isoformat(),
             "parameters": table.params.as_dict(), "rows": len(rows), "files": files,
             "flags": summary["flags"], "lang": lang, "popqa": __version__, "source": provenance or {}}
    _append_log(out, entry)
    return ExtractResult(kind, out, table, summary, tuple(files), entry)


def _audit_artifacts(results: str | Path, period: str, read_report: list[dict[str, Any]] | None
                     ) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    """Clusters and findings of the committed audit of ``period`` (checked to be of the same input files)."""
    from popqa.store import ResultsStore

    store = ResultsStore(results)
    try:
        manifest = store.manifest(period)
    except FileNotFoundError:
        raise InputError(f"no committed audit of {period} in the results folder (run popqa audit first)",
                         file=str(results)) from None
    audited = {i["file"]: i["sha256"] for i in manifest.get("inputs", [])}
    for r in read_report or []:
        f, h = r.get("file"), r.get("sha256")
        if f and h and audited.get(f) not in (None, h):
            raise InputError(f"the audit of {period} in {results} was made from another version of {f}; "
                             "audit these files first", file=str(f))
    try:
        clusters = store.read_artifact(period, "analyst/clusters.parquet")
        findings = store.read_artifact(period, "analyst/findings.parquet")
    except FileNotFoundError as exc:
        raise InputError("the committed audit has no clusters or findings file",
                         file=str(exc.filename or store.period_dir(period) / "analyst")) from None
    return clusters, findings, {"results": str(Path(results).resolve()), "audit_id": manifest.get("audit_id")}


def _audit_pairs(results: str | Path, period: str) -> pd.DataFrame:
    """The deduplication's scored pairs of the committed audit of ``period`` (for ``collapse_at``)."""
    from popqa.store import ResultsStore

    store = ResultsStore(results)
    try:
        return store.read_artifact(period, "analyst/duplicate_pairs.parquet")
    except FileNotFoundError as exc:
        raise InputError("collapse_at needs the audit's scored pairs; the committed audit has none",
                         file=str(exc.filename or store.period_dir(period) / "analyst")) from None


def extract(
    data: Any,
    *,
    period: str | None = None,
    kind: str,
    out: str | Path,
    as_of: Any = None,
    school_year: int | None = None,
    election_date: Any = None,
    results: str | Path | None = None,
    clusters: pd.DataFrame | None = None,
    findings: pd.DataFrame | None = None,
    config: Any = None,
    lang: str | None = None,
    pairs: pd.DataFrame | None = None,
    collapse_at: float | None = None,
) -> ExtractResult:
    """Make one data-sharing extract and write it into ``out``.

    Parameters
    ----------
    data : the register folder, or a :class:`popqa.io.Register`.
    period : ``YYYY-MM`` of the export (default the register's); its last day is the export date.
    kind : one of :data:`popqa.extracts.KINDS`.
    out : the extracts folder (never inside a site, a results store or the register folder).
    as_of, school_year, election_date : see :func:`popqa.extracts.build.extract_params`.
    results : a results root with the committed audit of ``period``: its duplicate clusters and findings
        are used (the audit must be of the same input files). Without it, and without ``clusters`` /
        ``findings``, the checks and the deduplication are run here.
    clusters, findings : the linkage's clusters and the findings, when the caller has them.
    pairs, collapse_at : see :func:`popqa.extracts.build.build_extract` (``pairs``: the deduplication's
        scored pairs; taken from ``results`` or the deduplication run here when not given).
    config : a :class:`popqa.config.Config`, a YAML path or None (checks, linkage, language).
    lang : language of the workbooks' headers and explanations (default the configuration's).

    Examples
    --------
    >>> import tempfile, pandas as pd
    >>> from popqa.io import Register
    >>> persons = pd.DataFrame({"person_id": ["A"], "household_id": "H", "full_name": "Lê Văn Tám", "sex": 1,
    ...     "birth_date": ["2025-05-01"], "birth_date_precision": "day", "relation_to_head": 3,
    ...     "ethnicity_code": "01", "marital_status": 1, "education_level": 0, "residence_status": 1,
    ...     "status": 1, "province_code": "72", "district_code": "703", "commune_code": "25456",
    ...     "updated_at": "2026-01-01"})
    >>> hh = pd.DataFrame({"household_id": ["H"], "province_code": "72", "district_code": "703",
    ...     "commune_code": "25456", "village": "Ấp 1", "address": "", "collaborator_id": "C1",
    ...     "created_date": "2010-01-01"})
    >>> reg = Register.from_frames({"households": hh, "persons": persons}, period="2026-10")
    >>> r = extract(reg, kind="immunization", out=tempfile.mkdtemp(), clusters=persons[["person_id"]].assign(
    ...     cluster_id="A"), findings=pd.DataFrame(columns=["table", "severity", "record_id", "rule_id"]))
    >>> len(r.rows), sorted(f["path"] for f in r.files)
    (1, ['immunization.csv', 'immunization/25456.xlsx'])
    """
    from popqa.config import Config, load_config

    cfg = config if isinstance(config, Config) else load_config(config)
    provenance: dict[str, Any] = {}
    data_dir = None
    if isinstance(data, str | Path):
        from popqa.io import read_register

        data_dir = Path(data)
        if not data_dir.is_dir():
            raise InputError("register folder not found", file=str(data_dir))
        out_dir = check_extract_dir(out, data_dir=data_dir)
        reg = read_register(data_dir, period=period)
        report = list(getattr(reg, "read_report", None) or [])
        provenance["data"] = str(data_dir.resolve())
        provenance["inputs"] = [{"file": r.get("file"), "sha256": r.get("sha256")} for r in report
                                if r.get("sha256")]
    else:
        reg, report = data, []
        out_dir = check_extract_dir(out)
    period = period or getattr(reg, "period", None)
    if not period:
        raise InputError("give the period of the export (YYYY-MM)")
    if results is not None:
        clusters, findings, prov = _audit_artifacts(results, str(period), report)
        if collapse_at is not None and pairs is None:
            pairs = _audit_pairs(results, str(period))
        provenance.update(prov)
    else:
        if findings is None:
            from popqa.checks import run_checks

            findings = run_checks(reg, cfg)
        if clusters is None:
            from popqa.linkage import dedupe

            dd = dedupe(reg.persons, cfg.linkage, households=reg.get("households"))
            clusters = dd.clusters
            pairs = dd.pairs if pairs is None else pairs
            if len(dd.findings):
                findings = pd.concat([findings, dd.findings], ignore_index=True)
    table = build_extract(reg, kind, period=period, as_of=as_of, school_year=school_year,
                          election_date=election_date, clusters=clusters, findings=findings,
                          pairs=pairs, collapse_at=collapse_at)
    return write_extract(table, out_dir, lang=lang or cfg.language, provenance=provenance)
