"""Moments as contacts: a key date, a festival a customer buys for, or a member-growth nudge is a candidate
contact that competes with the retention actions for the same contact budget, channels and caps.

A moment's expected incremental margin is its response rate (the extra chance that the message brings an order:
care.response_rates, an assumption, or the conversion lift a measured campaign found for the moment's cell) times
the customer's margin per order (net spend per purchase x clv.profit_margin), minus the contact's cost. Each
customer's contact this cycle is for whichever of their retention action and their best moment is worth more."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

import pandas as pd

from helpers.core.config import CampaignSection, LifeEvent
from helpers.language.formatting import money
from helpers.language.i18n import t_series
from helpers.models.actions import contact_costs

__all__ = [
    "CONVERSIONS",
    "FESTIVAL",
    "MOMENT_ACTIONS",
    "MOMENT_COLUMNS",
    "NUDGE_KINDS",
    "candidates",
    "compete",
    "moment_actions",
    "moment_kind",
    "moment_values",
]

FESTIVAL = "festival"
MOMENT_ACTIONS = {  # kind -> the action (the campaign cell) a moment contact belongs to
    "birthday": "Birthday greeting with a birthday coupon",
    "membership anniversary": "Membership anniversary thanks with bonus points",
    "baby's full month": "Baby milestone greeting with a gift for the new stage",
    "baby's 100 days": "Baby milestone greeting with a gift for the new stage",
    "baby's birthday": "Baby milestone greeting with a gift for the new stage",
    FESTIVAL: "Festival greeting for a customer who buys for the festival",
    "level up": "Member nudge: a little more spend lifts the card level",
    "keep level": "Member nudge: the spend that keeps the card level",
    "redeem points": "Member nudge: redeem points before they lapse",
}
NUDGE_KINDS = ("level up", "keep level", "redeem points")  # member_growth's nudges that are contacts
MOMENT_COLUMNS = ["moment", "moment_date", "moment_send_on", "moment_offer", "moment_rate"]
CONVERSIONS = ["conversion_lift", "conversion_low", "conversion_high"]


def moment_actions(events: Sequence[LifeEvent] = ()) -> list[str]:
    """Every action a moment contact can have: MOMENT_ACTIONS' and the life events' (each its own)."""
    return sorted({*MOMENT_ACTIONS.values(), *(event.name for event in events)})


def moment_kind(calendar: pd.DataFrame) -> pd.Series:
    """Each care-calendar entry's kind: its personal occasion, or 'festival'."""
    return calendar["occasion"].where(calendar["festival_share"].isna(), FESTIVAL).astype(object)


def candidates(calendar: pd.DataFrame, growth: pd.DataFrame | None, *, start: date, end: date,
               rates: Mapping[str, float], send_lead_days: int) -> pd.DataFrame:  # fmt: skip
    """Each customer's best moment from `start` to `end`: the care calendar's entries in those days and the member
    nudges (sent at once), the highest response rate first, then the earliest; indexed by customer_id with the
    moment (its action), its date, the day to send (send_lead_days before it, not before `start`), the offer in
    words and the response rate. Kinds without a rate in `rates` are not candidates."""
    inside = calendar[(calendar["date"] >= pd.Timestamp(start)) & (calendar["date"] <= pd.Timestamp(end))]
    parts = [pd.DataFrame({"customer_id": inside["customer_id"].astype(str), "kind": moment_kind(inside),
                           "moment_date": inside["date"], "moment_offer": inside["offer"].astype(str)})]  # fmt: skip
    if growth is not None:
        nudged = growth[growth["nudge"].isin(NUDGE_KINDS)]
        parts.append(pd.DataFrame({"customer_id": nudged["customer_id"].astype(str), "kind": nudged["nudge"],
                                   "moment_date": pd.Timestamp(start),
                                   "moment_offer": nudged["message"].astype(str)}))  # fmt: skip
    found = pd.concat(parts, ignore_index=True)
    found["moment_rate"] = found["kind"].map(rates).astype(float)
    found = found.dropna(subset=["moment_rate"])
    found = found.sort_values(["customer_id", "moment_rate", "moment_date"], ascending=[True, False, True])
    best = found.drop_duplicates("customer_id").set_index("customer_id")
    best["moment"] = best["kind"].map(lambda kind: MOMENT_ACTIONS.get(kind, kind))  # a life event is its own
    lead = best["moment_date"] - pd.Timedelta(days=send_lead_days)
    best["moment_send_on"] = lead.where(lead >= pd.Timestamp(start), pd.Timestamp(start))
    return best[MOMENT_COLUMNS].astype({"moment": "string", "moment_offer": "string"})


def moment_values(frame: pd.DataFrame, campaign: CampaignSection, *, order_margin: pd.Series,
                  measured: pd.DataFrame | None) -> pd.DataFrame:  # fmt: skip
    """Expected incremental margin of each customer's moment (`moment`, `moment_rate`, `channel`), with its 95%
    interval: the response rate (a measured campaign's conversion lift for the moment's cell, by action:
    CONVERSIONS; else the assumed `moment_rate`) x their `order_margin` (margin per order), minus the cost of the
    moment's contact; `moment_basis` says which. Empty where the customer has no moment."""
    rates = pd.DataFrame({column: frame["moment_rate"] for column in CONVERSIONS}, index=frame.index)
    basis = pd.Series("assumed", index=frame.index, dtype=object).where(frame["moment"].notna())
    if measured is not None and not measured.empty:
        found = measured[CONVERSIONS].reindex(frame["moment"].to_numpy()).set_axis(frame.index)
        known = found["conversion_lift"].notna()
        rates[known] = found[known]
        basis[known] = "measured"
    cost = contact_costs(frame.assign(action=frame["moment"]), campaign)  # as the moment's action would cost
    names = ["moment_value", "moment_value_low", "moment_value_high"]
    values = {name: (rates[rate] * order_margin - cost).round(2) for name, rate in zip(names, CONVERSIONS, strict=True)}
    return pd.DataFrame(values).where(frame["moment"].notna()).assign(moment_basis=basis)


def compete(frame: pd.DataFrame) -> pd.DataFrame:
    """Each customer's contact is for their moment where it is worth more than their retention action: the
    action, its expected value (and interval, basis) and the reason become the moment's; the moment columns stay,
    so a retention contact can carry the greeting too."""
    frame = frame.copy(deep=False)  # new columns only: the caller's frame is untouched, its data not copied
    wins = (frame["moment_value"] > frame["expected_value"]).fillna(False).to_numpy(dtype=bool)
    if not wins.any():
        return frame
    frame["action"] = frame["action"].where(~wins, frame["moment"])
    for target, source in (("expected_value", "moment_value"), ("expected_value_low", "moment_value_low"),
                           ("expected_value_high", "moment_value_high"), ("value_basis", "moment_basis")):  # fmt: skip
        frame[target] = frame[target].where(~wins, frame[source])
    won = frame.loc[wins, ["moment_offer", "moment_date", "moment_value", "moment_rate"]]  # not every column
    frame.loc[wins, "reason"] = t_series(
        "{offer} ({date}): {value} expected from a contact at a {rate} response rate", offer=won["moment_offer"],
        date=won["moment_date"].dt.strftime("%Y-%m-%d"), value=won["moment_value"].map(money),
        rate=won["moment_rate"].map("{:.0%}".format))  # fmt: skip
    return frame
