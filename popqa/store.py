"""The results store: the only module that knows where results and site files live.

Layout of a results root ``RESULTS/``::

    RESULTS/
      2026-10 -> .popqa/audits/2026-10/<audit_id>-<stamp>   the committed audit of a period
      2026-09 -> .popqa/audits/2026-09/...
      .popqa/
        lock                       held by the audit writing to this root
        staging/<period>-<id>-<pid>/  an audit being written (never read by reports)
        audits/<period>/...        committed audits (the current one and the one before it)

and inside one period's audit::

    manifest.json         audit id, inputs (sha256 as read), read report, parameters,
                          versions, stages (time, rows, status); written last
    scorecard.parquet, trend.parquet, rollup_*.parquet, targets.parquet,
    indicators.parquet    the contract's indicator rows of every stage
    province.json
    districts/<code>/     the small per-district files the report notebooks draw
    analyst/              record-level findings, pairs, workbooks (never on the site)

**Atomic commit.** An audit writes into a staging folder; :meth:`Staging.commit`
writes the manifest last and then replaces the period's link in one
``rename``: a reader sees the previous complete audit or the new complete one,
never a mix. An interrupted audit leaves only its staging folder, which the
next audit of the same root removes (it holds the root's lock, so no other
audit can be using it).

**Unit codes become paths only here**, and only when they have the expected
shape (:func:`safe_code`): digits of the level's length. Anything else in the
data is a finding on the record, never a path component.

Site layout (``SITE/``): ``index.html`` / ``index.en.html`` and the other pages,
``districts/<code>.<lang>.html`` (:func:`report_path`), ``manifest.json``.

Examples
--------
>>> import tempfile
>>> root = Path(tempfile.mkdtemp())
>>> store = ResultsStore(root)
>>> with store.begin("2026-10", audit_id="a1b2c3d4e5f60718") as st:
...     _ = st.write_json("province.json", {"persons": 3})
...     _ = st.commit({"status": "ok"})
>>> store.periods(), store.manifest("2026-10")["audit_id"]
(['2026-10'], 'a1b2c3d4e5f60718')
"""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import os
import re
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from popqa.errors import OutputError, PopqaError
from popqa.period import Period, is_period

__all__ = [
    "ResultsStore",
    "Staging",
    "UnitCodeError",
    "safe_code",
    "is_safe_code",
    "CODE_LENGTHS",
    "atomic_write_bytes",
    "atomic_write_file",
    "atomic_write_text",
    "write_json",
    "write_parquet",
    "read_json",
    "report_path",
    "unit_results_rel",
    "unit_report_path",
    "period_site_dir",
    "GEOGRAPHIES",
    "province_report_path",
    "site_manifest_path",
    "clean_temporary_files",
    "ensure_output_dir",
]

log = logging.getLogger(__name__)

#: Digits of a code at each unit level (legacy GSO codes; 2025 communes keep 5 digits).
CODE_LENGTHS = {"province": 2, "district": 3, "commune": 5, "commune_2025": 5, "province_2025": 2}
_MODE = 0o644  # mkstemp makes 0600 files; results are meant to be read by others
_INTERNAL = ".popqa"
#: The staging folder's subfolder for the stages' scratch files, removed before an audit is committed.
SCRATCH = ".scratch"


class UnitCodeError(PopqaError, ValueError):
    """A unit code that does not have the shape of its level; it may never name a file."""


def is_safe_code(code: Any, level: str) -> bool:
    """Whether ``code`` has the shape of a ``level`` code (digits, the level's length).

    >>> is_safe_code("710", "district"), is_safe_code("../../x", "district"), is_safe_code("710.0", "district")
    (True, False, False)
    """
    n = CODE_LENGTHS[level]
    return isinstance(code, str) and len(code) == n and code.isascii() and code.isdigit()


def safe_code(code: Any, level: str) -> str:
    """``code`` unchanged when it may name a file, else :class:`UnitCodeError`."""
    if not is_safe_code(code, level):
        shown = repr(code) if len(str(code)) <= 40 else repr(str(code)[:40]) + "…"
        raise UnitCodeError(f"{level} code {shown} is not {CODE_LENGTHS[level]} digits; it cannot name a file")
    return str(code)


def _check_relpath(rel: str | Path) -> Path:
    p = Path(rel)
    if p.is_absolute() or any(part in ("", ".", "..") for part in p.parts):
        raise UnitCodeError(f"not a plain relative path inside the store: {str(rel)!r}")
    return p


# --- atomic writes -----------------------------------------------------------
def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _tmp_sibling(path: Path) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    os.chmod(tmp, _MODE)
    return tmp


def _disk_error(exc: OSError, path: Path) -> OutputError:
    if exc.errno == errno.ENOSPC:
        return OutputError("no space left on the device; nothing was half-written", path=str(path))
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return OutputError("cannot be written (permission denied or read-only)", path=str(path))
    return OutputError(f"cannot be written ({exc.strerror or exc})", path=str(path))


def atomic_write_bytes(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (temporary sibling, fsync, rename).

    A reader sees the old file or the new one, never half of it; a failure
    (a full disk) leaves no temporary file and raises :class:`OutputError`.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "a" / "x.txt"
    >>> atomic_write_bytes(p, b"hi").read_bytes()
    b'hi'
    """
    path = Path(path)

    def fill(tmp: str) -> None:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())

    return _atomic(path, fill)


def _atomic(path: Path, fill) -> Path:
    """Write ``path`` through ``fill(temporary sibling)`` then rename; no temporary survives a failure."""
    tmp = None
    try:
        tmp = _tmp_sibling(path)
        fill(tmp)
        os.replace(tmp, path)
    except OSError as exc:
        if tmp:
            Path(tmp).unlink(missing_ok=True)
        raise _disk_error(exc, path) from exc
    except BaseException:
        if tmp:
            Path(tmp).unlink(missing_ok=True)
        raise
    return path


def atomic_write_file(path: str | Path, fill) -> Path:
    """Write ``path`` through ``fill(tmp)``, a function writing a whole file at the path ``tmp`` (a
    temporary sibling), then rename it into place: for writers that want a file name (xlsxwriter).

    A failure leaves no temporary file and the previous ``path`` untouched (:class:`OutputError` for
    disk errors).

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "x.txt"
    >>> atomic_write_file(p, lambda tmp: pathlib.Path(tmp).write_text("ok")).read_text()
    'ok'
    """
    return _atomic(Path(path), fill)


def atomic_write_text(path: str | Path, text: str) -> Path:
    """:func:`atomic_write_bytes` for UTF-8 text."""
    return atomic_write_bytes(path, text.encode("utf-8"))


def _jsonable(o: Any) -> Any:
    if isinstance(o, dict):
        return {str(k): _jsonable(v) for k, v in o.items()}
    if isinstance(o, list | tuple):
        return [_jsonable(v) for v in o]
    if isinstance(o, np.integer):
        return int(o)
    if isinstance(o, np.floating | float):
        return None if not np.isfinite(o) else float(o)
    if o is pd.NA or o is pd.NaT or o is None:
        return None
    if isinstance(o, np.bool_):
        return bool(o)
    if isinstance(o, pd.Timestamp):
        return o.isoformat()
    if isinstance(o, Path | Period):
        return str(o)
    return o


def write_json(path: str | Path, obj: Any) -> Path:
    """Write ``obj`` as UTF-8 JSON atomically (NaN and NA become null)."""
    return atomic_write_text(path, json.dumps(_jsonable(obj), ensure_ascii=False, indent=2))


def read_json(path: str | Path) -> Any:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def parquet_frame(df: pd.DataFrame, path: str | Path) -> None:
    """Write ``df`` to ``path`` as Parquet, text as Arrow's ``string`` however pandas holds it.

    pandas gives Arrow-backed text (``string[pyarrow]``, e.g. the linkage's pair ids) to Parquet as
    ``large_string`` and Python strings as ``string``: the same column would change type from one
    version of popqa to the next as its storage changes. Every text column is written as ``string``.

    >>> import pyarrow.parquet as pq, tempfile, os
    >>> f = os.path.join(tempfile.mkdtemp(), "t.parquet")
    >>> parquet_frame(pd.DataFrame({"a": pd.Series(["x", None], dtype=pd.StringDtype("pyarrow")),
    ...                             "b": pd.Series(["y", "z"], dtype="string")}), f)
    >>> [str(t) for t in pq.read_schema(f).types], pd.read_parquet(f)["a"].tolist()
    (['string', 'string'], ['x', <NA>])
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(df.reset_index(drop=True), preserve_index=False)
    if any(pa.types.is_large_string(t) for t in table.schema.types):
        schema = pa.schema([f.with_type(pa.string()) if pa.types.is_large_string(f.type) else f
                            for f in table.schema], metadata=table.schema.metadata)
        table = table.cast(schema)
    pq.write_table(table, path)


def write_parquet(path: str | Path, df: pd.DataFrame) -> Path:
    """Write a frame as Parquet atomically (text as Arrow's ``string``: :func:`parquet_frame`)."""
    return _atomic(Path(path), lambda tmp: parquet_frame(df, tmp))


def clean_temporary_files(folder: str | Path) -> int:
    """Remove the ``.<name>.<random>.tmp`` files an interrupted atomic write left (recursively)."""
    n = 0
    folder = Path(folder)
    if not folder.is_dir():
        return 0
    for p in folder.rglob(".*.tmp"):
        if p.is_file() and _INTERNAL not in p.parts:
            p.unlink(missing_ok=True)
            n += 1
    return n


def ensure_output_dir(path: str | Path, what: str = "output folder") -> Path:
    """Create ``path`` as a writable folder, or one :class:`OutputError` saying why not."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise OutputError(f"the {what} is a file, not a folder", path=str(path))
    try:
        path.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".popqa-probe.", dir=path)
        os.close(fd)
        os.unlink(probe)
    except FileExistsError:
        raise OutputError(f"a parent of the {what} is a file, not a folder", path=str(path)) from None
    except NotADirectoryError:
        raise OutputError(f"a parent of the {what} is a file, not a folder", path=str(path)) from None
    except OSError as exc:
        raise _disk_error(exc, path) from exc
    return path


# --- the results store --------------------------------------------------------
class _Lock:
    """An exclusive, non-blocking lock on a results root (``fcntl.flock``; a no-op where absent)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.fh: Any = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.fh = open(self.path, "a+")  # noqa: SIM115 - held for the audit's lifetime
        try:
            import fcntl
        except ImportError:  # pragma: no cover - not POSIX
            return
        try:
            fcntl.flock(self.fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            self.fh.seek(0)
            holder = self.fh.read().strip()
            self.fh.close()
            self.fh = None
            raise OutputError(f"another popqa audit is writing to this results folder ({holder or 'unknown'})",
                              path=str(self.path.parent.parent)) from None
        self.fh.seek(0)
        self.fh.truncate()
        self.fh.write(f"pid {os.getpid()}")
        self.fh.flush()

    def release(self) -> None:
        if self.fh is not None:
            self.fh.close()
            self.fh = None


class ResultsStore:
    """A results root: committed audits per period, and the staging of a new one."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    # -- reading ---------------------------------------------------------------
    def period_dir(self, period: str | Period) -> Path:
        """Where the committed audit of ``period`` is read (``RESULTS/<period>``)."""
        return self.root / str(Period.parse(period))

    def periods(self) -> list[str]:
        """Periods with a committed audit, oldest first."""
        if not self.root.is_dir():
            return []
        return sorted(p.name for p in self.root.iterdir()
                      if is_period(p.name) and (p / "manifest.json").is_file())

    def latest_period(self) -> str | None:
        ps = self.periods()
        return ps[-1] if ps else None

    def manifest(self, period: str | Period) -> dict[str, Any]:
        """The manifest of a committed audit (:class:`FileNotFoundError` when none)."""
        return read_json(self.period_dir(period) / "manifest.json")

    def audit_id(self, period: str | Period) -> str | None:
        try:
            return self.manifest(period).get("audit_id")
        except FileNotFoundError:
            return None

    def read_artifact(self, period: str | Period, rel: str | Path) -> pd.DataFrame:
        """The Parquet file ``rel`` (e.g. ``analyst/clusters.parquet``) of the committed audit of
        ``period``; :class:`FileNotFoundError` when the audit or the file is absent."""
        return pd.read_parquet(self.period_dir(period) / _check_relpath(rel))

    def history(self, name: str, *, before: str | Period) -> dict[str, pd.DataFrame]:
        """The Parquet file ``name`` of every committed period earlier than ``before``."""
        before = str(Period.parse(before))
        out = {}
        for p in self.periods():
            f = self.root / p / name
            if p < before and f.is_file():
                out[p] = pd.read_parquet(f)
        return out

    def district_dir(self, period: str | Period, district: str) -> Path:
        return self.period_dir(period) / "districts" / safe_code(district, "district")

    def unit_dir(self, period: str | Period, level: str, code: str) -> Path:
        """The result files of one unit: ``districts/<code>/`` or ``communes_2025/<code>/``."""
        return self.period_dir(period) / unit_results_rel(level, code)

    # -- writing ---------------------------------------------------------------
    @property
    def _internal(self) -> Path:
        return self.root / _INTERNAL

    def begin(self, period: str | Period, *, audit_id: str) -> Staging:
        """Lock the root, remove leftovers of interrupted audits, and open a staging folder."""
        period = str(Period.parse(period))
        if not re.fullmatch(r"[0-9a-f]{8,64}", audit_id):
            raise ValueError(f"audit id must be hex, got {audit_id!r}")
        ensure_output_dir(self.root, "results folder")
        lock = _Lock(self._internal / "lock")
        lock.acquire()
        try:
            removed = self._clean_leftovers()
            if removed:
                log.info("removed %d leftover(s) of interrupted audits", removed)
            path = self._internal / "staging" / f"{period}-{audit_id}-{os.getpid()}"
            path.mkdir(parents=True)
        except BaseException:
            lock.release()
            raise
        return Staging(self, period, audit_id, path, lock)

    def _clean_leftovers(self) -> int:
        n = 0
        staging = self._internal / "staging"
        if staging.is_dir():
            for p in staging.iterdir():
                shutil.rmtree(p, ignore_errors=True)
                n += 1
        for p in self.root.glob(".*.link.tmp"):
            p.unlink(missing_ok=True)
            n += 1
        # stray temporary files of interrupted writes into committed audits (older layouts)
        for period in self.periods():
            n += clean_temporary_files(self.root / period)
        return n

    def _commit(self, staging: Staging) -> Path:
        period = staging.period
        audits = self._internal / "audits" / period
        audits.mkdir(parents=True, exist_ok=True)
        stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime()) + f"-{time.time_ns() % 1_000_000_000:09d}"
        target = audits / f"{staging.audit_id}-{stamp}"
        os.replace(staging.path, target)
        _fsync_dir(audits)
        link = self.root / period
        tmp_link = self.root / f".{period}.link.tmp"
        legacy = None
        try:
            tmp_link.unlink(missing_ok=True)
            os.symlink(os.path.relpath(target, self.root), tmp_link)
            if link.exists() and not link.is_symlink():  # a period written by an older popqa: keep it aside
                legacy = audits / f"legacy-{stamp}"
                os.replace(link, legacy)
            os.replace(tmp_link, link)  # the one step a reader can observe
        except BaseException:
            tmp_link.unlink(missing_ok=True)
            if legacy is not None and not link.exists():
                os.replace(legacy, link)
            shutil.rmtree(target, ignore_errors=True)
            raise
        _fsync_dir(self.root)
        # keep the committed audit and the one before it (a report may still be reading it)
        older = sorted((p for p in audits.iterdir() if p != target), key=lambda p: p.stat().st_mtime)
        for p in older[:-1]:
            shutil.rmtree(p, ignore_errors=True)
        return link


class Staging:
    """An audit being written: files go into a private folder until :meth:`commit`."""

    def __init__(self, store: ResultsStore, period: str, audit_id: str, path: Path, lock: _Lock) -> None:
        self.store, self.period, self.audit_id, self.path, self._lock = store, period, audit_id, path, lock
        self.committed = False

    def __enter__(self) -> Staging:
        return self

    def __exit__(self, *exc: Any) -> None:
        if not self.committed:
            self.abort()

    def file(self, rel: str | Path) -> Path:
        """Absolute path of ``rel`` inside the staging folder (a plain relative path only)."""
        return self.path / _check_relpath(rel)

    def scratch(self, rel: str | Path) -> Path:
        """Absolute path of ``rel`` inside the staging folder's scratch folder (:data:`SCRATCH`), which a
        commit removes first: files a stage needs for a while and an audit never keeps."""
        return self.file(Path(SCRATCH) / rel)

    def district_file(self, district: str, name: str) -> Path:
        return self.file(Path("districts") / safe_code(district, "district") / name)

    def write_parquet(self, rel: str | Path, df: pd.DataFrame) -> Path:
        return write_parquet(self.file(rel), df)

    def write_json(self, rel: str | Path, obj: Any) -> Path:
        return write_json(self.file(rel), obj)

    def commit(self, manifest: dict[str, Any]) -> Path:
        """Write the manifest (with the audit id) last and move the audit into place in one step."""
        if self.committed:
            raise RuntimeError("this staging folder was already committed")
        # the stages' scratch files (tables moved out of memory, partitions) are never part of an audit
        shutil.rmtree(self.file(SCRATCH), ignore_errors=True)
        try:
            write_json(self.file("manifest.json"), {**manifest, "audit_id": self.audit_id, "period": self.period})
            link = self.store._commit(self)
        except OSError as exc:
            raise _disk_error(exc, self.store.root) from exc
        self.committed = True
        self._lock.release()
        return link

    def abort(self) -> None:
        """Remove the staging folder and release the lock; the committed audit is untouched."""
        shutil.rmtree(self.path, ignore_errors=True)
        self._lock.release()


# --- the site -------------------------------------------------------------------
def report_path(site: str | Path, district: str, lang: str) -> Path:
    """Where the report of ``district`` in ``lang`` lives in a site: ``districts/<code>.<lang>.html``."""
    if lang not in ("vi", "en"):
        raise ValueError(f"unknown language {lang!r}")
    return Path(site) / "districts" / f"{safe_code(district, 'district')}.{lang}.html"


#: Geographies a site is organised by: the 2025 two-level units (province, commune) or the legacy three.
GEOGRAPHIES = ("2025", "legacy")
_UNIT_FOLDERS = {"district": ("districts", "district"), "commune_2025": ("communes_2025", "commune_2025")}
_REPORT_FOLDERS = {"district": "districts", "commune_2025": "communes"}


def unit_results_rel(level: str, code: str) -> Path:
    """Relative folder of a unit's result files in an audit (a code of the wrong shape names nothing).

    >>> unit_results_rel("commune_2025", "25459").as_posix(), unit_results_rel("district", "710").as_posix()
    ('communes_2025/25459', 'districts/710')
    """
    if level not in _UNIT_FOLDERS:
        raise ValueError(f"no result files for level {level!r} (district or commune_2025)")
    folder, shape = _UNIT_FOLDERS[level]
    return Path(folder) / safe_code(code, shape)


def unit_report_path(site: str | Path, level: str, code: str, lang: str) -> Path:
    """Where a unit's report lives in a site: ``districts/<code>.<lang>.html`` or ``communes/<code>.<lang>.html``.

    >>> unit_report_path("site", "commune_2025", "25459", "en").as_posix()
    'site/communes/25459.en.html'
    """
    if level == "district":
        return report_path(site, code, lang)
    if lang not in ("vi", "en"):
        raise ValueError(f"unknown language {lang!r}")
    if level not in _REPORT_FOLDERS:
        raise ValueError(f"no reports for level {level!r} (district or commune_2025)")
    return Path(site) / _REPORT_FOLDERS[level] / f"{safe_code(code, level)}.{lang}.html"


def period_site_dir(site: str | Path, period: str | Period) -> Path:
    """Where the site pages of another audited period live: ``periods/<YYYY-MM>/``.

    >>> period_site_dir("site", "2026-09").as_posix()
    'site/periods/2026-09'
    """
    return Path(site) / "periods" / str(Period.parse(period))


def province_report_path(site: str | Path, name: str, lang: str) -> Path:
    """Where a province-level report lives in a site: ``province/<name>.<lang>.html``.

    >>> province_report_path("site", "labour", "en").as_posix()
    'site/province/labour.en.html'
    """
    if lang not in ("vi", "en"):
        raise ValueError(f"unknown language {lang!r}")
    if not re.fullmatch(r"[a-z][a-z_]{0,30}", name):
        raise UnitCodeError(f"report name {name!r} cannot name a file")
    return Path(site) / "province" / f"{name}.{lang}.html"


def site_manifest_path(site: str | Path) -> Path:
    return Path(site) / "manifest.json"

