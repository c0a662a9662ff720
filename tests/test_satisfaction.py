"""NPS and satisfaction: the score and its interval by hand and by simulation, the planted truth per segment,
no future answer in the churn features, and the value surveys add to the churn model on data where they carry it."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from conftest import ROOT

from helpers.core.config import SurveysSection, load_config
from helpers.data.babystore_members import SURVEY_COLUMNS, nps_probabilities, write_side_table
from helpers.data.datasets import babystore_frames
from helpers.data.features import customer_summary
from helpers.data.profile_tables import clean_surveys, read_side_table
from helpers.models import churn, satisfaction
from helpers.stages.segment import score

END = date(2024, 12, 31)


@pytest.fixture(scope="module")
def babystore_surveys(tmp_path_factory) -> pd.DataFrame:
    path = write_side_table("surveys", "babystore", out_dir=tmp_path_factory.mktemp("surveys"))
    section = SurveysSection(path=str(path), columns=dict(SURVEY_COLUMNS))
    return clean_surveys(
        read_side_table(path, dict(SURVEY_COLUMNS), "surveys"), section, reference=END, source_file=path.name
    ).kept


def test_nps_and_its_interval_by_hand():
    found = satisfaction.nps_score(pd.Series([10, 9, 9, 8, 7, 6, 0, 10, 3, 9, np.nan]))
    assert found["responses"] == 10 and (found["promoters"], found["detractors"]) == (0.5, 0.3)
    assert found["nps"] == pytest.approx(20.0)
    half = 1.959964 * 100 * np.sqrt((0.5 + 0.3 - 0.2**2) / 10)
    assert (found["nps_low"], found["nps_high"]) == (pytest.approx(20 - half), pytest.approx(20 + half))
    assert satisfaction.nps_score(pd.Series([10.0] * 5))["nps_high"] == 100.0
    assert satisfaction.nps_score(pd.Series([], dtype=float))["responses"] == 0


def test_the_nps_interval_covers_the_true_score_about_95_percent_of_the_time():
    rng = np.random.default_rng(5)
    promoter, detractor, n = 0.4, 0.3, 150
    covered = 0
    for _ in range(400):
        answers = rng.choice([10, 7, 3], size=n, p=[promoter, 1 - promoter - detractor, detractor])
        found = satisfaction.nps_score(pd.Series(answers))
        covered += found["nps_low"] <= 100 * (promoter - detractor) <= found["nps_high"]
    assert 0.92 <= covered / 400 <= 0.975


def test_nps_by_segment_matches_the_planted_truth_within_its_interval(babystore_transactions, babystore_surveys):
    config = load_config(ROOT / "configs" / "babystore.yaml")
    customers, _, _ = score(customer_summary(babystore_transactions, END).execute(), config)
    latest = satisfaction.latest_answers(babystore_surveys)
    table = satisfaction.nps_by(latest, customers.set_index("customer_id")["segment"])
    _, truth = babystore_frames()
    promoter, detractor = nps_probabilities(truth.set_index("customer_id")["dropout"])
    expected = pd.Series(100 * (promoter - detractor), index=truth["customer_id"])
    answered = latest[latest["nps"].notna()].join(customers.set_index("customer_id")["segment"], how="inner")
    true_nps = expected.reindex(answered.index).groupby(answered["segment"]).mean()
    checked = table[table["responses"] >= 100]
    assert len(checked) >= 6
    half = (checked["nps_high"] - checked["nps_low"]) / 2
    error = (checked["nps"] - true_nps.reindex(checked.index)).abs()
    assert (error <= half).mean() >= 0.8 and (error <= 2 * half).all()
    assert checked["nps"].max() - checked["nps"].min() > 40  # segments really differ: the truth is not flat


def test_survey_features_use_only_answers_given_by_the_cutoff():
    cutoff = date(2024, 6, 30)
    answers = pd.DataFrame({
        "customer_id": ["a", "a", "b", "c"], "nps": [9.0, 2.0, 5.0, 10.0], "satisfaction": [5.0, 1.0, np.nan, 4.0],
        "survey_date": pd.to_datetime(["2024-05-01", "2024-07-01", "2024-06-30", "2024-08-01"]),
        "source_row": [1, 2, 3, 4],
    })  # fmt: skip
    features = satisfaction.survey_features(answers, cutoff)
    assert features.index.tolist() == ["a", "b"]  # c answered only after the cutoff
    assert features.loc["a", ["latest_nps", "promoter", "detractor", "latest_satisfaction"]].tolist() == [9, 1, 0, 5]
    assert features.loc["a", "days_since_survey"] == 60 and features.loc["b", "detractor"] == 1
    later = pd.concat([answers, answers.assign(survey_date=pd.Timestamp(cutoff) + timedelta(days=3), nps=0.0)])
    pd.testing.assert_frame_equal(satisfaction.survey_features(later, cutoff), features)


def test_survey_features_in_the_backtest_never_see_a_future_answer(babystore_transactions, babystore_surveys):
    cutoff = date(2024, 3, 31)
    seen = []

    def side(at: date) -> pd.DataFrame:
        seen.append(at)
        return satisfaction.survey_features(babystore_surveys, at)

    with_all = churn.snapshot(babystore_transactions, cutoff, horizon_days=90, unit="weeks", side=side)
    known = babystore_surveys[babystore_surveys["survey_date"] <= pd.Timestamp(cutoff)]
    with_known = churn.snapshot(babystore_transactions, cutoff, horizon_days=90, unit="weeks",
                                side=lambda at: satisfaction.survey_features(known, at))  # fmt: skip
    pd.testing.assert_frame_equal(with_all, with_known)
    assert seen == [cutoff] and with_all["surveys_answered"].notna().all()
    assert with_all["days_since_survey"].dropna().min() >= 0


def test_those_who_answer_are_the_better_customers_as_planted(babystore_transactions, babystore_surveys):
    summary = customer_summary(babystore_transactions, END).execute().set_index("customer_id")
    profile = summary.assign(value_tier="regular")
    bias = satisfaction.response_bias(profile, satisfaction.latest_answers(babystore_surveys).index)
    assert bias.loc["answered", "median_spend"] > 1.3 * bias.loc["did not answer", "median_spend"]
    assert bias["customers"].sum() == len(profile)


@pytest.mark.slow
def test_survey_answers_raise_the_churn_backtest_auc_where_they_carry_signal(babystore_transactions,
                                                                             babystore_surveys):  # fmt: skip
    folds = churn.rolling_folds(date(2024, 10, 2), 2, train_cutoffs=1, step_days=60, horizon_days=90)
    backtest = churn.run_backtest(babystore_transactions, folds, horizon_days=90, random_state=42, unit="weeks",
                                  side=lambda at: satisfaction.survey_features(babystore_surveys, at))  # fmt: skip
    compared = churn.with_and_without(
        backtest, "gradient boosting", random_state=42, extra=list(satisfaction.SURVEY_FEATURES)
    )
    assert (compared["difference"] > 0).all() and compared["difference"].mean() > 0.005
    assert compared["roc_auc_with"].tolist() == pytest.approx(
        backtest.folds.query("scorer == 'gradient boosting'")["roc_auc"].tolist()
    )
