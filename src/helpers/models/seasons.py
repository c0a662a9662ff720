"""Seasons in the purchase forecast: a calendar-month index of the purchase rate, relative to a fitted BTYD model.

A BTYD model has one purchase rate per customer, constant over the year; a gift shop sells twice as much in
November. The index is, per calendar month, the repeat purchases that happened over the calibration period
divided by those the model expected in it (its population-level expectation, cohort by cohort), shrunk towards 1
by PSEUDO_PURCHASES. A forecast over a window is then the model's forecast times the index averaged over the
window, weighted by what the model expects each day. It needs a full year of calibration history, so every
calendar month has been seen at least once; with less, there is no index.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import cast

import numpy as np
import pandas as pd

from helpers.data.features import DAYS_PER_UNIT

__all__ = [
    "MIN_CALIBRATION_DAYS",
    "MONTHS",
    "PSEUDO_PURCHASES",
    "MonthIndex",
    "SeasonCheck",
    "check_on_holdout",
    "daily_increments",
    "holdout_factor",
    "month_index",
]

MIN_CALIBRATION_DAYS = 365
PSEUDO_PURCHASES = 20.0  # expected purchases added to both sides of a month's ratio: a thin month stays near 1
MONTHS = range(1, 13)


@dataclass(frozen=True)
class MonthIndex:
    """Purchase rate by calendar month relative to the model's (1 = as the model expects), and its basis."""

    index: pd.Series  # calendar month (1..12) -> index
    actual: pd.Series  # calendar month -> repeat purchases in the calibration period
    expected: pd.Series  # calendar month -> the model's expected repeat purchases there

    def over(self, days: pd.DatetimeIndex, weights: np.ndarray | None = None) -> float:
        """The index averaged over `days` (weighted by what the model expects on each, when given)."""
        values = self.index.reindex(days.month).to_numpy()
        return float(np.average(values, weights=weights))

    def over_window(self, start: date, days: int) -> float:
        """The index averaged over the `days` days from `start` (equal weights)."""
        return self.over(pd.date_range(start, periods=max(int(days), 1), freq="D"))

    def peak(self) -> tuple[int, float]:
        month = int(cast(int, self.index.idxmax()))
        return month, float(self.index[month])

    def trough(self) -> tuple[int, float]:
        month = int(cast(int, self.index.idxmin()))
        return month, float(self.index[month])


def daily_increments(cumulative: pd.Series, start: pd.Timestamp, unit: str) -> pd.Series:
    """Per-period increments of a cumulative curve (index: period 1, 2, ...) as a daily series: each period's
    purchases spread evenly over its days, dated from `start` (the earliest first purchase)."""
    per_period = cumulative.diff().fillna(cumulative.iloc[0]).clip(lower=0.0).to_numpy()
    days_per_period = DAYS_PER_UNIT[unit]
    day_numbers = np.arange(int(np.ceil(len(per_period) * days_per_period)))
    period = np.minimum((day_numbers // days_per_period).astype(int), len(per_period) - 1)
    share = per_period[period] / days_per_period
    return pd.Series(share, index=pd.Timestamp(start) + pd.to_timedelta(day_numbers, unit="D"))


def month_index(cumulative: pd.DataFrame, model_label: str, *, start: pd.Timestamp, calibration_end: date,
                unit: str) -> MonthIndex | None:  # fmt: skip
    """The calendar-month index of the model's purchase rate over the calibration period (`cumulative`: actual and
    each model's cumulative repeat purchases by period, `helpers.models.clv.cumulative_repeat_purchases`); None
    with less than MIN_CALIBRATION_DAYS of calibration history."""
    if (pd.Timestamp(calibration_end) - pd.Timestamp(start)).days < MIN_CALIBRATION_DAYS:
        return None
    actual = daily_increments(cumulative["actual"], start, unit)
    expected = daily_increments(cumulative[model_label], start, unit)
    days = cast(pd.DatetimeIndex, actual.index)
    within = days <= pd.Timestamp(calibration_end)
    by_month_actual = actual[within].groupby(days[within].month).sum().reindex(MONTHS, fill_value=0.0)
    by_month_expected = (
        expected[within]
        .groupby(cast(pd.DatetimeIndex, expected.index)[within].month)
        .sum()
        .reindex(MONTHS, fill_value=0.0)
    )
    index = (by_month_actual + PSEUDO_PURCHASES) / (by_month_expected + PSEUDO_PURCHASES)
    return MonthIndex(index.rename("index"), by_month_actual, by_month_expected)


def holdout_factor(season: MonthIndex, cumulative: pd.DataFrame, model_label: str, *, start: pd.Timestamp,
                   calibration_end: date, unit: str) -> float:  # fmt: skip
    """The index over the holdout (after `calibration_end`), weighted by the purchases the model expects on each
    day of it: what the model's holdout forecast is multiplied by."""
    expected = daily_increments(cumulative[model_label], start, unit)
    after = expected[expected.index > pd.Timestamp(calibration_end)]
    if after.empty or after.sum() <= 0:
        return 1.0
    return season.over(pd.DatetimeIndex(after.index), weights=after.to_numpy())


@dataclass(frozen=True)
class SeasonCheck:
    """The month index checked on the holdout: the model's holdout error without and with it, whether the CLV
    forecast uses it (it must forecast the holdout better), and the factor it applies over the CLV horizon."""

    season: MonthIndex
    holdout_factor: float
    plain_error: float  # predicted / actual - 1 over the holdout
    seasonal_error: float
    horizon_factor: float

    @property
    def used(self) -> bool:
        return abs(self.seasonal_error) < abs(self.plain_error)

    def as_json(self) -> dict:
        return {"index": {str(m): round(float(v), 4) for m, v in self.season.index.items()},
                "holdout_factor": self.holdout_factor, "plain_error": self.plain_error,
                "seasonal_error": self.seasonal_error, "horizon_factor": self.horizon_factor,
                "used": self.used}  # fmt: skip


def check_on_holdout(season: MonthIndex, cumulative: pd.DataFrame, model_label: str, *, predicted: float,
                     actual: float, start: pd.Timestamp, calibration_end: date, unit: str, horizon_start: date,
                     horizon_days: int) -> SeasonCheck:  # fmt: skip
    """The model's holdout forecast (`predicted` purchases against `actual`) with and without the index."""
    factor = holdout_factor(season, cumulative, model_label, start=start, calibration_end=calibration_end, unit=unit)
    plain, seasonal = (
        forecast / actual - 1.0 if actual else float("nan") for forecast in (predicted, predicted * factor)
    )
    return SeasonCheck(season, factor, plain, seasonal, season.over_window(horizon_start, horizon_days))
