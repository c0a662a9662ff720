"""The purchase models behind one interface, `PurchaseModel`: the only module that reaches into `lifetimes`.

BG/NBD, Pareto/NBD and MBG/NBD describe when a customer buys while still a customer and when they stop. A
`PurchaseModel` is fitted on the unique (frequency, recency, T) patterns with their counts as weights (the cost
does not grow with the customers) and answers, for histories in a frame with columns frequency, recency and T:
`expected_purchases`, `expected_purchases_of_new`, `p_alive`, `p_no_purchase` and `log_likelihood`. The
lifetimes fitters, and the repairs this workbench makes to them (an exact, deterministic Pareto/NBD; fits from
several starts; a bounded refit where a search runs off along a flat likelihood), stay in here: a successor
library replaces this module only.
"""

from __future__ import annotations

import io
import warnings
from contextlib import redirect_stdout
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import lifetimes
import numpy as np
import pandas as pd
from lifetimes.utils import ConvergenceError
from scipy.optimize import minimize
from scipy.special import gammaln, hyp2f1

from helpers.core.errors import ClvFitError
from helpers.data.features import DAYS_PER_UNIT
from helpers.language.i18n import t

__all__ = [
    "FLAT_RAY_MODELS",
    "HISTORY",
    "LOG_BOUND",
    "LOG_STARTS",
    "MIN_FIT_CUSTOMERS",
    "MODELS",
    "PARAMETER_COUNTS",
    "ParetoNBD",
    "PurchaseModel",
    "bounded_fit",
    "btyd_history",
    "fit_from_starts",
    "not_converged",
    "within_bounds",
]


@dataclass(frozen=True)
class _DistinctPairs:
    """The distinct (frequency, time) pairs of many rows, and which pair each row has."""

    frequency: np.ndarray
    time: np.ndarray
    row_pair: np.ndarray

    @classmethod
    def of(cls, frequency: np.ndarray, time: np.ndarray) -> _DistinctPairs:
        """The pairs found by hashing (pandas' factorize), in linear time."""
        frequency_codes, frequencies = pd.factorize(frequency, use_na_sentinel=False)
        time_codes, times = pd.factorize(time, use_na_sentinel=False)
        row_pair, keys = pd.factorize(frequency_codes.astype(np.int64) * len(times) + time_codes)
        return cls(np.asarray(frequencies)[keys // len(times)], np.asarray(times)[keys % len(times)], row_pair)


class ParetoNBD(lifetimes.ParetoNBDFitter):
    """lifetimes' Pareto/NBD with an exact A_0 and a deterministic, bounded maximum-likelihood fit.

    A_0 (Fader-Hardie note 009, eq. 19-20) is a difference of two terms that are equal when
    recency == T; lifetimes takes the log of the rounded difference and gets NaN there (a
    customer who bought on the last day). It is exactly 0 then and never negative.

    lifetimes fits by Nelder-Mead from unseeded random values and stops early on the flat
    (s, beta) ridge. We maximise the same likelihood with L-BFGS-B in log-parameters from a
    fixed start. When dropout rates barely vary between customers the likelihood keeps rising,
    ever more slowly, as s and beta grow together, and each step costs more (hyp2f1 in s).
    The search stops at s = 50 (dropout rates varying by 14% between customers, in effect none)
    with s/beta, and so the predictions, where the data put them: seconds instead of minutes.
    """

    MAX_S = 50.0
    BOUNDS = ((1e-6, 1e6), (1e-6, 1e6), (1e-6, MAX_S), (1e-6, 1e6))  # r, alpha, s, beta (rescaled time)

    @staticmethod
    def _log_A_0(params, freq, recency, age, pairs: tuple[_DistinctPairs, _DistinctPairs] | None = None):
        """lifetimes' log A_0 to rounding, at a fraction of its cost: hyp2f1 once per distinct (frequency, recency)
        and (frequency, age) pair (614,511 patterns at 1e7 have about 20,000), and log(e^a - e^b) without scipy's
        general logsumexp. `pairs`: those pairs, when the caller evaluates the same rows many times."""
        r, alpha, s, beta = params
        shape = np.broadcast(freq, recency, age).shape
        freq, recency, age = (np.broadcast_to(np.asarray(v, dtype=float), shape).ravel() for v in (freq, recency, age))
        at_recency, at_age = pairs or (_DistinctPairs.of(freq, recency), _DistinctPairs.of(freq, age))
        low, high = min(alpha, beta), max(alpha, beta)

        def log_hyp2f1(at: _DistinctPairs) -> np.ndarray:
            rsf = r + s + at.frequency
            return np.log(
                hyp2f1(rsf, r + at.frequency if alpha < beta else s + 1, rsf + 1.0, (high - low) / (high + at.time))
            )[at.row_pair]

        rsf = r + s + freq
        q_1, q_2 = high + recency, high + age
        with np.errstate(invalid="ignore", divide="ignore"):  # log(e^first - e^second), NaN where not positive
            first, second = log_hyp2f1(at_recency) + rsf * np.log(q_2), log_hyp2f1(at_age) + rsf * np.log(q_1)
            value = first + np.log1p(-np.exp(second - first)) - rsf * np.log(q_1 * q_2)
        return np.where(np.isnan(value) | (recency >= age), -np.inf, value).reshape(shape)

    @staticmethod
    def _conditional_log_likelihood(params, freq, rec, T, pairs: tuple[_DistinctPairs, _DistinctPairs] | None = None):
        r, alpha, s, beta = params
        log_a0 = ParetoNBD._log_A_0(params, freq, rec, T, pairs)
        a1 = gammaln(r + freq) - gammaln(r) + r * np.log(alpha) + s * np.log(beta)
        a2 = np.logaddexp(
            -(r + freq) * np.log(alpha + T) - s * np.log(beta + T), np.log(s) + log_a0 - np.log(r + s + freq)
        )
        return a1 + a2

    def fit(self, frequency, recency, T, *, weights):
        """Maximum-likelihood parameters on (weighted) patterns; time rescaled so the oldest T is 1."""
        x, t_x, age, w = (np.asarray(v, dtype=float) for v in (frequency, recency, T, weights))
        scale = 1.0 / age.max()
        recency_scaled, age_scaled = t_x * scale, age * scale
        pairs = (_DistinctPairs.of(x, recency_scaled), _DistinctPairs.of(x, age_scaled))

        def objective(log_params):
            params = np.exp(log_params)
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                log_lik = self._conditional_log_likelihood(params, x, recency_scaled, age_scaled, pairs)
            value = -(w * log_lik).sum() / w.sum() + self.penalizer_coef * (params**2).sum() / len(w)
            return value if np.isfinite(value) else 1e300

        result = minimize(objective, np.zeros(4), method="L-BFGS-B", bounds=np.log(self.BOUNDS),
                          options={"ftol": 1e-13, "gtol": 1e-9, "maxiter": 5000})  # fmt: skip
        if not np.isfinite(result.fun) or result.fun >= 1e300:
            raise ConvergenceError(f"no finite likelihood found ({result.message})")
        r, alpha, s, beta = np.exp(result.x)
        self.params_ = pd.Series({"r": r, "alpha": alpha / scale, "s": s, "beta": beta / scale})
        self.predict = self.conditional_expected_number_of_purchases_up_to_time
        self.data = pd.DataFrame({"frequency": x, "recency": t_x, "T": age, "weights": w})
        self._negative_log_likelihood_ = float(result.fun)
        self._objective, self._optimum = objective, result.x
        for name in ("_hessian_", "variance_matrix_", "standard_errors_", "confidence_intervals_"):
            self.__dict__.pop(name, None)  # a refit forgets the statistics of the previous fit
        return self

    # What lifetimes' fitters expose after a fit, computed when first asked for (a bootstrap refit never asks).
    @cached_property
    def _hessian_(self) -> np.ndarray:
        """Hessian of the mean negative log-likelihood in log-parameters, by central differences."""
        return _numerical_hessian(self._objective, self._optimum)

    @cached_property
    def variance_matrix_(self) -> pd.DataFrame:
        """lifetimes' delta-method variance; NaN where the Hessian is singular (s at its bound: no variation)."""
        try:
            return self._compute_variance_matrix()
        except np.linalg.LinAlgError:
            return pd.DataFrame(np.nan, index=self.params_.index, columns=self.params_.index)

    @cached_property
    def standard_errors_(self) -> pd.Series:
        return self._compute_standard_errors()

    @cached_property
    def confidence_intervals_(self) -> pd.DataFrame:
        return self._compute_confidence_intervals()


def _numerical_hessian(function, point: np.ndarray, step: float = 1e-4) -> np.ndarray:
    """Central-difference Hessian of a scalar function at `point`."""
    size = len(point)
    hessian = np.empty((size, size))
    shifts = np.eye(size) * step
    for i in range(size):
        for j in range(i, size):
            value = (
                function(point + shifts[i] + shifts[j])
                - function(point + shifts[i] - shifts[j])
                - function(point - shifts[i] + shifts[j])
                + function(point - shifts[i] - shifts[j])
            ) / (4 * step**2)
            hessian[i, j] = hessian[j, i] = value
    return hessian


MODELS = {
    "bgnbd": ("BG/NBD", lifetimes.BetaGeoFitter),
    "pareto_nbd": ("Pareto/NBD", ParetoNBD),
    "mbgnbd": ("MBG/NBD", lifetimes.ModifiedBetaGeoFitter),
}
MIN_FIT_CUSTOMERS = 10


LOG_STARTS = (None, 0.0, 1.0, -1.0, 2.0)  # lifetimes' own start (every log-parameter 0.1) first, then others
PARAMETER_COUNTS = {"BetaGeoFitter": 4, "ModifiedBetaGeoFitter": 4, "GammaGammaFitter": 3}


def fit_from_starts(model, label: str, penalizer: float, *data, **options):
    """A lifetimes fitter fitted from several starting points: its BFGS often stops with 'precision loss' from
    its one start on short or daily histories, and converges from another. The first start that converges wins,
    so a fit that converged before is unchanged; one that 'converged' far out along a flat ray (a log-parameter
    beyond ±LOG_BOUND) is refitted within the bounds, where it predicts the same."""
    error = ConvergenceError("no start tried")
    for start in LOG_STARTS:
        initial = None if start is None else np.full(PARAMETER_COUNTS[type(model).__name__], start)
        try:
            with warnings.catch_warnings(), redirect_stdout(io.StringIO()):  # lifetimes prints a failed search
                warnings.simplefilter("ignore", RuntimeWarning)
                fitted = model.fit(*data, initial_params=initial, **options)
        except ConvergenceError as caught:
            error = caught
            continue
        if type(model).__name__ not in FLAT_RAY_MODELS or within_bounds(fitted.params_):
            return fitted
        error = ConvergenceError("the search ran off along a flat likelihood")
        break
    if type(model).__name__ not in FLAT_RAY_MODELS:
        raise not_converged(label, error, penalizer)
    try:
        return bounded_fit(model, *data, **options)
    except ConvergenceError:
        raise not_converged(label, error, penalizer) from None


# purchase models whose search can run off along a ray of equal predictions (dropout a, b growing together); a
# Gamma-Gamma that runs off has no spread between customers to fit, and falls back in the open (ShrunkMeanSpend)
FLAT_RAY_MODELS = {"BetaGeoFitter", "ModifiedBetaGeoFitter"}
LOG_BOUND = 12.0  # |log parameter| at most this when the unbounded search runs off along a flat likelihood


def within_bounds(parameters: pd.Series) -> bool:
    """Every parameter's log within ±LOG_BOUND (a fit beyond ran off along a flat likelihood)."""
    return bool(np.all(np.abs(np.log(parameters.to_numpy(float))) <= LOG_BOUND))


def bounded_fit(model, *data, **options):
    """A lifetimes fitter fitted with its log-parameters within ±LOG_BOUND (L-BFGS-B). Where BFGS runs off to
    infinity (BG/NBD's a and b grow together when every customer drops out at the same rate), the likelihood is
    flat along that ray and any point far out on it predicts the same: the bounded search stops there."""
    unbounded = model._fit

    def _with_bounds(arguments, initial, size, disp, tol=1e-7, **kwargs):  # lifetimes calls _fit so
        return unbounded(arguments, initial, size, disp, tol, bounds=[(-LOG_BOUND, LOG_BOUND)] * size, **kwargs)

    model._fit = _with_bounds
    try:
        with warnings.catch_warnings(), redirect_stdout(io.StringIO()):
            warnings.simplefilter("ignore", RuntimeWarning)
            warnings.simplefilter("ignore", DeprecationWarning)  # lifetimes passes `disp` to L-BFGS-B
            return model.fit(*data, **options)
    finally:
        del model._fit


def not_converged(label: str, error: ConvergenceError, penalizer: float) -> ClvFitError:
    """A fit that did not converge, in one line with the fix that applies to the penalizer already set."""
    reason = (str(error).strip().splitlines() or ["no reason given"])[0]
    hint = (t("set clv.penalizer to 0.001 (or larger) to regularise") if penalizer == 0
            else t("raise clv.penalizer (now {penalizer}) tenfold", penalizer=f"{penalizer:g}"))  # fmt: skip
    return ClvFitError(t("{label} did not converge ({reason}); {hint}", label=label, reason=reason, hint=hint))


HISTORY = ["frequency", "recency", "T"]  # a history's columns: repeat purchases, time of the last, age (model units)


def btyd_history(purchases: pd.Series, *, tenure_days: pd.Series, recency_days: pd.Series, unit: str
                 ) -> pd.DataFrame:  # fmt: skip
    """Each customer's HISTORY in `unit` from their purchase occasions, days since the first and since the last
    (per-customer tables that have them: the same values as `btyd_summary`, without a pass over the transactions)."""
    per_unit = DAYS_PER_UNIT[unit]
    return pd.DataFrame({
        "frequency": (purchases - 1).astype(float),
        "recency": (tenure_days - recency_days).astype(float) / per_unit,
        "T": tenure_days.astype(float) / per_unit,
    }, index=purchases.index)  # fmt: skip


@dataclass(frozen=True)
class PurchaseModel:
    """A fitted purchase model (`key` in MODELS) and what it says of customer histories.

    A history is a frame with columns frequency, recency and T (repeat purchases, the time of the last one and the
    customer's age, in the model's time unit); answers come one per row, as arrays."""

    key: str
    fitter: Any  # the lifetimes fitter: read by lifetimes' own plots and by Gamma-Gamma's CLV, nowhere else

    @classmethod
    def fit(cls, key: str, patterns: pd.DataFrame, *, penalizer: float = 0.0) -> PurchaseModel:
        """Maximum-likelihood fit on weighted patterns (HISTORY columns and `weight`); ClvFitError says why not."""
        return cls(key, _fitted(key, patterns, penalizer))

    @classmethod
    def with_parameters(cls, key: str, parameters: dict[str, float]) -> PurchaseModel:
        """The model with parameters a fit left (`full_parameters` of clv_models.json)."""
        fitter = MODELS[key][1]()
        fitter.params_ = pd.Series(parameters, dtype=float)
        return cls(key, fitter)

    @property
    def label(self) -> str:
        return MODELS[self.key][0]

    @property
    def params(self) -> pd.Series:
        return self.fitter.params_

    def expected_purchases(self, history: pd.DataFrame, *, t: float | pd.Series) -> np.ndarray:
        """Expected purchases in the next `t` (per row, or one length for all) given each history."""
        x, t_x, age = (history[c] for c in HISTORY)
        return np.asarray(self.fitter.conditional_expected_number_of_purchases_up_to_time(t, x, t_x, age), dtype=float)

    def expected_purchases_of_new(self, t: np.ndarray) -> np.ndarray:
        """Expected repeat purchases of a customer acquired `t` ago (per value of `t`), before any history."""
        return np.asarray(self.fitter.expected_number_of_purchases_up_to_time(t), dtype=float)

    def p_alive(self, history: pd.DataFrame) -> np.ndarray:
        """Probability that each customer still buys from us."""
        return np.asarray(self.fitter.conditional_probability_alive(*(history[c] for c in HISTORY)), dtype=float)

    def p_no_purchase(self, history: pd.DataFrame, *, t: float) -> np.ndarray:
        """Probability of no purchase in the next `t` given each history: Pareto/NBD from lifetimes; the BG/NBD family
        as 1 - P(alive) + P(alive) ((alpha + T) / (alpha + T + t))^(r + x) (a customer who left never buys; one who
        stays, with posterior rate Gamma(r + x, alpha + T), buys nothing with that probability)."""
        x, t_x, age = (history[c].to_numpy(dtype=float) for c in HISTORY)
        if self.key == "pareto_nbd":
            return np.asarray(
                self.fitter.conditional_probability_of_n_purchases_up_to_time(0, t, x, t_x, age), dtype=float
            )
        r, alpha, a, b = (float(self.params[k]) for k in ("r", "alpha", "a", "b"))
        ratio = ((alpha + age) / (alpha + t_x)) ** (r + x)
        odds = (
            np.where(x > 0, a / (b + np.maximum(x, 1) - 1) * ratio, 0.0) if self.key == "bgnbd" else a / (b + x) * ratio
        )
        alive = 1.0 / (1.0 + odds)
        return 1.0 - alive + alive * ((alpha + age) / (alpha + age + t)) ** (r + x)

    def log_likelihood(self, patterns: pd.DataFrame) -> float:
        """The log-likelihood of weighted patterns (HISTORY columns and `weight`) at the model's parameters, without
        the penalty: what maximum likelihood maximised, comparable with the published fits."""
        x, t_x, age, weights = (patterns[c].to_numpy(dtype=float) for c in (*HISTORY, "weight"))
        params = self.params.to_numpy(dtype=float)
        if self.key == "pareto_nbd":
            return float((weights * ParetoNBD._conditional_log_likelihood(params, x, t_x, age)).sum())
        mean = type(self.fitter)._negative_log_likelihood(np.log(params), x, t_x, age, weights, 0.0)
        return float(-mean * weights.sum())


def _fitted(name: str, patterns: pd.DataFrame, penalizer: float):
    """A lifetimes fitter of model `name` fitted on weighted patterns (columns frequency, recency, T, weight)."""
    label, fitter = MODELS[name]
    if patterns["weight"].sum() == 0:
        raise ClvFitError(t("{label}: no customers to fit", label=label))
    if (patterns["frequency"] * patterns["weight"]).sum() == 0:
        raise ClvFitError(t("{label}: no customer made a repeat purchase; the model cannot learn a purchase rate",
                            label=label))  # fmt: skip
    if patterns["weight"].sum() < MIN_FIT_CUSTOMERS:
        customers = int(patterns["weight"].sum())
        raise ClvFitError(t("{label}: {customers} customers are too few to fit its four parameters (at least "
                            "{needed})", label=label, customers=customers, needed=MIN_FIT_CUSTOMERS))  # fmt: skip
    data = (patterns["frequency"], patterns["recency"], patterns["T"])
    model = fitter(penalizer_coef=penalizer)
    if isinstance(model, ParetoNBD):  # its own bounded fit from a fixed start
        try:
            return model.fit(*data, weights=patterns["weight"])
        except ConvergenceError as error:
            raise not_converged(label, error, penalizer) from None
    return fit_from_starts(model, label, penalizer, *data, weights=patterns["weight"])
