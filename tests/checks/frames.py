"""A small, clean, hand-made register (period 2026-10) that each test breaks in one place."""

from __future__ import annotations

import pandas as pd

from popqa.io import Register

GEO = {"province_code": "72", "district_code": "703", "commune_code": "25456"}


def households() -> pd.DataFrame:
    rows = [
        {"household_id": "H1", "village": "Ấp 1", "address": "", "collaborator_id": "C1", "created_date": "2010-05-01"},
        {"household_id": "H2", "village": "Ấp 2", "address": "", "collaborator_id": "C2", "created_date": "2015-03-01"},
    ]
    return pd.DataFrame([{**r, **GEO} for r in rows])


def persons() -> pd.DataFrame:
    base = {
        "birth_date_precision": "day", "ethnicity_code": "01", "education_level": 3, "residence_status": 1,
        "status": 1, "contraceptive_method": None, "updated_at": "2026-01-05 10:00:00", **GEO,
    }
    rows = [
        # H1: head (man, 1980), wife (1984), two children, mother of head (1950)
        dict(person_id="P11", household_id="H1", full_name="Nguyễn Văn An", sex=1, birth_date="1980-03-15",
             relation_to_head=1, marital_status=2, citizen_id="072080123456", mother_id="P15"),
        dict(person_id="P12", household_id="H1", full_name="Trần Thị Bình", sex=2, birth_date="1984-07-02",
             relation_to_head=2, marital_status=2, citizen_id="072184654321", mother_id=None),
        dict(person_id="P13", household_id="H1", full_name="Nguyễn Văn Cường", sex=1, birth_date="2008-02-29",
             relation_to_head=3, marital_status=1, citizen_id="072208111111", mother_id="P12"),
        dict(person_id="P14", household_id="H1", full_name="Nguyễn Thị Dung", sex=2, birth_date="2026-03-10",
             relation_to_head=3, marital_status=1, citizen_id=None, mother_id="P12", education_level=None),
        dict(person_id="P15", household_id="H1", full_name="Lê Thị Em", sex=2, birth_date="1950-01-01",
             birth_date_precision="year", relation_to_head=5, marital_status=3, citizen_id="072150222222",
             mother_id=None),
        # H2: a single man and a person who died this year
        dict(person_id="P21", household_id="H2", full_name="Phạm Văn Giang", sex=1, birth_date="1990-12-31",
             relation_to_head=1, marital_status=1, citizen_id="072090333333", mother_id=None),
        dict(person_id="P22", household_id="H2", full_name="Phạm Văn Hải", sex=1, birth_date="1940-06-01",
             relation_to_head=5, marital_status=3, citizen_id="072040444444", mother_id=None, status=2),
    ]
    return pd.DataFrame([{**base, **r} for r in rows])


def events() -> pd.DataFrame:
    base = {"collaborator_id": "C1", "mother_id": None, "other_commune_code": None, "entry_channel": "web", **GEO}
    rows = [
        dict(event_id="E1", event_type="birth", person_id="P14", household_id="H1", event_date="2026-03-10",
             recorded_date="2026-03-20", mother_id="P12"),
        dict(event_id="E2", event_type="death", person_id="P22", household_id="H2", event_date="2026-05-01",
             recorded_date="2026-05-10", collaborator_id="C2"),
        dict(event_id="E3", event_type="contraception_change", person_id="P12", household_id="H1",
             event_date="2026-07-01", recorded_date="2026-07-02"),
    ]
    return pd.DataFrame([{**base, **r} for r in rows])


def make(hh=None, pp=None, ev=None, *, period: str | None = "2026-10", with_events: bool = True) -> Register:
    frames = {"households": households() if hh is None else hh, "persons": persons() if pp is None else pp}
    if with_events:
        frames["events"] = events() if ev is None else ev
    return Register.from_frames(frames, period=period)


def flagged(findings: pd.DataFrame, rule_id: str) -> set[str]:
    return set(findings.loc[findings["rule_id"] == rule_id, "record_id"])
