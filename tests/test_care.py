"""Key dates and festivals (issue 35): the care calendar lists every planted birthday and milestone in its window,
and festival lists reach the generator's planted responders."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest

from helpers.core.config import load_config
from helpers.data.babystore_members import member_table
from helpers.data.datasets import (
    BABYSTORE_END,
    BABYSTORE_START,
    FESTIVAL_LEAD_DAYS,
    FESTIVAL_RESPONDERS,
    generate_babystore,
)
from helpers.models import care


def test_the_festival_calendar_has_the_lunar_and_commercial_days():
    days = care.festival_dates([2024, 2025]).assign(year=lambda f: [d.year for d in f["date"]])
    on = days.set_index(["festival", "year"])["date"]
    assert on["Spring Festival", 2025] == date(2025, 1, 29) and on["Spring Festival", 2024] == date(2024, 2, 10)
    assert on["Qixi", 2024] == date(2024, 8, 10) and on["Mid-Autumn Festival", 2024] == date(2024, 9, 17)
    assert on["Mother's Day", 2025] == date(2025, 5, 11) and on["Double 11", 2025] == date(2025, 11, 11)
    own = care.festival_dates([2025], own_days={"store anniversary": "09-18"}, only=["store anniversary"])
    assert own["date"].tolist() == [date(2025, 9, 18)]


@pytest.mark.parametrize("festival", list(FESTIVAL_RESPONDERS))
def test_festival_lists_reach_the_planted_responders(babystore_transactions, festival):
    truth = generate_babystore().truth.set_index("customer_id")["festival"]
    days = care.festival_dates(range(BABYSTORE_START.year, BABYSTORE_END.year + 1))
    found = care.festival_response(babystore_transactions, days, today=BABYSTORE_END, lead_days=FESTIVAL_LEAD_DAYS,
                                   min_years=2, alpha=0.05).table  # fmt: skip
    listed = set(found.loc[found["responder"] & (found["festival"] == festival), "customer_id"])
    planted = set(truth[truth == festival].index)
    assert len(listed & planted) / len(listed) >= 0.8, "precision"
    assert len(listed & planted) / len(planted) >= 0.9, "recall"


def test_the_care_calendar_lists_every_birthday_and_milestone_in_its_window(stage_run):
    """Every clean member row of the generator (the planted dirt aside) whose birthday, baby milestone or
    anniversary falls in the window is on the calendar, and nothing else personal is."""
    settings = load_config(stage_run.config).care
    calendar = pd.read_parquet(stage_run.run_dir / "artifacts" / "care_calendar.parquet")
    today = stage_run.results["next_purchase"].today
    start, end = today + timedelta(days=1), today + timedelta(days=settings.window_days)
    members = member_table(600).frame
    dirt = member_table(600).dirt
    clean = members.drop(index=dirt["source_row"].to_numpy() - 1, errors="ignore")
    clean = clean[clean["customer_id"] != ""].drop_duplicates("customer_id")
    clean = clean.replace({"baby_birth_date": {"": None}})
    expected = care.personal_occasions(clean, start=start, end=end, baby_birthdays=settings.baby_birthdays)
    assert len(expected) > 20
    personal = calendar[calendar["festival_share"].isna()]
    key = ["customer_id", "occasion", "date"]
    listed = set(map(tuple, personal[key].astype(str).to_numpy()))
    wanted = set(map(tuple, expected[key].astype({"date": "datetime64[ns]"}).astype(str).to_numpy()))
    assert wanted <= listed, "recall 1.0"
    assert (personal["date"] >= pd.Timestamp(start)).all() and (personal["date"] <= pd.Timestamp(end)).all()
    events = {event.name for event in load_config(stage_run.config).life_stage.events}
    assert set(personal["occasion"]) <= {*care.PERSONAL_OFFERS, *events}
    assert calendar["offer"].str.len().gt(0).all() and calendar["channel"].notna().all()
    scored = pd.read_parquet(stage_run.run_dir / "artifacts" / "churn.parquet").set_index("customer_id")
    in_budget = calendar["customer_id"].map(scored["in_budget"]).fillna(False).astype(bool)
    assert (calendar["in_this_cycle"] == in_budget).all() and in_budget.any(), "the contact plan's customers marked"
    assert (calendar["channel"] == calendar["customer_id"].map(scored["channel"])).all(), "04's channel"


def test_a_short_history_with_no_festival_responder_gives_a_calendar_without_festivals():
    import ibis

    tx = ibis.memtable(pd.DataFrame({"customer_id": ["a", "a"], "order_date": pd.to_datetime(["2015-01-05",
                                     "2015-03-01"]), "amount": [1.0, 2.0], "is_return": [False, False]}))  # fmt: skip
    days = care.festival_dates(range(2015, 2017))
    found = care.festival_response(tx, days, today=date(2015, 4, 30), lead_days=7, min_years=2, alpha=0.05).table
    assert found.empty and "festival" in found[found["responder"]].columns
    ahead = days[days["date"] > date(2015, 4, 30)]
    none = care.personal_occasions(pd.DataFrame(columns=["customer_id"]), start=date(2015, 5, 1),
                                   end=date(2015, 5, 30), baby_birthdays=3)  # fmt: skip
    assert care.care_calendar(none, found[found["responder"]], ahead, channels=None).empty
