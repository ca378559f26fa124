"""Vietnam's administrative units, legacy (three levels) and 2025 (two levels).

Everything is read from the data that ships with the ``vietnamadminunits``
package (its SQLite dataset and its 2025 conversion tables); nothing is typed
by hand here. Legacy codes are the GSO codes the population register still
carries (province 2 digits, district 3, commune 5). On 1 July 2025 districts
were abolished and provinces merged into 34; the 2025 units have their own
codes (legacy Tây Ninh "72" and Long An "80"... became the new Tây Ninh "80").

Examples
--------
>>> units = legacy_units("72")
>>> units["district_code"].nunique(), len(units)
(9, 94)
>>> district_name("710")
'Huyện Gò Dầu'
>>> commune_in_district("25456", "703")
True
"""

from __future__ import annotations

import json
import sqlite3
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = [
    "DEFAULT_PROVINCE",
    "legacy_units",
    "units_2025",
    "crosswalk",
    "crosswalk_2025_province",
    "province_codes",
    "province_unit",
    "provinces",
    "districts",
    "province_name",
    "district_name",
    "commune_name",
    "commune_in_district",
    "commune_in_province",
    "check_hierarchy",
    "to_2025",
    "codes_2025",
    "commune_centroids",
    "legacy_province_codes",
]

#: Legacy GSO code of Tây Ninh, the default province everywhere (never hard-wired).
DEFAULT_PROVINCE = "72"


def _data_dir() -> Path:
    return Path(str(resources.files("vietnamadminunits") / "data"))


def _query(sql: str) -> pd.DataFrame:
    with sqlite3.connect(_data_dir() / "dataset.db") as conn:
        return pd.read_sql_query(sql, conn)


@lru_cache(maxsize=1)
def _legacy_all() -> pd.DataFrame:
    df = _query(
        """
        SELECT provinceCode AS province_code, province AS province_name,
               districtCode AS district_code, district AS district_name,
               districtType AS district_type,
               wardCode AS commune_code, ward AS commune_name, wardType AS commune_type,
               wardLat AS latitude, wardLon AS longitude,
               provinceKey AS _pkey, districtKey AS _dkey, wardKey AS _wkey
        FROM admin_units_legacy
        WHERE wardCode IS NOT NULL
        """
    )
    df = df.drop_duplicates("commune_code").sort_values("commune_code").reset_index(drop=True)
    return df


@lru_cache(maxsize=1)
def _new_all() -> pd.DataFrame:
    df = _query(
        """
        SELECT provinceCode AS province_code, province AS province_name,
               wardCode AS commune_code, ward AS commune_name, wardType AS commune_type,
               wardLat AS latitude, wardLon AS longitude, wardAreaKm2 AS area_km2,
               provinceKey AS _pkey, wardKey AS _wkey
        FROM admin_units
        """
    )
    return df.drop_duplicates("commune_code").sort_values("commune_code").reset_index(drop=True)


def _codes(province_code) -> list[str]:
    """``"72"``, ``"72,80"`` (several legacy provinces, e.g. the ones a 2025 province merged) or a list."""
    if isinstance(province_code, str):
        return [c.strip() for c in province_code.split(",") if c.strip()]
    return [str(c) for c in province_code]


def _public(df: pd.DataFrame) -> pd.DataFrame:
    return df[[c for c in df.columns if not c.startswith("_")]].reset_index(drop=True)


def legacy_units(province_code: str | None = None) -> pd.DataFrame:
    """Legacy communes with their district and province (63 provinces, ~10,000 communes).

    Parameters
    ----------
    province_code : str, optional
        Legacy 2-digit province code; several as ``"72,80"`` or a list (the legacy
        provinces of one 2025 province); all provinces when omitted.

    Returns
    -------
    pandas.DataFrame
        province_code, province_name, district_code, district_name, district_type,
        commune_code, commune_name, commune_type, latitude, longitude.

    Examples
    --------
    >>> legacy_units()["province_code"].nunique()
    63
    >>> legacy_units("72,80")["province_code"].value_counts().sort_index().to_dict()
    {'72': 94, '80': 186}
    """
    df = _legacy_all()
    if province_code is not None:
        df = df[df["province_code"].isin(_codes(province_code))]
    return _public(df)


def units_2025(province_code: str | None = None) -> pd.DataFrame:
    """The 2025 two-level units (34 provinces, 3,321 communes).

    Examples
    --------
    >>> u = units_2025()
    >>> u["province_code"].nunique(), len(u)
    (34, 3321)
    """
    df = _new_all()
    if province_code is not None:
        df = df[df["province_code"] == str(province_code)]
    return _public(df)


@lru_cache(maxsize=1)
def _crosswalk_all() -> pd.DataFrame:
    with open(_data_dir() / "converter_2025.json", encoding="utf-8") as fh:
        conv = json.load(fh)
    legacy = _legacy_all()
    new = _new_all()
    old_key = legacy["_pkey"] + "_" + legacy["_dkey"] + "_" + legacy["_wkey"]
    old_code_by_key = dict(zip(old_key, legacy["commune_code"], strict=True))
    new_code_by_key = dict(zip(new["_pkey"] + "|" + new["_wkey"], new["commune_code"], strict=True))

    rows: list[tuple[str, str, bool, bool]] = []
    for new_pkey, wards in conv["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for new_wkey, old_keys in wards.items():
            new_code = new_code_by_key.get(f"{new_pkey}|{new_wkey}")
            for ok in old_keys:
                oc = old_code_by_key.get(ok)
                if oc is not None and new_code is not None:
                    rows.append((oc, new_code, False, True))
    for new_pkey, splits in conv["DICT_PROVINCE_WARD_DIVIDED"].items():
        for ok, targets in splits.items():
            oc = old_code_by_key.get(ok)
            if oc is None:
                continue
            for t in targets:
                new_code = new_code_by_key.get(f"{new_pkey}|{t['newWardKey']}")
                if new_code is not None:
                    rows.append((oc, new_code, True, bool(t["isDefaultNewWard"])))
    cw = pd.DataFrame(rows, columns=["commune_code", "commune_code_2025", "is_split", "is_default"])
    cw = cw.drop_duplicates(["commune_code", "commune_code_2025"])
    cw = cw.merge(legacy[["commune_code", "district_code", "province_code"]], on="commune_code")
    cw = cw.merge(
        new[["commune_code", "province_code", "commune_name"]].rename(
            columns={
                "commune_code": "commune_code_2025",
                "province_code": "province_code_2025",
                "commune_name": "commune_name_2025",
            }
        ),
        on="commune_code_2025",
    )
    cols = [
        "province_code",
        "district_code",
        "commune_code",
        "province_code_2025",
        "commune_code_2025",
        "commune_name_2025",
        "is_split",
        "is_default",
    ]
    return cw[cols].sort_values(["commune_code", "commune_code_2025"]).reset_index(drop=True)


def crosswalk(province_code: str | None = None, default_only: bool = False) -> pd.DataFrame:
    """Legacy commune to 2025 commune crosswalk.

    A legacy commune either merged whole into one 2025 commune (``is_split``
    False) or was divided among several; for a divided one the package names a
    default 2025 commune (``is_default``), which popqa uses when a record has
    no finer location.

    Parameters
    ----------
    province_code : str, optional
        Legacy province code to restrict to (several: ``"72,80"`` or a list).
    default_only : bool
        Keep one row per legacy commune (the default target).

    Examples
    --------
    >>> cw = crosswalk("72", default_only=True)
    >>> cw["commune_code"].is_unique, len(cw)
    (True, 94)
    """
    cw = _crosswalk_all()
    if province_code is not None:
        cw = cw[cw["province_code"].isin(_codes(province_code))]
    if default_only:
        cw = cw[cw["is_default"]].drop_duplicates("commune_code")
    return cw.reset_index(drop=True)


def crosswalk_2025_province(province_code) -> pd.DataFrame:
    """The crosswalk rows of the whole 2025 province(s) that legacy province(s) ``province_code`` now lie in.

    A register kept for one legacy province is reported under the 2025 province it
    belongs to, and that province also holds the legacy provinces it merged with:
    Tây Ninh "72" and Long An "80" are both the 2025 Tây Ninh "80". So a record of a
    Long An commune in a Tây Ninh register lies inside the (2025) province, and only
    a code of another 2025 province lies outside.

    >>> cw = crosswalk_2025_province("72")
    >>> sorted(set(cw["province_code"])), sorted(set(cw["province_code_2025"]))
    (['72', '80'], ['80'])
    """
    cw = _crosswalk_all()
    mine = set(cw.loc[cw["province_code"].isin(_codes(province_code)), "province_code_2025"])
    return cw[cw["province_code_2025"].isin(mine)].reset_index(drop=True)


def province_codes(province_code, *, merged: bool = False) -> list[str]:
    """The legacy province codes of a ``province_code`` setting (``"72"``, ``"72,80"`` or a list).

    With ``merged``, followed by every other legacy province that lies in the same 2025
    province(s): the legacy provinces whose communes are the audited province's since the
    2025 reform.

    >>> province_codes("72"), province_codes("72", merged=True), province_codes(" 80,72 ", merged=True)
    (['72'], ['72', '80'], ['80', '72'])
    """
    own = _codes(province_code)
    if merged and own:
        own += sorted(set(crosswalk_2025_province(own)["province_code"]) - set(own))
    return own


def province_unit(codes: pd.Series, province_code) -> pd.Series:
    """The province an audit counts each record under (the "province" level of scores and indicators).

    A register of a merged 2025 province holds records of several legacy provinces
    (Tây Ninh "72" and Long An "80"); the audit is of one province, so every record
    whose legacy province lies in the audited 2025 province is counted under the
    audited ``province_code`` (the first code when several are configured). A code of
    another province stays as it is (shown as outside the province), and a missing
    code stays missing.

    >>> province_unit(pd.Series(["72", "80", "79", None]), "72").tolist()
    ['72', '72', '79', <NA>]
    """
    s = codes.astype("string")
    inside = province_codes(province_code, merged=True)
    if not inside:
        return s
    return s.mask(s.isin(inside).fillna(False).to_numpy(bool), inside[0])


def provinces(kind: str = "legacy") -> pd.DataFrame:
    """Provinces (``kind='legacy'``: 63, ``kind='2025'``: 34) with code and name."""
    src = _legacy_all() if kind == "legacy" else _new_all()
    return (
        src[["province_code", "province_name"]]
        .drop_duplicates()
        .sort_values("province_code")
        .reset_index(drop=True)
    )


def legacy_province_codes() -> frozenset[str]:
    """The 63 legacy province codes (for checking citizen-ID prefixes)."""
    return frozenset(_legacy_all()["province_code"].unique())


def districts(province_code: str | None = None) -> pd.DataFrame:
    """Legacy districts with their province."""
    df = legacy_units(province_code)
    return (
        df[["province_code", "province_name", "district_code", "district_name", "district_type"]]
        .drop_duplicates()
        .sort_values("district_code")
        .reset_index(drop=True)
    )


@lru_cache(maxsize=1)
def _names() -> dict[str, dict[str, str]]:
    leg = _legacy_all()
    new = _new_all()
    return {
        "province": dict(zip(leg["province_code"], leg["province_name"], strict=False)),
        "province_2025": dict(zip(new["province_code"], new["province_name"], strict=False)),
        "district": dict(zip(leg["district_code"], leg["district_name"], strict=False)),
        "commune": dict(zip(leg["commune_code"], leg["commune_name"], strict=False)),
        "commune_2025": dict(zip(new["commune_code"], new["commune_name"], strict=False)),
    }


def province_name(code: str, kind: str = "legacy") -> str | None:
    """Vietnamese name of a province (legacy or 2025 code); several legacy codes give their names joined.

    >>> province_name("72,80")
    'Tỉnh Tây Ninh, Tỉnh Long An'
    """
    names = _names()["province" if kind == "legacy" else "province_2025"]
    if kind == "legacy" and "," in str(code):
        found = [names.get(c) for c in _codes(code)]
        return ", ".join(n for n in found if n) or None
    return names.get(str(code))


def district_name(code: str) -> str | None:
    """Vietnamese name of a legacy district."""
    return _names()["district"].get(str(code))


def commune_name(code: str, kind: str = "legacy") -> str | None:
    """Vietnamese name of a commune (legacy or 2025 code).

    >>> commune_name("25456")
    'Phường 1'
    """
    return _names()["commune" if kind == "legacy" else "commune_2025"].get(str(code))


@lru_cache(maxsize=1)
def _parents() -> tuple[dict[str, str], dict[str, str]]:
    leg = _legacy_all()
    return (
        dict(zip(leg["commune_code"], leg["district_code"], strict=False)),
        dict(zip(leg["commune_code"], leg["province_code"], strict=False)),
    )


def commune_in_district(commune_code, district_code):
    """Whether each commune lies in the given district (scalars or aligned Series).

    >>> import pandas as pd
    >>> commune_in_district(pd.Series(["25456", "25456"]), pd.Series(["703", "710"])).tolist()
    [True, False]
    """
    to_district, _ = _parents()
    if isinstance(commune_code, pd.Series):
        return commune_code.map(to_district).eq(pd.Series(district_code, index=commune_code.index)).fillna(
            False
        ).astype(bool)
    return to_district.get(str(commune_code)) == str(district_code)


def commune_in_province(commune_code, province_code):
    """Whether each commune lies in the given legacy province."""
    _, to_province = _parents()
    if isinstance(commune_code, pd.Series):
        return commune_code.map(to_province).eq(pd.Series(province_code, index=commune_code.index)).fillna(
            False
        ).astype(bool)
    return to_province.get(str(commune_code)) == str(province_code)


def check_hierarchy(df: pd.DataFrame) -> pd.DataFrame:
    """Vectorised hierarchy checks for a frame with the three legacy code columns.

    Returns a frame of booleans aligned with ``df``: ``commune_known``,
    ``district_matches`` (commune lies in the stated district) and
    ``province_matches`` (district lies in the stated province).
    """
    to_district, to_province = _parents()
    leg = _legacy_all()
    district_to_province = dict(zip(leg["district_code"], leg["province_code"], strict=False))
    commune = df["commune_code"].astype("string")
    known = commune.isin(to_district.keys()).fillna(False).astype(bool)
    dmatch = commune.map(to_district).eq(df["district_code"].astype("string")).fillna(False).astype(bool)
    pmatch = (
        df["district_code"].astype("string").map(district_to_province).eq(df["province_code"].astype("string"))
    ).fillna(False).astype(bool)
    return pd.DataFrame(
        {"commune_known": known.to_numpy(), "district_matches": dmatch.to_numpy(), "province_matches": pmatch.to_numpy()},
        index=df.index,
    )


@lru_cache(maxsize=1)
def _default_2025() -> dict[str, str]:
    """Legacy commune code -> its default 2025 commune (the crosswalk is fixed: made once)."""
    cw = _crosswalk_all()
    cw = cw[cw["is_default"]].drop_duplicates("commune_code")
    return dict(zip(cw["commune_code"], cw["commune_code_2025"], strict=True))


def to_2025(commune_code):
    """The 2025 commune (default target) of a legacy commune code, scalar or Series.

    >>> to_2025("25456")
    '25459'
    """
    mapping = _default_2025()
    if isinstance(commune_code, pd.Series):
        return commune_code.map(mapping)
    return mapping.get(str(commune_code))


#: Codes mapped at a time by :func:`codes_2025`.
ROWS_PER_MAP = 1 << 20


def codes_2025(commune_codes: pd.Series) -> pd.Series:
    """:func:`to_2025` of a column of legacy commune codes as ``string`` text (missing where the code is
    missing or unknown), same index and name, mapped :data:`ROWS_PER_MAP` codes at a time: ``map`` of the
    8.3 M records' codes at once held 0.4 GB of object arrays beside its result at 3.38 M persons.

    >>> codes_2025(pd.Series(["25456", None, "99999"])).tolist()
    ['25459', <NA>, <NA>]
    """
    codes = commune_codes.astype("string")
    mapping = _default_2025()
    out = np.empty(len(codes), dtype=object)
    for start in range(0, len(codes), ROWS_PER_MAP):
        part = codes.iloc[start:start + ROWS_PER_MAP].map(mapping).astype("string")
        out[start:start + ROWS_PER_MAP] = part.to_numpy(dtype=object, na_value=pd.NA)
    return pd.Series(pd.array(out, dtype="string"), index=codes.index, name=codes.name)


def commune_centroids(province_code: str | None = None, kind: str = "legacy") -> pd.DataFrame:
    """Commune centroids (latitude, longitude) for maps."""
    df = legacy_units(province_code) if kind == "legacy" else units_2025(province_code)
    out = df[["commune_code", "commune_name", "latitude", "longitude"]].copy()
    out["latitude"] = out["latitude"].astype(float).replace({0.0: np.nan})
    return out
