"""Stage 04: backtest churn scores against baselines, score every customer, cross risk with value.

Writes churn.parquet (every customer's score, value and action) and churn_backtest.parquet; 05_next_purchase
adds the next best offer and writes the action list.
"""

from __future__ import annotations

import glob
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import cast

import matplotlib.pyplot as plt
import pandas as pd

from helpers.core.config import ChurnSection, SegmentSection, VoiceSection, WorkbenchConfig
from helpers.core.errors import InputError
from helpers.data.schemas import CAMPAIGN_CHANNEL_EFFECTS, CHURN
from helpers.data.sources import read_table_file
from helpers.language import formatting
from helpers.models import actions, churn, moments, profiles, satisfaction, voice
from helpers.models.alerts import SEVERITIES as ALERT_SEVERITIES
from helpers.models.calibration import Calibration, choose_calibration
from helpers.models.campaign import ALL_CELLS
from helpers.models.segment import CN8_SEGMENTS
from helpers.report import findings, plots
from helpers.report.churn_page import churn_checked, churn_page
from helpers.report.findings import Findings
from helpers.report.sections import Report
from helpers.stages import care_and_growth
from helpers.stages.context import StageContext, fitted_to_history, in_report_scope, log, stage_config

__all__ = [
    "SEGMENT_COLUMNS",
    "ChurnStage",
    "Contacts",
    "read_contact_history",
    "read_id_list",
    "read_measured",
    "run",
    "score_today",
    "segment_names",
]


@dataclass
class ChurnStage:
    """What 04_churn shows."""

    today: date
    horizon_days: int
    folds: list[churn.Fold]
    summary: pd.DataFrame  # mean metrics per scorer, best ROC-AUC first
    per_fold_auc: pd.DataFrame
    chosen: str
    best_baseline: str
    trap: dict
    reliability: pd.DataFrame
    calibration: Calibration
    importance: pd.DataFrame
    scored: pd.DataFrame  # churn.parquet
    scorer: str  # what scored today's list: the backtest's best, model or baseline
    matrix: pd.DataFrame  # value level x risk tier
    actions: pd.DataFrame  # per action
    preview: pd.DataFrame  # the action list's top rows for the report, ids masked when configured
    contact_budget: int
    unreachable_rules: list[int]  # numbers of churn.action_rules that no customer can reach
    surveys: pd.DataFrame | None  # per fold: ROC-AUC of the chosen model with and without survey features
    train_rows: dict[int, int]  # per fold: training rows available (models saw at most churn.max_training_rows)
    cutoff_customers: dict[date, int]  # per cutoff: customers (baselines fitted on churn.baseline_fit_customers)
    importance_customers: int  # customers the permutation importance was measured on (a sample beyond a limit)
    auc_sampling_error: float  # the backtest's largest ROC-AUC standard error from testing a sample (0: everyone)
    detractors: pd.DataFrame | None  # detractors.parquet: the follow-up list (None without NPS answers)
    detractor_preview: pd.DataFrame | None  # its first rows, ids masked when configured
    bands: pd.DataFrame | None  # churn probability and CLV of detractors, passives and promoters, with intervals
    follow_up_days: int  # voice.follow_up_days
    findings: Findings
    figures: dict[str, plt.Figure]
    report: Report = field(init=False)  # the page, section by section
    checked: str = field(init=False)  # the backtest and list figures as text: what nbval compares

    @property
    def fold_table(self) -> pd.DataFrame:
        """When each fold trains and tests, in words."""
        horizon = timedelta(days=self.horizon_days)
        rows = [{"fold": i + 1, "trained on cutoffs": ", ".join(map(str, f.train_cutoffs)),
                 "tested at cutoff": f.test_cutoff, "test labels: purchases until": f.test_cutoff + horizon}
                for i, f in enumerate(self.folds)]  # fmt: skip
        return pd.DataFrame(rows).set_index("fold")


SEGMENT_COLUMNS = ["segment", "spend_level", "value_tier", "lifecycle", "typical_gap_days",
                   "favourite_channel", "favourite_category"]  # fmt: skip


def segment_names(settings: SegmentSection) -> list[str]:
    """Every segment the configured scheme can assign."""
    return list(CN8_SEGMENTS.values()) if settings.scheme == "cn8" else [rule.segment for rule in settings.rules]


@dataclass(frozen=True)
class Contacts:
    """What decides who can be contacted: the member table's consent and 02_segment's alerts (either may be
    missing)."""

    members: pd.DataFrame | None = None
    alerts: pd.DataFrame | None = None
    blocked: frozenset[str] = frozenset()  # the do-not-contact list
    history: pd.DataFrame | None = None  # earlier contacts: customer_id, send_date (treatment rows only)

    def held(self, customers: pd.Index, severities: Sequence[str]) -> pd.Series:
        """Customers with an alert of one of `severities`: a person looks before anyone contacts them."""
        if self.alerts is None or not severities:
            return pd.Series(False, index=customers)
        flagged = set(self.alerts.loc[self.alerts["severity"].isin(severities), "customer_id"])
        return pd.Series(customers.isin(flagged), index=customers)

    def recently(self, customers: pd.Index, today: date, *, cap: int, days: int) -> pd.Series:
        """Customers contacted at least `cap` times in the `days` days up to `today` (the contact history)."""
        if self.history is None or self.history.empty:
            return pd.Series(False, index=customers)
        since = pd.Timestamp(today) - pd.Timedelta(days=days - 1)
        window = self.history[(self.history["send_date"] >= since) & (self.history["send_date"] <= pd.Timestamp(today))]
        counts = window["customer_id"].value_counts()
        return pd.Series(customers.isin(counts.index[counts >= cap]), index=customers)

    @classmethod
    def of_run(cls, context: StageContext, settings: ChurnSection) -> Contacts:
        """Consent and alerts from the run folder; the do-not-contact list and contact history the config names."""
        return cls(context.paths.read_optional_table("customers.parquet"),
                   context.paths.read_optional_table("alerts.parquet"),
                   read_id_list(settings.do_not_contact) if settings.do_not_contact else frozenset(),
                   read_contact_history(settings.contact_history) if settings.contact_history else None)  # fmt: skip


def read_measured(path: str, *, moment_actions: Collection[str] = ()) -> actions.MeasuredResponse:
    """The save rates per action a measured campaign found (campaign_effects.parquet of 06's measure mode) and,
    from campaign_channel_effects.parquet beside it, the incremental margin per contact of each channel whose
    effect was significant (Holm-adjusted p below 0.05); for a cell of `moment_actions`, its conversion lift."""
    effects = pd.read_parquet(path)
    missing = {"action", *actions.SAVE_RATES} - set(effects.columns)
    if missing:
        raise InputError(f"campaign.measured_effects {path} has no column {sorted(missing)}: give the "
                         "campaign_effects.parquet of a campaign measured against the workbench's own plan, which "
                         "records each customer's value at risk")  # fmt: skip
    cells = effects[effects["action"] != ALL_CELLS].set_index("action")
    is_moment = cells.index.isin(list(moment_actions))
    rates = cells.loc[~is_moment, actions.SAVE_RATES].dropna()
    conversions = cells.loc[is_moment, moments.CONVERSIONS].dropna() if set(moments.CONVERSIONS) <= set(cells) else None
    by_channel = Path(path).with_name(CAMPAIGN_CHANNEL_EFFECTS.name)  # beside the measured run's effects
    channels = None
    if by_channel.exists():
        table = pd.read_parquet(by_channel).set_index("channel").drop(index=ALL_CELLS, errors="ignore")
        table = table[table["significant"]]  # a channel is preferred on evidence, not on noise
        channels = table["incremental_margin"] / table["treatment"]
    return actions.MeasuredResponse(rates, channels, conversions)


def read_id_list(path: str) -> frozenset[str]:
    """The customer ids of a do-not-contact file: its customer_id column, or its first column."""
    table = read_table_file(Path(path))
    column = "customer_id" if "customer_id" in table.columns else table.columns[0]
    return frozenset(table[column].astype(str).str.strip().loc[lambda ids: ids != ""])


def read_contact_history(pattern: str) -> pd.DataFrame:
    """Earlier contacts from the files matching `pattern` (contact plans: customer_id, send_date and group, of which
    only treatment rows were contacted); empty when none exists yet (a first run)."""
    frames = []
    for path in sorted(Path(p) for p in glob.glob(pattern)):
        table = read_table_file(path)
        missing = {"customer_id", "send_date"} - set(table.columns)
        if missing:
            raise InputError(f"contact history {path} has no column {sorted(missing)}; give contact_plan.parquet "
                             "files (or CSVs with customer_id, send_date, group): churn.contact_history")  # fmt: skip
        if "group" in table.columns:
            table = table[table["group"] == "treatment"]
        frames.append(pd.DataFrame({"customer_id": table["customer_id"].astype(str),
                                    "send_date": pd.to_datetime(table["send_date"], errors="coerce")}))  # fmt: skip
    history = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["customer_id", "send_date"])
    return history.dropna(subset=["send_date"])


def score_today(
    config: WorkbenchConfig,
    tx,
    *,
    today: date,
    scorer: str,
    values: pd.DataFrame | None,
    segments: pd.DataFrame | None,
    side: churn.SideFeatures | None = None,
    known: dict[date, tuple[pd.DataFrame, int]] | None = None,
    calibration: Calibration | None = None,
    contacts: Contacts = Contacts(),
    measured: actions.MeasuredResponse | None = None,
    moment_candidates: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Every customer as of `today`: churn probability from `scorer` (through `calibration`, learnt on the
    backtest), value if retained, risk tier, value level, segment, the one action of the action rules, its reason,
    channel, hold, the expected value of a contact (save rates `measured` by a campaign, else assumed) and the
    contact priority; `known` holds training snapshots the backtest already computed. Each customer's best moment
    (`moment_candidates`: helpers.models.moments.candidates) competes with their retention action."""
    settings = config.churn
    scored = churn.score_customers(
        tx,
        today,
        horizon_days=settings.horizon_days,
        train_cutoffs=settings.train_cutoffs,
        step_days=settings.cutoff_step_days,
        scorer=scorer,
        random_state=config.run.random_state,
        unit=config.clv.time_unit,
        side=side,
        max_train_rows=settings.max_training_rows,
        baseline_fit_customers=settings.baseline_fit_customers,
        known=known,
        penalizer=config.clv.penalizer,
    )
    if calibration is not None:
        scored["churn_probability"] = calibration.apply(scored["churn_probability"])
    scored = churn.attach_value(scored, values, settings.high_value_share)
    scored["scored_by"] = scorer
    scored["risk_tier"] = actions.tiers_by_probability(scored["churn_probability"],
                                                       high=settings.high_risk_probability,
                                                       medium=settings.medium_risk_probability)  # fmt: skip
    if segments is None:
        scored["segment"] = "(02_segment not run)"
    else:
        profile = segments.set_index("customer_id")
        profile = profile[[c for c in SEGMENT_COLUMNS if c in profile.columns]].reindex(scored.index)
        for column in profile.columns:
            scored[column] = profile[column]
    scored["action"] = actions.assign_actions(scored, settings.action_rules)
    scored["days_since_last_purchase"] = scored["recency_days"]
    scored["last_purchase_date"] = pd.Timestamp(today) - pd.to_timedelta(scored["recency_days"], unit="D")
    scored["reason"] = actions.reasons(scored, formatting.money, settings.horizon_days)
    order = actions.channel_order(settings.channels, costs=config.campaign.channel_costs,
                                  measured=None if measured is None else measured.channels)  # fmt: skip
    scored["channel"] = actions.channels(scored.index, contacts.members, order)
    scored.loc[scored.index.isin(contacts.blocked), "channel"] = actions.DO_NOT_CONTACT
    scored["held_for_review"] = contacts.held(scored.index, settings.hold_alert_severities)
    scored["contacted_recently"] = contacts.recently(scored.index, today, cap=settings.contact_cap,
                                                     days=settings.contact_cap_days)  # fmt: skip
    scored["global_holdout"] = actions.global_holdout(scored.index, settings.global_holdout_share)
    flagged = contacts.held(scored.index, list(ALERT_SEVERITIES))
    ranked = actions.capped_for_alerts(scored["value_at_risk"], flagged, settings.alert_value_quantile)
    scored = scored.join(actions.expected_value(scored, config.campaign, measured=measured, value=ranked))
    if moment_candidates is not None:
        scored = scored.join(moment_candidates)
        per_order = actions.capped_for_alerts(scored["avg_spend"].clip(lower=0.0), flagged,
                                              settings.alert_value_quantile)  # fmt: skip
        scored = scored.join(moments.moment_values(
            scored, config.campaign, order_margin=per_order * config.clv.profit_margin,
            measured=None if measured is None else measured.conversions))  # fmt: skip
        scored = moments.compete(scored)
    scored = actions.prioritise(scored, settings.contact_budget, money_budget=settings.contact_budget_money,
                                costs=actions.contact_costs(scored, config.campaign))  # fmt: skip
    scored = scored.reset_index()
    scored = scored[[c.name for c in CHURN.columns if c.name in scored.columns]]
    if scored["customer_id"].is_monotonic_increasing:  # today's features come in customer order: no sorted copy
        return scored
    return scored.sort_values("customer_id").reset_index(drop=True)


def _voice_of(context: StageContext, tx, scored: pd.DataFrame, *, surveys: pd.DataFrame | None, contacts: Contacts,
              today: date, settings: VoiceSection) -> tuple[pd.DataFrame | None, pd.DataFrame | None]:  # fmt: skip
    """With NPS answers: the detractor follow-up list (detractors.parquet) and the churn and CLV of detractors,
    passives and promoters."""
    if surveys is None or "nps" not in surveys.columns or surveys["nps"].isna().all():
        return None, None
    latest = voice.latest_scored(surveys)
    by_customer = scored.set_index("customer_id")
    since = pd.Timestamp(today) - pd.Timedelta(days=settings.follow_up_days - 1)
    listed = voice.follow_up(latest, by_customer, since=since, contacted=contacts.history)
    if "store" in tx.columns:
        stores = profiles.main_places(tx.select("customer_id", "store", "amount"))["main_store"]
        listed["store"] = listed["customer_id"].map(stores).astype(object).fillna(profiles.NO_STORE)
    context.paths.write_table(listed, "detractors.parquet")
    return listed, voice.by_band(latest, by_customer)


@in_report_scope
def run(config: WorkbenchConfig | str | Path, run_dir: str | Path) -> ChurnStage:
    """Backtest on rolling time folds, pick the best model, score today and give each customer an action."""
    config = stage_config(config)
    context = StageContext.open(run_dir, config)
    tx = context.transactions()
    history = fitted_to_history(tx, config)
    config, today = history.config, history.today
    settings, horizon = config.churn, config.churn.horizon_days
    folds = churn.rolling_folds(
        today - timedelta(days=horizon),
        settings.folds,
        train_cutoffs=settings.train_cutoffs,
        step_days=settings.cutoff_step_days,
        horizon_days=horizon,
    )
    layout = (f"churn.folds={settings.folds}, train_cutoffs={settings.train_cutoffs}, "
              f"cutoff_step_days={settings.cutoff_step_days} and horizon_days={horizon}")  # fmt: skip
    churn.check_history(folds, history.first, last_date=today, settings=layout)
    surveys = context.paths.read_optional_table("surveys.parquet")
    side = None if surveys is None else (lambda cutoff: satisfaction.survey_features(surveys, cutoff))
    backtest = churn.run_backtest(
        tx,
        folds,
        horizon_days=horizon,
        random_state=config.run.random_state,
        unit=config.clv.time_unit,
        side=side,
        max_train_rows=settings.max_training_rows,
        max_test_customers=settings.test_max_customers,
        baseline_fit_customers=settings.baseline_fit_customers,
        penalizer=config.clv.penalizer,
    )
    summary = backtest.summary()
    chosen = backtest.chosen_model()
    brier = float(cast(float, summary.loc[chosen, "brier"]))
    reliability = churn.reliability(backtest.predictions, chosen)
    context.figure("04_reliability", plots.reliability_diagram(reliability, chosen, brier))
    importance, importance_customers = churn.feature_importance(backtest, chosen, random_state=config.run.random_state)
    context.figure("04_feature_importance", plots.importance(importance))
    last_test = backtest.folds["test_cutoff"].max().date()
    trap = churn.one_time_buyer_trap(backtest.snapshots[last_test], backtest.customers[last_test])
    survey_value = None if side is None else churn.with_and_without(
        backtest, chosen, random_state=config.run.random_state, extra=list(satisfaction.SURVEY_FEATURES))  # fmt: skip

    per_fold_auc = churn.per_fold_auc(backtest)
    skipped_folds = backtest.skipped_folds
    backtest_folds, train_rows, cutoff_customers = backtest.folds, backtest.train_rows, backtest.customers
    auc_error = backtest.auc_sampling_error()
    # today trains on the latest tested cutoffs; every other snapshot and the predictions go before scoring
    released = backtest.release_whole_snapshots(config.run.random_state)
    needed = churn.scoring_cutoffs(
        today, horizon, train_cutoffs=settings.train_cutoffs, step_days=settings.cutoff_step_days
    )
    known = {cutoff: released[cutoff] for cutoff in needed if cutoff in released}
    scorer = str(summary.index[0])
    calibration = choose_calibration(backtest.held_out_of(scorer), config.run.random_state)
    del backtest, released
    context.figure(
        "04_calibration",
        plots.calibration_diagram(
            calibration.held_out,
            scorer,
            method=calibration.label,
            brier=(calibration.brier_before, calibration.brier_after),
        ),
    )
    log.info("scoring every customer as of %s with %s (calibration: %s)", today, scorer, calibration.method)
    contacts = Contacts.of_run(context, settings)
    measured = None if config.campaign.measured_effects is None else read_measured(
        config.campaign.measured_effects, moment_actions=moments.moment_actions(config.life_stage.events))  # fmt: skip
    entries = care_and_growth.care_entries(context, tx, today=today, first=history.first, settings=config.care,
                                           events=config.life_stage.events)  # fmt: skip
    growth = care_and_growth.growth_plan(context, tx, today=today, settings=config.customers)
    candidates = moments.candidates(
        entries, growth, start=today + timedelta(days=1), end=today + timedelta(days=config.care.window_days),
        rates=care_and_growth.moment_rates(config.care, config.life_stage.events),
        send_lead_days=config.care.send_lead_days)  # fmt: skip
    log.info("04: the action list, moments and the contact budget")
    # only the columns the list takes, read once the backtest is done (12 million customers: gigabytes each)
    values = context.paths.read_optional_table("clv.parquet", ["customer_id", "clv", "p_alive"])
    segments = context.paths.read_optional_table("segments.parquet", ["customer_id", *SEGMENT_COLUMNS])
    scored = score_today(
        config,
        tx,
        today=today,
        scorer=scorer,
        values=values,
        segments=segments,
        side=side,
        known=known,
        calibration=calibration,
        contacts=contacts,
        measured=measured,
        moment_candidates=candidates,
    )
    context.paths.write_table(scored, "churn.parquet")
    detractors, bands = _voice_of(context, tx, scored, surveys=surveys, contacts=contacts, today=today,
                                  settings=config.voice)  # fmt: skip
    care_and_growth.write_moments(context, entries, growth=growth, contacts=scored.set_index("customer_id"))
    context.paths.write_table(backtest_folds, "churn_backtest.parquet")
    actions_table = churn.action_summary(scored)
    best_baseline = str(summary[summary["kind"] == "baseline"]["roc_auc"].idxmax())
    found = findings.churn(
        scored,
        summary,
        scorer=scorer,
        best_model=chosen,
        best_baseline=best_baseline,
        actions=actions_table,
        horizon_days=horizon,
        contact_budget=settings.contact_budget,
        surveys=survey_value,
        calibration=calibration,
        settings=settings,
        skipped_folds=skipped_folds,
    )
    stage = ChurnStage(
        today=today,
        horizon_days=horizon,
        folds=folds,
        summary=summary,
        per_fold_auc=per_fold_auc,
        chosen=chosen,
        best_baseline=best_baseline,
        trap=trap,
        reliability=reliability,
        calibration=calibration,
        importance=importance,
        scored=scored,
        scorer=scorer,
        matrix=churn.risk_value_matrix(scored),
        actions=actions_table,
        # 05_next_purchase writes the whole action list, with each customer's offer
        preview=context.shareable(actions.for_people(scored.nsmallest(15, "priority"))),
        contact_budget=settings.contact_budget,
        unreachable_rules=actions.unreachable_rules(settings.action_rules, segment_names(config.segment)),
        surveys=survey_value,
        train_rows=train_rows,
        cutoff_customers=cutoff_customers,
        importance_customers=importance_customers,
        auc_sampling_error=auc_error,
        detractors=detractors,
        detractor_preview=None if detractors is None else context.shareable(detractors.head(10)),
        bands=bands,
        follow_up_days=config.voice.follow_up_days,
        findings=context.write_findings(found),
        figures=context.figures,
    )
    stage.report, stage.checked = churn_page(stage, settings), churn_checked(stage)
    return stage
