"""When each customer buys next: closed forms against independent formulas, simulation against exact values,
hand-computed rhythms and errors, no look-ahead, and forecasts that hold on the generated store."""

from __future__ import annotations

from datetime import date, timedelta

import ibis
import numpy as np
import pandas as pd
import pytest
from conftest import transactions_table
from scipy.optimize import brentq

from helpers.data.features import btyd_summary
from helpers.data.schemas import ACTION_LIST
from helpers.models import actions, next_purchase
from helpers.models.purchase import HISTORY, PurchaseModel
from helpers.stages.next_purchase import action_list_query, finish_action_list

HISTORIES = pd.DataFrame(
    {
        "customer_id": ["a", "b", "c", "d", "e"],
        "frequency": [0.0, 1.0, 4.0, 10.0, 2.0],
        "recency": [0.0, 10.0, 30.0, 50.0, 5.0],
        "T": [20.0, 40.0, 52.0, 52.0, 60.0],
    }
)


def fitted(model_key: str, params: dict) -> PurchaseModel:
    """A purchase model with given parameters, as a fit would leave it."""
    return PurchaseModel.with_parameters(model_key, params)


BGNBD = {"r": 0.6, "alpha": 10.0, "a": 0.8, "b": 3.0}
PARETO = {"r": 0.6, "alpha": 10.0, "s": 0.8, "beta": 12.0}


def test_bgnbd_purchase_probability_is_one_minus_the_probability_of_none():
    timing = next_purchase.purchase_timing(fitted("bgnbd", BGNBD), summary=HISTORIES, unit="weeks")
    for window in next_purchase.WINDOWS_DAYS:
        none = fitted("bgnbd", BGNBD).p_no_purchase(HISTORIES, t=window / 7)
        np.testing.assert_allclose(timing[f"p_purchase_{window}d"], 1 - none, rtol=1e-10)


def test_bgnbd_waiting_time_quantiles_invert_its_distribution():
    timing = next_purchase.purchase_timing(fitted("bgnbd", BGNBD), summary=HISTORIES, unit="days")
    shape, scale = BGNBD["r"] + HISTORIES["frequency"], BGNBD["alpha"] + HISTORIES["T"]
    for column, level in (("wait_low_days", 0.25), ("wait_median_days", 0.5), ("wait_high_days", 0.75)):
        survival = (scale / (scale + timing[column])) ** shape
        np.testing.assert_allclose(1 - survival, level, rtol=1e-9)
    reach = timing["p_alive"] > 0.5  # the unconditional median exists exactly when P(a purchase comes) > 1/2
    assert timing["model_median_days"].notna().tolist() == reach.tolist()
    at_median = timing["p_alive"] * (1 - (scale / (scale + timing["model_median_days"])) ** shape)
    np.testing.assert_allclose(at_median[reach], 0.5, rtol=1e-9)


def test_pareto_simulation_matches_the_exact_probability_of_no_purchase():
    model = fitted("pareto_nbd", PARETO)
    timing = next_purchase.purchase_timing(model, summary=HISTORIES, unit="weeks", draws=4000, seed=3)
    for window in next_purchase.WINDOWS_DAYS:
        exact = 1 - model.p_no_purchase(HISTORIES, t=window / 7)
        np.testing.assert_allclose(timing[f"p_purchase_{window}d"], exact, atol=0.01)


def test_pareto_quantiles_invert_the_simulated_distribution():
    """Tabulated and interpolated quantiles against the exact root of the simulated P(W <= t), from the
    quartiles out to the far tail a model median can ask for; a level past the grid's top gets the top."""
    x, T = np.array([0.0, 3.0, 9.0, 0.0]), np.array([20.0, 40.0, 60.0, 1.0])
    waiting = next_purchase._pareto_waiting(PARETO, x, T=T, draws=500, seed=1)
    pair = np.repeat(np.arange(len(x)), 5)
    level = np.tile([0.2, 0.5, 0.8, 0.99, 0.9999], len(x))
    found = waiting.quantile(pair, level)
    exact = [brentq(lambda t, p=p, q=q: waiting.cdf(t)[p] - q * waiting.ever[p], 0.0, 1e9, rtol=1e-12)
             for p, q in zip(pair, level, strict=True)]  # fmt: skip
    np.testing.assert_allclose(found, exact, rtol=5e-3)
    beyond = next_purchase._invert(np.array([[0.0, *np.linspace(0.1, 0.5, len(next_purchase.TIME_GRID) - 1)]]),
                                   np.array([0]), np.array([0.6]))  # fmt: skip
    assert beyond[0] == next_purchase.TIME_GRID[-1]


def test_pareto_model_median_is_where_the_exact_purchase_probability_reaches_one_half():
    model = fitted("pareto_nbd", PARETO)
    timing = next_purchase.purchase_timing(model, summary=HISTORIES, unit="weeks", draws=4000, seed=2)
    reach = timing["model_median_days"].notna()
    assert 0 < reach.sum() < len(HISTORIES)  # some histories reach one half, some never do
    weeks = timing.loc[reach, "model_median_days"].to_numpy() / 7
    histories = HISTORIES[reach].reset_index(drop=True)
    none = np.array([model.p_no_purchase(histories.iloc[[i]], t=w)[0] for i, w in enumerate(weeks)])
    np.testing.assert_allclose(1 - none, 0.5, atol=0.01)


def test_timing_is_the_same_per_history_whatever_the_customer():
    twins = pd.concat([HISTORIES, HISTORIES.assign(customer_id=HISTORIES["customer_id"] + "2")], ignore_index=True)
    timing = next_purchase.purchase_timing(fitted("pareto_nbd", PARETO), summary=twins, unit="weeks", seed=5)
    first, second = timing.iloc[:5].reset_index(drop=True), timing.iloc[5:].reset_index(drop=True)
    pd.testing.assert_frame_equal(first.drop(columns="customer_id"), second.drop(columns="customer_id"))


RHYTHM_ROWS = [
    ("a", "o1", "2024-01-01", 10.0, False),
    ("a", "o2", "2024-01-11", 10.0, False),  # gap 10
    ("a", "o3", "2024-01-31", 10.0, False),  # gap 20
    ("a", "o4", "2024-02-10", 10.0, False),  # gap 10 (last)
    ("b", "o5", "2024-02-01", 5.0, False),  # one purchase
    ("b", "o6", "2024-03-01", 5.0, False),  # after the as-of date
]


def test_rhythm_by_hand():
    history = next_purchase.Histories.at(transactions_table(RHYTHM_ROWS), date(2024, 2, 20), unit="days")
    own = history.rhythm
    a, b = own.loc["a"], own.loc["b"]
    assert (a["purchases"], a["last_gap_days"], a["typical_gap_days"], a["days_since_last_purchase"]) == (4, 10, 10, 10)
    assert (b["purchases"], b["days_since_last_purchase"]) == (1, 19) and np.isnan(b["typical_gap_days"])
    assert (a["tenure_days"], b["tenure_days"]) == (50, 19)
    assert history.population_gap == 10  # the gaps 10, 20, 10: b's one purchase has none
    expected = pd.DataFrame({"customer_id": ["a", "b"], "frequency": [3.0, 0.0], "recency": [40.0, 0.0],
                             "T": [50.0, 19.0]})  # fmt: skip
    pd.testing.assert_frame_equal(history.summary, expected)


def test_point_predictions_fall_back_to_the_population_gap_for_one_time_buyers():
    own = next_purchase.Histories.at(transactions_table(RHYTHM_ROWS), date(2024, 2, 20), unit="days").rhythm
    timing = pd.DataFrame({"customer_id": ["a", "b"], "model_median_days": [np.nan, 3.0],
                           "wait_median_days": [4.0, 5.0]})  # fmt: skip
    predicted = next_purchase.point_predictions(timing, own, population_gap=30.0)
    assert predicted.loc["a", "own rhythm"] == 0 and predicted.loc["a", "last gap"] == 0  # 10-day gap, 10 days ago
    assert predicted.loc["b", "own rhythm"] == predicted.loc["b", "population median gap"] == 11  # 30 - 19
    assert np.isnan(predicted.loc["a", "model median"]) and predicted.loc["b", "model median"] == 3


def test_prediction_errors_by_hand():
    predicted = pd.DataFrame({"exact": [5.0, np.nan, 20.0], "late": [50.0, 200.0, 30.0]}, index=["x", "y", "z"])
    actual = pd.Series({"x": 5.0, "z": 25.0})  # y did not come back within the 60-day window
    errors = next_purchase.prediction_errors(predicted, actual, window_days=60)
    assert errors.loc["exact", "mae_days"] == pytest.approx((0 + 0 + 5) / 3)  # 'not at all' for y is right
    assert errors.loc["late", "mae_days"] == pytest.approx((45 + 0 + 5) / 3)  # 200 is capped at the window
    assert errors.loc["exact", "mae_days_buyers"] == pytest.approx(2.5) and errors.loc["late", "buyers"] == 2
    assert errors.loc["late", "mae_days_others"] == 0  # y's 200 days and 'did not come back' agree
    assert errors.loc["late", "balanced_mae_days"] == pytest.approx(((45 + 5) / 2 + 0) / 2)
    assert errors.index[0] == "exact"


def test_a_date_that_is_never_soon_does_not_win_on_the_customers_who_stay_away():
    """Nine of ten customers stay away: 'not in the window' for all has the lower error over everyone, yet the
    balanced error ranks first the way that dates the one who comes back."""
    index = [f"c{i}" for i in range(10)]
    predicted = pd.DataFrame({"never": np.nan, "dated": [10.0] + [40.0] * 9}, index=index)
    errors = next_purchase.prediction_errors(predicted, pd.Series({"c0": 10.0}), window_days=60)
    assert errors.loc["never", "mae_days"] < errors.loc["dated", "mae_days"]
    assert errors.index[0] == "dated"


def test_the_forecast_at_the_cutoff_does_not_see_later_purchases(babystore_transactions):
    tx, cutoff = babystore_transactions, date(2024, 9, 30)
    before = tx.filter(tx.order_date < pd.Timestamp(cutoff + timedelta(days=1)))
    forecasts = []
    for table in (tx, before):
        summary = next_purchase.Histories.at(table, cutoff, unit="weeks").summary
        model = next_purchase.fit_model("bgnbd", summary, penalizer=0.0)
        forecasts.append(next_purchase.purchase_timing(model, summary=summary, unit="weeks"))
    pd.testing.assert_frame_equal(*forecasts)


def test_the_purchase_probabilities_hold_on_the_generated_store(bgnbd_transactions):
    """Babystore customers follow BG/NBD (but for the planted orders): a forecast at the cutoff predicts the next 30
    days' buyers."""
    split = next_purchase.time_split(
        bgnbd_transactions,
        "bgnbd",
        today=date(2024, 12, 31),
        evaluation_days=90,
        window_days=30,
        unit="weeks",
        penalizer=0.0,
        draws=400,
        seed=0,
    )
    assert split.expected_buyers == pytest.approx(split.actual_buyers, rel=0.1)
    assert split.brier < split.brier_base, "the model beats the naive rate"
    assert split.errors.loc["model median", "mae_days"] < split.errors.loc["last gap", "mae_days"]


@pytest.mark.parametrize("unit", ["days", "weeks"])
def test_babystore_summary_at_the_cutoff_is_what_the_timing_is_fitted_on(babystore_transactions, unit):
    """The history the timing is fitted on comes with the rhythm, from one pass over the purchases: the same
    frequency, recency and T as `btyd_summary`, on the baby store's returns and multi-line orders too."""
    summary = next_purchase.Histories.at(babystore_transactions, date(2024, 9, 30), unit=unit).summary
    expected = btyd_summary(babystore_transactions, date(2024, 9, 30), unit).execute()
    assert len(summary) > 1000 and (summary["frequency"] > 0).any()
    pd.testing.assert_frame_equal(summary, expected[["customer_id", *HISTORY]])
    model = next_purchase.fit_model("bgnbd", summary, penalizer=0.0)
    assert set(model.params.index) == set(BGNBD)


@pytest.mark.parametrize("rows", [2, 10])
def test_the_action_list_gets_each_customers_offer_by_customer_in_priority_order_a_slice_at_a_time(tmp_path, rows):
    churn = pd.DataFrame({"customer_id": ["c", "a", "b", "z", "y"], "priority": [3, 1, 2, 5, 4],
                          "churn_probability": [0.12345, 0.5, 0.98765, 0.2, 0.3], "action": ["x", "y", "x", "y", "x"],
                          "last_purchase_date": pd.date_range("2024-01-01", periods=5)})  # fmt: skip
    customers = pd.DataFrame({"customer_id": ["a", "b", "c", "d", "z"],
                              "next_best_offer": ["toys", None, "formula", "diapers", None],
                              "offer_send_on": pd.to_datetime(["2024-02-01", None, "2024-02-03", "2024-02-04", None]),
                              "p_purchase_30d": [0.11111, 0.2, 0.33333, 0.4, 0.5], "due_soon": [True] * 5})  # fmt: skip
    churn.to_parquet(tmp_path / "churn.parquet", index=False)
    customers.to_parquet(tmp_path / "next_purchase.parquet", index=False)
    merged = churn.merge(customers.set_index("customer_id"), left_on="customer_id", right_index=True, how="left")
    expected = merged.round(actions.ROUNDING).sort_values("priority").reset_index(drop=True)
    columns = [c.name for c in ACTION_LIST.columns if c.name in expected.columns]
    con = ibis.duckdb.connect()
    listed = action_list_query(con, tmp_path / "churn.parquet", tmp_path / "next_purchase.parquet")
    parts = list(finish_action_list(con, listed, rows))
    assert [len(part) for part in parts] == ([2, 2, 1] if rows == 2 else [5])
    found = pd.concat(parts, ignore_index=True)
    pd.testing.assert_frame_equal(found, expected[columns], check_dtype=False)
    assert found["customer_id"].tolist() == ["a", "b", "c", "y", "z"] and pd.isna(found.loc[4, "next_best_offer"])
    assert found.loc[2, "p_purchase_30d"] == 0.333 and found.loc[0, "churn_probability"] == 0.5
    assert "due_soon" not in found  # only the offer columns join the list
    (header,) = finish_action_list(con, listed.filter(listed.priority > 5), rows)
    assert header.empty and list(header.columns) == columns
