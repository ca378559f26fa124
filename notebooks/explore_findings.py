# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Explore a district's findings
#
# For analysts: run the quality rules on a register and look at one district's
# findings by rule, by commune and by collaborator, down to the records.
# (To start from the results of an audit instead, see `audit_results.py`.)
# Uses `data_samples/tayninh-godau/` when present, else a tiny synthetic province.
# This notebook holds record-level data: keep its outputs out of git and away from supervisors.

# %% tags=["parameters"]
data_dir = ""  # a register folder; empty: data_samples/tayninh-godau or a tiny synthetic province
district_code = "710"
period = "2026-10"

# %%
from pathlib import Path

import pandas as pd

from popqa.checks import catalogue, run_checks, summarise
from popqa.io import read_register


def find_sample() -> Path | None:
    here = Path.cwd()
    for base in (here, *here.parents):
        sample = base / "data_samples" / "tayninh-godau"
        for cand in (sample / "register", sample):
            if (cand / "persons.csv").exists() or (cand / "persons.parquet").exists():
                return cand
    return None


def load_register(data_dir: str, district_code: str, period: str):
    if data_dir:
        return read_register(data_dir, period=period)
    sample = find_sample()
    if sample is not None:
        return read_register(sample, period=period)
    from popqa.synth import generate_province

    return generate_province(scale=0.005, seed=11, period=period, districts=[district_code]).register


reg = load_register(data_dir, district_code, period)
reg.summary()

# %%
findings = run_checks(reg)
f = findings[findings["district_code"] == district_code]
print(f"{len(f):,} findings in district {district_code}")
f.groupby(["dimension", "severity"]).size().unstack(fill_value=0)

# %% [markdown]
# ## Rules that fire most

# %%
rules = pd.DataFrame([{"rule_id": r.rule_id, "table": r.table, "message_en": r.message_en} for r in catalogue()])
top = f.groupby("rule_id").size().rename("findings").sort_values(ascending=False).head(15).reset_index()
top.merge(rules, on="rule_id", how="left")

# %% [markdown]
# ## Rates per 1,000 records by commune

# %%
by_commune = summarise(findings, reg, by="commune")
by_commune.head(20)

# %% [markdown]
# ## By collaborator
#
# Who keeps the records with the most findings: counts by severity, rate per 1,000 of
# their records, and the rule that fires most on their records. Probable duplicates
# (L001, L002) come from the deduplication, not from these rules; the analyst workbooks
# route them to the collaborators of both records.

# %%
by_collab = summarise(f, reg, by="collaborator")
by_collab = by_collab[by_collab["findings"] > 0]
main_rule = (f.groupby(["collaborator_id", "rule_id"]).size().rename("n").reset_index()
             .sort_values(["n", "rule_id"], ascending=[False, True]).drop_duplicates("collaborator_id")
             .set_index("collaborator_id")["rule_id"])
by_collab = by_collab.assign(main_rule=by_collab["collaborator_id"].map(main_rule))
by_collab = by_collab.sort_values(["error", "findings"], ascending=False).reset_index(drop=True)
print(f"{len(by_collab):,} collaborators with findings in district {district_code}")
by_collab.head(15)

# %% [markdown]
# ## The records behind the most frequent rule

# %%
rule = top.loc[0, "rule_id"] if len(top) else None
records = (f[f["rule_id"] == rule][["commune_code", "collaborator_id", "table", "record_id", "column", "value"]]
           if rule else f.iloc[:0])
print(f"rule {rule}: {len(records):,} records")
records.head(20)
