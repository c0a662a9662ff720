"""Points and member levels (issue 35): the spend to the next card level, the level that drops at renewal, the
points that lapse, checked on hand-made members and against the generated store's own log."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd

from helpers.core.config import load_config
from helpers.data.babystore_members import member_table
from helpers.data.datasets import generate_babystore
from helpers.models import member_growth

RULES = {"basic": 0.0, "silver": 100.0, "gold": 250.0}


def test_each_member_gets_the_nudge_their_spend_and_points_call_for():
    members = pd.DataFrame({"customer_id": ["near", "far", "drop", "sleepy", "top", "none"],
                            "card_level": ["basic", "basic", "gold", "silver", "gold", "silver"],
                            "points": [0.0, 0.0, 0.0, 500.0, 0.0, 0.0]})  # fmt: skip
    spend = pd.Series({"near": 80.0, "far": 10.0, "drop": 120.0, "sleepy": 150.0, "top": 900.0, "none": 180.0})
    today = date(2024, 12, 31)
    out = member_growth.member_growth(members, spend, rules=RULES, reach_share=0.25, expiry=None, notice_days=60,
                                      today=today, dormant=pd.Index(["sleepy"])).set_index("customer_id")  # fmt: skip
    assert out["nudge"].to_dict() == {"near": "level up", "far": "none", "drop": "keep level",
                                      "sleepy": "redeem points", "top": "none", "none": "none"}  # fmt: skip
    assert out.loc["near", "gap"] == 20.0 and out.loc["drop", "keep_gap"] == 130.0
    assert out.loc["drop", "qualified_level"] == "silver" and pd.isna(out.loc["top", "next_level"])
    lapsing = member_growth.member_growth(members, spend, rules=RULES, reach_share=0.25,
                                          expiry=today + timedelta(days=31), notice_days=60, today=today,
                                          dormant=pd.Index([])).set_index("customer_id")  # fmt: skip
    assert lapsing.loc["sleepy", "points_expiring"] == 500.0 and lapsing["points_expiring"].sum() == 500.0
    assert member_growth.points_expiry_day("01-31", today) == date(2025, 1, 31)


def test_members_near_the_next_level_are_found_from_the_generated_log(stage_run):
    """The store's own clean purchase lines of the last 365 days give each member's spend; every member within a
    quarter of the next level's threshold is nudged, and only they (up to the cleaning of a few planted dirty
    lines); the member rows with planted dirt are quarantined, so they have no nudge."""
    settings = load_config(stage_run.config).customers
    growth = pd.read_parquet(stage_run.run_dir / "artifacts" / "member_growth.parquet").set_index("customer_id")
    today = pd.Timestamp(stage_run.results["next_purchase"].today)
    raw = generate_babystore(600).raw.drop_duplicates()
    day = pd.to_datetime(raw["order_date"], format="%Y-%m-%d", errors="coerce")
    amount = pd.to_numeric(raw["amount"], errors="coerce")
    recent = raw[(day > today - pd.Timedelta(days=settings.card_period_days)) & (day <= today) & (amount != 0)]
    spend = amount[recent.index].groupby(recent["customer_id"]).sum()
    table = member_table(600)
    members = table.frame.drop(index=table.dirt["source_row"].to_numpy() - 1)  # a dirty row is quarantined
    members = members[members["card_level"].isin(settings.card_rules)].drop_duplicates("customer_id")
    levels = list(settings.card_rules)
    threshold = pd.Series(settings.card_rules)
    above = dict(zip(levels, [*levels[1:], None], strict=True))
    nxt = members.set_index("customer_id")["card_level"].map(above)
    gap = nxt.map(threshold) - spend.reindex(nxt.index).fillna(0).clip(lower=0)
    near = set(gap[(gap > 0) & (gap <= settings.card_reach_share * nxt.map(threshold))].index)
    found = set(growth.index[growth["nudge"] == "level up"])
    assert len(near) >= 10
    assert len(near & found) / len(near) >= 0.9 and len(near & found) / len(found) >= 0.9
    assert growth["message"].str.len().gt(0).sum() == (growth["nudge"] != "none").sum()
