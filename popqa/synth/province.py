"""``generate_province``: the synthetic province with its register and ground truth."""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from popqa import geo
from popqa.contract import TABLES
from popqa.errors import InputError
from popqa.io import Register
from popqa.io.register import ISSUE_COLUMNS
from popqa.synth import events as ev
from popqa.synth.ids import citizen_ids
from popqa.synth.population import (
    REL_CHILD,
    REL_HEAD,
    REL_OTHER,
    REL_PARENT,
    REL_SPOUSE,
    build_population,
    parse_provinces,
    unit_counts,
)
from popqa.synth.truth import FAULT_COLUMNS, TRUTH_TABLES

__all__ = ["SyntheticProvince", "generate_province", "period_bounds", "typed_frame"]

log = logging.getLogger(__name__)

DAY = np.timedelta64(1, "D")


def period_bounds(period: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First day of the twelve-month window and the export date (last day of ``period``).

    Examples
    --------
    >>> [str(d.date()) for d in period_bounds("2026-10")]
    ['2025-11-01', '2026-10-31']
    """
    try:
        p = pd.Period(period, freq="M")
    except (ValueError, TypeError) as exc:
        raise InputError(f"period must be YYYY-MM, got {period!r}") from exc
    return (p - 11).start_time.normalize(), p.end_time.normalize()


def typed_frame(data: dict[str, object] | pd.DataFrame, table: str) -> pd.DataFrame:
    """A frame with exactly the contract columns of ``table``, typed as the readers type them."""
    spec = TABLES[table]
    src = pd.DataFrame(data) if isinstance(data, dict) else data
    n = len(src)
    out = {}
    for col in spec.columns:
        s = src[col.name] if col.name in src else pd.Series([None] * n, index=src.index, dtype=object)
        if col.kind in ("id", "code", "str"):
            out[col.name] = s.astype("string") if n else pd.Series(dtype="string")
        elif col.kind == "int":
            out[col.name] = pd.array(s, dtype="Int64")
        elif col.kind == "float":
            out[col.name] = s.astype("float64")
        elif col.kind == "bool":
            out[col.name] = pd.array(s, dtype="boolean")
        elif col.kind == "date":
            out[col.name] = pd.to_datetime(s).astype("datetime64[ns]").dt.normalize()
        else:
            out[col.name] = pd.to_datetime(s).astype("datetime64[ns]")
    return pd.DataFrame(out).reset_index(drop=True)


@dataclass
class SyntheticProvince:
    """A generated province: the register an audit reads, and the truth it is scored against.

    Attributes
    ----------
    register : the contract tables (households, persons, events, the
        administrative sources and the surveys), typed, ``period`` set.
    truth : truth tables (``faults``, ``duplicates``, ``hard_nonduplicates``,
        ``links``, ``population``), see :mod:`popqa.synth.truth`.
    raw_text : raw cell text that the typed frames cannot hold (unparseable
        dates, names typed in decomposed Unicode): ``table -> [(column, rows, values)]``.
        :meth:`write` puts it back into CSV files.
    """

    register: Register
    truth: dict[str, pd.DataFrame]
    scale: float
    seed: int
    province_code: str
    period: str
    districts: list[str] | None = None
    raw_text: dict[str, list[tuple[str, np.ndarray, np.ndarray]]] = field(default_factory=dict)

    def write(self, out_dir: str | Path, fmt: str = "parquet") -> Path:
        """Write ``out_dir/register/<table>.<parquet|csv>`` and ``out_dir/truth/<name>.parquet``.

        CSV files are UTF-8 and carry the raw text of values that do not
        parse, so :func:`popqa.io.read_register` of the written folder gives
        back the same register (typed frames and parse issues).
        """
        if fmt not in ("parquet", "csv"):
            raise InputError(f"format must be parquet or csv, got {fmt!r}")
        out = Path(out_dir)
        reg_dir = out / "register"
        if fmt == "parquet":
            self.register.to_parquet(reg_dir)
        else:
            reg_dir.mkdir(parents=True, exist_ok=True)
            for name, df in self.register.tables.items():
                text = _as_text(df)
                for column, rows, values in self.raw_text.get(name, []):
                    text.loc[rows, column] = values
                text.to_csv(reg_dir / f"{name}.csv", index=False, encoding="utf-8")
            meta = json.dumps(self.metadata(), ensure_ascii=False)
            (reg_dir / "register.json").write_text(meta, encoding="utf-8")
        truth_dir = out / "truth"
        truth_dir.mkdir(parents=True, exist_ok=True)
        for name, df in self.truth.items():
            df.to_parquet(truth_dir / f"{name}.parquet", index=False)
        (truth_dir / "synth.json").write_text(json.dumps(self.metadata(), ensure_ascii=False, indent=2),
                                             encoding="utf-8")
        return out

    @property
    def province_codes(self) -> list[str]:
        """The legacy provinces generated (one, or several for a merged 2025 province or the nation)."""
        return parse_provinces(self.province_code)

    def metadata(self) -> dict[str, object]:
        """What was generated: source, period, legacy province code(s) and their 2025 province(s).

        >>> generate_province(scale=0.001, districts=["710"]).metadata()["provinces_2025"]
        ['80']
        """
        return {"source": "popqa synth", "period": self.period, "province_code": self.province_code,
                "province_codes": self.province_codes, "provinces_2025": provinces_2025(self.province_codes),
                "scale": self.scale, "seed": self.seed}


def provinces_2025(codes: Sequence[str]) -> list[str]:
    """The 2025 provinces the legacy provinces ``codes`` now lie in (their communes' default targets).

    >>> provinces_2025(["72", "80"])
    ['80']
    """
    cw = geo.crosswalk(None, default_only=True)
    return sorted(set(cw.loc[cw["province_code"].isin(list(codes)), "province_code_2025"]))


def _as_text(df: pd.DataFrame) -> pd.DataFrame:
    out = {}
    for c in df.columns:
        s = df[c]
        if pd.api.types.is_datetime64_any_dtype(s):
            has_time = bool((s.dropna() != s.dropna().dt.normalize()).any())
            fmt = "%Y-%m-%d %H:%M:%S" if has_time else "%Y-%m-%d"
            out[c] = s.dt.strftime(fmt).astype(object)
        elif pd.api.types.is_float_dtype(s):
            out[c] = s.map(lambda v: "" if pd.isna(v) else repr(float(v))).astype(object)
        else:
            out[c] = s.astype("string").astype(object)
        out[c] = pd.Series(out[c], index=df.index).where(pd.notna(out[c]), None)
    return pd.DataFrame(out, index=df.index)


# --------------------------------------------------------------------------
# building blocks
# --------------------------------------------------------------------------
def _ids(prefix: np.ndarray, seq: np.ndarray, width: int) -> np.ndarray:
    return np.char.add(prefix.astype(str), np.char.zfill(seq.astype(str), width)).astype(object)


def _seq_within(groups: np.ndarray) -> np.ndarray:
    """1-based running number within each group (groups need not be sorted)."""
    order = np.argsort(groups, kind="stable")
    g = groups[order]
    first = np.searchsorted(g, g, side="left")
    seq = np.empty(len(groups), dtype=np.int64)
    seq[order] = np.arange(len(groups)) - first + 1
    return seq


def _households(hh: pd.DataFrame, counts: pd.DataFrame, rng: np.random.Generator, win0, export):
    H = len(hh)
    commune_code = hh["commune_code"].to_numpy().astype(str)
    seq = _seq_within(hh["commune"].to_numpy())
    hh["household_id"] = _ids(commune_code, seq, 5)
    nv = counts["n_villages"].to_numpy()[hh["commune"].to_numpy()]
    # villages of unequal size
    v = np.floor(nv * rng.beta(1.2, 1.2, H)).astype(int)
    v = np.minimum(v, nv - 1)
    urban = hh["urban"].to_numpy()
    vname = np.where(urban, "Khu phố ", "Ấp ").astype(object) + (v + 1).astype(str).astype(object)
    hh["village_no"] = v
    hh["village"] = vname
    cname = counts["commune_name"].to_numpy()[hh["commune"].to_numpy()].astype(object)
    house_no = rng.integers(1, 400, H).astype(str).astype(object)
    to = rng.integers(1, 20, H).astype(str).astype(object)
    addr = np.where(
        urban,
        "Số " + house_no + ", " + vname + ", " + cname,
        "Tổ " + to + ", " + vname + ", " + cname,
    )
    addr = np.where(rng.random(H) < 0.04, None, addr)
    hh["address"] = addr
    # collaborators: ~150 households each at full scale, inside a village
    full_per_village = (counts["households_full"] / counts["n_villages"]).to_numpy()[hh["commune"].to_numpy()]
    n_collab = np.maximum(1, np.round(full_per_village / 150)).astype(int)
    c = np.minimum(np.floor(rng.random(H) * n_collab).astype(int), n_collab - 1)
    collab = (
        "C" + commune_code.astype(object) + "-" + np.char.zfill((v + 1).astype(str), 2).astype(object)
        + np.char.zfill((c + 1).astype(str), 2).astype(object)
    )
    hh["collaborator_id"] = collab
    # creation: most long before the window; new households inside it
    span = (win0 - pd.Timestamp("2008-01-01")).days
    created = pd.Timestamp("2008-01-01") + pd.to_timedelta(rng.integers(0, span, H), "D")
    hh["created_date"] = created.to_numpy()
    return hh


def _collaborator_table(hh: pd.DataFrame, rng: np.random.Generator, win0, export) -> pd.DataFrame:
    """One row per collaborator: bad (error-prone) or not, and a possible replacement during the year."""
    ids = np.unique(hh["collaborator_id"].to_numpy().astype(str))
    n = len(ids)
    bad = rng.random(n) < 0.05
    if n and not bad.any():
        bad[rng.integers(n)] = True
    change = rng.random(n) < 0.08
    days = (export - win0).days
    change_date = win0 + pd.to_timedelta(rng.integers(30, days - 30, n), "D")
    return pd.DataFrame(
        {
            "collaborator_id": ids,
            "bad": bad,
            "replaced": change,
            "replacement_id": np.char.add(ids, "N"),
            "change_date": change_date,
        }
    ).set_index("collaborator_id")


_EDU_P = {  # education level 0..6 shares by age band (adults)
    18: [1, 2, 8, 30, 34, 13, 12],
    30: [2, 4, 15, 35, 25, 10, 9],
    45: [4, 8, 25, 35, 17, 6, 5],
    60: [12, 20, 30, 22, 9, 4, 3],
}


def _education(rng: np.random.Generator, age_years: np.ndarray) -> np.ndarray:
    n = len(age_years)
    out = np.select([age_years < 6, age_years < 11, age_years < 15, age_years < 18], [0, 1, 2, 3], -1)
    u = rng.random(n)
    for lo, hi in ((18, 30), (30, 45), (45, 60), (60, 200)):
        m = (age_years >= lo) & (age_years < hi)
        cdf = np.cumsum(_EDU_P[lo]) / sum(_EDU_P[lo])
        out[m] = np.searchsorted(cdf, u[m], side="right")
    return np.minimum(out, 6)


def _birth_dates(age: np.ndarray, export: pd.Timestamp, win0: pd.Timestamp) -> np.ndarray:
    days = np.floor(age * 365.25).astype("int64")
    bd = np.datetime64(export.date(), "D") - days * DAY
    return np.maximum(bd, np.where(age < 1, np.datetime64(win0.date(), "D"), bd))  # type: ignore[call-overload]  # numpy stubs reject None/datetime mixes that numpy accepts


# --------------------------------------------------------------------------
def generate_province(
    *,
    scale: float = 0.01,
    seed: int = 20261,
    province_code: str = geo.DEFAULT_PROVINCE,
    period: str = "2026-10",
    districts: Sequence[str] | None = None,
) -> SyntheticProvince:
    """Generate the synthetic province.

    Parameters
    ----------
    scale : fraction of the province's published size (1.0 = 1,198,153
        persons in 291,965 households for Tây Ninh).
    seed : seed of the numpy random generator; same seed, same tables.
    province_code : legacy GSO province code (real units from :mod:`popqa.geo`); several,
        ``"72,80"`` (Tây Ninh and Long An: the 2025 province Tây Ninh) or ``"all"`` (the 63
        legacy provinces, the nation), make one register of them all, with unique
        household, person and event ids (:func:`popqa.synth.population.parse_provinces`).
    period : ``YYYY-MM``, the last of the twelve months of events; the export
        date is that month's last day.
    districts : restrict to these district codes (counts of the full-province
        allocation, so a district is the same at any selection).

    Returns
    -------
    SyntheticProvince

    Examples
    --------
    >>> prov = generate_province(scale=0.002, districts=["710"])
    >>> set(prov.register.persons["district_code"]) == {"710"}
    True
    """
    if scale <= 0:
        raise InputError(f"scale must be positive, got {scale}")
    win0, export = period_bounds(period)
    codes = parse_provinces(province_code)
    province_code = ",".join(codes)
    counts = unit_counts(scale, province_code)
    if districts:
        districts = [str(d) for d in districts]
        unknown = sorted(set(districts) - set(counts["district_code"]))
        if unknown:
            raise InputError(f"district(s) {', '.join(unknown)} not in province(s) {province_code}")
        counts = counts[counts["district_code"].isin(districts)].reset_index(drop=True)
    counts = counts[counts["households"] > 0].reset_index(drop=True)
    if counts.empty:
        raise InputError(f"scale {scale} gives no household; use a larger scale")
    rng = np.random.default_rng(seed)

    hh, pp = build_population(counts, rng, export)
    hh = _households(hh, counts, rng, win0, export)
    collab = _collaborator_table(hh, rng, win0, export)
    state = _State(rng=rng, counts=counts, hh=hh, pp=pp, collab=collab, win0=win0, export=export,
                   province_code=province_code)
    state.decorate_persons()
    state.build_events()
    from popqa.synth import faults, sources

    truth: dict[str, pd.DataFrame] = {}
    truth["population"] = state.population_truth(period)
    frames = state.frames()
    sources_frames, links = sources.build_sources(state, frames)
    frames.update(sources_frames)
    frames, fault_rows, dup, hard, raw_text, issues = faults.inject(state, frames)
    del state, hh, pp  # the internal frames are no longer needed: free memory before typing
    truth["faults"] = fault_rows
    truth["duplicates"] = dup
    truth["hard_nonduplicates"] = hard
    truth["links"] = links
    truth = {name: truth[name] for name in TRUTH_TABLES}
    assert list(truth["faults"].columns) == list(FAULT_COLUMNS)
    # type one table at a time, dropping its untyped frame (lower peak memory)
    tables = {name: typed_frame(frames.pop(name), name) for name in list(frames)}
    reg = Register(
        tables=tables,
        parse_issues=issues if len(issues) else pd.DataFrame(columns=ISSUE_COLUMNS),
        source=f"popqa synth scale={scale} seed={seed}",
        period=period,
    )
    return SyntheticProvince(
        register=reg,
        truth=truth,
        scale=scale,
        seed=seed,
        province_code=province_code,
        period=period,
        districts=list(districts) if districts else None,
        raw_text=raw_text,
    )


@dataclass
class _State:
    """Everything the generator's steps share (internal)."""

    rng: np.random.Generator
    counts: pd.DataFrame
    hh: pd.DataFrame
    pp: pd.DataFrame
    collab: pd.DataFrame
    win0: pd.Timestamp
    export: pd.Timestamp
    province_code: str  # one legacy code, or several joined by commas
    # filled by the build steps, in order (empty until then)
    events: pd.DataFrame = dataclasses.field(default_factory=pd.DataFrame)
    history: pd.DataFrame = dataclasses.field(default_factory=pd.DataFrame)

    # ------------------------------------------------------------------
    def decorate_persons(self) -> None:
        rng, pp, hh = self.rng, self.pp, self.hh
        N = len(pp)
        h = pp["hh"].to_numpy()
        pp["household_id"] = hh["household_id"].to_numpy()[h]
        pp["person_id"] = _ids(pp["household_id"].to_numpy(), pp["pos"].to_numpy() + 1, 2)
        for c in ("province_code", "district_code", "commune_code"):
            pp[c] = hh[c].to_numpy()[h]
        pp["full_name"] = pp["surname"] + " " + pp["middle"] + " " + pp["given"]
        age = pp["age"].to_numpy()
        bd = _birth_dates(age, self.export, self.win0)
        year = bd.astype("datetime64[Y]").astype(int) + 1970
        ay = age.astype(int)
        prec = np.where((ay >= 66) & (rng.random(N) < 0.3), "year", "day")
        prec = np.where((prec == "day") & (ay >= 20) & (rng.random(N) < 0.01), "month", prec)
        bd = np.where(prec == "year", bd.astype("datetime64[Y]").astype("datetime64[D]"), bd)
        bd = np.where(prec == "month", bd.astype("datetime64[M]").astype("datetime64[D]"), bd)
        pp["birth_date"] = bd
        pp["birth_year"] = year
        pp["birth_date_precision"] = prec
        # ethnicity by household
        eth_codes = np.array(["01", "05", "04", "17", "02"], dtype=object)
        eth_hh = eth_codes[rng.choice(5, size=len(hh), p=[0.987, 0.005, 0.004, 0.003, 0.001])]
        pp["ethnicity_code"] = eth_hh[h]
        pp["education_level"] = _education(rng, ay)
        # residence: some households are temporary residents (more in towns)
        temp_hh = rng.random(len(hh)) < np.where(hh["urban"].to_numpy(), 0.10, 0.05)
        res = np.where(temp_hh[h], 2, 1)
        res = np.where((res == 1) & (ay >= 18) & (ay <= 40) & (pp["relation_to_head"].to_numpy() >= 3)
                       & (rng.random(N) < 0.08), 3, res)
        pp["residence_status"] = res
        pp["status"] = 1
        # citizen ids: the household's province prefix mostly, other provinces for in-migrants
        own = set(parse_provinces(self.province_code))
        others = np.array(sorted(p for p in geo.legacy_province_codes() if p not in own))
        if not len(others):  # the nation: in-migrants come from any province
            others = np.array(sorted(own))
        hh_prefix = np.where(
            temp_hh | (rng.random(len(hh)) < 0.04), "0" + others[rng.integers(0, len(others), len(hh))],
            "0" + hh["province_code"].to_numpy().astype(str).astype(object),
        )
        cid = citizen_ids(rng, hh_prefix[h], pp["sex"].to_numpy(), year)
        missing = rng.random(N) < np.select([ay < 14, ay >= 80], [0.3, 0.15], 0.02)
        pp["citizen_id"] = np.where(missing, None, cid)  # type: ignore[call-overload]  # numpy stubs reject None/datetime mixes that numpy accepts
        mpos = pp["mother_pos"].to_numpy()
        pid = pp["person_id"].to_numpy()
        pp["mother_id"] = np.where(mpos >= 0, pid[np.maximum(mpos, 0)], None)
        women = (pp["sex"].to_numpy() == 2) & (pp["marital_status"].to_numpy() == 2) & (ay >= 15) & (ay <= 49)
        methods = rng.choice([0, 1, 2, 3, 4, 5, 6, 7], size=N, p=[0.25, 0.30, 0.20, 0.05, 0.02, 0.10, 0.05, 0.03])
        pp["contraceptive_method"] = np.where(women, methods, -1)
        pp["is_woman_fp"] = women

    # ------------------------------------------------------------------
    def build_events(self) -> None:
        """History persons (died, moved out) and the twelve months of events."""
        rng, pp, hh = self.rng, self.pp, self.hh
        N = len(pp)
        win0, export = self.win0, self.export
        days = (export - win0).days + 1
        e0 = np.datetime64(win0.date(), "D")
        head = pp[pp["relation_to_head"] == REL_HEAD]
        head_age = np.full(len(hh), np.nan)
        head_age[head["hh"].to_numpy()] = head["age"].to_numpy()

        def n_events(kind: str) -> int:
            return int(rng.poisson(ev.EVENT_RATES[kind] * N))

        # deaths: new persons, status 2 (parents of younger heads, some adults)
        nd = n_events("death")
        cand = np.flatnonzero(head_age <= 68)
        dh = rng.choice(cand, size=nd) if len(cand) else np.zeros(0, int)
        elder = rng.random(nd) < 0.8
        d_age = np.where(elder, np.clip(head_age[dh] + rng.integers(20, 36, nd), 60, 100),
                         np.maximum(head_age[dh] - 3 - rng.integers(0, 20, nd), 18))
        d_age = d_age + rng.random(nd) * 0.99
        d_rel = np.where(elder, REL_PARENT, REL_OTHER)
        d_date = e0 + rng.integers(0, days, nd) * DAY
        d_sex = np.where(rng.random(nd) < 0.55, 1, 2)
        d_mar = np.where(elder, 3, np.where(rng.random(nd) < 0.5, 1, 4))
        # moves out: new persons, status 3 (young adults leaving)
        no = n_events("move_out")
        cand = np.flatnonzero((head_age >= 45) & (head_age <= 70))
        oh = rng.choice(cand, size=no) if len(cand) else np.zeros(0, int)
        o_child = rng.random(no) < 0.6
        o_age = np.where(o_child, np.clip(head_age[oh] - rng.integers(20, 30, no), 18, 40),
                         rng.integers(18, 46, no)) + rng.random(no) * 0.99
        o_rel = np.where(o_child, REL_CHILD, REL_OTHER)
        o_date = e0 + rng.integers(0, days, no) * DAY
        o_sex = np.where(rng.random(no) < 0.5, 1, 2)
        o_mar = np.where(o_age >= 22, np.where(rng.random(no) < 0.4, 2, 1), 1)
        o_mar = np.where((o_mar == 2) & (o_sex == 1) & (o_age < 21), 1, o_mar)
        hist = pd.DataFrame(
            {
                "hh": np.concatenate([dh, oh]),
                "relation_to_head": np.concatenate([d_rel, o_rel]),
                "sex": np.concatenate([d_sex, o_sex]),
                "age": np.concatenate([d_age, o_age]),
                "marital_status": np.concatenate([d_mar, o_mar]),
                "status": np.concatenate([np.full(nd, 2), np.full(no, 3)]),
                "event_date": np.concatenate([d_date, o_date]),
                "event_type": np.array(["death"] * nd + ["move_out"] * no, dtype=object),
            }
        )
        self._finish_history(hist)

        # events of present persons -----------------------------------
        bd = pp["birth_date"].to_numpy().astype("datetime64[D]")
        ev_frames = []
        pid = pp["person_id"].to_numpy()
        # births
        born = np.flatnonzero(bd >= e0)
        ev_frames.append(pd.DataFrame({"row": born, "event_type": "birth", "event_date": bd[born]}))
        # moves in: whole new households and individual adults
        nm = n_events("move_in")
        hsize = hh["size"].to_numpy()
        new_hh_share = 0.5
        hh_order = rng.permutation(len(hh))
        cum = np.cumsum(hsize[hh_order])
        new_hh = hh_order[: int(np.searchsorted(cum, nm * new_hh_share))]
        new_date = e0 + rng.integers(0, days, len(new_hh)) * DAY
        hh_date = np.full(len(hh), np.datetime64("NaT"), dtype="datetime64[D]")
        hh_date[new_hh] = new_date
        in_new = np.flatnonzero(~np.isnat(hh_date[pp["hh"].to_numpy()]) & (bd < hh_date[pp["hh"].to_numpy()]))
        hh_created = hh["created_date"].to_numpy().astype("datetime64[D]")
        hh_created[new_hh] = new_date
        hh["created_date"] = hh_created
        ay = pp["age"].to_numpy()
        rel = pp["relation_to_head"].to_numpy()
        cand = np.flatnonzero((ay >= 18) & (ay <= 50) & np.isin(rel, (REL_SPOUSE, 4, REL_OTHER))
                              & np.isnat(hh_date[pp["hh"].to_numpy()]))
        k_ind = max(nm - len(in_new), 0)
        ind = rng.choice(cand, size=min(k_ind, len(cand)), replace=False)
        ev_frames.append(pd.DataFrame({
            "row": np.concatenate([in_new, ind]),
            "event_type": "move_in",
            "event_date": np.concatenate([hh_date[pp["hh"].to_numpy()[in_new]],
                                          e0 + rng.integers(0, days, len(ind)) * DAY]),
        }))
        # marriages: young couples (both spouses get an event)
        nmar = n_events("marriage") // 2
        young_head = np.flatnonzero((rel == REL_HEAD) & (ay < 32))
        hh_idx = pp["hh"].to_numpy()
        has_sp = np.zeros(len(hh), bool)
        has_sp[hh_idx[rel == REL_SPOUSE]] = True
        young_head = young_head[has_sp[hh_idx[young_head]] & np.isnat(hh_date[hh_idx[young_head]])]
        couples = rng.choice(young_head, size=min(nmar, len(young_head)), replace=False)
        m_date = e0 + rng.integers(0, days, len(couples)) * DAY
        # no marriage after a child of the couple was born
        first_child = pd.Series(bd[born], index=hh_idx[born]).groupby(level=0).min()
        fc = first_child.reindex(hh_idx[couples]).to_numpy().astype("datetime64[D]")
        m_date = np.where(~np.isnat(fc) & (m_date > fc), np.maximum(fc - 30 * DAY, e0), m_date)
        spouse_row = np.flatnonzero(rel == REL_SPOUSE)
        sp_of_hh = np.full(len(hh), -1)
        sp_of_hh[hh_idx[spouse_row]] = spouse_row
        ev_frames.append(pd.DataFrame({
            "row": np.concatenate([couples, sp_of_hh[hh_idx[couples]]]),
            "event_type": "marriage",
            "event_date": np.concatenate([m_date, m_date]),
        }))
        # divorces: divorced persons
        ndv = n_events("divorce")
        div = np.flatnonzero(pp["marital_status"].to_numpy() == 4)
        div = rng.choice(div, size=min(ndv, len(div)), replace=False)
        ev_frames.append(pd.DataFrame({"row": div, "event_type": "divorce",
                                       "event_date": e0 + rng.integers(0, days, len(div)) * DAY}))
        # contraception changes
        nc = n_events("contraception_change")
        fp = np.flatnonzero(pp["is_woman_fp"].to_numpy())
        cc = rng.choice(fp, size=min(nc, len(fp)), replace=False)
        ev_frames.append(pd.DataFrame({"row": cc, "event_type": "contraception_change",
                                       "event_date": e0 + rng.integers(0, days, len(cc)) * DAY}))
        e = pd.concat(ev_frames, ignore_index=True)
        e["event_date"] = e["event_date"].to_numpy().astype("datetime64[D]")
        rows = e["row"].to_numpy()
        e["person_id"] = pid[rows]
        e["household_id"] = pp["household_id"].to_numpy()[rows]
        e["hh"] = hh_idx[rows]
        e["mother_id"] = np.where(e["event_type"].to_numpy() == "birth", pp["mother_id"].to_numpy()[rows], None)
        e["other_commune_code"] = None
        e = pd.concat([e.drop(columns="row"), self._history_events()], ignore_index=True)
        self.events = self._record(e)

    def _finish_history(self, hist: pd.DataFrame) -> None:
        rng, hh = self.rng, self.hh
        h = hist["hh"].to_numpy()
        n = len(hist)
        next_pos = hh["size"].to_numpy()[h]
        seq = _seq_within(h) + next_pos
        hist["household_id"] = hh["household_id"].to_numpy()[h]
        hist["person_id"] = _ids(hist["household_id"].to_numpy(), seq, 2)
        for c in ("province_code", "district_code", "commune_code"):
            hist[c] = hh[c].to_numpy()[h]
        from popqa.synth.names import draw_given, draw_middle, draw_surnames

        sex = hist["sex"].to_numpy()
        hist["full_name"] = draw_surnames(rng, n) + " " + draw_middle(rng, sex) + " " + draw_given(rng, sex)
        age = hist["age"].to_numpy()
        bd = _birth_dates(age, self.export, self.win0)
        year = bd.astype("datetime64[Y]").astype(int) + 1970
        ay = age.astype(int)
        prec = np.where((ay >= 66) & (rng.random(n) < 0.3), "year", "day")
        bd = np.where(prec == "year", bd.astype("datetime64[Y]").astype("datetime64[D]"), bd)
        hist["birth_date"] = bd
        hist["birth_year"] = year
        hist["birth_date_precision"] = prec
        hist["ethnicity_code"] = "01"
        hist["education_level"] = _education(rng, ay)
        hist["residence_status"] = 1
        cid = citizen_ids(rng, "0" + hist["province_code"].to_numpy().astype(str).astype(object), sex, year,
                          exclude=self.pp["citizen_id"].to_numpy(dtype=object))
        hist["citizen_id"] = np.where(rng.random(n) < 0.05, None, cid)  # type: ignore[call-overload]  # numpy stubs reject None/datetime mixes that numpy accepts
        hist["mother_id"] = None
        hist["contraceptive_method"] = -1
        hist["is_woman_fp"] = False
        # other commune of moves out: in the province or elsewhere
        units = geo.legacy_units(None)
        prov = self.counts["commune_code"].to_numpy()
        far = units["commune_code"].to_numpy()
        pick_in = prov[rng.integers(0, len(prov), n)]
        pick_far = far[rng.integers(0, len(far), n)]
        other = np.where(rng.random(n) < 0.55, pick_in, pick_far)
        other = np.where(other == hist["commune_code"].to_numpy(), pick_far, other)
        hist["other_commune_code"] = np.where(hist["status"].to_numpy() == 3, other, None)
        self.history = hist

    def _history_events(self) -> pd.DataFrame:
        h = self.history
        return pd.DataFrame({
            "event_type": h["event_type"].to_numpy(),
            "event_date": h["event_date"].to_numpy().astype("datetime64[D]"),
            "person_id": h["person_id"].to_numpy(),
            "household_id": h["household_id"].to_numpy(),
            "hh": h["hh"].to_numpy(),
            "mother_id": None,
            "other_commune_code": h["other_commune_code"].to_numpy(),
        })

    def _record(self, e: pd.DataFrame) -> pd.DataFrame:
        """Geography, collaborator at the event date, recording date and channel."""
        rng, hh, collab = self.rng, self.hh, self.collab
        n = len(e)
        h = e["hh"].to_numpy()
        for c in ("province_code", "district_code", "commune_code"):
            e[c] = hh[c].to_numpy()[h]
        # move-ins from elsewhere: the origin commune
        is_in = e["event_type"].to_numpy() == "move_in"
        units = geo.legacy_units(None)["commune_code"].to_numpy()
        prov = self.counts["commune_code"].to_numpy()
        origin = np.where(rng.random(n) < 0.5, prov[rng.integers(0, len(prov), n)],
                          units[rng.integers(0, len(units), n)])
        origin = np.where(origin == e["commune_code"].to_numpy(), units[rng.integers(0, len(units), n)], origin)
        e["other_commune_code"] = np.where(is_in, origin, e["other_commune_code"].to_numpy())
        cid = hh["collaborator_id"].to_numpy()[h]
        bad = collab["bad"].reindex(cid).to_numpy()
        lag = ev.recording_lag(rng, n, bad)
        ed = e["event_date"].to_numpy().astype("datetime64[D]")
        exp = np.datetime64(self.export.date(), "D")
        rec = np.minimum(ed + lag * DAY, exp)
        e["recorded_date"] = rec
        # collaborator at the recording date (some were replaced during the year)
        repl = collab["replaced"].reindex(cid).to_numpy()
        change = collab["change_date"].reindex(cid).to_numpy().astype("datetime64[D]")
        new_id = collab["replacement_id"].reindex(cid).to_numpy()
        after = repl & (rec >= change)
        e["collaborator_id"] = np.where(after, new_id, cid)
        mi = ev.month_index(ed, self.win0)
        commune_mobile = self.rng.uniform(0.05, 0.45, len(self.counts))
        e["entry_channel"] = ev.entry_channel(rng, mi, commune_mobile[hh["commune"].to_numpy()[h]])
        e = e.sort_values(["recorded_date", "event_date", "person_id", "event_type"], kind="stable")
        e = e.reset_index(drop=True)
        e["event_id"] = _ids(np.full(n, "E"), np.arange(1, n + 1), 8)
        return e

    # ------------------------------------------------------------------
    def final_collaborators(self) -> np.ndarray:
        """Household collaborator at the export date (after replacements)."""
        cid = self.hh["collaborator_id"].to_numpy()
        repl = self.collab["replaced"].reindex(cid).to_numpy()
        return np.where(repl, self.collab["replacement_id"].reindex(cid).to_numpy(), cid)

    def population_truth(self, period: str) -> pd.DataFrame:
        pp, e = self.pp, self.events
        base = self.counts[["commune_code"]].copy()
        base["period"] = period
        base["true_population"] = pp.groupby("commune_code").size().reindex(base["commune_code"]).fillna(0).astype(int).to_numpy()
        for kind, col in (("birth", "births"), ("death", "deaths"), ("move_in", "moves_in"), ("move_out", "moves_out")):
            s = e[e["event_type"] == kind].groupby("commune_code").size()
            base[col] = s.reindex(base["commune_code"]).fillna(0).astype(int).to_numpy()
        return base.reset_index(drop=True)

    def frames(self) -> dict[str, pd.DataFrame]:
        """Clean contract frames (untyped) of the register."""
        hh = self.hh.copy()
        hh["collaborator_id"] = self.final_collaborators()
        pp = pd.concat([self.pp, self.history], ignore_index=True)
        # last change in the MIS: the latest recorded event, else some time before
        last = self.events.groupby("person_id")["recorded_date"].max()
        rec = last.reindex(pp["person_id"]).to_numpy().astype("datetime64[s]")
        created = hh["created_date"].to_numpy().astype("datetime64[s]")[pp["hh"].to_numpy()]
        exp = np.datetime64(self.export.date(), "s")
        span = np.maximum((exp - created).astype("int64"), 1)
        rnd = created + (self.rng.random(len(pp)) * span).astype("int64") * np.timedelta64(1, "s")
        secs = self.rng.integers(7 * 3600, 18 * 3600, len(pp)) * np.timedelta64(1, "s")
        upd = np.where(np.isnat(rec), rnd, rec + secs)
        pp["updated_at"] = np.minimum(upd, exp + np.timedelta64(86399, "s"))
        pp["contraceptive_method"] = pd.array(
            np.where(pp["contraceptive_method"].to_numpy() < 0, None, pp["contraceptive_method"].to_numpy()),
            dtype="Int64",
        )
        return {
            "households": hh.assign(hh=np.arange(len(hh))),
            "persons": pp,
            "events": self.events,
        }
