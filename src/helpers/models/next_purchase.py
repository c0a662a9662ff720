"""When each customer buys next: from the purchase model of 03 and from the customer's own rhythm.

The BTYD models give, for a customer with history (x, t_x, T), P(alive) and, given alive, the
distribution of the waiting time W to the next purchase:

- BG/NBD and MBG/NBD: a customer alive at T drops out only right after a purchase, so the next
  purchase comes for sure, with rate lambda ~ Gamma(r + x, alpha + T): P(W > t) =
  ((alpha + T) / (alpha + T + t))^(r + x), whose quantiles are closed form.
- Pareto/NBD: given alive, lambda ~ Gamma(r + x, alpha + T) and the dropout rate
  mu ~ Gamma(s, beta + T), independent; the next purchase comes before dropout with probability
  lambda / (lambda + mu), after an Exp(lambda + mu) wait. No closed form: we draw (lambda, mu)
  per history pattern and average (seeded, so reruns agree).

So P(purchase within t) = P(alive) x P(W <= t | alive), and "if they buy again, most likely
between 12 and 40 days from now" is the interquartile range of W given that a purchase comes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import ibis
import numpy as np
import pandas as pd
from sklearn.calibration import calibration_curve
from sklearn.metrics import brier_score_loss

from helpers.data.backends import kept
from helpers.data.features import DAYS_PER_UNIT, days_between, fetch, occasions_with_gaps, purchases
from helpers.models import clv
from helpers.models.purchase import PurchaseModel, btyd_history

__all__ = [
    "BASELINES",
    "CLOSED_FORM",
    "PAIRS_PER_CHUNK",
    "PREDICTORS",
    "QUANTILES",
    "TIME_GRID",
    "WINDOWS_DAYS",
    "Histories",
    "TimeSplit",
    "WaitingTime",
    "days_to_next_purchase",
    "fit_model",
    "point_predictions",
    "prediction_errors",
    "purchase_timing",
    "reliability",
    "rhythm",
    "time_split",
]

WINDOWS_DAYS = (7, 30, 90)
QUANTILES = (0.25, 0.5, 0.75)
CLOSED_FORM = ("bgnbd", "mbgnbd")
# Pareto/NBD quantiles: the simulated P(W <= t) of each (frequency, T) pair is tabulated on a grid of waiting
# times (model units) and inverted by interpolation; 30 points a decade put each quantile within 0.5% of the
# simulated distribution's own, far below the simulation's noise. A level beyond the grid's top gets the top.
TIME_GRID = np.concatenate(([0.0], np.geomspace(1e-4, 1e7, 331)))
PAIRS_PER_CHUNK = 2048  # pairs tabulated at once: 2,048 x 400 draws x 8 bytes = 6.5 MB per array
# the point predictions the time split compares; the last two are the naive baselines
PREDICTORS = ("model median", "model median if active", "own rhythm", "last gap", "population median gap")
BASELINES = ("last gap", "population median gap")


@dataclass
class WaitingTime:
    """Given alive, per (frequency, T) pair: P(a next purchase ever comes), P(W <= t) for a t in model units,
    and the quantiles of W given that a purchase comes."""

    ever: np.ndarray
    cdf: Callable[[float], np.ndarray]  # t -> per pair
    quantile: Callable[[np.ndarray, np.ndarray], np.ndarray]  # (pair index, level in (0, 1)) per row -> t


def _bg_family_waiting(params: dict, x: np.ndarray, T: np.ndarray) -> WaitingTime:
    """BG/NBD family: the next purchase comes for sure; its q-quantile is (alpha + T)((1 - q)^(-1/(r + x)) - 1)."""
    shape, scale = params["r"] + x, params["alpha"] + T

    def quantile(pair: np.ndarray, q: np.ndarray) -> np.ndarray:
        return scale[pair] * ((1.0 - q) ** (-1.0 / shape[pair]) - 1.0)

    return WaitingTime(np.ones_like(x), lambda t: 1.0 - (scale / (scale + t)) ** shape, quantile)


def _pareto_waiting(params: dict, x: np.ndarray, *, T: np.ndarray, draws: int, seed: int) -> WaitingTime:
    """Pareto/NBD: P(W <= t) averaged over seeded draws of (lambda, mu) per pair."""
    rng = np.random.default_rng(seed)
    lam = rng.gamma((params["r"] + x)[:, None], 1.0 / (params["alpha"] + T)[:, None], (len(x), draws))
    mu = rng.gamma(params["s"], 1.0 / (params["beta"] + T)[:, None], (len(x), draws))
    rate, first = lam + mu, lam / (lam + mu)

    def cdf(t: float) -> np.ndarray:
        return (first * -np.expm1(-rate * t)).mean(axis=1)

    ever, table = first.mean(axis=1), _tabulate(first, rate)

    def quantile(pair: np.ndarray, q: np.ndarray) -> np.ndarray:
        return _invert(table, pair, q * ever[pair])

    return WaitingTime(ever, cdf, quantile)


def _tabulate(first: np.ndarray, rate: np.ndarray) -> np.ndarray:
    """P(W <= t) at every TIME_GRID point (columns) per pair (rows), a chunk of pairs at a time."""
    table = np.empty((len(first), len(TIME_GRID)))
    for start in range(0, len(first), PAIRS_PER_CHUNK):
        chunk = slice(start, start + PAIRS_PER_CHUNK)
        for column, t in enumerate(TIME_GRID):
            table[chunk, column] = (first[chunk] * -np.expm1(-rate[chunk] * t)).mean(axis=1)
    return table


def _invert(table: np.ndarray, pair: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Per row, the t at which the pair's tabulated P(W <= t) reaches `target` (> 0), interpolated linearly
    between the grid points around it (found by bisection over the grid: P(W <= t) never decreases)."""
    low, high = np.zeros(len(pair), dtype=int), np.full(len(pair), len(TIME_GRID) - 1)
    beyond = table[pair, -1] < target
    while np.any(open_ := high - low > 1):
        middle = (low + high) // 2
        below = open_ & (table[pair, middle] < target)
        low, high = np.where(below, middle, low), np.where(open_ & ~below, middle, high)
    at_low, at_high = table[pair, low], table[pair, high]
    share = ((target - at_low) / np.where(at_high > at_low, at_high - at_low, 1.0)).clip(0.0, 1.0)
    # geometric between grid points (the grid is), arithmetic from 0 to its first point
    first = low == 0
    t = np.where(first, share * TIME_GRID[1], TIME_GRID[np.maximum(low, 1)] ** (1 - share) * TIME_GRID[high] ** share)
    return np.where(beyond, TIME_GRID[-1], t)


def purchase_timing(model: PurchaseModel, *, summary: pd.DataFrame, unit: str, extra_windows: tuple[int, ...] = (),
                    draws: int = 400, seed: int = 0) -> pd.DataFrame:  # fmt: skip
    """Per customer (summary: customer_id, frequency, recency, T in `unit`): p_alive, p_purchase_<w>d for
    each window, and wait_low/median/high_days: the quartiles of the days to the next purchase given that
    one comes; model_median_days: the days by which P(purchase) reaches one half (NaN if it never does).

    The waiting time given alive depends on (frequency, T) only: it is computed once per such pair."""
    patterns = clv.compress(summary)
    patterns["p_alive"] = np.clip(model.p_alive(patterns), 0.0, 1.0)
    pairs = patterns[["frequency", "T"]].drop_duplicates(ignore_index=True)
    x, T = pairs["frequency"].to_numpy(dtype=float), pairs["T"].to_numpy(dtype=float)
    params = {k: float(v) for k, v in model.params.items()}
    closed = model.key in CLOSED_FORM
    waiting = _bg_family_waiting(params, x, T) if closed else _pareto_waiting(params, x, T=T, draws=draws, seed=seed)
    per_day = DAYS_PER_UNIT[unit]
    pairs["ever"], pairs["pair"] = waiting.ever, np.arange(len(pairs))
    for window in sorted({*WINDOWS_DAYS, *extra_windows}):
        pairs[f"cdf_{window}"] = waiting.cdf(window / per_day)
    for name, q in zip(("wait_low_days", "wait_median_days", "wait_high_days"), QUANTILES, strict=True):
        pairs[name] = waiting.quantile(pairs["pair"].to_numpy(), np.full_like(x, q)) * per_day
    out = patterns.merge(pairs, on=["frequency", "T"])
    for window in sorted({*WINDOWS_DAYS, *extra_windows}):
        out[f"p_purchase_{window}d"] = out["p_alive"] * out.pop(f"cdf_{window}")
    # the unconditional median: the (0.5 / P(a purchase comes))-quantile of W given that one comes
    reach = (out["p_alive"] * out.pop("ever")).to_numpy()
    level = np.minimum(0.5 / reach.clip(min=0.5), 1.0 - 1e-9)
    medians = waiting.quantile(out.pop("pair").to_numpy(), level) * per_day
    out["model_median_days"] = np.where(reach > 0.5, medians, np.nan)
    return (
        summary[["customer_id", *clv.PATTERN]]
        .merge(out, on=clv.PATTERN, how="left")
        .drop(columns=[*clv.PATTERN, "weight"])
    )


def rhythm(occasions: ibis.Table, as_of: date) -> pd.DataFrame:
    """Each customer's own rhythm from their purchase occasions up to `as_of` (`occasions_with_gaps`): last purchase,
    purchases, days since the first and the last, the last gap and the median and quartiles of their gaps between
    purchases (days; NaN with a single purchase)."""
    last_gap = occasions.gap.argmax(occasions.purchase_date)
    table = (
        occasions.group_by("customer_id")
        .aggregate(
            first_purchase=occasions.purchase_date.min(),
            last_purchase=occasions.purchase_date.max(),
            purchases=occasions.count(),
            last_gap_days=last_gap,
            typical_gap_days=occasions.gap.median(),
            gap_q1_days=occasions.gap.quantile(0.25),
            gap_q3_days=occasions.gap.quantile(0.75),
        )
        .execute()
        .set_index("customer_id")
        .sort_index()
    )
    table["last_purchase"] = pd.to_datetime(table["last_purchase"])
    table["days_since_last_purchase"] = (pd.Timestamp(as_of) - table["last_purchase"]).dt.days
    table["tenure_days"] = (pd.Timestamp(as_of) - pd.to_datetime(table.pop("first_purchase"))).dt.days
    for column in ("last_gap_days", "typical_gap_days", "gap_q1_days", "gap_q3_days"):
        table[column] = table[column].astype(float)
    return table


@dataclass
class Histories:
    """Every customer's history at one date, from one pass over the purchases: their own rhythm (`rhythm`), their
    BTYD history (`summary`: customer_id and HISTORY in the model's unit, in customer order) and the population's
    median gap between two purchases of one customer (days)."""

    rhythm: pd.DataFrame
    summary: pd.DataFrame
    population_gap: float

    @classmethod
    def at(cls, tx: ibis.Table, as_of: date, *, unit: str) -> Histories:
        # the occasions and their gaps computed once: before, the rhythm, the BTYD summary and the median gap each
        # grouped every line by customer and day again (1e7 lines: three passes, about 9 s of a time split's 25 s)
        with kept(occasions_with_gaps(tx, as_of)) as occasions:
            own = rhythm(occasions, as_of)
            gap = float(occasions.gap.median().execute())
        summary = btyd_history(own["purchases"], tenure_days=own["tenure_days"],
                               recency_days=own["days_since_last_purchase"], unit=unit)  # fmt: skip
        return cls(own, summary.reset_index(), gap)


def point_predictions(timing: pd.DataFrame, own: pd.DataFrame, population_gap: float) -> pd.DataFrame:
    """Days from the as-of date to the next purchase, by each of PREDICTORS (NaN: not expected at all).

    A customer with one purchase has no gap of their own: the rhythm and the last gap fall back to the
    population's median gap."""
    since = own["days_since_last_purchase"]
    timing = timing.set_index("customer_id").reindex(own.index)
    return pd.DataFrame(
        {
            "model median": timing["model_median_days"],
            "model median if active": timing["wait_median_days"],
            "own rhythm": (own["typical_gap_days"].fillna(population_gap) - since).clip(lower=0),
            "last gap": (own["last_gap_days"].fillna(population_gap) - since).clip(lower=0),
            "population median gap": (population_gap - since).clip(lower=0),
        },
        index=own.index,
    )


def days_to_next_purchase(tx: ibis.Table, after: date, until: date) -> pd.Series:
    """Days from `after` to each customer's first purchase in (after, until]; customers without one are absent."""
    occasions = purchases(tx, until)
    later = occasions.filter(occasions.purchase_date > ibis.date(after))
    first = later.group_by("customer_id").aggregate(first=later.purchase_date.min())
    table = fetch(first.select("customer_id", days=days_between(first["first"], ibis.date(after))))
    return table.set_index("customer_id")["days"].astype(float).sort_index()


def prediction_errors(predicted: pd.DataFrame, actual: pd.Series, window_days: int) -> pd.DataFrame:
    """Per predictor, the error in days of the predicted next purchase against the realised one, best first.

    Both sides are capped at the window, so a customer who did not come back counts as 'at the window's end'
    and so does a prediction of 'not at all' or of a later day (a forecast of no purchase for a customer who is
    gone is right). `mae_days` over every customer; `mae_days_buyers` (with the median error and the share
    within 14 days) over those who came back in the window, `mae_days_others` over those who did not. The
    predictors are ranked by `balanced_mae_days`, the mean of those two, so that neither group hides the other:
    a predictor that says 'not in the window' to everyone is right for the many who do not come back and of no
    use for the reminders, which are for those who do."""
    buyers = actual.reindex(predicted.index).notna()
    capped_actual = actual.reindex(predicted.index).fillna(np.inf).clip(upper=window_days)
    rows = {}
    for name in predicted.columns:
        error = (predicted[name].fillna(np.inf).clip(upper=window_days) - capped_actual).abs()
        came_back, others = error[buyers], error[~buyers]
        group_errors = [group.mean() for group in (came_back, others) if len(group)]
        rows[name] = {"customers": len(error), "balanced_mae_days": float(np.mean(group_errors)),
                      "mae_days": error.mean(), "buyers": int(buyers.sum()), "mae_days_buyers": came_back.mean(),
                      "mae_days_others": others.mean(), "median_error_days_buyers": came_back.median(),
                      "within_14_days_buyers": float((came_back <= 14).mean())}  # fmt: skip
    table = pd.DataFrame(rows).T
    table[["buyers", "customers"]] = table[["buyers", "customers"]].astype(int)
    table["kind"] = ["baseline" if name in BASELINES else "model" for name in table.index]
    return table.sort_values("balanced_mae_days", kind="stable").rename_axis("predictor")


def reliability(probability: pd.Series, bought: pd.Series, bins: int = 10) -> pd.DataFrame:
    """Observed share that bought against the mean predicted probability, per probability bin."""
    observed, predicted = calibration_curve(bought, probability, n_bins=bins, strategy="quantile")
    return pd.DataFrame({"mean_predicted": predicted, "observed_rate": observed})


@dataclass
class TimeSplit:
    """The 'when' forecasts made at `cutoff` and checked against what happened in the `horizon_days` after it."""

    cutoff: date
    horizon_days: int  # the window the date errors are capped at
    window_days: int
    customers: int
    expected_buyers: float  # the sum of P(purchase within window_days)
    buyers_sd: float  # its standard deviation: sqrt(sum p(1 - p)), each customer buying or not independently
    actual_buyers: int
    base_rate: float  # the naive forecast of P(purchase within window_days): the rate of the window before (NaN
    # when no customer was known a window before the cutoff)
    brier: float
    brier_base: float
    reliability: pd.DataFrame
    errors: pd.DataFrame  # per predictor
    chosen: str  # the predictor with the smallest error

    def buyers_interval(self, z: float = 1.96) -> tuple[float, float]:
        """The range of buyers the probabilities allow (normal approximation, 95% by default)."""
        return max(0.0, self.expected_buyers - z * self.buyers_sd), self.expected_buyers + z * self.buyers_sd

    @property
    def held(self) -> bool:
        """Whether the buyers who came lie in the range the probabilities allow."""
        low, high = self.buyers_interval()
        return low <= self.actual_buyers <= high

    @property
    def brier_skill(self) -> float:
        """1 - Brier / Brier of the naive rate: the share of the naive forecast's error the model removes."""
        return 1.0 - self.brier / self.brier_base if self.brier_base else float("nan")


def fit_model(model_key: str, summary: pd.DataFrame, *, penalizer: float, parameters: dict | None = None,
              max_customers: int | None = None, random_state: int = 0) -> PurchaseModel:  # fmt: skip
    """The purchase model fitted on the customers' histories (`summary`: HISTORY columns; beyond `max_customers`
    a seeded sample of them, as 03 fits: `clv.fitting_sample`), or of the given `parameters`, fitted before."""
    if parameters is not None:
        return PurchaseModel.with_parameters(model_key, parameters)
    fitted_on = clv.fitting_sample(summary, max_customers, random_state=random_state)
    return PurchaseModel.fit(model_key, clv.compress(fitted_on), penalizer=penalizer)


def time_split(tx: ibis.Table, model_key: str, *, today: date, evaluation_days: int, window_days: int, unit: str,
               penalizer: float, draws: int, seed: int, fit_max_customers: int | None = None) -> TimeSplit:  # fmt: skip
    """Forecast at today - evaluation_days with data up to then only, and score the forecasts on what came (the
    model fitted as 03 fits it: beyond `fit_max_customers` on a seeded sample)."""
    cutoff = today - timedelta(days=evaluation_days)
    history = Histories.at(tx, cutoff, unit=unit)
    model = fit_model(model_key, history.summary, penalizer=penalizer, max_customers=fit_max_customers,
                      random_state=seed)  # fmt: skip
    timing = purchase_timing(model, summary=history.summary, unit=unit, extra_windows=(window_days,), draws=draws,
                             seed=seed)  # fmt: skip
    own = history.rhythm
    predicted = point_predictions(timing, own, history.population_gap)
    actual = days_to_next_purchase(tx, cutoff, today)
    errors = prediction_errors(predicted, actual, evaluation_days)
    probability = timing.set_index("customer_id")[f"p_purchase_{window_days}d"].reindex(own.index)
    bought = actual.reindex(own.index).le(window_days)
    base_rate = _window_rate(tx, cutoff, window_days)
    return TimeSplit(
        cutoff=cutoff,
        horizon_days=evaluation_days,
        window_days=window_days,
        customers=len(own),
        expected_buyers=float(probability.sum()),
        buyers_sd=float(np.sqrt((probability * (1 - probability)).sum())),
        actual_buyers=int(bought.sum()),
        base_rate=base_rate,
        brier=float(brier_score_loss(bought, probability)),
        brier_base=float(brier_score_loss(bought, np.full(len(bought), base_rate)))
        if base_rate == base_rate
        else float("nan"),
        reliability=reliability(probability, bought),
        errors=errors,
        chosen=str(errors.index[0]),
    )


def _window_rate(tx: ibis.Table, cutoff: date, window_days: int) -> float:
    """The naive P(purchase within the window): of the customers known a window before the cutoff, the share
    who bought in the window up to the cutoff."""
    start = cutoff - timedelta(days=window_days)
    occasions = purchases(tx, cutoff)
    known = occasions.group_by("customer_id").aggregate(first=occasions.purchase_date.min(),
                                                         last=occasions.purchase_date.max())  # fmt: skip
    known = known.filter(known["first"] <= ibis.date(start))
    counts = known.aggregate(total=known.count(), came=(known["last"] > ibis.date(start)).sum()).execute().iloc[0]
    total = int(counts["total"])  # with no one, `came` is a sum of nothing: NULL
    return int(counts["came"]) / total if total else float("nan")
