"""The purchase-model interface (`helpers.models.purchase.PurchaseModel`): the published CDNOW fits, the
probability of no purchase against simulation and its limits, and that no other module reaches into lifetimes."""

from __future__ import annotations

import ast
import re
from datetime import date
from pathlib import Path

import lifetimes
import numpy as np
import pandas as pd
import pytest

from helpers.data.datasets import simulate_bgnbd_gamma_gamma
from helpers.data.features import calibration_holdout
from helpers.models import clv
from helpers.models.purchase import MODELS, ParetoNBD, PurchaseModel

ROOT = Path(__file__).resolve().parents[1]
PARAMETERS = {
    "bgnbd": {"r": 0.5, "alpha": 6.0, "a": 0.9, "b": 2.5},
    "mbgnbd": {"r": 0.5, "alpha": 6.0, "a": 0.9, "b": 2.5},
    "pareto_nbd": {"r": 0.5, "alpha": 6.0, "s": 0.7, "beta": 9.0},
}
HISTORIES = pd.DataFrame({"frequency": [0.0, 1.0, 3.0, 8.0], "recency": [0.0, 5.0, 20.0, 29.0], "T": [30.0] * 4})


@pytest.fixture(scope="module")
def cdnow_patterns(cdnow_transactions):
    calibration = calibration_holdout(
        cdnow_transactions, date(1997, 9, 30), observation_end=date(1998, 6, 30), unit="weeks"
    ).execute()
    return clv.compress(clv.as_model_input(calibration))


@pytest.mark.parametrize(("key", "published"), [("bgnbd", -9582.4), ("pareto_nbd", -9595.0)])
def test_the_cdnow_fits_reach_the_published_log_likelihood(cdnow_patterns, key, published):
    """Fader, Hardie and Lee (2005): BG/NBD LL = -9,582.4, Pareto/NBD LL = -9,595.0 on the 2,357 CDNOW customers."""
    model = PurchaseModel.fit(key, cdnow_patterns)
    assert model.log_likelihood(cdnow_patterns) == pytest.approx(published, abs=0.1)
    assert model.label == MODELS[key][0]


@pytest.mark.parametrize("params", [(0.55, 10.6, 0.6, 11.7), (0.55, 12.0, 0.6, 3.0), (1.2, 0.2, 49.9, 24.0)])
def test_pareto_nbds_a0_on_distinct_pairs_is_lifetimes_own(cdnow_patterns, params):
    """hyp2f1 once per distinct (frequency, time) pair gives lifetimes' log A_0 on every row, to rounding, with
    alpha below or above beta; where lifetimes' rounding gives NaN (bought on the last day) A_0 is exactly 0."""
    x, t_x, age = (cdnow_patterns[c].to_numpy(float) for c in ("frequency", "recency", "T"))
    with np.errstate(invalid="ignore", divide="ignore"):
        theirs = np.asarray(lifetimes.ParetoNBDFitter._log_A_0(params, x, t_x, age))
    ours = ParetoNBD._log_A_0(params, x, t_x, age)
    np.testing.assert_allclose(ours, np.where(np.isnan(theirs) | (t_x >= age), -np.inf, theirs), rtol=1e-12)
    assert np.isneginf(ours[t_x == age]).all() and (t_x == age).any()
    assert ParetoNBD._log_A_0(params, 2.0, 3.0, 5.0) == pytest.approx(
        lifetimes.ParetoNBDFitter._log_A_0(params, 2.0, 3.0, 5.0), rel=1e-12
    )


def test_the_fit_maximises_the_log_likelihood(cdnow_patterns):
    """Moving any parameter away from the fit lowers the log-likelihood: it is the maximum the fit reports."""
    model = PurchaseModel.fit("bgnbd", cdnow_patterns)
    best = model.log_likelihood(cdnow_patterns)
    for name in model.params.index:
        for factor in (0.9, 1.1):
            moved = PurchaseModel.with_parameters("bgnbd", {**model.params, name: model.params[name] * factor})
            assert moved.log_likelihood(cdnow_patterns) < best


def test_bgnbd_probability_of_no_purchase_matches_simulation():
    """Simulate 200,000 BG/NBD customers; compare predicted and observed 'no purchase in (T, T+t]'."""
    params = PARAMETERS["bgnbd"]
    rng = np.random.default_rng(11)
    n, T, t = 200_000, 30.0, 13.0
    purchases = simulate_bgnbd_gamma_gamma(n, rng, p=5.0, q=3.0, v=10.0, weeks_observed=np.full(n, T + t), **params)
    calibration = purchases[purchases.week <= T].groupby("customer").week.agg(["count", "max"])
    history = pd.DataFrame({"frequency": calibration["count"].to_numpy() - 1.0,
                            "recency": calibration["max"].to_numpy(), "T": T})  # fmt: skip
    observed = ~np.isin(np.arange(n), purchases[purchases.week > T].customer.unique())
    predicted = PurchaseModel.with_parameters("bgnbd", params).p_no_purchase(history, t=t)
    assert predicted.mean() == pytest.approx(observed.mean(), abs=0.005)
    x = history["frequency"].to_numpy()
    for low, high in [(0, 0), (1, 2), (3, 100)]:
        group = (x >= low) & (x <= high)
        assert predicted[group].mean() == pytest.approx(observed[group].mean(), abs=0.01)


@pytest.mark.parametrize("key", ["bgnbd", "mbgnbd"])
def test_no_purchase_is_certain_in_no_time_and_means_having_left_in_the_long_run(key):
    """P(no purchase in t) is 1 at t = 0 and tends to 1 - P(alive) (lifetimes' own) as t grows: a customer who
    stays buys again sooner or later, so the BG/NBD family's formula agrees with the fitter's P(alive)."""
    model = PurchaseModel.with_parameters(key, PARAMETERS[key])
    np.testing.assert_allclose(model.p_no_purchase(HISTORIES, t=0.0), 1.0)
    np.testing.assert_allclose(model.p_no_purchase(HISTORIES, t=1e20), 1.0 - model.p_alive(HISTORIES), atol=1e-6)


def test_every_model_answers_the_same_questions_in_range():
    for key, params in PARAMETERS.items():
        model = PurchaseModel.with_parameters(key, params)
        alive, none = model.p_alive(HISTORIES), model.p_no_purchase(HISTORIES, t=13.0)
        assert np.all((alive > 0) & (alive <= 1)) and np.all((none >= 1 - alive - 1e-12) & (none < 1)), key
        expected = model.expected_purchases(HISTORIES, t=13.0)
        assert np.all(expected > 0) and np.all(model.expected_purchases(HISTORIES, t=26.0) > expected), key
        assert np.all(np.diff(model.expected_purchases_of_new(np.array([1.0, 10.0, 50.0]))) > 0), key


def test_only_the_adapter_reaches_into_lifetimes_internals():
    """lifetimes' private names (`_fit`, `_negative_log_likelihood`, `_log_A_0` …) appear in purchase.py only."""
    private = {
        name
        for fitter in (lifetimes.BetaGeoFitter, lifetimes.ParetoNBDFitter, lifetimes.ModifiedBetaGeoFitter,
                       lifetimes.GammaGammaFitter)
        for name in dir(fitter) if re.fullmatch(r"_[a-z]\w*", name)
    }  # fmt: skip
    reached = {}
    for path in (ROOT / "src" / "helpers").rglob("*.py"):
        if path.name == "purchase.py":
            continue
        names = {node.attr for node in ast.walk(ast.parse(path.read_text())) if isinstance(node, ast.Attribute)}
        if names & private:
            reached[path.name] = sorted(names & private)
    assert "_negative_log_likelihood" in private and reached == {}
