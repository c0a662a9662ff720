"""Abnormal-behaviour alerts: robust thresholds by hand, each alert on a small log, and the planted abusers found."""

from __future__ import annotations

import ibis
import numpy as np
import pandas as pd
import pytest
from conftest import transactions_table
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.core.config import AlertsSection
from helpers.data.datasets import babystore_frames
from helpers.models import alerts


def test_robust_scale_uses_the_mad_and_falls_back_to_the_mean_absolute_deviation():
    median, scale = alerts.robust_scale(np.array([1.0, 2.0, 3.0, 4.0, 100.0]))
    assert (median, scale) == (3.0, pytest.approx(1.4826 * 1.0))
    median, scale = alerts.robust_scale(np.array([1.0, 1.0, 1.0, 1.0, 3.0]))  # MAD 0: most values equal
    assert (median, scale) == (1.0, pytest.approx(1.2533 * 0.4))
    assert alerts.severity(np.array([8.0, 5.5, 3.6]), 3.5).tolist() == ["high", "medium", "low"]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(-50, 50, allow_nan=False).map(lambda v: round(v, 3)), min_size=1, max_size=30))
def test_the_engine_side_robust_scale_is_the_in_memory_one(values):
    """Orders stay in the engine at scale: its median and robust SD are numpy's (MAD, or the mean-AD fallback)."""
    table = ibis.memtable(pd.DataFrame({"x": values}))
    expected = alerts.robust_scale(np.array(values))
    assert alerts.robust_scale_of(table, table.x) == pytest.approx(expected, rel=1e-9, abs=1e-9)


def normal_customers(n: int = 40) -> list[tuple]:
    """Customers buying five orders a month apart (about 50 each, log-normal); every fourth returns 10 of one."""
    values = np.round(50 * np.exp(np.random.default_rng(1).normal(0, 0.3, (n, 5))), 2)
    rows = []
    for k in range(n):
        rows += [(f"n{k}", f"o{k}-{m}", f"2024-0{m + 1}-10", float(values[k, m]), False) for m in range(5)]
        if k % 4 == 0:
            rows.append((f"n{k}", f"o{k}-0", "2024-01-12", -10.0, True))
    return rows


def test_frequent_returns_flag_the_customer_who_returns_most_of_a_burst():
    burst = [("abuser", f"b{i}", f"2024-03-{1 + 3 * i:02d}", 80.0, False) for i in range(5)]
    burst += [("abuser", f"b{i}", f"2024-03-{2 + 3 * i:02d}", -76.0, True) for i in range(5)]
    twice = [("careful", "c1", "2024-03-01", 100.0, False), ("careful", "c1", "2024-03-02", -5.0, True),
             ("careful", "c1", "2024-03-03", -5.0, True)]  # fmt: skip
    tx = transactions_table(normal_customers() + burst + twice)
    found = alerts.find_alerts(tx, AlertsSection(), has_order_ids=True)
    returns = found.alerts[found.alerts["alert"] == "frequent returns"]
    assert returns["customer_id"].tolist() == ["abuser"]
    row = returns.iloc[0]
    assert "5" in row["reason"] and "95%" in row["reason"] and row["amount"] == pytest.approx(380.0)
    assert found.thresholds["frequent returns"]["min_returns"] >= 3
    assert row["first_date"] <= pd.Timestamp("2024-03-01") and row["last_date"] == pd.Timestamp("2024-03-14")


def test_fixed_thresholds_from_the_config_replace_the_robust_ones():
    twice = [("careful", "c1", "2024-03-01", 100.0, False), ("careful", "c1", "2024-03-02", -5.0, True),
             ("careful", "c1", "2024-03-03", -5.0, True)]  # fmt: skip
    tx = transactions_table(normal_customers() + twice)
    found = alerts.find_alerts(tx, AlertsSection(return_count=2), has_order_ids=False)
    assert found.alerts.query("alert == 'frequent returns'")["customer_id"].tolist() == ["careful"]
    assert found.thresholds["frequent returns"]["fixed"]


def test_extreme_orders_and_spend_spikes_are_judged_against_the_store_and_the_customer():
    rows = normal_customers()
    rows += [("whale", "w1", "2024-01-01", 5000.0, False)]  # far above every order: extreme
    rows += [("regular", f"r{i}", f"2024-0{i + 1}-05", 20.0, False) for i in range(4)]
    rows += [("regular", "r9", "2024-06-05", 120.0, False)]  # 6x their own usual, not extreme for the store
    found = alerts.find_alerts(transactions_table(rows), AlertsSection(), has_order_ids=True)
    by_type = found.alerts.groupby("alert")["customer_id"].apply(list).to_dict()
    assert by_type["extreme order"] == ["whale"] and by_type["spend spike"] == ["regular"]
    spike = found.alerts.set_index("alert").loc["spend spike"]
    assert spike["order_id"] == "r9" and "6.0x" in spike["reason"] and "after 4 earlier orders" in spike["reason"]
    keyless = alerts.find_alerts(transactions_table(rows), AlertsSection(), has_order_ids=False).alerts
    whale = keyless.set_index("customer_id").loc["whale"]  # a log without order ids: orders are customer-days
    assert whale["evidence"] == "purchases on 2024-01-01" and whale["order_id"] is None


def test_an_order_id_bought_by_two_customers_is_flagged_for_both():
    """Two customers on one order id: medium; three: high, one alert per customer and order with their own money
    (z's two lines add up); one customer's several lines on an order, or a return by another, share nothing."""
    rows = [*normal_customers(), ("x", "shared", "2024-04-01", 30.0, False), ("y", "shared", "2024-04-01", 30.0, False),
            ("x", "trio", "2024-04-02", 5.0, False), ("y", "trio", "2024-04-02", 6.0, False),
            ("z", "trio", "2024-04-02", 7.0, False), ("z", "trio", "2024-04-03", 8.0, False),
            ("w", "own", "2024-04-05", 9.0, False), ("w", "own", "2024-04-05", 9.0, False),
            ("v", "own", "2024-04-06", -9.0, True)]  # fmt: skip
    found = alerts.find_alerts(transactions_table(rows), AlertsSection(), has_order_ids=True)
    shared = found.alerts[found.alerts["alert"] == "shared order id"].set_index(["order_id", "customer_id"])
    assert sorted(shared.index) == [("shared", "x"), ("shared", "y"), ("trio", "x"), ("trio", "y"), ("trio", "z")]
    assert (shared.loc["shared", "severity"] == "medium").all() and (shared.loc["trio", "severity"] == "high").all()
    assert shared.loc[("trio", "z"), "amount"] == 15.0 and found.thresholds["shared order id"] == {"orders": 2}
    assert shared.loc[("trio", "x"), "reason"] == "order id shared by 3 customers"
    none = alerts.find_alerts(transactions_table(rows), AlertsSection(), has_order_ids=False)
    assert "shared order id" not in set(none.alerts["alert"])


def test_the_planted_return_abusers_are_found_with_precision_and_recall_of_at_least_90_percent(
    babystore_transactions,
):
    found = alerts.find_alerts(babystore_transactions, AlertsSection(), has_order_ids=True)
    flagged = set(found.alerts.loc[found.alerts["alert"] == "frequent returns", "customer_id"])
    _, truth = babystore_frames()
    abusers = set(truth.loc[truth["return_abuser"], "customer_id"])
    assert len(abusers) == 200
    precision, recall = len(flagged & abusers) / len(flagged), len(flagged & abusers) / len(abusers)
    assert precision >= 0.9 and recall >= 0.9
    assert list(found.alerts.columns) == alerts.ALERT_COLUMNS
    assert found.alerts["severity"].map(alerts.SEVERITIES.index).is_monotonic_increasing


def test_an_extreme_order_cancelled_minutes_later_says_so_and_is_not_for_review():
    """The UCI export's £168,469.60 order, cancelled the same day: it was flagged high with no word of it."""
    huge = [("big", "h1", "2024-03-01 08:32", 168_469.60, False), ("big", "h1", "2024-03-01 08:44", -168_469.60, True)]
    kept = [("keeps", "k1", "2024-03-02", 77_183.60, False)]
    found = alerts.find_alerts(transactions_table(normal_customers() + huge + kept), AlertsSection(),
                               has_order_ids=True).alerts  # fmt: skip
    extreme = found[found["alert"] == "extreme order"].set_index("customer_id")
    assert (
        extreme.loc["big", "severity"] == "low"
        and "$168,469.60 of it returned or cancelled" in extreme.loc["big", "reason"]  # with the currency
    )
    assert extreme.loc["keeps", "severity"] == "high" and "returned" not in extreme.loc["keeps", "reason"]


def test_a_cancelled_invoice_of_many_lines_is_one_return():
    """A cancellation of five lines at one moment counted as five returns and made a 'frequent returner'."""
    bought = [("shop", f"o{i}", "2024-03-01 09:00", 20.0, False) for i in range(5)]
    cancelled = [("shop", f"o{i}", "2024-03-01 09:30", -20.0, True) for i in range(5)]
    windows = alerts.return_windows(transactions_table(normal_customers() + bought + cancelled), 30)
    assert windows.loc["shop", "returns_w"] == 1
    assert "more than the 0.00 bought in those days (the rest was bought before)" in alerts.return_evidence(
        333.45, 0.0, start=pd.Timestamp("2024-01-01"), end=pd.Timestamp("2024-01-30")
    )
