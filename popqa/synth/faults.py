"""Fault injection: every class of :data:`popqa.synth.truth.FAULT_CLASSES`, duplicates and look-alikes.

Faults are independent: each injected fault takes a household (or event) that
no other fault touched, and when a fault moves a birth date the citizen ID is
re-encoded to agree with it (so a date fault does not also look like an ID
fault). Records chosen for faults come mostly from a few "bad" collaborators.
Every injected fault is one row of the ``faults`` truth table.
"""

from __future__ import annotations

import unicodedata

import numpy as np
import pandas as pd

from popqa import geo
from popqa.io.register import ISSUE_COLUMNS
from popqa.synth.names import draw_given, draw_middle, other_given
from popqa.synth.truth import DUPLICATE_VARIATIONS, FAULT_CLASSES, FAULT_COLUMNS

__all__ = ["inject", "FAULT_RATE", "DUPLICATE_RATE", "strip_diacritics"]

#: Share of persons receiving each record-level fault class (at least 3 each).
FAULT_RATE = 0.0004
#: Share of present persons that get a fuzzy duplicate record.
DUPLICATE_RATE = 0.015
#: Selection weight of a bad collaborator's households.
BAD_WEIGHT = 40.0

DAY = np.timedelta64(1, "D")


def strip_diacritics(s: str) -> str:
    """Vietnamese text without tone marks or diacritics.

    Examples
    --------
    >>> strip_diacritics("Nguyễn Thị Đào")
    'Nguyen Thi Dao'
    """
    s = s.replace("đ", "d").replace("Đ", "D")
    return "".join(c for c in unicodedata.normalize("NFD", s) if not unicodedata.combining(c))


def _typo(rng: np.random.Generator, name: str) -> str:
    parts = name.split(" ")
    g = parts[-1]
    if len(g) >= 3:
        i = int(rng.integers(0, len(g) - 1))
        g = g[:i] + g[i + 1] + g[i] + g[i + 2 :]
    else:
        g = g + g[-1]
    if g == parts[-1]:
        g = g + "h"
    parts[-1] = g
    return " ".join(parts)


def _cid_fix(cid: np.ndarray, sex: np.ndarray, year: np.ndarray) -> np.ndarray:
    """Re-encode digits 4-6 of citizen IDs to agree with sex and birth year."""
    out = cid.copy()
    for i in np.flatnonzero(pd.notna(cid)):
        c = str(cid[i])
        if len(c) == 12:
            d4 = (2 if year[i] >= 2000 else 0) + int(sex[i]) - 1
            out[i] = f"{c[:3]}{d4}{int(year[i]) % 100:02d}{c[6:]}"
    return out


class _Injector:
    def __init__(self, state, frames):
        self.state = state
        self.rng = state.rng
        self.win0 = np.datetime64(state.win0.date(), "D")
        self.export = np.datetime64(state.export.date(), "D")
        self.H = frames["households"].reset_index(drop=True)
        P = frames["persons"].reset_index(drop=True)
        P["birth_date"] = P["birth_date"].to_numpy().astype("datetime64[D]")
        self.P = P
        E = frames["events"].reset_index(drop=True)
        self.E = E
        self.frames = frames
        self.faults: list[tuple] = []
        self.used_hh = np.zeros(len(self.H), bool)
        self.used_person = np.zeros(len(P), bool)
        self.used_event = np.zeros(len(E), bool)
        self.extra_persons: list[pd.DataFrame] = []
        self.extra_households: list[pd.DataFrame] = []
        self.extra_events: list[pd.DataFrame] = []
        self.raw_dates: list[tuple[str, str]] = []  # (person_id, raw text)
        self.nfd_ids: list[str] = []
        cid = state.hh["collaborator_id"].to_numpy()
        self.hh_bad = state.collab["bad"].reindex(cid).to_numpy().astype(bool)
        n_present = int((P["status"] == 1).sum())
        self.n = max(3, int(round(FAULT_RATE * n_present)))
        self.mothers = set(P["mother_id"].dropna())
        self.is_mother = P["person_id"].isin(self.mothers).to_numpy()
        self.age = (self.export - self.bd()).astype("int64") / 365.25
        self._event_seq = 0

    # --- selection ---------------------------------------------------------
    def pick(self, mask: np.ndarray, n: int | None = None) -> np.ndarray:
        """Rows of persons (distinct, untouched households) among ``mask``."""
        n = self.n if n is None else n
        h = self.P["hh"].to_numpy()
        ok = np.flatnonzero(mask & ~self.used_hh[h] & ~self.used_person)
        if len(ok) == 0:
            return ok
        w = np.where(self.hh_bad[h[ok]], BAD_WEIGHT, 1.0)
        rows = ok[self._weighted_order(w, 20 * n + 20)]
        _, first = np.unique(h[rows], return_index=True)
        rows = rows[np.sort(first)][:n]
        self.used_hh[h[rows]] = True
        self.used_person[rows] = True
        return rows

    def _weighted_order(self, w: np.ndarray, k: int) -> np.ndarray:
        """Up to ``k`` positions drawn without replacement with weights ``w`` (exponential keys)."""
        keys = self.rng.exponential(1.0, len(w)) / w
        k = min(k, len(w))
        top = np.argpartition(keys, k - 1)[:k] if k < len(w) else np.arange(len(w))
        return top[np.argsort(keys[top], kind="stable")]

    def pick_hh(self, mask: np.ndarray, n: int | None = None) -> np.ndarray:
        n = self.n if n is None else n
        ok = np.flatnonzero(mask & ~self.used_hh)
        if len(ok) == 0:
            return ok
        w = np.where(self.hh_bad[ok], BAD_WEIGHT, 1.0)
        rows = ok[self._weighted_order(w, n)]
        self.used_hh[rows] = True
        self.used_person[np.isin(self.P["hh"].to_numpy(), rows)] = True
        return rows

    def pick_events(self, mask: np.ndarray, n: int | None = None) -> np.ndarray:
        n = self.n if n is None else n
        ok = np.flatnonzero(mask & ~self.used_event)
        if len(ok) == 0:
            return ok
        rows = ok[self.rng.choice(len(ok), size=min(n, len(ok)), replace=False)]
        self.used_event[rows] = True
        return rows

    def record(self, cls: str, table: str, ids, column: str | None, detail) -> None:
        ids = list(ids)
        details = detail if isinstance(detail, list | np.ndarray | pd.Series) else [detail] * len(ids)
        for rid, d in zip(ids, details, strict=True):
            self.faults.append((cls, table, str(rid), column, str(d)))

    def new_event_ids(self, n: int) -> np.ndarray:
        start = self._event_seq
        self._event_seq += n
        return np.array([f"EF{start + i + 1:07d}" for i in range(n)], dtype=object)

    # --- helpers -------------------------------------------------------------
    def bd(self) -> np.ndarray:
        return self.P["birth_date"].to_numpy().astype("datetime64[D]")

    @property
    def present(self) -> np.ndarray:
        return (self.P["status"] == 1).to_numpy()

    def rel(self) -> np.ndarray:
        return self.P["relation_to_head"].to_numpy()

    def set_birth(self, rows: np.ndarray, bd: np.ndarray) -> None:
        P = self.P
        bd = np.asarray(bd).astype("datetime64[D]")
        P.loc[rows, "birth_date"] = bd
        year = bd.astype("datetime64[Y]").astype(int) + 1970
        P.loc[rows, "birth_year"] = year
        P.loc[rows, "citizen_id"] = _cid_fix(
            P.loc[rows, "citizen_id"].to_numpy(dtype=object), P.loc[rows, "sex"].to_numpy(), year
        )
        self.age[rows] = (self.export - bd).astype("int64") / 365.25

    def set_col(self, rows: np.ndarray, col: str, values) -> None:
        self.P.loc[rows, col] = values

    # --- the fault classes --------------------------------------------------
    def person_faults(self) -> None:
        rng, P = self.rng, self.P
        pres, rel = self.present, self.rel()
        age = self.age
        hh_size = self.H["size"].to_numpy()[P["hh"].to_numpy()]
        not_mother = ~self.is_mother
        has_cid = P["citizen_id"].notna().to_numpy()

        rows = self.pick(pres)
        cols = np.array(["full_name", "sex", "birth_date"], dtype=object)[rng.integers(0, 3, len(rows))]
        for r, c in zip(rows, cols, strict=True):
            P.at[r, c] = None if c != "birth_date" else np.datetime64("NaT")
        self.record("missing_required", "persons", P.loc[rows, "person_id"], None, cols)

        for cls, col, values in (
            ("invalid_sex", "sex", [0, 3, 9]),
            ("invalid_relation", "relation_to_head", [0, 8, 9]),
            ("invalid_marital_status", "marital_status", [0, 6, 9]),
            ("invalid_education", "education_level", [7, 9, 10]),
            ("invalid_residence_status", "residence_status", [0, 4, 9]),
            ("invalid_status", "status", [0, 4, 9]),
        ):
            mask = pres & (rel >= 3) & not_mother
            rows = self.pick(mask)
            v = rng.choice(values, size=len(rows))
            self.set_col(rows, col, v)
            self.record(cls, "persons", P.loc[rows, "person_id"], col, v)
        rows = self.pick(pres)
        v = rng.choice(["00", "56", "99", "K"], size=len(rows))
        self.set_col(rows, "ethnicity_code", v)
        self.record("invalid_ethnicity", "persons", P.loc[rows, "person_id"], "ethnicity_code", v)

        rows = self.pick(pres & (rel >= 3))
        v = rng.choice(["00000", "99999", "26734", "25999"], size=len(rows))
        self.set_col(rows, "commune_code", v)
        self.record("unknown_commune", "persons", P.loc[rows, "person_id"], "commune_code", v)

        # dates
        rows = self.pick(pres & (age >= 1))
        years = P.loc[rows, "birth_year"].to_numpy()
        raw = np.where(
            rng.random(len(rows)) < 0.6,
            np.char.add("31/02/", years.astype(str)),
            rng.choice(["không rõ", "00/00/0000", "1980-13-45"], size=len(rows)),
        )
        self.set_col(rows, "birth_date", np.datetime64("NaT"))
        self.raw_dates += list(zip(P.loc[rows, "person_id"], raw, strict=True))
        self.record("unparseable_date", "persons", P.loc[rows, "person_id"], "birth_date", raw)

        rows = self.pick(pres & np.isin(rel, (3, 6)) & not_mother & (age < 30))
        bd = self.export + rng.integers(20, 400, len(rows)) * DAY
        self.set_birth(rows, bd)
        self.set_col(rows, "birth_date_precision", "day")
        self.record("future_birth_date", "persons", P.loc[rows, "person_id"], "birth_date", bd)

        male_parent = (rel == 5) & (P["sex"].to_numpy() == 1)
        single_head = (rel == 1) & (hh_size == 1)
        rows = self.pick(pres & not_mother & (male_parent | single_head))
        # whole calendar years back from the export date, then some days more: over 110 for sure
        years = rng.integers(111, 119, len(rows))
        anniversary = (np.datetime64(self.export, "D").astype("datetime64[M]")
                       - (years * 12).astype("timedelta64[M]")).astype("datetime64[D]")
        bd = anniversary - rng.integers(1, 300, len(rows)) * DAY
        self.set_birth(rows, bd)
        self.record("age_over_110", "persons", P.loc[rows, "person_id"], "birth_date", bd)

        # citizen ids
        rows = self.pick(pres & has_cid)
        cid = P.loc[rows, "citizen_id"].to_numpy(dtype=object)
        v = np.array([c + "0" if i % 2 else c + "12" for i, c in enumerate(cid)], dtype=object)
        self.set_col(rows, "citizen_id", v)
        self.record("cid_bad_length", "persons", P.loc[rows, "person_id"], "citizen_id", v)
        rows = self.pick(pres & has_cid)
        bad_prefix = rng.choice(["003", "009", "050", "099", "100"], size=len(rows))
        v = np.array([p + str(c)[3:] for p, c in zip(bad_prefix, P.loc[rows, "citizen_id"], strict=True)], dtype=object)
        self.set_col(rows, "citizen_id", v)
        self.record("cid_bad_province", "persons", P.loc[rows, "person_id"], "citizen_id", v)
        rows = self.pick(pres & has_cid)
        v = np.array([c[:3] + str(int(c[3]) ^ 1) + c[4:] for c in P.loc[rows, "citizen_id"]], dtype=object)
        self.set_col(rows, "citizen_id", v)
        self.record("cid_sex_century_mismatch", "persons", P.loc[rows, "person_id"], "citizen_id", v)
        rows = self.pick(pres & has_cid)
        shift = rng.integers(3, 10, len(rows))
        v = np.array(
            [c[:4] + f"{(int(c[4:6]) + s) % 100:02d}" + c[6:] for c, s in zip(P.loc[rows, "citizen_id"], shift, strict=True)],
            dtype=object,
        )
        self.set_col(rows, "citizen_id", v)
        self.record("cid_birth_year_mismatch", "persons", P.loc[rows, "person_id"], "citizen_id", v)
        # duplicate citizen id: two persons of the same sex and birth year
        rows = self.pick(pres & has_cid & (age >= 15))
        donors = []
        keyed = P[pres & has_cid & ~self.used_person].assign(_r=lambda d: d.index)
        groups = keyed.groupby(["sex", "birth_year"])["_r"].first()
        keep = []
        for r in rows:
            key = (P.at[r, "sex"], P.at[r, "birth_year"])
            if key in groups.index and groups[key] != r:
                donors.append(groups[key])
                keep.append(r)
        rows = np.array(keep, dtype=int)
        donors = np.array(donors, dtype=int)  # type: ignore[assignment]
        v = P.loc[donors, "citizen_id"].to_numpy(dtype=object)
        self.set_col(rows, "citizen_id", v)
        self.used_person[donors] = True
        self.record("duplicate_citizen_id", "persons", P.loc[rows, "person_id"], "citizen_id",
                    list(P.loc[donors, "person_id"]))
        # the donor now shares its ID too: a check must flag both records
        self.record("duplicate_citizen_id", "persons", P.loc[donors, "person_id"], "citizen_id",
                    list(P.loc[rows, "person_id"]))

    def structure_faults(self) -> None:
        rng, P, H = self.rng, self.P, self.H
        rel, pres = self.rel(), self.present
        h = P["hh"].to_numpy()
        hh_size = H["size"].to_numpy()
        has_spouse = np.zeros(len(H), bool)
        has_spouse[h[(rel == 2) & pres]] = True
        has_inlaw = np.zeros(len(H), bool)
        has_inlaw[h[(rel == 4) & pres]] = True
        head_row = np.full(len(H), -1)
        head_row[h[rel == 1]] = np.flatnonzero(rel == 1)
        spouse_row = np.full(len(H), -1)
        spouse_row[h[rel == 2]] = np.flatnonzero(rel == 2)
        inlaw_row = np.full(len(H), -1)
        inlaw_row[h[rel == 4]] = np.flatnonzero(rel == 4)
        hid = H["household_id"].to_numpy()

        hs = self.pick_hh(hh_size >= 2)
        self.set_col(head_row[hs], "relation_to_head", 7)
        self.record("no_head", "households", hid[hs], "relation_to_head", "head recorded as other")
        hs = self.pick_hh(has_spouse)
        self.set_col(spouse_row[hs], "relation_to_head", 1)
        self.record("two_heads", "households", hid[hs], "relation_to_head", "spouse recorded as head")
        hs = self.pick_hh(has_inlaw)
        self.set_col(inlaw_row[hs], "relation_to_head", 2)
        self.record("two_spouses", "households", hid[hs], "relation_to_head", "child-in-law recorded as spouse")

        sex = P["sex"].to_numpy()
        single_never = (rel == 1) & (hh_size[h] == 1) & (P["marital_status"].to_numpy() == 1) & pres
        for cls, lo, hi in (("head_under_15", 8, 15), ("head_under_18", 15, 18)):
            rows = self.pick(single_never)
            a = rng.integers(lo, hi, len(rows))
            bd = self.export - (a * 365.25 + rng.integers(1, 300, len(rows))).astype(int) * DAY
            self.set_birth(rows, bd)
            self.set_col(rows, "education_level", np.minimum(a // 4, 3))
            self.record(cls, "persons", P.loc[rows, "person_id"], "birth_date", a)
        # spouse under the legal age: childless couples
        couple2 = np.zeros(len(H), bool)
        couple2[h[(rel == 2)]] = hh_size[h[rel == 2]] == 2
        rows = self.pick((rel == 2) & couple2[h] & pres & ~self.is_mother)
        a = np.where(sex[rows] == 1, rng.integers(16, 20, len(rows)), rng.integers(15, 18, len(rows)))
        bd = self.export - (a * 365.25 + rng.integers(1, 300, len(rows))).astype(int) * DAY
        self.set_birth(rows, bd)
        self.record("spouse_under_age", "persons", P.loc[rows, "person_id"], "birth_date", a)
        # own child older than the head
        rows = self.pick((rel == 3) & pres & ~self.is_mother & (P["marital_status"].to_numpy() == 1))
        head_bd = self.bd()[head_row[h[rows]]]
        bd = head_bd - rng.integers(200, 2000, len(rows)) * DAY
        self.set_birth(rows, bd)
        self.set_col(rows, "mother_id", None)
        self.set_col(rows, "birth_date_precision", "day")
        self.record("child_older_than_head", "persons", P.loc[rows, "person_id"], "birth_date", "")
        # parent of head younger than the head (male parents: nobody's mother)
        rows = self.pick((rel == 5) & (sex == 1) & pres)
        head_bd = self.bd()[head_row[h[rows]]]
        bd = head_bd + rng.integers(365, 3650, len(rows)) * DAY
        self.set_birth(rows, bd)
        self.set_col(rows, "birth_date_precision", "day")
        self.record("parent_younger_than_head", "persons", P.loc[rows, "person_id"], "birth_date", "")
        # mother too old at the birth: grandchild pointed at the grandmother
        fem_couple = np.full(len(H), -1)
        fem_rows = np.flatnonzero(np.isin(rel, (1, 2)) & (sex == 2))
        fem_couple[h[fem_rows]] = fem_rows
        gm = fem_couple[h]
        gap = np.where(
            gm >= 0,
            (self.bd() - self.bd()[np.maximum(gm, 0)]).astype("int64") / 365.25,
            0,
        )
        rows = self.pick((rel == 6) & pres & (gm >= 0) & (gap > 57))
        self.set_col(rows, "mother_id", P["person_id"].to_numpy()[gm[rows]])
        self.record("mother_age_out_of_range", "persons", P.loc[rows, "person_id"], "mother_id",
                    np.round(gap[rows], 1))
        # orphan persons
        rows = self.pick(pres & (rel == 7) | pres & (rel == 3) & ~self.is_mother & (hh_size[h] >= 3))
        v = np.array([str(x)[:5] + "9" + str(x)[6:] + "X" for x in P.loc[rows, "household_id"]], dtype=object)
        self.set_col(rows, "household_id", v)
        self.record("orphan_person", "persons", P.loc[rows, "person_id"], "household_id", v)
        # empty households: extra households with no member
        src = H.iloc[self.rng.choice(len(H), size=self.n, replace=False)].copy()
        src["household_id"] = [f"{c}9{i:04d}E" for i, c in enumerate(src["commune_code"])]
        self.extra_households.append(src)
        self.record("empty_household", "households", src["household_id"], None, "")
        # duplicate household id: a second row with the same id, another address
        hs = self.pick_hh(np.ones(len(H), bool))
        dup = H.iloc[hs].copy()
        dup["address"] = ["Số " + str(x) for x in rng.integers(400, 900, len(dup))]
        self.extra_households.append(dup)
        self.record("duplicate_household_id", "households", dup["household_id"], "household_id", "")
        # duplicate person id: the same row twice, edited later
        rows = self.pick(pres & ~self.is_mother & (rel >= 3))
        dup = P.loc[rows].copy()
        dup["updated_at_shift"] = True
        self.extra_persons.append(dup)
        self.record("duplicate_person_id", "persons", dup["person_id"], "person_id", "")

    def commune_faults(self) -> None:
        H, rng = self.H, self.rng
        units = geo.legacy_units(None)
        units = units[units["province_code"].isin(self.state.province_code.split(","))].reset_index(drop=True)
        hs = self.pick_hh(np.ones(len(H), bool))
        d = H["district_code"].to_numpy()[hs]
        v = []
        for dist in d:
            others = units.loc[units["district_code"] != dist, "commune_code"].to_numpy()
            v.append(others[rng.integers(len(others))])
        H.loc[hs, "commune_code"] = v
        self.record("commune_not_in_district", "households", H["household_id"].to_numpy()[hs], "commune_code", v)

    def history_faults(self) -> None:
        P, E, rng = self.P, self.E, self.rng
        st = P["status"].to_numpy()
        rows = self.pick(st == 2)
        self.set_col(rows, "status", 1)
        self.record("dead_still_present", "persons", P.loc[rows, "person_id"], "status", 1)
        rows = self.pick(st == 3)
        self.set_col(rows, "status", 1)
        self.record("move_out_status_not_changed", "persons", P.loc[rows, "person_id"], "status", 1)
        # double death: a second death event for a dead person
        rows = self.pick(st == 2)
        de = E[E["event_type"] == "death"].drop_duplicates("person_id").set_index("person_id")
        pids = [p for p in P.loc[rows, "person_id"] if p in de.index]
        new = de.loc[pids].reset_index()
        new["event_date"] = np.minimum(
            new["event_date"].to_numpy().astype("datetime64[D]") + rng.integers(5, 40, len(new)) * DAY, self.export
        )
        new["recorded_date"] = np.minimum(new["event_date"].to_numpy().astype("datetime64[D]") + 3 * DAY, self.export)
        new["event_id"] = self.new_event_ids(len(new))
        self.extra_events.append(new)
        self.record("double_death", "events", new["event_id"], "event_type", "")

    def event_faults(self) -> None:
        E, rng = self.E, self.rng
        et = E["event_type"].to_numpy()
        ed = E["event_date"].to_numpy().astype("datetime64[D]")
        cc = np.isin(et, ("contraception_change", "move_in", "marriage"))
        rows = self.pick_events(et == "contraception_change")
        v = rng.choice(["other", "birthday", "chuyển đi", "sinh"], size=len(rows))
        E.loc[rows, "event_type"] = v
        self.record("invalid_event_type", "events", E.loc[rows, "event_id"], "event_type", v)
        rows = self.pick_events(cc & (ed > self.win0 + 25 * DAY))
        rec = ed[rows] - rng.integers(1, 20, len(rows)) * DAY
        E.loc[rows, "recorded_date"] = rec
        self.record("recorded_before_event", "events", E.loc[rows, "event_id"], "recorded_date", rec)
        rows = self.pick_events(et != "birth")
        late = rng.integers(35, 200, len(rows))
        rec = np.minimum(ed[rows] + late * DAY, self.export)
        ok = (rec - ed[rows]).astype("int64") > 30
        rows, rec = rows[ok], rec[ok]
        if len(rows) < 3:  # events late in the year: move the event back
            extra = self.pick_events(et != "birth", 3)
            ed2 = self.export - rng.integers(60, 200, len(extra)) * DAY
            ed2 = np.maximum(ed2, self.win0)
            E.loc[extra, "event_date"] = ed2
            rows = np.concatenate([rows, extra])
            rec = np.concatenate([rec, np.minimum(ed2 + 45 * DAY, self.export)])
        E.loc[rows, "recorded_date"] = rec
        self.record("late_record", "events", E.loc[rows, "event_id"], "recorded_date",
                    (rec - E.loc[rows, "event_date"].to_numpy().astype("datetime64[D]")).astype("int64"))
        rows = self.pick_events(cc)
        ed2 = self.win0 - rng.integers(40, 400, len(rows)) * DAY
        E.loc[rows, "event_date"] = ed2
        E.loc[rows, "recorded_date"] = ed2 + rng.integers(0, 10, len(rows)) * DAY
        self.record("event_outside_period", "events", E.loc[rows, "event_id"], "event_date", ed2)
        # events of unknown persons (non-birth) and births whose child is missing
        rows = self.pick_events(cc)
        new = E.loc[rows].copy()
        new["person_id"] = [str(p)[:-2] + "97" for p in new["person_id"]]
        new["event_id"] = self.new_event_ids(len(new))
        self.extra_events.append(new)
        self.record("event_unknown_person", "events", new["event_id"], "person_id", new["person_id"])
        rows = self.pick_events(et == "birth")
        new = E.loc[rows].copy()
        new["person_id"] = [str(p)[:-2] + "96" for p in new["person_id"]]
        new["event_id"] = self.new_event_ids(len(new))
        self.extra_events.append(new)
        self.record("birth_child_missing", "events", new["event_id"], "person_id", new["person_id"])

    def unit_faults(self) -> None:
        """Commune-level anomalies: an event spike, elderly age heaping, a skewed sex ratio at birth."""
        P, E, rng = self.P, self.E, self.rng
        communes = self.state.counts["commune_code"].to_numpy()
        k = min(2, len(communes))
        chosen = rng.choice(communes, size=min(3 * k, len(communes)), replace=False)
        spike, heap, srb = chosen[:k], chosen[k : 2 * k] if len(chosen) >= 2 * k else chosen[:k], chosen[-k:]
        # spike: many contraception updates in one month (a batch re-entry)
        month = self.export.astype("datetime64[M]") - 2
        for c in spike:
            monthly = max(int((E["commune_code"] == c).sum() / 12), 1)
            extra = 5 * monthly + 15
            women = np.flatnonzero((P["commune_code"] == c).to_numpy() & P["is_woman_fp"].to_numpy() & ~self.used_person)
            if len(women) == 0:
                continue
            pick = rng.choice(women, size=extra, replace=True)
            hh_rows = P["hh"].to_numpy()[pick]
            d = month.astype("datetime64[D]") + rng.integers(0, 28, extra) * DAY
            new = pd.DataFrame({
                "event_type": "contraception_change",
                "person_id": P["person_id"].to_numpy()[pick],
                "household_id": P["household_id"].to_numpy()[pick],
                "province_code": P["province_code"].to_numpy()[pick],
                "district_code": P["district_code"].to_numpy()[pick],
                "commune_code": c,
                "event_date": d,
                "recorded_date": np.minimum(d + rng.integers(0, 5, extra) * DAY, self.export),
                "collaborator_id": self.H["collaborator_id"].to_numpy()[hh_rows],
                "mother_id": None, "other_commune_code": None,
                "entry_channel": "web",
                "hh": hh_rows,
            })
            new["event_id"] = self.new_event_ids(extra)
            self.extra_events.append(new)
            self.record("monthly_count_outlier", "units", [c], None, f"{str(month)}: +{extra} events")
        # heaping: elderly ages rounded to multiples of 5, year-only dates
        for c in heap:
            rows = np.flatnonzero((P["commune_code"] == c).to_numpy() & (self.age >= 60) & (P["status"] == 1).to_numpy()
                                  & ~self.used_person & (rng.random(len(P)) < 0.8))
            a = np.round(self.age[rows] / 5) * 5
            year = self.export.astype("datetime64[Y]").astype(int) + 1970 - a.astype(int)
            bd = (year - 1970).astype("datetime64[Y]").astype("datetime64[D]")
            self.set_birth(rows, bd)
            self.set_col(rows, "birth_date_precision", "year")
            self.used_person[rows] = True
            self.record("age_heaping", "units", [c], None, f"{len(rows)} elderly ages on multiples of 5")
        # sex ratio at birth: girls born in the year recorded as boys
        for c in srb:
            rows = np.flatnonzero((P["commune_code"] == c).to_numpy() & (self.age < 3) & (P["sex"] == 2).to_numpy()
                                  & ~self.used_person & ~self.is_mother)
            rows = rows[rng.random(len(rows)) < 0.8]
            self.set_col(rows, "sex", 1)
            sex = np.ones(len(rows), int)
            P.loc[rows, "full_name"] = [
                f"{n.split(' ')[0]} {m} {g}" for n, m, g in zip(P.loc[rows, "full_name"], draw_middle(rng, sex), draw_given(rng, sex), strict=True)
            ]
            P.loc[rows, "citizen_id"] = _cid_fix(P.loc[rows, "citizen_id"].to_numpy(dtype=object), sex,
                                                  P.loc[rows, "birth_year"].to_numpy())
            self.used_person[rows] = True
            self.record("sex_ratio_at_birth", "units", [c], None, f"{len(rows)} girls under 3 recorded as boys")

    # --- duplicates and look-alikes --------------------------------------------
    def lookalikes(self) -> pd.DataFrame:
        P, rng, rel = self.P, self.rng, self.rel()
        pres = self.present
        out = []
        h = P["hh"].to_numpy()
        # twins: two own children of a mother, same birth date, same surname and (same sex)
        # middle name, different given names; about 0.3% of persons are such a pair, as many
        # twins still live with their mother (twin births ~1 in 100 in Vietnam)
        kids = np.flatnonzero((rel == 3) & pres & P["mother_id"].notna().to_numpy() & ~self.used_person
                              & ~self.used_hh[h] & ~self.is_mother & (self.age >= 1.5) & (self.age < 30))
        nxt = kids[1:][(h[kids[1:]] == h[kids[:-1]]) & (kids[1:] == kids[:-1] + 1)]
        n_tw = max(3, int(round(self.n * 7.5)))
        pairs = rng.permutation(nxt)[:n_tw]
        pairs = pairs[np.unique(h[pairs], return_index=True)[1]]
        # the new birth dates are set once after the loop: a ``.loc`` write per pair costs a pass
        # over the whole persons frame (thousands of pairs at full scale); nothing in the loop reads
        # a younger twin's date, year, citizen ID or age
        twin_rows: list[int] = []
        bd_now = self.bd()
        for younger in pairs:
            elder = younger - 1
            if self.used_person[elder] or self.used_person[younger]:
                continue
            twin_rows.append(younger)
            P.at[younger, "birth_date_precision"] = P.at[elder, "birth_date_precision"]
            parts = P.at[younger, "full_name"].split(" ")
            eparts = P.at[elder, "full_name"].split(" ")
            eg = eparts[-1]
            if P.at[younger, "sex"] == P.at[elder, "sex"] and len(parts) > 2 and len(eparts) > 2:
                parts = [parts[0], *eparts[1:-1], parts[-1]]
            if parts[-1] == eg:
                parts[-1] = other_given(np.array([eg], dtype=object), np.array([P.at[younger, "sex"]]))[0]
                P.at[younger, "full_name"] = " ".join(parts)
            self.used_person[[elder, younger]] = True
            out.append((P.at[elder, "person_id"], P.at[younger, "person_id"], "twins"))
        if twin_rows:
            rows = np.array(twin_rows, dtype=np.int64)
            self.set_birth(rows, bd_now[rows - 1])
        # namesakes: adults of the same commune, sex and birth year, same full name
        cand = P[pres & ~self.used_person & (self.age >= 25) & (self.age < 70) & (rel == 1)]
        cand = cand.assign(_r=cand.index).sort_values(["commune_code", "sex", "birth_year", "_r"])
        same = (cand["commune_code"].to_numpy()[1:] == cand["commune_code"].to_numpy()[:-1]) & (
            cand["sex"].to_numpy()[1:] == cand["sex"].to_numpy()[:-1]
        ) & (np.abs(cand["birth_year"].to_numpy()[1:] - cand["birth_year"].to_numpy()[:-1]) <= 1)
        idx = np.flatnonzero(same)
        idx = idx[np.concatenate([[True], np.diff(idx) > 1])] if len(idx) else idx
        idx = rng.permutation(idx)[: max(3, self.n * 2)]
        r = cand["_r"].to_numpy()
        for i in idx:
            a, b = r[i], r[i + 1]
            if self.used_person[a] or self.used_person[b]:
                continue
            P.at[b, "full_name"] = P.at[a, "full_name"]
            self.used_person[[a, b]] = True
            out.append((P.at[a, "person_id"], P.at[b, "person_id"], "namesakes"))
        # elderly with year-only dates, the same common name and birth year
        cand = P[pres & ~self.used_person & (P["birth_date_precision"] == "year").to_numpy() & (rel != 1)]
        cand = cand.assign(_r=cand.index).sort_values(["district_code", "sex", "birth_year", "_r"])
        same = (cand["district_code"].to_numpy()[1:] == cand["district_code"].to_numpy()[:-1]) & (
            cand["sex"].to_numpy()[1:] == cand["sex"].to_numpy()[:-1]
        ) & (cand["birth_year"].to_numpy()[1:] == cand["birth_year"].to_numpy()[:-1])
        idx = np.flatnonzero(same)
        idx = idx[np.concatenate([[True], np.diff(idx) > 1])] if len(idx) else idx
        idx = rng.permutation(idx)[: max(3, self.n * 2)]
        for i in idx:
            a, b = cand["_r"].to_numpy()[i], cand["_r"].to_numpy()[i + 1]
            if self.used_person[a] or self.used_person[b]:
                continue
            sx = P.at[a, "sex"]
            name = "Nguyễn " + ("Văn Hùng" if sx == 1 else "Thị Lan")
            P.at[a, "full_name"] = name
            P.at[b, "full_name"] = name
            self.used_person[[a, b]] = True
            out.append((P.at[a, "person_id"], P.at[b, "person_id"], "year_only_elders"))
        out += self._triplets_and_namesake_children()
        return pd.DataFrame(out, columns=["person_id_l", "person_id_r", "kind"])

    def _triplets_and_namesake_children(self) -> list[tuple[str, str, str]]:
        """Triplets, and a parent and child of one household with one full name.

        Drawn from their own random stream, so the kinds above and every later fault keep
        the draws they had before these kinds existed.
        """
        P, pres = self.P, self.present
        rng = np.random.default_rng([len(P), 15])
        rel, h = self.rel(), P["hh"].to_numpy()
        out: list[tuple[str, str, str]] = []
        # triplets: three consecutive own children of one household, one date, three given names
        kids = np.flatnonzero((rel == 3) & pres & P["mother_id"].notna().to_numpy() & ~self.used_person
                              & ~self.used_hh[h] & ~self.is_mother & (self.age >= 1.5) & (self.age < 30))
        ok = (h[kids[2:]] == h[kids[:-2]]) & (kids[2:] == kids[:-2] + 2) & (h[kids[1:-1]] == h[kids[:-2]])
        firsts = rng.permutation(kids[:-2][ok])[: max(2, int(round(self.n * 0.4)))]
        # dates set once after the loop (see the twins above); names read here never change there
        trio_rows: list[int] = []
        trio_firsts: list[int] = []
        bd_now = self.bd()
        for first in firsts:
            trio = np.array([first, first + 1, first + 2])
            if self.used_person[trio].any():
                continue
            trio_rows += [first + 1, first + 2]
            trio_firsts += [first, first]
            for k in (1, 2):
                P.at[first + k, "birth_date_precision"] = P.at[first, "birth_date_precision"]
            names = [P.at[i, "full_name"].split(" ") for i in trio]
            seen = {names[0][-1]}
            for k in (1, 2):
                g = names[k][-1]
                while g in seen:
                    g = other_given(np.array([g], dtype=object), np.array([P.at[trio[k], "sex"]]))[0]
                seen.add(g)
                if P.at[trio[k], "sex"] == P.at[first, "sex"] and len(names[0]) > 2 and len(names[k]) > 2:
                    names[k] = [names[k][0], *names[0][1:-1], g]
                else:
                    names[k][-1] = g
                P.at[trio[k], "full_name"] = " ".join(names[k])
            self.used_person[trio] = True
            ids = [P.at[i, "person_id"] for i in trio]
            out += [(ids[0], ids[1], "triplets"), (ids[0], ids[2], "triplets"), (ids[1], ids[2], "triplets")]
        if trio_rows:
            self.set_birth(np.array(trio_rows, dtype=np.int64), bd_now[np.array(trio_firsts, dtype=np.int64)])
        # a daughter named exactly as her mother, in the mother's household
        pid_row = pd.Series(np.arange(len(P)), index=P["person_id"].to_numpy())
        pid_row = pid_row[~pid_row.index.duplicated()]
        mrow = pid_row.reindex(P["mother_id"].to_numpy()).to_numpy()
        has = ~np.isnan(mrow)
        mr = np.where(has, mrow, 0).astype(int)
        cand = np.flatnonzero(has & pres & (P["sex"].to_numpy() == 2) & ~self.used_person & (self.age >= 1)
                              & (h == h[mr]) & ~self.used_person[mr] & pres[mr])
        for c in rng.permutation(cand)[: max(3, self.n * 2)]:
            m = mr[c]
            if self.used_person[c] or self.used_person[m]:
                continue
            P.at[c, "full_name"] = P.at[m, "full_name"]
            self.used_person[[c, m]] = True
            out.append((P.at[m, "person_id"], P.at[c, "person_id"], "parent_child_same_name"))
        return out

    def _movers_change_more(self, variations: list[str]) -> list[str]:
        """A record entered again after a move often lost its ID and carries another slip.

        Of the duplicates that moved household, 60% also lose the citizen ID and 30% get a
        further change (day and month swapped, one year off or a typo), from their own random
        stream (the other draws stay as they were).
        """
        rng = np.random.default_rng([len(variations), 16])
        out = []
        extra = np.array(["swapped_day_month", "one_year_off", "typo"], dtype=object)
        for v in variations:
            parts = v.split("+")
            u1, u2, k = rng.random(), rng.random(), int(rng.integers(0, len(extra)))
            if "moved_household" in parts:
                if u1 < 0.6 and "missing_id" not in parts:
                    parts.append("missing_id")
                if u2 < 0.3 and extra[k] not in parts:
                    parts.append(str(extra[k]))
            out.append("+".join(parts))
        return out

    def _retyped_attributes(self, dup: pd.DataFrame) -> None:
        """A record entered again is written again: its education and marital status are not always
        the first record's. Of the adult duplicates, 10% have an education one level off (25 and
        over) and 8% another marital status (18 and over: married since, or a slip), from their own
        random stream (the other draws stay as they were), so that the linkage's lesser identifiers
        are not tested on copies only."""
        if not {"education_level", "marital_status"} <= set(dup.columns) or not len(dup):
            return
        rng = np.random.default_rng([len(dup), 17])
        year = int(str(np.datetime64(self.export, "Y")))
        age = year - dup["birth_year"].to_numpy()
        edu = pd.to_numeric(dup["education_level"], errors="coerce").to_numpy(dtype=float)
        u1, u2, step = rng.random(len(dup)), rng.random(len(dup)), rng.choice([-1, 1], size=len(dup))
        shift = (u1 < 0.10) & (age >= 25) & (edu >= 0) & (edu <= 6)
        new_edu = np.clip(edu + step, 0, 6)
        new_edu = np.where(new_edu == edu, edu - step, new_edu)
        dup["education_level"] = pd.array(np.where(shift, new_edu, edu), dtype="Float64").round().astype("Int64")
        mar = pd.to_numeric(dup["marital_status"], errors="coerce").to_numpy(dtype=float)
        other = np.where(mar == 1, 2, np.where(mar == 2, rng.choice([1, 3, 4], size=len(dup)), 2))
        change = (u2 < 0.08) & (age >= 18) & (mar >= 1) & (mar <= 5)
        dup["marital_status"] = pd.array(np.where(change, other, mar), dtype="Float64").round().astype("Int64")

    def duplicates(self) -> pd.DataFrame:
        P, rng, H = self.P, self.rng, self.H
        pres = self.present
        n_dup = max(3 * len(DUPLICATE_VARIATIONS), int(round(DUPLICATE_RATE * pres.sum())))
        ok = np.flatnonzero(pres & ~self.used_person & ~self.is_mother & P["full_name"].notna().to_numpy()
                            & ~np.isnat(P["birth_date"].to_numpy().astype("datetime64[D]")))
        rows = rng.choice(ok, size=min(n_dup, len(ok)), replace=False)
        self.used_person[rows] = True
        n = len(rows)
        # every variation at least three times, the rest drawn
        base = np.array(DUPLICATE_VARIATIONS, dtype=object)
        var = np.concatenate([np.repeat(base, 3), rng.choice(base, size=max(n - 3 * len(base), 0))])[:n]
        var = rng.permutation(var)
        # some carry a second variation
        second = rng.choice(np.array(["no_diacritics", "typo", "missing_id", "year_only", "moved_household"], dtype=object), size=n)
        combo = (rng.random(n) < 0.25) & (var != "exact") & (second != var)
        dup = P.loc[rows].copy().reset_index(drop=True)
        dup["original_person_id"] = dup["person_id"].to_numpy()
        variations = [v + ("+" + s if c else "") for v, s, c in zip(var, second, combo, strict=True)]
        variations = self._movers_change_more(variations)
        bd = dup["birth_date"].to_numpy().astype("datetime64[D]")
        names = dup["full_name"].to_numpy(dtype=object).copy()
        cid = dup["citizen_id"].to_numpy(dtype=object).copy()
        prec = dup["birth_date_precision"].to_numpy(dtype=object).copy()
        hh_rows = dup["hh"].to_numpy().copy()
        rel_d = dup["relation_to_head"].to_numpy().copy()
        rel_d = np.where(np.isin(rel_d, (1, 2, 4, 5)), 7, rel_d)
        nfd_idx = []
        for i, vs in enumerate(variations):
            for v in vs.split("+"):
                if v == "no_diacritics":
                    names[i] = strip_diacritics(names[i])
                elif v == "nfd":
                    nfd_idx.append(i)
                elif v == "typo":
                    names[i] = _typo(rng, names[i])
                elif v == "dropped_middle_name":
                    p = names[i].split(" ")
                    names[i] = " ".join([p[0], p[-1]]) if len(p) > 2 else names[i]
                elif v == "uppercase":
                    names[i] = names[i].upper()
                elif v == "swapped_day_month":
                    y, m, d = (int(x) for x in str(bd[i]).split("-"))
                    if d <= 12 and d != m:
                        bd[i] = np.datetime64(f"{y:04d}-{d:02d}-{m:02d}")
                    else:
                        bd[i] = np.datetime64(f"{y:04d}-{m:02d}-{min(d, 12) if min(d, 12) != m else (m % 12) + 1:02d}")
                        bd[i] = np.datetime64(f"{y:04d}-{int(str(bd[i])[8:10]):02d}-{m:02d}")
                    prec[i] = "day"
                elif v == "year_only":
                    bd[i] = bd[i].astype("datetime64[Y]").astype("datetime64[D]")
                    prec[i] = "year"
                elif v == "one_year_off":
                    y = int(str(bd[i])[:4]) + (1 if rng.random() < 0.5 else -1)
                    s = str(bd[i])
                    bd[i] = np.datetime64(f"{y:04d}{s[4:7]}-{min(int(s[8:10]), 28):02d}")
                    cid[i] = None  # a different year would also make the ID inconsistent
                elif v == "moved_household":
                    hh_rows[i] = -1
                elif v == "missing_id":
                    cid[i] = None
        # future or out-of-window consequences are avoided: births stay before the window
        bd = np.minimum(bd, self.export)
        moved = np.flatnonzero(hh_rows < 0)
        same_commune = rng.random(len(moved)) < 0.7
        commune_of = H["commune_code"].to_numpy()
        orig_hh = dup["hh"].to_numpy()[moved]
        newh = rng.integers(0, len(H), len(moved))
        # prefer another household of the same commune
        by_commune = pd.Series(np.arange(len(H))).groupby(commune_of).apply(np.array)
        for j, (oh, sc) in enumerate(zip(orig_hh, same_commune, strict=True)):
            if sc:
                pool = by_commune[commune_of[oh]]
                if len(pool) > 1:
                    cand = pool[rng.integers(len(pool))]
                    newh[j] = cand if cand != oh else pool[(np.searchsorted(pool, oh) + 1) % len(pool)]
        hh_rows[moved] = newh
        dup["hh"] = hh_rows
        rel_d[moved] = 7
        dup["relation_to_head"] = rel_d
        dup["household_id"] = H["household_id"].to_numpy()[hh_rows]
        for c in ("province_code", "district_code", "commune_code"):
            dup[c] = H[c].to_numpy()[hh_rows]
        seq = pd.Series(hh_rows).groupby(hh_rows).cumcount().to_numpy() + 60
        dup["person_id"] = [f"{h}{s:02d}" for h, s in zip(dup["household_id"], seq, strict=True)]
        dup["full_name"] = names
        dup["birth_date"] = bd
        dup["birth_year"] = bd.astype("datetime64[Y]").astype(int) + 1970
        dup["birth_date_precision"] = prec
        dup["citizen_id"] = cid
        self._retyped_attributes(dup)
        dup["mother_id"] = np.where(np.isin(np.arange(n), moved), None, dup["mother_id"].to_numpy(dtype=object))
        dup["dup_shift"] = True
        self.extra_persons.append(dup.drop(columns=["original_person_id"]))
        self.nfd_ids += [dup.at[i, "person_id"] for i in nfd_idx]
        return pd.DataFrame({"person_id": dup["person_id"], "original_person_id": dup["original_person_id"],
                             "variation": variations})


def inject(state, frames):
    """Inject every fault class, duplicates and look-alikes into the clean frames.

    Returns ``frames, faults, duplicates, hard_nonduplicates, raw_text, parse_issues``.
    """
    inj = _Injector(state, frames)
    hard = inj.lookalikes()
    inj.unit_faults()
    inj.structure_faults()
    inj.person_faults()
    inj.commune_faults()
    inj.history_faults()
    inj.event_faults()
    dups = inj.duplicates()
    P = pd.concat([inj.P, *inj.extra_persons], ignore_index=True)
    shift = np.zeros(len(P), bool)
    for col in ("dup_shift", "updated_at_shift"):
        if col in P:
            shift |= P[col].to_numpy(dtype=object) == True  # noqa: E712
    upd = P["updated_at"].to_numpy().astype("datetime64[s]")
    P["updated_at"] = np.where(shift, upd + np.timedelta64(3600, "s"), upd)
    P = P.sort_values(["household_id", "person_id"], kind="stable").reset_index(drop=True)
    H = pd.concat([inj.H, *inj.extra_households], ignore_index=True)
    H = H.sort_values("household_id", kind="stable").reset_index(drop=True)
    E = pd.concat([inj.E, *inj.extra_events], ignore_index=True)
    E = E.sort_values(["recorded_date", "event_id"], kind="stable").reset_index(drop=True)
    # raw text the typed frame cannot hold
    pos = pd.Series(np.arange(len(P)), index=P["person_id"])
    pos = pos[~pos.index.duplicated()]
    raw_text: dict[str, list] = {}
    issues = pd.DataFrame(columns=ISSUE_COLUMNS)
    if inj.raw_dates:
        ids = [p for p, _ in inj.raw_dates]
        vals = np.array([v for _, v in inj.raw_dates], dtype=object)
        rows = pos.reindex(ids).to_numpy()
        raw_text.setdefault("persons", []).append(("birth_date", rows, vals))
        issues = pd.DataFrame({
            "table": "persons", "row": rows + 2, "record_id": ids, "column": "birth_date",
            "value": vals, "problem": "not a valid date",
        }).sort_values("row").reset_index(drop=True)
    if inj.nfd_ids:
        rows = pos.reindex(inj.nfd_ids).to_numpy()
        vals = np.array([unicodedata.normalize("NFD", n) for n in P["full_name"].to_numpy()[rows]], dtype=object)
        raw_text.setdefault("persons", []).append(("full_name", rows, vals))
    faults = pd.DataFrame(inj.faults, columns=list(FAULT_COLUMNS))
    missing = set(FAULT_CLASSES) - set(faults["fault_class"])
    if missing:
        import logging

        logging.getLogger(__name__).warning("fault classes not injected (too small a sample): %s", sorted(missing))
    frames = {"households": H, "persons": P, "events": E, **{k: v for k, v in frames.items() if k not in ("households", "persons", "events")}}
    return frames, faults, dups, hard, raw_text, issues

