"""Stage 03: fit the purchase models on a calibration period, test them on the holdout, value every customer.

Writes clv.parquet, clv_models.json and (with clv.bootstrap_samples > 0) clv_bootstrap.parquet.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import partial
from pathlib import Path
from typing import cast

import matplotlib.pyplot as plt
import pandas as pd

from helpers.core.config import ClvSection, WorkbenchConfig
from helpers.core.errors import ClvFitError, ConfigError
from helpers.data.features import DAYS_PER_UNIT, btyd_summary, calibration_holdout, repeat_purchases_by_period
from helpers.language.formatting import count
from helpers.language.i18n import t
from helpers.models import clv, seasons
from helpers.models.purchase import MODELS, PurchaseModel
from helpers.report import findings, plots
from helpers.report.clv_page import clv_checked, clv_page
from helpers.report.findings import Findings
from helpers.report.sections import Report
from helpers.stages.context import StageContext, fitted_to_history, in_report_scope, log, stage_config

__all__ = ["ClvStage", "calibration_end", "run", "season_check"]


@dataclass
class ClvStage:
    """What 03_clv shows."""

    calibration_end: date
    analysis_date: date
    unit: str
    calibration_customers: int
    holdout_length: float
    fits: clv.ModelFits
    comparison: pd.DataFrame
    chosen: str  # model key
    expectations: pd.DataFrame
    calibration_spend: clv.SpendModel
    values: pd.DataFrame  # clv.parquet
    deciles: pd.DataFrame
    by_segment: pd.DataFrame | None
    bootstrap: pd.DataFrame | None  # clv_bootstrap.parquet, indexed by quantity
    season: seasons.SeasonCheck | None  # the month index checked on the holdout; None with under a year
    top_customers: pd.DataFrame  # the most valuable customers, ids masked for the report when configured
    findings: Findings
    figures: dict[str, plt.Figure]
    report: Report = field(init=False)  # the page, section by section
    checked: str = field(init=False)  # the fitted numbers as text: what nbval compares

    @property
    def chosen_label(self) -> str:
        return MODELS[self.chosen][0]


def calibration_end(config: WorkbenchConfig, today: date) -> date:
    """clv.calibration_end, else clv.holdout_days before the analysis date; it must lie before that date."""
    end = config.clv.calibration_end or today - timedelta(days=config.clv.holdout_days)
    if end >= today:
        raise ConfigError(f"clv.calibration_end {end} must lie before the analysis date {today}")
    return end


def season_check(cumulative: pd.DataFrame, chosen: pd.Series, calibration: pd.DataFrame, *, cal_end: date,
                 today: date, settings: ClvSection) -> seasons.SeasonCheck | None:  # fmt: skip
    """The chosen model's calendar-month index checked on the holdout; None with under a year of calibration."""
    start = calibration["first_purchase"].min()
    horizon_days = round(settings.horizon_months * clv.UNITS_PER_MONTH[settings.time_unit]
                         * DAYS_PER_UNIT[settings.time_unit])  # fmt: skip
    label = str(chosen.name)
    season = seasons.month_index(cumulative, label, start=start, calibration_end=cal_end, unit=settings.time_unit)
    if season is None:
        return None
    return seasons.check_on_holdout(season, cumulative, label, predicted=float(chosen["predicted_purchases"]),
                                    actual=float(chosen["actual_purchases"]), start=start, calibration_end=cal_end,
                                    unit=settings.time_unit, horizon_start=today + timedelta(days=1),
                                    horizon_days=horizon_days)  # fmt: skip


def _model_json(stage: ClvStage, purchase_model: PurchaseModel, *, spend: clv.SpendModel, config: WorkbenchConfig
                ) -> dict:  # fmt: skip
    """clv_models.json; with what the full-period fit depends on beside the history (05 reuses it when they agree)."""
    return {
        "calibration_end": str(stage.calibration_end),
        "analysis_date": str(stage.analysis_date),
        "unit": stage.unit,
        "chosen_model": stage.chosen,
        "calibration_parameters": stage.fits.parameters().round(6).to_dict("index"),
        "holdout_comparison": stage.comparison.round(6).to_dict("index"),
        "failures": stage.fits.failures,
        "full_parameters": {k: float(v) for k, v in purchase_model.params.items()},
        "penalizer": config.clv.penalizer,
        "fit_max_customers": config.clv.fit_max_customers,
        "random_state": config.run.random_state,
        "spend_model": spend.label,
        "spend_fallback_reason": spend.fallback_reason,
        "gamma_gamma": {k: float(v) for k, v in spend.model.params_.items()},
        "seasons": stage.season.as_json() if stage.season else None,
    }


@in_report_scope
def run(config: WorkbenchConfig | str | Path, run_dir: str | Path) -> ClvStage:
    """Calibrate, compare on the holdout, refit the best model on all data and value every customer."""
    config = stage_config(config)
    context = StageContext.open(run_dir, config)
    tx = context.transactions()
    segments = context.paths.read_optional_table("segments.parquet")  # read (and checked) before any work
    history = fitted_to_history(tx, config)
    config, today = history.config, history.today
    settings, unit = config.clv, config.clv.time_unit
    cal_end = calibration_end(config, today)
    calibration = calibration_holdout(tx, cal_end, observation_end=today, unit=unit).execute()
    calibration["first_purchase"] = pd.to_datetime(calibration["first_purchase"])
    log.info("fitting %s on %s customers", ", ".join(settings.models), f"{len(calibration):,}")

    # beyond clv.fit_max_customers the models are fitted on a seeded sample; every customer is forecast and compared
    fit_on = partial(clv.fitting_sample, max_customers=settings.fit_max_customers, random_state=config.run.random_state)
    calibration_fitted_on = fit_on(calibration)
    fits = clv.fit_models(calibration_fitted_on, settings.models, settings.penalizer)
    if not fits.models:
        repeaters = int((calibration["frequency_cal"] > 0).sum())
        raise ClvFitError(t(
            "03_clv needs repeat buyers: of {customers} customers acquired by the calibration end {end}, {repeaters} "
            "made a repeat purchase before it, and no purchase model could be fitted ({failures}); set "
            "clv.calibration_end later or add history", customers=count(len(calibration)), end=cal_end,
            repeaters=count(repeaters), failures="; ".join(fits.failures.values())))  # fmt: skip
    comparison = clv.compare_on_holdout(fits, calibration)
    chosen = clv.choose_model(comparison, settings.selection_metric)
    expectations = clv.conditional_expectations(fits, calibration)
    context.figure("03_conditional_expectations", plots.conditional_expectations(expectations))
    by_period = repeat_purchases_by_period(tx, cal_end, observation_end=today, unit=unit)
    cumulative = clv.cumulative_repeat_purchases(fits, calibration, actual_by_period=by_period, unit=unit)
    calibration_periods = (pd.Timestamp(cal_end) - calibration["first_purchase"].min()).days / DAYS_PER_UNIT[unit]
    context.figure("03_cumulative_purchases", plots.cumulative_purchases(cumulative, calibration_periods, unit))
    chosen_row = cast(pd.Series, comparison.loc[MODELS[chosen][0]])  # one row per model label
    season = season_check(cumulative, chosen_row, calibration, cal_end=cal_end,
                          today=today, settings=settings)  # fmt: skip
    calibration_spend = clv.fit_spend_model(
        clv.as_model_input(calibration_fitted_on).rename(columns={"monetary_cal": "monetary_value"}), settings.penalizer
    )

    full = btyd_summary(tx, today, unit).execute()
    full_patterns = clv.compress(full)
    fitted_on = fit_on(full)
    purchase_model = PurchaseModel.fit(chosen, clv.compress(fitted_on), penalizer=settings.penalizer)
    spend_model = clv.fit_spend_model(fitted_on, settings.penalizer)
    season_factor = season.horizon_factor if season and season.used else 1.0
    values = clv.customer_value(
        purchase_model,
        spend_model,
        summary=full,
        horizon_months=settings.horizon_months,
        monthly_discount_rate=settings.monthly_discount_rate,
        profit_margin=settings.profit_margin,
        unit=unit,
        season_factor=season_factor,
    )
    max_frequency = int(full["frequency"].quantile(settings.matrix_frequency_quantile)) + 1
    for kind, name in (("alive", "03_p_alive_matrix"), ("purchases", "03_frequency_recency_matrix")):
        context.figure(
            name,
            plots.model_matrix(
                purchase_model, kind, max_frequency=max_frequency, max_recency=full["T"].max(), unit=unit
            ),
        )
    context.figure("03_clv_distribution", plots.clv_distribution(values))
    deciles = clv.value_by_decile(values)
    context.figure("03_clv_deciles", plots.decile_concentration(deciles))
    bootstrap = None
    if settings.bootstrap_samples:
        log.info("bootstrap: %d refits", settings.bootstrap_samples)
        repeaters = full[full["frequency"] > 0]
        _, bootstrap = clv.bootstrap(
            chosen,
            full_patterns,
            repeaters=repeaters,
            horizon_months=settings.horizon_months,
            unit=unit,
            samples=settings.bootstrap_samples,
            random_state=config.run.random_state,
            penalizer=settings.penalizer,
            max_customers=settings.bootstrap_max_customers,
            fitted=(purchase_model, spend_model),
            fitted_customers=len(fitted_on),
            season_factor=season_factor,
            n_jobs=-1 if len(full_patterns) >= clv.PARALLEL_PATTERNS else 1,  # -1: every core
        )
        context.paths.write_table(bootstrap.reset_index(names="quantity"), "clv_bootstrap.parquet")

    stage = ClvStage(
        calibration_end=cal_end,
        analysis_date=today,
        unit=unit,
        calibration_customers=len(calibration),
        holdout_length=float(calibration["duration_holdout"].iloc[0]),
        fits=fits,
        comparison=comparison,
        chosen=chosen,
        expectations=expectations,
        calibration_spend=calibration_spend,
        values=values,
        deciles=deciles,
        by_segment=None if segments is None else clv.value_by_group(values, segments, "segment"),
        bootstrap=bootstrap,
        season=season,
        top_customers=context.shareable(values.sort_values("clv", ascending=False).head(15)),
        findings=context.write_findings(
            findings.clv(
                values,
                comparison,
                chosen_label=MODELS[chosen][0],
                deciles=deciles,
                bootstrap=bootstrap,
                horizon_months=settings.horizon_months,
                alive_threshold=settings.alive_threshold,
                spend_fallback=spend_model.fallback_reason,
                season=season,
            )
        ),
        figures=context.figures,
    )
    stage.report, stage.checked = clv_page(stage, settings), clv_checked(stage, settings)
    context.paths.write_table(values, "clv.parquet")
    context.paths.write_json(_model_json(stage, purchase_model, spend=spend_model, config=config), "clv_models.json")
    return stage
