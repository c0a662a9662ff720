"""Monthly demand per region (or store, or channel) and season.

Each series is forecast by exponential smoothing (statsmodels ETS with a damped trend), checked on
the last months held out against seasonal-naive (the same month a year earlier), and added up bottom-up, so the
series sum to the total; intervals come from simulated paths, summed across series for the total.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from datetime import date

import ibis
import numpy as np
import pandas as pd
from statsmodels.tools.sm_exceptions import ConvergenceWarning
from statsmodels.tsa.exponential_smoothing.ets import ETSModel, ETSResults
from statsmodels.tsa.seasonal import seasonal_decompose

from helpers.data.features import columns_with_values

__all__ = [
    "MEASURES",
    "MIN_MONTHS",
    "OTHER",
    "SEASON",
    "SIMULATIONS",
    "SUM_DECIMALS",
    "TOTAL",
    "Backtest",
    "DemandForecast",
    "backtest",
    "complete_months",
    "fit",
    "forecast",
    "monthly",
    "seasonal_factors",
    "seasonal_naive",
    "seasonal_peaks",
]

SEASON = 12  # months in a season's cycle
MIN_MONTHS = 6  # fewer complete months: no forecast
TOTAL, OTHER = "total", "other"
MEASURES = ("revenue", "units")
SIMULATIONS = 1_000
SUM_DECIMALS = 6  # a month's sums are rounded to this: the same on every engine, whatever its order of addition


def complete_months(first: date, today: date) -> pd.DatetimeIndex:
    """The calendar months wholly inside [first, today], as their first days."""
    start = pd.Timestamp(first).to_period("M") + (0 if pd.Timestamp(first).day == 1 else 1)
    end = pd.Timestamp(today).to_period("M") - (0 if pd.Timestamp(today).is_month_end else 1)
    return pd.period_range(start, end, freq="M").to_timestamp() if end >= start else pd.DatetimeIndex([])


def monthly(tx: ibis.Table, key: ibis.Column | None, *, months: pd.DatetimeIndex, max_series: int,
            missing: str) -> dict[str, pd.DataFrame]:  # fmt: skip
    """Per measure (revenue; units when the log has quantities): a month x series frame of net demand, returns
    netted, over `months`. A series is a value of `key` (none: the total only); lines without one are `missing`;
    beyond the `max_series` largest by revenue, the rest are OTHER."""
    if months.empty:
        return {}
    start, end = months[0], months[-1] + pd.offsets.MonthEnd(1) + pd.Timedelta(days=1)
    within = tx.filter((tx.order_date >= start.to_pydatetime()) & (tx.order_date < end.to_pydatetime()))
    if "is_extreme" in tx.columns:  # an extreme line is one customer's, not the month's demand
        within = within.filter(~within.is_extreme)
    series = ibis.literal(TOTAL) if key is None else key.cast("string").fill_null(missing)
    series = ibis.ifelse(series.strip() == "", missing, series) if key is not None else series
    metrics = {"revenue": within.amount.sum()}
    if columns_with_values(within, ["quantity"]):
        metrics["units"] = within.quantity.sum()
    grouped = within.mutate(_series=series, _month=within.order_date.truncate("M"))
    counted = grouped.group_by(["_series", "_month"]).aggregate(**metrics).execute()
    # engines add in different orders, which moves the last bits; the seasonal fits would carry that into forecasts
    counted[list(metrics)] = counted[list(metrics)].round(SUM_DECIMALS)
    counted["_month"] = pd.to_datetime(counted["_month"]).dt.tz_localize(None).dt.normalize()
    kept = counted.groupby("_series")["revenue"].sum().sort_values(ascending=False).index[:max_series]
    counted["_series"] = counted["_series"].where(counted["_series"].isin(kept), OTHER)
    return {
        measure: counted.pivot_table(index="_month", columns="_series", values=measure, aggfunc="sum")
        .reindex(months)
        .fillna(0.0)
        .rename_axis(index="month", columns="series")
        for measure in metrics
    }


def seasonal_naive(history: pd.Series, horizon: int) -> np.ndarray:
    """The same month a year earlier, repeated for horizons beyond a year."""
    last_year = history.to_numpy()[-SEASON:]
    return np.array([last_year[step % SEASON] for step in range(horizon)])


def fit(history: pd.Series) -> ETSResults:
    """ETS with a damped trend (the robust default of forecasting competitions: a store that grows or shrinks is
    followed, and not extrapolated forever) and the season, additive or multiplicative, of lower AICc, when two
    full cycles allow one; multiplicative errors for a series that is positive throughout."""
    positive = bool((history > 0).all())
    seasons: tuple[str | None, ...] = ("add", "mul") if positive else ("add",)
    if len(history) < 2 * SEASON:
        seasons = (None,)
    best: ETSResults | None = None
    with warnings.catch_warnings():  # a candidate that does not converge loses on AICc anyway
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        for season in seasons:
            model = ETSModel(history.astype(float), error="mul" if positive else "add", trend="add", damped_trend=True,
                             seasonal=season, seasonal_periods=SEASON if season else None)  # fmt: skip
            result = model.fit(disp=False)
            if best is None or (np.isfinite(result.aicc) and result.aicc < best.aicc):
                best = result
    assert best is not None
    return best


def _label(result: ETSResults) -> str:
    model = result.model
    trend = "N" if model.trend is None else ("Ad" if model.damped_trend else "A")
    season = "N" if model.seasonal is None else model.seasonal[0].upper()
    return f"ETS({model.error[0].upper()},{trend},{season})"


def _paths(result: ETSResults, horizon: int, rng: np.random.Generator) -> np.ndarray:
    """SIMULATIONS simulated futures (horizon x SIMULATIONS)."""
    return np.asarray(result.simulate(horizon, anchor="end", repetitions=SIMULATIONS, rng=rng)).reshape(horizon, -1)


@dataclass(frozen=True)
class DemandForecast:
    """Per series and the bottom-up total: the monthly history, the forecast with its interval, the model."""

    history: pd.DataFrame  # month x series (no total)
    table: pd.DataFrame  # series, month, forecast, low, high, model: the series' rows, then the total's
    periods: pd.DataFrame  # per series and total (index): forecast, low, high of the whole horizon
    level: float

    @property
    def total_history(self) -> pd.Series:
        return self.history.sum(axis=1)

    @property
    def last_twelve_months(self) -> pd.Series:
        """Per series and the total: the sum of the last 12 months seen."""
        return self.history.assign(**{TOTAL: self.total_history}).iloc[-12:].sum()


def _interval(paths: np.ndarray, level: float, axis: int) -> tuple[np.ndarray, np.ndarray]:
    tail = (1 - level) / 2
    return np.quantile(paths, tail, axis=axis).clip(min=0.0), np.quantile(paths, 1 - tail, axis=axis).clip(min=0.0)


def forecast(history: pd.DataFrame, *, horizon: int, level: float, seed: int) -> DemandForecast:
    """Every series of `history` (month x series) fitted and forecast `horizon` months ahead; the total is the sum
    of the series' forecasts, its interval from their simulated paths summed (the series' surprises taken as
    independent)."""
    rng = np.random.default_rng(seed)
    months = pd.date_range(history.index[-1] + pd.offsets.MonthBegin(1), periods=horizon, freq="MS")
    rows, periods, paths = [], {}, {}
    for name in history.columns:
        result = fit(history[name])
        paths[name] = _paths(result, horizon, rng)
        point = np.asarray(result.forecast(horizon))
        low, high = _interval(paths[name], level, axis=1)
        rows.append(pd.DataFrame({"series": name, "month": months, "forecast": point, "low": low, "high": high,
                                  "model": _label(result)}))  # fmt: skip
        periods[name] = (point.sum(), *_interval(paths[name].sum(axis=0), level, axis=0))
    point = np.sum([frame["forecast"].to_numpy() for frame in rows], axis=0)
    total_paths = np.sum(list(paths.values()), axis=0)
    low, high = _interval(total_paths, level, axis=1)
    rows.append(pd.DataFrame({"series": TOTAL, "month": months, "forecast": point, "low": low, "high": high,
                              "model": "sum of the series"}))  # fmt: skip
    periods[TOTAL] = (point.sum(), *_interval(total_paths.sum(axis=0), level, axis=0))
    period_table = pd.DataFrame.from_dict(periods, orient="index", columns=["forecast", "low", "high"]).astype(float)
    return DemandForecast(history, pd.concat(rows, ignore_index=True), period_table.rename_axis("series"), level)


@dataclass(frozen=True)
class Backtest:
    """The forecast from the months before the last `months` held out, against seasonal-naive on them."""

    months: int
    table: pd.DataFrame  # series, months_trained, months_tested, model, mae, mae_seasonal_naive, mase, beats
    predicted: pd.DataFrame  # month x series (and total): what the model said for the held-out months


def backtest(history: pd.DataFrame, *, months: int) -> Backtest | None:
    """Fit each series on all but its last `months`, forecast them, and compare the mean absolute error with
    seasonal-naive's on the same months (MASE here: the forecast's error scaled by seasonal-naive's, < 1 is
    better); the total is the sum of the series' forecasts. None when the history is shorter than a season and
    the months held out."""
    if len(history) < SEASON + months:
        return None
    train, test = history.iloc[:-months], history.iloc[-months:]
    fitted = {name: fit(train[name]) for name in history.columns}
    predicted = pd.DataFrame({name: np.asarray(result.forecast(months)) for name, result in fitted.items()},
                             index=test.index)  # fmt: skip
    naive = pd.DataFrame({name: seasonal_naive(train[name], months) for name in history.columns}, index=test.index)
    predicted[TOTAL], naive[TOTAL] = predicted.sum(axis=1), naive.sum(axis=1)
    test = test.assign(**{TOTAL: test.sum(axis=1)})
    labels = {name: _label(result) for name, result in fitted.items()} | {TOTAL: "sum of the series"}
    rows = []
    for name in test.columns:
        error = float(np.abs(predicted[name] - test[name]).mean())
        benchmark = float(np.abs(naive[name] - test[name]).mean())
        rows.append({"series": name, "months_trained": len(train), "months_tested": months, "model": labels[name],
                     "mae": error, "mae_seasonal_naive": benchmark,
                     "mase": error / benchmark if benchmark > 0 else np.nan})  # fmt: skip
    table = pd.DataFrame(rows)
    table["beats_seasonal_naive"] = table["mase"] < 1
    return Backtest(months, table, predicted)


def seasonal_factors(history: pd.DataFrame) -> pd.DataFrame:
    """Per series with two full cycles and positive months (rows) and calendar month 1-12 (columns): the month's
    demand over an average month's, by classical multiplicative decomposition; empty with a shorter history."""
    if len(history) < 2 * SEASON:
        return pd.DataFrame(columns=range(1, SEASON + 1), dtype=float)
    factors = {}
    for name in history.columns:
        if (history[name] > 0).all():
            seasonal = seasonal_decompose(history[name], model="multiplicative", period=SEASON).seasonal
            factors[name] = seasonal.groupby(seasonal.index.month).mean()
    return pd.DataFrame(factors, index=range(1, SEASON + 1), dtype=float).T.rename_axis(index="series", columns="month")


def seasonal_peaks(factors: pd.DataFrame, *, min_lift: float) -> pd.DataFrame:
    """Per series: its peak calendar month and how far above an average month it lies, when at least `min_lift`,
    largest first."""
    peaks = pd.DataFrame({"series": factors.index, "month": factors.idxmax(axis=1).astype(int).to_numpy(),
                          "lift": (factors.max(axis=1) - 1).to_numpy()})  # fmt: skip
    return peaks[peaks["lift"] >= min_lift].sort_values("lift", ascending=False).reset_index(drop=True)
