"""Churn probabilities that mean their number.

A scorer's probabilities rank customers well yet may sit too high or too low (a model trained on older cutoffs,
a baseline's one-feature fit). The map from a score to the churn rate observed is learnt on the backtest's
held-out predictions: none, Platt (a logistic curve on the score's log-odds) or isotonic (a monotone step
function), whichever has the lowest Brier score on folds it did not see. Today's scores go through that map, so a
customer shown at 80% churns four times in five among customers like them, and risk tiers cut at fixed
probabilities mean their word.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss

__all__ = ["EDGE", "LABELS", "METHODS", "Calibration", "choose_calibration", "held_out_groups"]

METHODS = ("none", "platt", "isotonic")  # simplest first: a tie keeps the simpler map
LABELS = {"none": "none needed", "platt": "Platt scaling", "isotonic": "isotonic regression"}
EDGE = 1e-6


def _log_odds(probability: np.ndarray) -> np.ndarray:
    clipped = np.clip(probability, EDGE, 1 - EDGE)
    return np.log(clipped / (1 - clipped)).reshape(-1, 1)


def _fit(method: str, probability: np.ndarray, churned: np.ndarray):
    """The fitted map (None: the identity, also when the labels hold one outcome only and nothing can be learnt)."""
    if len(np.unique(churned)) < 2:
        return None
    if method == "platt":
        return LogisticRegression(C=1e6, max_iter=1000).fit(_log_odds(probability), churned)
    if method == "isotonic":
        return IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(probability, churned)
    return None


def _apply(mapper, probability: np.ndarray) -> np.ndarray:
    if mapper is None:
        return np.asarray(probability, dtype=float)
    if isinstance(mapper, LogisticRegression):
        return mapper.predict_proba(_log_odds(probability))[:, 1]
    return mapper.predict(probability)


@dataclass(frozen=True)
class Calibration:
    """The chosen map, the held-out Brier score of every method, and the held-out predictions before and after."""

    method: str
    brier: dict[str, float]
    mapper: object
    held_out: pd.DataFrame  # columns: group, churned, probability, calibrated (each from a map not fitted on it)

    def apply(self, probability: np.ndarray | pd.Series) -> np.ndarray:
        return _apply(self.mapper, np.asarray(probability, dtype=float))

    @property
    def label(self) -> str:
        return LABELS[self.method]

    @property
    def brier_before(self) -> float:
        return self.brier["none"]

    @property
    def brier_after(self) -> float:
        return self.brier[self.method]


def held_out_groups(folds: pd.Series, random_state: int) -> pd.Series:
    """Where a map is checked: each backtest fold; with one fold, two seeded random halves of it."""
    if folds.nunique() > 1:
        return folds.reset_index(drop=True)
    halves = np.random.default_rng(random_state).permutation(len(folds)) % 2
    return pd.Series(halves, dtype="int64")


def choose_calibration(predictions: pd.DataFrame, random_state: int) -> Calibration:
    """The map with the lowest held-out Brier score, fitted on every held-out prediction (columns fold, churned,
    probability: the backtest's test predictions of one scorer)."""
    groups = held_out_groups(predictions["fold"], random_state)
    probability = predictions["probability"].to_numpy(float)
    churned = predictions["churned"].to_numpy(int)
    crossed = {}
    for method in METHODS:
        out = np.empty(len(probability))
        for group in groups.unique():
            held = (groups == group).to_numpy()
            trained = ~held
            out[held] = _apply(_fit(method, probability[trained], churned[trained]), probability[held])
        crossed[method] = out
    brier = {method: float(brier_score_loss(churned, np.clip(out, 0, 1))) for method, out in crossed.items()}
    chosen = min(METHODS, key=lambda m: (round(brier[m], 6), METHODS.index(m)))
    held_out = pd.DataFrame({"group": groups.to_numpy(), "churned": churned, "probability": probability,
                             "calibrated": crossed[chosen]})  # fmt: skip
    return Calibration(chosen, brier, _fit(chosen, probability, churned), held_out)
