"""Age- and sex-reporting quality of each unit, as indicator rows (the demography stage).

Every index of :func:`popqa.demography.agesex.age_quality_table`, computed on
the present persons of the province, each district and each commune, with
ages as reported (the reference year minus the birth year, the age a
collaborator writes down). A row's ``group`` is ``sex=total|male|female``. An
index read on fewer persons than its minimum is ``insufficient`` and carries no
value (the table gives the reason in ``docs/age-quality.md``); the bands that
interpret a value (UN, PAS) are :func:`band` of the value, so a report can say
"highly accurate" without recomputing anything.

Examples
--------
>>> band("whipple", 1.02), band("age_sex_accuracy_adjusted", 25.0), band("myers", 3.0)
('highly accurate', 'inaccurate', '')
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from popqa.definitions import is_present, reference_date
from popqa.demography.agesex import AGE_SEX_ACCURACY_BANDS, WHIPPLE_BANDS, _band, age_quality_table
from popqa.indicators.core import concat_indicators, indicator_rows, register

__all__ = ["QUALITY_INDICES", "age_quality_rows", "band", "indicator_id"]

#: index of age_quality_table -> (name_vi, name_en, description)
QUALITY_INDICES: dict[str, tuple[str, str, str]] = {
    "whipple": ("Chỉ số Whipple", "Whipple's index",
                "Ages 25-60 ending in 0 or 5 over a fifth of ages 23-62 (DemoTools check_heaping_whipple); 1 = no heaping."),
    "whipple_0": ("Chỉ số Whipple (số 0)", "Whipple's index, digit 0",
                  "Ages ending in 0 over a tenth of their neighbourhood (Roger et al. 1981); 1 = no heaping."),
    "whipple_5": ("Chỉ số Whipple (số 5)", "Whipple's index, digit 5",
                  "Ages ending in 5 over a tenth of their neighbourhood (Roger et al. 1981); 1 = no heaping."),
    "myers": ("Chỉ số Myers", "Myers' blended index",
              "Myers' blended index, ages 23-82 (DemoTools check_heaping_myers); 0 = no digit preference."),
    "bachi": ("Chỉ số Bachi", "Bachi's index",
              "Bachi's index (DemoTools check_heaping_bachi); 0 = no digit preference."),
    "spoorenberg": ("Chỉ số Spoorenberg", "Spoorenberg's total modified Whipple index",
                    "Total modified Whipple index, ages 20-64 (DemoTools check_heaping_spoorenberg); 0 = none."),
    "age_ratio_score": ("Điểm tỷ số tuổi", "Age-ratio score",
                        "UN age-ratio score of five-year groups (DemoTools ageRatioScore)."),
    "sex_ratio_score": ("Điểm tỷ số giới tính", "Sex-ratio score",
                        "UN sex-ratio score of five-year groups (DemoTools sexRatioScore)."),
    "age_sex_accuracy": ("Chỉ số chính xác tuổi-giới (chưa hiệu chỉnh)", "Age-sex accuracy index, unadjusted",
                         "UN joint score, 3 x sex-ratio score + age-ratio scores (DemoTools adjust = FALSE)."),
    "age_sex_accuracy_adjusted": ("Chỉ số chính xác tuổi-giới (hiệu chỉnh quy mô)",
                                  "Age-sex accuracy index, small-population adjusted",
                                  "UN joint score less the PAS allowance for random fluctuation (DemoTools default)."),
    "age_sex_accuracy_das_gupta": ("Chỉ số chính xác tuổi-giới Das Gupta", "Das Gupta's age-sex accuracy index",
                                   "Das Gupta (1955) index (DemoTools ageSexAccuracyDasGupta)."),
}

#: Bands of the indices that have published ones (on DemoTools' scale of the value).
_BANDS = {"whipple": tuple((u / 100, lab) for u, lab in WHIPPLE_BANDS),
          "age_sex_accuracy_adjusted": AGE_SEX_ACCURACY_BANDS}


def indicator_id(index_id: str) -> str:
    """The indicator id of an age-quality index: ``age_<index>``."""
    return f"age_{index_id}"


for _idx, (_vi, _en, _desc) in QUALITY_INDICES.items():
    register(indicator_id(_idx), name_vi=_vi, name_en=_en, unit="index", stage="demography",
             higher_is_better=False, description_en=_desc)


def band(index_id: str, value: float) -> str:
    """The published interpretation band of a value ("" when the index has none or the value is missing)."""
    b = _BANDS.get(index_id)
    return _band(float(value), b) if b is not None and value is not None and np.isfinite(value) else ""


def age_quality_rows(register, *, period: str, province_code: str, min_persons: int = 1000) -> pd.DataFrame:
    """Indicator rows of every age-quality index for the province, its districts and communes."""
    p = register.columns("persons", ["status", "birth_date", "sex", "district_code", "commune_code"])
    p = p.loc[is_present(p).to_numpy(bool), ["birth_date", "sex", "district_code", "commune_code"]]
    ref_year = reference_date(period).year
    ages = (ref_year - p["birth_date"].dt.year).astype("float64")
    age = ages.to_numpy()
    sex = p["sex"].astype("Int64").fillna(0).to_numpy(dtype="int64")

    def units():
        """(level, code, positions of its persons): the province, then each district and commune; a unit's
        ages and sexes are taken when its turn comes, not every unit's rows split off at once (0.4 GB at
        3.38 M persons, docs/benchmarks.md, "thirteenth measurement")."""
        yield "province", province_code, slice(None)
        for level, col in (("district", "district_code"), ("commune", "commune_code")):
            codes = p[col].astype("string")
            yield from ((level, str(code), pos) for code, pos in sorted(
                codes.groupby(codes, sort=False, dropna=True).indices.items()))

    tables = []
    for level, code, pos in units():
        t = age_quality_table(age[pos], sex[pos], min_persons=min_persons)
        tables.append(t[t["index_id"].isin(list(QUALITY_INDICES))].assign(level=level, unit_code=code))
    allt = pd.concat(tables, ignore_index=True)
    parts = [indicator_rows(indicator_id(str(idx)), level=str(level), unit_code=rows["unit_code"].to_numpy(),
                            period=str(period), group=("sex=" + rows["group"]).to_numpy(),
                            value=rows["value"].to_numpy(), denominator=rows["persons"].to_numpy(float),
                            status=rows["status"].to_numpy(), source="register")
             for (level, idx), rows in allt.groupby(["level", "index_id"], sort=False)]
    return concat_indicators(parts)
