"""Event coverage on hand-made registers: removals, matching, units, reliability, pooling, shares."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from popqa.io import Register
from popqa.reconcile import (
    ReconcileConfig,
    chapman,
    event_coverage,
    insurance_coverage,
    resident_coverage,
)
from popqa.reconcile.coverage import event_records, wilson

A, B = "25654", "25657"  # two communes of district 710 (Tây Ninh, 72)
C = "25681"  # a commune of district 711
OUT = "00001"  # a commune of another province (Hà Nội)


def _register(n_births: dict[str, tuple[int, int, int]], extra_events=None, extra_civil=None, residents=None,
              insurance=None) -> tuple[Register, dict[str, pd.DataFrame]]:
    """Per commune (n_register_only, n_both, n_civil_only) births in 2026."""
    ev, civ, links, persons = [], [], [], []
    i = 0
    for com, (r_only, both, c_only) in n_births.items():
        for kind, k in (("r", r_only), ("b", both), ("c", c_only)):
            for _ in range(k):
                i += 1
                pid = f"P{i:05d}"
                date = pd.Timestamp("2026-03-01") + pd.Timedelta(days=i % 200)
                if kind in ("r", "b"):
                    ev.append({"event_id": f"E{i:05d}", "event_type": "birth", "person_id": pid,
                               "commune_code": com, "event_date": date, "recorded_date": date})
                    persons.append({"person_id": pid, "household_id": "H1", "status": 1, "residence_status": 1,
                                    "commune_code": com})
                if kind in ("b", "c"):
                    civ.append({"registration_id": f"KS{i:05d}", "commune_code": com, "birth_date": date,
                                "registration_date": date})
                    links.append({"source_id": f"KS{i:05d}", "person_id": pid if kind == "b" else pd.NA})
    ev += extra_events or []
    civ += extra_civil or []
    for e in extra_events or []:
        if e.get("person_id"):
            persons.append({"person_id": e["person_id"], "household_id": "H1", "status": 1,
                            "commune_code": e["commune_code"]})
    frames = {
        "households": pd.DataFrame({"household_id": ["H1"], "province_code": ["72"], "district_code": ["710"],
                                    "commune_code": [A]}),
        "persons": pd.DataFrame(persons).drop_duplicates("person_id"),
        "events": pd.DataFrame(ev),
        "civil_births": pd.DataFrame(civ),
    }
    if residents is not None:
        frames["residents"] = residents
    if insurance is not None:
        frames["insurance"] = insurance
    civ_frame = frames["civil_births"]
    frames["civil_births"] = civ_frame.drop(columns=[c for c in ("_person",) if c in civ_frame.columns])
    reg = Register(tables=frames, parse_issues=pd.DataFrame(), source="test", period="2026-10")
    lk = pd.DataFrame(links, columns=["source_id", "person_id"]).astype("string")
    for extra in extra_civil or []:
        lk = pd.concat([lk, pd.DataFrame({"source_id": [extra["registration_id"]],
                                          "person_id": [extra.get("_person")]}).astype("string")])
    return reg, {"civil_births": lk.reset_index(drop=True)}


def _row(t, level, unit, group=""):
    r = t[(t["event"] == "birth") & (t["level"] == level) & (t["unit_code"] == unit) & (t["group"] == group)]
    assert len(r) == 1, (level, unit, group)
    return r.iloc[0]


def test_counts_and_chapman_per_unit_and_rollup():
    reg, links = _register({A: (10, 40, 5), B: (2, 20, 8), C: (3, 30, 3)})
    ec = event_coverage(reg, links, period="2026-10", events=("birth",))
    a = _row(ec.table, "commune", A)
    assert (a["n1"], a["n2"], a["m"]) == (50, 45, 40)
    exp = chapman(50, 45, 40, ci=ReconcileConfig().ci)
    assert a["estimate"] == pytest.approx(exp.estimate) and a["ci_low"] == pytest.approx(exp.ci_low)
    assert a["completeness_1"] == pytest.approx(40 / 45) and a["completeness_2"] == pytest.approx(40 / 50)
    d = _row(ec.table, "district", "710")
    assert (d["n1"], d["n2"], d["m"]) == (72, 73, 60)
    p = _row(ec.table, "province", "72")
    assert (p["n1"], p["n2"], p["m"]) == (105, 106, 90)
    # 2025 units: all three legacy communes map to a 2025 commune of 2025 province 80
    p25 = _row(ec.table, "province_2025", "80")
    assert (p25["n1"], p25["n2"], p25["m"]) == (105, 106, 90)
    assert ec.table.loc[ec.table["level"] == "commune_2025", "n1"].sum() == 105


def test_removals_are_counted_and_left_out():
    extra_ev = [
        # a second birth event of the same person: duplicate
        {"event_id": "E90001", "event_type": "birth", "person_id": "P00011", "commune_code": A,
         "event_date": pd.Timestamp("2026-03-12"), "recorded_date": pd.Timestamp("2026-09-01")},
        # out of area and out of period
        {"event_id": "E90002", "event_type": "birth", "person_id": "Q1", "commune_code": OUT,
         "event_date": pd.Timestamp("2026-03-12"), "recorded_date": pd.Timestamp("2026-03-20")},
        {"event_id": "E90003", "event_type": "birth", "person_id": "Q2", "commune_code": A,
         "event_date": pd.Timestamp("2025-06-01"), "recorded_date": pd.Timestamp("2025-06-20")},
        {"event_id": "E90004", "event_type": "birth", "person_id": "Q3", "commune_code": A,
         "event_date": pd.NaT, "recorded_date": pd.Timestamp("2026-06-20")},
    ]
    extra_civ = [
        # a second registration linked to the same register person: duplicate
        {"registration_id": "KS90001", "commune_code": A, "birth_date": pd.Timestamp("2026-03-12"),
         "registration_date": pd.Timestamp("2026-10-01"), "_person": "P00011"},
        {"registration_id": "KS90002", "commune_code": A, "birth_date": pd.Timestamp("2026-11-05"),
         "registration_date": pd.Timestamp("2026-11-06")},
    ]
    reg, links = _register({A: (10, 40, 5)}, extra_events=extra_ev, extra_civil=extra_civ)
    ec = event_coverage(reg, links, period="2026-10", events=("birth",))
    got = {(r.source, r.reason): r.records for r in ec.removed.itertuples()}
    assert got == {("register", "duplicate"): 1, ("register", "out_of_area"): 1, ("register", "out_of_period"): 1,
                   ("register", "no_date"): 1, ("civil", "duplicate"): 1, ("civil", "out_of_period"): 1}
    a = _row(ec.table, "commune", A)
    assert (a["n1"], a["n2"], a["m"]) == (50, 45, 40)


def test_duplicate_persons_count_once_with_clusters():
    extra_ev = [{"event_id": "E90001", "event_type": "birth", "person_id": "DUP1", "commune_code": A,
                 "event_date": pd.Timestamp("2026-03-12"), "recorded_date": pd.Timestamp("2026-09-01")}]
    reg, links = _register({A: (10, 40, 5)}, extra_events=extra_ev)
    without = _row(event_coverage(reg, links, period="2026-10", events=("birth",)).table, "commune", A)
    clusters = pd.DataFrame({"person_id": ["DUP1", "P00001"], "cluster_id": ["K1", "K1"]})
    with_c = _row(event_coverage(reg, links, period="2026-10", events=("birth",), clusters=clusters).table,
                  "commune", A)
    assert without["n1"] == 51 and with_c["n1"] == 50
    # as the deduplication names them: every person, a cluster after its smallest member, the rest alone
    named = pd.DataFrame({"person_id": ["DUP1", "P00001", "P00002"], "cluster_id": ["DUP1", "DUP1", "P00002"]})
    by_member = _row(event_coverage(reg, links, period="2026-10", events=("birth",), clusters=named).table,
                     "commune", A)
    assert by_member["n1"] == 50 and (by_member["m"], by_member["n2"]) == (with_c["m"], with_c["n2"])


def test_matched_pair_counts_in_the_register_commune():
    # a civil registration in commune B linked to a register birth in commune A: counted in A
    extra_ev = [{"event_id": "E90001", "event_type": "birth", "person_id": "X1", "commune_code": A,
                 "event_date": pd.Timestamp("2026-03-12"), "recorded_date": pd.Timestamp("2026-03-14")}]
    extra_civ = [{"registration_id": "KS90001", "commune_code": B, "birth_date": pd.Timestamp("2026-03-12"),
                  "registration_date": pd.Timestamp("2026-03-20"), "_person": "X1"}]
    reg, links = _register({A: (0, 10, 0), B: (0, 10, 0)}, extra_events=extra_ev, extra_civil=extra_civ)
    t = event_coverage(reg, links, period="2026-10", events=("birth",)).table
    a, b = _row(t, "commune", A), _row(t, "commune", B)
    assert (a["n1"], a["n2"], a["m"]) == (11, 11, 11)
    assert (b["n1"], b["n2"], b["m"]) == (10, 10, 10)
    rec = event_records(reg, links, event="birth", period="2026-10")
    r = rec[rec["record_id"] == "KS90001"].iloc[0]
    assert r["commune_code"] == B and r["unit_commune"] == A and r["matched"]


def test_unreliable_flags_and_pooling():
    # A: 40 matched (reliable); B and C-district communes: few matches (unreliable)
    reg, links = _register({A: (10, 40, 5), B: (3, 4, 2), C: (1, 2, 1)})
    t = event_coverage(reg, links, period="2026-10", events=("birth",)).table
    a, b = _row(t, "commune", A), _row(t, "commune", B)
    assert a["reliable"] and a["status"] == "ok" and a["reason"] is None
    assert not b["reliable"] and b["status"] == "insufficient" and "fewer than 10" in b["reason"]
    pooled = _row(t, "district", "710", "pooled")
    assert (pooled["n1"], pooled["n2"], pooled["m"]) == (7, 6, 4)  # only commune B of district 710
    # Chapman's CV tends to 1/sqrt(m + 2) when few records match (0.289 at m = 10), so a CV above 30%
    # needs m <= 9: lower min_matches to 5 and match 6 of 306 on each side
    cfg = ReconcileConfig(min_matches=5)
    reg, links = _register({A: (300, 6, 300)})
    a = _row(event_coverage(reg, links, period="2026-10", events=("birth",), config=cfg).table, "commune", A)
    assert a["m"] == 6 and a["cv"] > 0.3 and not a["reliable"] and "coefficient of variation" in a["reason"]
    cfg = ReconcileConfig(pool_small_communes=False)
    reg, links = _register({A: (10, 40, 5), B: (3, 4, 2)})
    t = event_coverage(reg, links, period="2026-10", events=("birth",), config=cfg).table
    assert not (t["group"] == "pooled").any()


def test_no_civil_table_gives_not_measurable_units():
    reg, _ = _register({A: (5, 0, 0)})
    reg.tables.pop("civil_births")
    t = event_coverage(reg, {}, period="2026-10", events=("birth",)).table
    a = _row(t, "commune", A)
    assert (a["n1"], a["n2"], a["m"]) == (5, 0, 0) and np.isnan(a["estimate"]) and a["status"] == "insufficient"


def test_no_events_table_counts_only_the_civil_records():
    """A register exported without its events table: every civil birth is a civil-only record."""
    reg, links = _register({A: (0, 2, 3)})
    reg.tables.pop("events")
    rec = event_records(reg, links, event="birth", period="2026-10")
    assert (rec["source"] == "civil").sum() == 5 and not (rec["source"] == "register").any()
    a = _row(event_coverage(reg, links, period="2026-10", events=("birth",)).table, "commune", A)
    assert (a["n1"], a["n2"], a["m"]) == (0, 5, 0)


def test_unknown_event():
    reg, links = _register({A: (1, 1, 1)})
    with pytest.raises(ValueError, match="event must be one of"):
        event_records(reg, links, event="marriage", period="2026-10")


def test_wilson_interval_known_values():
    # Wilson (1927) score interval, 95%: 8 of 10 -> (0.4902, 0.9433) (e.g. R binom::binom.wilson(8, 10))
    lo, hi = wilson(8, 10)
    assert (round(float(lo), 4), round(float(hi), 4)) == (0.4902, 0.9433)
    lo, hi = wilson([0, 5], [0, 5])
    assert np.isnan(lo[0]) and hi[1] == 1.0


def test_resident_and_insurance_shares():
    residents = pd.DataFrame({"citizen_id": ["1", "2", "3", "4", "4"], "commune_code": [A, A, A, B, B],
                              "residence_type": [1, 1, 2, 1, 1], "full_name": "x", "sex": 1,
                              "birth_date": pd.Timestamp("1990-01-01")})
    insurance = pd.DataFrame({"insurance_id": ["I1", "I2", "I3"], "commune_code": [A, A, A],
                              "scheme": ["compulsory", "compulsory", "voluntary"], "contributing": [True, True, False],
                              "full_name": "x", "sex": 1, "birth_date": pd.Timestamp("1990-01-01")})
    reg, links = _register({A: (3, 0, 0), B: (1, 0, 0)}, residents=residents, insurance=insurance)
    links["residents"] = pd.DataFrame({"source_id": ["1", "2", "3", "4"],
                                       "person_id": ["P00001", pd.NA, "P00002", "P00004"]}).astype("string")
    links["insurance"] = pd.DataFrame({"source_id": ["I1", "I2", "I3"],
                                       "person_id": ["P00001", pd.NA, pd.NA]}).astype("string")
    rc = resident_coverage(reg, links)
    a = rc["residents_in_register"].set_index(["level", "unit_code", "group"])
    assert a.loc[("commune", A, ""), "numerator"] == 2 and a.loc[("commune", A, ""), "denominator"] == 3
    assert a.loc[("commune", A, "temporary"), "value"] == 1.0
    assert a.loc[("commune", B, ""), "denominator"] == 1  # the repeated citizen id counts once
    b = rc["register_in_residents"].set_index(["level", "unit_code", "group"])
    assert b.loc[("district", "710", ""), "numerator"] == 3 and b.loc[("district", "710", ""), "denominator"] == 4
    ins = insurance_coverage(reg, links).set_index(["level", "unit_code", "group"])
    # two contributors (I3 is not contributing), one of them absent from the register
    assert ins.loc[("commune", A, ""), "value"] == 0.5
    assert ins.loc[("commune", A, ""), "status"] == "insufficient"  # 2 < min_matches records
