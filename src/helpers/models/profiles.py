"""Who the customers are: segments and tiers by region, age, gender, tenure, store and channel; points; baby stage.

Inputs are 02's per-customer segments, the cleaned member table (when given) and the transactions; every
function returns a small table for the report. Bands and stages are fixed, named boundaries; "large" points
balances and concentration are judged against the store's own distribution.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import ibis
import numpy as np
import pandas as pd

from helpers.data.features import days_between
from helpers.data.profile_tables import OPT_INS
from helpers.models.alerts import AlertResult

__all__ = [
    "AGE_BANDS",
    "AT_RISK_LIFECYCLE",
    "BABY_STAGES",
    "DIMENSIONS",
    "LARGE_BALANCE_QUANTILE",
    "MIN_GROUP_CUSTOMERS",
    "MIN_VIP_INDEX",
    "NO_STORE",
    "TENURE_BANDS",
    "VIP",
    "BabyStages",
    "Nps",
    "Points",
    "Profile",
    "baby_stage",
    "band",
    "cards_by_spend_level",
    "customer_profile",
    "dimension_table",
    "main_places",
    "points_summary",
    "proxy_births",
    "reachability",
    "reachable",
    "segment_mix",
    "stage_categories",
    "stage_table",
    "vip_concentration",
]


@dataclass
class Points:
    facts: dict
    by_tier: pd.DataFrame
    at_risk: pd.DataFrame  # holders of large balances who are at risk or lapsed, largest first
    preview: pd.DataFrame  # the largest of them for the report, ids masked when configured


@dataclass
class BabyStages:
    source: str  # "member table" or "first purchase in a newborn category"
    table: pd.DataFrame  # per stage today: customers, revenue, top categories
    shares: pd.DataFrame  # stage at purchase x category: share of spend


@dataclass
class Nps:
    overall: dict
    by_group: dict[str, pd.DataFrame]
    trend: pd.DataFrame
    bias: pd.DataFrame
    has_nps: bool
    themes: pd.DataFrame | None = None  # comment_themes.parquet (None without comments)
    themes_by_region: pd.DataFrame | None = None  # detractor themes per region (or store) with enough comments
    drivers: pd.DataFrame | None = None  # NPS points per theme mentioned and behaviour, with 95% intervals
    commented: int = 0  # answers with a comment
    min_comments: tuple[int, int] = (0, 0)  # voice.min_theme_comments, voice.min_group_comments


@dataclass
class Profile:
    """What 02 shows in 'Who they are'."""

    coverage: dict | None  # quality.json's reconciliation of the member table with the log
    dimensions: dict[str, pd.DataFrame]  # dimension -> customers, shares, tiers, VIP index
    concentration: dict[str, pd.DataFrame]  # region / store -> where VIPs are over-represented
    reachability: pd.DataFrame | None  # per segment
    points: Points | None
    cards: pd.DataFrame | None  # customers per member card (member table) and spend level (02), when cards are given
    baby: BabyStages | None
    nps: Nps | None
    alerts: AlertResult
    alert_preview: pd.DataFrame  # the most severe alerts for the report, ids masked when configured


AGE_BANDS = ((0, "under 25"), (25, "25-29"), (30, "30-34"), (35, "35-39"), (40, "40-49"), (50, "50+"))
TENURE_BANDS = ((0, "under 3 months"), (91, "3-6 months"), (183, "6-12 months"), (365, "1-2 years"),
                (730, "2 years or more"))  # fmt: skip
# the baby's age in days at which each stage starts (pregnancy before birth)
BABY_STAGES = ((-10_000, "pregnancy"), (0, "0-6 months"), (183, "6-12 months"), (365, "1-3 years"),
               (1095, "3 years or more"))  # fmt: skip
DIMENSIONS = ("region", "card_level", "age_band", "gender", "tenure_band", "main_store", "main_channel")
NO_STORE = "no store (online)"  # the main store of a customer whose purchases name no store
MIN_GROUP_CUSTOMERS = 30  # a region or store with fewer customers is not named as a concentration
MIN_VIP_INDEX = 1.1  # ... nor one whose VIP share is less than 10% above the overall share
LARGE_BALANCE_QUANTILE = 0.75  # "large" points balance: the top quarter of positive balances
AT_RISK_LIFECYCLE = ("at risk", "lapsed")
VIP = "VIP"


def band(values: pd.Series, bands: tuple[tuple[float, str], ...]) -> pd.Series:
    """The label of the band each value falls in (NaN stays NaN); bands are (lower bound, label), ascending."""
    lows = np.array([low for low, _ in bands], dtype=float)
    labels = np.array([label for _, label in bands], dtype=object)
    position = np.searchsorted(lows, values.to_numpy(dtype=float), side="right") - 1
    result = pd.Series(labels[np.clip(position, 0, len(labels) - 1)], index=values.index, dtype=object)
    return result.where(values.notna() & (position >= 0))


def main_places(tx: ibis.Table) -> pd.DataFrame:
    """Per customer: the store, the channel and the region (a log's country) where they spent most (ties: first by
    name); columns as the log has."""
    frames = []
    for column in ("store", "channel", "region"):
        if column not in tx.columns:
            continue
        spend = tx.filter(tx[column].notnull()).group_by(["customer_id", column]).aggregate(spend=tx.amount.sum())
        table = spend.execute().sort_values(["customer_id", "spend", column], ascending=[True, False, True])
        frames.append(table.drop_duplicates("customer_id").set_index("customer_id")[column].rename(f"main_{column}"))
    return pd.concat(frames, axis=1) if frames else pd.DataFrame(index=pd.Index([], name="customer_id"))


def customer_profile(segments: pd.DataFrame, members: pd.DataFrame | None, *, places: pd.DataFrame,
                     today: date) -> pd.DataFrame:  # fmt: skip
    """One row per customer of the log: segment, tier, level, lifecycle, spend, and the profile dimensions known."""
    profile = segments.set_index("customer_id")[["segment", "value_tier", "spend_level", "lifecycle",
                                                 "total_spend", "recency_days", "tenure_days"]].copy()  # fmt: skip
    profile = profile.join(places).rename(columns={"main_region": "region"})  # the member table's, when given
    if "main_store" in profile:  # every customer here bought: one without a store line bought online (or unrecorded)
        profile["main_store"] = profile["main_store"].astype(object).where(profile["main_store"].notna(), NO_STORE)
    joined_days = profile["tenure_days"].astype(float)
    if members is not None:
        member = members.set_index("customer_id").reindex(profile.index)
        profile["in_member_table"] = member["source_row"].notna()
        for column in ("region", "city", "gender", "card_level", "points", *OPT_INS):
            if column in member.columns:
                profile[column] = member[column]
        if "age" in member.columns:
            profile["age_band"] = band(member["age"], AGE_BANDS)
        if "join_date" in member.columns:
            joined_days = (pd.Timestamp(today) - member["join_date"]).dt.days.fillna(joined_days)
    profile["tenure_band"] = band(joined_days, TENURE_BANDS)
    return profile


def dimension_table(profile: pd.DataFrame, dimension: str) -> pd.DataFrame:
    """Per value of `dimension`: customers, shares of customers and revenue, mean spend, value-tier shares, how
    over-represented VIPs are (VIP share / overall VIP share) and the largest segment with its share; unknown
    values grouped as 'unknown'."""
    key = profile[dimension].astype(object).where(profile[dimension].notna(), "unknown")
    grouped = profile.groupby(key)
    table = pd.DataFrame({"customers": grouped.size(), "revenue": grouped["total_spend"].sum()})
    table["share_of_customers"] = table["customers"] / table["customers"].sum()
    table["share_of_revenue"] = table["revenue"] / table["revenue"].sum()
    table["mean_spend"] = table["revenue"] / table["customers"]
    tiers = pd.crosstab(key, profile["value_tier"], normalize="index")
    for tier in tiers.columns:
        table[f"share_{tier}"] = tiers[tier]
    overall_vip = (profile["value_tier"] == VIP).mean()
    table["vip_index"] = table.get(f"share_{VIP}", 0.0) / overall_vip if overall_vip else np.nan
    segments = pd.crosstab(key, profile["segment"], normalize="index")
    table["top_segment"] = segments.idxmax(axis=1)
    table["share_top_segment"] = segments.max(axis=1)
    table.index.name = dimension
    return table.sort_values("revenue", ascending=False)


def cards_by_spend_level(profile: pd.DataFrame, *, card_levels: list[str], spend_levels: dict[str, float]
                         ) -> pd.DataFrame:  # fmt: skip
    """Customers per member card (as the member table gives it; 'unknown' without one) and spend level, cards in
    the config's order, spend levels lowest first."""
    cards = profile["card_level"].astype(object).where(profile["card_level"].notna(), "unknown")
    table = pd.crosstab(cards, profile["spend_level"]).rename_axis(index="member card", columns="spend level")
    rows = [c for c in card_levels if c in table.index] + sorted(set(table.index) - set(card_levels) - {"unknown"})
    rows += ["unknown"] if "unknown" in table.index else []
    columns = [level for level in sorted(spend_levels, key=spend_levels.__getitem__) if level in table.columns]
    return table.reindex(index=rows, columns=columns)


def segment_mix(profile: pd.DataFrame, dimension: str, column: str = "segment") -> pd.DataFrame:
    """Share of each dimension value's customers in each segment (rows add up to 1)."""
    known = profile[profile[dimension].notna()]
    return pd.crosstab(known[dimension], known[column], normalize="index")


def vip_concentration(table: pd.DataFrame, min_customers: int = MIN_GROUP_CUSTOMERS) -> pd.DataFrame:
    """The values of a dimension where VIPs are over-represented (index at least 1.1), largest index first."""
    known = table[~table.index.isin(["unknown", NO_STORE]) & (table["customers"] >= min_customers)]
    return known[known["vip_index"] >= MIN_VIP_INDEX].sort_values("vip_index", ascending=False)


def reachability(cells: pd.Series, profile: pd.DataFrame) -> pd.DataFrame:
    """Per cell (segment or action): customers, how many the member table holds, opted in per channel, and
    reachable (opted in to at least one)."""
    channels = [c for c in OPT_INS if c in profile.columns]
    frame = profile.reindex(cells.index)
    flags = frame[channels].fillna(False).astype(bool)
    table = pd.DataFrame({"customers": cells.groupby(cells).size()})
    table["in_member_table"] = frame["in_member_table"].fillna(False).astype(bool).groupby(cells).sum()
    for channel in channels:
        table[channel] = flags[channel].groupby(cells).sum()
    table["reachable"] = flags.any(axis=1).groupby(cells).sum()
    table["share_reachable"] = table["reachable"] / table["customers"]
    table.index.name = cells.name
    return table.sort_values("customers", ascending=False)


def reachable(profile: pd.DataFrame) -> pd.Series:
    """Whether each customer opted in to at least one contact channel (False when the table lacks them)."""
    channels = [c for c in OPT_INS if c in profile.columns]
    return profile[channels].fillna(False).astype(bool).any(axis=1)


def points_summary(profile: pd.DataFrame, point_value: float) -> tuple[dict, pd.DataFrame, pd.DataFrame]:
    """Points liability, balances by value tier, and at-risk customers (lifecycle at risk or lapsed) sitting on a
    large balance (the top quarter of positive balances). Returns (facts, by tier, the at-risk holders)."""
    points = profile["points"].fillna(0.0)
    positive = points[points > 0]
    large = float(positive.quantile(LARGE_BALANCE_QUANTILE)) if len(positive) else np.inf
    by_tier = (
        profile.assign(points=points)
        .groupby("value_tier")
        .agg(customers=("points", "size"), points=("points", "sum"), median_balance=("points", "median"))
    )
    by_tier["liability"] = by_tier["points"] * point_value
    at_risk = profile[(points >= large) & profile["lifecycle"].isin(AT_RISK_LIFECYCLE)]
    at_risk = at_risk.assign(liability=at_risk["points"] * point_value).sort_values("points", ascending=False)
    facts = {
        "points_outstanding": float(points.sum()),
        "liability": float(points.sum() * point_value),
        "point_value": point_value,
        "holders": int((points > 0).sum()),
        "large_balance": large,
        "at_risk_holders": len(at_risk),
        "at_risk_points": float(at_risk["points"].sum()),
        "at_risk_liability": float(at_risk["liability"].sum()),
    }
    return facts, by_tier, at_risk[["segment", "value_tier", "lifecycle", "recency_days", "points", "liability"]]


def proxy_births(tx: ibis.Table, newborn_categories: list[str]) -> pd.Series:
    """Without a baby birth date: each customer's first purchase in a newborn category stands in for the birth."""
    lines = tx.filter(tx.category.isin(newborn_categories) & ~tx.is_return)
    first = lines.group_by("customer_id").aggregate(baby_birth_date=lines.order_date.min()).execute()
    return first.set_index("customer_id")["baby_birth_date"]


def baby_stage(births: pd.Series, today: date) -> pd.Series:
    """Each baby's stage today from its (expected) birth date."""
    return band((pd.Timestamp(today) - births).dt.days, BABY_STAGES)


def stage_categories(tx: ibis.Table, births: pd.Series) -> pd.DataFrame:
    """Share of each baby stage's spend by category, the stage taken at each purchase line's date."""
    known = births.dropna().rename("baby_birth_date").reset_index()
    table = ibis.memtable(known)
    lines = tx.filter(~tx.is_return & tx.category.notnull()).inner_join(table, "customer_id")
    lines = lines.mutate(age_days=days_between(lines.order_date.date(), lines.baby_birth_date.date()))
    spend = lines.group_by(["age_days", "category"]).aggregate(spend=lines.amount.sum()).execute()
    spend["stage"] = band(spend["age_days"], BABY_STAGES)
    shares = spend.pivot_table(index="stage", columns="category", values="spend", aggfunc="sum", fill_value=0.0)
    shares = shares.div(shares.sum(axis=1), axis=0)
    return shares.reindex([label for _, label in BABY_STAGES]).dropna(how="all")


def stage_table(profile: pd.DataFrame, stages: pd.Series, *, shares: pd.DataFrame, top: int = 3) -> pd.DataFrame:
    """Per baby stage today: customers, revenue share, and the categories the stage buys most."""
    stage = stages.reindex(profile.index)
    grouped = profile.groupby(stage)
    table = pd.DataFrame({"customers": grouped.size(), "revenue": grouped["total_spend"].sum()})
    table["share_of_revenue"] = table["revenue"] / profile["total_spend"].sum()
    table["top_categories"] = [
        ", ".join(f"{c} {s:.0%}" for c, s in shares.loc[name].nlargest(top).items()) if name in shares.index else ""
        for name in table.index
    ]
    order = [label for _, label in BABY_STAGES if label in table.index]
    return table.reindex(order).rename_axis("baby_stage")
