"""Short histories: settings chosen from the data's span, fits that converge or fall back in the open, and a
look-alike of a Chinese supermarket export (GBK, Chinese headers, four months) that runs every stage."""

from __future__ import annotations

import json
from datetime import date, timedelta

import lifetimes
import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.core.config import parse_config
from helpers.core.errors import ClvFitError, NoActionListError
from helpers.data.datasets import SUPERMARKET_COLUMNS, write_supermarket_export
from helpers.language import i18n
from helpers.language.i18n import use_language
from helpers.models import clv
from helpers.models.churn import rolling_folds
from helpers.models.history import fit_to_history
from helpers.models.next_purchase import TimeSplit
from helpers.models.purchase import MODELS
from helpers.run.runner import run
from helpers.stages import campaign
from helpers.stages.context import report_scope

FIRST = date(2015, 1, 1)


def _config(**sections) -> object:
    return parse_config({"input": {"dataset": "babystore"}, **sections})


def _earliest_cutoff(config, today: date) -> date:
    churn = config.churn
    folds = rolling_folds(today - timedelta(days=churn.horizon_days), churn.folds, train_cutoffs=churn.train_cutoffs,
                          step_days=churn.cutoff_step_days, horizon_days=churn.horizon_days)  # fmt: skip
    return min(c for fold in folds for c in fold.train_cutoffs)


def test_two_years_of_history_keep_every_default():
    fit = fit_to_history(_config(), first=date(2023, 1, 1), today=date(2024, 12, 31))
    assert fit.derived == () and fit.short == ()
    assert fit.config == _config()


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=28, max_value=900))
def test_settings_fitted_to_any_span_leave_every_stage_history_and_never_exceed_a_default(span):
    today = FIRST + timedelta(days=span)
    defaults = _config()
    fit = fit_to_history(defaults, first=FIRST, today=today)
    config = fit.config
    assert fit.short == (), "settings the workbench chose never leave a stage without data"
    calibration_end = today - timedelta(days=config.clv.holdout_days)
    assert FIRST < calibration_end < today
    assert (calibration_end - FIRST).days >= 2 * config.clv.holdout_days - 2, "calibration is at least 2/3"
    assert (_earliest_cutoff(config, today) - FIRST).days >= config.churn.horizon_days
    assert config.clv.horizon_months <= max(1, round(span / 30.44))
    assert config.next_purchase.calibration_window_days <= config.next_purchase.evaluation_days < span
    for derived in fit.derived:
        assert derived.value < derived.default, f"{derived.key}: a short history only ever shortens a setting"
    if span >= 545:
        assert fit.derived == ()


def test_a_key_the_user_sets_is_kept_and_named_when_it_leaves_a_stage_no_history():
    given_config = _config(clv={"calibration_end": "2014-11-01"}, churn={"horizon_days": 60, "folds": 3})
    fit = fit_to_history(given_config, first=FIRST, today=date(2015, 4, 30))
    assert fit.config.clv.calibration_end == date(2014, 11, 1)
    assert (fit.config.churn.horizon_days, fit.config.churn.folds) == (60, 3)
    assert {s.stage for s in fit.short} == {"03_clv", "04_churn"}
    assert "clv.holdout_days" not in {d.key for d in fit.derived}, "an explicit calibration end decides the holdout"
    assert {d.key for d in fit.derived} >= {"churn.train_cutoffs", "clv.horizon_months"}


# fits that converge, or fall back in the open


def _repeaters(values: np.ndarray, frequency: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame({"frequency": frequency, "monetary_value": values})


def test_gamma_gamma_that_cannot_be_fitted_falls_back_to_the_shrunk_mean_with_its_reason():
    # every repeat order is worth the same: no spread between customers for Gamma-Gamma to fit
    summary = _repeaters(np.full(40, 25.0), np.tile([1, 2, 3, 4], 10))
    summary = pd.concat([summary, _repeaters(np.zeros(5), np.zeros(5))], ignore_index=True)
    with pytest.raises(ClvFitError):
        clv.fit_spend_model(summary, fallback=False)
    spend = clv.fit_spend_model(summary)
    assert spend.fallback_reason and spend.label == "shrunk mean order value"
    assert spend.customers_fitted == 40 and spend.excluded_no_repeat == 5
    value = spend.model.conditional_expected_average_profit(np.array([0, 1, 3]), np.array([0.0, 125.0, 5.0]))
    assert value == pytest.approx([25.0, (125 + 25) / 2, (15 + 25) / 4])


def test_the_fallback_mean_is_order_weighted_and_pulls_one_expensive_order_towards_it():
    summary = _repeaters(np.array([10.0, 10.0, 100.0]), np.array([4, 4, 1]))
    model = clv.ShrunkMeanSpend().fit(summary["frequency"], summary["monetary_value"])
    assert model.params_["mean"] == pytest.approx((40 + 40 + 100) / 9)
    shrunk = model.conditional_expected_average_profit(np.array([1]), np.array([100.0]))[0]
    assert model.params_["mean"] < shrunk < 100.0


def test_lifetimes_fits_retry_from_other_starts_when_the_first_stops_short(monkeypatch):
    starts = []
    original = lifetimes.GammaGammaFitter.fit

    def first_start_fails(self, *data, initial_params=None, **options):
        starts.append(initial_params)
        if initial_params is None:
            raise lifetimes.utils.ConvergenceError("precision loss")
        return original(self, *data, initial_params=initial_params, **options)

    monkeypatch.setattr(lifetimes.GammaGammaFitter, "fit", first_start_fails)
    rng = np.random.default_rng(3)
    summary = _repeaters(rng.gamma(6.0, 10.0, 300), rng.integers(1, 6, 300))
    spend = clv.fit_spend_model(summary)
    assert spend.fallback_reason is None and len(starts) == 2
    assert spend.model.params_["p"] > 0


def test_a_probability_check_says_held_only_when_the_buyers_lie_in_the_range_the_probabilities_allow():
    def split(actual: int) -> TimeSplit:
        probability = np.full(1000, 0.5)
        return TimeSplit(cutoff=FIRST, horizon_days=30, window_days=30, customers=1000,
                         expected_buyers=probability.sum(), buyers_sd=float(np.sqrt((probability * 0.5).sum())),
                         actual_buyers=actual, base_rate=0.4, brier=0.2, brier_base=0.25,
                         reliability=pd.DataFrame(), errors=pd.DataFrame(), chosen="model")  # fmt: skip

    low, high = split(500).buyers_interval()
    assert (low, high) == pytest.approx((500 - 1.96 * np.sqrt(250), 500 + 1.96 * np.sqrt(250)))
    assert split(520).held and not split(550).held and not split(440).held


def test_a_skip_reason_is_in_the_report_language(tmp_path):
    (tmp_path / "artifacts").mkdir()
    chinese = _config(report={"language": "zh"})
    with use_language("en"), report_scope(chinese.report), pytest.raises(NoActionListError, match="行动名单"):
        campaign.plan_campaign(campaign.StageContext.open(tmp_path, chinese), chinese, None)
    assert i18n.language() == "en"


# the look-alike of a Chinese supermarket export with four months of history


@pytest.fixture(scope="module")
def supermarket(tmp_path_factory):
    folder = tmp_path_factory.mktemp("supermarket")
    export = write_supermarket_export(folder / "input")
    configs = {}
    for language in ("zh", "en"):
        config = {"run": {"output_dir": str(folder / "runs")}, "input": {"path": str(export.path), "csv": {
            "encoding": "gbk"}}, "columns": SUPERMARKET_COLUMNS, "report": {"language": language}}  # fmt: skip
        configs[language] = folder / f"{language}.yaml"
        configs[language].write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return export, configs


def test_the_supermarket_look_alike_is_a_short_gbk_export_with_chinese_headers(supermarket):
    export, _ = supermarket
    raw = pd.read_csv(export.path, encoding="gbk", dtype=str)
    assert set(SUPERMARKET_COLUMNS.values()) < set(raw.columns) and len(raw) == export.truth["lines"]
    assert raw[SUPERMARKET_COLUMNS["order_date"]].str.fullmatch(r"2015\d{4}").all(), "dates as 20150101"
    assert 0.4 < export.truth["repeat_buyers"] / export.truth["customers"] < 0.65
    assert (export.truth["first_day"], export.truth["last_day"]) == ("2015-01-01", "2015-04-30")


@pytest.mark.slow
@pytest.mark.parametrize("language", ["zh", "en"])
def test_four_months_of_a_supermarket_export_run_every_stage_with_a_columns_only_config(supermarket, language):
    export, configs = supermarket
    report = run(configs[language], run_id=language)
    folder = report.parent
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    statuses = {name: (record["status"], record["error"]) for name, record in manifest["stages"].items()}
    assert statuses == {name: ("ok", None) for name in statuses} and len(statuses) == 6
    artifacts = folder / "artifacts"
    quality = json.loads((artifacts / "quality.json").read_text(encoding="utf-8"))
    assert quality["rows_in"] == export.truth["lines"] == quality["rows_kept"]
    history = json.loads((artifacts / "history.json").read_text(encoding="utf-8"))
    assert history["span_days"] == 119 and not history["seasons_seen"] and not history["short"]
    models = json.loads((artifacts / "clv_models.json").read_text(encoding="utf-8"))
    chosen = models["holdout_comparison"][MODELS[models["chosen_model"]][0]]
    assert chosen["predicted_purchases"] == pytest.approx(chosen["actual_purchases"], rel=0.15)
    backtest = pd.read_parquet(artifacts / "churn_backtest.parquet")
    assert {"model", "baseline"} <= set(backtest["kind"]) and backtest["fold"].nunique() >= 1
    plan = pd.read_parquet(artifacts / "campaign_plan.parquet")
    assert plan["customer_id"].nunique() > 0 and (plan["group"] == "control").any()
    page = report.read_text(encoding="utf-8")
    said = {"zh": ("客户终身价值", "119 天的历史", "ROC-AUC"), "en": ("customer lifetime value", "119 days of history",
                                                              "ROC-AUC")}[language]  # fmt: skip
    assert all(words in page for words in said)
