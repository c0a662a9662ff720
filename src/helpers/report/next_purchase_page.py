"""The 05_next_purchase page: who buys soon, what to offer them, the action list with offers and how far the timing
can be trusted, in the report language; and the forecast and offer figures nbval checks, as text."""

from __future__ import annotations

from datetime import date
from typing import Protocol

import matplotlib.pyplot as plt
import pandas as pd

from helpers.core.config import DemandSection, NextPurchaseSection
from helpers.data.exports import sheet_limit
from helpers.language.formatting import count, day, money, month, month_name, significant
from helpers.language.i18n import for_reading, t, term
from helpers.models.demand import MIN_MONTHS, TOTAL, Backtest, DemandForecast
from helpers.models.next_purchase import TimeSplit
from helpers.report.findings import Findings
from helpers.report.sections import Bullets, Figure, Prose, Report, Section, Table

__all__ = [
    "SERIES_OF",
    "CareResults",
    "DemandResults",
    "GrowthResults",
    "NextPurchaseResults",
    "OfferResults",
    "next_purchase_checked",
    "next_purchase_page",
]


class OfferResults(Protocol):
    """What the page reads of the offers (helpers.stages.next_purchase.Offers)."""

    cutoff: date
    evaluation: pd.DataFrame
    chosen: str
    bundles: pd.DataFrame
    switches: pd.DataFrame


class CareResults(Protocol):
    """What the page reads of the care calendar (helpers.stages.care_and_growth.Care)."""

    calendar: pd.DataFrame
    festivals: pd.DataFrame
    with_members: bool
    window_days: int
    horizon_days: int
    do_not_contact: int


class GrowthResults(Protocol):
    """What the page reads of member growth (helpers.stages.care_and_growth.Growth)."""

    members: pd.DataFrame
    preview: pd.DataFrame


class DemandResults(Protocol):
    """What the page reads of the demand forecast (helpers.stages.demand.Demand)."""

    by: str
    months: pd.DatetimeIndex
    forecasts: dict[str, DemandForecast]
    backtests: dict[str, Backtest | None]
    seasons: pd.DataFrame
    peaks: pd.DataFrame
    festivals: pd.Series
    settings: DemandSection


class NextPurchaseResults(Protocol):
    """What the page reads of 05's result (helpers.stages.next_purchase.NextPurchaseStage)."""

    split: TimeSplit
    customers: pd.DataFrame
    due: pd.DataFrame
    action_list_customers: int | None
    life_stages: dict[str, int] | None
    preview: pd.DataFrame
    due_preview: pd.DataFrame
    settings: NextPurchaseSection
    xlsx_max_rows: int
    findings: Findings
    figures: dict[str, plt.Figure]

    @property
    def offers(self) -> OfferResults | None: ...

    @property
    def care(self) -> CareResults: ...

    @property
    def growth(self) -> GrowthResults | None: ...

    @property
    def demand(self) -> DemandResults: ...

    @property
    def model_label(self) -> str: ...


def next_purchase_page(result: NextPurchaseResults) -> Report:
    """05's page from the stage's result (which carries its settings)."""
    return Report((
        Section(t("05 · Next purchase: when will each customer buy again, and what should we offer them?"), (Prose((t(
            "Every customer gets the **probability of a purchase** in the next 7, 30 and 90 days and, if they buy "
            "again, the days within which it most likely falls, from the purchase model of 03 ({model}) and from "
            "their own rhythm. Offers are the **categories each customer is most likely to buy next**, learnt from "
            "what customers bought after what. Both are checked the honest way: forecast at an earlier date with the "
            "data up to it, compared with what customers then did.", model=result.model_label),)),), level=1),
        Section(t("What we found"), (Bullets(tuple(result.findings.sentences)),)),
        Section(t("1. Who buys soon"), _who_buys_soon(result)),
        Section(t("2. What to offer"), (*_offers(result.offers, result.settings, result.figures),
                                        *_life_stages(result.life_stages, result.settings))),
        Section(t("3. The action list, with offers"), _action_list(result)),
        Section(t("4. Can we trust the timing?"), _timing(result.split, result.figures)),
        Section(t("5. Key dates and festivals"), _care(result.care)),
        Section(t("6. Points and member levels"), _growth(result.growth)),
        Section(t("7. Demand by region and month"), _demand(result.demand, result.figures)),
        Section(t("Appendix: how the forecasts are made, and checks"), (Prose((t(
            "Given a customer's history (repeat purchases x, time of the last one, age T), the BG/NBD family says a "
            "customer still active buys at a rate that, after their history, follows a Gamma distribution; the "
            "chance of no purchase within t is ((α+T)/(α+T+t))^(r+x), so probabilities and waiting-time quantiles "
            "are exact. Pareto/NBD adds a dropout rate: the workbench draws {draws} rate pairs per history and "
            "averages (seeded, so reruns agree). Multiplying by P(alive) gives the chance of a purchase. Sequence "
            "offers split how long a customer has bought a category into {buckets} buckets of {bucket} days and pull "
            "a thin bucket's shares towards the category's overall ones ({shrink} pseudo-baskets).",
            draws=result.settings.simulation_draws, buckets=result.settings.tenure_buckets,
            bucket=result.settings.tenure_bucket_days, shrink=f"{result.settings.shrinkage:g}"),)),)),
        Section(t("Next"), (Prose((t(
            "`artifacts/next_purchase.parquet`: every customer's probabilities, expected date, due-soon flag and "
            "offers; `due_soon.xlsx` / `.csv`: the reminder list; `action_list.xlsx` / `.csv` / `.parquet`: the "
            "action list with offers; with a category column, `category_pairs.parquet` (bundles) and "
            "`category_transitions.parquet` (sequences); `demand_forecast.parquet` and `demand_backtest.parquet`: "
            "monthly demand per region and its check. Each column is explained in the data dictionary "
            "(`docs/data_dictionary.md`)."),)),)),
    ))  # fmt: skip


def _present(frame: pd.DataFrame, columns: tuple[str, ...]) -> list[str]:
    return [column for column in columns if column in frame.columns]


def _who_buys_soon(result: NextPurchaseResults) -> tuple[Prose | Table, ...]:
    due, settings, customers = result.due, result.settings, result.customers
    shown = _present(result.due_preview, ("customer_id", "days_since_last_purchase", "typical_gap_days", "due_reason",
                                          "next_best_offer", "offer_send_on"))  # fmt: skip
    bands = customers["p_purchase_30d"].describe(percentiles=[0.5, 0.9])
    active = customers[customers["p_alive"] >= 0.5]
    return (
        Prose((t("**{due} customers are on the reminder list**: due soon (the purchase model gives them at least a "
                 "{share} chance of buying within {days} days, `next_purchase.due_probability` and `due_days`, or "
                 "their usual gap between purchases has passed, but by less than one more gap) and not contacted "
                 "otherwise this cycle. They are the audience for reminders and replenishment offers. The list is "
                 "`artifacts/due_soon.xlsx` (Excel) and `due_soon.csv`, most likely buyers first.",
                 due=count(len(due)), share=f"{settings.due_probability:.0%}", days=settings.due_days),
               *sheet_limit(len(due), "due_soon", max_rows=result.xlsx_max_rows))),
        Table(result.due_preview[shown].set_index("customer_id"),
              {"typical_gap_days": "{:,.0f}", "days_since_last_purchase": "{:,}", "offer_send_on": day}),
        Prose((t("In the next 30 days the customers' probabilities add up to **{expected} expected buyers** of "
                 "{customers}. Half of the customers have less than a {median} chance; the most likely tenth, more "
                 "than {top}. For a customer who buys again, *wait low / median / high* are the days within which the "
                 "purchase falls with 25%, 50% and 75% chance. For the typical customer who is more likely active "
                 "than not ({active} customers), the next purchase most likely falls **between {low} and {high} days "
                 "from now**.", expected=count(customers["p_purchase_30d"].sum()), customers=count(len(customers)),
                 median=f"{bands['50%']:.0%}", top=f"{bands['90%']:.0%}", active=count(len(active)),
                 low=f"{active['wait_low_days'].median():.0f}", high=f"{active['wait_high_days'].median():.0f}"),)),
    )  # fmt: skip


def _offers(offers: OfferResults | None, settings: NextPurchaseSection, figures: dict[str, plt.Figure]
            ) -> tuple[Prose | Figure | Table, ...]:  # fmt: skip
    if offers is None:
        return (Prose((t(
            "The data has no category column, so the workbench cannot learn what customers buy next. Map the category "
            "(and the product) of each line in the config, e.g. `category: 品类` and `product_id: 商品ID` under "
            "`columns:`, and this section shows the best offer per customer, the learnt category sequences and the "
            "bundles."),)),)  # fmt: skip
    evaluation = offers.evaluation
    checked, buyers = int(evaluation["customers"].iloc[0]), int(evaluation["buyers"].iloc[0])
    sampled = (Prose((t(
        "The methods were compared on a seeded random sample of **{checked}** of the {buyers} customers who bought in "
        "those days (`next_purchase.offer_check_customers`); every customer gets offers.", checked=count(checked),
        buyers=count(buyers)),)),) if checked < buyers else ()  # fmt: skip
    last = settings.tenure_bucket_days * (settings.tenure_buckets - 1)
    switches = offers.switches.assign(after_days=offers.switches["after_days_from"].map(
        lambda d: f"{d:,}–{d + settings.tenure_bucket_days:,}" if d < last else f"{d:,}+"))  # fmt: skip
    bundles = (Prose((t("No pair of categories is bought together more often than chance in at least {n} baskets.",
                        n=settings.min_pair_baskets),)),) if offers.bundles.empty else (
        Table(offers.bundles[["antecedent", "consequent", "baskets", "support", "confidence", "lift"]],
              {"baskets": "{:,}", "support": "{:.1%}", "confidence": "{:.0%}", "lift": "{:.2f}"}, show_index=False),
    )  # fmt: skip
    return (
        Prose((t("Four ways to choose each customer's {k} offers were tested on the time split: learnt up to {cutoff}, "
                 "checked against the categories each customer bought in the {days} days after. *Popularity* offers "
                 "everyone the categories most customers bought lately; *buy again*, the customer's own most frequent "
                 "categories; *co-purchase*, the categories most often in the same basket as theirs; *sequence*, what "
                 "customers buy in their next purchase after the categories of their latest one, given how long they "
                 "have bought each. *Hit rate@{k}*: the share of customers who bought at least one of their {k} "
                 "offers; *recall@{k}*: the share of the categories they bought that were offered.",
                 k=settings.top_k, cutoff=offers.cutoff, days=settings.evaluation_days),)),
        *sampled,
        Figure(figures["05_offer_methods"]),
        Table(evaluation[["customers", "hit_rate", "recall", "hit_rate_gain", "recall_gain"]],
              {"customers": "{:,}", "hit_rate": "{:.1%}", "recall": "{:.1%}", "hit_rate_gain": "{:+.1%}",
               "recall_gain": "{:+.1%}"}),
        Prose((t("**Learnt category sequences**: after a basket holding the first category, customers who had bought "
                 "it for the stated days bought the second in their next purchase in the stated share of cases; "
                 "*rise* is how many times more often than just after they started buying the first. Only moves that "
                 "at least double are shown: those the customer's stage brings (stage-1 formula to stage 2 at six "
                 "months), not categories bought alongside all along."),)),
        Table(switches[["item", "after_days", "next_item", "share", "rise", "followed", "median_gap_days"]].head(8),
              {"share": "{:.0%}", "rise": lambda r: f"{r:.1f}×" if r < 100 else "100×+", "followed": "{:,}",
               "median_gap_days": "{:,.0f}"}, show_index=False),
        Figure(figures["05_next_categories"]),
        Prose((t("**Bundles** (跨品类捆绑): category pairs bought in the same basket more often than chance. "
                 "*Support* is the share of all baskets holding both, *confidence* the share of baskets with the "
                 "first that also hold the second, *lift* how many times more often than if they were unrelated."),)),
        *bundles,
    )  # fmt: skip


def _life_stages(facts: dict[str, int] | None, settings: NextPurchaseSection) -> tuple[Prose, ...]:
    if facts is None:
        return ()
    return (Prose((t(
        "**Life stage.** {known} families' baby stage comes from the member table's birth date and {estimated} is "
        "estimated from the stage categories they bought (each purchase bounds the birth date); {unknown} customers' "
        "stage is unknown, and they are offered no stage category. A stage category (`life_stage."
        "stage_categories`) is offered only while it fits the baby's age on the send date, even for the oldest the "
        "baby may be: never one the family has outgrown. **{moving} families** reach a new stage within {lead} days "
        "and are offered it before the move.", known=count(facts["member table"]), estimated=count(facts["estimated"]),
        unknown=count(facts["unknown"]), moving=count(facts["moving"]), lead=facts["lead_days"]),)),)  # fmt: skip


def _care(care: CareResults) -> tuple[Prose | Table, ...]:
    calendar = care.calendar
    personal = calendar[calendar["festival_share"].isna()]
    by_occasion = personal.groupby("occasion").size().rename("customers").to_frame()
    festivals = care.festivals[care.festivals["responders"] > 0]
    listed = (
        Prose((t("In the next {days} days: **{entries} key dates** (birthdays, baby milestones, membership "
                 "anniversaries and open windows of the life events in `life_stage.events`; {customers} "
                 "customers), each with a suggested message and the customer's channel.",
                 days=care.window_days, entries=count(len(personal)),
                 customers=count(personal["customer_id"].nunique())),)),
        Table(by_occasion, {"customers": "{:,}"}),
    ) if care.with_members or len(personal) else ()  # fmt: skip
    without_members = () if care.with_members else (Prose((t(
        "Birthdays, the baby's milestones and membership anniversaries need the member table (`customers:` with "
        "`birth_date`, `baby_birth_date`, `join_date`); festivals come from the log alone."),)),)  # fmt: skip
    return (
        *listed,
        *without_members,
        Prose((t("**Festivals** of the next {days} days, each with its *responders*: customers who bought in the "
                 "days before it in at least two of the years they were customers, more often than their own buying "
                 "rate makes likely by chance. Greet them, not everyone: {responders} customers in all.",
                 days=care.horizon_days, responders=count(len(calendar) - len(personal))),)),
        Table(festivals.rename(index=t), {"date": day, "responders": "{:,}"}),
        Prose((t("The whole calendar is `artifacts/care_calendar.parquet` (customer, occasion, date, offer, "
                 "channel). It goes through the contact plan: each customer's best moment of the next {days} days "
                 "competes with their retention action for the contact budget (04), and **{planned} entries won a "
                 "contact** on their own expected value; {cycle} entries are for customers in this cycle's budget (one "
                 "message can carry both), {capped} for customers contacted within the contact cap, and {blocked} "
                 "for customers on the do-not-contact list (channel *do not contact*: never greet them).",
                 days=care.window_days, planned=count(int(calendar["planned"].sum())),
                 blocked=count(care.do_not_contact), cycle=count(int(calendar["in_this_cycle"].sum())),
                 capped=count(int(calendar["contacted_recently"].sum()))),)),
    )  # fmt: skip


def _growth(growth: GrowthResults | None) -> tuple[Prose | Table, ...]:
    if growth is None:
        return (Prose((t("Member growth needs the member table with card levels (and `customers.card_rules`, the "
                         "spend each level needs) or points."),)),)  # fmt: skip
    members = growth.members
    nudges = members["nudge"].value_counts()
    expiring = members["points_expiring"].sum()
    by_level = pd.crosstab(members["card_level"].fillna("–"), members["nudge"]).rename(columns=t)
    return (
        Prose((t("**{near} members are within reach of the next card level** (the spend missing is at most a quarter "
                 "of its threshold): a nudge now lifts them. {keep} would drop a level at the renewal without more "
                 "spend; {redeem} should redeem points ({points} points lapse soon).",
                 near=count(nudges.get("level up", 0)), keep=count(nudges.get("keep level", 0)),
                 redeem=count(nudges.get("redeem points", 0)), points=count(expiring)),)),
        Table(by_level, {column: "{:,}" for column in by_level.columns}),
        Table(growth.preview.set_index("customer_id")[["card_level", "next_level", "gap", "period_spend", "message"]],
              {"gap": "{:,.2f}", "period_spend": "{:,.2f}"}),
        Prose((t("Every member's nudge is in `artifacts/member_growth.parquet`; **{planned} nudges won a contact** "
                 "in this cycle's budget (04) on their own expected value.",
                 planned=count(int(members["planned"].sum()))),)),
    )  # fmt: skip


SERIES_OF = {"region": "regions", "store": "stores", "channel": "channels", "total": "series"}


def _demand(found: DemandResults, figures: dict[str, plt.Figure]) -> tuple[Prose | Figure | Table, ...]:
    if not found.forecasts:
        return (Prose((t("A demand forecast needs at least {need} complete months of history; this one has {months}.",
                         need=MIN_MONTHS, months=len(found.months)),)),)  # fmt: skip
    revenue, settings = found.forecasts["revenue"], found.settings
    total, low, high = (float(v) for v in revenue.periods.loc[TOTAL, ["forecast", "low", "high"]].to_numpy())
    history = revenue.history.assign(**{TOTAL: revenue.total_history})
    year_before = [m - pd.DateOffset(years=1) for m in revenue.table.loc[revenue.table["series"] == TOTAL, "month"]]
    before = history.reindex(year_before).sum() if set(year_before) <= set(history.index) else None
    units = found.forecasts.get("units")
    said_units = "" if units is None else t(" Units: {units} ({low} to {high}).", **dict(zip(
        ("units", "low", "high"), map(count, units.periods.loc[TOTAL, ["forecast", "low", "high"]].to_numpy(float)),
        strict=True)))  # fmt: skip
    change = "" if before is None else t(", {change} against the same months a year earlier",
                                         change=f"{total / float(before[TOTAL]) - 1:+.0%}")  # fmt: skip
    table = pd.DataFrame({"last_12_months": revenue.last_twelve_months}).join(revenue.periods)
    table = table.reindex([*(c for c in history.columns if c != TOTAL), TOTAL])
    if before is not None:
        table["vs_a_year_earlier"] = table["forecast"] / before - 1
    peaks = {str(s): (int(m), float(lift)) for s, m, lift in found.peaks[["series", "month", "lift"]].to_numpy()}
    table["peak_month"] = [f"{month_name(peaks[n][0])} ({peaks[n][1]:+.0%})" if n in peaks else "–"
                           for n in table.index]  # fmt: skip
    backtest = found.backtests.get("revenue")
    if backtest is not None:
        table["mase"] = backtest.table.set_index("series")["mase"]
    table = table.sort_values("last_12_months", ascending=False, key=lambda v: v.where(table.index != TOTAL, -1))
    table = table.rename(columns={"mase": "MASE"}).rename_axis(found.by)
    monthly = revenue.table[revenue.table["series"] == TOTAL].set_index("month")[["forecast", "low", "high"]]
    monthly["festivals"] = [", ".join(t(f) for f in found.festivals.get(m, "").split(", ") if f) for m in monthly.index]
    return (
        Prose((t("**Revenue of the next {h} months: {total}** ({level} interval {low} to {high}){change}. Each of "
                 "the {n} {series} (`demand.by`: {by}) is forecast on its own and the total is their sum, so they add "
                 "up to it.", h=settings.horizon_months, total=money(total), level=f"{revenue.level:.0%}",
                 low=money(low), high=money(high), change=change,
                 n=len(revenue.history.columns), series=t(SERIES_OF[found.by]), by=t(found.by)) + said_units,)),
        Figure(figures["05_demand"]),
        Table(table.rename(index=t), {"last_12_months": money, "forecast": money, "low": money, "high": money,
                                      "vs_a_year_earlier": "{:+.0%}", "MASE": "{:.2f}"}),
        *_demand_check(backtest, found.by),
        *_seasons(found, figures),
        Table(monthly.rename(index=month), {"forecast": money, "low": money, "high": money}),
        Prose((t("How: each series is fitted with exponential smoothing (statsmodels ETS) with a damped trend, which "
                 "follows a store that grows or shrinks without extrapolating it forever, and, once two complete years "
                 "allow one, the additive or multiplicative season of lower AICc; complete calendar months only, "
                 "lines flagged extreme left out, returns netted. The "
                 "intervals come from {draws} simulated futures per series; the total's adds the series' futures up, "
                 "taking their surprises as independent. Beyond the {most} largest series (`demand.max_series`) the "
                 "rest are one series, *other*.", draws=count(1000), most=settings.max_series),)),
    )  # fmt: skip


def _demand_check(backtest: Backtest | None, by: str) -> tuple[Prose, ...]:
    if backtest is None:
        return (Prose((t("The history is too short to hold out months and still keep a year before them "
                         "(`demand.backtest_months`): the forecast is not checked yet."),)),)  # fmt: skip
    scores = backtest.table.set_index("series")
    series = scores.drop(index=TOTAL)
    return (Prose((t("**Checked on the last {n} months held out**: fitted on the {trained} months before them, the "
                     "total's mean absolute error is {mase} times seasonal-naive's (the same month a year earlier; "
                     "this ratio, *MASE*, is below 1 when the forecast is better), and the forecast beats "
                     "seasonal-naive for **{beats} of the {count} {series}**.", n=backtest.months,
                     trained=int(backtest.table["months_trained"].iloc[0]), mase=f"{scores['mase'].get(TOTAL):.2f}",
                     beats=int(series["beats_seasonal_naive"].sum()), count=len(series),
                     series=t(SERIES_OF[by])),)),)  # fmt: skip


def _seasons(found: DemandResults, figures: dict[str, plt.Figure]) -> tuple[Prose | Figure, ...]:
    if found.seasons.empty:
        return (Prose((t("Seasons need two complete years of history; this one has {months} complete months.",
                         months=len(found.months)),)),)  # fmt: skip
    peaks = "; ".join(t("{series} in {month} ({lift})", series=t(str(series)), month=month_name(int(number)),
                        lift=f"{float(lift):+.0%}")
                      for series, number, lift in found.peaks.head(6)[["series", "month", "lift"]].to_numpy()
                      )  # fmt: skip
    return (
        Prose((t("**Seasons**: each series' demand per calendar month against its average month (classical "
                 "decomposition of the complete years; 100% is an average month). Peaks of at least {lift} "
                 "(`demand.min_peak_lift`): {peaks}.", lift=f"{found.settings.min_peak_lift:.0%}",
                 peaks=peaks or t("none")),)),
        Figure(figures["05_demand_seasons"]),
    )  # fmt: skip


def _action_list(result: NextPurchaseResults) -> tuple[Prose | Table, ...]:
    if result.action_list_customers is None:
        return (Prose((t(
            "04_churn did not run, so there is no action list to add the offers to; `next_purchase.parquet` holds "
            "every customer's forecast and offer."),)),)  # fmt: skip
    shown = _present(result.preview, ("priority", "customer_id", "action", "next_best_offer", "offer_reason",
                                      "offer_send_on", "expected_next_purchase", "p_purchase_30d"))  # fmt: skip
    return (
        Prose((t("The action list of 04 gains each customer's **next best offer**, why, **when to send it** ({lead} "
                 "days before the expected purchase, or tomorrow when it is already due or not expected), the expected "
                 "date of the next purchase and the chance of a purchase in 30 days. The first rows (ids masked in "
                 "this report; the files hold the real ids); the whole list is `artifacts/action_list.xlsx` (Excel) "
                 "and `action_list.csv` (CRM import).", lead=result.settings.send_lead_days),
               *sheet_limit(result.action_list_customers, "action_list", max_rows=result.xlsx_max_rows))),
        Table(result.preview[shown].set_index("priority"),
              {"p_purchase_30d": "{:.0%}", "offer_send_on": day, "expected_next_purchase": day}),
    )  # fmt: skip


def _timing(split: TimeSplit, figures: dict[str, plt.Figure]) -> tuple[Prose | Figure | Table, ...]:
    gap = (split.reliability["observed_rate"] - split.reliability["mean_predicted"]).abs().max()
    return (
        Prose((t("Forecast on **{cutoff}** with the data up to then, checked against the {days} days that followed. "
                 "The *Brier score* is the mean squared error of a probability (lower is better); the naive forecast "
                 "gives every customer the share who bought in the {window} days before the cutoff ({rate}).",
                 cutoff=split.cutoff, days=split.horizon_days, window=split.window_days,
                 rate=f"{split.base_rate:.1%}"),)),
        Figure(figures["05_reliability"]),
        Prose((t("Predicted and observed shares of buyers within {window} days differ by at most **{gap}** per group "
                 "of customers with similar probabilities; the model's Brier score {brier} is {skill} lower than the "
                 "naive forecast's {base}.", window=split.window_days, gap=f"{gap:.1%}", brier=f"{split.brier:.3f}",
                 skill=f"{split.brier_skill:.0%}", base=f"{split.brier_base:.3f}"),)),
        Prose((t("**The date of the next purchase**, five ways: *model median* is the day by which the purchase model "
                 "gives even odds of a purchase (none when it never does); *model median if active*, the same "
                 "assuming the customer is still active; *own rhythm*, their median gap between purchases after their "
                 "last one; the baselines *last gap* (their latest gap repeated) and *population median gap* "
                 "(everyone's median gap). A customer with one purchase uses the population's gap for the last two. "
                 "Errors are capped at the {days}-day window, so a customer who did not come back counts as the "
                 "window's end. The ways are ranked by the *balanced error*: the mean of the error for the customers "
                 "who came back and for those who did not, so that neither group hides the other (a way that says "
                 "'not soon' to everyone is right for the many who stay away, and no use for reminders).",
                 days=split.horizon_days),)),
        Figure(figures["05_date_errors"]),
        Table(split.errors, {"customers": "{:,}", "balanced_mae_days": "{:.1f}", "mae_days": "{:.1f}",
                             "buyers": "{:,}", "mae_days_buyers": "{:.1f}", "mae_days_others": "{:.1f}",
                             "median_error_days_buyers": "{:.1f}", "within_14_days_buyers": "{:.0%}"}),
    )  # fmt: skip


def _demand_checked(found: DemandResults) -> list[str]:
    if not found.forecasts:
        return [t("demand: too short a history")]
    revenue, backtest = found.forecasts["revenue"], found.backtests.get("revenue")
    total = float(revenue.periods["forecast"].to_numpy()[-1])  # the total comes last
    months, total_said = found.settings.horizon_months, significant(total)
    if found.by == TOTAL:
        said = t("demand, total only: next {h} months {total}", h=months, total=total_said)
    else:
        said = t("demand by {by}: {n} series, next {h} months {total}", by=term(found.by),
                 n=len(revenue.history.columns), h=months, total=total_said)  # fmt: skip
    if backtest is not None:
        said += t("; MASE on the months held out {mase}", mase=significant(float(backtest.table["mase"].iloc[-1]), 2))
    return [said]


def next_purchase_checked(result: NextPurchaseResults) -> str:
    """Customers, the reminder list, the date predictor, expected against actual buyers on the time split and the
    offer method's hit rates: what nbval compares."""
    customers, split, offers = result.customers, result.split, result.offers
    lines = [
        t("customers {customers}; due soon {due}; date predictor {predictor}", customers=f"{len(customers):,}",
          due=f"{len(result.due):,}", predictor=term(split.chosen)),
        t("expected buyers in 30 days {expected}; time split: expected {predicted}, came {actual}",
          expected=significant(customers["p_purchase_30d"].sum()), predicted=significant(split.expected_buyers),
          actual=f"{split.actual_buyers:,}"),
        t("one row per customer: {ok}", ok=term(bool(customers["customer_id"].is_unique))),
        *_demand_checked(result.demand),
    ]  # fmt: skip
    if offers is None:
        return "\n".join([*lines, t("no category column: no offers")])
    return "\n".join(
        [
            *lines,
            t("offers by {method}", method=term(offers.chosen)),
            for_reading(offers.evaluation[["customers", "hit_rate", "recall"]].round(3)).to_string(),
        ]
    )
