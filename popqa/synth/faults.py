"""Fault injection (placeholder: filled in next)."""

from __future__ import annotations

import pandas as pd

from popqa.io.register import ISSUE_COLUMNS
from popqa.synth.truth import FAULT_COLUMNS


def inject(state, frames):
    faults = pd.DataFrame(columns=list(FAULT_COLUMNS))
    dup = pd.DataFrame(columns=["person_id", "original_person_id", "variation"])
    hard = pd.DataFrame(columns=["person_id_l", "person_id_r", "kind"])
    return frames, faults, dup, hard, {}, pd.DataFrame(columns=ISSUE_COLUMNS)
