"""Churn prediction on a rolling-origin, time-based backtest, against honest baselines.

A customer with a purchase on or before a cutoff has churned when they make no
purchase in the next H days. Each fold trains on earlier cutoffs whose label windows
end before the test cutoff, and tests on the later cutoff: no random split across
time. Baselines are the scores a CRM team could use without a model: days since the
last purchase, and the BTYD models' own forecasts.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import cast

import ibis
import numpy as np
import pandas as pd
from sklearn.calibration import calibration_curve
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.inspection import permutation_importance
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from helpers.core.config import RISK_TIERS, VALUE_LEVELS
from helpers.core.errors import ChurnDataError, ClvFitError
from helpers.data.features import (
    DAYS_PER_UNIT,
    churn_features,
    customer_sample,
    customers_by,
    fetch,
    window_buyers,
)
from helpers.data.schemas import CHURN_FEATURES
from helpers.language.formatting import count
from helpers.language.i18n import t
from helpers.models import clv
from helpers.models.actions import tiers_by_share
from helpers.models.purchase import HISTORY, PurchaseModel, btyd_history

__all__ = [
    "ALIVE_FLOOR",
    "BASELINES",
    "CALIBRATION_CUSTOMERS",
    "IMPORTANCE_MAX_CUSTOMERS",
    "SAMPLE_MARGIN",
    "Backtest",
    "Fold",
    "SideFeatures",
    "action_summary",
    "attach_value",
    "auc_sampling_error",
    "baseline_scores",
    "check_history",
    "check_labels",
    "feature_importance",
    "feature_label",
    "log",
    "make_models",
    "make_scorer",
    "metrics",
    "model_columns",
    "one_time_buyer_trap",
    "per_fold_auc",
    "reliability",
    "risk_value_matrix",
    "rolling_folds",
    "run_backtest",
    "score_customers",
    "scorer_columns",
    "scoring_cutoffs",
    "snapshot",
    "top_decile",
    "training_rows",
    "training_sample",
    "trimmed_snapshot",
    "value_at_risk",
    "with_and_without",
]

log = logging.getLogger(__name__)
BASELINES = (
    "days since last purchase",
    "BG/NBD expected purchases",
    "BG/NBD P(no purchase)",
    "Pareto/NBD P(no purchase)",
    "BG/NBD 1 - P(alive)",
)


def check_labels(labels: pd.Series, cutoff: date) -> None:
    """Both outcomes must occur; otherwise a message that says what to change."""
    churned, total = int(labels.sum()), len(labels)
    if total == 0:
        raise ChurnDataError(t("no customer has a purchase before the cutoff {cutoff}; move the cutoff later",
                               cutoff=cutoff))  # fmt: skip
    if churned in (0, total):
        message = ("every one of the {total} customers churned after the cutoff {cutoff}" if churned == total
                   else "none of the {total} customers churned after the cutoff {cutoff}")  # fmt: skip
        raise ChurnDataError(t(message, total=count(total), cutoff=cutoff) + t(
            ": a model cannot learn from one outcome; change churn.horizon_days or the cutoffs "
            "(churn.cutoff_step_days, churn.folds)"))  # fmt: skip


def baseline_scores(
    summary: pd.DataFrame,
    cutoff: date,
    *,
    horizon_days: int,
    unit: str,
    fit_customers: int | None = None,
    random_state: int = 0,
    penalizer: float = 0.0,
) -> pd.DataFrame:
    """Churn scores (higher = more likely to churn) from the BTYD models fitted on pre-cutoff data only (`summary`:
    every customer's HISTORY at the cutoff, `btyd_history`), in the CLV stage's time unit and penalizer
    (clv.time_unit, clv.penalizer). Beyond `fit_customers` the models are fitted on a seeded sample of that many
    customers (a Pareto/NBD fit on ten million takes minutes, per cutoff); everyone is scored."""
    fitted_on = summary
    if fit_customers is not None and len(summary) > fit_customers:
        fitted_on = summary.sample(n=fit_customers, random_state=random_state)
    patterns = clv.compress(fitted_on.reset_index())
    horizon = horizon_days / DAYS_PER_UNIT[unit]
    # scored once per distinct (frequency, recency, T): millions of customers share far fewer histories
    histories, each = clv.distinct_patterns(summary, HISTORY)
    try:
        bgnbd = PurchaseModel.fit("bgnbd", patterns, penalizer=penalizer)
        pareto = PurchaseModel.fit("pareto_nbd", patterns, penalizer=penalizer)
    except ClvFitError as error:
        raise ChurnDataError(t(
            "at the cutoff {cutoff} the BTYD baselines cannot be fitted ({error}): {customers} customers had bought "
            "by then; use fewer churn.folds or churn.train_cutoffs, a shorter churn.cutoff_step_days, or more "
            "history", cutoff=cutoff, error=error, customers=count(len(summary)))) from None  # fmt: skip
    expected = bgnbd.expected_purchases(histories, t=horizon)
    p_alive = bgnbd.p_alive(histories)
    scores = {
        "BG/NBD expected purchases": -expected,
        "BG/NBD P(no purchase)": bgnbd.p_no_purchase(histories, t=horizon),
        "Pareto/NBD P(no purchase)": pareto.p_no_purchase(histories, t=horizon),
        "BG/NBD 1 - P(alive)": 1.0 - p_alive,
        "bgnbd_expected_purchases": expected,
        "bgnbd_p_alive": p_alive,
    }
    return pd.DataFrame({name: values[each] for name, values in scores.items()}, index=summary.index)


SideFeatures = Callable[[date], pd.DataFrame]  # cutoff -> per-customer features known by then (e.g. surveys)


def snapshot(tx: ibis.Table, cutoff: date, *, horizon_days: int, unit: str, labelled: bool = True,
             side: SideFeatures | None = None, fit_customers: int | None = None,
             random_state: int = 0, penalizer: float = 0.0) -> pd.DataFrame:  # fmt: skip
    """Features (and labels, when the label window is observed) of every customer at one cutoff; `side` adds
    features from other tables, which must only use what was known by the cutoff; `fit_customers` caps the
    baselines' fitting sample (`baseline_scores`)."""
    features = fetch(churn_features(tx, cutoff)).set_index("customer_id")
    features = features.join(
        baseline_scores(
            btyd_history(
                features["purchases"],
                tenure_days=features["tenure_days"],
                recency_days=features["recency_days"],
                unit=unit,
            ),
            cutoff,
            horizon_days=horizon_days,
            unit=unit,
            fit_customers=fit_customers,
            random_state=random_state,
            penalizer=penalizer,
        )
    )
    if side is not None:
        extra = side(cutoff)
        features = features.join(extra)
        if "surveys_answered" in extra.columns:
            features["surveys_answered"] = features["surveys_answered"].fillna(0.0)
    features["days since last purchase"] = features["recency_days"].astype(float)
    if labelled:  # churn_labels' answer for the customers with features (they bought by the cutoff), one pass less
        features["churned"] = ~features.index.isin(fetch(window_buyers(tx, cutoff, horizon_days))["customer_id"])
        check_labels(features["churned"], cutoff)
    features["cutoff"] = pd.Timestamp(cutoff)
    return features


def model_columns(frame: pd.DataFrame) -> list[str]:
    """The model's inputs: every numeric, non-constant feature except labels, baselines and bookkeeping."""
    excluded = {"churned", "cutoff", *BASELINES}
    return [
        c
        for c in frame.columns
        if c not in excluded and pd.api.types.is_numeric_dtype(frame[c]) and frame[c].nunique(dropna=True) > 1
    ]


def make_models(random_state: int) -> dict:
    return {
        "logistic regression": make_pipeline(
            SimpleImputer(strategy="median"), StandardScaler(), LogisticRegression(max_iter=2000)
        ),
        "gradient boosting": HistGradientBoostingClassifier(
            random_state=random_state, max_iter=200, learning_rate=0.05
        ),
    }


@dataclass(frozen=True)
class Fold:
    test_cutoff: date
    train_cutoffs: tuple[date, ...]


def check_history(folds: list[Fold], first_purchase: date, *, last_date: date, settings: str) -> None:
    """The earliest training cutoff must fall after the first purchase; otherwise say what the folds need."""
    earliest = min(c for fold in folds for c in fold.train_cutoffs)
    if earliest <= first_purchase:
        needed = (last_date - earliest).days
        raise ChurnDataError(t(
            "the data covers {first} to {last} ({days} days), but {settings} put the earliest training cutoff at "
            "{earliest}, before any purchase (they need more than {needed} days of history); use fewer churn.folds "
            "or churn.train_cutoffs, or a shorter churn.cutoff_step_days", first=first_purchase, last=last_date,
            days=(last_date - first_purchase).days, settings=settings, earliest=earliest, needed=needed))  # fmt: skip


def rolling_folds(
    last_cutoff: date, folds: int, *, train_cutoffs: int, step_days: int, horizon_days: int
) -> list[Fold]:
    """Test cutoffs step back from `last_cutoff`; each fold's training label windows end by its test cutoff."""
    result = []
    for i in range(folds):
        test = last_cutoff - timedelta(days=step_days * (folds - 1 - i))
        train = tuple(test - timedelta(days=horizon_days + step_days * k) for k in range(train_cutoffs))
        result.append(Fold(test, tuple(sorted(train))))
    return result


def top_decile(y: np.ndarray, score: np.ndarray) -> tuple[float, float]:
    """Lift and capture rate of the 10% highest scores (ties broken by order, stably)."""
    return _top_decile_of(y[np.argsort(-score, kind="stable")])


def _top_decile_of(ranked: np.ndarray) -> tuple[float, float]:
    """Lift and capture rate of the first 10% of outcomes ranked by score, highest first."""
    top = ranked[: max(1, int(np.ceil(len(ranked) * 0.1)))]
    rate, base, total = top.mean(), ranked.mean(), ranked.sum()
    return float(rate / base) if base else np.nan, float(top.sum() / total) if total else np.nan


def metrics(y: np.ndarray, score: np.ndarray, probabilistic: bool) -> dict:
    """ROC-AUC, average precision and Brier score as scikit-learn computes them (the first two NaN when the outcomes
    are all alike), top-decile lift and capture: from one sort of the scores (scikit-learn's three sorts and checks
    took 1.1 s at a million customers, this 0.4 s)."""
    order = np.argsort(-score, kind="stable")
    ranked, scores = y[order].astype(np.int64), score[order]
    lift, capture = _top_decile_of(ranked)
    last_of_each_score = np.r_[np.flatnonzero(np.diff(scores)), len(scores) - 1]
    true_positives = np.cumsum(ranked)[last_of_each_score]
    false_positives = last_of_each_score + 1 - true_positives
    positives, negatives = int(true_positives[-1]), int(false_positives[-1])
    roc_auc = pr_auc = np.nan
    if positives and negatives:
        roc_auc = np.trapezoid(np.r_[0, true_positives] / positives, np.r_[0, false_positives] / negatives)
        precision = true_positives / (last_of_each_score + 1)
        pr_auc = np.sum(np.diff(true_positives, prepend=0) / positives * precision)
    return {
        "roc_auc": float(roc_auc),
        "pr_auc": float(pr_auc),
        "brier": float(np.mean((np.clip(score, 0, 1) - y) ** 2)) if probabilistic else np.nan,
        "top_decile_lift": lift,
        "top_decile_capture": capture,
    }


def auc_sampling_error(roc_auc: float, *, churned: int, tested: int, customers: int) -> float:
    """The standard error of a ROC-AUC measured on a random sample of `tested` of a cutoff's `customers` (`churned`
    of the sample churned), as an estimate of every customer's: Hanley and McNeil's (1982) error of the area, shrunk
    by the finite-population factor sqrt(1 - tested / customers), so 0 when every customer was tested."""
    stayed = tested - churned
    if not churned or not stayed or tested >= customers:
        return 0.0
    q1, q2 = roc_auc / (2 - roc_auc), 2 * roc_auc**2 / (1 + roc_auc)
    variance = (roc_auc * (1 - roc_auc) + (churned - 1) * (q1 - roc_auc**2) + (stayed - 1) * (q2 - roc_auc**2)) / (
        churned * stayed
    )
    return float(np.sqrt(max(variance, 0.0) * (1 - tested / customers)))


@dataclass
class Backtest:
    folds: pd.DataFrame  # one row per fold x scorer
    predictions: pd.DataFrame  # test predictions of every model, all folds
    snapshots: dict
    train_cutoffs: dict[int, tuple[date, ...]] = field(default_factory=dict)  # per fold number
    max_train_rows: int | None = None  # models saw a seeded sample of this many training rows, at most
    baseline_fit_customers: int | None = None  # BTYD baselines were fitted on a seeded sample of this many, at most
    train_rows: dict[int, int] = field(default_factory=dict)  # per fold number: training rows available
    customers: dict[date, int] = field(default_factory=dict)  # per cutoff, before a trimmed snapshot's sampling
    # per fold, a seeded sample of its test customers: every scorer's probability as today's scoring makes it
    # (a baseline through its one-feature fit), to calibrate the scorer chosen for today
    held_out: pd.DataFrame = field(default_factory=pd.DataFrame)
    skipped_folds: dict[int, str] = field(default_factory=dict)  # fold number -> why it could not be run

    def held_out_of(self, scorer: str) -> pd.DataFrame:
        """The held-out predictions of one scorer: fold, churned, probability."""
        return self.held_out.loc[self.held_out["scorer"] == scorer, ["fold", "churned", "probability"]]

    def training_from(self, cutoffs: list[date], random_state: int) -> pd.DataFrame:
        """The training rows of `cutoffs` as a model saw them (each cutoff its share of the sample)."""
        return training_rows([self.snapshots[c] for c in cutoffs], self.max_train_rows, random_state=random_state,
                             sizes=[self.customers.get(c, len(self.snapshots[c])) for c in cutoffs])  # fmt: skip

    def training(self, number: int, random_state: int) -> pd.DataFrame:
        """The training rows of fold `number` as its models saw them."""
        return self.training_from(list(self.train_cutoffs[number]), random_state)

    def summary(self) -> pd.DataFrame:
        """Mean metrics per scorer, best ROC-AUC first."""
        table = self.folds.drop(columns="fold").groupby(["scorer", "kind"]).mean(numeric_only=True)
        table = table.reset_index(level="kind")
        return table.sort_values("roc_auc", ascending=False)

    def chosen_model(self) -> str:
        summary = self.summary()
        return str(summary[summary["kind"] == "model"]["roc_auc"].idxmax())

    def auc_sampling_error(self) -> float:
        """The largest standard error, over every fold and scorer, of a ROC-AUC measured on the tested sample as an
        estimate of the whole cutoff's (`auc_sampling_error`); 0 when every customer was tested."""
        folds = self.folds[np.isfinite(self.folds["roc_auc"].to_numpy(float))]
        customers = [self.customers[cutoff.date()] for cutoff in folds["test_cutoff"]]
        errors = [auc_sampling_error(auc, churned=round(rate * tested), tested=tested, customers=everyone)
                  for auc, rate, tested, everyone in zip(folds["roc_auc"], folds["churn_rate"], folds["customers"],
                                                         customers, strict=True)]  # fmt: skip
        return max(errors, default=0.0)

    def release_whole_snapshots(self, random_state: int) -> dict[date, tuple[pd.DataFrame, int]]:
        """Once everything that reads the tested customers is done: every snapshot kept only as the training sample
        a model sees (as `trimmed_snapshot` gives it), returned with its customers for `score_customers`, whose
        training cutoffs are the backtest's latest test cutoffs."""
        self.snapshots = {c: training_sample(s, self.max_train_rows, random_state) for c, s in self.snapshots.items()}
        return {c: (s, self.customers[c]) for c, s in self.snapshots.items()}


def training_rows(parts: list[pd.DataFrame], max_rows: int | None, *, random_state: int,
                  sizes: list[int] | None = None) -> pd.DataFrame:  # fmt: skip
    """The training rows of `parts` (snapshots) stacked, or beyond `max_rows` a seeded random sample of that many,
    each part giving its share of `sizes` (the customers it had before any sampling; by default its rows): past a
    million customers more rows add time and memory, hardly accuracy. Testing and today's scoring use everyone."""
    counts = np.array([len(part) for part in parts] if sizes is None else sizes)
    if max_rows is None or counts.sum() <= max_rows:
        return pd.concat(parts)
    shares = np.round(max_rows * counts / counts.sum()).astype(int)
    return pd.concat(part.sample(n=min(share, len(part)), random_state=random_state)
                     for part, share in zip(parts, shares, strict=True))  # fmt: skip


def training_sample(frame: pd.DataFrame, max_rows: int | None, random_state: int) -> pd.DataFrame:
    """One snapshot as a model trains on it: whole up to `max_rows` rows, beyond them a seeded sample of that many
    (what `training_rows` takes from it alone)."""
    if max_rows is None or len(frame) <= max_rows:
        return frame
    return frame.sample(n=max_rows, random_state=random_state)


SAMPLE_MARGIN = 1.02  # a trimmed snapshot describes a hash sample this much larger than the rows it keeps


def trimmed_snapshot(tx: ibis.Table, cutoff: date, *, horizon_days: int, unit: str, side: SideFeatures | None,
                     max_rows: int | None, random_state: int,
                     fit_customers: int | None = None, penalizer: float = 0.0) -> tuple[pd.DataFrame, int]:  # fmt: skip
    """A snapshot of at most `max_rows` customers: beyond it a seeded sample of that many (the rows a model trains
    on, or the customers the scorers are tested on), and how many customers it had (at ten million customers a
    dozen whole snapshots do not fit in memory).

    Beyond `max_rows` only a hash sample of the customers a little larger than it is described (`customer_sample`:
    a customer's features and label come from their own lines alone, so theirs are what the whole snapshot has;
    the baselines are fitted on that sample): at ten million customers such a cutoff costs a small part of a whole
    one."""
    customers = customers_by(tx, cutoff)
    if max_rows is not None and customers > max_rows:
        wanted = max_rows * SAMPLE_MARGIN + 6 * np.sqrt(max_rows)  # short of max_rows only six deviations below
        tx = tx.filter(customer_sample(tx.customer_id, min(1.0, wanted / customers), seed=random_state))
    frame = snapshot(tx, cutoff, horizon_days=horizon_days, unit=unit, side=side, fit_customers=fit_customers,
                     random_state=random_state, penalizer=penalizer)  # fmt: skip
    return training_sample(frame, max_rows, random_state), customers


def run_backtest(tx: ibis.Table, folds: list[Fold], *, horizon_days: int, random_state: int, unit: str,
                 side: SideFeatures | None = None, max_train_rows: int | None = None,
                 max_test_customers: int | None = None, baseline_fit_customers: int | None = None,
                 penalizer: float = 0.0) -> Backtest:  # fmt: skip
    """Train on each fold's training cutoffs, test on its test cutoff; models and baselines alike.

    A cutoff only ever trained on is kept as `trimmed_snapshot`; a tested one whole, or beyond `max_test_customers`
    as a seeded sample of that many (`trimmed_snapshot`: the metrics' sampling error is `auc_sampling_error`), while
    tested, then (but the latest, which the importance and the one-time-buyer check read) as its training sample."""
    cache: dict[date, pd.DataFrame] = {}
    customers: dict[date, int] = {}
    tested = {fold.test_cutoff for fold in folds}
    model_names = pd.CategoricalDtype(list(make_models(random_state)))

    def at(cutoff: date) -> pd.DataFrame:
        if cutoff not in cache:
            log.info("churn features and labels at %s", cutoff)
            if cutoff in tested and max_test_customers is None:
                cache[cutoff] = snapshot(tx, cutoff, horizon_days=horizon_days, unit=unit, side=side,
                                         fit_customers=baseline_fit_customers, random_state=random_state,
                                         penalizer=penalizer)  # fmt: skip
                customers[cutoff] = len(cache[cutoff])
            else:
                cache[cutoff], customers[cutoff] = trimmed_snapshot(
                    tx,
                    cutoff,
                    horizon_days=horizon_days,
                    unit=unit,
                    side=side,
                    max_rows=max_test_customers if cutoff in tested else max_train_rows,
                    random_state=random_state,
                    fit_customers=baseline_fit_customers,
                    penalizer=penalizer,
                )
        return cache[cutoff]

    rows, predictions, held_out, sizes, skipped, used = [], [], [], {}, {}, {}
    for number, fold in enumerate(folds, start=1):
        try:  # an early cutoff the baselines cannot be fitted at costs its fold, not the stage
            test = at(fold.test_cutoff)
            fitted = [c for c in fold.train_cutoffs if _fits(at, c)]
            if not fitted:
                raise ChurnDataError(t("no training cutoff of the fold could be used"))
        except ChurnDataError as error:
            skipped[number] = str(error)
            log.warning("churn backtest fold %d (test cutoff %s) skipped: %s", number, fold.test_cutoff, error)
            continue
        used[number] = tuple(fitted)
        parts = [at(c) for c in fitted]
        sizes[number] = sum(customers[c] for c in fitted)
        train = training_rows(parts, max_train_rows, random_state=random_state, sizes=[customers[c] for c in fitted])
        columns = model_columns(train)
        y_train, y_test = train["churned"].to_numpy(int), test["churned"].to_numpy(int)
        model_probabilities = []
        log.info("churn backtest fold %d of %d: %s training rows", number, len(folds), f"{len(train):,}")
        for name, model in make_models(random_state).items():
            model.fit(train[columns], y_train)
            probability = model.predict_proba(test[columns])[:, 1]
            model_probabilities.append(probability)
            rows.append(
                {
                    "fold": number,
                    "test_cutoff": pd.Timestamp(fold.test_cutoff),
                    "scorer": name,
                    "kind": "model",
                    "customers": len(test),
                    "churn_rate": y_test.mean(),
                    **metrics(y_test, probability, True),
                }
            )
            model_codes = np.full(len(test), model_names.categories.get_loc(name))
            predictions.append(pd.DataFrame({"fold": np.int16(number), "churned": y_test.astype(np.int8),
                                             "model": pd.Categorical.from_codes(model_codes, dtype=model_names),
                                             "probability": probability}))  # fmt: skip
        sample = np.random.default_rng(random_state + number).permutation(len(test))[:CALIBRATION_CUSTOMERS]
        for name, probability in zip(make_models(random_state), model_probabilities, strict=True):
            held_out.append(_held_out(number, name, churned=y_test[sample], probability=probability[sample]))
        for name in BASELINES:
            if not (np.isfinite(train[name].to_numpy(float)).all() and np.isfinite(test[name].to_numpy(float)).all()):
                continue  # a BTYD fit on a tiny history that scores some customers NaN is no baseline for this fold
            probabilistic = name.startswith(("BG/NBD P", "Pareto", "BG/NBD 1"))
            rows.append({"fold": number, "test_cutoff": pd.Timestamp(fold.test_cutoff), "scorer": name,
                         "kind": "baseline",
                         "customers": len(test), "churn_rate": y_test.mean(),
                         **metrics(y_test, test[name].to_numpy(float), probabilistic)})  # fmt: skip
            if len(np.unique(y_train)) > 1:
                scorer = make_scorer(name, random_state).fit(train[[name]], y_train)
                probability = scorer.predict_proba(test[[name]].iloc[sample])[:, 1]
                held_out.append(_held_out(number, name, churned=y_test[sample], probability=probability))
        if fold.test_cutoff != max(tested):
            cache[fold.test_cutoff] = training_sample(test, max_train_rows, random_state)
        del parts, train, test  # a whole snapshot is gigabytes at ten million customers: gone before the next fold
    if not rows:
        raise ChurnDataError(next(iter(skipped.values())))
    return Backtest(pd.DataFrame(rows), pd.concat(predictions, ignore_index=True), cache, used,
                    max_train_rows, baseline_fit_customers, sizes, customers,
                    pd.concat(held_out, ignore_index=True), skipped)  # fmt: skip


def _fits(at: Callable[[date], pd.DataFrame], cutoff: date) -> bool:
    """Whether the snapshot at `cutoff` can be made (the BTYD baselines fit there)."""
    try:
        at(cutoff)
    except ChurnDataError as error:
        log.warning("churn training cutoff %s left out: %s", cutoff, error)
        return False
    return True


CALIBRATION_CUSTOMERS = 200_000  # per fold: the held-out customers the calibration of today's scores learns from


def _held_out(fold: int, scorer: str, *, churned: np.ndarray, probability: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame({"fold": np.int16(fold), "scorer": scorer, "churned": churned.astype(np.int8),
                         "probability": probability})  # fmt: skip


def reliability(predictions: pd.DataFrame, model: str, bins: int = 10) -> pd.DataFrame:
    """Observed churn rate against mean predicted probability, per probability bin (pooled test folds)."""
    chosen = predictions[predictions["model"] == model]
    observed, predicted = calibration_curve(chosen["churned"], chosen["probability"], n_bins=bins, strategy="quantile")
    return pd.DataFrame({"mean_predicted": predicted, "observed_rate": observed})


IMPORTANCE_MAX_CUSTOMERS = 50_000  # each input shuffled 5 times, each a prediction per customer (1e7: 97 s at 200,000)


def feature_importance(backtest: Backtest, model_name: str, *, random_state: int,
                       max_customers: int = IMPORTANCE_MAX_CUSTOMERS) -> tuple[pd.DataFrame, int]:  # fmt: skip
    """Permutation importance (drop in ROC-AUC) on the last fold's test cutoff, and on how many customers: beyond
    `max_customers` a seeded sample of that many of its customers."""
    cutoffs = sorted(backtest.snapshots)
    test = backtest.snapshots[cutoffs[-1]]
    if len(test) > max_customers:
        test = test.sample(n=max_customers, random_state=random_state)
    train = backtest.training_from(cutoffs[:-1], random_state)
    columns = model_columns(train)
    model = make_models(random_state)[model_name].fit(train[columns], train["churned"].to_numpy(int))
    result = permutation_importance(model, test[columns], test["churned"].to_numpy(int), scoring="roc_auc",
                                    n_repeats=5, random_state=random_state)  # fmt: skip
    table = pd.DataFrame({"feature": columns, "label": [feature_label(c) for c in columns],
                          "importance": result.importances_mean, "std": result.importances_std})  # fmt: skip
    return table.sort_values("importance", ascending=False).reset_index(drop=True), len(test)


def feature_label(feature: str) -> str:
    """A feature in plain words: its meaning in the churn table's schema, without the parenthesis."""
    meaning = {c.name: c.meaning for c in CHURN_FEATURES}.get(feature, feature.replace("_", " "))
    return re.sub(r"\s*\(.*\)$", "", meaning)


def risk_value_matrix(scored: pd.DataFrame) -> pd.DataFrame:
    """Value level x risk tier: customers, mean churn probability, value at risk and customers in the budget."""
    table = scored.groupby(["value_level", "risk_tier"]).agg(
        customers=("churn_probability", "size"),
        mean_churn_probability=("churn_probability", "mean"),
        value_at_risk=("value_at_risk", "sum"),
        in_budget=("in_budget", "sum"),
    )
    order = [(v, r) for v in VALUE_LEVELS for r in RISK_TIERS]
    return table.reindex([i for i in order if i in table.index])


def action_summary(scored: pd.DataFrame) -> pd.DataFrame:
    """Per action: customers, how many are in the contact budget, mean churn probability and value at risk."""
    table = scored.groupby("action").agg(
        customers=("churn_probability", "size"),
        in_budget=("in_budget", "sum"),
        mean_churn_probability=("churn_probability", "mean"),
        value_at_risk=("value_at_risk", "sum"),
    )
    return table.sort_values(["value_at_risk", "customers"], ascending=False)


def make_scorer(name: str, random_state: int):
    """A model by name, or a baseline score turned into a probability by a one-feature logistic regression
    (a monotone map: the ranking, and so the backtest's ROC-AUC, are the baseline's own)."""
    if name in BASELINES:
        return LogisticRegression(max_iter=1000)
    return make_models(random_state)[name]


def scorer_columns(name: str, train: pd.DataFrame) -> list[str]:
    return [name] if name in BASELINES else model_columns(train)


def scoring_cutoffs(today: date, horizon_days: int, *, train_cutoffs: int, step_days: int) -> list[date]:
    """The cutoffs today's scorer trains on: the latest whose label windows are complete, oldest first."""
    return sorted(today - timedelta(days=horizon_days + step_days * k) for k in range(train_cutoffs))


def score_customers(
    tx: ibis.Table,
    today: date,
    *,
    horizon_days: int,
    train_cutoffs: int,
    step_days: int,
    scorer: str,
    random_state: int,
    unit: str,
    side: SideFeatures | None = None,
    max_train_rows: int | None = None,
    baseline_fit_customers: int | None = None,
    known: Mapping[date, tuple[pd.DataFrame, int]] | None = None,
    penalizer: float = 0.0,
) -> pd.DataFrame:
    """Churn probability of every customer as of `today`, from `scorer` (a model or a baseline) trained on the
    latest cutoffs whose label windows are complete (today - H, today - H - step, ...); a cutoff in `known`
    (`Backtest.release_whole_snapshots`: the backtest tested them) is not computed again."""
    cutoffs = scoring_cutoffs(today, horizon_days, train_cutoffs=train_cutoffs, step_days=step_days)
    known = dict(known or {})
    for cutoff in (c for c in cutoffs if c not in known):
        try:
            known[cutoff] = trimmed_snapshot(
                tx,
                cutoff,
                horizon_days=horizon_days,
                unit=unit,
                side=side,
                max_rows=max_train_rows,
                random_state=random_state,
                fit_customers=baseline_fit_customers,
                penalizer=penalizer,
            )
        except ChurnDataError as error:  # an early training cutoff is left out while a later one trains
            if cutoff == cutoffs[-1]:  # the latest: nothing later to train on
                raise
            log.warning("churn training cutoff %s left out: %s", cutoff, error)
    parts, sizes = zip(*(known[c] for c in cutoffs if c in known), strict=True)
    train = training_rows(list(parts), max_train_rows, random_state=random_state, sizes=list(sizes))
    current = snapshot(
        tx,
        today,
        horizon_days=horizon_days,
        unit=unit,
        labelled=False,
        side=side,
        fit_customers=baseline_fit_customers,
        random_state=random_state,
        penalizer=penalizer,
    ).sort_index()  # in customer order while it holds only the features, not once the list has grown around it
    columns = scorer_columns(scorer, train)
    model = make_scorer(scorer, random_state).fit(train[columns], train["churned"].to_numpy(int))
    current["churn_probability"] = model.predict_proba(current[columns])[:, 1]
    return current


ALIVE_FLOOR = 1e-6  # below it a customer is as good as gone; CLV / P(alive) would only amplify rounding


def value_at_risk(scored: pd.DataFrame) -> pd.Series:
    """The margin a contact can still save: the churn probability beyond the chance that the customer has already
    gone (1 - P(alive)) is the chance an active customer lapses, times what an active customer brings. It never
    exceeds CLV (P(alive) x value if retained), so the list spends nothing on customers already lost."""
    lapsing = (scored["churn_probability"] - (1.0 - scored["p_alive"])).clip(lower=0.0)
    return scored["value_if_retained"] * lapsing


def attach_value(scored: pd.DataFrame, values: pd.DataFrame | None, high_value_share: float) -> pd.DataFrame:
    """What each customer is worth if they stay, their value level, and the value at risk.

    With 03_clv: CLV already counts the chance that the customer has left (it is P(alive) x the margin an
    active customer brings), so the value if retained is CLV / P(alive). Without 03_clv: past total spend.
    Value at risk: `value_at_risk`."""
    scored = scored.copy(deep=False)  # new columns only: the caller's frame is untouched, its data not copied
    if values is not None:
        clv_table = values.set_index("customer_id").reindex(scored.index)
        scored["clv"] = clv_table["clv"].fillna(0.0)
        scored["p_alive"] = clv_table["p_alive"].fillna(scored["bgnbd_p_alive"])
        scored["value_if_retained"] = scored["clv"] / scored["p_alive"].clip(lower=ALIVE_FLOOR)
        scored["value_source"] = "CLV"
    else:
        scored["clv"] = np.nan
        scored["p_alive"] = scored["bgnbd_p_alive"]
        scored["value_if_retained"] = scored["total_spend"].clip(lower=0.0)
        scored["value_source"] = "total spend"
    scored["value_level"] = tiers_by_share(scored["value_if_retained"], {"high value": high_value_share}, "low value")
    scored["value_at_risk"] = value_at_risk(scored)
    return scored


def one_time_buyer_trap(snapshot: pd.DataFrame, customers: int) -> dict:
    """At one labelled cutoff of `customers` customers (`snapshot`: all of them, or a random sample): one-time
    buyers' number (estimated from a sample's share) and share, their mean BG/NBD P(alive) and churn rate, and
    overall."""
    one_timers = snapshot[snapshot["purchases"] == 1]
    share = len(one_timers) / len(snapshot)
    return {
        "one_time_buyers": round(share * customers),
        "share": share,
        "mean_p_alive": float(one_timers["bgnbd_p_alive"].mean()),
        "churn_rate": float(one_timers["churned"].mean()),
        "overall_churn_rate": float(snapshot["churned"].mean()),
    }


def with_and_without(backtest: Backtest, model_name: str, *, random_state: int, extra: list[str]) -> pd.DataFrame:
    """ROC-AUC of the model per fold with all features and without the `extra` ones (e.g. surveys), on the same
    training and test customers: what those features add."""
    cutoffs = {fold: group["test_cutoff"].iloc[0] for fold, group in backtest.folds.groupby("fold")}
    rows = []
    for number, test_cutoff in cutoffs.items():
        test = backtest.snapshots[test_cutoff.date()]
        train = backtest.training(cast(int, number), random_state)
        y_train, y_test = train["churned"].to_numpy(int), test["churned"].to_numpy(int)
        row = {"fold": number, "test_cutoff": test_cutoff}
        for label, columns in (("with", model_columns(train)), ("without", [c for c in model_columns(train)
                                                                            if c not in extra])):  # fmt: skip
            model = make_models(random_state)[model_name].fit(train[columns], y_train)
            row[f"roc_auc_{label}"] = float(roc_auc_score(y_test, model.predict_proba(test[columns])[:, 1]))
        rows.append(row)
    table = pd.DataFrame(rows).set_index("fold")
    table["difference"] = table["roc_auc_with"] - table["roc_auc_without"]
    return table


def per_fold_auc(backtest: Backtest) -> pd.DataFrame:
    """ROC-AUC of every scorer per fold, and its mean; best scorer first."""
    table = backtest.folds.pivot_table(index="scorer", columns="fold", values="roc_auc")
    table = table.loc[backtest.summary().index]
    table["mean"] = table.mean(axis=1)
    return table
