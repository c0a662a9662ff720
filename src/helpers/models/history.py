"""Settings that fit the history the data has.

The defaults (a 180-day CLV holdout, a 12-month CLV horizon, 90-day churn windows over three backtest folds)
suit two years of history. A retailer starting a CRM programme often has a few months. Every one of these
keys that the config does not set is chosen here from the span between the first purchase and the analysis
date, never longer than its default; a key the user set is kept, and named when it leaves a stage no data. The
same function runs in every stage, so each uses the same settings, and 01 states them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from pydantic import BaseModel

from helpers.core.config import WorkbenchConfig

__all__ = [
    "CHURN_HORIZON_SHARE",
    "CLV_HOLDOUT_SHARE",
    "DAYS_PER_MONTH",
    "SEASONS_DAYS",
    "SHORTEST_WINDOW_DAYS",
    "Derived",
    "HistoryFit",
    "Shortfall",
    "earliest_churn_cutoff",
    "fit_to_history",
]

DAYS_PER_MONTH = 30.44
SEASONS_DAYS = 365  # a full year shows every season and festival once
CLV_HOLDOUT_SHARE = 3  # the last third of the history checks the CLV forecasts
CHURN_HORIZON_SHARE = 4  # a churn window is at most a quarter of the history
SHORTEST_WINDOW_DAYS = 7


@dataclass(frozen=True)
class Derived:
    """One setting chosen from the history: its key, the value used and the default it replaces."""

    key: str
    value: int
    default: int


@dataclass(frozen=True)
class Shortfall:
    """A user's setting that leaves a stage no data: the stage, and the date it needs history before."""

    stage: str  # 03_clv or 04_churn
    needs_before: str  # ISO date


@dataclass(frozen=True)
class HistoryFit:
    """The config a run uses on this history, what was chosen for it and what the user's settings leave out."""

    first: date
    today: date
    config: WorkbenchConfig
    derived: tuple[Derived, ...]
    short: tuple[Shortfall, ...]

    @property
    def span_days(self) -> int:
        return (self.today - self.first).days

    def as_json(self) -> dict:
        return {"first": str(self.first), "analysis_date": str(self.today), "span_days": self.span_days,
                "derived": [vars(d) for d in self.derived], "short": [vars(s) for s in self.short],
                "seasons_seen": self.span_days >= SEASONS_DAYS}  # fmt: skip


def _within(value: int, *, low: int, high: int) -> int:
    return max(low, min(high, value))


class _Chooser:
    """Collects the values chosen for the keys a config leaves unset."""

    def __init__(self, config: WorkbenchConfig) -> None:
        self.config = config
        self.derived: list[Derived] = []

    def unset(self, section: str, key: str) -> bool:
        return key not in getattr(self.config, section).model_fields_set

    def current(self, section: str, key: str) -> int:
        return getattr(getattr(self.config, section), key)

    def choose(self, section: str, key: str, value: int) -> None:
        """Use `value` for section.key unless the config sets it; a value equal to the default is no choice."""
        default = self.current(section, key)
        if not self.unset(section, key) or value == default:
            return
        part: BaseModel = getattr(self.config, section)
        self.config = self.config.model_copy(update={section: part.model_copy(update={key: value})})
        self.derived.append(Derived(f"{section}.{key}", value, default))


def earliest_churn_cutoff(today: date, *, horizon: int, step: int, folds: int, train_cutoffs: int) -> date:
    """The earliest training cutoff of the churn backtest (`helpers.models.churn.rolling_folds`' layout)."""
    return today - timedelta(days=2 * horizon + step * (folds - 1 + train_cutoffs - 1))


def fit_to_history(config: WorkbenchConfig, *, first: date, today: date) -> HistoryFit:
    """The config with every unset history-dependent key chosen from the span `first`..`today`."""
    span = (today - first).days
    chooser = _Chooser(config)
    if chooser.unset("clv", "calibration_end"):
        chooser.choose("clv", "holdout_days",
                       _within(span // CLV_HOLDOUT_SHARE, low=1, high=config.clv.holdout_days))  # fmt: skip
    chooser.choose("clv", "horizon_months",
                   _within(round(span / DAYS_PER_MONTH), low=1, high=config.clv.horizon_months))  # fmt: skip
    chooser.choose("segment", "lifecycle_new_days",
                   _within(span // CHURN_HORIZON_SHARE, low=1, high=config.segment.lifecycle_new_days))  # fmt: skip
    _choose_churn_layout(chooser, span, today=today, first=first)
    evaluation = _within(span // CLV_HOLDOUT_SHARE, low=SHORTEST_WINDOW_DAYS, high=config.next_purchase.evaluation_days)
    chooser.choose("next_purchase", "calibration_window_days",
                   min(evaluation, config.next_purchase.calibration_window_days))  # fmt: skip
    chooser.choose("next_purchase", "evaluation_days",
                   max(evaluation, chooser.current("next_purchase", "calibration_window_days")))  # fmt: skip
    return HistoryFit(first, today, chooser.config, tuple(chooser.derived), _shortfalls(chooser.config, first, today))


def _choose_churn_layout(chooser: _Chooser, span: int, *, today: date, first: date) -> None:
    """A churn window of at most a quarter of the history, test cutoffs one window apart, and as many training
    cutoffs, then folds, as leave one window of history before the earliest cutoff."""
    churn = chooser.config.churn
    chooser.choose("churn", "horizon_days",
                   _within(span // CHURN_HORIZON_SHARE, low=SHORTEST_WINDOW_DAYS, high=churn.horizon_days))  # fmt: skip
    horizon = chooser.current("churn", "horizon_days")
    chooser.choose("churn", "cutoff_step_days", min(churn.cutoff_step_days, horizon))

    def fits(folds: int, train_cutoffs: int) -> bool:
        step = chooser.current("churn", "cutoff_step_days")
        earliest = earliest_churn_cutoff(today, horizon=horizon, step=step, folds=folds, train_cutoffs=train_cutoffs)
        return (earliest - first).days >= horizon

    folds, train_cutoffs = churn.folds, churn.train_cutoffs
    while not fits(folds, train_cutoffs) and chooser.unset("churn", "train_cutoffs") and train_cutoffs > 1:
        train_cutoffs -= 1
    while not fits(folds, train_cutoffs) and chooser.unset("churn", "folds") and folds > 1:
        folds -= 1
    chooser.choose("churn", "train_cutoffs", train_cutoffs)
    chooser.choose("churn", "folds", folds)


def _shortfalls(config: WorkbenchConfig, first: date, today: date) -> tuple[Shortfall, ...]:
    """The user's own settings that leave a stage without data (the stage says why when it runs)."""
    short = []
    calibration_end = config.clv.calibration_end or today - timedelta(days=config.clv.holdout_days)
    if calibration_end <= first:
        short.append(Shortfall("03_clv", str(calibration_end)))
    churn = config.churn
    earliest = earliest_churn_cutoff(today, horizon=churn.horizon_days, step=churn.cutoff_step_days,
                                     folds=churn.folds, train_cutoffs=churn.train_cutoffs)  # fmt: skip
    if earliest <= first:
        short.append(Shortfall("04_churn", str(earliest)))
    return tuple(short)
