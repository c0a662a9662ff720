"""Who the customers are: bands, breakdowns, reachability, points and baby stages, by hand and on planted data."""

from __future__ import annotations

from datetime import date

import ibis
import numpy as np
import pandas as pd
import pytest
from conftest import transactions_table

from helpers.data.datasets import CATEGORIES, STAGE_CATEGORY_SHARES, babystore_frames
from helpers.models import profiles


def profile_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "segment": ["A", "A", "B", "B", "B", "C"],
            "value_tier": ["VIP", "regular", "VIP", "regular", "regular", "regular"],
            "lifecycle": ["active", "at risk", "lapsed", "active", "lapsed", "new"],
            "total_spend": [100.0, 10.0, 80.0, 5.0, 5.0, 0.0],
            "recency_days": [5, 50, 300, 10, 400, 2],
            "region": ["north", "north", "south", "south", None, "south"],
            "points": [100.0, 0.0, 400.0, 20.0, 300.0, np.nan],
            "opt_in_sms": [True, False, False, True, False, None],
            "opt_in_email": [False, False, True, True, False, None],
            "in_member_table": [True, True, True, True, True, False],
        },
        index=pd.Index([f"c{i}" for i in range(6)], name="customer_id"),
    )


def test_bands_follow_their_lower_bounds():
    ages = pd.Series([18.0, 25.0, 29.9, 30.0, 64.0, np.nan])
    assert profiles.band(ages, profiles.AGE_BANDS).tolist()[:5] == ["under 25", "25-29", "25-29", "30-34", "50+"]
    assert pd.isna(profiles.band(ages, profiles.AGE_BANDS).iloc[5])
    days = pd.Series([-100, 0, 182, 183, 365, 1095])
    assert profiles.band(days, profiles.BABY_STAGES).tolist() == [
        "pregnancy", "0-6 months", "0-6 months", "6-12 months", "1-3 years", "3 years or more"]  # fmt: skip


def test_a_dimension_table_counts_customers_revenue_tiers_and_the_vip_index_by_hand():
    table = profiles.dimension_table(profile_frame(), "region")
    assert table.loc["north", "customers"] == 2 and table.loc["unknown", "customers"] == 1
    assert table.loc["north", "share_of_revenue"] == pytest.approx(110 / 200)
    assert table.loc["south", "share_VIP"] == pytest.approx(1 / 3)
    assert table.loc["north", "vip_index"] == pytest.approx((1 / 2) / (2 / 6))
    assert table["share_of_customers"].sum() == pytest.approx(1.0)
    assert table.loc["south", "top_segment"] == "B" and table.loc["south", "share_top_segment"] == pytest.approx(2 / 3)
    concentrated = profiles.vip_concentration(table, min_customers=2)
    assert concentrated.index.tolist() == ["north"]  # south's index is 1.0: not over-represented
    assert profiles.vip_concentration(table.assign(vip_index=[1.09, 1.1, 3.0]), 2).index.tolist() == ["south"]


def test_reachability_counts_opt_ins_per_cell_and_customers_outside_the_member_table_are_not_reachable():
    profile = profile_frame()
    table = profiles.reachability(profile["segment"], profile)
    assert table.loc["B", ["customers", "opt_in_sms", "opt_in_email", "reachable"]].tolist() == [3, 1, 2, 2]
    assert table.loc["C", "reachable"] == 0 and table.loc["C", "in_member_table"] == 0
    assert profiles.reachable(profile).tolist() == [True, False, True, True, False, False]


def test_points_liability_by_tier_and_large_balances_at_risk_by_hand():
    facts, by_tier, at_risk = profiles.points_summary(profile_frame(), point_value=0.01)
    assert facts["points_outstanding"] == 820 and facts["liability"] == pytest.approx(8.2)
    assert facts["large_balance"] == pytest.approx(np.quantile([100, 400, 20, 300], 0.75))
    assert at_risk.index.tolist() == ["c2"]  # 400 points and lapsed; c4 (300) is below the top quarter
    assert by_tier.loc["VIP", "points"] == 500 and by_tier.loc["regular", "liability"] == pytest.approx(3.2)


def test_stage_categories_recover_what_each_planted_baby_stage_buys(babystore_transactions):
    _, truth = babystore_frames()
    births = truth.set_index("customer_id")["baby_birth"]
    bought = babystore_transactions.filter(~babystore_transactions.order_id.startswith("SE"))  # prams: a life event
    shares = profiles.stage_categories(bought, births)
    planted = pd.DataFrame(STAGE_CATEGORY_SHARES, index=[label for _, label in profiles.BABY_STAGES],
                           columns=list(CATEGORIES))  # fmt: skip
    difference = (shares.reindex(columns=CATEGORIES, fill_value=0.0) - planted.loc[shares.index]).abs()
    assert difference.to_numpy().max() < 0.05


def test_proxy_births_are_the_first_purchase_in_a_newborn_category():
    tx = transactions_table([("a", "o1", "2024-01-05", 10.0, False), ("a", "o2", "2024-02-01", 5.0, False),
                             ("b", "o3", "2024-03-01", 5.0, False)]).mutate(category=ibis_category())  # fmt: skip
    births = profiles.proxy_births(tx, ["formula stage 1"])
    assert births.to_dict() == {"a": pd.Timestamp("2024-02-01")}
    stages = profiles.baby_stage(births, date(2024, 9, 1))
    assert stages.to_dict() == {"a": "6-12 months"}


def ibis_category():
    import ibis

    return ibis.cases((ibis._.order_id == "o2", "formula stage 1"), else_="toys")


def test_a_logs_country_is_each_customers_region_where_they_spent_most():
    """A real export's Country column (no member table) reaches the profiles as the customer's region."""
    frame = pd.DataFrame({"customer_id": ["a", "a", "b"], "amount": [10.0, 30.0, 5.0],
                          "region": ["France", "Germany", "EIRE"]})  # fmt: skip
    places = profiles.main_places(ibis.memtable(frame))
    segments = pd.DataFrame({"customer_id": ["a", "b"], "segment": "Champions", "value_tier": "VIP",
                             "spend_level": "gold", "lifecycle": "active", "total_spend": [40.0, 5.0],
                             "recency_days": 3, "tenure_days": 100})  # fmt: skip
    profile = profiles.customer_profile(segments, None, places=places, today=date(2024, 1, 1))
    assert profile["region"].to_dict() == {"a": "Germany", "b": "EIRE"}


def test_a_customer_whose_purchases_name_no_store_has_no_store_as_main_store_not_unknown():
    frame = pd.DataFrame({"customer_id": ["a", "a", "b"], "amount": [10.0, 30.0, 5.0],
                          "store": ["Nanjing", None, None]})  # fmt: skip
    segments = pd.DataFrame({"customer_id": ["a", "b"], "segment": "Champions", "value_tier": ["VIP", "regular"],
                             "spend_level": "gold", "lifecycle": "active", "total_spend": [40.0, 5.0],
                             "recency_days": 3, "tenure_days": 100})  # fmt: skip
    places = profiles.main_places(ibis.memtable(frame))
    profile = profiles.customer_profile(segments, None, places=places, today=date(2024, 1, 1))
    assert profile["main_store"].to_dict() == {"a": "Nanjing", "b": profiles.NO_STORE}
    table = profiles.dimension_table(profile, "main_store")
    assert "unknown" not in table.index and profiles.vip_concentration(table, min_customers=1).index.tolist() == [
        "Nanjing"]  # fmt: skip


def test_member_cards_are_shown_against_the_spend_level_in_the_cards_order():
    profile = pd.DataFrame({"card_level": ["gold", "basic", None, "gold"],
                            "spend_level": ["silver", "regular", "regular", "gold"]})  # fmt: skip
    cards = profiles.cards_by_spend_level(profile, card_levels=["basic", "gold"],
                                          spend_levels={"regular": 0, "silver": 100, "gold": 300})  # fmt: skip
    assert cards.index.tolist() == ["basic", "gold", "unknown"]
    assert cards.columns.tolist() == ["regular", "silver", "gold"] and int(cards.to_numpy().sum()) == 4
    assert cards.loc["gold", "silver"] == 1 and cards.loc["unknown", "regular"] == 1
