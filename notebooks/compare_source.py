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
# # Compare the register with a source
#
# Link an administrative source (birth or death registrations, the resident
# database, social insurance) to the register's persons and see which source
# records are missing from the register, by commune.

# %% tags=["parameters"]
data_dir = ""  # a register folder holding the source table; empty: a tiny synthetic province
source = "civil_births"
district_code = "710"
period = "2026-10"

# %%
import pandas as pd

from popqa.contract import TABLES
from popqa.io import read_register
from popqa.linkage import link

if data_dir:
    reg = read_register(data_dir, period=period)
else:
    from popqa.synth import generate_province

    reg = generate_province(scale=0.005, seed=11, period=period, districts=[district_code]).register
print("tables:", list(reg.tables))
available = source in reg
print(f"source {source!r} present: {available}")

# %%
if available:
    src = reg[source]
    key = TABLES[source].key
    res = link(reg.persons, src, source)
    links = res.links
    linked = src[key].isin(links.loc[links["person_id"].notna(), "source_id"])
    cov = pd.DataFrame({"commune_code": src["commune_code"], "linked": linked}).groupby("commune_code").agg(
        records=("linked", "size"), found=("linked", "sum"))
    cov["share_found"] = (cov["found"] / cov["records"]).round(3)
    print(f"{int(linked.sum()):,} of {len(src):,} {source} records found in the register")
    display(cov.sort_values("share_found").head(15))  # noqa: F821 - IPython builtin

# %% [markdown]
# ## Register events without a matching source record (births only)

# %%
if available and source == "civil_births" and reg.events is not None:
    births = reg.events[reg.events["event_type"] == "birth"]
    matched = births["person_id"].isin(links["person_id"].dropna())
    print(f"{int((~matched).sum()):,} of {len(births):,} register births have no registration linked")
