"""Hand-made registers for the reconciliation rules (X010-X012), shared by the rule catalogue's targeted cases.

The survey: in each of two legacy districts (710, 711 of Tây Ninh) one stratum
of three PSUs, one household each, of 2, 3 and 4 persons, every one weighing
100, with 1, 0 and 2 births in the last twelve months. By hand, per district:
persons 100 (2 + 3 + 4) = 900; PSU totals 200, 300, 400 around their mean 300
give the with-replacement variance 3/2 (100² + 0 + 100²) = 30,000, se 173.2 and
the 95% interval 900 ± 1.96 × 173.2 = [560.5, 1239.5].
"""

from __future__ import annotations

import pandas as pd

from popqa.contract import TABLES
from popqa.io import Register

A = "25654"  # a commune of district 710 (Tây Ninh, 72)
C = "25681"  # a commune of district 711
#: persons and births of each PSU's household
HOUSEHOLDS = ((2, 1), (3, 0), (4, 2))


def _frames(frames: dict[str, pd.DataFrame]) -> Register:
    """The register of ``frames``, every contract column the frames lack added empty."""
    full = {}
    for name, df in frames.items():
        df = df.copy()
        for c in TABLES[name].names:
            if c not in df.columns:
                df[c] = None
        full[name] = df
    return Register.from_frames(full, period="2026-10")


def survey_rows(communes=((A, "710"), (C, "711"))) -> pd.DataFrame:
    rows = []
    for com, stratum in communes:
        for j, (size, births) in enumerate(HOUSEHOLDS, start=1):
            for k in range(size):
                rows.append({"commune_code": com, "household_no": f"{com}-{j}", "sex": 1 + k % 2,
                             "birth_date": pd.Timestamp("1990-06-15"), "births_12m": births, "deaths_12m": 0,
                             "stratum": stratum, "psu": f"{com}-{j}", "weight": 100.0})
    return pd.DataFrame(rows)


def survey_register(present: dict[str, int] | None = None, survey: pd.DataFrame | None = None,
                    births: dict[str, int] | None = None) -> Register:
    """A register with ``present[commune]`` present persons (plus one dead per commune, not counted),
    ``births[commune]`` births in the twelve months (plus one older, out of period) and the survey."""
    present = present if present is not None else {A: 1000, C: 1500}
    births = births if births is not None else {A: 4, C: 0}
    persons, events = [], []
    for com, n in present.items():
        for i in range(n + 1):
            persons.append({"person_id": f"P{com}{i:05d}", "household_id": f"H{com}", "commune_code": com,
                            "sex": 1 + i % 2, "birth_date": pd.Timestamp("1990-06-15"),
                            "status": 2 if i == n else 1})
    for com, n in births.items():
        for i in range(n + 1):
            date = pd.Timestamp("2026-05-01") if i < n else pd.Timestamp("2024-05-01")
            events.append({"event_id": f"E{com}{i:03d}", "event_type": "birth", "person_id": f"P{com}{i:05d}",
                           "commune_code": com, "event_date": date, "recorded_date": date})
    frames = {
        "households": pd.DataFrame({"household_id": [f"H{c}" for c in present], "province_code": "72",
                                    "commune_code": list(present)}),
        "persons": pd.DataFrame(persons),
        "events": pd.DataFrame(events),
        "survey_persons": survey_rows() if survey is None else survey,
    }
    return _frames(frames)


def survey_findings_case() -> pd.DataFrame:
    """X012 findings of :func:`survey_register` (districts supported from 2 PSUs): 711 and the province
    (register 1,500 and 2,500 above their intervals) flagged, 710 (1,000 inside [560, 1240]) clean."""
    from popqa.reconcile import ReconcileConfig, reconcile_stage

    _, f = reconcile_stage(survey_register(), {}, period="2026-10",
                           config=ReconcileConfig(survey_min_psus=2, survey_min_events=1,
                                                                 province_code="72"))
    return f[f["rule_id"] == "X012"]


def event_findings_case(event: str) -> pd.DataFrame:
    """X010 (births) / X011 (deaths) findings: district 710 has 20 events in both sources and 20 in civil
    registration only (completeness 0.5, flagged), district 711 has 20 in both (1.0, clean)."""
    from popqa.reconcile import reconcile_stage

    table, date_col = ("civil_births", "birth_date") if event == "birth" else ("civil_deaths", "death_date")
    persons, ev, civ, links = [], [], [], []
    i = 0
    for com, both, civil_only in ((A, 20, 20), (C, 20, 0)):
        for k in range(both + civil_only):
            i += 1
            pid, date = f"P{i:05d}", pd.Timestamp("2026-03-01") + pd.Timedelta(days=i % 200)
            in_register = k < both
            if in_register:
                persons.append({"person_id": pid, "household_id": "H1", "status": 1, "commune_code": com})
                ev.append({"event_id": f"E{i:05d}", "event_type": event, "person_id": pid, "commune_code": com,
                           "event_date": date, "recorded_date": date})
            civ.append({"registration_id": f"R{i:05d}", "commune_code": com, date_col: date,
                        "registration_date": date})
            links.append({"source_id": f"R{i:05d}", "person_id": pid if in_register else pd.NA})
    frames = {"households": pd.DataFrame({"household_id": ["H1"], "province_code": ["72"], "commune_code": [A]}),
              "persons": pd.DataFrame(persons), "events": pd.DataFrame(ev), table: pd.DataFrame(civ)}
    reg = _frames(frames)
    _, f = reconcile_stage(reg, {table: pd.DataFrame(links)}, period="2026-10")
    return f[f["rule_id"] == ("X010" if event == "birth" else "X011")]
