"""Completeness, code lists, geography, dates and citizen-ID rules (C, V and I families)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from popqa.checks.base import Context, Rule, add_rule, empty_hits, isin, rule, text
from popqa.contract import CODE_LISTS

# --------------------------------------------------------------------------- completeness
#: Fields that must be filled, per table and severity.
MUST_FILL = {
    "C001": ("households", ("province_code", "district_code", "commune_code", "village", "collaborator_id")),
    "C002": ("persons", ("household_id", "full_name", "sex", "birth_date", "relation_to_head", "status")),
    "C003": (
        "persons",
        ("birth_date_precision", "ethnicity_code", "residence_status", "province_code", "district_code", "commune_code"),
    ),
    "C006": ("events", ("event_type", "person_id", "event_date", "recorded_date", "commune_code")),
}

_KEYS = {"households": "household_id", "persons": "person_id", "events": "event_id"}


def _empty(s: pd.Series) -> pd.Series:
    """Missing values (the readers already turn blank text into missing)."""
    m = s.isna()
    if pd.api.types.is_object_dtype(s):
        m = m | s.eq("").to_numpy(bool)
    return m


def _frame(ctx: Context, table: str) -> pd.DataFrame:
    return ctx.persons if table == "persons" else ctx.table(table)


def _missing_fields(rule_id: str):
    table, cols = MUST_FILL[rule_id]

    def fn(ctx: Context) -> pd.DataFrame:
        df = _frame(ctx, table)
        parts = [ctx.hits(df, _empty(df[c]), key=_KEYS[table], column=c) for c in cols if c in df.columns]
        parts = [p for p in parts if len(p)]
        return pd.concat(parts, ignore_index=True) if parts else empty_hits()

    return fn


#: rule_id -> (recommended action in Vietnamese, in English)
_CACT = {
    "C001": ("Bổ sung mã đơn vị hành chính, thôn/ấp và cộng tác viên phụ trách của hộ theo sổ A0 của thôn.",
             "Fill in the household's unit codes, village and responsible collaborator from the village A0 sheet."),
    "C002": ("Bổ sung thông tin còn trống của nhân khẩu theo sổ A0; nếu sổ cũng trống, nhờ cộng tác viên hỏi lại hộ.",
             "Fill in the person's empty field from the A0 sheet; if the sheet lacks it too, have the collaborator ask the household."),
    "C003": ("Nhắc cộng tác viên bổ sung dân tộc, tình trạng cư trú, độ chính xác ngày sinh hoặc mã đơn vị ở lần cập nhật tới.",
             "Ask the collaborator to fill in ethnicity, residence status, birth-date precision or unit codes at the next update."),
    "C006": ("Bổ sung loại, nhân khẩu, ngày xảy ra, ngày cập nhật hoặc mã xã của biến động theo phiếu biến động gốc.",
             "Complete the event's type, person, dates or commune from the original event slip."),
}

_CMSG = {
    "C001": ("error", "Hộ thiếu thông tin bắt buộc (mã đơn vị hành chính, thôn/ấp, cộng tác viên).",
             "A household lacks a required field (unit codes, village, collaborator)."),
    "C002": ("error", "Nhân khẩu thiếu thông tin bắt buộc (hộ, họ tên, giới tính, ngày sinh, quan hệ với chủ hộ, tình trạng).",
             "A person lacks a required field (household, name, sex, birth date, relation to head, status)."),
    "C003": ("warning", "Nhân khẩu thiếu thông tin (độ chính xác ngày sinh, dân tộc, tình trạng cư trú, mã đơn vị hành chính).",
             "A person lacks a field (birth-date precision, ethnicity, residence status, unit codes)."),
    "C006": ("error", "Biến động thiếu thông tin bắt buộc (loại, nhân khẩu, ngày xảy ra, ngày cập nhật, xã).",
             "An event lacks a required field (type, person, event date, recorded date, commune)."),
}
for _rid, (_sev, _vi, _en) in _CMSG.items():
    add_rule(Rule(_rid, "completeness", _sev, MUST_FILL[_rid][0], _vi, _en, _missing_fields(_rid),
                  (MUST_FILL[_rid][0],), None, "completeness", action_vi=_CACT[_rid][0], action_en=_CACT[_rid][1],
                  scope="record"))


@rule("C004", scope="record", dimension="completeness", severity="warning", table="persons", column="marital_status",
      action_vi="Nhờ cộng tác viên hỏi tình trạng hôn nhân của người này và cập nhật vào sổ.",
      action_en="Have the collaborator ask this person's marital status and record it.",
      message_vi="Người từ 15 tuổi trở lên chưa có tình trạng hôn nhân.",
      message_en="A person aged 15 or over has no marital status.", family="completeness")
def _c004(ctx: Context) -> pd.DataFrame:
    p = ctx.persons
    return ctx.hits(p, p["_present"] & (p["_age_min"] >= 15) & p["marital_status"].isna(), key="person_id",
                    column="marital_status")


@rule("C005", scope="record", dimension="completeness", severity="info", table="persons", column="education_level",
      action_vi="Ghi trình độ học vấn khi cộng tác viên đến hộ lần tới.",
      action_en="Record the education level at the collaborator's next visit to the household.",
      message_vi="Người từ 6 tuổi trở lên chưa có trình độ học vấn.",
      message_en="A person aged 6 or over has no education level.", family="completeness")
def _c005(ctx: Context) -> pd.DataFrame:
    p = ctx.persons
    return ctx.hits(p, p["_present"] & (p["_age_min"] >= 6) & p["education_level"].isna(), key="person_id",
                    column="education_level")


@rule("C007", scope="unit", dimension="completeness", severity="warning", table="units", requires=("persons",),
      action_vi="Cán bộ dân số xã cùng cộng tác viên từng thôn rà soát danh sách nhân khẩu thiếu thông tin bắt buộc.",
      action_en="The commune population officer goes through the list of persons with an empty required field with each village's collaborator.",
      parameters=("unit_missing_share",),
      message_vi="Xã có tỷ lệ nhân khẩu thiếu thông tin bắt buộc vượt ngưỡng cho phép.",
      message_en="A commune's share of persons with an empty required field is above the threshold.",
      family="completeness")
def _c007(ctx: Context) -> pd.DataFrame:
    p = ctx.persons
    cols = [c for c in MUST_FILL["C002"][1] if c in p.columns]
    any_missing = np.zeros(len(p), dtype=bool)
    for c in cols:
        any_missing |= _empty(p[c]).to_numpy(bool)
    g = pd.DataFrame({"commune_code": p["commune_code"], "m": any_missing}).dropna(subset=["commune_code"])
    agg = g.groupby("commune_code", observed=True)["m"].agg(["mean", "size"]).reset_index()
    bad = agg[(agg["mean"] > ctx.config.unit_missing_share) & (agg["size"] >= 20)]
    return ctx.unit_hits(bad, column="share_missing", value=(bad["mean"] * 100).round(1).astype(str) + "%")


@rule("C008", scope="record", dimension="completeness", severity="info", table="persons", column="citizen_id",
      action_vi="Tra số định danh cá nhân trên thẻ căn cước hoặc Cơ sở dữ liệu quốc gia về dân cư và bổ sung vào sổ.",
      action_en="Look up the identification number on the ID card or in the national population database and add it.",
      message_vi="Người từ 14 tuổi trở lên đang cư trú chưa có số định danh cá nhân.",
      message_en="A present person aged 14 or over has no personal identification number.", family="completeness")
def _c008(ctx: Context) -> pd.DataFrame:
    p = ctx.persons
    return ctx.hits(p, p["_present"] & (p["_age_min"] >= 14) & _empty(p["citizen_id"]), key="person_id",
                    column="citizen_id")


# --------------------------------------------------------------------------- code lists
_LABELS_VI = {
    "sex": "giới tính",
    "relation_to_head": "quan hệ với chủ hộ",
    "marital_status": "tình trạng hôn nhân",
    "ethnicity_code": "mã dân tộc",
    "education_level": "trình độ học vấn",
    "residence_status": "tình trạng cư trú",
    "status": "tình trạng nhân khẩu",
    "birth_date_precision": "độ chính xác của ngày sinh",
    "event_type": "loại biến động",
    "entry_channel": "kênh cập nhật",
}
_LABELS_EN = {
    "sex": "sex",
    "relation_to_head": "relation to head",
    "marital_status": "marital status",
    "ethnicity_code": "ethnicity code",
    "education_level": "education level",
    "residence_status": "residence status",
    "status": "person status",
    "birth_date_precision": "birth-date precision",
    "event_type": "event type",
    "entry_channel": "entry channel",
}
CODE_RULES = {
    "V001": ("persons", "sex", "error"),
    "V002": ("persons", "relation_to_head", "error"),
    "V003": ("persons", "marital_status", "error"),
    "V004": ("persons", "ethnicity_code", "error"),
    "V005": ("persons", "education_level", "error"),
    "V006": ("persons", "residence_status", "error"),
    "V007": ("persons", "status", "error"),
    "V008": ("persons", "birth_date_precision", "warning"),
    "V009": ("events", "event_type", "error"),
    "V010": ("events", "entry_channel", "warning"),
}


def _code_rule(table: str, column: str):
    codes = list(CODE_LISTS[column])

    def fn(ctx: Context) -> pd.DataFrame:
        df = _frame(ctx, table)
        s = df[column]
        if column == "birth_date_precision":
            s = s.astype("string").str.lower()
        bad = s.notna() & ~(isin(s, codes) if pd.api.types.is_string_dtype(s) else s.isin(codes).fillna(False))
        return ctx.hits(df, bad, key=_KEYS[table], column=column)

    return fn


for _rid, (_t, _c, _sev) in CODE_RULES.items():
    add_rule(Rule(_rid, "validity", _sev, _t,
                  f"Mã {_LABELS_VI[_c]} không thuộc danh mục quy định.",
                  f"The {_LABELS_EN[_c]} code is not in its code list.",
                  _code_rule(_t, _c), (_t,), _c, "codes",
                  action_vi=f"Đối chiếu phiếu gốc và sửa {_LABELS_VI[_c]} thành một mã của danh mục "
                            "(docs/data-contract.md).",
                  action_en=f"Check the source form and correct the {_LABELS_EN[_c]} to a code of its list "
                            "(docs/data-contract.md).", scope="record"))


# --------------------------------------------------------------------------- geography
def _hier(df: pd.DataFrame):
    from popqa.geo import check_hierarchy

    return check_hierarchy(df[["province_code", "district_code", "commune_code"]])


def _unknown_commune(table: str):
    def fn(ctx: Context) -> pd.DataFrame:
        df = _frame(ctx, table)
        h = _hier(df)
        prov = df["commune_code"].map(ctx.units["province_code"])
        # the legacy provinces of the audited one: several configured ("72,80"), and since the 2025
        # reform every legacy province merged into its 2025 province (Context.own_provinces)
        own = ctx.own_provinces
        outside = prov.notna() & ~prov.isin(own) if own else prov.isna() & False
        bad = df["commune_code"].notna() & (~h["commune_known"] | outside)
        return ctx.hits(df, bad, key=_KEYS[table], column="commune_code")

    return fn


def _not_in_district(table: str):
    def fn(ctx: Context) -> pd.DataFrame:
        df = _frame(ctx, table)
        h = _hier(df)
        bad = h["commune_known"] & df["district_code"].notna() & ~h["district_matches"]
        bad = bad | (df["district_code"].notna() & df["province_code"].notna() & ~h["province_matches"]
                     & isin(df["district_code"], ctx.units["district_code"].unique()).fillna(False))
        return ctx.hits(df, bad, key=_KEYS[table], column="commune_code",
                        value=lambda sub: sub["commune_code"].astype("string") + " / " + sub["district_code"].astype("string"))

    return fn


_TVI = {"households": "Hộ", "persons": "Nhân khẩu", "events": "Biến động"}
_TEN = {"households": "A household", "persons": "A person", "events": "An event"}
for _i, _t in enumerate(("households", "persons", "events")):
    add_rule(Rule(f"V02{2 * _i}", "validity", "error", _t,
                  f"{_TVI[_t]} có mã xã không tồn tại hoặc không thuộc tỉnh đang kiểm tra.",
                  f"{_TEN[_t]} has a commune code that does not exist or lies outside the audited province.",
                  _unknown_commune(_t), (_t,), "commune_code", "geography",
                  action_vi="Sửa mã xã theo danh mục đơn vị hành chính; hồ sơ thuộc tỉnh khác thì chuyển cho tỉnh đó.",
                  action_en="Correct the commune code from the list of administrative units; pass records of another province to that province.",
                  scope="record"))
    add_rule(Rule(f"V02{2 * _i + 1}", "consistency", "error", _t,
                  f"{_TVI[_t]} có mã xã không thuộc huyện (hoặc huyện không thuộc tỉnh) đã ghi.",
                  f"{_TEN[_t]} has a commune outside its stated district (or a district outside its province).",
                  _not_in_district(_t), (_t,), "commune_code", "geography",
                  action_vi="Sửa mã xã hoặc mã huyện cho khớp nhau theo danh mục đơn vị hành chính.",
                  action_en="Make the commune and district codes agree, using the list of administrative units.",
                  scope="record"))


@rule("V026", scope="household", dimension="consistency", severity="warning", table="persons", requires=("persons", "households"),
      action_vi="Sửa mã xã của nhân khẩu hoặc của hộ; nếu người đã chuyển sang xã khác thì ghi biến động chuyển đi.",
      action_en="Correct the commune of the person or of the household; if the person moved to another commune, record the move.",
      column="commune_code",
      message_vi="Mã xã của nhân khẩu khác mã xã của hộ.",
      message_en="The person's commune differs from the commune of their household.", family="geography")
def _v026(ctx: Context) -> pd.DataFrame:
    p = ctx.persons
    hh = ctx.table("households").drop_duplicates("household_id").set_index("household_id")["commune_code"]
    hc = p["household_id"].map(hh)
    bad = hc.notna() & p["commune_code"].notna() & (hc != p["commune_code"])
    return ctx.hits(p, bad, key="person_id", column="commune_code",
                    value=lambda sub: sub["commune_code"].astype("string") + " / " + hc[sub.index].astype("string"))


@rule("V027", scope="record", dimension="validity", severity="warning", table="events", column="other_commune_code",
      action_vi="Sửa mã xã đi/đến (5 chữ số) theo danh mục đơn vị hành chính.",
      action_en="Correct the origin/destination commune code (5 digits) from the list of administrative units.",
      message_vi="Mã xã đi/đến của biến động di chuyển không phải là mã xã hợp lệ.",
      message_en="The origin/destination commune of a move is not a valid commune code.", family="geography")
def _v027(ctx: Context) -> pd.DataFrame:
    e = ctx.table("events")
    oc = e["other_commune_code"]
    bad = oc.notna() & ~isin(oc, ctx.units.index)
    return ctx.hits(e, bad, key="event_id", column="other_commune_code")


# --------------------------------------------------------------------------- dates
@rule("V030", scope="province", dimension="validity", severity="error", table="any", requires=(),
      action_vi="Sửa giá trị tại nơi nhập liệu hoặc tệp xuất (ví dụ ngày 31/02); kiểm tra định dạng của cột.",
      action_en="Correct the value where it was entered or exported (e.g. 31/02); check the column's format.",
      message_vi="Giá trị không đọc được theo kiểu dữ liệu quy định (ví dụ ngày không có thật).",
      message_en="A value could not be read as its contract type (for example a date that does not exist).",
      family="dates")
def _v030(ctx: Context) -> pd.DataFrame:
    iss = getattr(ctx.register, "parse_issues", None)
    if iss is None or not len(iss):
        return empty_hits()
    iss = iss.reset_index(drop=True)
    parts = []
    for tname, grp in iss.groupby("table", sort=True):
        out = pd.DataFrame({"record_id": grp["record_id"].astype("string"), "column": grp["column"].astype("string"),
                            "value": grp["value"].astype("string")})
        out["record_id"] = out["record_id"].fillna("row " + grp["row"].astype("string"))
        df = None
        if tname in ctx.register.tables:
            df = ctx.persons if tname == "persons" else ctx.table(tname)
        key = _KEYS.get(str(tname))
        look = None
        if df is not None and key:
            look = df.loc[isin(df[key], out["record_id"].dropna()).to_numpy()].drop_duplicates(key).set_index(key)
        for c in ("province_code", "district_code", "commune_code", "collaborator_id"):
            if look is not None and c in look.columns:
                out[c] = out["record_id"].map(look[c]).astype("string")
            else:
                out[c] = pd.Series(pd.NA, index=out.index, dtype="string")
        out["_table"] = str(tname)
        parts.append(out)
    return pd.concat(parts, ignore_index=True)


def _future(table: str, column: str):
    def fn(ctx: Context) -> pd.DataFrame:
        df = _frame(ctx, table)
        d = pd.to_datetime(df[column])
        return ctx.hits(df, d.notna() & (d.dt.normalize() > ctx.ref_date), key=_KEYS[table], column=column)

    return fn


#: rule_id -> (recommended action in Vietnamese, in English)
_FACT = {
    "V031": ("Kiểm tra ngày sinh trên giấy tờ gốc; sửa năm nhập nhầm.",
             "Check the birth date on the original document; correct the mistyped year."),
    "V032": ("Kiểm tra ngày xảy ra trên phiếu biến động; sửa năm nhập nhầm.",
             "Check the event date on the event slip; correct the mistyped year."),
    "V033": ("Kiểm tra ngày cập nhật và đồng hồ của máy nhập liệu; sửa ngày nhập nhầm.",
             "Check the recording date and the clock of the data-entry device; correct the wrong date."),
    "V034": ("Kiểm tra ngày lập hộ trong sổ A0; sửa ngày nhập nhầm.",
             "Check the household's creation date on the A0 sheet; correct the wrong date."),
    "V036": ("Kiểm tra đồng hồ của máy nhập liệu; báo đơn vị quản lý phần mềm nếu thời điểm cập nhật sai hàng loạt.",
             "Check the data-entry device's clock; tell the software team if many update times are wrong."),
}

for _rid, _t, _c, _sev, _vi, _en in (
    ("V031", "persons", "birth_date", "error", "Ngày sinh sau ngày kết xuất dữ liệu.",
     "The birth date is after the export date."),
    ("V032", "events", "event_date", "error", "Ngày xảy ra biến động sau ngày kết xuất dữ liệu.",
     "The event date is after the export date."),
    ("V033", "events", "recorded_date", "error", "Ngày cập nhật biến động sau ngày kết xuất dữ liệu.",
     "The recorded date is after the export date."),
    ("V034", "households", "created_date", "warning", "Ngày lập hộ sau ngày kết xuất dữ liệu.",
     "The household's creation date is after the export date."),
    ("V036", "persons", "updated_at", "warning", "Thời điểm cập nhật nhân khẩu sau ngày kết xuất dữ liệu.",
     "The person's last update is after the export date."),
):
    add_rule(Rule(_rid, "validity", _sev, _t, _vi, _en, _future(_t, _c), (_t,), _c, "dates",
                  action_vi=_FACT[_rid][0], action_en=_FACT[_rid][1], scope="record"))


@rule("V035", scope="record", dimension="plausibility", severity="error", table="persons", column="birth_date",
      action_vi="Kiểm tra ngày sinh và tình trạng: ghi biến động chết nếu người đã mất, hoặc sửa năm sinh nhập nhầm.",
      action_en="Check birth date and status: record the death if the person has died, or correct the mistyped birth year.",
      parameters=("max_age",),
      message_vi="Nhân khẩu đang cư trú có tuổi trên mức tối đa hợp lý (110 tuổi).",
      message_en="A present person is older than the plausible maximum age (110).", family="dates")
def _v035(ctx: Context) -> pd.DataFrame:
    p = ctx.persons
    return ctx.hits(p, p["_present"] & (p["_age_min"] > ctx.config.max_age), key="person_id", column="birth_date")


@rule("V037", scope="record", dimension="consistency", severity="warning", table="persons", column="birth_date_precision",
      action_vi="Ghi ngày sinh chỉ biết năm là 01/01 của năm đó (chỉ biết tháng là ngày 01), hoặc sửa độ chính xác ngày sinh.",
      action_en="Write a year-only birth date as 1 January (month-only as the 1st), or correct the birth-date precision.",
      message_vi="Ngày sinh chỉ biết năm (hoặc tháng) nhưng không ghi là ngày 1 tháng 1 (hoặc ngày 1).",
      message_en="A year-only (month-only) birth date is not written as 1 January (the 1st).", family="dates")
def _v037(ctx: Context) -> pd.DataFrame:
    p = ctx.persons
    prec = p["birth_date_precision"].astype("string").str.lower()
    b = p["birth_date"]
    bad = ((prec == "year") & ((b.dt.day != 1) | (b.dt.month != 1))) | ((prec == "month") & (b.dt.day != 1))
    return ctx.hits(p, bad.fillna(False), key="person_id", column="birth_date_precision",
                    value=lambda sub: sub["birth_date_precision"].astype("string") + " / " + text(sub["birth_date"]))


# --------------------------------------------------------------------------- citizen id
_PREFIXES = np.array([f"{i:03d}" for i in range(1000)], dtype=object)


#: What Python's ``str.strip()`` takes off the ends of an ASCII text.
_ASCII_SPACE = "".join(chr(i) for i in range(128) if chr(i).isspace())
_TWELVE_DIGITS = re.compile(r"\d{12}")


def _cid_parts(ctx: Context) -> pd.DataFrame:
    """cid (text, stripped), ok (12 digits), prefix (digits 1-3), d4 (digit 4), yy (digits 5-6); computed once.

    Arrow strips and matches the ASCII ids and reads their digits from the bytes; the few ids with other
    characters (a non-breaking space, another script's digits) take Python's ``strip`` and ``\\d`` as
    before. Python per id and NumPy's text-to-int conversions took 5.4 s at 1.25 M persons, this 0.7-0.85 s
    (docs/benchmarks.md, twenty-first measurement).
    """
    cached = ctx.cache.get("cid")
    if cached is not None:
        return cached
    p = ctx.persons
    text = pa.array(p["citizen_id"].astype(pd.StringDtype("pyarrow")).array)
    if isinstance(text, pa.ChunkedArray):
        text = text.combine_chunks()
    cid = pc.utf8_trim(text, characters=_ASCII_SPACE)
    ok = pc.fill_null(pc.match_substring_regex(cid, "^[0-9]{12}$"), False)
    # each id that passed is 12 ASCII bytes; the others read as twelve zeros
    good = pc.cast(pc.if_else(ok, cid, "000000000000"), pa.binary(12)) if len(text) else None
    digits = (np.frombuffer(good.buffers()[1], dtype=np.uint8)[good.offset * 12:(good.offset + len(good)) * 12]
              .reshape(-1, 12).astype(np.int64) - 48) if good is not None else np.zeros((0, 12), dtype=np.int64)
    ok_np = ok.to_numpy(zero_copy_only=False).astype(bool)
    out = pd.DataFrame({"cid": pd.Series(pd.arrays.ArrowStringArray(cid), index=p.index), "ok": ok_np},
                       index=p.index)
    other = np.flatnonzero(~pc.fill_null(pc.string_is_ascii(text), True).to_numpy(zero_copy_only=False))
    if len(other):
        stripped = [v.strip() for v in text.take(pa.array(other)).to_pylist()]
        out.iloc[other, out.columns.get_loc("cid")] = stripped
        for i, v in zip(other, stripped, strict=True):
            ok_np[i] = _TWELVE_DIGITS.fullmatch(v) is not None
            digits[i] = [int(ch) for ch in v] if ok_np[i] else 0
        out["ok"] = ok_np
    # the province prefix as text, one Python string per distinct prefix (at most 1,000), not one per person
    out["prefix"] = _PREFIXES[digits[:, 0] * 100 + digits[:, 1] * 10 + digits[:, 2]] if len(p) else ""
    out["d4"] = digits[:, 3] if len(p) else 0
    out["yy"] = digits[:, 4] * 10 + digits[:, 5] if len(p) else 0
    ctx.cache["cid"] = out
    return out


@rule("I001", scope="record", dimension="validity", severity="error", table="persons", column="citizen_id",
      action_vi="Nhập lại đủ 12 chữ số theo thẻ căn cước hoặc Cơ sở dữ liệu quốc gia về dân cư.",
      action_en="Re-enter all 12 digits from the ID card or the national population database.",
      message_vi="Số định danh cá nhân không gồm đúng 12 chữ số.",
      message_en="The personal identification number is not exactly 12 digits.", family="citizen_id")
def _i001(ctx: Context) -> pd.DataFrame:
    c = _cid_parts(ctx)
    return ctx.hits(ctx.persons, c["cid"].notna() & ~c["ok"], key="person_id", column="citizen_id")


@rule("I002", scope="record", dimension="validity", severity="error", table="persons", column="citizen_id",
      action_vi="Đối chiếu số định danh với thẻ căn cước; sửa ba chữ số đầu nhập nhầm.",
      action_en="Compare the number with the ID card; correct the mistyped first three digits.",
      message_vi="Ba chữ số đầu của số định danh cá nhân không phải là mã tỉnh.",
      message_en="The first three digits of the identification number are no province code.", family="citizen_id")
def _i002(ctx: Context) -> pd.DataFrame:
    from popqa.geo import legacy_province_codes

    c = _cid_parts(ctx)
    valid = {"0" + code for code in legacy_province_codes()}
    bad = c["ok"] & ~c["prefix"].isin(valid)
    return ctx.hits(ctx.persons, bad, key="person_id", column="citizen_id")


@rule("I003", scope="record", dimension="consistency", severity="error", table="persons", column="citizen_id",
      action_vi="Đối chiếu số định danh, giới tính và năm sinh với thẻ căn cước; sửa thông tin sai.",
      action_en="Compare the number, sex and birth year with the ID card; correct whichever is wrong.",
      message_vi="Chữ số thứ tư của số định danh cá nhân không khớp giới tính và thế kỷ sinh.",
      message_en="Digit 4 of the identification number contradicts the person's sex and century of birth.",
      family="citizen_id")
def _i003(ctx: Context) -> pd.DataFrame:
    p = ctx.persons
    c = _cid_parts(ctx)
    year = p["birth_date"].dt.year
    sex = p["sex"].astype("float64")
    expected = 2 * (year // 100 - 19) + (sex - 1)
    digit = c["d4"]
    usable = c["ok"] & sex.isin([1, 2]) & year.between(1900, 2399)
    bad = usable & (digit != expected)
    return ctx.hits(p, bad, key="person_id", column="citizen_id",
                    value=lambda sub: c.loc[sub.index, "d4"].astype("string") + " / sex "
                    + sub["sex"].astype("string") + " / " + year[sub.index].astype("Int64").astype("string"))


@rule("I004", scope="record", dimension="consistency", severity="error", table="persons", column="citizen_id",
      action_vi="Đối chiếu số định danh và năm sinh với thẻ căn cước; sửa thông tin sai.",
      action_en="Compare the number and birth year with the ID card; correct whichever is wrong.",
      message_vi="Chữ số thứ năm và sáu của số định danh cá nhân không khớp năm sinh.",
      message_en="Digits 5-6 of the identification number contradict the birth year.", family="citizen_id")
def _i004(ctx: Context) -> pd.DataFrame:
    p = ctx.persons
    c = _cid_parts(ctx)
    year = p["birth_date"].dt.year
    yy = c["yy"]
    bad = c["ok"] & year.notna() & (yy != year % 100)
    return ctx.hits(p, bad, key="person_id", column="citizen_id",
                    value=lambda sub: c.loc[sub.index, "yy"].astype("string").str.zfill(2) + " / "
                    + year[sub.index].astype("Int64").astype("string"))


_ = (np, text)
