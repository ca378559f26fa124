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
# # Investigate duplicates
#
# Deduplicate the register's persons with popqa's Splink model, then look at
# the pairs by match probability, the clusters and the rates by commune.
# When the synthetic truth is at hand, compare the pairs with the injected duplicates.

# %% tags=["parameters"]
data_dir = ""  # a register folder; empty: a tiny synthetic province (with its truth)
district_code = "710"
period = "2026-10"

# %%
import pandas as pd

from popqa.io import read_register
from popqa.linkage import dedupe

truth = None
if data_dir:
    reg = read_register(data_dir, period=period)
else:
    from popqa.synth import generate_province

    prov = generate_province(scale=0.005, seed=11, period=period, districts=[district_code])
    reg, truth = prov.register, prov.truth
persons = reg.persons
result = dedupe(persons)
pairs, clusters = result.pairs, result.clusters
print(f"{len(persons):,} persons, {len(pairs):,} candidate pairs above the review threshold")

# %% [markdown]
# ## Pairs by match probability

# %%
pd.cut(pairs["match_probability"], [0, 0.5, 0.8, 0.9, 0.99, 1.0]).value_counts().sort_index()

# %%
pairs.sort_values("match_probability", ascending=False).head(15)

# %% [markdown]
# ## Cluster sizes and duplicate rate by commune

# %%
size = clusters.groupby("cluster_id").size()
print(size.value_counts().sort_index().rename("clusters"))
in_dup = clusters[clusters["cluster_id"].map(size) > 1].merge(persons[["person_id", "commune_code"]], on="person_id")
(in_dup.groupby("commune_code").size() / persons.groupby("commune_code").size() * 1000).round(2).rename(
    "persons in duplicate clusters per 1,000").sort_values(ascending=False).head(10)

# %% [markdown]
# ## Against the synthetic truth (synthetic data only)

# %%
if truth is not None and "duplicates" in truth and len(truth["duplicates"]):
    d = truth["duplicates"]
    true_pairs = {tuple(sorted(p)) for p in zip(d["person_id"].astype(str), d["original_person_id"].astype(str),
                                                 strict=True)}
    found = {tuple(sorted(p)) for p in zip(pairs["person_id_l"].astype(str), pairs["person_id_r"].astype(str),
                                           strict=True)}
    print(f"injected {len(true_pairs)}, found {len(found & true_pairs)} of them, "
          f"{len(found - true_pairs)} other pairs")
