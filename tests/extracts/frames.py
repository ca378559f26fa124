"""Hand-made registers for the extracts tests (period 2026-10: export and reference date 2026-10-31).

The households are those of tests/checks/frames.py (commune 25456, Phường 1 of Tây Ninh); each test
lists the persons it needs with :func:`person`.
"""

from __future__ import annotations

import pandas as pd

from popqa.io import Register
from tests.checks.frames import GEO, households

BASE = {
    "household_id": "H1", "full_name": "Nguyễn Văn An", "sex": 1, "birth_date_precision": "day",
    "relation_to_head": 3, "ethnicity_code": "01", "marital_status": 1, "education_level": 3,
    "residence_status": 1, "status": 1, "citizen_id": "072080123456", "mother_id": None,
    "contraceptive_method": None, "updated_at": "2026-01-05 10:00:00", **GEO,
}


def person(pid: str, birth: str | None, **kw) -> dict:
    return {**BASE, "person_id": pid, "birth_date": birth, **kw}


def register(rows: list[dict], *, period: str = "2026-10", hh: pd.DataFrame | None = None) -> Register:
    return Register.from_frames({"households": households() if hh is None else hh,
                                 "persons": pd.DataFrame(rows)}, period=period)


def no_findings() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="string") for c in ("table", "severity", "record_id", "rule_id")})
