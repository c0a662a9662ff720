"""Who the family is now: the baby's birth date from the member table, else bounded by what the family bought (a
purchase of a stage category on day d means the birth lies in (d - until, d - from]), the stage it is in, and the
next stage it is about to reach. Stage rules are data: category -> [from, until) days from the birth."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

import ibis
import pandas as pd

from helpers.core.config import LifeEvent
from helpers.models.profiles import BABY_STAGES, band

__all__ = [
    "ESTIMATED",
    "FROM_MEMBER_TABLE",
    "birth_windows",
    "event_windows",
    "family_births",
    "life_stages",
    "next_stage",
]

FROM_MEMBER_TABLE, ESTIMATED = "member table", "estimated from purchases"
_Stages = Mapping[str, tuple[int, int]]


def birth_windows(tx: ibis.Table, stages: _Stages) -> pd.DataFrame:
    """Per customer who bought a stage category: the earliest and latest birth dates their stage purchases allow.
    When purchases contradict each other (a gift for another child), the window of the latest purchase is kept."""
    lines = tx.filter(~tx.is_return & tx.category.isin(list(stages)))
    bought = lines.group_by(["customer_id", "category"]).aggregate(
        first=lines.order_date.min(), last=lines.order_date.max()).execute()  # fmt: skip
    if bought.empty:
        return pd.DataFrame(columns=["earliest", "latest"], index=pd.Index([], name="customer_id"))
    start = pd.to_timedelta(bought["category"].map({c: s for c, (s, _) in stages.items()}), unit="D")
    until = pd.to_timedelta(bought["category"].map({c: e for c, (_, e) in stages.items()}), unit="D")
    bought["earliest"] = pd.to_datetime(bought["last"]).dt.normalize() - until + pd.Timedelta(days=1)
    bought["latest"] = pd.to_datetime(bought["first"]).dt.normalize() - start
    windows = bought.groupby("customer_id").agg(earliest=("earliest", "max"), latest=("latest", "min"))
    contradicted = windows["earliest"] > windows["latest"]
    if contradicted.any():
        newest = bought.sort_values("last").groupby("customer_id").tail(1).set_index("customer_id")
        last = pd.to_datetime(newest["last"]).dt.normalize()
        own_start = pd.to_timedelta(newest["category"].map({c: s for c, (s, _) in stages.items()}), unit="D")
        fallback = pd.DataFrame({"earliest": newest["earliest"], "latest": last - own_start})
        windows.loc[contradicted] = fallback.reindex(windows.index[contradicted]).to_numpy()
    return windows


def family_births(known: pd.Series | None, windows: pd.DataFrame) -> pd.DataFrame:
    """Per customer: `birth` (the member table's date, else the middle of the purchase window), `oldest` (the
    earliest birth it may be: the member date, else the window's start) and `basis`."""
    estimated = pd.DataFrame({
        "birth": windows["earliest"] + (windows["latest"] - windows["earliest"]) / 2,
        "oldest": windows["earliest"], "basis": ESTIMATED,
    })  # fmt: skip
    if known is None:
        return estimated.dropna(subset=["birth"])
    given = pd.to_datetime(known).dropna()
    member = pd.DataFrame({"birth": given, "oldest": given, "basis": FROM_MEMBER_TABLE})
    births = pd.concat([member, estimated[~estimated.index.isin(member.index)]])
    births["birth"] = births["birth"].dt.normalize()
    return births.rename_axis("customer_id")


def life_stages(births: pd.DataFrame, today: date) -> pd.Series:
    """Each family's baby stage today, in the bands of 02's stage table."""
    return band((pd.Timestamp(today) - births["birth"]).dt.days, BABY_STAGES)


def next_stage(births: pd.DataFrame, today: date, stages: _Stages, *, lead_days: int) -> pd.DataFrame:
    """Families whose baby may reach the start of another stage category within `lead_days` after today (by the
    earliest birth it may be) and has not by the best estimate: that category (`next_item`) and the earliest day
    of the move (`transition`)."""
    age = (pd.Timestamp(today) - births["birth"]).dt.days
    oldest_age = (pd.Timestamp(today) - births["oldest"]).dt.days
    rows = []
    for item, (start, _) in stages.items():
        soon = (age < start) & (oldest_age >= start - lead_days)
        rows.append(pd.DataFrame({"next_item": item, "transition": births.loc[soon, "oldest"] + pd.Timedelta(
            days=start)}, index=births.index[soon]))  # fmt: skip
    found = pd.concat(rows) if rows else pd.DataFrame(columns=["next_item", "transition"])
    return found.sort_values("transition").groupby(level=0).head(1)


def _event_clocks(tx: ibis.Table, members: pd.DataFrame | None, events: Sequence[LifeEvent]) -> dict[str, pd.Series]:
    """Per event, when each customer's clock started: their latest purchase line of its category, or the member
    table's date."""
    categories = sorted({e.after_category for e in events if e.after_category is not None})
    latest = pd.DataFrame(columns=["customer_id", "category", "anchor"])
    if categories and "category" in tx.columns:
        lines = tx.filter(~tx.is_return & (tx.amount > 0) & tx.category.isin(categories))
        latest = lines.group_by(["customer_id", "category"]).aggregate(anchor=lines.order_date.max()).execute()
    table = None if members is None else members.drop_duplicates("customer_id").set_index("customer_id")
    clocks = {}
    for event in events:
        if event.after_category is not None:
            found = latest[latest["category"] == event.after_category].set_index("customer_id")["anchor"]
        elif table is not None and event.after_member_date in table:
            found = table[event.after_member_date]
        else:
            found = pd.Series(dtype="datetime64[ns]")
        clocks[event.name] = pd.to_datetime(found).dropna().dt.normalize()
    return clocks


def event_windows(tx: ibis.Table, members: pd.DataFrame | None, events: Sequence[LifeEvent], *, start: date,
                  end: date) -> pd.DataFrame:  # fmt: skip
    """One row per customer and life event whose window (window_days after the clock: the latest purchase of the
    event's category, or the member table's date) is open on a day from `start` to `end`: customer_id, event, the
    window's opening and closing days, `date` (its first day within start..end) and the event's offer."""
    rows = []
    first, last = pd.Timestamp(start), pd.Timestamp(end)
    clocks = _event_clocks(tx, members, events)
    for event in events:
        clock = clocks[event.name]
        opens = clock + pd.Timedelta(days=event.window_days[0])
        closes = clock + pd.Timedelta(days=event.window_days[1])
        inside = (opens <= last) & (closes >= first)
        rows.append(pd.DataFrame({
            "customer_id": clock.index[inside].astype(str), "event": event.name, "opens": opens[inside].to_numpy(),
            "closes": closes[inside].to_numpy(), "date": opens[inside].where(opens[inside] >= first, first).to_numpy(),
            "offer": event.offer}))  # fmt: skip
    columns = ["customer_id", "event", "opens", "closes", "date", "offer"]
    if not rows:
        return pd.DataFrame({c: pd.Series(dtype="datetime64[ns]" if c in ("opens", "closes", "date") else object)
                             for c in columns})  # fmt: skip
    return pd.concat(rows, ignore_index=True)[columns].sort_values(["date", "customer_id"]).reset_index(drop=True)
