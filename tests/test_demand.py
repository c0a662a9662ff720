"""Demand by region and season (issue 36): monthly demand per region, forecast with a seasonal model, checked against
seasonal-naive on the last months held out, adding up to the total. The generated store plants a summer peak in the
south (SUMMER_REGIONS) and festival months (the festival responders' May and November)."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import ibis
import numpy as np
import pandas as pd
import pytest

from helpers.core.errors import ConfigError
from helpers.data.datasets import BABYSTORE_END, BABYSTORE_START, SUMMER_MONTHS, SUMMER_REGIONS, generate_babystore
from helpers.models import demand
from helpers.models.demand import OTHER, TOTAL
from helpers.stages.demand import series_column


@pytest.fixture(scope="module")
def regional(babystore_transactions) -> dict[str, pd.DataFrame]:
    """The baby store's monthly revenue and units per planted region (month x region)."""
    regions = generate_babystore().truth[["customer_id", "region"]].rename(columns={"region": "_region"})
    tx = babystore_transactions.left_join(ibis.memtable(regions), "customer_id")
    months = demand.complete_months(BABYSTORE_START, BABYSTORE_END)
    return demand.monthly(tx, tx._region, months=months, max_series=12, missing="unknown")


def test_the_forecast_beats_seasonal_naive_for_the_total_and_most_regions(regional):
    for measure, history in regional.items():
        checked = demand.backtest(history, months=6)
        assert checked is not None and checked.table["months_trained"].eq(30).all()
        scores = checked.table.set_index("series")
        assert scores.loc[TOTAL, "mase"] < 1, measure
        assert scores.drop(index=TOTAL)["beats_seasonal_naive"].mean() > 0.5, measure


def test_the_regions_add_up_to_the_total_every_month(regional, babystore_transactions):
    history = regional["revenue"]
    kept = babystore_transactions.filter(~babystore_transactions.is_extreme)
    assert history.to_numpy().sum() == pytest.approx(kept.amount.sum().execute(), rel=1e-9), "every line counted once"
    table = demand.forecast(history, horizon=6, level=0.95, seed=0).table
    parts = table[table["series"] != TOTAL].groupby("month")["forecast"].sum()
    total = table[table["series"] == TOTAL].set_index("month")["forecast"]
    np.testing.assert_allclose(parts.to_numpy(), total.to_numpy(), rtol=1e-12)
    assert (table["low"] <= table["forecast"]).all() and (table["forecast"] <= table["high"]).all()
    assert list(total.index) == list(pd.date_range("2025-01-01", periods=6, freq="MS"))


def test_the_intervals_cover_the_months_held_out(regional):
    """Forecast from the months before the last six: the 95% intervals hold most region-months that followed."""
    history = regional["revenue"]
    table = demand.forecast(history.iloc[:-6], horizon=6, level=0.95, seed=0).table
    actual = history.iloc[-6:].assign(**{TOTAL: history.iloc[-6:].sum(axis=1)}).stack().rename("actual")
    joined = table.set_index(["month", "series"]).join(actual)
    inside = (joined["low"] <= joined["actual"]) & (joined["actual"] <= joined["high"])
    assert len(joined) == 6 * (history.shape[1] + 1) and inside.mean() >= 0.8


def test_the_planted_summer_peak_is_found_in_the_south_only(regional):
    factors = demand.seasonal_factors(regional["revenue"])
    summer = factors[list(SUMMER_MONTHS)].mean(axis=1)
    south = summer[list(SUMMER_REGIONS)]
    assert south.min() > summer.drop(index=list(SUMMER_REGIONS)).max()
    assert (south > 1.1).all()
    peaks = demand.seasonal_peaks(factors, min_lift=0.1).set_index("series")
    assert peaks.loc[list(SUMMER_REGIONS), "lift"].min() >= 0.1


def test_the_festival_months_are_the_totals_peaks(regional):
    revenue = regional["revenue"]
    factors = demand.seasonal_factors(revenue.assign(**{TOTAL: revenue.sum(axis=1)}))
    assert set(factors.loc[TOTAL].nlargest(2).index) == {5, 11}  # Mother's Day, Double 11


def test_complete_months_leave_out_a_partial_first_and_last_month():
    assert list(demand.complete_months(date(2024, 1, 15), date(2024, 4, 29))) == [
        pd.Timestamp("2024-02-01"), pd.Timestamp("2024-03-01")]  # fmt: skip
    assert len(demand.complete_months(date(2024, 1, 1), date(2024, 3, 31))) == 3
    assert demand.complete_months(date(2024, 1, 2), date(2024, 1, 30)).empty


def test_seasonal_naive_repeats_the_same_month_a_year_earlier():
    history = pd.Series(np.arange(24.0))
    assert demand.seasonal_naive(history, 14).tolist() == [*range(12, 24), 12, 13]


def test_a_short_history_gets_a_forecast_without_season_and_no_check():
    months = pd.date_range("2024-01-01", periods=14, freq="MS")
    history = pd.DataFrame({"a": 100 + np.arange(14.0) * 3, "b": 50 + np.sin(np.arange(14.0)) * 5}, index=months)
    assert demand.fit(history["a"]).model.seasonal is None
    assert demand.backtest(history, months=6) is None
    assert demand.seasonal_factors(history).empty
    result = demand.forecast(history, horizon=3, level=0.9, seed=1)
    assert result.periods.loc[TOTAL, "forecast"] == pytest.approx(result.periods.loc[["a", "b"], "forecast"].sum())


def transactions(rows: list[tuple]) -> ibis.Table:
    frame = pd.DataFrame(rows, columns=["customer_id", "order_date", "amount", "quantity", "region"])
    frame["order_date"] = pd.to_datetime(frame["order_date"])
    return ibis.memtable(frame.assign(is_extreme=frame["amount"] > 1000))


def test_lines_without_a_region_are_unknown_and_beyond_the_largest_other():
    tx = transactions([
        ("1", "2024-01-03", 50.0, 1.0, "north"), ("2", "2024-01-09", 30.0, 2.0, "south"),
        ("3", "2024-02-11", 5.0, 1.0, "west"), ("4", "2024-02-12", 7.0, None, None),
        ("5", "2024-02-13", 9.0, 1.0, " "), ("6", "2024-02-14", 5000.0, 1.0, "north"),
        ("7", "2024-03-01", 99.0, 1.0, "north"),
    ])  # fmt: skip
    months = demand.complete_months(date(2024, 1, 1), date(2024, 2, 29))
    found = demand.monthly(tx, tx.region, months=months, max_series=2, missing="unknown")
    revenue = found["revenue"]
    assert set(revenue.columns) == {"north", "south", OTHER}, "unknown (16) and west (5) are the smallest"
    assert revenue[OTHER].tolist() == [0.0, 21.0]
    assert revenue.to_numpy().sum() == pytest.approx(50 + 30 + 5 + 7 + 9), "extreme and later lines left out"
    assert found["units"].to_numpy().sum() == pytest.approx(1 + 2 + 1 + 1)
    total = demand.monthly(tx, None, months=months, max_series=2, missing="")
    assert list(total["revenue"].columns) == [TOTAL] and total["revenue"][TOTAL].tolist() == [80.0, 21.0]


def fake_context(members: pd.DataFrame | None) -> SimpleNamespace:
    return SimpleNamespace(paths=SimpleNamespace(read_optional_table=lambda _name, _columns: members))


def test_the_series_are_the_logs_regions_else_the_members_else_stores_else_channels():
    with_store = ibis.memtable(pd.DataFrame({"customer_id": ["1"], "store": ["S1"], "channel": ["web"]}))
    members = pd.DataFrame({"customer_id": ["1"], "region": ["north"]})
    assert series_column(fake_context(members), with_store, "auto")[0::2] == ("region", "_region")
    assert series_column(fake_context(None), with_store, "auto")[0::2] == ("store", "store")
    assert series_column(fake_context(None), with_store, "channel")[0::2] == ("channel", "channel")
    bare = ibis.memtable(pd.DataFrame({"customer_id": ["1"]}))
    assert series_column(fake_context(None), bare, "auto")[0::2] == ("total", None)
    with pytest.raises(ConfigError, match="demand.by"):
        series_column(fake_context(None), bare, "region")


def test_the_stage_run_writes_a_forecast_whose_regions_add_up_and_its_check(stage_run):
    artifacts = stage_run.run_dir / "artifacts"
    forecast = pd.read_parquet(artifacts / "demand_forecast.parquet")
    assert set(forecast["by"]) == {"region"} and set(forecast["measure"]) == {"revenue", "units"}
    parts = forecast[forecast["region"] != TOTAL].groupby(["measure", "month"])["forecast"].sum()
    total = forecast[forecast["region"] == TOTAL].set_index(["measure", "month"])["forecast"]
    np.testing.assert_allclose(parts.sort_index().to_numpy(), total.sort_index().to_numpy(), rtol=1e-9)
    today = pd.Timestamp(stage_run.results["next_purchase"].today)
    first = today.to_period("M").to_timestamp() + (pd.offsets.MonthBegin(1) if today.is_month_end else pd.Timedelta(0))
    assert forecast["month"].min() == first, "the forecast starts after the last complete month"
    may = forecast.loc[forecast["month"].dt.month == 5, "festivals"]
    assert len(may) and may.str.contains("Mother's Day").all()
    checked = pd.read_parquet(artifacts / "demand_backtest.parquet")
    assert TOTAL in set(checked["series"]) and (checked["mase"] == checked["mae"] / checked["mae_seasonal_naive"]).all()
