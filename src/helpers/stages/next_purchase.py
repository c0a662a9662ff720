"""Stage 05: when each customer buys next, what to offer them, and the finished action list.

Writes next_purchase.parquet (and due_soon.csv/.xlsx for reminder campaigns); with a category
column, category_pairs.parquet and category_transitions.parquet; when 04_churn ran, the action
list (action_list.parquet/.csv/.xlsx): 04's action per customer with the next best offer and when
to send it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any, cast

import ibis
import matplotlib.pyplot as plt
import pandas as pd
import pyarrow.parquet as pq

from helpers.core.config import (
    BackendSection,
    LifeStageSection,
    NextPurchaseSection,
    WorkbenchConfig,
)
from helpers.core.errors import ClvFitError, NextPurchaseDataError
from helpers.data import backends, exports
from helpers.data.artifacts import arrow_frames, read_parquet_slices
from helpers.data.features import columns_with_values
from helpers.data.schemas import ACTION_LIST, NEXT_PURCHASE
from helpers.language.i18n import t, t_series
from helpers.models import actions, life_stage, next_purchase, recommend
from helpers.models.purchase import MODELS
from helpers.report import findings, plots
from helpers.report.findings import Findings
from helpers.report.next_purchase_page import next_purchase_checked, next_purchase_page
from helpers.report.sections import Report
from helpers.stages import care_and_growth
from helpers.stages import demand as demand_stage
from helpers.stages.care_and_growth import Care, Growth
from helpers.stages.context import StageContext, family_births, fitted_to_history, in_report_scope, log, stage_config
from helpers.stages.demand import Demand

__all__ = [
    "ACTION_LIST_ROWS",
    "ITEM_CHOICES",
    "ITEM_COLUMN",
    "NEXT_PURCHASE_ROUNDING",
    "OFFER_COLUMNS",
    "PRODUCT_COLUMN",
    "NextPurchaseStage",
    "Offers",
    "action_list_query",
    "due_soon",
    "finish_action_list",
    "next_purchase_table",
    "offer_column",
    "purchase_model",
    "run",
    "what",
    "when",
    "with_life_stage",
    "write_action_list",
]

ITEM_COLUMN, PRODUCT_COLUMN = "category", "product_id"
# what offers name, in order of preference: a category, else a product by its name, else by its code (a free-text
# description has thousands of values: offers consider the most bought next_purchase.max_categories of them)
ITEM_CHOICES = (ITEM_COLUMN, "product_name", PRODUCT_COLUMN)
NEXT_PURCHASE_ROUNDING = {"p_alive": 3, "p_purchase_7d": 3, "p_purchase_30d": 3, "p_purchase_90d": 3,
                          "p_purchase_due_window": 3, "wait_low_days": 0, "wait_median_days": 0, "wait_high_days": 0,
                          "typical_gap_days": 0}  # fmt: skip


@dataclass
class Offers:
    """The 'what' part: offers learnt from the category sequence, checked on the time split."""

    item_column: str  # what the offers name: category, product_name or product_id (ITEM_CHOICES)
    cutoff: date
    evaluation: pd.DataFrame  # per method: hit rate and recall at k, gains over popularity
    chosen: str
    bundles: pd.DataFrame
    switches: pd.DataFrame
    transitions: pd.DataFrame
    per_customer: pd.DataFrame  # indexed by customer_id

    @property
    def gain(self) -> float:
        return float(cast(float, self.evaluation.loc[self.chosen, "hit_rate_gain"]))


@dataclass
class NextPurchaseStage:
    """What 05_next_purchase shows."""

    today: date
    model_key: str
    split: next_purchase.TimeSplit
    customers: pd.DataFrame  # next_purchase.parquet
    due: pd.DataFrame  # the due-soon rows, most likely buyers first
    offers: Offers | None  # None when the data has no category
    action_list_customers: int | None  # customers on the action list; None when 04_churn did not run
    care: Care
    growth: Growth | None  # None without a member table giving card levels (and customers.card_rules) or points
    life_stages: dict[str, int] | None  # families by basis of their baby's stage, moving soon; None without rules
    demand: Demand  # monthly demand per region (store, channel) and season
    preview: pd.DataFrame  # the action list's first rows (empty without 04_churn), ids masked when configured
    due_preview: pd.DataFrame  # the due-soon list's first rows, ids masked when configured
    settings: NextPurchaseSection
    xlsx_max_rows: int  # report.xlsx_max_rows: what the page says the .xlsx lists hold
    findings: Findings
    figures: dict[str, plt.Figure]
    report: Report = field(init=False)  # the page, section by section
    checked: str = field(init=False)  # the forecast and offer figures as text: what nbval compares

    @property
    def model_label(self) -> str:
        return MODELS[self.model_key][0]


def purchase_model(context: StageContext, config: WorkbenchConfig, today: date) -> tuple[str, dict | None]:
    """The purchase model 03_clv chose (else the first configured one) and, when 03 fitted it on the same
    history (up to `today`, in the same time unit, with the same penalizer and on the same sample of customers),
    its parameters: refitting would give the same ones (minutes for Pareto/NBD at 12 million customers)."""
    if not context.paths.artifact("clv_models.json").exists():
        return config.clv.models[0], None
    chosen = context.paths.read_json("clv_models.json", "03_clv")
    ours = {"analysis_date": str(today), "unit": config.clv.time_unit, "penalizer": config.clv.penalizer,
            "fit_max_customers": config.clv.fit_max_customers, "random_state": config.run.random_state}  # fmt: skip
    same = all(chosen.get(key) == value for key, value in ours.items())
    return chosen["chosen_model"], chosen["full_parameters"] if same else None


def when(tx: ibis.Table, today: date, *, model_key: str, config: WorkbenchConfig,
         parameters: dict | None = None) -> tuple[pd.DataFrame, float]:  # fmt: skip
    """Every customer's purchase probabilities, waiting-time quartiles and rhythm as of today, and the
    population's median gap between purchases; the model is fitted up to today unless its `parameters` are given."""
    settings, unit = config.next_purchase, config.clv.time_unit
    history = next_purchase.Histories.at(tx, today, unit=unit)
    model = next_purchase.fit_model(
        model_key,
        history.summary,
        penalizer=config.clv.penalizer,
        parameters=parameters,
        max_customers=config.clv.fit_max_customers,
        random_state=config.run.random_state,
    )
    table = next_purchase.purchase_timing(model, summary=history.summary, unit=unit,
                                          extra_windows=(settings.due_days,), draws=settings.simulation_draws,
                                          seed=config.run.random_state)  # fmt: skip
    table = history.rhythm.join(table.set_index("customer_id"), how="left")
    due_column = f"p_purchase_{settings.due_days}d"
    table["p_purchase_due_window"] = table[due_column]
    if settings.due_days not in next_purchase.WINDOWS_DAYS:
        table = table.drop(columns=due_column)
    return table, history.population_gap


def due_soon(table: pd.DataFrame, settings: NextPurchaseSection) -> tuple[pd.Series, pd.Series]:
    """Due soon: likely to buy within due_days, or their usual gap has passed within the last gap.
    Returns the flag and the reason in words."""
    likely = table["p_purchase_due_window"] >= settings.due_probability
    gap, since = table["typical_gap_days"], table["days_since_last_purchase"]
    overdue = (table["purchases"] > 1) & (gap > 0) & (since >= gap) & (since <= 2 * gap)
    reason = pd.Series(pd.NA, index=table.index, dtype="string")
    reason[overdue] = t_series("their usual {gap}-day gap passed {days} days ago",
                               gap=gap[overdue].map("{:,.0f}".format),
                               days=(since[overdue] - gap[overdue]).map("{:,.0f}".format))  # fmt: skip
    reason[likely] = t_series("{share} chance of a purchase within {days} days",
                              share=table.loc[likely, "p_purchase_due_window"].map("{:.0%}".format),
                              days=str(settings.due_days))  # fmt: skip
    return likely | overdue, reason


def what(tx: ibis.Table, today: date, *, settings: NextPurchaseSection, random_state: int, item_column: str
         ) -> tuple[Offers, recommend.Learnt]:  # fmt: skip
    """Offers of `item_column`: every method checked on the time split, the best one learnt again up to today."""
    learning: dict[str, Any] = {"bucket_days": settings.tenure_bucket_days, "buckets": settings.tenure_buckets,
                "shrinkage": settings.shrinkage, "max_items": settings.max_categories}  # fmt: skip
    horizon = settings.evaluation_days
    cutoff = today - timedelta(days=horizon)
    evaluation = recommend.backtest(  # NextPurchaseDataError when nobody bought in the checked window
        tx,
        item_column,
        cutoff=cutoff,
        horizon_days=horizon,
        k=settings.top_k,
        max_customers=settings.offer_check_customers,
        random_state=random_state,
        **learning,
    )
    chosen = recommend.choose_method(evaluation)
    learnt = recommend.learn(tx, item_column, as_of=today, recent_days=horizon, **learning)
    per_customer = recommend.offers_for_everyone(learnt, chosen, k=settings.top_k, recent_days=horizon)
    if item_column == ITEM_COLUMN and PRODUCT_COLUMN in tx.columns:
        products = recommend.best_products(
            tx, ITEM_COLUMN, product=PRODUCT_COLUMN, start=today - timedelta(days=horizon - 1), end=today
        )
        per_customer["offer_product"] = per_customer["next_best_offer"].map(products).astype("string")
    return Offers(
        item_column=item_column,
        cutoff=cutoff,
        evaluation=evaluation,
        chosen=chosen,
        bundles=recommend.bundles(learnt.affinity, settings.min_pair_baskets),
        switches=recommend.top_switches(
            learnt.transitions, settings.tenure_bucket_days, min_baskets=settings.min_pair_baskets
        ),
        transitions=learnt.transitions,
        per_customer=per_customer.assign(offer_method=chosen),
    ), learnt


def with_life_stage(customers: pd.DataFrame, tx: ibis.Table, *, today: date, context: StageContext,
                    settings: LifeStageSection) -> tuple[pd.DataFrame, dict[str, int]]:  # fmt: skip
    """The customers with their baby's stage (member table, else estimated from the stage categories bought) and,
    with offers, offers the stage allows; and the counts the page states (families by basis, moving soon)."""
    births = family_births(context, tx, settings)
    table = customers.set_index("customer_id")
    births = births[births.index.isin(table.index)]
    if "next_best_offer" in table:
        table = recommend.offers_for_the_stage(table, births, settings.stage_categories,
                                               lead_days=settings.lead_days,
                                               today=pd.Timestamp(today))  # fmt: skip
    table["life_stage"] = life_stage.life_stages(births, today).reindex(table.index).astype("string")
    table["life_stage_basis"] = births["basis"].reindex(table.index).astype("string")
    moving = life_stage.next_stage(births, today, settings.stage_categories, lead_days=settings.lead_days)
    facts = {"member table": int((births["basis"] == life_stage.FROM_MEMBER_TABLE).sum()),
             "estimated": int((births["basis"] == life_stage.ESTIMATED).sum()), "moving": len(moving),
             "unknown": int(table["life_stage"].isna().sum()), "lead_days": settings.lead_days}  # fmt: skip
    return table.reset_index(), facts


def offer_column(tx: ibis.Table) -> str | None:
    """The first of ITEM_CHOICES given on at least one purchase line; None when the data has none."""
    given = columns_with_values(tx, ITEM_CHOICES, where=tx.amount > 0)
    return given[0] if given else None


def next_purchase_table(table: pd.DataFrame, today: date, *, split: next_purchase.TimeSplit, population_gap: float,
                        offers: Offers | None, settings: NextPurchaseSection) -> pd.DataFrame:  # fmt: skip
    """next_purchase.parquet: one row per customer, in customer order."""
    predicted = next_purchase.point_predictions(table.reset_index(), table, population_gap)[split.chosen]
    out = table.rename(columns={"last_purchase": "last_purchase_date"})
    out["expected_next_purchase"] = pd.Timestamp(today) + pd.to_timedelta(predicted.round(), unit="D")
    out["predicted_by"] = split.chosen
    out["due_soon"], out["due_reason"] = due_soon(table, settings)
    if offers is not None:
        out = out.join(offers.per_customer, how="left")
        earliest = pd.Timestamp(today) + timedelta(days=1)
        send = (out["expected_next_purchase"] - timedelta(days=settings.send_lead_days)).fillna(earliest)
        latest = pd.Timestamp(today) + timedelta(days=settings.send_horizon_days)
        out["offer_send_on"] = send.where(send >= earliest, earliest).where(send <= latest)  # beyond: no dated offer
    columns = [c.name for c in NEXT_PURCHASE.columns if c.name in out.reset_index().columns]
    out = out.reset_index()[columns].round(NEXT_PURCHASE_ROUNDING)
    return out.sort_values("customer_id").reset_index(drop=True)


OFFER_COLUMNS = (
    "next_best_offer",
    "offer_reason",
    "offer_send_on",
    "expected_next_purchase",
    "p_purchase_30d",
    "life_stage",
    "life_stage_basis",
)
ACTION_LIST_ROWS = 500_000  # customers finished at a time: 04's table of ten million customers takes gigabytes


def action_list_query(con: ibis.BaseBackend, churn: Path, forecasts: Path) -> ibis.Table:
    """04's action list (churn.parquet) with 05's offer and timing (next_purchase.parquet) of each customer,
    highest priority first: joined and sorted by the backend, on disk when it does not fit in memory."""
    scored, offers = con.read_parquet(str(churn)), con.read_parquet(str(forecasts))
    offers = offers.select("customer_id", *[c for c in OFFER_COLUMNS if c in offers.columns])
    joined = scored.left_join(offers, "customer_id")
    return joined.select([c.name for c in ACTION_LIST.columns if c.name in joined.columns]).order_by("priority")


def finish_action_list(con: ibis.backends.duckdb.Backend, listed: ibis.Table, rows: int = ACTION_LIST_ROWS
                       ) -> Iterator[pd.DataFrame]:  # fmt: skip
    """The action list in slices of `rows` customers, highest priority first, numbers rounded for people."""
    batches = con.con.sql(ibis.to_sql(listed, dialect="duckdb")).to_arrow_reader(rows)  # Ibis' reader fails on DuckDB 2
    done = 0
    for frame in arrow_frames(batches, batches.schema):
        done += len(frame)
        log.info("05: action list, %s customers finished", f"{done:,}")
        yield actions.for_people(frame)


def write_action_list(context: StageContext, backend: BackendSection) -> int | None:
    """Write action_list.parquet, .csv and .xlsx a slice at a time; the customers on it (None without 04_churn).
    The per-customer tables are local files pandas wrote: DuckDB joins them whatever the engine."""
    if not context.paths.artifact("churn.parquet").exists():
        return None
    churn = context.paths.require_checked("churn.parquet", "04_churn")
    con = backends.connect(backend.model_dump(), engine="duckdb")
    listed = action_list_query(con, churn, context.paths.artifact("next_purchase.parquet"))
    written = context.paths.write_table(finish_action_list(con, listed), "action_list.parquet")
    context.paths.write_table(read_parquet_slices(written, ACTION_LIST_ROWS), "action_list.csv")
    context.paths.write_table(read_parquet_slices(written, ACTION_LIST_ROWS), "action_list.xlsx",
                              exports.ACTION_LIST_FORMATS)  # fmt: skip
    return pq.ParquetFile(written).metadata.num_rows


@in_report_scope
def run(config: WorkbenchConfig | str | Path, run_dir: str | Path) -> NextPurchaseStage:
    """Forecast when each customer buys next, check it on a time split, learn offers, finish the action list."""
    config = stage_config(config)
    context = StageContext.open(run_dir, config)
    tx = context.transactions()
    history = fitted_to_history(tx, config)
    config, today, settings = history.config, history.today, history.config.next_purchase
    model_key, parameters = purchase_model(context, config, today)
    log.info("05: %s forecasts, time split at %s", model_key, today - timedelta(days=settings.evaluation_days))
    try:
        split = next_purchase.time_split(
            tx,
            model_key,
            today=today,
            evaluation_days=settings.evaluation_days,
            window_days=settings.calibration_window_days,
            unit=config.clv.time_unit,
            penalizer=config.clv.penalizer,
            draws=settings.simulation_draws,
            seed=config.run.random_state,
            fit_max_customers=config.clv.fit_max_customers,
        )
        log.info("05: every customer's purchase probabilities and waiting times")
        table, gap = when(tx, today, model_key=model_key, config=config, parameters=parameters)
    except ClvFitError as error:
        raise NextPurchaseDataError(t(
            "05_next_purchase needs the purchase model at {cutoff} and at {today}: {error}; lower "
            "next_purchase.evaluation_days or add history", cutoff=today - timedelta(settings.evaluation_days),
            today=today, error=error)) from None  # fmt: skip
    context.figure("05_reliability", plots.purchase_reliability(split.reliability, split.window_days, split.brier))
    context.figure("05_date_errors", plots.date_errors(split.errors))
    offers, item_column = None, offer_column(tx)
    if item_column is not None:
        log.info("05: offers by %s", item_column)
        offers, learnt = what(
            tx, today, settings=settings, random_state=config.run.random_state, item_column=item_column
        )
        context.figure("05_offer_methods", plots.offer_methods(offers.evaluation, settings.top_k))
        context.figure("05_next_categories", plots.next_categories(offers.transitions))
        context.paths.write_table(learnt.affinity, "category_pairs.parquet")
        context.paths.write_table(offers.transitions, "category_transitions.parquet")
    customers = next_purchase_table(table, today, split=split, population_gap=gap, offers=offers, settings=settings)
    stage_facts = None
    if config.life_stage.stage_categories and "category" in tx.columns:
        customers, stage_facts = with_life_stage(customers, tx, today=today, context=context,
                                                 settings=config.life_stage)  # fmt: skip
    context.paths.write_table(customers, "next_purchase.parquet")
    due = customers[customers["due_soon"]].sort_values(["p_purchase_due_window", "customer_id"],
                                                       ascending=[False, True])  # fmt: skip
    cycle = context.paths.read_optional_table("churn.parquet", ["customer_id", "this_cycle"])
    due, left_out = actions.reminder_list(due, None if cycle is None else cycle.set_index("customer_id")["this_cycle"])
    context.paths.write_table(due, "due_soon.csv")
    context.paths.write_table(due, "due_soon.xlsx", exports.DUE_SOON_FORMATS)
    log.info("05: the action list with offers")
    action_list_customers = write_action_list(context, config.backend)
    planned_care = care_and_growth.read_care(context, tx, today=today, first=history.first, settings=config.care,
                                             events=config.life_stage.events)  # fmt: skip
    growth = care_and_growth.read_growth(context, tx, today=today, settings=config.customers)
    log.info("05: demand by region and month")
    monthly_demand = demand_stage.forecast_demand(context, tx, first=history.first, today=today,
                                                  settings=config.demand, care_settings=config.care,
                                                  seed=config.run.random_state)  # fmt: skip
    demand_stage.write_demand(context, monthly_demand)
    found = findings.next_purchase(
        customers,
        split,
        offers=offers,
        settings=settings,
        model_label=MODELS[model_key][0],
        left_out=left_out,
        revenue=monthly_demand.forecasts.get("revenue"),
        backtest=monthly_demand.backtests.get("revenue"),
    )
    stage = NextPurchaseStage(
        today=today,
        model_key=model_key,
        split=split,
        customers=customers,
        due=due,
        offers=offers,
        action_list_customers=action_list_customers,
        care=planned_care,
        growth=growth,
        life_stages=stage_facts,
        demand=monthly_demand,
        preview=context.shareable(
            next(read_parquet_slices(context.paths.artifact("action_list.parquet"), 15))
            if action_list_customers is not None
            else due.head(0)
        ),
        due_preview=context.shareable(due.head(15)),
        settings=settings,
        xlsx_max_rows=config.report.xlsx_max_rows,
        findings=context.write_findings(found),
        figures=context.figures,
    )
    stage.report, stage.checked = next_purchase_page(stage), next_purchase_checked(stage)
    return stage
