"""Demand by region and season, in 05_next_purchase: monthly revenue and units per region (the log's, else the
member table's; else per store or channel), forecast and checked against seasonal-naive; writes
demand_forecast.parquet and demand_backtest.parquet."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import ibis
import pandas as pd

from helpers.core.config import CareSection, DemandSection
from helpers.core.errors import ConfigError
from helpers.data.features import columns_with_values
from helpers.language.formatting import month_name
from helpers.language.i18n import t
from helpers.models import care, demand
from helpers.models.demand import Backtest, DemandForecast
from helpers.models.profiles import NO_STORE
from helpers.report import plots
from helpers.stages.context import StageContext

__all__ = ["MISSING", "Demand", "demand_tables", "forecast_demand", "series_column", "write_demand"]

MISSING = {"region": "unknown", "store": NO_STORE, "channel": "unknown"}


@dataclass
class Demand:
    """What the page shows of the demand forecast; no forecasts when the history has fewer than
    demand.MIN_MONTHS complete months."""

    by: str  # region, store, channel or total
    months: pd.DatetimeIndex  # the complete months seen
    forecasts: dict[str, DemandForecast]  # per measure
    backtests: dict[str, Backtest | None]  # per measure; None when the history is too short to hold months out
    seasons: pd.DataFrame  # revenue's seasonal factors: series (and total) x calendar month
    peaks: pd.DataFrame  # the series' (and the total's) peak months: series, month (1-12), lift
    festivals: pd.Series  # per forecast month: the festivals in it
    settings: DemandSection


def series_column(context: StageContext, tx: ibis.Table, by: str) -> tuple[str, ibis.Table, str | None]:
    """What a series is (region, store, channel or total), the lines to count (with the member table's region
    joined when the log has none) and the column naming the series (None: the total only)."""
    choices = ("region", "store", "channel") if by == "auto" else (by,)
    given = columns_with_values(tx, [c for c in choices if c != "total"])
    for choice in choices:
        if choice in given:
            return choice, tx, choice
        if choice == "region":
            regions = context.paths.read_optional_table("customers.parquet", ["customer_id", "region"])
            if regions is not None and regions["region"].notna().any():
                members = ibis.memtable(regions.rename(columns={"region": "_region"}).drop_duplicates("customer_id"))
                return "region", tx.left_join(members, "customer_id"), "_region"
        if choice == "total":
            return "total", tx, None
    if by != "auto":
        raise ConfigError(t("demand.by is {by}, but neither the log nor a member table gives one", by=by))
    return "total", tx, None


def _festivals(months: pd.DatetimeIndex, settings: CareSection) -> pd.Series:
    """The festivals (care.festivals, care.own_days) falling in each month."""
    dates = care.festival_dates({m.year for m in months}, own_days=settings.own_days, only=settings.festivals)
    month = pd.to_datetime(dates["date"]).dt.to_period("M").dt.to_timestamp()
    names = dates.assign(month=month).groupby("month")["festival"].agg(lambda f: ", ".join(dict.fromkeys(f)))
    return names.reindex(months).fillna("")


def forecast_demand(context: StageContext, tx: ibis.Table, *, first: date, today: date, settings: DemandSection,
                    care_settings: CareSection, seed: int) -> Demand:  # fmt: skip
    """Monthly demand per series over the complete months of the history, its backtest and its forecast."""
    by, lines, column = series_column(context, tx, settings.by)
    months = demand.complete_months(first, today)
    if len(months) < demand.MIN_MONTHS:
        return Demand(by, months, {}, {}, pd.DataFrame(), pd.DataFrame(), pd.Series(dtype=str), settings)
    key = None if column is None else lines[column]
    history = demand.monthly(lines, key, months=months, max_series=settings.max_series, missing=MISSING.get(by, ""))
    forecasts = {measure: demand.forecast(frame, horizon=settings.horizon_months, level=settings.interval, seed=seed)
                 for measure, frame in history.items()}  # fmt: skip
    backtests = {measure: demand.backtest(frame, months=settings.backtest_months) for measure, frame in history.items()}
    ahead = pd.date_range(months[-1] + pd.offsets.MonthBegin(1), periods=settings.horizon_months, freq="MS")
    revenue = history["revenue"]
    seasons = demand.seasonal_factors(revenue.assign(**{demand.TOTAL: revenue.sum(axis=1)}))
    peaks = demand.seasonal_peaks(seasons, min_lift=settings.min_peak_lift)
    return Demand(by, months, forecasts, backtests, seasons, peaks, _festivals(ahead, care_settings), settings)


def demand_tables(found: Demand) -> tuple[pd.DataFrame, pd.DataFrame]:
    """demand_forecast.parquet and demand_backtest.parquet (empty when there was no forecast or no backtest)."""
    forecasts = [
        result.table.rename(columns={"series": "region"}).assign(measure=measure, by=found.by)
        for measure, result in found.forecasts.items()
    ]
    backtests = [result.table.assign(measure=measure) for measure, result in found.backtests.items() if result]
    forecast_columns = ["measure", "by", "region", "month", "forecast", "low", "high", "model", "festivals"]
    backtest_columns = ["measure", "series", "months_trained", "months_tested", "model", "mae", "mae_seasonal_naive",
                        "mase", "beats_seasonal_naive"]  # fmt: skip
    forecast = pd.concat(forecasts, ignore_index=True) if forecasts else pd.DataFrame(columns=forecast_columns)
    forecast["festivals"] = forecast["month"].map(found.festivals).astype("string")
    backtest = pd.concat(backtests, ignore_index=True) if backtests else pd.DataFrame(columns=backtest_columns)
    return forecast[forecast_columns], backtest[backtest_columns]


def write_demand(context: StageContext, found: Demand) -> None:
    """Write the forecast and its check, and draw the total's forecast and the seasons."""
    forecast, backtest = demand_tables(found)
    context.paths.write_table(forecast, "demand_forecast.parquet")
    context.paths.write_table(backtest, "demand_backtest.parquet")
    if not found.forecasts:
        return
    revenue = found.forecasts["revenue"]
    total = revenue.table[revenue.table["series"] == demand.TOTAL]
    peak_months = set(found.peaks.loc[found.peaks["series"] == demand.TOTAL, "month"])
    if not found.seasons.empty and demand.TOTAL in found.seasons.index:
        lifted = found.seasons.loc[demand.TOTAL] >= 1 + found.settings.min_peak_lift
        peak_months |= set(lifted.index[lifted.to_numpy()].astype(int))
    named = {m: ", ".join(t(f) for f in found.festivals.get(m, "").split(", ") if f) for m in total["month"]
             if m.month in peak_months}  # fmt: skip
    context.figure("05_demand", plots.demand_forecast(revenue.total_history, total, level=revenue.level,
                                                      peaks=pd.Series(named, dtype=object)))  # fmt: skip
    if not found.seasons.empty:
        revenue_order = revenue.last_twelve_months.drop(demand.TOTAL).sort_values(ascending=False).index
        order = [s for s in [*revenue_order, demand.TOTAL] if s in found.seasons.index]
        seasons = found.seasons.loc[order].rename(index=t, columns=lambda m: month_name(int(m)))
        context.figure("05_demand_seasons", plots.heatmap(seasons, t("Demand per calendar month against an average "
                                                                     "month"), xlabel=t("month"), ylabel=t(found.by),
                                                          percent=True))  # fmt: skip
