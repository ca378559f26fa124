"""Households and persons of the synthetic province, built as arrays (no loop per row).

Households are drawn by composition type (single person, couple with children,
single parent, couple living with the head's parents, three generations with a
married child and grandchildren); each member's age is derived from the
family's structure (mother 19-45 at each birth, spouses near in age, parents
20-35 years older than the head), so clean households satisfy every structure
rule the checks apply. Several compositions are drawn per household and one
is chosen so that the persons' age-sex structure follows the 2019-census-like
pyramid of :mod:`popqa.synth.pyramid` (:func:`fit_tilt`, :func:`calibrate_choice`).

Counts: :func:`unit_counts` allocates the province's published totals
(1,198,153 persons in 291,965 households for Tây Ninh at ``scale=1``) over the
real communes, exactly, without generating anything.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from popqa import geo
from popqa.synth.names import draw_given, draw_middle, draw_surnames, other_given
from popqa.synth.pyramid import AGE_GROUPS, age_group, target_pyramid

__all__ = ["PROVINCE_TOTALS", "CANDIDATES", "parse_provinces", "unit_counts", "fit_tilt", "calibrate_choice",
           "build_population"]

#: Legacy province code -> (persons, households) at ``scale=1``.
#: "72" Tây Ninh: the province's published figures. "80" Long An: derived, not published as
#: such: the 2025 province Tây Ninh (legacy Tây Ninh + Long An) has 3,254,170 persons
#: (Nghị quyết 202/2025/QH15 on the arrangement of provinces), minus Tây Ninh's 1,198,153 above
#: = 2,056,017 persons; households at Tây Ninh's 4.10 persons per household (501,009).
PROVINCE_TOTALS: dict[str, tuple[int, int]] = {"72": (1_198_153, 291_965), "80": (2_056_017, 501_009)}
#: Average household size used for provinces without published figures.
_DEFAULT_HH_SIZE = 3.6
_DEFAULT_HH_PER_COMMUNE = 3000

#: Compositions drawn per household, among which the age-sex calibration chooses.
CANDIDATES = 3
_CHUNK = 100_000

REL_HEAD, REL_SPOUSE, REL_CHILD, REL_INLAW, REL_PARENT, REL_GRAND, REL_OTHER = 1, 2, 3, 4, 5, 6, 7


def _largest_remainder(weights: np.ndarray, total: int) -> np.ndarray:
    """Integers proportional to ``weights`` summing exactly to ``total``."""
    w = np.asarray(weights, dtype=float)
    if total == 0 or w.sum() == 0:
        return np.zeros(len(w), dtype=np.int64)
    exact = w / w.sum() * total
    base = np.floor(exact).astype(np.int64)
    rest = int(total - base.sum())
    order = np.lexsort((np.arange(len(w)), -(exact - base)))
    base[order[:rest]] += 1
    return base


def parse_provinces(spec) -> list[str]:
    """Legacy province codes of ``spec``: ``"72"``, ``"72,80"``, a list, or ``"all"`` (the 63).

    Several codes make one generated register (a merged 2025 province, or the nation).

    Examples
    --------
    >>> parse_provinces("72, 80"), parse_provinces(["80", "72"]), len(parse_provinces("all"))
    (['72', '80'], ['72', '80'], 63)
    >>> parse_provinces("72,99")
    Traceback (most recent call last):
    ...
    popqa.errors.InputError: province code(s) 99 unknown: give legacy GSO codes, e.g. 72 or 72,80, or all
    """
    from popqa.errors import InputError

    known = geo.legacy_province_codes()
    if isinstance(spec, str):
        if spec.strip().lower() == "all":
            return sorted(known)
        items = [s.strip() for s in spec.split(",") if s.strip()]
    else:
        items = [str(s).strip() for s in spec]
    codes = sorted({c.zfill(2) if c.isdigit() else c for c in items})
    unknown = [c for c in codes if c not in known]
    if unknown or not codes:
        raise InputError(f"province code(s) {', '.join(unknown) or repr(spec)} unknown: give legacy GSO codes, "
                         "e.g. 72 or 72,80, or all")
    return codes


def unit_counts(scale: float = 1.0, province_code: str = geo.DEFAULT_PROVINCE) -> pd.DataFrame:
    """Households and persons (present at the period end) per commune at ``scale``.

    The allocation over communes does not depend on the seed; the province
    totals are ``round(scale * published figure)`` exactly. Several provinces
    (``"72,80"``, a list, ``"all"``) are allocated each on its own and stacked,
    so a province has the same communes and counts alone or with others.

    Examples
    --------
    >>> c = unit_counts(1.0)
    >>> int(c["persons"].sum()), int(c["households"].sum()), len(c)
    (1198153, 291965, 94)
    >>> int(unit_counts(0.01)["persons"].sum())
    11982
    >>> m = unit_counts(1.0, "72,80")
    >>> int(m["persons"].sum()), len(m), m.groupby("province_code")["persons"].sum().to_dict()
    (3254170, 280, {'72': 1198153, '80': 2056017})
    """
    codes = parse_provinces(province_code)
    if len(codes) > 1:
        return pd.concat([unit_counts(scale, c) for c in codes], ignore_index=True)
    province_code = codes[0]
    units = geo.legacy_units(province_code).sort_values("commune_code").reset_index(drop=True)
    n = len(units)
    urban = units["commune_type"].isin(["Phường", "Thị trấn"]).to_numpy()
    # Fixed (seed-independent) spread of commune sizes: rural communes larger.
    code_rng = np.random.default_rng(int(province_code) * 7919 + 17)
    w = np.where(urban, 0.8, 1.1) * code_rng.lognormal(0.0, 0.3, n)
    if province_code in PROVINCE_TOTALS:
        persons_1, hh_1 = PROVINCE_TOTALS[province_code]
    else:
        hh_1 = _DEFAULT_HH_PER_COMMUNE * n
        persons_1 = int(round(hh_1 * _DEFAULT_HH_SIZE))
    hh_full = _largest_remainder(w, hh_1)
    hh = _largest_remainder(hh_full.astype(float), int(round(scale * hh_1)))
    persons = _largest_remainder(hh.astype(float), int(round(scale * persons_1)))
    persons = np.where(hh == 0, 0, np.clip(persons, hh, 9 * hh))
    # the clip may move the total by a person or two at tiny scale: repair
    diff = int(round(scale * persons_1)) - int(persons.sum())
    if diff and hh.sum():
        room = np.flatnonzero((persons + np.sign(diff) <= 9 * hh) & (persons + np.sign(diff) >= hh) & (hh > 0))
        persons[room[: abs(diff)]] += np.sign(diff)
    out = units[["province_code", "district_code", "commune_code", "commune_name", "commune_type"]].copy()
    out["urban"] = urban
    out["households_full"] = hh_full
    out["households"] = hh
    out["persons"] = persons
    out["n_villages"] = np.maximum(3, np.round(hh_full / 450)).astype(int)
    return out


def _hh_sizes(rng: np.random.Generator, hh: np.ndarray, persons: np.ndarray) -> np.ndarray:
    """Household sizes per commune, summing exactly to each commune's persons."""
    p = np.array([6, 13, 20, 24, 16, 10, 6, 3, 2], dtype=float)
    p /= p.sum()
    commune = np.repeat(np.arange(len(hh)), hh)
    k = rng.choice(np.arange(1, 10), size=len(commune), p=p)
    for _ in range(200):
        diff = persons - np.bincount(commune, weights=k, minlength=len(hh)).astype(np.int64)
        if not diff.any():
            break
        key = rng.random(len(k))
        d = diff[commune]
        up = (d > 0) & (k < 9)
        down = (d < 0) & (k > 1)
        elig = up | down
        # rank eligible households within their commune by a random key
        order = np.lexsort((key, commune))
        order = order[elig[order]]
        c_sorted = commune[order]
        first = np.searchsorted(c_sorted, c_sorted, side="left")
        rank = np.arange(len(order)) - first
        take = order[rank < np.abs(d[order])]
        k[take] += np.sign(d[take])
    return k


def _youngest_age(rng: np.random.Generator, n: int, cap: int) -> np.ndarray:
    ages = np.arange(cap + 1)
    w = np.select([ages == 0, ages <= 4, ages <= 14, ages <= 24], [2.6, 1.6, 1.0, 0.8], 0.35)
    return rng.choice(ages, size=n, p=w / w.sum())


def _family(rng: np.random.Generator, n_children: np.ndarray, cap_youngest: np.ndarray):
    """Mother's age and the children's ages (matrix, eldest first, NaN padded)."""
    n = len(n_children)
    maxc = max(int(n_children.max()) if n else 0, 1)
    y = np.minimum(_youngest_age(rng, n, 35), cap_youngest)
    a1 = 19 + np.minimum(rng.gamma(2.0, 2.6, n), 14).astype(int)  # first birth 19-33
    gaps = 2 + np.minimum(rng.geometric(0.45, (n, maxc)) - 1, 8)
    idx = np.arange(maxc)
    gaps = np.where(idx[None, :] < (n_children - 1)[:, None], gaps, 0)
    span = gaps.sum(axis=1)
    over = np.maximum(a1 + span - 45, 0)  # last birth at 45 at most
    a1 = a1 - np.minimum(over, a1 - 19)
    over = np.maximum(a1 + span - 45, 0)
    if over.any():
        factor = np.where(span > 0, (span - over) / np.maximum(span, 1), 1)
        gaps = np.floor(gaps * factor[:, None]).astype(int)
        gaps = np.where(idx[None, :] < (n_children - 1)[:, None], np.maximum(gaps, 1), 0)
        span = gaps.sum(axis=1)
    mother = a1 + span + y
    # child j (eldest first) is born at a1 + sum(gaps[:j])
    born_at = a1[:, None] + np.concatenate([np.zeros((n, 1), int), np.cumsum(gaps, axis=1)[:, :-1]], axis=1)
    ages = (mother[:, None] - born_at).astype(float)
    ages[idx[None, :] >= n_children[:, None]] = np.nan
    return mother.astype(float), ages


def _spouse_gap(rng: np.random.Generator, n: int) -> np.ndarray:
    return np.clip(np.round(rng.normal(3.0, 3.5, n)), -4, 12)


def _tilt_probabilities(theta, cand, cell, n_slots, n_cand):
    score = np.bincount(cand, weights=theta[cell], minlength=n_slots * n_cand).reshape(n_slots, n_cand)
    score -= score.max(axis=1, keepdims=True)
    w = np.exp(score)
    return w / w.sum(axis=1, keepdims=True)


def fit_tilt(
    cand: np.ndarray,
    cell: np.ndarray,
    n_slots: int,
    n_cand: int,
    target: np.ndarray,
    *,
    iterations: int = 40,
) -> np.ndarray:
    """Log-multipliers per cell so that tilted choices of candidate households follow ``target``.

    Exponential tilting (a raking / iterative proportional fitting of one
    log-multiplier per cell): candidate ``j`` of slot ``s`` is chosen with
    probability proportional to ``exp(sum of theta[cell] over its members)``,
    and ``theta`` is adjusted until the expected count of persons in each
    cell equals ``target`` times the expected number of persons. Candidates
    are laid out slot-major (slot ``s`` owns ``s*n_cand .. s*n_cand+n_cand-1``).

    Parameters
    ----------
    cand : candidate household of each candidate person.
    cell : target cell (0 .. len(target)-1) of each candidate person.
    target : cell shares summing to 1.
    """
    n_cells = len(target)
    size = np.bincount(cand, minlength=n_slots * n_cand).reshape(n_slots, n_cand)
    theta = np.zeros(n_cells)
    want_share = np.maximum(np.asarray(target, dtype=float), 1e-9)
    for _ in range(iterations):
        p = _tilt_probabilities(theta, cand, cell, n_slots, n_cand)
        expected = np.bincount(cell, weights=p.ravel()[cand], minlength=n_cells)
        want = want_share * (p * size).sum()
        theta = np.clip(theta + np.log(want / np.maximum(expected, 1e-9)), -8.0, 8.0)
    return theta


def calibrate_choice(
    rng: np.random.Generator,
    cand: np.ndarray,
    cell: np.ndarray,
    n_slots: int,
    n_cand: int,
    target: np.ndarray | None = None,
    *,
    theta: np.ndarray | None = None,
) -> np.ndarray:
    """Choose one of ``n_cand`` candidate households per slot so persons follow ``target``.

    ``theta`` (from :func:`fit_tilt`) is fitted on these candidates unless
    given. Returns the index 0..n_cand-1 of the chosen candidate per slot.

    Examples
    --------
    Two slots, two one-person candidates each (cells 0 or 1); target all in cell 1:

    >>> rng = np.random.default_rng(0)
    >>> calibrate_choice(rng, np.arange(4), np.array([0, 1, 1, 0]), 2, 2, np.array([0.0, 1.0])).tolist()
    [1, 0]
    """
    cand = np.asarray(cand, dtype=np.int64)
    cell = np.asarray(cell, dtype=np.int64)
    if theta is None:
        theta = fit_tilt(cand, cell, n_slots, n_cand, np.asarray(target, dtype=float))
    p = _tilt_probabilities(theta, cand, cell, n_slots, n_cand)
    u = rng.random(n_slots)
    return np.minimum((np.cumsum(p, axis=1) < u[:, None]).sum(axis=1), n_cand - 1)


def _calibrated_households(rng: np.random.Generator, k: np.ndarray, n_cand: int) -> dict[str, np.ndarray]:
    """Compositions of households of sizes ``k``, each chosen among ``n_cand`` by :func:`calibrate_choice`.

    Works in chunks of :data:`_CHUNK` households (bounded memory); the tilt is
    fitted on the first chunk and applied to the others.
    """
    target = target_pyramid()["share"].to_numpy()
    n_groups = len(AGE_GROUPS)
    theta = None
    parts = []
    for lo in range(0, len(k), _CHUNK):
        kc = k[lo : lo + _CHUNK]
        H = len(kc)
        comp = _compose(rng, np.repeat(kc, n_cand))
        cell = (comp["sex"] - 1) * n_groups + age_group(comp["age"])
        if theta is None:
            theta = fit_tilt(comp["hh"], cell, H, n_cand, target)
        choice = calibrate_choice(rng, comp["hh"], cell, H, n_cand, theta=theta)
        chosen = np.arange(H) * n_cand + choice
        new_index = np.full(H * n_cand, -1, dtype=np.int64)
        new_index[chosen] = np.arange(H) + lo
        keep = new_index[comp["hh"]] >= 0
        part = {name: arr[keep] for name, arr in comp.items() if len(arr) == len(keep)}
        part["hh"] = new_index[comp["hh"][keep]]  # candidates are slot-major: hh stays sorted
        part.update({name: comp[name][chosen] for name in ("typ", "head_sex", "son")})
        parts.append(part)
        del comp, cell, keep
    return {name: np.concatenate([p[name] for p in parts]) for name in parts[0]}


def _compose(rng: np.random.Generator, k: np.ndarray) -> dict[str, np.ndarray]:
    """Composition and member ages of households of sizes ``k`` (names not drawn yet).

    Returns household-level arrays (``typ``, ``head_sex``, ``son``) and
    person-level arrays (``hh``, ``pos``, ``role``, ``rel``, ``sex``, ``age``,
    ``mar``, ``mother_off``: position of the mother within the household, -1
    when absent).
    """
    H = len(k)
    # --- composition -----------------------------------------------------
    u = rng.random(H)
    typ = np.where(k >= 2, 1, 0)
    typ = np.where((k >= 2) & (u < 0.08), 2, typ)
    typ = np.where((k >= 3) & (u >= 0.08) & (u < 0.20), 3, typ)
    typ = np.where((k >= 4) & (u >= 0.20) & (u < 0.44), 4, typ)
    sp = np.isin(typ, (1, 3)).astype(int)
    t4 = typ == 4
    sp[t4] = (rng.random(int(t4.sum())) < 0.8).astype(int)
    mc = t4.astype(int)
    gr = np.where(t4, k - 1 - sp - 2, 0)
    fix = t4 & (gr == 0)
    sp[fix] = 0
    gr[fix] = 1
    pa = np.where(typ == 3, np.where((k >= 4) & (rng.random(H) < 0.5), 2, 1), 0)
    ch = np.select([typ == 1, typ == 2, typ == 3], [k - 2, k - 1, k - 2 - pa], 0)
    ot = ((typ == 1) & (ch >= 2) & (rng.random(H) < 0.1)).astype(int)
    ch = ch - ot
    assert np.all(1 + sp + 2 * mc + ch + gr + pa + ot == k)

    # --- ages of the head couple and the own children ---------------------
    cap = np.where(typ == 3, 12, 35)
    fem, child_ages = _family(rng, ch, cap)
    no_child = ch == 0
    young = rng.random(H) < np.where(typ == 3, 1.0, 0.35)
    fem = np.where(no_child, np.where(young, rng.integers(20, 33, H), rng.integers(45, 81, H)), fem)
    male = np.maximum(fem + _spouse_gap(rng, H), 21)
    # three generations: the couple's age follows from their married child
    g_fem, g_ages = _family(rng, gr, np.full(H, 20))
    g_male = np.maximum(g_fem + _spouse_gap(rng, H), 21)
    son = rng.random(H) < 0.7
    mc_age = np.where(son, g_male, g_fem)
    cil_age = np.where(son, g_fem, g_male)
    fem4 = np.minimum(mc_age + rng.integers(20, 37, H), 100)
    male4 = np.minimum(np.maximum(fem4 + _spouse_gap(rng, H), mc_age + 18), 100)
    fem = np.where(t4, fem4, fem)
    male = np.where(t4, male4, male)
    # single persons
    single_young = rng.random(H) < 0.35
    single_age = np.where(single_young, rng.integers(20, 41, H), rng.integers(55, 96, H))
    single_sex = np.where(single_young, np.where(rng.random(H) < 0.55, 1, 2), np.where(rng.random(H) < 0.35, 1, 2))

    head_sex = np.where(rng.random(H) < 0.75, 1, 2)  # couples
    head_sex = np.where(typ == 0, single_sex, head_sex)
    head_sex = np.where(typ == 2, np.where(rng.random(H) < 0.8, 2, 1), head_sex)
    head_sex = np.where(t4 & (sp == 0), np.where(rng.random(H) < 0.7, 2, 1), head_sex)
    head_age = np.where(head_sex == 1, male, fem)
    head_age = np.where(typ == 0, single_age, head_age)
    spouse_age = np.where(head_sex == 1, fem, male)
    # parents of the head (type 3)
    pmother = np.minimum(head_age + rng.integers(20, 36, H), 100)
    pfather = np.minimum(np.maximum(pmother + _spouse_gap(rng, H), head_age + 18), 100)
    one_parent_sex = np.where(rng.random(H) < 0.7, 2, 1)

    # --- marital status of the head --------------------------------------
    head_mar = np.full(H, 2)
    r = rng.random(H)
    head_mar = np.where(
        typ == 0,
        np.where(single_young, np.where(r < 0.8, 1, 4), np.select([r < 0.75, r < 0.85], [3, 4], 1)),
        head_mar,
    )
    head_mar = np.where(typ == 2, np.select([r < 0.5, r < 0.85], [3, 4], 5), head_mar)
    head_mar = np.where(t4 & (sp == 0), 3, head_mar)

    # --- persons: layout head, spouse, married child, in-law, children,
    #     grandchildren, parents, other ------------------------------------
    start = np.concatenate([[0], np.cumsum(k)[:-1]])
    N = int(k.sum())
    hh = np.repeat(np.arange(H), k)
    pos = np.arange(N) - start[hh]
    b1 = 1 + sp
    b2 = b1 + mc
    b3 = b2 + mc
    b4 = b3 + ch
    b5 = b4 + gr
    b6 = b5 + pa
    P = {name: arr[hh] for name, arr in dict(b1=b1, b2=b2, b3=b3, b4=b4, b5=b5, b6=b6).items()}
    role = np.select(
        [pos == 0, pos < P["b1"], pos < P["b2"], pos < P["b3"], pos < P["b4"], pos < P["b5"], pos < P["b6"]],
        [0, 1, 2, 3, 4, 5, 6],
        7,
    )
    rel = np.array([REL_HEAD, REL_SPOUSE, REL_CHILD, REL_INLAW, REL_CHILD, REL_GRAND, REL_PARENT, REL_OTHER])[role]
    n_role = np.zeros(N, dtype=int)  # index within its role
    n_role = pos - np.select(
        [role == 4, role == 5, role == 6], [P["b3"], P["b4"], P["b5"]], 0
    )
    ks = np.minimum(n_role, child_ages.shape[1] - 1)
    kg = np.minimum(n_role, g_ages.shape[1] - 1)
    h_sex, s_sex = head_sex[hh], 3 - head_sex[hh]
    kid_sex = np.where(rng.random(N) < 0.515, 1, 2)
    parent_sex = np.where(pa[hh] == 2, np.where(n_role == 0, 2, 1), one_parent_sex[hh])
    mc_sex = np.where(son[hh], 1, 2)
    sex = np.select(
        [role == 0, role == 1, role == 2, role == 3, role == 6],
        [h_sex, s_sex, mc_sex, 3 - mc_sex, parent_sex],
        kid_sex,
    )
    age = np.select(
        [role == 0, role == 1, role == 2, role == 3, role == 4, role == 5, role == 6, role == 7],
        [
            head_age[hh],
            spouse_age[hh],
            mc_age[hh],
            cil_age[hh],
            child_ages[hh, ks],
            g_ages[hh, kg],
            np.where(parent_sex == 2, pmother[hh], pfather[hh]),
            rng.integers(8, 31, N),
        ],
    ).astype(float)
    age = np.minimum(age, 100) + rng.random(N) * 0.999
    mar = np.select(
        [role == 0, role == 1, (role == 2) | (role == 3), role == 6],
        [head_mar[hh], 2, 2, np.where(pa[hh] == 2, 2, 3)],
        1,
    )

    # mothers (positions in the household)
    head_pos, sp_pos = np.zeros(N, dtype=np.int64), np.ones(N, dtype=np.int64)
    fem_couple = np.where(h_sex == 2, head_pos, np.where(sp[hh] == 1, sp_pos, -1))
    mc_pos = b1[hh]
    cil_pos = mc_pos + 1
    young_mother = np.where(mc_sex == 2, mc_pos, cil_pos)
    female_parent = np.where(
        pa[hh] == 2, b5[hh], np.where(one_parent_sex[hh] == 2, b5[hh], -1)
    )
    mother_pos = np.select(
        [(role == 4) | (role == 2), role == 5, (role == 0) & (typ[hh] == 3)],
        [fem_couple, young_mother, female_parent],
        -1,
    )

    return dict(
        typ=typ, head_sex=head_sex, son=son,
        hh=hh, pos=pos, role=role, rel=rel, sex=sex, age=age, mar=mar, mother_off=mother_pos,
    )


def build_population(
    counts: pd.DataFrame,
    rng: np.random.Generator,
    export_date: pd.Timestamp,
    *,
    candidates: int = CANDIDATES,
):
    """Households and present persons (internal frames with helper columns).

    Household sizes are drawn first (exact persons per commune); for each
    household ``candidates`` compositions of that size are drawn and one is
    chosen, with probabilities tilted so that the persons' 5-year age-sex
    distribution follows :func:`popqa.synth.pyramid.target_pyramid`
    (see :func:`calibrate_choice`). Sizes, hence totals, are unchanged.

    Returns
    -------
    households : one row per household with ``commune`` index, geography,
        ``urban``, ``size``, ``htype``.
    persons : one row per present person with ``hh`` (household row),
        relation, sex, age (float years at the export date), mother position
        ``mother_pos`` (row of the mother in the same frame, -1 when absent),
        surname/middle/given, ethnicity, marital status, ...
    """
    hh_n = counts["households"].to_numpy()
    k = _hh_sizes(rng, hh_n, counts["persons"].to_numpy())
    H = len(k)
    commune = np.repeat(np.arange(len(counts)), hh_n)
    comp = _calibrated_households(rng, k, max(int(candidates), 1))
    hh, pos, role, rel = comp["hh"], comp["pos"], comp["role"], comp["rel"]
    sex, age, mar = comp["sex"], comp["age"], comp["mar"]
    start = np.concatenate([[0], np.cumsum(k)[:-1]])
    moff = comp["mother_off"]
    mother_pos = np.where(moff >= 0, start[hh] + moff, -1)
    typ, head_sex, son = comp["typ"], comp["head_sex"], comp["son"]
    del comp
    h_sex, s_sex = head_sex[hh], 3 - head_sex[hh]
    mc_sex = np.where(son[hh], 1, 2)

    # surnames: children carry their father's
    S_m, S_f, S_cil, S_pf, S_o = (draw_surnames(rng, H) for _ in range(5))
    couple_male_sur = S_m[hh]
    head_sur = np.where(h_sex == 1, S_m[hh], S_f[hh])
    mc_sur = couple_male_sur
    sur = np.select(
        [role == 0, role == 1, role == 2, role == 3, role == 4, role == 5, role == 6],
        [
            head_sur,
            np.where(s_sex == 1, S_m[hh], S_f[hh]),
            mc_sur,
            S_cil[hh],
            couple_male_sur,
            np.where(mc_sex == 1, mc_sur, S_cil[hh]),
            np.where(sex == 1, head_sur, S_pf[hh]),
        ],
        S_o[hh],
    )
    middle = draw_middle(rng, sex)
    given = draw_given(rng, sex)
    # siblings and parent/child pairs should not share a given name
    same = (pos > 0) & (given == np.roll(given, 1)) & (hh == np.roll(hh, 1))
    given[same] = other_given(given[same], sex[same])

    households = counts.iloc[commune][
        ["province_code", "district_code", "commune_code", "urban"]
    ].reset_index(drop=True)
    households["commune"] = commune
    households["size"] = k
    households["htype"] = typ
    persons = pd.DataFrame(
        {
            "hh": hh,
            "pos": pos,
            "relation_to_head": rel,
            "role": role,
            "sex": sex,
            "age": age,
            "marital_status": mar,
            "mother_pos": mother_pos,
            "surname": sur,
            "middle": middle,
            "given": given,
        }
    )
    return households, persons
