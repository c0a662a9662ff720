"""Campaigns: random groups per cell, intervals that cover the truth, the checks that must fire, CUPED that
narrows, an uplift model that beats random targeting, and assignment files that cannot be measured."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
from conftest import transactions_table

from helpers.core.config import AssignmentColumns, CampaignSection
from helpers.core.errors import CampaignDataError
from helpers.data.datasets import TRUE_CAMPAIGN_EFFECTS, TRUE_CHANNEL_RESPONSE, babystore_frames, simulate_campaign
from helpers.models import campaign


def simulated(rng: np.random.Generator, n: int, base: float, lift: float, revenue_lift: float = 0.0,
              control_share: float = 0.5, action: str = "offer") -> pd.DataFrame:  # fmt: skip
    """Customers of one cell: pre-period spend, a random group, conversion and revenue with a true lift."""
    pre = rng.gamma(2.0, 50.0, n)
    group = np.where(rng.random(n) < control_share, "control", "treatment")
    treated = group == "treatment"
    converted = rng.random(n) < base + lift * treated
    revenue = np.where(converted, 0.6 * pre + rng.gamma(2.0, 20.0, n) + revenue_lift * treated, 0.0)
    return pd.DataFrame({"customer_id": [f"{action}{i}" for i in range(n)], "action": action, "group": group,
                         "converted": converted, "revenue": revenue, "pre_spend": pre,
                         "cost": np.where(treated, 1.0, 0.0)})  # fmt: skip


def test_groups_are_random_within_each_cell_seeded_and_order_free():
    cells = pd.Series(["a"] * 500 + ["b"] * 60 + ["c"] * 10, index=[f"c{i:04d}" for i in range(570)])
    groups = campaign.assign_groups(cells, control_share=0.1, min_control=30, seed=1)
    control = groups[groups == "control"]
    assert cells[control.index].value_counts().to_dict() == {"a": 50, "b": 30, "c": 5}  # min 30, at most half
    shuffled = campaign.assign_groups(cells.sample(frac=1, random_state=3), 0.1, min_control=30, seed=1)
    assert shuffled.sort_index().equals(groups.sort_index())
    assert not campaign.assign_groups(cells, 0.1, min_control=30, seed=2).equals(groups)


def test_the_minimum_detectable_lift_is_detected_with_the_stated_power():
    lift, _ = campaign.minimum_detectable(2000, 2000, baseline=0.1, sd=1.0, alpha=0.05, power=0.8)
    needed = campaign.customers_needed(0.1, lift, control_share=0.5, alpha=0.05, power=0.8)
    assert needed == pytest.approx(4000, rel=0.01)  # the two computations invert each other
    rng, detected = np.random.default_rng(0), 0
    for _ in range(300):  # simulate the test at that lift: it rejects in about 80% of campaigns
        treated, control = rng.binomial(2000, 0.1 + lift), rng.binomial(2000, 0.1)
        pooled = (treated + control) / 4000
        z = (treated - control) / 2000 / np.sqrt(pooled * (1 - pooled) * 2 / 2000)
        detected += abs(z) > 1.96
    assert 0.72 <= detected / 300 <= 0.88


@pytest.mark.slow  # 100 simulated campaigns
def test_conversion_and_revenue_intervals_cover_the_true_lift_about_95_times_in_100():
    rng = np.random.default_rng(42)
    covered_conversion = covered_revenue = covered_save_rate = 0
    for _ in range(100):
        frame = simulated(rng, 600, base=0.2, lift=0.08).assign(value_at_risk=rng.gamma(2.0, 100.0, 600))
        row = campaign.effects(frame, margin=0.3, samples=200, seed=int(rng.integers(1 << 30))).loc["offer"]
        covered_conversion += row["conversion_low"] <= 0.08 <= row["conversion_high"]
        # the true revenue lift: extra buyers x their expected revenue (0.6 x 100 + 40)
        covered_revenue += row["revenue_low"] <= 0.08 * 100.0 <= row["revenue_high"]
        # the true save rate: that margin per contact over the contacted customers' value at risk
        at_risk = frame.loc[frame["group"] == "treatment", "value_at_risk"].mean()
        covered_save_rate += row["save_rate_low"] <= 0.08 * 100.0 * 0.3 / at_risk <= row["save_rate_high"]
        assert row["value_at_risk"] == pytest.approx(at_risk)
    assert covered_conversion >= 90 and covered_revenue >= 88 and covered_save_rate >= 88


def test_cuped_narrows_the_revenue_interval_and_keeps_the_estimate_unbiased():
    rng = np.random.default_rng(5)
    widths, estimates = [], []
    for _ in range(20):
        row = campaign.effects(simulated(rng, 2000, 0.9, 0.0, revenue_lift=10.0), 0.3, samples=300, seed=1).loc["offer"]
        widths.append(
            (row["revenue_high"] - row["revenue_low"]) / (row["revenue_high_plain"] - row["revenue_low_plain"])
        )
        estimates.append(row["revenue_lift"])
    assert np.mean(widths) < 0.85
    assert np.mean(estimates) == pytest.approx(9.0, abs=1.5)  # 90% of the customers buy: 0.9 x 10


def test_holm_and_the_economics_by_hand():
    rng = np.random.default_rng(9)
    frame = pd.concat([simulated(rng, 800, 0.2, 0.1, action="a"), simulated(rng, 800, 0.2, 0.0, action="b")])
    table = campaign.effects(frame, margin=0.5, samples=200, seed=0)
    cells = table.drop(index="all cells")
    raw = np.sort(cells["p_value"].to_numpy())
    assert np.sort(cells["p_holm"].to_numpy())[0] == pytest.approx(min(1.0, 2 * raw[0]))
    a = table.loc["a"]
    assert a["incremental_margin"] == pytest.approx(a["revenue_lift"] * a["treatment"] * 0.5)
    assert a["margin_per_cost"] == pytest.approx(a["incremental_margin"] / a["cost"])
    assert a["cost"] == a["treatment"] and table.loc["all cells", "treatment"] == cells["treatment"].sum()


def test_the_sample_ratio_check_fires_on_a_tampered_split():
    rng = np.random.default_rng(3)
    groups = pd.Series(np.where(rng.random(5000) < 0.1, "control", "treatment"))
    assert not campaign.sample_ratio_check(groups, 0.1)["mismatch"]
    tampered = groups.drop(groups[groups == "control"].index[:150])  # a third of the control lost on the way
    assert campaign.sample_ratio_check(tampered, 0.1)["mismatch"]


def test_balance_flags_groups_that_differed_before_the_campaign():
    rng = np.random.default_rng(4)
    frame = simulated(rng, 2000, 0.2, 0.0, control_share=0.5)
    assert campaign.balance(frame, ["pre_spend"])["balanced"].all()
    frame.loc[frame["group"] == "treatment", "pre_spend"] *= 1.5
    assert not campaign.balance(frame, ["pre_spend"])["balanced"].all()


def test_the_uplift_model_beats_random_targeting_on_held_out_customers():
    rng = np.random.default_rng(7)
    n = 6000
    features = pd.DataFrame({"recency": rng.uniform(0, 365, n), "spend": rng.gamma(2, 50, n)})
    treated = rng.random(n) < 0.5
    responds = features["recency"] > 180  # contact wins back the lapsing, and annoys the recent
    rate = 0.15 + np.where(treated, np.where(responds, 0.25, -0.08), 0.0)
    converted = pd.Series(rng.random(n) < rate)
    groups = pd.Series(np.where(treated, "treatment", "control"))
    uplift = campaign.learn_uplift(features, groups, converted=converted, seed=1)
    by_uplift, at_random = uplift.at(0.3)
    assert uplift.qini_coefficient > 0 and by_uplift > 1.5 * at_random
    assert uplift.deciles["observed_uplift"].iloc[:3].mean() > uplift.deciles["observed_uplift"].iloc[-3:].mean()
    kinds = campaign.target_groups(uplift.scores)
    assert (responds[kinds == "persuadable"]).mean() > 0.8 and (~responds[kinds == "do not disturb"]).mean() > 0.8


ASSIGNMENT = AssignmentColumns()


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ({"customer_id": ["a", "a", "b"], "group": ["treatment", "control", "control"]}, "in both groups"),
        ({"customer_id": ["a", "b"], "group": ["treatment", "treatment"]}, "no control group"),
        ({"customer_id": ["a", "b"], "group": ["control", "control"]}, "no treatment group"),
        ({"customer_id": ["a", "b"], "group": ["treatment", "holdout"]}, "'treatment' or 'control'"),
        ({"id": ["a"], "group": ["control"]}, "no column"),
    ],
)
def test_an_assignment_that_cannot_be_measured_says_why(rows, message):
    with pytest.raises(CampaignDataError, match=message):
        campaign.read_assignment(pd.DataFrame(rows), ASSIGNMENT)


def test_the_simulated_campaign_moves_each_cell_by_its_true_lift():
    raw, _ = babystore_frames(n_customers=6000, seed=3)
    customers = sorted(set(raw["customer_id"]) - {""})
    rng = np.random.default_rng(0)
    plan = pd.DataFrame({"customer_id": customers, "action": rng.choice(["Automated win-back with a time-limited "
                         "offer", "Standard newsletter"], len(customers)), "group": "treatment"})  # fmt: skip
    start, days = date(2024, 11, 1), 30
    after = simulate_campaign(raw, plan, start=start, outcome_days=days, effects=TRUE_CAMPAIGN_EFFECTS, seed=1)
    bought_after, bought_before = (window_buyers(log, plan, start, days).astype(int) for log in (after, raw))
    change = (bought_after - bought_before).groupby(plan["action"]).mean()
    for action, lift in change.items():
        assert lift == pytest.approx(TRUE_CAMPAIGN_EFFECTS[action], abs=0.02), action
    untouched = after[~after["order_id"].str.startswith("CP")]
    assert len(untouched) <= len(raw) and set(untouched["order_id"]) <= set(raw["order_id"])


def test_the_simulated_campaign_moves_each_channel_by_its_true_response_and_the_measure_finds_the_order():
    raw, _ = babystore_frames(n_customers=12_000, seed=3)
    customers = sorted(set(raw["customer_id"]) - {""})
    rng = np.random.default_rng(2)
    action, lift = "Personal call from the service team and an exclusive retention offer", 0.08
    plan = pd.DataFrame({"customer_id": customers, "action": action, "group": "treatment",
                         "channel": rng.choice(list(TRUE_CHANNEL_RESPONSE), len(customers))})  # fmt: skip
    start, days = date(2024, 11, 1), 30
    after = simulate_campaign(raw, plan, start=start, outcome_days=days, effects={action: lift}, seed=1)
    truth = lift * plan["channel"].map(TRUE_CHANNEL_RESPONSE) / plan["channel"].map(TRUE_CHANNEL_RESPONSE).mean()
    added = window_buyers(after, plan, start, days) & ~window_buyers(raw, plan, start, days)
    for channel, moved in added.groupby(plan["channel"]).mean().items():
        assert moved == pytest.approx(truth[plan["channel"] == channel].iloc[0], abs=0.02), channel

    plan["group"] = np.where(rng.random(len(plan)) < 0.5, "control", "treatment")
    after = simulate_campaign(raw, plan, start=start, outcome_days=days, effects={action: lift}, seed=1)
    frame = plan.assign(converted=window_buyers(after, plan, start, days), revenue=0.0, pre_spend=0.0,
                        cost=np.where(plan["group"] == "treatment", 1.0, 0.0))  # fmt: skip
    by_channel = campaign.effects(frame, margin=0.3, samples=200, seed=0, by="channel").drop(index="all cells")
    measured = by_channel["conversion_lift"].sort_values(ascending=False)
    assert measured.index.tolist() == ["wechat", "sms", "email"]
    for channel, row in by_channel.iterrows():
        assert row["conversion_low"] <= truth[plan["channel"] == channel].iloc[0] <= row["conversion_high"], channel


def window_buyers(log: pd.DataFrame, plan: pd.DataFrame, start: date, days: int) -> pd.Series:
    """Whether each planned customer bought in the outcome window of `log`."""
    day, amount = pd.to_datetime(log["order_date"], errors="coerce"), pd.to_numeric(log["amount"], "coerce")
    window = (day >= pd.Timestamp(start)) & (day < pd.Timestamp(start) + pd.Timedelta(days=days)) & (amount > 0)
    return plan["customer_id"].isin(set(log.loc[window, "customer_id"]))


def test_campaign_settings_need_a_plan_to_measure():
    with pytest.raises(ValueError, match="plan_file"):
        CampaignSection(mode="measure")


def test_past_windows_by_hand():
    tx = transactions_table(
        [
            ("a", "1", "2024-01-05", 10.0, False),  # window 0 (Jan 1-10)
            ("a", "2", "2024-01-07", 5.0, False),  # window 0: 15 in all
            ("a", "3", "2024-01-25", 30.0, False),  # window 2 (Jan 21-30)
            ("b", "4", "2023-12-20", 40.0, False),  # before the windows: a customer with none
            ("c", "5", "2024-01-12", 8.0, False),  # window 1, fully returned: no purchase
            ("c", "5", "2024-01-13", -8.0, True),
            ("c", "6", "2024-01-15", 12.0, False),  # window 1
            ("d", "7", "2024-02-02", 9.0, False),  # after as_of: not a customer yet
        ]
    )
    history = campaign.past_windows(tx, date(2024, 1, 30), window_days=10, windows=3)
    assert history.index.tolist() == ["a", "b", "c"]
    assert history.loc["a"].tolist() == pytest.approx([2 / 3, 15.0, ((15 - 15) ** 2 + 15**2 + 15**2) / 3])
    assert history.loc["b"].tolist() == [0.0, 0.0, 0.0]
    assert history.loc["c"].tolist() == pytest.approx([1 / 3, 4.0, (16 + 16 + 64) / 3])
