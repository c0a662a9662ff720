"""Moments of the contact plan: the care calendar (key dates and festivals) and member growth (card levels and
points). 04_churn computes them, lets each customer's best moment compete with their retention action for the
contact budget, and writes care_calendar.parquet and member_growth.parquet; 05_next_purchase shows them (and
computes them itself when 04 did not run)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import ibis
import pandas as pd

from helpers.core.config import CareSection, CustomersSection, LifeEvent
from helpers.models import actions, care, life_stage, member_growth, moments
from helpers.stages.context import StageContext

__all__ = [
    "Care",
    "Growth",
    "care_entries",
    "festival_summary",
    "growth_plan",
    "moment_rates",
    "planned_moments",
    "read_care",
    "read_growth",
    "with_contacts",
    "write_moments",
]  # fmt: skip


@dataclass
class Care:
    """The care calendar: key dates and festivals in the coming days."""

    calendar: pd.DataFrame  # care_calendar.parquet
    festivals: pd.DataFrame  # per festival ahead: festival, date, responders
    with_members: bool  # personal occasions need the member table
    window_days: int
    horizon_days: int
    do_not_contact: int  # entries whose customer is on churn.do_not_contact (channel 'do not contact')


@dataclass
class Growth:
    """Member growth: who is near the next card level, whose level drops, whose points lapse."""

    members: pd.DataFrame  # member_growth.parquet
    settings: CustomersSection
    preview: pd.DataFrame  # the members nearest the next level, ids masked when configured


def _festivals_ahead(today: date, settings: CareSection, *, first: date) -> pd.DataFrame:
    horizon = today + timedelta(days=settings.festival_horizon_days)
    return care.festival_dates(range(first.year, horizon.year + 1), own_days=settings.own_days,
                               only=settings.festivals)  # fmt: skip


def festival_summary(calendar: pd.DataFrame, today: date, settings: CareSection) -> pd.DataFrame:
    """Each festival of the next care.festival_horizon_days with its date and the responders the calendar lists."""
    days = _festivals_ahead(today, settings, first=today)
    ahead = days[(days["date"] > today) & (days["date"] <= today + timedelta(days=settings.festival_horizon_days))]
    counts = calendar[calendar["festival_share"].notna()].groupby("occasion").size()
    return ahead.assign(responders=ahead["festival"].map(counts).fillna(0).astype(int)).set_index("festival")


def moment_rates(care_settings: CareSection, events: Sequence[LifeEvent]) -> dict[str, float]:
    """The response rate of each kind of moment: the life events' own, care.response_rates over them."""
    return {event.name: event.response_rate for event in events} | care_settings.response_rates


def care_entries(context: StageContext, tx: ibis.Table, *, today: date, first: date, settings: CareSection,
                 events: Sequence[LifeEvent] = ()) -> pd.DataFrame:  # fmt: skip
    """Key dates and open life-event windows of the next care.window_days and the festivals of the next
    care.festival_horizon_days with their responders, before the contact plan (channel 'any')."""
    members = context.paths.read_optional_table("customers.parquet")
    start, end = today + timedelta(days=1), today + timedelta(days=settings.window_days)
    occasions = care.personal_occasions(
        members if members is not None else pd.DataFrame(columns=["customer_id"]), start=start, end=end,
        baby_birthdays=settings.baby_birthdays)  # fmt: skip
    windows = life_stage.event_windows(tx, members, events, start=start, end=end) if events else None
    festivals = _festivals_ahead(today, settings, first=first)
    response = care.festival_response(tx, festivals, today=today, lead_days=settings.festival_lead_days,
                                      min_years=settings.min_response_years, alpha=settings.response_alpha)  # fmt: skip
    horizon = today + timedelta(days=settings.festival_horizon_days)
    ahead = festivals[(festivals["date"] >= start) & (festivals["date"] <= horizon)]
    return care.care_calendar(occasions, response.table[response.table["responder"]], ahead, channels=None,
                              events=windows)  # fmt: skip


def planned_moments(contacts: pd.DataFrame) -> pd.Series:
    """Customers whose contact this cycle is for their moment (04's scored customers by customer_id)."""
    return (contacts["in_budget"] & (contacts["action"] == contacts["moment"])).fillna(False).astype(bool)


def with_contacts(calendar: pd.DataFrame, contacts: pd.DataFrame | None) -> pd.DataFrame:
    """The calendar through the contact plan (`contacts`: 04's scored customers by customer_id, or None): each
    entry's channel ('do not contact' for customers on churn.do_not_contact: never greet them), in_this_cycle
    (the customer is in this cycle's contact budget: one message can carry both), planned (that contact is for
    this moment) and contacted_recently (within the contact cap)."""
    calendar = calendar.copy()
    if contacts is None:
        calendar[["in_this_cycle", "planned", "contacted_recently"]] = False
        return calendar
    calendar["channel"] = calendar["customer_id"].map(contacts["channel"]).fillna(actions.ANY_CHANNEL)
    for column, source in (("in_this_cycle", "in_budget"), ("contacted_recently", "contacted_recently")):
        calendar[column] = calendar["customer_id"].map(contacts[source]).fillna(False).astype(bool)
    chosen = contacts[planned_moments(contacts)][["moment_date", "moment_offer"]]
    chosen = chosen.rename(columns={"moment_date": "date", "moment_offer": "offer"}).rename_axis("customer_id")
    calendar = calendar.merge(chosen.reset_index().assign(planned=True), on=["customer_id", "date", "offer"],
                              how="left")  # fmt: skip
    calendar["planned"] = calendar["planned"].astype("boolean").fillna(False).astype(bool)
    return calendar


def read_care(context: StageContext, tx: ibis.Table, *, today: date, first: date, settings: CareSection,
              events: Sequence[LifeEvent] = ()) -> Care:  # fmt: skip
    """The care calendar 04_churn wrote, or, when 04 did not run, the one computed here (no contact plan)."""
    members = context.paths.read_optional_table("customers.parquet")
    calendar = context.paths.read_optional_table("care_calendar.parquet")
    if calendar is None:
        calendar = care_entries(context, tx, today=today, first=first, settings=settings, events=events)
        calendar = with_contacts(calendar, None)
        context.paths.write_table(calendar, "care_calendar.parquet")
    blocked = int((calendar["channel"] == actions.DO_NOT_CONTACT).sum())
    return Care(calendar, festival_summary(calendar, today, settings), members is not None, settings.window_days,
                settings.festival_horizon_days, blocked)  # fmt: skip


def growth_plan(context: StageContext, tx: ibis.Table, *, today: date, settings: CustomersSection | None
                ) -> pd.DataFrame | None:  # fmt: skip
    """member_growth.parquet's table, when the member table gives card levels (with customers.card_rules) or
    points."""
    members = context.paths.read_optional_table("customers.parquet")
    if settings is None or members is None or not ({"card_level", "points"} & set(members.columns)):
        return None
    if "card_level" in members and not settings.card_rules:
        members = members.drop(columns="card_level")
    if not ({"card_level", "points"} & set(members.columns)):
        return None
    spend = member_growth.period_spend(tx, start=today - timedelta(days=settings.card_period_days - 1), end=today)
    segments = context.paths.read_optional_table("segments.parquet", ["customer_id", "lifecycle"])
    dormant = pd.Index([]) if segments is None else pd.Index(
        segments.loc[segments["lifecycle"].isin(["at risk", "lapsed"]), "customer_id"])  # fmt: skip
    expiry = None if settings.points_expiry is None else member_growth.points_expiry_day(settings.points_expiry, today)
    growth = member_growth.member_growth(
        members, spend, rules=settings.card_rules, reach_share=settings.card_reach_share, expiry=expiry,
        notice_days=settings.points_expiry_notice_days, today=today, dormant=dormant)  # fmt: skip
    growth["message"] = growth.apply(member_growth.nudge_text, axis=1, point_value=settings.point_value)
    return growth


def read_growth(context: StageContext, tx: ibis.Table, *, today: date, settings: CustomersSection | None
                ) -> Growth | None:  # fmt: skip
    """Member growth as 04_churn wrote it, or, when 04 did not run, computed here; None without levels or points."""
    if settings is None:
        return None
    growth = context.paths.read_optional_table("member_growth.parquet")
    if growth is None:
        growth = growth_plan(context, tx, today=today, settings=settings)
        if growth is None:
            return None
        growth = growth.assign(planned=False)  # no contact plan without 04_churn
        context.paths.write_table(growth, "member_growth.parquet")
    nearest = growth[growth["nudge"] == "level up"].nsmallest(10, "gap")
    return Growth(growth, settings, context.shareable(nearest))


def write_moments(context: StageContext, entries: pd.DataFrame, *, growth: pd.DataFrame | None,
                  contacts: pd.DataFrame) -> None:  # fmt: skip
    """care_calendar.parquet and member_growth.parquet through 04's contact plan (`contacts` by customer_id)."""
    context.paths.write_table(with_contacts(entries, contacts), "care_calendar.parquet")
    if growth is not None:
        nudge = growth["nudge"].map(moments.MOMENT_ACTIONS)
        chosen = growth["customer_id"].map(contacts["action"].where(planned_moments(contacts)))
        context.paths.write_table(growth.assign(planned=(chosen == nudge).fillna(False).astype(bool)),
                                  "member_growth.parquet")  # fmt: skip
