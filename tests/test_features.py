"""Per-customer summaries against hand-computed cases."""

from __future__ import annotations

from datetime import date

import ibis
import pandas as pd
import pytest
from conftest import transactions_table
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.data.features import (
    btyd_summary,
    calibration_holdout,
    churn_features,
    churn_labels,
    customer_summary,
    fetch,
    fetch_customer_summary,
    purchases,
    repeat_purchases_by_period,
)

TX_ROWS = [
    ("a", "1", "2024-01-01 09:00", 10.0, False),
    ("a", "2", "2024-01-01 18:00", 5.0, False),  # same day: one purchase occasion of 15
    ("a", "3", "2024-01-11", 20.0, False),
    ("a", "3", "2024-01-15", -8.0, True),  # return netted into order 3
    ("a", "4", "2024-01-31", 30.0, False),
    ("b", "5", "2024-01-21", 7.0, False),  # single purchase
    ("c", "6", "2024-01-05", 9.0, False),
    ("c", "6", "2024-01-06", -9.0, True),  # fully returned: no purchase at all
    ("c", "7", "2024-02-05", 4.0, False),  # after the as-of date below
]
TX = transactions_table(TX_ROWS)


def test_purchase_occasions_merge_same_day_and_drop_fully_returned():
    occasions = purchases(TX).order_by(["customer_id", "purchase_date"]).execute()
    assert occasions[occasions.customer_id == "a"].amount.tolist() == [15.0, 12.0, 30.0]
    assert occasions[occasions.customer_id == "c"].purchase_date.astype(str).tolist() == ["2024-02-05"]


def test_customer_summary_by_hand():
    summary = customer_summary(TX, date(2024, 1, 31)).execute().set_index("customer_id")
    a = summary.loc["a"]
    assert (a.purchases, a.total_spend, a.recency_days, a.tenure_days) == (3, 57.0, 0, 30)
    assert a.avg_spend == pytest.approx(19.0)
    assert a.interval_mean_days == pytest.approx(15.0)  # gaps of 10 and 20 days
    assert a.interval_median_days == pytest.approx(15.0)
    assert a.return_rate == pytest.approx(8.0 / 65.0)
    b = summary.loc["b"]
    assert (b.purchases, b.recency_days, b.tenure_days) == (1, 10, 10)
    assert pd.isna(b.interval_mean_days)
    assert "c" not in summary.index  # its only purchase before the date was fully returned


def test_calibration_holdout_by_hand():
    cal = calibration_holdout(TX, date(2024, 1, 20), observation_end=date(2024, 2, 29), unit="days").execute()
    cal = cal.set_index("customer_id")
    assert list(cal.index) == ["a"]  # b and c were acquired after the calibration end
    a = cal.loc["a"]
    assert (a.frequency_cal, a.recency_cal, a.T_cal) == (1.0, 10.0, 19.0)
    assert a.monetary_cal == pytest.approx(12.0)  # the repeat purchase only, after netting
    assert (a.frequency_holdout, a.monetary_holdout, a.duration_holdout) == (1.0, 30.0, 40.0)


@pytest.mark.parametrize(("unit", "expected"), [("days", {10: 1, 30: 1}), ("weeks", {1: 1, 4: 1})])
def test_repeat_purchases_by_period_by_hand(unit, expected):
    """Only a was acquired by Jan 20 (b on Jan 21; c's first order was returned, its next is in February): its
    repeat purchases on Jan 11 and Jan 31, 10 and 30 days after the earliest first purchase."""
    found = repeat_purchases_by_period(TX, date(2024, 1, 20), observation_end=date(2024, 2, 29), unit=unit)
    assert found.to_dict() == expected and found.index.name == "period"


@pytest.mark.parametrize("unit", ["days", "weeks"])
def test_repeat_purchases_by_period_equal_the_occasions_counted_in_pandas(babystore_transactions, unit):
    calibration_end, end = date(2024, 3, 31), date(2024, 12, 31)
    occasions = purchases(babystore_transactions, end).execute()
    occasions["first"] = occasions.groupby("customer_id")["purchase_date"].transform("min")
    cohort = occasions[occasions["first"] <= pd.Timestamp(calibration_end)]
    repeats = cohort[cohort["purchase_date"] > cohort["first"]]
    elapsed = (repeats["purchase_date"] - cohort["first"].min()).dt.days
    expected = (elapsed // {"days": 1, "weeks": 7}[unit]).value_counts().sort_index()
    found = repeat_purchases_by_period(babystore_transactions, calibration_end, observation_end=end, unit=unit)
    assert found.sum() > 1000 and found.to_dict() == expected.to_dict()


def test_weeks_are_days_over_seven():
    days = btyd_summary(TX, date(2024, 1, 31), unit="days").execute().set_index("customer_id")
    weeks = btyd_summary(TX, date(2024, 1, 31), unit="weeks").execute().set_index("customer_id")
    assert weeks["T"].to_numpy() == pytest.approx(days["T"].to_numpy() / 7)
    assert weeks["recency"].to_numpy() == pytest.approx(days["recency"].to_numpy() / 7)
    assert (weeks["frequency"] == days["frequency"]).all()


def test_cdnow_summary_counts(cdnow_transactions):
    """The published CDNOW sample: 2,357 customers, 946 of them repeat buyers in calibration."""
    cal = calibration_holdout(cdnow_transactions, date(1997, 9, 30), observation_end=date(1998, 6, 30)).execute()
    assert len(cal) == 2357
    assert (cal.frequency_cal > 0).sum() == 946
    assert cal.T_cal.max() == pytest.approx(272 / 7)


def test_the_customer_summary_fetched_in_halves_equals_the_one_plan(babystore_transactions):
    """02 fetches the summary with its purchase history and behaviour kept apart before the join (one plan held
    both halves' aggregates at once: too much memory at 12 million customers); the same table, and nothing kept."""
    as_of = date(2024, 10, 1)
    tables = "SELECT count(*) FROM duckdb_tables() WHERE temporary"
    before = babystore_transactions.get_backend().raw_sql(tables).fetchall()  # all: the session's connection is free
    fetched = fetch_customer_summary(babystore_transactions, as_of)
    assert len(fetched) > 1000 and {"interval_median_days", "n_categories", "favourite_category"} <= set(fetched)
    pd.testing.assert_frame_equal(fetched, customer_summary(babystore_transactions, as_of).execute())
    assert babystore_transactions.get_backend().raw_sql(tables).fetchall() == before


def test_channel_and_category_mix_by_hand():
    frame = TX.execute().assign(
        channel=["online", "store", "store", "store", "online", "online", "store", "store", "online"],
        category=["toys", "diapers", "formula", "formula", "toys", "toys", "toys", "toys", "toys"],
    )
    summary = customer_summary(ibis.memtable(frame), date(2024, 1, 31)).execute().set_index("customer_id")
    a = summary.loc["a"]
    assert (a.n_channels, a.n_categories) == (2, 3)
    assert a.favourite_channel == "store"  # 3 lines of 5
    assert a.favourite_category == "formula"  # formula and toys 2 lines each: the first in sort order
    b = summary.loc["b"]
    assert (b.n_channels, b.favourite_channel) == (1, "online")


def test_favourite_tie_goes_to_the_first_in_sort_order():
    frame = TX.execute().assign(channel=["store", "online", "app", "app", "store", "x", "x", "x", "x"])
    frame = frame[frame.customer_id == "a"]
    for _ in range(3):  # the same answer on every run, whatever the thread schedule
        summary = customer_summary(ibis.memtable(frame), date(2024, 1, 31)).execute()
        assert summary.favourite_channel.tolist() == ["app"]  # app and store 2 lines each, online 1


def test_favourite_counts_known_values_only():
    frame = TX.execute().assign(channel=[None, None, None, "app", "store", None, "web", "web", None])
    summary = customer_summary(ibis.memtable(frame), date(2024, 2, 29)).execute().set_index("customer_id")
    assert summary.loc["a", "favourite_channel"] == "app"  # 3 lines unknown, app and store 1 each: app by name
    assert pd.isna(summary.loc["b", "favourite_channel"])  # its one line has no channel
    assert summary.loc["c", "favourite_channel"] == "web"


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from([None, "app", "store", "web", "Web"]), min_size=len(TX_ROWS), max_size=len(TX_ROWS)))
def test_favourite_is_the_most_frequent_known_value_first_by_name(channels):
    frame = TX.execute().assign(channel=channels)
    summary = customer_summary(ibis.memtable(frame), date(2024, 2, 29)).execute().set_index("customer_id")
    for customer, lines in frame.groupby("customer_id"):
        counts = lines["channel"].value_counts()
        expected = min(counts[counts == counts.max()].index) if len(counts) else None
        found = summary.loc[customer, "favourite_channel"]
        assert (pd.isna(found) and expected is None) or found == expected


@pytest.mark.parametrize("as_of", [date(2024, 3, 31), date(2024, 12, 31)])
def test_stored_purchase_date_equals_the_derived_one(babystore_transactions, as_of):
    """Ingest stores each order's date; summaries on the stored column equal those derived from the lines."""
    derived_from_lines = babystore_transactions.drop("purchase_date")
    for build in (lambda tx: purchases(tx, as_of), lambda tx: btyd_summary(tx, as_of, "days")):
        stored, derived = (
            build(tx).execute().sort_values(["customer_id", *build(tx).columns[1:2]]).reset_index(drop=True)
            for tx in (babystore_transactions, derived_from_lines)
        )
        assert len(stored) > 1000
        pd.testing.assert_frame_equal(stored, derived)


@pytest.mark.parametrize("build", ["customer_summary", "calibration_holdout", "churn_features"])
def test_summaries_are_bit_identical_whatever_the_thread_count(babystore_parquet, build):
    """The engine's thread count changes the order floats are added in; no summary may change by a bit."""
    functions = {
        "customer_summary": lambda tx: customer_summary(tx, date(2024, 12, 31)),
        "calibration_holdout": lambda tx: calibration_holdout(
            tx, date(2024, 6, 30), observation_end=date(2024, 12, 31)
        ),
        "churn_features": lambda tx: churn_features(tx, date(2024, 9, 30)),
    }
    frames = []
    for threads in (1, 4):
        con = ibis.duckdb.connect(threads=threads)
        frames.append(functions[build](con.read_parquet(str(babystore_parquet))).execute())
    pd.testing.assert_frame_equal(frames[0], frames[1], check_exact=True)


def test_fetch_gives_the_frame_execute_gives(babystore_transactions):
    """Through Arrow, the same values and dtypes as Ibis' own `execute()` for per-customer tables of text, counts,
    money and flags (what 04's snapshots fetch; a date column would come back as Python dates instead)."""
    as_of = date(2024, 6, 30)
    for expr in (churn_features(babystore_transactions, as_of), btyd_summary(babystore_transactions, as_of, "weeks"),
                 churn_labels(babystore_transactions, as_of, 90)):  # fmt: skip
        pd.testing.assert_frame_equal(fetch(expr), expr.execute())
