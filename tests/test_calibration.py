"""Churn probabilities calibrated on held-out folds: checked on generated scores whose true probabilities are known."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers.models.calibration import choose_calibration


def held_out(true: np.ndarray, shown: np.ndarray, folds: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    churned = (rng.random(len(true)) < true).astype(int)
    return pd.DataFrame({"fold": rng.integers(1, folds + 1, len(true)), "churned": churned, "probability": shown})


@pytest.mark.parametrize("folds", [1, 3])
def test_an_overconfident_score_is_pulled_back_to_the_true_probabilities(folds):
    rng = np.random.default_rng(1)
    true = rng.beta(2, 2, 40_000)
    logit = np.log(true / (1 - true))
    shown = 1 / (1 + np.exp(-2.5 * logit - 0.8))  # too extreme and too high, the ranking intact
    calibration = choose_calibration(held_out(true, shown, folds, 2), random_state=0)
    assert calibration.method != "none"
    assert calibration.brier_after < calibration.brier_before - 0.01
    fresh = rng.beta(2, 2, 5_000)
    fresh_shown = 1 / (1 + np.exp(-2.5 * np.log(fresh / (1 - fresh)) - 0.8))
    assert np.abs(calibration.apply(fresh_shown) - fresh).mean() < 0.03, "calibrated is close to the truth"
    assert np.abs(fresh_shown - fresh).mean() > 0.1


def test_a_calibrated_score_is_left_as_it_is_or_barely_moved():
    rng = np.random.default_rng(3)
    true = rng.uniform(0.05, 0.95, 30_000)
    calibration = choose_calibration(held_out(true, true, 3, 4), random_state=0)
    assert calibration.brier_after <= calibration.brier_before + 1e-4
    assert np.abs(calibration.apply(true) - true).mean() < 0.02


def test_one_outcome_only_leaves_the_scores_unchanged():
    frame = pd.DataFrame({"fold": [1, 1, 2, 2], "churned": [1, 1, 1, 1], "probability": [0.2, 0.5, 0.7, 0.9]})
    calibration = choose_calibration(frame, random_state=0)
    assert calibration.method == "none" and calibration.apply([0.3]).tolist() == [0.3]
