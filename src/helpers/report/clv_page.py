"""The 03_clv page: what customers are worth, who is still active, how far to trust the forecast and how sure it
is, in the report language; and the fitted numbers nbval checks, as text."""

from __future__ import annotations

from datetime import date
from typing import Protocol, cast

import pandas as pd

from helpers.core.config import ClvSection
from helpers.language.formatting import count, money, significant
from helpers.language.i18n import for_reading, t
from helpers.models.clv import ModelFits, SpendModel
from helpers.report.findings import Findings, interval_table
from helpers.report.sections import Bullets, Figure, Prose, Report, Section, Table

__all__ = ["ClvResults", "clv_checked", "clv_page"]

_PERCENT_ALIVE = {"mean P(alive)": "{:.0%}"}


class ClvResults(Protocol):
    """What the page reads of 03's result (helpers.stages.clv.ClvStage)."""

    calibration_end: date
    analysis_date: date
    unit: str
    calibration_customers: int
    holdout_length: float
    fits: ModelFits
    comparison: pd.DataFrame
    calibration_spend: SpendModel
    values: pd.DataFrame
    deciles: pd.DataFrame
    by_segment: pd.DataFrame | None
    bootstrap: pd.DataFrame | None
    top_customers: pd.DataFrame
    findings: Findings
    figures: dict

    @property
    def chosen_label(self) -> str: ...


def clv_page(result: ClvResults, settings: ClvSection) -> Report:
    """03's page from the stage's result and its settings."""
    return Report((
        Section(t("03 · Customer lifetime value: what is each customer worth, and who is still active?"), (Prose((t(
            "In retail nobody cancels a subscription: customers quietly stop coming back. We model each customer's "
            "buying as two processes, how often they buy while they are still a customer and when they stop, with the "
            "models of the `lifetimes` package, and their spend per order. **Customer lifetime value (CLV)** here is "
            "the expected margin a customer brings over the coming months, discounted to today and weighted by the "
            "chance they are still a customer."),)),), level=1),
        Section(t("What we found"), (Bullets(tuple(result.findings.sentences)),)),
        Section(t("1. What customers are worth"), _worth(result, settings)),
        Section(t("The most valuable customers, and whether they are still with us"), (Table(
            result.top_customers.set_index("customer_id")[
                ["repeat_purchases", "p_alive", "expected_purchases", "expected_order_value", "clv"]],
            {"repeat_purchases": "{:,.0f}", "p_alive": "{:.0%}", "expected_purchases": "{:.1f}",
             "expected_order_value": money, "clv": money}),), level=3),
        Section(t("Value by segment (from 02_segment)"), _by_segment(result.by_segment), level=3),
        Section(t("2. Who is still active?"), (
            Prose((t("**P(alive)** is the probability that a customer has not silently stopped buying from us, given "
                     "how often they used to buy and how long it has been since their last purchase. A customer who "
                     "used to buy every month and has not been seen for a year has a low P(alive); an occasional "
                     "buyer with the same silence may still be active."),
                   t("{share} of customers have P(alive) of at least {threshold}. Time in these figures is in {unit}.",
                     share=f"{(result.values['p_alive'] >= settings.alive_threshold).mean():.0%}",
                     threshold=f"{settings.alive_threshold:.0%}", unit=t(result.unit)))),
            Figure(result.figures["03_p_alive_matrix"]),
            Figure(result.figures["03_frequency_recency_matrix"]),
        )),
        Section(t("3. How far to trust the forecast"), _trust(result, settings)),
        Section(t("4. How sure are we?"), _sure(result, settings)),
        Section(t("Appendix: the models and their parameters, checked"), _appendix(result, settings)),
        Section(t("Next"), (Prose((t(
            "`artifacts/clv.parquet` holds every customer's P(alive), expected purchases, expected order value, CLV "
            "and CLV decile; `clv_models.json` the fitted parameters. `04_churn` uses CLV to weigh churn risk by what "
            "is at stake."),)),)),
    ))  # fmt: skip


def _worth(result: ClvResults, settings: ClvSection) -> tuple[Prose | Figure | Table, ...]:
    values = result.values
    return (
        Prose((t("CLV covers the next **{months} months**, at a {margin} margin, discounted at {discount} a month; it "
                 "is {total} in total, {mean} per customer on average.", months=settings.horizon_months,
                 margin=f"{settings.profit_margin:.0%}", discount=f"{settings.monthly_discount_rate:.1%}",
                 total=money(values["clv"].sum()), mean=money(values["clv"].mean())),)),
        Figure(result.figures["03_clv_distribution"]),
        Figure(result.figures["03_clv_deciles"]),
        Table(result.deciles.rename(columns={"p_alive": "mean P(alive)"}),
              {"customers": "{:,}", "clv": money, **_PERCENT_ALIVE, "share_of_clv": "{:.1%}",
               "cumulative_share": "{:.1%}"}),
    )  # fmt: skip


def _by_segment(by_segment: pd.DataFrame | None) -> tuple[Prose | Table, ...]:
    if by_segment is None:
        return (Prose((t("02_segment has not run in this run folder, so CLV is not broken down by segment."),)),)
    return (Table(by_segment.rename(columns={"p_alive": "mean P(alive)"}),
                  {"customers": "{:,}", "total_clv": money, "mean_clv": money, **_PERCENT_ALIVE,
                   "share_of_clv": "{:.1%}"}),)  # fmt: skip


def _trust(result: ClvResults, settings: ClvSection) -> tuple[Prose | Figure | Table, ...]:
    row = cast(pd.Series, result.comparison.loc[result.chosen_label])
    sampled = () if result.calibration_customers <= settings.fit_max_customers else (Prose((t(
        "Beyond {most} customers each model is fitted on a seeded sample of that many (clv.fit_max_customers), which "
        "pins its few parameters down as closely as all of them would; every customer is compared and forecast.",
        most=count(settings.fit_max_customers)),)),)  # fmt: skip
    return (
        Prose((t("The models are fitted on a **calibration** period and their forecasts compared with what really "
                 "happened in the **holdout** period that followed. *MAE* (mean absolute error) is how many purchases "
                 "the forecast is off per customer on average; *RMSE* weighs large misses more; *total error* is how "
                 "far the forecast of all holdout purchases together is off, as a share."),)),
        Prose((t("Calibration: customers acquired up to **{end}** ({customers}); holdout: {end} to {date} ({length} "
                 "{unit}). Over the holdout these customers made **{actual}** repeat purchases; {model} predicted "
                 "**{predicted}** ({error}), off by {mae} purchases per customer on average. It forecasts the CLV "
                 "above.", end=result.calibration_end, customers=count(result.calibration_customers),
                 date=result.analysis_date, length=f"{result.holdout_length:.0f}", unit=t(result.unit),
                 actual=count(row["actual_purchases"]), model=result.chosen_label,
                 predicted=count(row["predicted_purchases"]),
                 error=f"{row['predicted_purchases'] / row['actual_purchases'] - 1:+.1%}", mae=f"{row['mae']:.2f}"),)),
        *sampled,
        Figure(result.figures["03_conditional_expectations"]),
        Figure(result.figures["03_cumulative_purchases"]),
        Table(result.comparison.drop(columns=["key"]),
              {"actual_purchases": "{:,.0f}", "predicted_purchases": "{:,.0f}", "total_error": "{:+.1%}",
               "mae": "{:.3f}", "rmse": "{:.3f}"}),
    )  # fmt: skip


def _sure(result: ClvResults, settings: ClvSection) -> tuple[Prose, ...]:
    interval = result.bootstrap
    if interval is None:
        return (Prose((t("The bootstrap is off (clv.bootstrap_samples is 0), so the forecast has no interval."),)),)
    purchases, revenue = (cast(pd.Series, interval.loc[quantity]) for quantity in ("total_purchases", "total_revenue"))
    sentences = [t(
        "We refit the models on bootstrap samples of customers (drawn with replacement) to see how much the forecast "
        "moves. The next {months} months bring **{purchases} purchases** (90% interval {low} to {high}), worth "
        "**{revenue}** in revenue before margin and discounting ({revenue_low} to {revenue_high}; {fits} bootstrap "
        "fits). The parameters' intervals are in the appendix, beside their estimates.",
        months=settings.horizon_months, purchases=count(purchases["estimate"]), low=count(purchases["p05"]),
        high=count(purchases["p95"]), revenue=money(revenue["estimate"]), revenue_low=money(revenue["p05"]),
        revenue_high=money(revenue["p95"]), fits=int(interval["successful_fits"].iloc[0]))]  # fmt: skip
    per_fit, customers = int(interval["customers_per_fit"].iloc[0]), len(result.values)
    sentences += [t(
        "Each refit saw {per_fit} customers drawn from the {customers} (clv.bootstrap_max_customers); the spread of "
        "its forecasts around the forecast on all customers, narrowed by the square root of the sample sizes' ratio, "
        "gives the interval (an m-out-of-n bootstrap).", per_fit=count(per_fit), customers=count(customers),
    )] if per_fit < customers else []  # fmt: skip
    return tuple(Prose((sentence,)) for sentence in sentences)


def _appendix(result: ClvResults, settings: ClvSection) -> tuple[Bullets | Prose | Table, ...]:
    spend = result.calibration_spend
    correlation = spend.frequency_spend_correlation
    verdict = (
        t("small, so the assumption holds.")
        if abs(correlation) < settings.spend_correlation_warning
        else t("**not small: treat the spend forecasts with caution** (frequent buyers spend differently).")
    )
    interval = result.bootstrap
    customers = len(result.values)
    fitted_on = (t("all customers") if customers <= settings.fit_max_customers else
                 t("a seeded sample of {fitted} of the {customers} customers (clv.fit_max_customers)",
                   fitted=count(settings.fit_max_customers), customers=count(customers)))  # fmt: skip
    fit_used = () if interval is None else (
        Prose((t("**The fit CLV uses**: {model} refitted on {fitted_on} to {date}, each estimate beside its 90% "
                 "bootstrap interval (5th percentile, median, 95th percentile of the refits on resampled customers):",
                 model=result.chosen_label, fitted_on=fitted_on, date=result.analysis_date),)),
        Table(interval_table(interval)),
    )  # fmt: skip
    return (
        Bullets((
            t("**BG/NBD**, **Pareto/NBD** and **MBG/NBD** describe buying with two parts. While active, a customer "
              "buys at their own rate; rates across customers follow a gamma distribution with shape *r* and scale "
              "*α* (alpha, in time units). They stop buying after any purchase with a probability drawn from a beta "
              "distribution with parameters *a* and *b* (BG/NBD, MBG/NBD), or at a random time with a "
              "gamma-distributed rate of shape *s* and scale *β* (beta) (Pareto/NBD)."),
            t("**Gamma-Gamma** describes spend per order with shape *p*, *q* and scale *γ* (gamma); in the bootstrap "
              "table they are `gg_p`, `gg_q`, `gg_v`. It assumes spend per order does not depend on how often a "
              "customer buys."),
            t("The inputs per customer are *frequency* (repeat purchases), *recency* (time from the first to the "
              "last purchase) and *T* (time from the first purchase to the end of the period), in the time unit of "
              "the config."),
        )),
        *(Prose((t("**{model} could not be fitted:** {message}", model=name, message=message),))
          for name, message in result.fits.failures.items()),
        Prose((t("Gamma-Gamma is fitted on **{fitted}** repeat buyers; customers without a repeat purchase "
                 "({no_repeat}) get the population average, and {non_positive} without positive repeat spend are "
                 "left out. The correlation between purchase frequency and order value is **{correlation}**: ",
                 fitted=count(spend.customers_fitted), no_repeat=count(spend.excluded_no_repeat),
                 non_positive=count(spend.excluded_non_positive), correlation=f"{correlation:.2f}") + verdict,)),
        Prose((t("**Calibration fits**: each model's parameters fitted on the calibration period, to {end}; these are "
                 "the fits the holdout check in section 3 compares.", end=result.calibration_end),)),
        Table(result.fits.parameters(), {column: "{:.3f}" for column in result.fits.parameters().columns}, na_rep=""),
        *fit_used,
    )  # fmt: skip


def clv_checked(result: ClvResults, settings: ClvSection) -> str:
    """The fitted parameters at the literature's precision (CDNOW, Fader, Hardie & Lee 2005: BG/NBD to 3 decimals,
    Pareto/NBD to 2, others to 3 significant digits), the holdout comparison and the totals: what nbval compares."""
    shown = {"BG/NBD": "{:.3f}".format, "Pareto/NBD": "{:.2f}".format}
    lines = [f"{str(model).ljust(11)} " + "  ".join(f"{k} = {shown.get(str(model), significant)(v)}"
                                               for k, v in row.dropna().items())
             for model, row in result.fits.parameters().iterrows()]  # fmt: skip
    spend = result.calibration_spend
    lines.append(" ".join(["Gamma-Gamma", "  ".join(f"{k} = {v:.2f}" for k, v in spend.model.params_.items()),
                           t("on {n} repeat buyers", n=f"{spend.customers_fitted:,}")]))  # fmt: skip
    comparison = result.comparison.drop(columns=["key", "actual_purchases", "sees_dropout"]).map(significant)
    comparison.insert(0, "actual_purchases", result.comparison["actual_purchases"].map("{:,.0f}".format))
    values = result.values
    lines += [
        for_reading(comparison).to_string(),
        t("chosen by holdout {metric}: {model}", metric=settings.selection_metric, model=result.chosen_label),
        t("customers {customers}; expected purchases {purchases}; total CLV {clv}; mean P(alive) {alive}",
          customers=f"{len(values):,}", purchases=significant(values["expected_purchases"].sum()),
          clv=significant(values["clv"].sum()), alive=significant(values["p_alive"].mean())),
    ]  # fmt: skip
    return "\n".join(lines)
