"""Administrative sources and surveys (placeholder: filled in next)."""

from __future__ import annotations

import pandas as pd


def build_sources(state, frames):
    return {}, pd.DataFrame(columns=["source", "source_id", "person_id", "variation"])
