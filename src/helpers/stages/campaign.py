"""Stage 06: plan a campaign with a random control group, or measure what a finished one earned.

campaign.mode plan (the default) reads the action list of 05, takes the customers in this cycle's contact
budget (04: by value at risk, among those a channel reaches and no alert holds), draws control groups among them
and writes campaign_plan.parquet/.csv/.xlsx, campaign_power.parquet and the Monday file,
contact_plan.parquet/.csv/.xlsx. campaign.mode measure reads campaign.plan_file (the plan, or your own
assignment file) and this run's transactions, which must cover the outcome window (or
campaign.response_file: converted and revenue per customer), and writes
campaign_effects.parquet and campaign_targets.parquet/.csv/.xlsx.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

from helpers.core.config import CampaignSection, WorkbenchConfig
from helpers.core.errors import CampaignDataError, ConfigError, NoActionListError
from helpers.data.features import churn_features
from helpers.data.sources import read_table_file
from helpers.language.i18n import t
from helpers.models import campaign, profiles
from helpers.models.actions import ANY_CHANNEL, DO_NOT_CONTACT, EXPECTED, IN_STORE_ONLY, contact_costs
from helpers.models.churn import model_columns
from helpers.report import findings, plots
from helpers.report.campaign_page import campaign_checked, campaign_page
from helpers.report.findings import Findings
from helpers.report.sections import Report
from helpers.stages.context import StageContext, analysis_date, in_report_scope, stage_config

__all__ = [
    "CONTACT_FORMATS",
    "LISTED",
    "PLAN_FORMATS",
    "TARGET_FORMATS",
    "CampaignStage",
    "Measurement",
    "Plan",
    "contact_plan",
    "contact_selection",
    "draw_plan",
    "expected_of",
    "measure_campaign",
    "plan_campaign",
    "read_plan",
    "reasons_of",
    "run",
    "target_list",
]

PLAN_FORMATS = {"cost": "#,##0.00", "value_if_retained": "#,##0.00", "offer_send_on": "yyyy-mm-dd",
                "campaign_start": "yyyy-mm-dd", "control_share": "0%"}  # fmt: skip
TARGET_FORMATS = {"p_treated": "0%", "p_control": "0%", "uplift": "0.0%", "revenue": "#,##0.00",
                  "value_if_retained": "#,##0.00"}  # fmt: skip


@dataclass
class Plan:
    start: date
    plan: pd.DataFrame  # campaign_plan.parquet
    power: pd.DataFrame  # per cell and overall
    reach: pd.DataFrame | None  # per action cell: customers, opted in per channel, reachable (with a member table)
    selection: dict  # who is contacted this cycle and why the others are not (`contact_selection`)


@dataclass
class Measurement:
    start: date
    end: date
    plan_customers: int
    missing: list[str]  # plan customers with no purchase before the start (not in the log)
    srm: dict
    balance: pd.DataFrame
    effects: pd.DataFrame
    uplift: campaign.Uplift
    targets: pd.DataFrame  # campaign_targets.parquet
    channel_effects: pd.DataFrame | None = None  # campaign_channel_effects.parquet: the same per channel


@dataclass
class CampaignStage:
    """What 06_campaign shows: a plan or a measurement."""

    mode: str
    settings: CampaignSection
    plan: Plan | None
    measurement: Measurement | None
    preview: pd.DataFrame
    findings: Findings
    figures: dict[str, plt.Figure]
    xlsx_max_rows: int  # report.xlsx_max_rows: what the page says the .xlsx lists hold
    report: Report = field(init=False)  # the page, section by section
    checked: str = field(init=False)  # the group or effect figures as text: what nbval compares

    def __post_init__(self) -> None:
        self.report, self.checked = campaign_page(self), campaign_checked(self)


# what a plan takes from the action list (at ten million customers its worded reasons alone take gigabytes)
LISTED = ["priority", "customer_id", "action", "value_if_retained", "value_at_risk", *EXPECTED, "value_basis",
          "next_best_offer", "offer_send_on", "channel", "in_budget", "held_for_review", "contacted_recently",
          "global_holdout", "moment", "moment_send_on", "moment_offer"]  # fmt: skip


def draw_plan(action_list: pd.DataFrame, settings: CampaignSection, *, start: date, seed: int) -> pd.DataFrame:
    """The action list's customers with their random group, what to do, and the contact cost."""
    chosen = action_list if not settings.actions else action_list[action_list["action"].isin(settings.actions)]
    if chosen.empty:
        raise ConfigError(f"campaign.actions {settings.actions} match no action of the action list")
    groups = campaign.assign_groups(chosen.set_index("customer_id")["action"], settings.control_share,
                                    min_control=settings.min_control, seed=seed)  # fmt: skip
    plan = chosen.assign(group=chosen["customer_id"].map(groups))
    treated = plan["group"] == "treatment"
    plan["contact"] = treated.map({True: "contact", False: "do not contact (control)"})
    plan["cost"] = contact_costs(plan, settings).where(treated, 0.0)
    plan = plan.assign(campaign_start=pd.Timestamp(start), outcome_days=settings.outcome_days,
                       control_share=settings.control_share)  # fmt: skip
    columns = [c for c in ("priority", "customer_id", "action", "group", "contact", "channel", "cost",
                           "value_if_retained", "value_at_risk", "expected_value", "next_best_offer", "offer_send_on",
                           "moment", "moment_send_on", "moment_offer", "campaign_start",
                           "outcome_days", "control_share")
               if c in plan.columns]  # fmt: skip
    return plan[columns].sort_values("priority").reset_index(drop=True)


def _flag(frame: pd.DataFrame, column: str) -> pd.Series:
    return frame[column].fillna(False).astype(bool) if column in frame else pd.Series(False, index=frame.index)


def contact_selection(action_list: pd.DataFrame) -> dict:
    """This cycle's selection in numbers: the action list's customers, those in the contact budget (04), those
    held for review, those reachable in store only, and the rest (not this cycle: below the budget)."""
    chosen, held = _flag(action_list, "in_budget"), _flag(action_list, "held_for_review")
    channel = action_list.get("channel", pd.Series(ANY_CHANNEL, index=action_list.index))
    blocked = channel == DO_NOT_CONTACT
    store_only = (channel == IN_STORE_ONLY) & ~held
    capped = _flag(action_list, "contacted_recently") & ~held & ~blocked & ~store_only
    kept_out = _flag(action_list, "global_holdout") & ~held & ~blocked & ~store_only & ~capped
    return {"customers": len(action_list), "selected": int(chosen.sum()), "held_for_review": int(held.sum()),
            "in_store_only": int(store_only.sum()), "do_not_contact": int((blocked & ~held).sum()),
            "contacted_recently": int(capped.sum()), "global_holdout": int(kept_out.sum()),
            "below_budget": int((~chosen & ~held & ~store_only & ~blocked & ~capped & ~kept_out).sum())}  # fmt: skip


CONTACT_FORMATS = {"send_date": "yyyy-mm-dd", "value_at_risk": "#,##0.00", "cost": "#,##0.00",
                   "expected_value": "#,##0.00"}  # fmt: skip


def contact_plan(plan: pd.DataFrame, reasons: pd.Series | None) -> pd.DataFrame:
    """The Monday file: one row per selected customer, treatment or control, with the channel, the day to send
    (the offer's date when 05 dated one within its horizon, else the campaign's first day; for a moment's contact,
    the moment's), the action, the offer (a moment's message),
    why (`reasons` by customer) and the contact's expected incremental margin (04's expected_value)."""
    send = plan["offer_send_on"] if "offer_send_on" in plan else pd.Series(pd.NaT, index=plan.index)
    offer = plan.get("next_best_offer", pd.Series(None, index=plan.index, dtype=object))
    if "moment" in plan:  # a contact for a moment goes with the moment's message, on its day
        for_moment = (plan["action"] == plan["moment"]).fillna(False).astype(bool)
        send = pd.to_datetime(send).where(~for_moment, plan["moment_send_on"])
        offer = offer.astype(object).where(~for_moment, plan["moment_offer"])
    treated = plan["group"] == "treatment"
    at_risk = plan["value_at_risk"] if "value_at_risk" in plan else pd.Series(float("nan"), index=plan.index)
    expected = plan["expected_value"]  # 04's, carried by the action list: one number, one source
    frame = pd.DataFrame({
        "customer_id": plan["customer_id"], "group": plan["group"],
        "channel": plan.get("channel", ANY_CHANNEL),
        "send_date": pd.to_datetime(send).fillna(plan["campaign_start"]).where(treated),
        "action": plan["action"], "offer": offer,
        "reason": None if reasons is None else plan["customer_id"].map(reasons),
        "value_at_risk": at_risk, "cost": plan["cost"],
        "expected_value": expected.where(treated),
    })  # fmt: skip
    return frame.reset_index(drop=True)


def expected_of(action_list: pd.DataFrame, plan: pd.DataFrame, settings: CampaignSection) -> dict:
    """The contacts' expected incremental margin (04's, summed over the treatment group) with its interval, how
    many rest on a measured save rate, and the assumption the others rest on."""
    treated = plan.loc[plan["group"] == "treatment", "customer_id"]
    contacted = action_list.set_index("customer_id").reindex(treated)
    measured = int(contacted["value_basis"].eq("measured").sum()) if "value_basis" in contacted else 0
    sums = {name: float(contacted[name].sum()) for name in EXPECTED if name in contacted}
    return sums | {"contacts": len(treated), "measured_contacts": measured, "save_rate": settings.assumed_save_rate,
                   "save_rates_by_action": bool(settings.save_rates)}  # fmt: skip


def reasons_of(context: StageContext, customers: pd.Series) -> pd.Series | None:
    """The action list's reason of these customers only (the worded reasons of everyone take gigabytes at scale)."""
    path = context.paths.artifact("action_list.parquet")
    table = pd.read_parquet(path, columns=["customer_id", "reason"], filters=[("customer_id", "in", list(customers))])
    return table.set_index("customer_id")["reason"] if len(table) else None


def read_plan(settings: CampaignSection) -> tuple[pd.DataFrame, date | None]:
    """The plan or assignment file as customer_id, action, group, cost; and the start it records, if any."""
    if settings.plan_file is None:
        raise ConfigError("campaign.plan_file: name the plan or assignment file to measure")
    frame = read_table_file(Path(settings.plan_file))
    columns = settings.assignment_columns
    if "campaign_start" in frame.columns:  # the workbench's own plan
        columns = columns.model_copy(update={"action": columns.action or "action", "cost": columns.cost or "cost"})
    table = campaign.read_assignment(frame, columns)
    starts = list(pd.to_datetime(frame["campaign_start"]).dt.date.unique()) if "campaign_start" in frame.columns else []
    value = frame.set_index(frame[columns.customer_id].astype(str).str.strip())
    for column in ("value_if_retained", "value_at_risk"):  # the workbench's plan has them; the save rate needs one
        if column in value.columns:
            table[column] = table["customer_id"].map(pd.to_numeric(value[column], errors="coerce"))
    if "channel" in value.columns:
        table["channel"] = table["customer_id"].map(value["channel"].astype(str))
    if "cost" not in table:
        table["cost"] = contact_costs(table, settings).where(table["group"] == "treatment", 0.0)
    table["cost"] = pd.to_numeric(table["cost"], errors="coerce").fillna(0.0)
    return table, (starts[0] if len(starts) == 1 else None)


def plan_campaign(context: StageContext, config: WorkbenchConfig, tx) -> Plan:
    settings = config.campaign
    action_list = context.paths.read_optional_table("action_list.parquet", LISTED)
    if action_list is None:
        raise NoActionListError(t("06_campaign plans from the action list, which 04_churn and 05_next_purchase "
                                  "write; they did not run on this data, so there is nothing to plan"))  # fmt: skip
    today = analysis_date(tx, config.dates)
    start = today + timedelta(days=1)
    reach = None
    selection = contact_selection(action_list)
    members = context.paths.read_optional_table("customers.parquet")
    if members is not None and any(c in members.columns for c in profiles.OPT_INS):
        consent = members.set_index("customer_id").assign(in_member_table=True)
        reach = profiles.reachability(action_list.set_index("customer_id")["action"], consent)
        action_list = action_list[
            action_list["customer_id"].map(profiles.reachable(consent)).fillna(False).astype(bool)
        ]
    if not selection["selected"]:
        raise NoActionListError(t("no customer can be contacted this cycle: churn.contact_budget is {budget}, {held} "
                                  "customers are held for review and {store} can be reached in store only",
                                  budget=config.churn.contact_budget, held=selection["held_for_review"],
                                  store=selection["in_store_only"]))  # fmt: skip
    plan = draw_plan(action_list[_flag(action_list, "in_budget")], settings, start=start, seed=config.run.random_state)
    history = campaign.past_windows(tx, today, window_days=settings.outcome_days)
    column = f"p_purchase_{settings.outcome_days}d"
    forecasts = context.paths.read_optional_table("next_purchase.parquet", ["customer_id", column])
    if forecasts is not None and column in forecasts:
        history["expected_conversion"] = forecasts.set_index("customer_id")[column].reindex(history.index)
    power = campaign.power_table(plan, history, settings)
    context.paths.write_table(plan, "campaign_plan.parquet")
    context.paths.write_table(plan, "campaign_plan.csv")
    context.paths.write_table(plan, "campaign_plan.xlsx", PLAN_FORMATS)
    contact = contact_plan(plan, reasons_of(context, plan["customer_id"]))
    selection |= expected_of(action_list, plan, settings)
    context.paths.write_table(contact, "contact_plan.parquet")
    context.paths.write_table(contact, "contact_plan.csv")
    context.paths.write_table(contact, "contact_plan.xlsx", CONTACT_FORMATS)
    context.paths.write_table(power.reset_index(), "campaign_power.parquet")
    context.figure("06_detectable_lift", plots.detectable_lift(power, settings.plausible_lift))
    return Plan(start, plan, power, reach, selection)


def measure_campaign(context: StageContext, config: WorkbenchConfig, tx) -> Measurement:
    settings = config.campaign
    plan, recorded_start = read_plan(settings)
    start = settings.start or recorded_start
    if start is None:
        raise ConfigError("campaign.start is not set and the assignment file does not record it: set the "
                          "campaign's first day (campaign.start: 2025-01-06)")  # fmt: skip
    end = start + timedelta(days=settings.outcome_days - 1)
    last = analysis_date(tx, config.dates)
    if end > last and not settings.response_file:
        raise CampaignDataError(f"the outcome window {start} to {end} ends after the data's last day {last}: "
                                "wait for the window to close, lower campaign.outcome_days, or give the outcomes "
                                "as campaign.response_file")  # fmt: skip
    observed = campaign.outcomes(tx, start, outcome_days=settings.outcome_days, pre_days=settings.pre_period_days)
    if settings.response_file:  # the outcomes as given; a customer without a row did not respond
        responses = campaign.read_responses(read_table_file(Path(settings.response_file)), settings.response_columns)
        observed["converted"] = responses["converted"].reindex(observed.index, fill_value=False)
        observed["revenue"] = responses["revenue"].reindex(observed.index, fill_value=0.0)
    missing = sorted(set(plan["customer_id"]) - set(observed.index))
    frame = plan[~plan["customer_id"].isin(missing)].join(observed, on="customer_id")
    if frame.empty:
        raise CampaignDataError(f"none of the {len(plan):,} customers of the assignment bought before {start}: "
                                "is it the right log and the right campaign.start?")  # fmt: skip
    # the planned split is the assignment's own (a cell's control share is larger when min_control applies)
    srm = campaign.sample_ratio_check(frame["group"], float((plan["group"] == "control").mean()))
    balance = campaign.balance(frame, ["pre_spend", "pre_purchases"])
    effects = campaign.effects(
        frame, config.clv.profit_margin, samples=settings.bootstrap_samples, seed=config.run.random_state
    )
    by_channel = None
    if "channel" in frame and frame["channel"].nunique() > 1:  # which channel moved customers, for the next plan
        by_channel = campaign.effects(frame, config.clv.profit_margin, samples=settings.bootstrap_samples,
                                      seed=config.run.random_state, by="channel")  # fmt: skip
        context.paths.write_table(by_channel.reset_index(), "campaign_channel_effects.parquet")
    features = churn_features(tx, start - timedelta(days=1)).execute().set_index("customer_id")
    features = features.reindex(frame["customer_id"])
    uplift = campaign.learn_uplift(
        features[model_columns(features)],
        frame.set_index("customer_id")["group"],
        converted=frame.set_index("customer_id")["converted"],
        seed=config.run.random_state,
    )
    targets = target_list(frame, uplift)
    context.paths.write_table(effects.reset_index(), "campaign_effects.parquet")
    for name in ("campaign_targets.parquet", "campaign_targets.csv"):
        context.paths.write_table(targets, name)
    context.paths.write_table(targets, "campaign_targets.xlsx", TARGET_FORMATS)
    context.figure("06_effects", plots.campaign_effects(effects))
    context.figure("06_qini", plots.qini(uplift.qini))
    return Measurement(start, end, len(plan), missing, srm, balance, effects, uplift, targets, by_channel)


def target_list(frame: pd.DataFrame, uplift: campaign.Uplift) -> pd.DataFrame:
    """Every measured customer with their predicted response; best next targets (uplift x value) first."""
    scores = uplift.scores.reset_index(names="customer_id")
    table = frame[["customer_id", "action", "group", "converted", "revenue"]].merge(scores, on="customer_id")
    value = frame.set_index("customer_id")
    worth = value["value_if_retained"] if "value_if_retained" in value else value["pre_spend"]
    table["value_if_retained"] = table["customer_id"].map(worth).fillna(0.0).clip(lower=0.0)
    table["target_group"] = campaign.target_groups(uplift.scores).reindex(table["customer_id"]).to_numpy()
    expected = table["uplift"] * table["value_if_retained"]
    table = table.assign(expected=expected).sort_values(["expected", "customer_id"], ascending=[False, True])
    table["rank"] = range(1, len(table) + 1)
    columns = ["rank", "customer_id", "action", "group", "converted", "revenue", "p_treated", "p_control", "uplift",
               "target_group", "value_if_retained"]  # fmt: skip
    return table[columns].round({"p_treated": 4, "p_control": 4, "uplift": 4, "revenue": 2}).reset_index(drop=True)


@in_report_scope
def run(config: WorkbenchConfig | str | Path, run_dir: str | Path) -> CampaignStage:
    """Plan (campaign.mode: plan) or measure (campaign.mode: measure) a campaign."""
    config = stage_config(config)
    settings = config.campaign
    context = StageContext.open(run_dir, config)
    tx = context.transactions()
    planned = measured = None
    if settings.mode == "plan":
        planned = plan_campaign(context, config, tx)
        found = findings.campaign_plan(planned.plan, planned.power, settings=settings, reach=planned.reach,
                                       selection=planned.selection)  # fmt: skip
        preview = context.shareable(planned.plan.head(15))
    else:
        measured = measure_campaign(context, config, tx)
        found = findings.campaign_measure(measured, settings)
        preview = context.shareable(measured.targets.head(15))
    return CampaignStage(settings.mode, settings, planned, measured, preview, context.write_findings(found),
                         context.figures, xlsx_max_rows=config.report.xlsx_max_rows)  # fmt: skip
