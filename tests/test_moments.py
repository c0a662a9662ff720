"""Moments in the contact plan (issue 35): a key date, a festival a customer buys for or a member nudge competes with
the retention action for the same budget, channels and caps; a measured campaign's conversion lift replaces the
assumed response rate."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from helpers.core.config import CampaignSection, load_config
from helpers.models import moments

START = date(2025, 1, 1)


def _calendar(rows: list[tuple[str, str, str, float | None]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["customer_id", "occasion", "date", "festival_share"])
    return frame.assign(date=pd.to_datetime(frame["date"]), offer=frame["occasion"] + " offer")


def test_each_customer_gets_their_best_moment_of_the_window():
    calendar = _calendar([("a", "birthday", "2025-01-10", None), ("a", "Spring Festival", "2025-01-05", 0.8),
                          ("b", "membership anniversary", "2025-01-02", None), ("c", "birthday", "2025-03-01", None),
                          ("d", "Qixi", "2025-01-20", 0.5)])  # fmt: skip
    growth = pd.DataFrame({"customer_id": ["b", "e"], "nudge": ["level up", "none"], "message": ["go", "-"]})
    rates = {"birthday": 0.08, "festival": 0.06, "membership anniversary": 0.04, "level up": 0.10}
    best = moments.candidates(calendar, growth, start=START, end=START + timedelta(days=29), rates=rates,
                              send_lead_days=3)  # fmt: skip
    assert set(best.index) == {"a", "b", "d"}, "c's birthday is past the window; e has no nudge"
    assert best.loc["a", "moment"] == moments.MOMENT_ACTIONS["birthday"], "the higher rate wins"
    assert best.loc["b", "moment"] == moments.MOMENT_ACTIONS["level up"] and best.loc["b", "moment_rate"] == 0.10
    assert best.loc["a", "moment_send_on"] == pd.Timestamp("2025-01-07"), "three days before"
    assert best.loc["b", "moment_send_on"] == pd.Timestamp(START), "never before the first day"
    assert best.loc["d", "moment_offer"] == "Qixi offer"
    unrated = moments.candidates(calendar, None, start=START, end=START + timedelta(days=29), rates={"festival": 0.1},
                                 send_lead_days=0)  # fmt: skip
    assert set(unrated.index) == {"a", "d"}, "a kind without a rate is never a contact of its own"


def _scored() -> pd.DataFrame:
    """Three customers: a loyal one with a birthday, an at-risk one with a birthday, one without a moment."""
    frame = pd.DataFrame({"action": ["loyalty", "save call", "loyalty"], "expected_value": [-0.5, 40.0, -0.5],
                          "expected_value_low": [-0.5, 40.0, -0.5], "expected_value_high": [-0.5, 40.0, -0.5],
                          "value_basis": "assumed", "reason": "retention", "avg_spend": [200.0, 200.0, 200.0],
                          "channel": "sms", "moment": [moments.MOMENT_ACTIONS["birthday"]] * 2 + [None],
                          "moment_date": pd.to_datetime(["2025-01-10", "2025-01-10", None]),
                          "moment_offer": ["happy birthday", "happy birthday", None],
                          "moment_rate": [0.08, 0.08, np.nan]}, index=pd.Index(["a", "b", "c"]))  # fmt: skip
    return frame.rename_axis("customer_id")


def test_a_moment_wins_the_contact_only_where_it_is_worth_more():
    scored = _scored()
    campaign = CampaignSection(contact_cost=1.0, channel_costs={"sms": 0.5})
    values = moments.moment_values(scored, campaign, order_margin=scored["avg_spend"] * 0.35, measured=None)
    assert values.loc["a", "moment_value"] == round(0.08 * 200 * 0.35 - 1.5, 2)
    assert np.isnan(values.loc["c", "moment_value"]) and pd.isna(values.loc["c", "moment_basis"])
    decided = moments.compete(scored.join(values))
    assert decided.loc["a", "action"] == moments.MOMENT_ACTIONS["birthday"], "the loyal customer: greet"
    assert decided.loc["a", "expected_value"] == values.loc["a", "moment_value"]
    assert "happy birthday" in decided.loc["a", "reason"] and "2025-01-10" in decided.loc["a", "reason"]
    assert decided.loc["b", "action"] == "save call" and decided.loc["b", "expected_value"] == 40.0, "save first"
    assert decided.loc["b", "moment"] == moments.MOMENT_ACTIONS["birthday"], "the greeting rides along"
    assert decided.loc["c", "action"] == "loyalty"
    assert (scored["action"] == ["loyalty", "save call", "loyalty"]).all(), "the caller's frame is untouched"


def test_a_measured_moment_replaces_the_assumed_response_rate():
    scored = _scored()
    birthday = moments.MOMENT_ACTIONS["birthday"]
    measured = pd.DataFrame({"conversion_lift": [0.02], "conversion_low": [-0.01], "conversion_high": [0.05]},
                            index=[birthday])  # fmt: skip
    values = moments.moment_values(scored, CampaignSection(contact_cost=1.0), order_margin=scored["avg_spend"],
                                   measured=measured)  # fmt: skip
    assert values.loc["a", "moment_basis"] == "measured"
    assert values.loc["a", ["moment_value_low", "moment_value", "moment_value_high"]].tolist() == [-3.0, 3.0, 9.0]


def test_moments_compete_for_the_budget_in_the_stage_run(stage_run):
    """04 lets moments compete: a contact for a moment is a customer's best moment of care.window_days, worth more
    than their retention action; the budget goes to the highest expected values whatever the purpose; the care
    calendar and member growth mark what won; the Monday file sends the moment's message on its day."""
    artifacts = stage_run.run_dir / "artifacts"
    settings = load_config(stage_run.config)
    scored = pd.read_parquet(artifacts / "churn.parquet").set_index("customer_id")
    for_moment = scored["action"] == scored["moment"]
    assert (scored.loc[for_moment, "expected_value"] == scored.loc[for_moment, "moment_value"]).all()
    assert (scored.loc[~for_moment & scored["moment"].notna(), "moment_value"]
            <= scored.loc[~for_moment & scored["moment"].notna(), "expected_value"]).all()  # fmt: skip
    today = stage_run.results["churn"].today
    window = (pd.Timestamp(today + timedelta(days=1)), pd.Timestamp(today + timedelta(days=settings.care.window_days)))
    assert scored["moment_date"].dropna().between(*window).all()
    chosen = scored[scored["in_budget"]]
    below = scored[scored["this_cycle"] == "below the budget"]
    assert for_moment[chosen.index].any(), "some contacts of this cycle are for a moment"
    assert below.empty or chosen["expected_value"].min() >= below["expected_value"].max(), "one ranking"
    calendar = pd.read_parquet(artifacts / "care_calendar.parquet")
    planned = calendar[calendar["planned"]]
    assert len(planned) and planned["customer_id"].map(for_moment & scored["in_budget"]).all()
    growth = pd.read_parquet(artifacts / "member_growth.parquet")
    assert growth.loc[growth["planned"], "customer_id"].map(scored["in_budget"]).all()
    assert len(planned) + int(growth["planned"].sum()) == int((for_moment & scored["in_budget"]).sum())
    plan = pd.read_parquet(artifacts / "contact_plan.parquet").set_index("customer_id")
    greeted = plan[(plan["group"] == "treatment") & plan.index.map(for_moment).astype(bool)]
    assert len(greeted) and (greeted["offer"] == scored.loc[greeted.index, "moment_offer"]).all()
    assert (greeted["send_date"] == scored.loc[greeted.index, "moment_send_on"]).all()
