"""Event rules (E family): order of dates, lateness, links to persons, deaths, births and moves.

Lateness is judged against ``ChecksConfig.late_days`` (30 by default) or, with
``use_legal_deadlines``, against the legal registration deadline of each event
type (:data:`popqa.checks.config.LEGAL_DEADLINES`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from popqa import definitions
from popqa.checks.base import Context, isin, rule, text
from popqa.checks.config import LEGAL_DEADLINES

_EP = ("events", "persons")


def _events(ctx: Context) -> pd.DataFrame:
    return ctx.table("events")


def _is(e: pd.DataFrame, kind: str) -> pd.Series:
    return e["event_type"].eq(kind).fillna(False).astype(bool)


@rule("E001", scope="record", dimension="consistency", severity="error", table="events", column="recorded_date",
      action_vi="Kiểm tra ngày xảy ra và ngày cập nhật trên phiếu biến động; sửa ngày bị nhập nhầm.",
      action_en="Check the event and recording dates on the event slip; correct the one entered wrongly.",
      message_vi="Biến động được cập nhật trước ngày xảy ra.",
      message_en="The event was recorded before it happened.", family="events")
def _e001(ctx: Context) -> pd.DataFrame:
    e = _events(ctx)
    bad = e["recorded_date"] < e["event_date"]
    return ctx.hits(e, bad, key="event_id", column="recorded_date",
                    value=lambda sub: text(sub["event_date"]) + " > " + text(sub["recorded_date"]))


def late_limit(ctx: Context, e: pd.DataFrame) -> pd.Series:
    """Days allowed between event and record, per event (:func:`popqa.definitions.late_limit`)."""
    return definitions.late_limit(e, ctx.config)


@rule("E002", scope="record", dimension="timeliness", severity="warning", table="events", column="recorded_date",
      action_vi="Nhắc cộng tác viên cập nhật biến động trong 30 ngày; kiểm tra sổ A0 của thôn.",
      action_en="Remind the collaborator to record changes within 30 days; check the village A0 sheet.",
      parameters=("late_days", "use_legal_deadlines"),
      message_vi="Biến động được cập nhật chậm hơn thời hạn quy định (mặc định 30 ngày).",
      message_en="The event was recorded later than the deadline (30 days by default).", family="events")
def _e002(ctx: Context) -> pd.DataFrame:
    e = _events(ctx)
    delay = (e["recorded_date"] - e["event_date"]).dt.days
    bad = delay > late_limit(ctx, e)
    return ctx.hits(e, bad, key="event_id", column="recorded_date", value=delay.astype("Int64"))


@rule("E003", scope="province", dimension="consistency", severity="error", table="events", requires=_EP, column="person_id",
      action_vi="Tìm nhân khẩu của biến động trong sổ (mã có thể bị gõ nhầm); nếu chưa có thì bổ sung nhân khẩu, nếu ghi nhầm thì xóa biến động.",
      action_en="Find the event's person in the register (the id may be mistyped); add the missing person, or delete an event entered by mistake.",
      message_vi="Biến động của một nhân khẩu không có trong sổ.",
      message_en="The event concerns a person who is not in the register.", family="events")
def _e003(ctx: Context) -> pd.DataFrame:
    e = _events(ctx)
    bad = e["person_id"].notna() & ~_is(e, "birth") & ~isin(e["person_id"], ctx.person_ids)
    return ctx.hits(e, bad, key="event_id", column="person_id")


def _death_rank(e: pd.DataFrame) -> pd.Series:
    d = e[_is(e, "death") & e["person_id"].notna()]
    d = d.sort_values(["person_id", "event_date", "recorded_date", "event_id"], kind="stable", na_position="last")
    return d.groupby("person_id", sort=False).cumcount().reindex(e.index)


@rule("E004", scope="province", dimension="consistency", severity="error", table="events", column="event_type",
      action_vi="Giữ một biến động chết đúng và xóa biến động chết trùng.",
      action_en="Keep the one correct death event and delete the duplicate.",
      message_vi="Biến động chết của người đã được ghi chết trước đó.",
      message_en="A death event for a person who is already recorded as dead.", family="events")
def _e004(ctx: Context) -> pd.DataFrame:
    e = _events(ctx)
    rank = _death_rank(e)
    return ctx.hits(e, rank >= 1, key="event_id", column="event_type")


def _persons_with(ctx: Context, kind: str) -> pd.Index:
    e = _events(ctx)
    return pd.Index(e.loc[_is(e, kind), "person_id"].dropna().unique())


@rule("E005", scope="province", dimension="consistency", severity="error", table="persons", requires=_EP, column="status",
      action_vi="Đổi tình trạng nhân khẩu thành đã chết; nếu biến động chết ghi nhầm người thì sửa biến động.",
      action_en="Set the person's status to died; if the death event names the wrong person, correct the event.",
      message_vi="Nhân khẩu đã có biến động chết nhưng vẫn ở tình trạng đang cư trú.",
      message_en="The person has a death event but is still recorded as present.", family="events")
def _e005(ctx: Context) -> pd.DataFrame:
    p = ctx.persons
    bad = p["status"].eq(1).fillna(False) & isin(p["person_id"], _persons_with(ctx, "death"))
    return ctx.hits(p, bad, key="person_id", column="status")


@rule("E006", scope="province", dimension="coverage", severity="error", table="events", requires=_EP, column="person_id",
      action_vi="Thêm trẻ mới sinh vào danh sách nhân khẩu của hộ, hoặc sửa mã nhân khẩu trong biến động sinh.",
      action_en="Add the newborn to the household's persons, or correct the person id on the birth event.",
      message_vi="Biến động sinh nhưng trẻ không có trong danh sách nhân khẩu.",
      message_en="A birth event whose child is not in the persons table.", family="events")
def _e006(ctx: Context) -> pd.DataFrame:
    e = _events(ctx)
    bad = _is(e, "birth") & ~isin(e["person_id"], ctx.person_ids).fillna(False)
    return ctx.hits(e, bad, key="event_id", column="person_id")


@rule("E007", scope="province", dimension="consistency", severity="error", table="persons", requires=_EP, column="status",
      action_vi="Đổi tình trạng nhân khẩu thành đã chuyển đi; nếu người đã quay về thì ghi biến động chuyển đến.",
      action_en="Set the person's status to moved out; if the person came back, record the move-in event.",
      message_vi="Nhân khẩu đã chuyển đi nhưng chưa được cập nhật tình trạng.",
      message_en="The person moved out but their status was not changed.", family="events")
def _e007(ctx: Context) -> pd.DataFrame:
    e = _events(ctx)
    moves = e[(_is(e, "move_out") | _is(e, "move_in")) & e["person_id"].notna()]
    order = np.where(moves["event_type"].eq("move_in").fillna(False).to_numpy(bool), 1, 0)
    moves = moves.assign(_o=order).sort_values(
        ["person_id", "event_date", "_o", "recorded_date", "event_id"], kind="stable", na_position="first"
    )
    last = moves.drop_duplicates("person_id", keep="last")
    gone = pd.Index(last.loc[_is(last, "move_out"), "person_id"])
    p = ctx.persons
    bad = p["status"].eq(1).fillna(False) & isin(p["person_id"], gone)
    return ctx.hits(p, bad, key="person_id", column="status")


@rule("E008", scope="record", dimension="timeliness", severity="warning", table="events", column="event_date",
      action_vi="Kiểm tra ngày xảy ra trên phiếu biến động; sửa năm hoặc tháng nhập nhầm.",
      action_en="Check the event date on the slip; correct a mistyped year or month.",
      message_vi="Ngày xảy ra biến động nằm ngoài kỳ báo cáo 12 tháng.",
      message_en="The event date lies outside the twelve-month reporting period.", family="events")
def _e008(ctx: Context) -> pd.DataFrame:
    e = _events(ctx)
    d = e["event_date"]
    bad = (d < ctx.period_start) | (d > ctx.ref_date)
    return ctx.hits(e, bad, key="event_id", column="event_date")


@rule("E009", scope="province", dimension="consistency", severity="warning", table="events", requires=("events",),
      action_vi="Kiểm tra ngày chết và ngày của biến động sau đó; sửa ngày sai hoặc xóa biến động ghi nhầm người.",
      action_en="Check the death date and the later event's date; correct the wrong date or delete the event recorded for the wrong person.",
      column="event_date",
      message_vi="Biến động xảy ra sau ngày chết của nhân khẩu.",
      message_en="The event happened after the person's death.", family="events")
def _e009(ctx: Context) -> pd.DataFrame:
    e = _events(ctx)
    deaths = e[_is(e, "death")].groupby("person_id", observed=True)["event_date"].min()
    dd = e["person_id"].map(deaths)
    bad = ~_is(e, "death") & dd.notna() & (e["event_date"] > dd)
    return ctx.hits(e, bad, key="event_id", column="event_date")


@rule("E010", scope="province", dimension="consistency", severity="warning", table="events", requires=_EP, column="event_date",
      action_vi="Đối chiếu với giấy khai sinh; sửa ngày trong biến động sinh hoặc ngày sinh trong danh sách nhân khẩu.",
      action_en="Compare with the birth certificate; correct the date on the birth event or the birth date in the persons table.",
      message_vi="Ngày của biến động sinh khác ngày sinh của trẻ trong sổ.",
      message_en="The birth event's date differs from the child's birth date in the register.", family="events")
def _e010(ctx: Context) -> pd.DataFrame:
    e = _events(ctx)
    # one lookup of each event's person for both dates (Arrow's hash table, linear in the persons)
    lo, hi = ctx.by_id(e["person_id"], "_bd_lo", "_bd_hi")
    d = e["event_date"]
    bad = _is(e, "birth") & lo.notna() & d.notna() & ((d < lo) | (d > hi))
    return ctx.hits(e, bad, key="event_id", column="event_date",
                    value=lambda sub: text(sub["event_date"]) + " / " + text(lo[sub.index]))


@rule("E011", scope="province", dimension="consistency", severity="warning", table="events", requires=("events", "households"),
      action_vi="Sửa mã hộ của biến động theo sổ A0, hoặc bổ sung hộ còn thiếu vào danh sách hộ.",
      action_en="Correct the event's household id from the A0 sheet, or add the missing household.",
      column="household_id",
      message_vi="Biến động ghi một hộ không có trong danh sách hộ.",
      message_en="The event's household is not in the households table.", family="events")
def _e011(ctx: Context) -> pd.DataFrame:
    e = _events(ctx)
    bad = e["household_id"].notna() & ~isin(e["household_id"], ctx.table("households")["household_id"])
    return ctx.hits(e, bad, key="event_id", column="household_id")


@rule("E012", scope="province", dimension="consistency", severity="warning", table="events", requires=_EP, column="person_id",
      action_vi="Xác minh người này đã chuyển đi hay đã chết; sửa tình trạng hoặc xóa biến động ghi sai.",
      action_en="Verify whether the person moved out or died; correct the status or delete the wrong event.",
      message_vi="Biến động chết của người đang ở tình trạng chuyển đi.",
      message_en="A death event for a person recorded as moved out.", family="events")
def _e012(ctx: Context) -> pd.DataFrame:
    e = _events(ctx)
    (st,) = ctx.by_id(e["person_id"], "status")
    return ctx.hits(e, _is(e, "death") & st.eq(3).fillna(False), key="event_id", column="person_id")


@rule("E013", scope="record", dimension="timeliness", severity="info", table="events", requires=("events",),
      action_vi="Để biết: nhắc người dân và cộng tác viên thời hạn đăng ký theo luật (khai sinh 60 ngày, khai tử 15 ngày).",
      action_en="For information: remind families and collaborators of the legal deadlines (births 60 days, deaths 15 days).",
      column="recorded_date",
      message_vi="Biến động được cập nhật chậm hơn thời hạn đăng ký theo luật của loại biến động đó.",
      message_en="The event was recorded after the legal registration deadline of its type.", family="events")
def _e013(ctx: Context) -> pd.DataFrame:
    e = _events(ctx)
    delay = (e["recorded_date"] - e["event_date"]).dt.days
    limit = pd.Series(np.nan, index=e.index)
    for kind, (days, _) in LEGAL_DEADLINES.items():
        limit[_is(e, kind)] = float(days)
    return ctx.hits(e, delay > limit, key="event_id", column="recorded_date", value=delay.astype("Int64"))
