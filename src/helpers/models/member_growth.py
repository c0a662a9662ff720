"""Points and member levels as levers: who is a little spend away from the next card level, whose level drops at
renewal, whose points lapse soon, and who sits dormant on a large balance.

Level rules are data (customers.card_rules: the spend over customers.card_period_days a card level needs); the
spend counts purchases net of returns in the period up to the analysis date."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import ibis
import numpy as np
import pandas as pd

from helpers.language.formatting import money
from helpers.language.i18n import t

__all__ = ["NUDGES", "member_growth", "nudge_text", "period_spend", "points_expiry_day"]

NUDGES = ("level up", "keep level", "redeem points", "none")


def period_spend(tx: ibis.Table, *, start: date, end: date) -> pd.Series:
    """Each customer's spend net of returns from start to end (both included)."""
    window = tx.filter((tx.order_date.date() >= start) & (tx.order_date.date() <= end))
    spend = window.group_by("customer_id").aggregate(spend=window.amount.sum()).execute()
    return spend.set_index("customer_id")["spend"].astype(float)


def points_expiry_day(month_day: str, today: date) -> date:
    """The next day (after today) on which balances lapse, from 'MM-DD'."""
    month, day = int(month_day[:2]), int(month_day[3:])
    this_year = date(today.year, month, day)
    return this_year if this_year > today else date(today.year + 1, month, day)


def member_growth(members: pd.DataFrame, spend: pd.Series, *, rules: Mapping[str, float], reach_share: float,
                  expiry: date | None, notice_days: int, today: date, dormant: pd.Index) -> pd.DataFrame:  # fmt: skip
    """One row per member with a card level or points: the level their period spend qualifies for, the next level
    and the spend `gap` to it, the spend that keeps their level (`keep_gap`), the points lapsing by `expiry` when
    it is within `notice_days`, and one `nudge`: level up when the gap is within `reach_share` of the next
    level's threshold; else keep level when the period spend is below their level's; else redeem points when
    points lapse soon or a `dormant` member holds them; else none."""
    levels = list(rules)
    threshold = pd.Series(rules, dtype=float)
    table = members.drop_duplicates("customer_id").set_index("customer_id")
    card = table["card_level"] if "card_level" in table else pd.Series(pd.NA, index=table.index, dtype=object)
    points = table["points"].fillna(0.0) if "points" in table else pd.Series(0.0, index=table.index)
    out = pd.DataFrame({"card_level": card.astype("string"), "points": points.astype(float)})
    out = out[out["card_level"].isin(levels) | (out["points"] > 0)]
    out["period_spend"] = spend.reindex(out.index).fillna(0.0).clip(lower=0.0)
    rank = out["card_level"].map({level: k for k, level in enumerate(levels)})
    qualified = np.searchsorted(threshold.to_numpy(), out["period_spend"].to_numpy(), side="right") - 1
    out["qualified_level"] = pd.array([levels[k] if k >= 0 else pd.NA for k in qualified], dtype="string")
    next_rank = rank + 1
    out["next_level"] = next_rank.map(lambda k: levels[int(k)] if pd.notna(k) and k < len(levels) else pd.NA)
    out["next_level"] = out["next_level"].astype("string")
    out["gap"] = (out["next_level"].map(threshold) - out["period_spend"]).clip(lower=0.0)
    out["keep_gap"] = (out["card_level"].map(threshold) - out["period_spend"]).clip(lower=0.0)
    lapsing = expiry if expiry is not None and (expiry - today).days <= notice_days else None
    out["points_expiring"] = out["points"] if lapsing is not None else 0.0
    out["points_expiry_date"] = pd.NaT if lapsing is None else pd.Timestamp(lapsing)
    reach = (out["gap"] > 0) & (out["gap"] <= reach_share * out["next_level"].map(threshold))
    keep = out["keep_gap"].fillna(0) > 0
    redeem = (out["points_expiring"] > 0) | (out.index.isin(dormant) & (out["points"] > 0))
    conditions = [pd.Series(c, index=out.index).fillna(False).to_numpy(dtype=bool) for c in (reach, keep, redeem)]
    out["nudge"] = np.select(conditions, NUDGES[:3], default=NUDGES[3])
    return out.rename_axis("customer_id").reset_index()


def nudge_text(row: pd.Series, *, point_value: float) -> str:
    """The nudge in words, in the report language."""
    if row["nudge"] == "level up":
        return t("{gap} more by the renewal lifts them to {level}", gap=money(row["gap"]), level=row["next_level"])
    if row["nudge"] == "keep level":
        return t("{gap} more keeps {level} at the renewal", gap=money(row["keep_gap"]), level=row["card_level"])
    if row["nudge"] == "redeem points":
        return t("redeem {points} points (worth {value})", points=f"{row['points']:,.0f}",
                 value=money(row["points"] * point_value))  # fmt: skip
    return ""
