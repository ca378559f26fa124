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
# # Start from an audit's results
#
# For analysts: open the committed results of one period (`RESULTS/<period>/`, written by
# `popqa audit`) and reproduce the numbers the supervisor sees on the site: the province's
# score and grade, the worst districts and communes, how many collaborators fail, the WHO DQR
# roll-up and the program targets. Then recompute the scorecard from the audit's findings to
# see that nothing on the site is computed anywhere else.
#
# With `results` empty, a tiny synthetic province is audited into a temporary folder first.
# The findings file holds record-level data: keep this notebook's outputs out of git.

# %% tags=["parameters"]
results = ""  # a results root (the folder holding <period>/); empty: audit a tiny synthetic province
period = ""  # YYYY-MM; empty: the latest audited period of the root

# %%
import json
import tempfile
from pathlib import Path

import pandas as pd

import popqa
from popqa.config import Config
from popqa.store import ResultsStore

if not results:
    from popqa.synth import generate_province

    tmp = Path(tempfile.mkdtemp(prefix="popqa-results-"))
    prov = generate_province(scale=0.005, seed=11, period=period or "2026-10", districts=["710"])
    prov.write(tmp / "data")
    popqa.audit(tmp / "data" / "register", period or "2026-10", tmp / "results", workbooks=False)
    results = str(tmp / "results")
store = ResultsStore(results)
period = period or store.latest_period()
res = store.period_dir(period)
manifest = json.loads((res / "manifest.json").read_text(encoding="utf-8"))
print(f"period {period}, audit {manifest['audit_id'][:12]}, status {manifest['status']}")
pd.DataFrame(manifest["stages"])[["name", "status", "seconds"]]

# %% [markdown]
# ## The files of an audit
#
# `scorecard.parquet` (scores and grades of every unit, level and dimension), `indicators.parquet`
# (indicator rows: value, interval, target, status), `rollup_*.parquet` (WHO DQR roll-ups),
# `province.json` (the site's headline), `analyst/findings.parquet` (record-level findings).

# %%
scorecard = pd.read_parquet(res / "scorecard.parquet")
indicators = pd.read_parquet(res / "indicators.parquet")
findings = pd.read_parquet(res / "analyst" / "findings.parquet")
province = json.loads((res / "province.json").read_text(encoding="utf-8"))
config = Config.model_validate(manifest["parameters"])
print(f"{len(scorecard):,} scorecard rows, {len(indicators):,} indicator rows, {len(findings):,} findings")

# %% [markdown]
# ## The province's score, as on the site's first page

# %%
prov = scorecard[(scorecard.level == "province") & (scorecard.dimension == "overall")].iloc[0]
shown = province["scores"]["overall"]
print(f"province overall score {prov.score:.2f} ({prov.grade}); province.json shows {shown['score']:.2f} "
      f"({shown['grade']})")
print(f"province score matches the site: {prov.score == shown['score'] and prov.grade == shown['grade']}")
scorecard[scorecard.level == "province"][["dimension", "records", "flagged", "score", "grade"]]

# %% [markdown]
# ## How many units fail, beside the average
#
# An average near 97 can hide many red collaborators: `units_failing` gives, per level, the
# share of graded units below their green band, with the units that have too few records apart.

# %%
headline = popqa.units_failing(scorecard, config.scorecard)
for r in headline.itertuples():
    print(f"{r.level}: {r.failing} of {r.graded} graded units below {r.threshold:g} "
          f"({r.share_failing:.1%}), {r.red} red, {r.insufficient} with too few records")
headline.round(3)

# %% [markdown]
# ## Worst districts and communes first

# %%
overall = scorecard[scorecard.dimension == "overall"]
worst = (overall[overall.level.isin(["district", "commune"])]
         .sort_values(["level", "score"])[["level", "unit_code", "parent_code", "records", "score", "grade"]])
worst.groupby("level").head(5)

# %% [markdown]
# ## WHO DQR roll-up: share of communes failing each dimension, by district

# %%
rollup = pd.read_parquet(res / "rollup_district.parquet")
again = popqa.dqr_rollup(scorecard, config.scorecard, child="commune", parent="district")
print(f"DQR roll-up reproduced: {again.equals(rollup)}")
rollup.round(3)

# %% [markdown]
# ## Program targets (indicator rows)

# %%
targets = indicators[(indicators.level == "province") & indicators.target.notna()]
targets[["indicator_id", "value", "numerator", "denominator", "target_year", "target", "met", "status"]]

# %% [markdown]
# ## The scorecard recomputed from the findings
#
# The score of a unit is the share of its records without a problem: the audit's findings
# over the register's records (read again from the audited folder).

# %%
reg = popqa.read_register(manifest["data_dir"], period=period)
again = popqa.compute_scorecard(findings, popqa.record_units(reg), config.scorecard)
keys = ["level", "unit_code", "dimension"]
both = scorecard.merge(again, on=keys, suffixes=("", "_again"))
same = len(both) == len(scorecard) == len(again) and (both.score.fillna(-1) == both.score_again.fillna(-1)).all()
print(f"scorecard reproduced from the findings: {bool(same)}")
both[both.level == "district"][[*keys, "score", "score_again", "grade", "grade_again"]].head(10)
