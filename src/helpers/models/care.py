"""Key dates and festivals: whom to greet in the coming days and for what.

Personal occasions come from the member table (birthdays, the baby's full month, 100 days and birthdays,
membership anniversaries). Festivals come from a calendar: China's public holidays from the `holidays` package,
lunar festivals (元宵, 七夕) converted with `lunardate`, commercial days (情人节, 三八, 520, 618, 双11, 双12),
Mother's and Father's Day, and the retailer's own days. A festival's list holds only its *responders*: customers
who bought in the days before it in at least `min_years` of the years they were customers, more often than
their own buying rate makes likely by chance (a binomial test at `alpha`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

import holidays
import ibis
import numpy as np
import pandas as pd
from lunardate import LunarDate
from scipy.stats import binom

from helpers.language.i18n import t, t_series

__all__ = [
    "BABY_MILESTONES",
    "COMMERCIAL_DAYS",
    "HOLIDAY_NAMES",
    "LUNAR_FESTIVALS",
    "PERSONAL_OFFERS",
    "FestivalResponse",
    "care_calendar",
    "festival_dates",
    "festival_response",
    "personal_occasions",
]

HOLIDAY_NAMES = {  # holidays.China's English names -> the festival's name here
    "New Year's Day": "New Year's Day", "Chinese New Year (Spring Festival)": "Spring Festival",
    "International Women's Day": "Women's Day", "Tomb-Sweeping Day": "Qingming", "Labor Day": "Labour Day",
    "Children's Day": "Children's Day", "Dragon Boat Festival": "Dragon Boat Festival",
    "Mid-Autumn Festival": "Mid-Autumn Festival", "National Day": "National Day",
}  # fmt: skip
LUNAR_FESTIVALS = {"Lantern Festival": (1, 15), "Qixi": (7, 7)}  # lunar month, day
COMMERCIAL_DAYS = {"Valentine's Day": (2, 14), "520": (5, 20), "618": (6, 18), "Double 11": (11, 11),
                   "Double 12": (12, 12)}  # fmt: skip
BABY_MILESTONES = {"baby's full month": 30, "baby's 100 days": 100}  # then a birthday each year


def _nth_weekday(year: int, month: int, *, weekday: int, n: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


def festival_dates(years: Iterable[int], *, own_days: Mapping[str, str] | None = None,
                   only: Iterable[str] | None = None) -> pd.DataFrame:  # fmt: skip
    """Every festival of these years: `festival` (an English name) and `date`, by date; `only` keeps those named;
    `own_days` adds the retailer's days ({name: 'MM-DD'})."""
    years = sorted(set(years))
    rows: list[tuple[str, date]] = []
    official = holidays.China(years=years, categories=("public", "half_day"), language="en_US")
    for day, names in sorted(official.items()):
        for name in str(names).split("; "):
            if name in HOLIDAY_NAMES:
                rows.append((HOLIDAY_NAMES[name], day))
    for year in years:
        rows += [(name, LunarDate(year, month, day).to_solar_date()) for name, (month, day) in LUNAR_FESTIVALS.items()]
        rows += [(name, date(year, month, day)) for name, (month, day) in COMMERCIAL_DAYS.items()]
        rows += [
            ("Mother's Day", _nth_weekday(year, 5, weekday=6, n=2)),
            ("Father's Day", _nth_weekday(year, 6, weekday=6, n=3)),
        ]
        rows += [(name, date(year, int(md[:2]), int(md[3:]))) for name, md in (own_days or {}).items()]
    frame = pd.DataFrame(rows, columns=["festival", "date"])
    frame["year"] = [d.year for d in frame["date"]]
    frame = frame.sort_values("date").drop_duplicates(["festival", "year"]).drop(columns="year")  # a holiday's 1st day
    if only is not None:
        frame = frame[frame["festival"].isin(list(only))]
    return frame.reset_index(drop=True)


@dataclass(frozen=True)
class FestivalResponse:
    """Per customer and festival: the years they were customers before it (`observed`), the years they bought in
    the days before it (`bought`), the share, the chance of that many by chance (`p_value`) and `responder`."""

    table: pd.DataFrame


def festival_response(tx: ibis.Table, festivals: pd.DataFrame, *, today: date, lead_days: int, min_years: int,
                      alpha: float) -> FestivalResponse:  # fmt: skip
    """Who buys before which festival, year after year, more than chance: the festivals' past dates up to `today`
    each open a window of `lead_days` before the day (the day included)."""
    past = festivals[festivals["date"] <= today].copy()
    past["start"] = [d - timedelta(days=lead_days) for d in past["date"]]
    bought = tx.filter(~tx.is_return)
    days = bought.select(customer_id=bought.customer_id, day=bought.order_date.date()).distinct()
    windows = ibis.memtable(past[["festival", "date", "start"]].rename(columns={"date": "festival_date"}))
    hits = days.inner_join(windows, [days.day >= windows.start, days.day <= windows.festival_date])
    counted = hits.group_by(["customer_id", "festival"]).aggregate(bought=hits.festival_date.nunique()).execute()
    counted = counted[counted["bought"] >= min_years]
    columns = ["customer_id", "festival", "observed", "bought", "share", "p_value", "responder"]
    if counted.empty:  # typed, so that selecting the responders of an empty table selects rows
        types = ("string", "string", "int64", "int64", "float64", "float64", "bool")
        empty = pd.DataFrame({c: pd.Series(dtype=d) for c, d in zip(columns, types, strict=True)})
        return FestivalResponse(empty)
    ids = ibis.memtable(counted[["customer_id"]].drop_duplicates())
    per = days.inner_join(ids, "customer_id").group_by("customer_id").aggregate(
        first=days.day.min(), purchase_days=days.day.count()).execute().set_index("customer_id")  # fmt: skip
    first = pd.to_datetime(per["first"]).reindex(counted["customer_id"]).to_numpy()
    starts = past.groupby("festival")["start"].apply(lambda s: np.sort(pd.to_datetime(s).to_numpy()))
    counted["observed"] = [int(np.sum(starts[f] >= d)) for f, d in zip(counted["festival"], first, strict=True)]
    tenure = (pd.Timestamp(today) - pd.to_datetime(per["first"])).dt.days.clip(lower=1)
    rate = (per["purchase_days"] / tenure).reindex(counted["customer_id"]).to_numpy()
    chance = 1 - np.exp(-rate * (lead_days + 1))
    counted["observed"] = np.maximum(counted["observed"], counted["bought"])
    counted["share"] = counted["bought"] / counted["observed"]
    counted["p_value"] = binom.sf(counted["bought"] - 1, counted["observed"], chance)
    counted["responder"] = counted["p_value"] < alpha
    return FestivalResponse(counted[columns].sort_values(["festival", "customer_id"]).reset_index(drop=True))


def _anniversaries(dates: pd.Series, start: date, end: date) -> pd.DataFrame:
    """The anniversaries of each date between start and end (inclusive): the day and how many years."""
    given = pd.to_datetime(dates).dropna()
    rows = []
    for year in range(start.year, end.year + 1):
        month, day = given.dt.month, given.dt.day.where(~((given.dt.month == 2) & (given.dt.day == 29)), 28)
        on = pd.to_datetime(pd.DataFrame({"year": year, "month": month, "day": day}))
        inside = (on >= pd.Timestamp(start)) & (on <= pd.Timestamp(end)) & (on > given)
        rows.append(pd.DataFrame({"date": on[inside], "years": year - given.dt.year[inside]}))
    return pd.concat(rows) if rows else pd.DataFrame(columns=["date", "years"])


def personal_occasions(members: pd.DataFrame, *, start: date, end: date, baby_birthdays: int) -> pd.DataFrame:
    """Birthdays, the baby's milestones (full month, 100 days, birthdays up to `baby_birthdays` years) and
    membership anniversaries between start and end: `customer_id`, `occasion`, `date`, `years`."""
    table = members.drop_duplicates("customer_id").set_index("customer_id")
    parts = []
    if "birth_date" in table:
        parts.append(_anniversaries(table["birth_date"], start, end).assign(occasion="birthday"))
    if "join_date" in table:
        parts.append(_anniversaries(table["join_date"], start, end).assign(occasion="membership anniversary"))
    if "baby_birth_date" in table:
        births = pd.to_datetime(table["baby_birth_date"]).dropna()
        for name, days in BABY_MILESTONES.items():
            on = births + pd.Timedelta(days=days)
            inside = (on >= pd.Timestamp(start)) & (on <= pd.Timestamp(end))
            parts.append(pd.DataFrame({"date": on[inside], "years": 0, "occasion": name}))
        birthdays = _anniversaries(births, start, end)
        parts.append(birthdays[birthdays["years"] <= baby_birthdays].assign(occasion="baby's birthday"))
    if not parts:
        return pd.DataFrame(columns=["customer_id", "occasion", "date", "years"])
    found = pd.concat(parts).rename_axis("customer_id").reset_index()
    found["years"] = found["years"].astype(int)
    return found[["customer_id", "occasion", "date", "years"]].sort_values(["date", "customer_id", "occasion"])


PERSONAL_OFFERS = {
    "birthday": "birthday greeting with a birthday coupon",
    "membership anniversary": "thank you for {years} years as a member, with bonus points",
    "baby's full month": "congratulations on the baby's full month (满月), with a gift for the new stage",
    "baby's 100 days": "congratulations on the baby's 100 days (百天), with a gift for the new stage",
    "baby's birthday": "the baby turns {years}: a birthday gift for the stage ahead",
}


def care_calendar(occasions: pd.DataFrame, responders: pd.DataFrame, ahead: pd.DataFrame, *,
                  channels: pd.Series | None, events: pd.DataFrame | None = None) -> pd.DataFrame:  # fmt: skip
    """One row per customer and occasion: the personal `occasions` (personal_occasions), the life `events` whose
    window is open (life_stage.event_windows) and, for each festival `ahead` (festival, date), its `responders`
    (festival_response's rows with responder true), with the suggested offer in the report language and the
    channel (04's, by customer; 'any' without it)."""
    personal = occasions.assign(festival_share=np.nan)
    personal["offer"] = [t(PERSONAL_OFFERS[o], years=str(y)) for o, y in zip(personal["occasion"], personal["years"],
                                                                             strict=True)]  # fmt: skip
    if events is not None and len(events):
        windows = events.rename(columns={"event": "occasion"}).assign(years=0, festival_share=np.nan)
        windows["offer"] = t_series("{offer}: their {event} window is open until {closes}", offer=windows["offer"],
                                    event=windows["occasion"].map(t),
                                    closes=pd.to_datetime(windows["closes"]).dt.strftime("%Y-%m-%d"))  # fmt: skip
        personal = pd.concat([personal, windows[list(personal.columns)]], ignore_index=True)
    festive = responders.merge(ahead, on="festival").rename(columns={"festival": "occasion", "share": "festival_share"})
    festive = festive.assign(years=0)
    festive["offer"] = t_series(
        "{festival} greeting and offer: they bought before it in {share} of their years",
        festival=festive["occasion"].map(t),
        share=festive["festival_share"].map("{:.0%}".format),
    )
    calendar = pd.concat([personal, festive[list(personal.columns)]], ignore_index=True)
    calendar["channel"] = "any" if channels is None else calendar["customer_id"].map(channels).fillna("any")
    calendar = calendar.astype({"customer_id": "string", "occasion": "string", "years": "int64",
                                "offer": "string", "festival_share": "float64"})  # fmt: skip
    calendar["date"] = pd.to_datetime(calendar["date"])
    columns = ["customer_id", "occasion", "date", "years", "offer", "channel", "festival_share"]
    return calendar[columns].sort_values(["date", "occasion", "customer_id"]).reset_index(drop=True)
