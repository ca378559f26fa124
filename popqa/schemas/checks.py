"""Domain checks registered once with pandera and reused by name in the schemas.

``register_check_method`` makes each check available as ``pa.Check.<name>(...)``
and as a keyword of ``pa.Field``. Registration is idempotent: importing this
module twice does not register twice.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.extensions import register_check_method

__all__ = ["DOMAIN_CHECKS", "ensure_registered"]

#: Names of the domain checks this module registers.
DOMAIN_CHECKS = ("digit_code", "citizen_id_format", "in_code_list")

_CID = r"\d{12}"


def _digit_code(pandas_obj: pd.Series, *, width: int) -> pd.Series:
    """Codes made of exactly ``width`` digits (missing values pass; nullability is separate)."""
    s = pandas_obj.astype("string")
    return s.isna() | s.str.fullmatch(rf"\d{{{width}}}").fillna(False).astype(bool)


def _citizen_id_format(pandas_obj: pd.Series) -> pd.Series:
    """Twelve digits whose first three are ``0`` + a two-digit province code (missing passes)."""
    s = pandas_obj.astype("string")
    return s.isna() | s.str.fullmatch(_CID).fillna(False).astype(bool)


def _in_code_list(pandas_obj: pd.Series, *, codes: tuple) -> pd.Series:
    """Values of a closed code list (missing values pass)."""
    return pandas_obj.isna() | pandas_obj.isin(list(codes)).fillna(False).astype(bool)


def ensure_registered() -> None:
    """Register the domain checks with pandera (once per process)."""
    existing = set(getattr(pa.Check, "REGISTERED_CUSTOM_CHECKS", {}) or {})
    if "digit_code" not in existing:
        register_check_method(statistics=["width"])(_rename(_digit_code, "digit_code"))
    if "citizen_id_format" not in existing:
        register_check_method()(_rename(_citizen_id_format, "citizen_id_format"))
    if "in_code_list" not in existing:
        register_check_method(statistics=["codes"])(_rename(_in_code_list, "in_code_list"))


def _rename(fn, name: str):
    fn.__name__ = name
    return fn


ensure_registered()
