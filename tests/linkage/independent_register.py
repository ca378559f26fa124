"""An independent test register: a second generator that shares no code with ``popqa.synth``.

The synthetic province (``popqa.synth``) is what popqa's linkage model was first tuned on.
A threshold or a comparison level chosen there can fit that generator's quirks rather than
the register's. This module builds registers another way (its own name pools, household
composition, error model and ID rules, closer to a southern province such as Tây Ninh, with
Khmer surnames), so accuracy can be reported on data the model was never adjusted to.

What it plants, with its own truth:

* true duplicates (``truth["duplicates"]``: a, b, variation): a person entered a second
  time, with errors drawn independently and often several at once: the record moved to
  another household (relation "other"), lost its citizen ID, swapped day and month,
  one-year-off year, a typo in the given name or surname, no diacritics, upper case,
  a dropped middle name, a year-only date;
* hard non-duplicates (``truth["hard"]``: a, b, kind): ``twins`` and ``triplets`` (one
  household, one birth date, same surname and middle name, different given names),
  ``parent_child_same_name`` (a mother and daughter or father and son with one full name,
  20-45 years apart, one household), ``namesakes`` (same full name, sex and birth year,
  another household, different dates) and ``namesakes_distinct_ids`` (same full name and
  birth date in another household, both with their own valid citizen ID).

Nothing here is tuned to popqa's model; the proportions are chosen from what a register
clerk sees (a twin birth about every 60 births, about 4% of persons with a second record,
movers making half of those).

Examples
--------
>>> reg = make_register(n_households=300, seed=1)
>>> sorted(reg)
['duplicates', 'hard', 'persons']
>>> bool(reg["persons"]["person_id"].is_unique)
True
"""

from __future__ import annotations

import unicodedata

import numpy as np
import pandas as pd

SURNAMES = [
    ("Nguyễn", 31), ("Trần", 10), ("Lê", 8), ("Phạm", 5), ("Huỳnh", 5), ("Võ", 5), ("Phan", 4),
    ("Trương", 3), ("Bùi", 2), ("Đặng", 2), ("Đỗ", 2), ("Ngô", 2), ("Hồ", 2), ("Dương", 2),
    ("Lý", 1.5), ("Thạch", 1.5), ("Danh", 1), ("Sơn", 1), ("Lâm", 1), ("Đinh", 1), ("Tô", 1),
    ("Châu", 1), ("Mai", 1), ("Cao", 1), ("La", 0.5), ("Kha", 0.5), ("Quách", 0.5), ("Tăng", 0.5),
]
MIDDLE_M = [("Văn", 45), ("Minh", 10), ("Quốc", 8), ("Thanh", 8), ("Hoàng", 6), ("Hữu", 6), ("Công", 5),
            ("Đức", 5), ("Tấn", 4), ("Trung", 3)]
MIDDLE_F = [("Thị", 50), ("Ngọc", 12), ("Thị Ngọc", 8), ("Kim", 7), ("Thanh", 6), ("Thị Kim", 5),
            ("Mỹ", 5), ("Thị Thanh", 4), ("Bích", 3)]
GIVEN_M = ["Hùng", "Dũng", "Tuấn", "Vinh", "Huy", "Nam", "Phúc", "Tài", "Lộc", "Thành", "Sơn", "Hải",
           "Long", "Khoa", "Tâm", "Trí", "Nghĩa", "Hiếu", "Thắng", "Cường", "Bình", "Tùng", "Khải",
           "Đạt", "Hậu", "Tín", "Nhân", "Quang", "Phong", "Thịnh", "Lợi", "Toàn", "Sang", "Tú", "Kiệt",
           "Bảo", "Duy", "Hoà", "Việt", "Thuận"]
GIVEN_F = ["Lan", "Hương", "Mai", "Hoa", "Thảo", "Trang", "Linh", "Ngân", "Nhung", "Hằng", "Phương",
           "Tuyết", "Loan", "Yến", "Vy", "Nhi", "Hạnh", "Thu", "Hồng", "Diễm", "Trâm", "Quyên", "Tiên",
           "Oanh", "Xuân", "Kiều", "Thủy", "Liên", "Huệ", "Cúc", "Dung", "Thơ", "My", "Ánh", "Ngọc",
           "Hiền", "Giang", "Uyên", "Châu", "Duyên"]

EXPORT = pd.Timestamp("2026-10-31")


def _draw(rng: np.random.Generator, table, n: int) -> np.ndarray:
    names = np.array([t[0] for t in table], dtype=object)
    w = np.array([t[1] for t in table], dtype=float)
    return rng.choice(names, size=n, p=w / w.sum())


def _zipf_given(rng: np.random.Generator, pool: list[str], n: int) -> np.ndarray:
    w = 1.0 / np.arange(1, len(pool) + 1) ** 0.8
    return rng.choice(np.array(pool, dtype=object), size=n, p=w / w.sum())


def _fold(s: str) -> str:
    s = s.replace("đ", "d").replace("Đ", "D")
    return "".join(c for c in unicodedata.normalize("NFD", s) if not unicodedata.combining(c))


def _typo(rng: np.random.Generator, word: str) -> str:
    """One keyboard slip: a letter dropped, doubled or replaced by a neighbour."""
    if len(word) < 2:
        return word + "h"
    i = int(rng.integers(1, len(word)))
    kind = int(rng.integers(0, 3))
    if kind == 0:
        out = word[:i] + word[i + 1:]
    elif kind == 1:
        out = word[:i] + word[i] + word[i:]
    else:
        out = word[:i] + "qwertyuiopasdfghjklzxcvbnm"[int(rng.integers(0, 26))] + word[i + 1:]
    return out if out != word else word + "h"


def _cid(rng: np.random.Generator, sex: int, year: int) -> str:
    century = 0 if year < 2000 else 2
    return f"072{century + sex - 1}{year % 100:02d}{int(rng.integers(0, 10**6)):06d}"


def make_register(n_households: int = 12_000, seed: int = 15) -> dict[str, pd.DataFrame]:
    """Build a register with planted duplicates and hard non-duplicates.

    Parameters
    ----------
    n_households : households before duplicates (about 3.3 persons each).
    seed : random seed.

    Returns
    -------
    dict with ``persons`` (data-contract columns), ``duplicates`` (a, b, variation; every
    pair of records of one true person) and ``hard`` (a, b, kind).
    """
    rng = np.random.default_rng(seed)
    districts = [f"8{d:02d}" for d in range(1, 9)]
    communes = [(f"2{d:02d}{c:02d}", districts[d]) for d in range(8) for c in range(6)]
    rows: list[dict] = []
    hard: list[tuple[str, str, str]] = []
    sizes = rng.choice([1, 2, 3, 4, 5, 6, 7], size=n_households, p=[.08, .18, .22, .26, .15, .07, .04])
    for h in range(n_households):
        commune, district = communes[int(rng.integers(0, len(communes)))]
        hid = f"{commune}{h:06d}"
        size = int(sizes[h])
        members: list[dict] = []
        head_sex = 1 if rng.random() < 0.72 else 2
        head_age = int(rng.integers(24, 82))
        fam_surname = _draw(rng, SURNAMES, 1)[0]
        spouse_surname = _draw(rng, SURNAMES, 1)[0]

        def person(sex: int, age_years: float, surname: str, rel: int, mother: str | None = None) -> dict:
            middle = _draw(rng, MIDDLE_M if sex == 1 else MIDDLE_F, 1)[0]
            given = _zipf_given(rng, GIVEN_M if sex == 1 else GIVEN_F, 1)[0]
            bd = EXPORT - pd.Timedelta(days=int(age_years * 365.25 + rng.integers(0, 365)))
            return {"surname": surname, "middle": middle, "given": given, "sex": sex, "birth_date": bd.normalize(),
                    "relation_to_head": rel, "mother_id": mother}

        members.append(person(head_sex, head_age, fam_surname if head_sex == 1 else spouse_surname, 1))
        father_surname = fam_surname
        mother_idx = None
        if size >= 2:
            s_sex = 3 - head_sex
            s_age = max(18, head_age + int(rng.integers(-6, 4)) * (1 if head_sex == 1 else -1))
            members.append(person(s_sex, s_age, spouse_surname if s_sex == 2 else fam_surname, 2))
            mother_idx = 0 if head_sex == 2 else 1
            father_surname = members[1 - mother_idx]["surname"] if size >= 2 else fam_surname
        mother_age = (EXPORT - members[mother_idx]["birth_date"]).days / 365.25 if mother_idx is not None else head_age
        n_kids = size - len(members)
        ages = sorted(rng.uniform(0.5, max(1.0, mother_age - 18), size=n_kids), reverse=True) if n_kids else []
        for a in ages:
            members.append(person(int(rng.integers(1, 3)), a, father_surname, 3,
                                  mother=None if mother_idx is None else str(mother_idx)))
        kids = [m for m in members if m["relation_to_head"] == 3]
        # twins (and now and then triplets): one date, one surname and middle name, other given names
        if len(kids) >= 2 and rng.random() < 0.06:
            k = 3 if (len(kids) >= 3 and rng.random() < 0.15) else 2
            first = kids[0]
            used = {first["given"]}
            for other in kids[1:k]:
                other["birth_date"] = first["birth_date"]
                other["middle"] = first["middle"] if other["sex"] == first["sex"] else other["middle"]
                pool = GIVEN_M if other["sex"] == 1 else GIVEN_F
                while other["given"] in used:
                    other["given"] = pool[int(rng.integers(0, len(pool)))]
                used.add(other["given"])
                other["_twin_of"] = "triplets" if k == 3 else "twins"
        # a daughter named after her mother (or a son after his father), one household
        if kids and mother_idx is not None and rng.random() < 0.02:
            kid = kids[-1]
            parent = members[mother_idx] if kid["sex"] == 2 else members[1 - mother_idx]
            if abs((parent["birth_date"] - kid["birth_date"]).days) > 20 * 365:
                kid.update(surname=parent["surname"], middle=parent["middle"], given=parent["given"])
                kid["_same_name_as"] = parent
        for i, m in enumerate(members):
            m["person_id"] = f"{hid}{i + 1:02d}"
            m["household_id"] = hid
            m["commune_code"] = commune
            m["district_code"] = district
        for m in members:
            if m["mother_id"] is not None:
                m["mother_id"] = members[int(m["mother_id"])]["person_id"]
            if "_same_name_as" in m:
                hard.append((m["_same_name_as"]["person_id"], m["person_id"], "parent_child_same_name"))
        twins = [m for m in members if "_twin_of" in m]
        if twins:
            first = kids[0]
            group = [first, *twins]
            for i in range(len(group)):
                for j in range(i + 1, len(group)):
                    hard.append((group[i]["person_id"], group[j]["person_id"], twins[0]["_twin_of"]))
        rows.extend(members)
    p = pd.DataFrame(rows).drop(columns=["_twin_of", "_same_name_as"], errors="ignore")
    age = (EXPORT - p["birth_date"]).dt.days / 365.25
    # old people often have only a year of birth
    year_only = (p["birth_date"].dt.year < 1950) & (rng.random(len(p)) < 0.5)
    p["birth_date_precision"] = np.where(year_only, "year", "day")
    p.loc[year_only, "birth_date"] = pd.to_datetime(p.loc[year_only, "birth_date"].dt.year.astype(str) + "-01-01")
    has_id = (age >= 14) & (rng.random(len(p)) < 0.88)
    p["citizen_id"] = [(_cid(rng, s, y) if ok else None)
                       for s, y, ok in zip(p["sex"], p["birth_date"].dt.year, has_id, strict=True)]

    # namesakes in other households: same full name, sex and birth year, another date
    adults = np.flatnonzero((age >= 20).to_numpy() & (p["relation_to_head"] <= 2).to_numpy())
    n_ns = max(6, len(p) // 400)
    a_idx = rng.choice(adults, size=2 * n_ns, replace=False)
    for k in range(n_ns):
        a, b = int(a_idx[2 * k]), int(a_idx[2 * k + 1])
        if p.at[a, "sex"] != p.at[b, "sex"] or p.at[a, "household_id"] == p.at[b, "household_id"]:
            continue
        p.loc[b, ["surname", "middle", "given"]] = p.loc[a, ["surname", "middle", "given"]].to_numpy()
        same_date = k % 4 == 0
        bd = p.at[a, "birth_date"]
        if same_date:
            p.at[b, "birth_date"] = bd
            p.at[b, "birth_date_precision"] = p.at[a, "birth_date_precision"]
            for x in (a, b):
                if p.at[x, "citizen_id"] is None:
                    p.at[x, "citizen_id"] = _cid(rng, int(p.at[x, "sex"]), int(bd.year))
            kind = "namesakes_distinct_ids"
        else:
            shift = int(rng.integers(20, 300)) * (1 if rng.random() < 0.5 else -1)
            new = bd + pd.Timedelta(days=shift)
            if new.year != bd.year:
                new = bd - pd.Timedelta(days=shift)
            p.at[b, "birth_date"] = new
            p.at[b, "birth_date_precision"] = "day"
            kind = "namesakes"
        hard.append((p.at[a, "person_id"], p.at[b, "person_id"], kind))

    # true duplicates
    cand = np.flatnonzero(~p["person_id"].isin({x for t in hard for x in t[:2]}).to_numpy())
    n_dup = int(round(0.04 * len(p)))
    src = rng.choice(cand, size=n_dup, replace=False)
    d = p.iloc[src].copy().reset_index(drop=True)
    n = len(d)
    r = rng.random((n, 12))
    moved = r[:, 0] < 0.5
    lost_id = np.where(moved, r[:, 1] < 0.75, r[:, 1] < 0.3)
    swapped = (r[:, 2] < 0.10) & (d["birth_date"].dt.day <= 12).to_numpy() & (
        d["birth_date"].dt.day != d["birth_date"].dt.month).to_numpy() & (d["birth_date_precision"] == "day").to_numpy()
    year_off = r[:, 3] < 0.06
    typo_given = r[:, 4] < 0.08
    typo_surname = r[:, 5] < 0.03
    no_diacritics = r[:, 6] < 0.15
    upper = r[:, 7] < 0.05
    dropped_middle = r[:, 8] < 0.05
    year_only = (r[:, 9] < 0.04) & (d["birth_date_precision"] == "day").to_numpy()
    variation: list[list[str]] = [[] for _ in range(n)]
    bd = d["birth_date"].copy()
    for i in range(n):
        v = variation[i]
        if swapped[i]:
            b0 = bd.iat[i]
            bd.iat[i] = pd.Timestamp(year=b0.year, month=b0.day, day=b0.month)
            v.append("swapped_day_month")
        if year_off[i]:
            b0 = bd.iat[i]
            bd.iat[i] = pd.Timestamp(year=b0.year + (1 if r[i, 10] < 0.5 else -1), month=b0.month, day=min(b0.day, 28))
            v.append("one_year_off")
        if typo_given[i]:
            d.at[i, "given"] = _typo(rng, d.at[i, "given"])
            v.append("typo")
        if typo_surname[i]:
            d.at[i, "surname"] = _typo(rng, d.at[i, "surname"])
            v.append("surname_typo")
        if dropped_middle[i]:
            d.at[i, "middle"] = None
            v.append("dropped_middle_name")
    d["birth_date"] = bd
    d.loc[year_only, "birth_date"] = pd.to_datetime(d.loc[year_only, "birth_date"].dt.year.astype(str) + "-01-01")
    d.loc[year_only, "birth_date_precision"] = "year"
    d.loc[lost_id | year_off, "citizen_id"] = None
    names = (d["surname"] + " " + d["middle"].fillna("") + " " + d["given"]).str.replace("  ", " ")
    names = names.where(~no_diacritics, names.map(_fold))
    names = names.where(~upper, names.str.upper())
    d["full_name"] = names
    hh = p.drop_duplicates("household_id")[["household_id", "commune_code", "district_code"]].reset_index(drop=True)
    same_commune = r[:, 11] < 0.5
    target = rng.integers(0, len(hh), size=n)
    by_c = hh.groupby("commune_code").indices
    for i in np.flatnonzero(moved & same_commune):
        pool = by_c[d.at[i, "commune_code"]]
        target[i] = pool[int(rng.integers(0, len(pool)))]
    for i in np.flatnonzero(moved):
        d.loc[i, ["household_id", "commune_code", "district_code"]] = hh.loc[target[i]].to_numpy()
        if d.at[i, "household_id"] == p.at[src[i], "household_id"]:
            moved[i] = False
    d["relation_to_head"] = np.where(moved & (rng.random(n) < 0.7), 7, np.where(moved, 6, d["relation_to_head"]))
    d.loc[moved, "mother_id"] = None
    for i in range(n):
        if moved[i]:
            variation[i].append("moved_household")
        if lost_id[i] and p.at[src[i], "citizen_id"] is not None:
            variation[i].append("missing_id")
        if no_diacritics[i]:
            variation[i].append("no_diacritics")
        if upper[i]:
            variation[i].append("uppercase")
        if year_only[i]:
            variation[i].append("year_only")
    d["person_id"] = d["household_id"] + [f"{90 - k % 10:02d}" for k in range(n)]
    # unique ids even when several duplicates land in one household
    d["person_id"] = d["person_id"] + pd.Series(np.arange(n)).astype(str).str.zfill(5).to_numpy()
    dups = pd.DataFrame({"a": p["person_id"].to_numpy()[src], "b": d["person_id"].to_numpy(),
                         "variation": ["+".join(v) if v else "exact" for v in variation]})
    p["full_name"] = (p["surname"] + " " + p["middle"].fillna("") + " " + p["given"]).str.replace("  ", " ")
    cols = ["person_id", "household_id", "full_name", "sex", "birth_date", "birth_date_precision", "commune_code",
            "district_code", "citizen_id", "relation_to_head", "mother_id"]
    persons = pd.concat([p[cols], d[cols]], ignore_index=True)
    persons["province_code"] = "72"
    persons["updated_at"] = EXPORT
    for c in ("person_id", "household_id", "full_name", "birth_date_precision", "commune_code", "district_code",
              "citizen_id", "mother_id", "province_code"):
        persons[c] = persons[c].astype("string")
    persons["sex"] = persons["sex"].astype("Int64")
    persons["relation_to_head"] = persons["relation_to_head"].astype("Int64")
    persons = persons.sample(frac=1.0, random_state=seed).reset_index(drop=True)
    hard_df = pd.DataFrame(hard, columns=["a", "b", "kind"])
    lo = np.minimum(dups["a"], dups["b"])
    hi = np.maximum(dups["a"], dups["b"])
    dups = pd.DataFrame({"a": lo, "b": hi, "variation": dups["variation"]})
    lo = np.minimum(hard_df["a"], hard_df["b"])
    hi = np.maximum(hard_df["a"], hard_df["b"])
    hard_df = pd.DataFrame({"a": lo, "b": hi, "kind": hard_df["kind"]})
    return {"persons": persons, "duplicates": dups.reset_index(drop=True), "hard": hard_df.reset_index(drop=True)}


def evaluate(pairs: pd.DataFrame, threshold: float, truth: dict[str, pd.DataFrame]) -> dict:
    """Pairwise precision, recall and F1 of the pairs at or above ``threshold``; recall per variation
    and false links per hard non-duplicate kind.

    Pairs are counted as scored (not the transitive closure of the clusters), as a clerk sees them.
    """
    acc = pairs[pairs["match_probability"] >= threshold]
    lo = np.minimum(acc["person_id_l"].astype(str), acc["person_id_r"].astype(str))
    hi = np.maximum(acc["person_id_l"].astype(str), acc["person_id_r"].astype(str))
    pred = set(zip(lo, hi, strict=True))
    t = truth["duplicates"]
    tset = set(zip(t["a"], t["b"], strict=True))
    tp = len(pred & tset)
    prec = tp / len(pred) if pred else 1.0
    rec = tp / len(tset) if tset else 1.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    found = pd.Series([(a, b) in pred for a, b in zip(t["a"], t["b"], strict=True)], index=t.index)
    per = (t.assign(found=found, variation=t["variation"].str.split("+")).explode("variation")
           .groupby("variation")["found"].agg(["size", "mean"]).rename(columns={"size": "pairs", "mean": "recall"}))
    h = truth["hard"]
    linked = pd.Series([(a, b) in pred for a, b in zip(h["a"], h["b"], strict=True)], index=h.index)
    hard = h.assign(linked=linked).groupby("kind")["linked"].agg(["size", "sum"]).rename(
        columns={"size": "pairs", "sum": "wrongly_linked"})
    return {"precision": prec, "recall": rec, "f1": f1, "tp": tp, "fp": len(pred - tset), "fn": len(tset - pred),
            "per_variation": per, "hard": hard}
