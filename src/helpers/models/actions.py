"""One action per customer, from one rule table over churn risk, value level and RFM segment, and this cycle's
selection.

Risk tiers are levels of the calibrated churn probability (churn.high_risk_probability, medium_risk_probability);
value levels are shares of the population (the top y% by value). The rules (`churn.action_rules`) are checked in
order and the first whose conditions hold names the action; the last rule has no condition, so every customer gets
exactly one. The contact budget takes customers by expected incremental value (a save rate, measured or assumed,
times the value at risk, minus the contact's cost), highest first, among those a channel reaches and nothing holds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from helpers.core.config import (
    CYCLE_OUTCOMES,
    LIFECYCLE_STAGES,
    RISK_TIERS,
    VALUE_LEVELS,
    ActionRule,
    CampaignSection,
    Channel,
)
from helpers.data.exports import each_distinct
from helpers.data.schemas import ACTION_LIST
from helpers.language.i18n import t, t_series, term

__all__ = [
    "ANY_CHANNEL",
    "CONDITIONS",
    "DO_NOT_CONTACT",
    "EXPECTED",
    "HOLDOUT_BUCKETS",
    "HOLDOUT_KEY",
    "IN_STORE_ONLY",
    "NO_REMINDER",
    "REASON_ROWS",
    "ROUNDING",
    "SAVE_RATES",
    "MeasuredResponse",
    "action_of",
    "assign_actions",
    "capped_for_alerts",
    "channel_order",
    "channels",
    "contact_costs",
    "describe_rules",
    "expected_value",
    "for_people",
    "global_holdout",
    "prioritise",
    "reasons",
    "reminder_list",
    "this_cycle",
    "tiers_by_probability",
    "tiers_by_share",
    "top_share_rank",
    "unreachable_rules",
]


def top_share_rank(values: pd.Series) -> pd.Series:
    """Rank 1..n, highest value first; equal values are ordered by the index (customer id), so ranks are unique."""
    order = pd.DataFrame({"value": values.to_numpy(), "key": values.index}).sort_values(
        ["value", "key"], ascending=[False, True], kind="stable"
    )
    ranks = pd.Series(np.arange(1, len(values) + 1), index=order.index)
    return pd.Series(ranks.sort_index().to_numpy(), index=values.index)


def tiers_by_probability(probability: pd.Series, *, high: float, medium: float) -> pd.Series:
    """'high' from the `high` probability, 'medium' from `medium`, 'low' below: a tier means its word."""
    labels = np.where(probability >= high, "high", np.where(probability >= medium, "medium", "low"))
    return pd.Series(labels, index=probability.index, dtype=object)


def tiers_by_share(values: pd.Series, shares: dict[str, float], rest: str) -> pd.Series:
    """Name the top `shares[name]` of customers by `values` (highest first, in the dict's order), the others `rest`.

    A tier holds floor(share x customers) customers, never more."""
    rank = top_share_rank(values)
    labels = pd.Series(rest, index=values.index, dtype=object)
    upper = 0
    for name, share in shares.items():
        lower, upper = upper, upper + int(np.floor(share * len(values)))
        labels[(rank > lower) & (rank <= upper)] = name
    return labels


CONDITIONS = ("risk_tier", "value_level", "segment", "lifecycle")  # the columns a rule looks at, in this order


def _holds(rule: ActionRule, cell: tuple[str, str, str, str]) -> bool:
    """Whether each of the rule's conditions holds for the cell (risk tier, value level, segment, lifecycle)."""
    risk, value, segment, lifecycle = cell
    return all(
        not allowed or given in allowed
        for allowed, given in ((rule.risk, risk), (rule.value, value), (rule.segments, segment),
                               (rule.lifecycle, lifecycle))
    )  # fmt: skip


def action_of(rules: list[ActionRule], cell: tuple[str, str, str, str]) -> str:
    """The first rule's action whose conditions hold for `cell` (risk tier, value level, segment, lifecycle: the
    CONDITIONS); the last rule matches everyone."""
    return next(rule.action for rule in rules if _holds(rule, cell))


def assign_actions(frame: pd.DataFrame, rules: list[ActionRule]) -> pd.Series:
    """The action of every customer from their risk tier, value level, segment and lifecycle stage
    (a customer without a segment or stage, when 02_segment did not run, matches only rules without one)."""
    keys = frame.reindex(columns=list(CONDITIONS)).fillna("").astype(str)
    cell = keys.groupby(list(CONDITIONS), sort=False).ngroup().to_numpy()  # numbered in order of first appearance
    cells = keys.drop_duplicates()  # the same order: one rule search per cell, not per customer
    chosen = np.array([action_of(rules, tuple(c)) for c in cells.itertuples(index=False)], dtype=object)
    return pd.Series(chosen[cell], index=frame.index)


def unreachable_rules(rules: list[ActionRule], segments: list[str]) -> list[int]:
    """Numbers (1 = first) of the rules no customer can reach, because earlier rules catch every case first."""
    reached = {
        next(i for i, rule in enumerate(rules, start=1) if _holds(rule, (r, v, s, stage)))
        for r in RISK_TIERS for v in VALUE_LEVELS for s in [*segments, ""] for stage in [*LIFECYCLE_STAGES, ""]
    }  # fmt: skip
    return [i for i in range(1, len(rules) + 1) if i not in reached]


REASON_ROWS = 500_000  # customers worded at a time: the pieces of ten million lines of text take gigabytes


def reasons(frame: pd.DataFrame, money, horizon_days: int) -> pd.Series:
    """One line per customer a CRM agent reads: silence against their rhythm, churn risk, value at stake.

    'no purchase for 140 days, 3.2× their usual 44-day gap; 82% chance of no purchase in 90 days (high risk);
    $231 expected if kept'."""
    chunks = range(0, max(len(frame), 1), REASON_ROWS)
    return pd.concat([_reasons(frame.iloc[start : start + REASON_ROWS], money, horizon_days) for start in chunks])


def _reasons(frame: pd.DataFrame, money, horizon_days: int) -> pd.Series:
    days = frame["days_since_last_purchase"].astype("int64")
    silence = t_series("no purchase for {days} days", days=each_distinct(days, "{:,}".format))  # once per value
    gap = frame["typical_gap_days"] if "typical_gap_days" in frame else pd.Series(np.nan, index=frame.index)
    repeat = (frame["purchases"] > 1) & (gap > 0)
    rhythm = pd.Series("", index=frame.index)
    rhythm[repeat] = t_series(", {ratio}× their usual {gap}-day gap", ratio=(days[repeat] / gap[repeat]).map(
        "{:.1f}".format), gap=each_distinct(gap[repeat], "{:,.0f}".format))  # fmt: skip
    rhythm[frame["purchases"] == 1] = t(" since their only purchase")
    risk = t_series("{probability} chance of no purchase in {days} days ({tier} risk)",
                    probability=frame["churn_probability"].map("{:.0%}".format),
                    days=str(horizon_days), tier=each_distinct(frame["risk_tier"], term))  # fmt: skip
    kept = t_series("{value} expected if kept", value=frame["value_if_retained"].map(money))
    return silence + rhythm + t("; ") + risk + t("; ") + kept


def contact_costs(frame: pd.DataFrame, campaign: CampaignSection) -> pd.Series:
    """What contacting each customer costs: their action's cost (campaign.action_costs, else campaign.contact_cost)
    plus their channel's message cost (campaign.channel_costs)."""
    cost = frame["action"].map(campaign.action_costs).fillna(campaign.contact_cost).astype(float)
    if "channel" in frame and campaign.channel_costs:
        cost = cost + frame["channel"].map(campaign.channel_costs).fillna(0.0).astype(float)
    return cost


@dataclass(frozen=True)
class MeasuredResponse:
    """What a measured campaign (campaign.measured_effects) tells the next plan: the save rate of each action it
    measured, with its 95% interval, each channel's incremental margin per contact, and the conversion lift of each
    moment it measured (a key date, festival or member nudge: helpers.models.moments)."""

    rates: pd.DataFrame  # by action: save_rate, save_rate_low, save_rate_high
    channels: pd.Series | None = None  # by channel: incremental margin per contact
    conversions: pd.DataFrame | None = None  # by moment action: conversion_lift, conversion_low, conversion_high


SAVE_RATES = ["save_rate", "save_rate_low", "save_rate_high"]
EXPECTED = ["expected_value", "expected_value_low", "expected_value_high"]


def expected_value(frame: pd.DataFrame, campaign: CampaignSection, *, measured: MeasuredResponse | None = None,
                   value: pd.Series | None = None) -> pd.DataFrame:  # fmt: skip
    """Expected incremental margin of contacting each customer, with its 95% interval: the share of their value
    at risk (`value`, default the value_at_risk column) a contact saves, minus the contact's cost. The share is the
    measured campaign's for the actions it measured (`value_basis` 'measured'), else campaign.save_rates of the
    action or campaign.assumed_save_rate ('assumed': no interval, an assumption until a campaign is measured)."""
    value = frame["value_at_risk"] if value is None else value
    assumed = frame["action"].map(campaign.save_rates).fillna(campaign.assumed_save_rate).astype(float).to_numpy()
    rates = pd.DataFrame({column: assumed for column in SAVE_RATES}, index=frame.index)
    basis = pd.Series("assumed", index=frame.index, dtype=object)
    if measured is not None:
        found = measured.rates[SAVE_RATES].reindex(frame["action"].to_numpy()).set_axis(frame.index)
        known = found["save_rate"].notna()
        rates[known] = found[known]
        basis[known] = "measured"
    cost = contact_costs(frame, campaign)
    result = pd.DataFrame(
        {name: (rates[rate] * value - cost).round(2) for name, rate in zip(EXPECTED, SAVE_RATES, strict=True)}
    )
    return result.assign(value_basis=basis)


def capped_for_alerts(value_at_risk: pd.Series, flagged: pd.Series, quantile: float | None) -> pd.Series:
    """The value at risk that ranks customers: a `flagged` customer's (an alert of 02_segment) counted at most the
    `quantile` of the others', so an extreme order does not put its customer first; None: no cap."""
    if quantile is None or not flagged.any() or flagged.all():
        return value_at_risk
    cap = float(value_at_risk[~flagged].quantile(quantile))
    return value_at_risk.where(~flagged, value_at_risk.clip(upper=cap))


def channel_order(
    order: Sequence[Channel], *, costs: Mapping[Channel, float], measured: pd.Series | None = None
) -> list[Channel]:
    """The order in which a customer's opted-in channels are tried: channels a campaign measured (`measured`:
    incremental margin per contact, significant effects only) as earning more than their message cost, best net
    margin first; then unmeasured ones, cheapest first; then measured ones that did not earn their cost. Ties keep
    `order` (churn.channels)."""

    def key(channel: Channel) -> tuple[int, float, int]:
        cost = costs.get(channel, 0.0)
        earned = measured.get(channel) if measured is not None else None
        if earned is None or pd.isna(earned):
            return (1, cost, order.index(channel))
        net = float(earned) - cost
        return (0 if net > 0 else 2, -net, order.index(channel))

    return sorted(order, key=key)


def prioritise(frame: pd.DataFrame, contact_budget: int, *, money_budget: float | None = None,
               costs: pd.Series | None = None) -> pd.DataFrame:  # fmt: skip
    """`priority` 1..n by expected incremental value (`expected_value`; without it, value at risk), customers a
    channel reaches, no alert holds and no contact cap stops first; `in_budget` for the first `contact_budget` of
    those whose `costs` add up to at most `money_budget` (columns `channel`, `held_for_review`,
    `contacted_recently` and `global_holdout`, when present, say who can be contacted)."""
    frame = frame.copy(deep=False)  # new columns only: the caller's frame is untouched, its data not copied
    eligible = pd.Series(True, index=frame.index)
    if "channel" in frame:
        eligible &= ~frame["channel"].isin([IN_STORE_ONLY, DO_NOT_CONTACT])
    for flag in ("held_for_review", "contacted_recently", "global_holdout"):
        if flag in frame:
            eligible &= ~frame[flag].astype(bool)
    # the eligible rank first; within each part, highest value first (a shift keeps the ranks unique)
    value = frame["expected_value"] if "expected_value" in frame else frame["value_at_risk"]
    shift = value.max() - value.min() + 1.0 if len(frame) else 0.0
    frame["priority"] = top_share_rank(value + eligible * shift).astype("int64")
    frame["in_budget"] = eligible & (frame["priority"] <= contact_budget)
    if money_budget is not None and costs is not None:  # the cost of the contacts so far, in priority order
        spent = costs.where(frame["in_budget"], 0.0).iloc[np.argsort(frame["priority"].to_numpy())].cumsum()
        frame["in_budget"] &= spent.reindex(frame.index) <= money_budget + 1e-9
    frame["this_cycle"] = this_cycle(frame)
    return frame


def this_cycle(frame: pd.DataFrame) -> pd.Series:
    """Each customer's place in this cycle, in words: 'contact' (in the budget), or why not: the first of a hold
    for review, the do-not-contact list, no channel but the store, the contact cap, the global holdout, the
    budget."""

    def flag(column: str) -> np.ndarray:
        return frame[column].fillna(False).astype(bool).to_numpy() if column in frame else np.zeros(len(frame), bool)

    channel = frame["channel"].to_numpy() if "channel" in frame else np.full(len(frame), ANY_CHANNEL)
    reasons = [flag("in_budget"), flag("held_for_review"), channel == DO_NOT_CONTACT, channel == IN_STORE_ONLY,
               flag("contacted_recently"), flag("global_holdout")]  # fmt: skip
    return pd.Series(np.select(reasons, CYCLE_OUTCOMES[:-1], CYCLE_OUTCOMES[-1]), index=frame.index)


# a reminder is a contact too: not for customers this cycle contacts already, or may not contact at all
NO_REMINDER = ("contact", "held for review", "do not contact", "contacted recently", "global holdout")


def reminder_list(due: pd.DataFrame, cycle: pd.Series | None) -> tuple[pd.DataFrame, dict[str, int]]:
    """The due-soon customers a reminder may go to: those whose place in this cycle (`cycle`: 04's this_cycle by
    customer) is not in NO_REMINDER; and how many were left out, by that place."""
    if cycle is None:
        return due, {}
    place = due["customer_id"].map(cycle).fillna(CYCLE_OUTCOMES[-1])
    left_out = place.isin(NO_REMINDER)
    counts = place[left_out].value_counts()
    return due[~left_out], {outcome: int(counts.get(outcome, 0)) for outcome in NO_REMINDER}


def global_holdout(customers: pd.Index, share: float) -> pd.Series:
    """The customers in the long-run holdout: those whose id hashes into the first `share` of the range, so the
    same customers in every run, whatever else changes (a new customer joins it or not, once)."""
    if share <= 0:
        return pd.Series(False, index=customers)
    buckets = pd.util.hash_array(customers.astype(str).to_numpy(), hash_key=HOLDOUT_KEY) % HOLDOUT_BUCKETS
    return pd.Series(buckets < share * HOLDOUT_BUCKETS, index=customers)


HOLDOUT_KEY = "crm-workbench-gh"  # 16 characters: the hash's key; changing it would draw a new holdout
HOLDOUT_BUCKETS = 10_000
IN_STORE_ONLY = "in store only"
DO_NOT_CONTACT = "do not contact"  # on the do-not-contact list (churn.do_not_contact): no channel, in any list
ANY_CHANNEL = "any"


def channels(customers: pd.Index, members: pd.DataFrame | None, order: Sequence[str]) -> pd.Series:
    """Each customer's contact channel: the first of `order` they opted in to (the member table's
    opt_in_<channel>); 'in store only' when they opted in to none or are not in the table; 'any' when the table
    records no consent at all."""
    columns = [f"opt_in_{c}" for c in order]
    if members is None or not any(c in members.columns for c in columns):
        return pd.Series(ANY_CHANNEL, index=customers, dtype=object)
    consent = members.set_index("customer_id").reindex(customers)
    chosen = pd.Series(IN_STORE_ONLY, index=customers, dtype=object)
    for channel in reversed(order):  # the first in the order wins: it is written last
        column = f"opt_in_{channel}"
        if column in consent.columns:
            chosen[consent[column].fillna(False).astype(bool).to_numpy()] = channel
    return chosen


ROUNDING = {"p_alive": 3, "churn_probability": 3, "clv": 2, "value_if_retained": 2, "value_at_risk": 2,
            "typical_gap_days": 0, "p_purchase_30d": 3}  # fmt: skip


def for_people(scored: pd.DataFrame) -> pd.DataFrame:
    """The action list: highest priority first, numbers rounded to what a person reads."""
    columns = [c.name for c in ACTION_LIST.columns if c.name in scored.columns]
    return scored[columns].round(ROUNDING).sort_values("priority").reset_index(drop=True)


def describe_rules(rules: list[ActionRule]) -> list[str]:
    """Each rule in words: 'rule 2: <action> when value is high value, lifecycle is at risk or lapsed'."""
    lines = []
    for number, rule in enumerate(rules, start=1):
        conditions = [t("{name} is {values}", name=t(name), values=t(" or ").join(str(term(v)) for v in allowed))
                      for name, allowed in (("risk", rule.risk), ("value", rule.value), ("segment", rule.segments),
                                            ("lifecycle", rule.lifecycle)) if allowed]  # fmt: skip
        lines.append(t("rule {number}: {action} when ", number=number, action=term(rule.action))
                     + (t(", ").join(conditions) if conditions else t("no rule above matches")))  # fmt: skip
    return lines
