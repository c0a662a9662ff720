"""The 06_campaign page: in plan mode the control groups, who can be contacted and whether the plan can show an
effect; in measure mode what the campaign earned, the checks before trusting it and who responds. In the report
language, with the group and effect figures nbval checks as text."""

from __future__ import annotations

from datetime import date
from typing import Protocol

import matplotlib.pyplot as plt
import pandas as pd

from helpers.core.config import CampaignSection
from helpers.data.exports import sheet_limit
from helpers.language.formatting import count, money, significant
from helpers.language.i18n import for_reading, t, term
from helpers.models import campaign
from helpers.report.findings import Findings
from helpers.report.sections import Bullets, Figure, Prose, Report, Section, Table, number_at

__all__ = ["CampaignResults", "MeasurementResults", "PlanResults", "campaign_checked", "campaign_page"]


class PlanResults(Protocol):
    """What the page reads of a plan (helpers.stages.campaign.Plan)."""

    start: date
    plan: pd.DataFrame
    power: pd.DataFrame
    reach: pd.DataFrame | None


class MeasurementResults(Protocol):
    """What the page reads of a measurement (helpers.stages.campaign.Measurement)."""

    start: date
    end: date
    plan_customers: int
    missing: list[str]
    srm: dict
    balance: pd.DataFrame
    effects: pd.DataFrame
    uplift: campaign.Uplift
    targets: pd.DataFrame


class CampaignResults(Protocol):
    """What the page reads of 06's result (helpers.stages.campaign.CampaignStage)."""

    mode: str
    settings: CampaignSection
    xlsx_max_rows: int
    preview: pd.DataFrame
    findings: Findings
    figures: dict[str, plt.Figure]

    @property
    def plan(self) -> PlanResults | None: ...

    @property
    def measurement(self) -> MeasurementResults | None: ...


def campaign_page(result: CampaignResults) -> Report:
    """06's page from the stage's result (which carries its settings): the plan's sections or the measurement's."""
    settings = result.settings
    if result.plan is not None:
        body = _plan(result.plan, result)
    elif result.measurement is not None:
        body = _measurement(result.measurement, settings, result.figures)
    else:
        raise ValueError("a campaign result holds a plan or a measurement")
    return Report((
        Section(t("06 · Campaign: hold out a control group, then measure what the campaign earned"), (Prose((t(
            "A campaign's effect is what happens to the customers who were contacted **compared with similar customers "
            "who were not**. This stage draws a random control group inside each action cell before the campaign "
            "(plan), and afterwards compares the two groups on purchases and revenue in the outcome window (measure). "
            "This run is in **{mode}** mode (`campaign.mode`).", mode=term(result.mode)),)),), level=1),
        Section(t("What we found"), (Bullets(tuple(result.findings.sentences)),)),
        *body,
        Section(t("Appendix: checks"), (Prose((t(
            "Groups are drawn with the run's random_state, inside each cell separately (stratified), so the same "
            "action list gives the same plan. Effects use only the customers of the assignment who bought before the "
            "start; the uplift model uses only their behaviour before the start."),)),)),
        Section(t("Next"), (Prose((t(
            "Plan mode writes `artifacts/campaign_plan.xlsx` / `.csv` / `.parquet` (the action list with groups) and "
            "`campaign_power.parquet`; measure mode writes `campaign_effects.parquet` and `campaign_targets.xlsx` / "
            "`.csv` / `.parquet`. Each column is explained in the data dictionary (`docs/data_dictionary.md`)."),)),)),
    ))  # fmt: skip


def _plan(plan: PlanResults, result: CampaignResults) -> tuple[Section, ...]:
    settings = result.settings
    return (
        Section(t("1. The plan"), (
            Prose((t("Campaign start **{start}**, outcome window {days} days. In each action cell a random {share} of "
                     "customers (at least {minimum} when the cell allows) is held out: **do not contact them**. The "
                     "plan is `artifacts/campaign_plan.xlsx` (Excel) and `campaign_plan.csv`: the action list with "
                     "each customer's group. After the window, run `workbench campaign measure` with the newer log.",
                     start=plan.start, days=settings.outcome_days, share=f"{settings.control_share:.0%}",
                     minimum=settings.min_control),
                   *sheet_limit(len(plan.plan), "campaign_plan", max_rows=result.xlsx_max_rows))),
            Table(result.preview.set_index("priority")[["customer_id", "action", "group", "contact", "cost"]],
                  {"cost": money}),
            *_reach(plan.reach),
        )),
        Section(t("2. Can the plan show an effect?"), (
            Prose((t("*Baseline conversion*: the share of the cell's customers expected to buy in the {days}-day "
                     "window, from the purchase model of 05 (for a 7, 30 or 90-day window; otherwise the share who "
                     "bought in the last three such windows). *Smallest detectable lift*: the conversion lift a "
                     "two-sided test at {alpha} significance finds with {power} probability (power), from the group "
                     "sizes (statsmodels). A cell that cannot detect a {lift}-point lift is flagged with the customers "
                     "it would need; merge it with another or accept that its effect will stay unknown.",
                     days=settings.outcome_days, alpha=f"{settings.alpha:.0%}", power=f"{settings.power:.0%}",
                     lift=f"{100 * settings.plausible_lift:g}"),)),
            Figure(result.figures["06_detectable_lift"]),
            Table(plan.power, {"customers": "{:,}", "treatment": "{:,}", "control": "{:,}",
                               "baseline_conversion": "{:.1%}", "mde_conversion": "{:.1%}", "baseline_revenue": money,
                               "mde_revenue": money, "customers_needed": "{:,}"}),
        )),
    )  # fmt: skip


def _reach(reach: pd.DataFrame | None) -> tuple[Prose | Table, ...]:
    if reach is None:
        return (Prose((t("Every customer of the action list is planned: without a member table (`customers:` with "
                         "opt-in columns) the workbench cannot tell who agreed to be contacted."),)),)  # fmt: skip
    return (
        Prose((t("**Who can be contacted.** Only customers who opted in to at least one channel in the member table "
                 "are planned ({reachable} of {customers}); customers missing from the member table count as not "
                 "reachable.", reachable=count(reach["reachable"].sum()), customers=count(reach["customers"].sum())),)),
        Table(reach, {c: "{:,}" for c in reach.columns if c != "share_reachable"} | {"share_reachable": "{:.0%}"}),
    )  # fmt: skip


def _measurement(measured: MeasurementResults, settings: CampaignSection, figures: dict[str, plt.Figure]
                 ) -> tuple[Section, ...]:  # fmt: skip
    effects, srm = measured.effects, measured.srm
    narrower = (effects["revenue_high"] - effects["revenue_low"]) / (
        effects["revenue_high_plain"] - effects["revenue_low_plain"])  # fmt: skip
    groups = measured.targets["target_group"].value_counts().rename_axis("target_group").to_frame("customers")
    return (
        Section(t("1. What the campaign earned"), (
            Prose((t("Campaign from **{start}** to **{end}**. *Conversion*: a purchase in the window. Intervals are "
                     "95%: Newcombe's for the difference of two proportions; for revenue per customer, which is "
                     "heavy-tailed, a bootstrap ({samples} resamples) on the CUPED-adjusted revenue (the pre-period "
                     "spend removes variance the past explains), with the plain estimate beside it. *p (Holm)* "
                     "corrects for testing several cells. *Margin per cost*: incremental revenue × the profit margin, "
                     "per unit of contact cost; above 1 the cell paid for itself.", start=measured.start,
                     end=measured.end, samples=f"{settings.bootstrap_samples:,}"),)),
            Figure(figures["06_effects"]),
            Table(campaign.report_table(effects),
                  {"treatment": "{:,}", "control": "{:,}", "conversion_treatment": "{:.1%}",
                   "conversion_control": "{:.1%}", "lift_points": "{:+.1f}", "p_holm": "{:.3f}",
                   "revenue_lift": money, "incremental_margin": money, "cost": money, "margin_per_cost": "{:.2f}"}),
            Prose((t("CUPED narrowed the revenue intervals to {share} of their plain width on average (the plain "
                     "estimates and intervals are in `campaign_effects.parquet`).", share=f"{narrower.mean():.0%}"),)),
        )),
        Section(t("2. Checks before trusting the numbers"), (
            Prose((t("**Sample ratio**: {control} of the measured customers are in the control group against "
                     "{planned} planned (chi-square p = {p}; below 0.001 the assignment was not followed). "
                     "**Missing**: {missing} of the {customers} customers of the assignment made no purchase before "
                     "the start and are not measured. **Balance**: before the campaign the groups should look alike; "
                     "a standardised difference above 0.1 is a warning.",
                     control=f"{srm['observed_control_share']:.1%}", planned=f"{srm['planned_control_share']:.1%}",
                     p=f"{srm['p_value']:.2g}", missing=count(len(measured.missing)),
                     customers=count(measured.plan_customers)),)),
            Table(measured.balance, {"treatment": "{:,.2f}", "control": "{:,.2f}",
                                     "standardised_difference": "{:+.3f}"}),
        )),
        Section(t("3. Who responds: the uplift model"), (
            Prose((t("Two models (a *T-learner*): one learns who buys when contacted, one who buys when not, from the "
                     "customers' behaviour before the campaign; their difference is each customer's *uplift*. Trained "
                     "on half of the customers and checked on the other half: the Qini curve counts the incremental "
                     "buyers found when targeting by predicted uplift, against random targeting. "
                     "`campaign_targets.xlsx` ranks every customer by uplift × value for the next campaign."),)),
            Figure(figures["06_qini"]),
            Table(measured.uplift.deciles, {"customers": "{:,}", "predicted_uplift": "{:+.1%}",
                                            "observed_uplift": "{:+.1%}"}),
            Table(groups, {"customers": "{:,}"}),
        )),
    )  # fmt: skip


def campaign_checked(result: CampaignResults) -> str:
    """Plan mode: customers per group, one group each and the smallest detectable lift; measure mode: the customers
    measured and whether the sample ratio is off. What nbval compares."""
    plan, measured = result.plan, result.measurement
    if plan is not None:
        groups = plan.plan["group"].value_counts().reindex(["treatment", "control"]).fillna(0).astype(int)
        return "\n".join([
            for_reading(groups.rename_axis("group").to_frame("customers").map("{:,}".format)).to_string(),
            t("one group per customer: {ok}", ok=term(bool(plan.plan["customer_id"].is_unique))),
            t("smallest detectable lift overall: {mde} points",
              mde=significant(100 * number_at(plan.power, "all cells", "mde_conversion"), 2)),
        ])  # fmt: skip
    if measured is None:
        raise ValueError("a campaign result holds a plan or a measurement")
    return t("measured customers {customers}; sample ratio mismatch: {srm}", customers=f"{len(measured.targets):,}",
             srm=term(bool(measured.srm["mismatch"])))  # fmt: skip
