"""Churn: labels by hand, no leakage past the cutoff, the BG/NBD P(X=0) against simulation, folds, metrics."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from conftest import transactions_table
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score

from helpers.data.features import btyd_summary, churn_features, churn_labels
from helpers.models import churn
from helpers.models.purchase import btyd_history

BASE = [
    ("a", "1", "2024-01-01", 10.0, False),
    ("a", "2", "2024-03-01", 20.0, False),
    ("a", "3", "2024-04-15", 5.0, False),  # after the cutoff, inside the window: not churned
    ("b", "4", "2024-02-10", 8.0, False),  # nothing after: churned
    ("c", "5", "2024-01-20", 9.0, False),
    ("c", "6", "2024-06-01", 9.0, False),  # after the window: still churned
    ("d", "7", "2024-04-02", 3.0, False),  # first purchase after the cutoff: not in the population
]
CUTOFF = date(2024, 3, 31)


def test_labels_by_hand():
    labels = churn_labels(transactions_table(BASE), CUTOFF, 30).execute().set_index("customer_id")
    assert labels["churned"].to_dict() == {"a": False, "b": True, "c": True}


def test_no_feature_can_see_past_the_cutoff():
    before = churn_features(transactions_table(BASE), CUTOFF).execute()
    later = [*BASE, ("a", "9", "2024-04-01", 500.0, False), ("b", "10", "2024-03-31 23:59", -4.0, True),
                    ("e", "11", "2024-05-01", 50.0, False)]  # fmt: skip
    after = churn_features(transactions_table(later), CUTOFF).execute()
    changed = after.set_index("customer_id").loc[["a", "c"]]
    pd.testing.assert_frame_equal(before.set_index("customer_id").loc[["a", "c"]], changed)
    assert "e" not in set(after.customer_id)


def test_features_by_hand():
    features = churn_features(transactions_table(BASE), CUTOFF).execute().set_index("customer_id")
    a = features.loc["a"]
    assert (a.purchases, a.recency_days, a.tenure_days, a.total_spend) == (2, 30, 90, 30.0)
    assert (a.purchases_30d, a.purchases_90d, a.purchases_180d) == (0, 1, 2)  # 30 days ago is outside '< 30'
    assert a.recency_ratio == pytest.approx(30 / 60)
    assert a.purchase_trend_90d == 1 - 1  # one purchase in each of the last two 90-day windows


def test_population_with_one_outcome_is_a_clear_message():
    with pytest.raises(churn.ChurnDataError, match="every one of the 2 customers churned.*churn.horizon_days"):
        churn.check_labels(pd.Series([True, True]), CUTOFF)
    with pytest.raises(churn.ChurnDataError, match="none of the 3 customers churned"):
        churn.check_labels(pd.Series([False] * 3), CUTOFF)
    with pytest.raises(churn.ChurnDataError, match="no customer has a purchase"):
        churn.check_labels(pd.Series([], dtype=bool), CUTOFF)


def test_rolling_folds_never_overlap_the_test_window():
    folds = churn.rolling_folds(date(2024, 12, 1), folds=3, train_cutoffs=2, step_days=30, horizon_days=90)
    assert [f.test_cutoff for f in folds] == [date(2024, 10, 2), date(2024, 11, 1), date(2024, 12, 1)]
    for fold in folds:
        assert all(c + timedelta(days=90) <= fold.test_cutoff for c in fold.train_cutoffs)


def test_top_decile_lift_and_capture_by_hand():
    y = np.array([1, 1, 0, 0, 0, 0, 0, 0, 0, 0] * 2)
    score = np.array([0.9, 0.8] + [0.1] * 8 + [0.2] * 10)
    lift, capture = churn.top_decile(y, score)
    assert lift == pytest.approx(1.0 / 0.2)
    assert capture == pytest.approx(2 / 4)


@pytest.mark.parametrize("ties", ["none", "tenths", "four values"])
def test_metrics_from_one_sort_equal_scikit_learns_and_say_nan_when_the_outcomes_are_all_alike(ties):
    rng = np.random.default_rng(5)
    for size in (2, 3, 17, 400, 5000):
        y = rng.integers(0, 2, size)
        y[:2] = [0, 1]
        raw = rng.random(size)
        score = {"none": raw, "tenths": np.round(raw, 1), "four values": np.floor(raw * 4)}[ties]
        found = churn.metrics(y, score, True)
        assert found["roc_auc"] == pytest.approx(roc_auc_score(y, score), abs=1e-12)
        assert found["pr_auc"] == pytest.approx(average_precision_score(y, score), abs=1e-12)
        assert found["brier"] == pytest.approx(brier_score_loss(y, np.clip(score, 0, 1)))
        assert (found["top_decile_lift"], found["top_decile_capture"]) == churn.top_decile(y, score)
    alike = churn.metrics(np.ones(10, dtype=int), rng.random(10), False)
    assert np.isnan(alike["roc_auc"]) and np.isnan(alike["pr_auc"]) and np.isnan(alike["brier"])


def test_constant_features_are_not_model_inputs():
    frame = pd.DataFrame({"recency_days": [1, 2], "return_rate": [0.0, 0.0], "churned": [True, False],
                          "days since last purchase": [1.0, 2.0]})  # fmt: skip
    assert churn.model_columns(frame) == ["recency_days"]


@pytest.mark.slow
def test_backtest_on_cdnow_model_at_least_matches_best_baseline(cdnow_transactions):
    folds = churn.rolling_folds(date(1998, 4, 1), folds=3, train_cutoffs=2, step_days=60, horizon_days=90)
    backtest = churn.run_backtest(cdnow_transactions, folds, horizon_days=90, random_state=42, unit="weeks")
    summary = backtest.summary()
    assert set(backtest.folds["fold"]) == {1, 2, 3}
    best_baseline = summary[summary.kind == "baseline"].roc_auc.max()
    assert summary.loc[backtest.chosen_model(), "roc_auc"] >= best_baseline
    assert summary.loc["BG/NBD 1 - P(alive)", "roc_auc"] < 0.5  # the documented trap


@pytest.fixture(scope="module")
def one_fold_backtest(cdnow_transactions):
    folds = churn.rolling_folds(date(1998, 4, 1), folds=1, train_cutoffs=2, step_days=60, horizon_days=90)
    return churn.run_backtest(cdnow_transactions, folds, horizon_days=90, random_state=42, unit="weeks"), folds


def test_training_on_a_sample_keeps_the_backtest_close_and_a_large_cap_changes_nothing(cdnow_transactions,
                                                                                       one_fold_backtest):  # fmt: skip
    full, folds = one_fold_backtest
    sampled = churn.run_backtest(
        cdnow_transactions, folds, horizon_days=90, random_state=42, unit="weeks", max_train_rows=2000
    )
    assert full.train_rows[1] == 2 * 2357 and sampled.train_rows[1] == full.train_rows[1]
    assert len(sampled.training(1, 42)) == 2000 and len(full.training(1, 42)) == full.train_rows[1]
    full_auc, sampled_auc = (b.folds.set_index("scorer")["roc_auc"] for b in (full, sampled))
    assert abs(full_auc["logistic regression"] - sampled_auc["logistic regression"]) < 0.02
    assert full_auc["Pareto/NBD P(no purchase)"] == sampled_auc["Pareto/NBD P(no purchase)"]  # baselines: no training
    capped = churn.run_backtest(
        cdnow_transactions, folds, horizon_days=90, random_state=42, unit="weeks", max_train_rows=10**6
    )
    pd.testing.assert_frame_equal(capped.folds, full.folds)


@pytest.mark.parametrize("tested", [5_000, 50_000])
def test_the_stated_auc_sampling_error_is_the_spread_of_aucs_measured_on_samples(tested):
    """On a population of 100,000 scored customers, the ROC-AUCs of 200 random samples spread as
    `auc_sampling_error` says (the finite-population factor included: half the population at 50,000)."""
    rng = np.random.default_rng(7)
    churned = rng.random(100_000) < 0.4
    score = churned + rng.normal(0, 1.4, churned.size)
    everyone = churn.metrics(churned, score, False)["roc_auc"]
    samples = (rng.choice(churned.size, tested, replace=False) for _ in range(200))
    measured = np.array([churn.metrics(churned[rows], score[rows], False)["roc_auc"] for rows in samples])
    error = churn.auc_sampling_error(everyone, churned=round(0.4 * tested), tested=tested, customers=churned.size)
    assert 0.85 < measured.std() / error < 1.15
    assert np.mean(np.abs(measured - everyone) <= 2 * error) > 0.9
    assert churn.auc_sampling_error(everyone, churned=40_000, tested=100_000, customers=100_000) == 0.0


def test_testing_on_a_sample_of_customers_stays_within_the_stated_error(cdnow_transactions, one_fold_backtest):
    """Beyond churn.test_max_customers the scorers are tested on a sample of them: every scorer's ROC-AUC within
    three of the stated standard errors of the whole test date's, the cutoff's customers still counted in full; a
    cap above the customers changes nothing."""
    full, folds = one_fold_backtest
    sampled = churn.run_backtest(cdnow_transactions, folds, horizon_days=90, random_state=42, unit="weeks",
                                 max_test_customers=1_000)  # fmt: skip
    test_cutoff = folds[0].test_cutoff
    assert (sampled.folds["customers"] == 1_000).all() and sampled.customers == full.customers
    assert full.auc_sampling_error() == 0.0 and 0.0 < sampled.auc_sampling_error() < 0.03
    difference = (sampled.folds.set_index("scorer")["roc_auc"] - full.folds.set_index("scorer")["roc_auc"]).abs()
    assert (difference <= 3 * sampled.auc_sampling_error()).all()
    whole, sample = (churn.one_time_buyer_trap(b.snapshots[test_cutoff], b.customers[test_cutoff])
                     for b in (full, sampled))  # fmt: skip
    assert whole["one_time_buyers"] == (full.snapshots[test_cutoff]["purchases"] == 1).sum()
    assert sample["one_time_buyers"] == pytest.approx(whole["one_time_buyers"], rel=0.1)
    capped = churn.run_backtest(cdnow_transactions, folds, horizon_days=90, random_state=42, unit="weeks",
                                max_test_customers=10**6)  # fmt: skip
    pd.testing.assert_frame_equal(capped.folds, full.folds)


def test_training_rows_sample_each_snapshot_by_its_share_of_customers():
    """Beyond the cap each part gives its share of the customers it had, even when it holds only a sample."""
    whole = pd.DataFrame({"cutoff": "a", "x": range(6_000)})
    trimmed = pd.DataFrame({"cutoff": "b", "x": range(2_000)})  # a sample of the 12,000 customers it had
    train = churn.training_rows([whole, trimmed], 3_000, random_state=1, sizes=[6_000, 12_000])
    assert train["cutoff"].value_counts().to_dict() == {"b": 2_000, "a": 1_000}
    assert not train.duplicated().any()
    again = churn.training_rows([whole, trimmed], 3_000, random_state=1, sizes=[6_000, 12_000])
    pd.testing.assert_frame_equal(train, again)
    under_the_cap = churn.training_rows([whole, trimmed], 10_000, random_state=1)
    pd.testing.assert_frame_equal(under_the_cap, pd.concat([whole, trimmed]))


def test_baselines_fitted_on_a_sample_score_everyone_alike(cdnow_transactions):
    """Beyond `fit_customers` the BTYD baselines are fitted on a seeded sample; they still score every customer,
    ranking them almost as the full fit does; a cap at or above the customers changes nothing."""
    cutoff = date(1997, 12, 31)
    features = churn_features(cdnow_transactions, cutoff).execute().set_index("customer_id")
    histories = btyd_history(features["purchases"], tenure_days=features["tenure_days"],
                             recency_days=features["recency_days"], unit="weeks")  # fmt: skip
    customers = histories.index
    full = churn.baseline_scores(histories, cutoff, horizon_days=90, unit="weeks")
    sampled = churn.baseline_scores(histories, cutoff, horizon_days=90, unit="weeks", fit_customers=1000)
    assert len(customers) == 2357 and sampled.index.equals(full.index)
    assert not np.allclose(sampled["BG/NBD P(no purchase)"], full["BG/NBD P(no purchase)"])  # the sample was used
    for scorer in ("BG/NBD expected purchases", "BG/NBD P(no purchase)", "Pareto/NBD P(no purchase)"):
        assert sampled[scorer].corr(full[scorer], method="spearman") > 0.98, scorer
    labels = churn_labels(cdnow_transactions, cutoff, 90).execute().set_index("customer_id")["churned"]
    y = labels.reindex(full.index).to_numpy(int)
    for scorer in ("BG/NBD P(no purchase)", "Pareto/NBD P(no purchase)"):
        full_auc, sampled_auc = (churn.metrics(y, s[scorer].to_numpy(float), True)["roc_auc"] for s in (full, sampled))
        assert abs(full_auc - sampled_auc) < 0.01, scorer
    capped = churn.baseline_scores(histories, cutoff, horizon_days=90, unit="weeks", fit_customers=len(customers))
    pd.testing.assert_frame_equal(capped, full)


@pytest.mark.parametrize("unit", ["days", "weeks"])
def test_histories_from_the_churn_features_equal_the_btyd_summary(babystore_transactions, unit):
    """The baselines' frequency, recency and T come from the churn features at the cutoff (no second pass over the
    transactions): the same values as `btyd_summary`, on the baby store's returns and multi-line orders too."""
    cutoff = date(2024, 6, 30)
    features = churn_features(babystore_transactions, cutoff).execute().set_index("customer_id")
    expected = btyd_summary(babystore_transactions, cutoff, unit).execute().set_index("customer_id")
    histories = btyd_history(features["purchases"], tenure_days=features["tenure_days"],
                             recency_days=features["recency_days"], unit=unit)  # fmt: skip
    assert len(histories) > 100 and (histories["frequency"] > 0).any()
    pd.testing.assert_frame_equal(histories, expected.loc[histories.index, list(histories.columns)], check_names=False)


def test_permutation_importance_on_a_sample_ranks_the_inputs_alike(one_fold_backtest):
    """Beyond `max_customers` the importance is measured on a seeded sample of the last test date's customers:
    the leading inputs stay the leading inputs; a limit at or above the customers changes nothing."""
    backtest, folds = one_fold_backtest
    full, everyone = churn.feature_importance(backtest, "logistic regression", random_state=42)
    sampled, sample = churn.feature_importance(backtest, "logistic regression", random_state=42, max_customers=1200)
    assert len(backtest.snapshots[folds[0].test_cutoff]) == everyone == 2357 and sample == 1200
    assert not np.allclose(full["importance"], sampled.set_index("feature").loc[full["feature"], "importance"])
    assert list(sampled["feature"].head(2)) == list(full["feature"].head(2))
    same, _ = churn.feature_importance(backtest, "logistic regression", random_state=42, max_customers=2357)
    pd.testing.assert_frame_equal(same, full)


def test_tested_cutoffs_are_kept_as_training_samples_and_today_trains_on_them(cdnow_transactions):
    """Beyond the cap an earlier test cutoff is kept as its training sample once tested (the importance trains on
    it); the latest stays whole (the importance and the one-time-buyer check test on it); predictions keep every
    test row. Released, the latest is trimmed too, and today's scores trained on the backtest's snapshots equal
    those computed afresh (today's training cutoffs are the backtest's test cutoffs)."""
    folds = churn.rolling_folds(date(1998, 4, 1), folds=2, train_cutoffs=1, step_days=60, horizon_days=90)
    backtest = churn.run_backtest(
        cdnow_transactions, folds, horizon_days=90, random_state=42, unit="weeks", max_train_rows=1000
    )
    first, last = folds[0].test_cutoff, folds[1].test_cutoff
    assert len(backtest.snapshots[first]) == 1000 and backtest.customers[first] > 1000
    assert len(backtest.snapshots[last]) == backtest.customers[last] == 2357
    predictions = backtest.predictions
    assert len(predictions) == 2 * (backtest.customers[first] + backtest.customers[last])
    assert set(predictions["model"].cat.categories) == {"logistic regression", "gradient boosting"}
    known = backtest.release_whole_snapshots(42)
    assert {first, last} <= set(known) and {len(frame) for frame, _ in known.values()} == {1000}
    assert {cutoff: customers for cutoff, (_, customers) in known.items()} == backtest.customers
    today = last + timedelta(days=90)
    scoring = {"horizon_days": 90, "train_cutoffs": 2, "step_days": 60, "scorer": "logistic regression",
               "random_state": 42, "unit": "weeks", "max_train_rows": 1000}  # fmt: skip
    reused = churn.score_customers(cdnow_transactions, today, **scoring, known=known)
    # afresh, each training cutoff describes a hash sample of its customers: other rows, scores alike within the
    # noise of a 1,000-row sample (two seeds of the whole snapshots' samples differ as much)
    afresh = churn.score_customers(cdnow_transactions, today, **scoring)
    assert reused.index.equals(afresh.index) and list(reused.columns) == list(afresh.columns)
    same = reused.drop(columns="churn_probability")
    pd.testing.assert_frame_equal(same, afresh[same.columns])
    gap = reused["churn_probability"] - afresh["churn_probability"]  # two samples of 1,000 of 2,357: about 0.03
    assert abs(gap.mean()) < 0.05 and gap.abs().mean() < 0.06


@pytest.mark.parametrize("seed", [7, 8])
def test_a_trimmed_snapshot_describes_a_hash_sample_of_its_customers_as_the_whole_snapshot_does(
    babystore_transactions, seed
):
    """Beyond the cap a training cutoff's features are computed for a seeded hash sample of its customers only:
    each sampled customer's features and label equal the whole snapshot's (they come from the customer's own lines),
    the baselines fitted on the sample rank customers as the whole's do, and the sample is a fair draw."""
    tx, cutoff, rows = babystore_transactions, date(2024, 6, 30), 3000
    whole = churn.snapshot(tx, cutoff, horizon_days=90, unit="weeks", random_state=seed)
    trimmed, customers = churn.trimmed_snapshot(tx, cutoff, horizon_days=90, unit="weeks", side=None, max_rows=rows,
                                                random_state=seed)  # fmt: skip
    assert customers == len(whole) > 5 * rows and len(trimmed) == rows and trimmed.index.is_unique
    baselines = [c for c in whole.columns if c in churn.BASELINES[1:] or c.startswith("bgnbd_")]
    own = [c for c in whole.columns if c not in baselines]
    assert {"recency_days", "purchases", "churned"} <= set(own) and len(baselines) == 6
    pd.testing.assert_frame_equal(trimmed[own], whole.loc[trimmed.index, own])
    for scorer in ("BG/NBD P(no purchase)", "Pareto/NBD P(no purchase)"):
        assert trimmed[scorer].corr(whole.loc[trimmed.index, scorer], method="spearman") > 0.98, scorer
    rate, sd = whole["churned"].mean(), np.sqrt(whole["churned"].mean() * (1 - whole["churned"].mean()) / rows)
    assert abs(trimmed["churned"].mean() - rate) < 4 * sd, "a uniform draw of the customers"
    other, _ = churn.trimmed_snapshot(tx, cutoff, horizon_days=90, unit="weeks", side=None, max_rows=rows,
                                      random_state=seed + 10)  # fmt: skip
    overlap = len(trimmed.index.intersection(other.index)) / rows
    assert overlap < 2 * rows / customers + 0.05, "another seed draws other customers"


def test_a_snapshots_labels_are_churn_labels(babystore_transactions):
    """A snapshot labels its customers from the window's buyers alone: the same answer as `churn_labels`, for the
    same customers (those who bought by the cutoff)."""
    cutoff = date(2024, 3, 31)
    frame = churn.snapshot(babystore_transactions, cutoff, horizon_days=90, unit="weeks")
    labels = churn_labels(babystore_transactions, cutoff, 90).execute().set_index("customer_id")["churned"]
    assert frame["churned"].any() and not frame["churned"].all()
    pd.testing.assert_series_equal(frame["churned"], labels.loc[frame.index].astype(bool), check_names=False)
    assert set(frame.index) == set(labels.index)
