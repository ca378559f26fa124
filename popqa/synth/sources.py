"""Administrative sources and surveys that overlap the register imperfectly.

Built from the clean register (before faults), so every source record's true
register person is known and written to the ``links`` truth table with how
the record differs ("exact", "no_diacritics", "name_changed", "date_shifted",
"commune_changed", "age_only", ...; ``person_id`` missing for records of
people who are not in the register).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from popqa.synth.ids import citizen_ids
from popqa.synth.names import draw_given, full_names

__all__ = ["build_sources", "LFS_TARGETS"]

DAY = np.timedelta64(1, "D")

#: National-level labour indicators the LFS sample is drawn to sit near.
LFS_TARGETS = {
    "unemployment": 0.022,
    "unemployment_urban": 0.027,
    "trained_certificate": 0.275,
    "youth_neet": 0.10,
    "social_insurance": 0.38,
    "sector_shares": (0.27, 0.33, 0.40),
}


def _strip(s: str) -> str:
    from popqa.synth.faults import strip_diacritics

    return strip_diacritics(s)


def _vary_names(rng, names: np.ndarray, sex: np.ndarray, p_strip: float, p_given: float):
    names = names.astype(object).copy()
    var = np.full(len(names), "exact", dtype=object)
    u = rng.random(len(names))
    s = u < p_strip
    names[s] = [_strip(n) for n in names[s]]
    var[s] = "no_diacritics"
    g = (u >= p_strip) & (u < p_strip + p_given)
    if g.any():
        newg = draw_given(rng, sex[g])
        names[g] = [" ".join(n.split(" ")[:-1] + [x]) for n, x in zip(names[g], newg, strict=True)]
        var[g] = "name_changed"
    return names, var


def _links(source: str, ids, pids, var) -> pd.DataFrame:
    return pd.DataFrame({"source": source, "source_id": np.asarray(ids, dtype=object),
                         "person_id": np.asarray(pids, dtype=object), "variation": np.asarray(var, dtype=object)})


def build_sources(state, frames: dict[str, pd.DataFrame]):
    """``(tables, links)``: civil_births, civil_deaths, residents, insurance, survey_persons, labour_force."""
    rng = state.rng
    P = frames["persons"].reset_index(drop=True)
    E = frames["events"]
    export = np.datetime64(state.export.date(), "D")
    bd = P["birth_date"].to_numpy().astype("datetime64[D]")
    pid = P["person_id"].to_numpy()
    by_id = pd.Series(np.arange(len(P)), index=pid)
    names = P["full_name"].to_numpy(dtype=object)
    sex = P["sex"].to_numpy()
    age = (export - bd).astype("int64") / 365.25
    tables, links = {}, []
    communes = state.counts["commune_code"].to_numpy()

    # civil births: most register births registered; some registrations not in the register
    b = E[E["event_type"] == "birth"]
    b = b[rng.random(len(b)) < 0.95]
    rows = by_id[b["person_id"]].to_numpy()
    child, var = _vary_names(rng, names[rows], sex[rows], 0.03, 0.04)
    m_rows = by_id.reindex(b["mother_id"]).to_numpy()
    has_m = ~np.isnan(m_rows)
    m_rows = np.where(has_m, m_rows, 0).astype(int)
    nb_extra = max(1, int(round(0.03 * len(b))))
    ex_sex = np.where(rng.random(nb_extra) < 0.51, 1, 2)
    ex_bd = export - rng.integers(0, 365, nb_extra) * DAY
    births = pd.DataFrame({
        "child_name": np.concatenate([child, full_names(rng, ex_sex)]),
        "sex": np.concatenate([sex[rows], ex_sex]),
        "birth_date": np.concatenate([bd[rows], ex_bd]),
        "mother_name": np.concatenate([np.where(has_m, names[m_rows], None), full_names(rng, np.full(nb_extra, 2))]),
        "mother_birth_year": np.concatenate([
            np.where(has_m, bd[m_rows].astype("datetime64[Y]").astype(int) + 1970, None),
            2026 - rng.integers(20, 40, nb_extra)]),
        "commune_code": np.concatenate([P["commune_code"].to_numpy()[rows], communes[rng.integers(0, len(communes), nb_extra)]]),
        "citizen_id": np.concatenate([P["citizen_id"].to_numpy(dtype=object)[rows], np.full(nb_extra, None)]),
    })
    births["registration_date"] = np.minimum(births["birth_date"].to_numpy().astype("datetime64[D]")
                                             + rng.integers(1, 60, len(births)) * DAY, export)
    births["registration_id"] = [f"KS{i:07d}" for i in range(1, len(births) + 1)]
    tables["civil_births"] = births
    links.append(_links("civil_births", births["registration_id"],
                        np.concatenate([pid[rows], np.full(nb_extra, None)]),
                        np.concatenate([var, np.full(nb_extra, "not_in_register")])))

    # civil deaths
    d = E[E["event_type"] == "death"]
    d = d[rng.random(len(d)) < 0.9]
    rows = by_id[d["person_id"]].to_numpy()
    dn, var = _vary_names(rng, names[rows], sex[rows], 0.04, 0.0)
    nd_extra = max(1, int(round(0.05 * len(d))))
    ex_sex = np.where(rng.random(nd_extra) < 0.55, 1, 2)
    ex_dd = export - rng.integers(0, 365, nd_extra) * DAY
    deaths = pd.DataFrame({
        "full_name": np.concatenate([dn, full_names(rng, ex_sex)]),
        "sex": np.concatenate([sex[rows], ex_sex]),
        "birth_date": np.concatenate([bd[rows], ex_dd - rng.integers(60, 95, nd_extra) * 365 * DAY]),
        "death_date": np.concatenate([d["event_date"].to_numpy().astype("datetime64[D]"), ex_dd]),
        "commune_code": np.concatenate([P["commune_code"].to_numpy()[rows], communes[rng.integers(0, len(communes), nd_extra)]]),
        "citizen_id": np.concatenate([P["citizen_id"].to_numpy(dtype=object)[rows], np.full(nd_extra, None)]),
    })
    deaths["registration_date"] = np.minimum(deaths["death_date"].to_numpy().astype("datetime64[D]")
                                             + rng.integers(0, 30, len(deaths)) * DAY, export)
    deaths["registration_id"] = [f"KT{i:07d}" for i in range(1, len(deaths) + 1)]
    tables["civil_deaths"] = deaths
    links.append(_links("civil_deaths", deaths["registration_id"],
                        np.concatenate([pid[rows], np.full(nd_extra, None)]),
                        np.concatenate([var, np.full(nd_extra, "not_in_register")])))

    # police residents: present persons with an ID, plus people the MIS lacks
    pres = (P["status"] == 1).to_numpy() & P["citizen_id"].notna().to_numpy()
    rows = np.flatnonzero(pres & (rng.random(len(P)) < 0.97))
    rn, var = _vary_names(rng, names[rows], sex[rows], 0.02, 0.01)
    com = P["commune_code"].to_numpy()[rows].copy()
    moved = rng.random(len(rows)) < 0.02
    com[moved] = communes[rng.integers(0, len(communes), int(moved.sum()))]
    var = np.where(moved & (var == "exact"), "commune_changed", var)
    n_extra = max(1, int(round(0.015 * len(rows))))

    ex_sex = np.where(rng.random(n_extra) < 0.5, 1, 2)
    ex_bd = export - (rng.integers(1, 80, n_extra) * 365.25).astype(int) * DAY
    ex_year = ex_bd.astype("datetime64[Y]").astype(int) + 1970
    ex_cid = citizen_ids(rng, np.full(n_extra, "072"), ex_sex, ex_year)
    ex_cid = np.array([c[:6] + "9" + c[7:] for c in ex_cid], dtype=object)  # serial range the MIS never uses
    ex_cid = ex_cid[~pd.Series(ex_cid).isin(P["citizen_id"].dropna()).to_numpy()]
    ex_cid = pd.unique(ex_cid)
    n_extra = len(ex_cid)
    residents = pd.DataFrame({
        "citizen_id": np.concatenate([P["citizen_id"].to_numpy(dtype=object)[rows], ex_cid]),
        "full_name": np.concatenate([rn, full_names(rng, ex_sex[:n_extra])]),
        "sex": np.concatenate([sex[rows], ex_sex[:n_extra]]),
        "birth_date": np.concatenate([bd[rows], ex_bd[:n_extra]]),
        "commune_code": np.concatenate([com, communes[rng.integers(0, len(communes), n_extra)]]),
        "residence_type": np.concatenate([np.where(P["residence_status"].to_numpy()[rows] == 2, 2, 1),
                                          rng.choice([1, 2], size=n_extra)]),
    })
    tables["residents"] = residents
    links.append(_links("residents", residents["citizen_id"], np.concatenate([pid[rows], np.full(n_extra, None)]),
                        np.concatenate([var, np.full(n_extra, "not_in_register")])))

    # social insurance: working-age persons by scheme
    present = (P["status"] == 1).to_numpy()
    work = present & (age >= 18) & (age < 65)
    u = rng.random(len(P))
    scheme = np.where(u < 0.30, "compulsory", np.where(u < 0.37, "voluntary", np.where(u < 0.42, "none", "")))
    rows = np.flatnonzero(work & (scheme != ""))
    sc = scheme[rows]
    contributing = np.where(sc == "compulsory", rng.random(len(rows)) < 0.95,
                            np.where(sc == "voluntary", rng.random(len(rows)) < 0.8, False))
    inn, var = _vary_names(rng, names[rows], sex[rows], 0.05, 0.0)
    cid = P["citizen_id"].to_numpy(dtype=object)[rows].copy()
    drop = rng.random(len(rows)) < 0.08
    cid[drop] = None
    var = np.where(drop & (var == "exact"), "missing_id", var)
    ins = pd.DataFrame({
        "insurance_id": [f"BH{i:08d}" for i in range(1, len(rows) + 1)],
        "citizen_id": cid, "full_name": inn, "sex": sex[rows], "birth_date": bd[rows],
        "commune_code": P["commune_code"].to_numpy()[rows], "scheme": sc, "contributing": contributing,
    })
    tables["insurance"] = ins
    links.append(_links("insurance", ins["insurance_id"], pid[rows], var))

    sp, sl = _survey(state, P, E, age, rng)
    tables["survey_persons"] = sp
    links.append(sl)
    tables["labour_force"] = _labour_force(state, P, age, rng)
    return tables, pd.concat(links, ignore_index=True)


def _survey(state, P, E, age, rng):
    """Population-change survey: strata district x urban, PSUs villages, households within PSUs."""
    H = state.hh
    urban = H["urban"].to_numpy()
    stratum = H["district_code"].to_numpy().astype(object) + np.where(urban, "-U", "-R").astype(object)
    psu = H["commune_code"].to_numpy().astype(object) + "-" + (H["village_no"].to_numpy() + 1).astype(str).astype(object)
    hh = pd.DataFrame({"hh": np.arange(len(H)), "stratum": stratum, "psu": psu})
    psus = hh.groupby(["stratum", "psu"]).size().rename("M").reset_index()
    psus["N_psu"] = psus.groupby("stratum")["psu"].transform("size")
    psus["m"] = np.maximum(1, np.round(psus["N_psu"] * 0.1)).astype(int)
    psus["key"] = rng.random(len(psus))
    psus["rank"] = psus.groupby("stratum")["key"].rank(method="first")
    sel = psus[psus["rank"] <= psus["m"]]
    hh = hh.merge(sel[["stratum", "psu", "M", "N_psu", "m"]], on=["stratum", "psu"])
    hh["key"] = rng.random(len(hh))
    hh["rank"] = hh.groupby("psu")["key"].rank(method="first")
    hh["n"] = np.minimum(15, hh["M"])
    hh = hh[hh["rank"] <= hh["n"]]
    hh["weight"] = (hh["N_psu"] / hh["m"]) * (hh["M"] / hh["n"])
    hh["household_no"] = hh["psu"] + "-" + hh["rank"].astype(int).astype(str).str.zfill(2)
    ev = E[E["event_type"].isin(["birth", "death"])]
    cnt = ev.groupby(["hh", "event_type"]).size().unstack(fill_value=0)
    present = P["status"] == 1
    pp = P[present | (P["status"] == 2)].merge(hh[["hh", "stratum", "psu", "weight", "N_psu", "household_no"]], on="hh")
    pp = pp[pp["status"] == 1]  # the dead are counted, not listed
    pp = pp.sort_values(["household_no", "relation_to_head", "person_id"]).reset_index(drop=True)
    a = age[pd.Series(np.arange(len(P)), index=P["person_id"])[pp["person_id"]].to_numpy()]
    age_only = rng.random(len(pp)) < 0.05
    out = pd.DataFrame({
        "person_no": [f"SV{i:07d}" for i in range(1, len(pp) + 1)],
        "commune_code": pp["commune_code"].to_numpy(),
        "household_no": pp["household_no"].to_numpy(),
        "full_name": pp["full_name"].to_numpy(),
        "sex": pp["sex"].to_numpy(),
        "birth_date": np.where(age_only, np.datetime64("NaT"), pp["birth_date"].to_numpy().astype("datetime64[D]")),
        "age": np.floor(a).astype(int),
        "relation_to_head": pp["relation_to_head"].to_numpy(),
        "marital_status": pp["marital_status"].to_numpy(),
        "births_12m": cnt.get("birth", pd.Series(dtype=int)).reindex(pp["hh"]).fillna(0).astype(int).to_numpy(),
        "deaths_12m": cnt.get("death", pd.Series(dtype=int)).reindex(pp["hh"]).fillna(0).astype(int).to_numpy(),
        "stratum": pp["stratum"].to_numpy(),
        "psu": pp["psu"].to_numpy(),
        "weight": pp["weight"].to_numpy().astype(float),
        "fpc": pp["N_psu"].to_numpy().astype(float),
    })
    links = _links("survey_persons", out["person_no"], pp["person_id"], np.where(age_only, "age_only", "exact"))
    return out, links


def _labour_force(state, P, age, rng) -> pd.DataFrame:
    """LFS microdata (~1.5% of persons 15+) with indicators near the national levels."""
    H = state.hh
    h = P["hh"].to_numpy()
    elig = np.flatnonzero((P["status"] == 1).to_numpy() & (age >= 15))
    n = max(50, int(round(0.015 * len(elig))))
    rows = np.sort(rng.choice(elig, size=min(n, len(elig)), replace=False))
    a = np.floor(age[rows]).astype(int)
    sex = P["sex"].to_numpy()[rows]
    urban = H["urban"].to_numpy()[h[rows]]
    n = len(rows)
    in_edu = np.where(a < 19, rng.random(n) < 0.75, np.where(a < 25, rng.random(n) < 0.22, False))
    part = np.select([a < 25, a < 55, a < 65], [0.88, 0.92, 0.68], 0.28)
    part = np.where(sex == 2, part * 0.93, part)
    part = np.where(in_edu, 0.08, part)
    active = rng.random(n) < part
    unemp_p = np.where(urban, 0.027, 0.019) * np.where(a < 25, 2.0, 0.85)
    unemployed = active & (rng.random(n) < unemp_p)
    status = np.where(~active, "outside", np.where(unemployed, "unemployed", "employed"))
    u = rng.random(n)
    ag = np.where(urban, 0.08, 0.32)
    sector = np.where(u < ag, "agriculture", np.where(u < ag + 0.33, "industry", "services"))
    sector = np.where(status == "employed", sector, None)  # type: ignore[call-overload]  # numpy stubs reject None/datetime mixes that numpy accepts
    t = rng.random(n)
    cert = np.where(urban, 0.37, 0.24)
    training = np.where(t < cert, "certificate or higher", np.where(t < cert + 0.06, "short course", "none"))
    si = (status == "employed") & (rng.random(n) < np.where(sector == "agriculture", 0.08, 0.53))
    stratum = H["district_code"].to_numpy()[h[rows]].astype(object) + np.where(urban, "-U", "-R").astype(object)
    psu = H["commune_code"].to_numpy()[h[rows]].astype(object) + "-" + (H["village_no"].to_numpy()[h[rows]] + 1).astype(str).astype(object)
    pop_stratum = pd.Series(
        H["district_code"].to_numpy()[h[elig]].astype(object) + np.where(H["urban"].to_numpy()[h[elig]], "-U", "-R").astype(object)
    ).value_counts()
    samp_stratum = pd.Series(stratum).value_counts()
    weight = (pop_stratum / samp_stratum).reindex(stratum).to_numpy()
    extra = _labour_extra(rows, a, urban, status, sector, training, in_edu, si)
    return pd.DataFrame({
        "respondent_id": [f"LF{i:06d}" for i in range(1, n + 1)],
        "sex": sex, "age": a, "urban": urban, "province_code": H["province_code"].to_numpy()[h[rows]].astype(object),
        "labour_status": status, "sector": sector, "training": training,
        "in_education": in_edu, "social_insurance": si,
        "district_code": H["district_code"].to_numpy()[h[rows]].astype(object),
        **extra,
        "stratum": stratum, "psu": psu, "weight": weight.astype(float),
        "fpc": pop_stratum.reindex(stratum).to_numpy().astype(float),
    })


def _labour_extra(rows, a, urban, status, sector, training, in_edu, si) -> dict[str, np.ndarray]:
    """The LFS columns of the labour indicators (hours, time-related underemployment, training, scheme, IT).

    Drawn from their own generator, seeded by the sampled rows, so that the tables drawn from the
    province's generator after the LFS (faults, ...) are unchanged. Levels near GSO's (docs/labour.md):
    about 10% of the employed work under 35 hours (12% rural, 8% urban), a quarter of those want more
    hours and most of them are available (time-related underemployment ~2-3%); about 3% of young people
    outside education are in training; about 9% of the insured are in the voluntary scheme (60% in
    agriculture), about 3% of the labour force.
    """
    n = len(rows)
    r = np.random.default_rng(np.random.SeedSequence([176, n, *np.asarray(rows[:32], dtype=np.int64).tolist()]))
    employed = status == "employed"
    short = employed & (r.random(n) < np.where(urban, 0.08, 0.12))
    hours = np.where(short, r.uniform(8, 35, n), np.clip(r.normal(46, 6, n), 35, 84)).round(0)
    hours_worked = np.where(employed, hours, np.nan)
    hours_worked[employed & (r.random(n) < 0.005)] = np.nan   # item non-response
    wants = np.where(short, r.random(n) < 0.25, r.random(n) < 0.04)
    avail = wants & (r.random(n) < 0.85)
    wants_more = np.where(employed, wants, None)  # type: ignore[call-overload]
    avail_more = np.where(employed, avail, None)  # type: ignore[call-overload]
    in_training = ~in_edu & (r.random(n) < np.where(a < 25, 0.03, 0.01))
    voluntary = si & (r.random(n) < np.where(sector == "agriculture", 0.6, 0.05))
    scheme = np.where(si, np.where(voluntary, "voluntary", "compulsory"), "none")
    p_it = np.clip(0.35 + 0.25 * urban + 0.25 * (training == "certificate or higher") - 0.006 * np.maximum(a - 25, 0)
                   + 0.15 * (a < 35), 0.05, 0.97)
    it_skills = r.random(n) < p_it
    return {"hours_worked": hours_worked, "wants_more_hours": wants_more, "available_more_hours": avail_more,
            "in_training": in_training, "insurance_scheme": scheme, "it_skills": it_skills}
