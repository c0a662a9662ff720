"""A retailer's own life events (issue 35): a window some days after a purchase of a category, or after a date of
the member table, puts the customer on the care calendar and makes it a moment of the contact plan. The baby store
plants prams (category 'strollers'); configs/babystore.yaml's 'stroller upgrade' opens 540-720 days later."""

from __future__ import annotations

from datetime import date, timedelta

import ibis
import pandas as pd
import pytest
from pydantic import ValidationError

from helpers.core.config import CustomersSection, LifeEvent, load_config
from helpers.data.datasets import BABYSTORE_END, STROLLER, STROLLER_UPGRADE_DAYS, generate_babystore
from helpers.models import life_stage, moments

REPLACEMENT = LifeEvent(name="air conditioner replacement", after_category="air conditioner",
                        window_days=(2555, 3650), offer="a new air conditioner")  # fmt: skip


def _log(rows: list[tuple[str, str, float, bool, str]]) -> ibis.Table:
    """Transactions (customer, day, amount, is_return, category) as an Ibis table."""
    frame = pd.DataFrame(rows, columns=["customer_id", "order_date", "amount", "is_return", "category"])
    return ibis.memtable(frame.assign(order_date=pd.to_datetime(frame["order_date"]), order_id=frame.index.astype(str)))


def test_a_window_opens_after_the_latest_purchase_of_the_category():
    log = _log([("a", "2015-03-01", 3000.0, False, "air conditioner"),  # opens 2022-02-27: open on the start
                  ("b", "2015-03-01", 3000.0, False, "air conditioner"),
                  ("b", "2020-01-01", 2800.0, False, "air conditioner"),  # bought again: the clock restarts
                  ("c", "2015-01-20", -3000.0, True, "air conditioner"),  # a return starts no clock
                  ("d", "2012-01-01", 3000.0, False, "air conditioner"),  # window closed in 2021
                  ("e", "2015-02-20", 90.0, False, "fan")])  # fmt: skip
    start = date(2022, 3, 1)
    found = life_stage.event_windows(log, None, [REPLACEMENT], start=start,
                                     end=start + timedelta(days=29)).set_index("customer_id")  # fmt: skip
    assert list(found.index) == ["a"]
    assert found.loc["a", "opens"] == pd.Timestamp("2022-02-27") and found.loc["a", "date"] == pd.Timestamp(start)
    assert found.loc["a", "closes"] == pd.Timestamp("2025-02-26") and found.loc["a", "offer"] == "a new air conditioner"


def test_a_window_can_start_at_a_date_of_the_member_table():
    moved_in = LifeEvent(name="first home anniversary", after_member_date="move_in_date", window_days=(358, 372),
                         offer="home refresh")  # fmt: skip
    members = pd.DataFrame({"customer_id": ["a", "b", "c"],
                            "move_in_date": pd.to_datetime(["2021-03-10", "2020-03-10", None])})  # fmt: skip
    found = life_stage.event_windows(_log([]), members, [moved_in], start=date(2022, 3, 1),
                                     end=date(2022, 3, 30))  # fmt: skip
    assert found["customer_id"].tolist() == ["a"] and found["date"].tolist() == [pd.Timestamp("2022-03-03")]


def test_an_event_needs_one_clock_and_a_member_date_a_new_name():
    with pytest.raises(ValidationError, match="one of after_category and after_member_date"):
        LifeEvent(name="x", window_days=(1, 2), offer="y")
    with pytest.raises(ValidationError, match="one of after_category and after_member_date"):
        LifeEvent(name="x", after_category="c", after_member_date="d", window_days=(1, 2), offer="y")
    with pytest.raises(ValidationError, match="must not lie after"):
        LifeEvent(name="x", after_category="c", window_days=(3, 2), offer="y")
    with pytest.raises(ValidationError, match="member-table columns already"):
        CustomersSection(path="m.csv", event_dates={"join_date": "入会"})


def _in_window(bought: pd.Series, start: date, end: date) -> set[str]:
    opens, closes = (bought + pd.Timedelta(days=d) for d in STROLLER_UPGRADE_DAYS)
    return set(bought.index[(opens <= pd.Timestamp(end)) & (closes >= pd.Timestamp(start))])


def test_the_planted_stroller_upgrades_are_found_with_recall_and_precision_one(babystore_transactions):
    event = next(e for e in load_config("configs/babystore.yaml").life_stage.events if e.after_category == STROLLER)
    assert event.window_days == STROLLER_UPGRADE_DAYS
    truth = generate_babystore().truth.set_index("customer_id")["stroller_bought"].dropna()
    for days_ahead in (30, 90):
        start, end = BABYSTORE_END + timedelta(days=1), BABYSTORE_END + timedelta(days=days_ahead)
        found = life_stage.event_windows(babystore_transactions, None, [event], start=start, end=end)
        planted = _in_window(pd.to_datetime(truth), start, end)
        assert len(planted) > 50 and set(found["customer_id"]) == planted, "recall and precision 1.0"


def test_the_stage_run_lists_the_event_and_lets_it_compete(stage_run):
    settings = load_config(stage_run.config)
    event = next(e for e in settings.life_stage.events if e.after_category == STROLLER)
    today = stage_run.results["churn"].today
    artifacts = stage_run.run_dir / "artifacts"
    calendar = pd.read_parquet(artifacts / "care_calendar.parquet")
    listed = calendar[calendar["occasion"] == event.name]
    members = pd.read_parquet(artifacts / "transactions.parquet", columns=["customer_id", "order_date", "category"])
    prams = members[members["category"] == STROLLER].groupby("customer_id")["order_date"].max().dt.normalize()
    expected = _in_window(prams, today + timedelta(days=1), today + timedelta(days=settings.care.window_days))
    assert expected and set(listed["customer_id"]) == expected
    assert listed["offer"].str.startswith(event.offer).all()
    scored = pd.read_parquet(artifacts / "churn.parquet").set_index("customer_id")
    rated = scored.loc[sorted(expected), "moment"]
    assert rated.notna().all() and set(rated) <= {event.name, *moments.MOMENT_ACTIONS.values()}
