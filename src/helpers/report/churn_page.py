"""The 04_churn page: what to do and for whom, how far the score can be trusted, what drives it and how it was
tested, in the report language; and the backtest and list figures nbval checks, as text."""

from __future__ import annotations

from datetime import date
from typing import Protocol

import matplotlib.pyplot as plt
import pandas as pd

from helpers.core.config import ChurnSection
from helpers.language.formatting import count, day, money
from helpers.language.i18n import for_reading, t, term
from helpers.models import actions
from helpers.models.calibration import Calibration
from helpers.models.churn import Fold
from helpers.report import findings
from helpers.report.findings import Findings
from helpers.report.sections import Bullets, Figure, Formats, Prose, Report, Section, Table, number_at

__all__ = ["ChurnResults", "churn_checked", "churn_page"]

_PER_CUSTOMER: Formats = {
    "customers": "{:,}",
    "in_budget": "{:,}",
    "mean_churn_probability": "{:.0%}",
    "value_at_risk": money,
}


class ChurnResults(Protocol):
    """What the page reads of 04's result (helpers.stages.churn.ChurnStage)."""

    horizon_days: int
    folds: list[Fold]
    summary: pd.DataFrame
    per_fold_auc: pd.DataFrame
    chosen: str
    best_baseline: str
    trap: dict
    reliability: pd.DataFrame
    calibration: Calibration
    importance: pd.DataFrame
    scored: pd.DataFrame
    scorer: str
    matrix: pd.DataFrame
    actions: pd.DataFrame
    preview: pd.DataFrame
    unreachable_rules: list[int]
    surveys: pd.DataFrame | None
    train_rows: dict[int, int]
    cutoff_customers: dict[date, int]
    importance_customers: int
    auc_sampling_error: float
    detractors: pd.DataFrame | None
    detractor_preview: pd.DataFrame | None
    bands: pd.DataFrame | None
    follow_up_days: int
    findings: Findings
    figures: dict[str, plt.Figure]

    @property
    def fold_table(self) -> pd.DataFrame: ...


def churn_page(result: ChurnResults, settings: ChurnSection) -> Report:
    """04's page from the stage's result and its settings."""
    return Report((
        Section(t("04 · Churn: who will stop buying, what do we do about it, and how far can we trust the score?"),
                (Prose((t(
                    "A customer has **churned** at a date when they bought before it but make **no purchase in the "
                    "following days** (the horizon set in the config). Every customer gets a churn probability, a "
                    "risk tier, the value at stake and **one action**, decided by one rule table from their churn "
                    "risk, value, segment and lifecycle stage. The list is ordered by what an effective action would "
                    "save, and the contact budget marks who to contact first."),)),), level=1),
        Section(t("What we found"), (Bullets(tuple(result.findings.sentences)),)),
        Section(t("1. What to do, and for whom"), _what_to_do(result, settings)),
        Section(t("2. Can we trust the score?"), _trust(result, settings)),
        Section(t("A known trap: 1 − P(alive)"), _trap(result), level=3),
        Section(t("Does satisfaction predict churn?"), _satisfaction(result.surveys), level=3),
        *_detractors(result),
        Section(t("3. What drives the score"), _drivers(result)),
        Section(t("Appendix: backtest design and checks"), _appendix(result, settings)),
        Section(t("Next"), (Prose((t(
            "`artifacts/churn.parquet`: every customer's features, scores and action; `churn_backtest.parquet`: every "
            "fold and scorer. 05_next_purchase adds each customer's next best offer and writes the action list "
            "(`action_list.xlsx` / `.csv` / `.parquet`, highest priority first). Each column is explained in the data "
            "dictionary (`docs/data_dictionary.md`)."),)),)),
    ))  # fmt: skip


def _what_to_do(result: ChurnResults, settings: ChurnSection) -> tuple[Prose | Table, ...]:
    preview = result.preview.set_index("priority")[
        ["customer_id", "segment", "days_since_last_purchase", "churn_probability", "value_at_risk", "action", "reason"]
    ]
    return (
        Prose((findings.churn_terms(settings, scorer=result.scorer, horizon_days=result.horizon_days,
                                    backtest_churn_rate=number_at(result.summary, result.scorer, "churn_rate"),
                                    method=result.calibration.label),)),
        Table(result.actions, _PER_CUSTOMER),
        Prose((t("Customers and value at risk by value level and risk tier:"),)),
        Table(result.matrix, _PER_CUSTOMER),
        Prose((t("The first customers of the list (ids masked in this report; the files hold the real ids). "
                 "05_next_purchase adds each customer's next best offer and writes the whole list as "
                 "`artifacts/action_list.xlsx` (Excel) and `action_list.csv` (CRM import), one row per customer with "
                 "the reason for the action."),)),
        Table(preview, {"churn_probability": "{:.0%}", "value_at_risk": money, "days_since_last_purchase": "{:,}"}),
    )  # fmt: skip


def _trust(result: ChurnResults, settings: ChurnSection) -> tuple[Prose | Figure | Table, ...]:
    summary = result.summary
    model_auc, baseline_auc = (
        number_at(summary, result.chosen, "roc_auc"),
        number_at(summary, result.best_baseline, "roc_auc"),
    )
    verdict = t("The model adds information, so it scores the list.") if result.scorer == result.chosen else t(
        "The model does not beat it, so **the list is scored with {scorer}** (turned into a probability by a "
        "one-feature logistic regression, which keeps its ranking).", scorer=term(result.scorer))  # fmt: skip
    gap = (result.reliability["observed_rate"] - result.reliability["mean_predicted"]).abs().max()
    return (
        Prose((t("The score is tested the honest way: trained on earlier dates, evaluated on a later one it has never "
                 "seen (a *rolling-origin backtest*), against simple scores a CRM team could use without a model. "
                 "*ROC-AUC* is the chance that a customer who churned is ranked above one who did not (0.5 is a coin "
                 "toss, 1 is perfect). *PR-AUC* measures how pure in churners the top of the ranking is. The *Brier "
                 "score* is the mean squared error of a probability (lower is better; – for scores that are not "
                 "probabilities). *Top-decile lift* is how many times more churners the 10% highest-scored customers "
                 "hold than a random 10%; *capture* is the share of all churners they hold."),)),
        Prose((t("The best model, **{model}**, reaches a mean ROC-AUC of **{model_auc}**; the best simple score, "
                 "*{baseline}*, {baseline_auc}. ", model=term(result.chosen), model_auc=f"{model_auc:.3f}",
                 baseline=term(result.best_baseline), baseline_auc=f"{baseline_auc:.3f}") + verdict,)),
        Table(summary, {"customers": "{:,.0f}", "churn_rate": "{:.0%}", "roc_auc": "{:.3f}", "pr_auc": "{:.3f}",
                        "brier": "{:.3f}", "top_decile_lift": "{:.2f}", "top_decile_capture": "{:.0%}"}),
        Figure(result.figures["04_reliability"]),
        Prose((t("Across the test folds, the {model}'s predicted and observed churn rates differ by at most **{gap}** "
                 "per group of customers with similar scores (Brier score {brier}).", model=term(result.chosen),
                 gap=f"{gap:.0%}", brier=f"{number_at(summary, result.chosen, 'brier'):.3f}"),)),
        Figure(result.figures["04_calibration"]),
        Prose((findings.calibration_sentence(result.calibration, settings),)),
    )  # fmt: skip


def _trap(result: ChurnResults) -> tuple[Prose]:
    trap, auc = result.trap, number_at(result.summary, "BG/NBD 1 - P(alive)", "roc_auc")
    return (Prose((
        t("The BG/NBD model can only conclude that a customer has left *after* a repeat purchase, so it gives every "
          "one-time buyer P(alive) = 1 and ranks them as the *safest* customers, although they are the most likely "
          "never to come back. Its probability of no purchase in the next days does not have this flaw. "),
        t("At the last test date, {buyers} customers ({share}) had bought once. BG/NBD gives them a mean P(alive) of "
          "**{alive}**, yet **{churned}** of them churned (against {overall} overall). Ranking by 1 − P(alive) gives "
          "a ROC-AUC of **{auc}**.", buyers=count(trap["one_time_buyers"]), share=f"{trap['share']:.0%}",
          alive=f"{trap['mean_p_alive']:.2f}", churned=f"{trap['churn_rate']:.0%}",
          overall=f"{trap['overall_churn_rate']:.0%}", auc=f"{auc:.3f}"),
        *((t(" That is worse than a coin toss."),) if auc < 0.5 else ()),
    )),)  # fmt: skip


def _satisfaction(comparison: pd.DataFrame | None) -> tuple[Prose | Table, ...]:
    if comparison is None:
        return (Prose((t(
            "No survey answers were given (`surveys:` in the config). With them, the latest NPS and satisfaction "
            "answered before each cutoff enter the model, and this section compares the ROC-AUC with and without them "
            "on the same folds."),)),)  # fmt: skip
    verdict = (t("the answers add information the purchase history does not hold")
               if comparison["difference"].mean() > 0
               else t("they add nothing the purchase history does not already hold"))  # fmt: skip
    return (
        Prose((t("The model was trained twice on every fold, with and without the survey features (latest NPS and "
                 "satisfaction, detractor and promoter flags, days since the answer, answers given), using only "
                 "answers given on or before each cutoff. Mean ROC-AUC **{with_}** with them, {without} without: "
                 "{verdict}.", with_=f"{comparison['roc_auc_with'].mean():.3f}",
                 without=f"{comparison['roc_auc_without'].mean():.3f}", verdict=verdict),)),
        Table(comparison, {"test_cutoff": day, "roc_auc_with": "{:.3f}", "roc_auc_without": "{:.3f}",
                           "difference": "{:+.3f}"}),
    )  # fmt: skip


def _detractors(result: ChurnResults) -> tuple[Section, ...]:
    if result.bands is None or result.detractors is None or result.detractor_preview is None:
        return ()
    bands = result.bands.rename(index=t)
    listed = result.detractors
    shown = result.detractor_preview.set_index("priority")[
        [c for c in ("customer_id", "survey_date", "nps", "comment", "store", "churn_probability", "value_at_risk",
                     "channel") if c in result.detractor_preview.columns]]  # fmt: skip
    return (Section(t("Detractors to call back"), (
        Prose((t("Churn and value by the latest answer, each mean with its 95% interval: detractors are the customers "
                 "a service call can still turn, and what they are worth says whom to call first."),)),
        Table(bands, {"customers": "{:,}", **{c: "{:.0%}" for c in ("churn_probability", "churn_probability_low",
                                                                      "churn_probability_high")},
                      **{c: money for c in ("clv", "clv_low", "clv_high")}}),
        Prose((t("**{n} detractors answered in the last {days} days and were not contacted since**: each gets a "
                 "service call within three days, highest value at risk first ({value} at risk in all). The list, with "
                 "comment, store and channel, is `artifacts/detractors.parquet`; its first rows (ids masked):",
                 n=count(len(listed)), days=result.follow_up_days, value=money(listed["value_at_risk"].sum())),)),
        Table(shown, {"survey_date": day, "nps": "{:.0f}", "churn_probability": "{:.0%}", "value_at_risk": money}),
    ), level=3),)  # fmt: skip


def _drivers(result: ChurnResults) -> tuple[Prose | Figure, ...]:
    last_test = result.cutoff_customers[result.folds[-1].test_cutoff]
    sampled = (Prose((t(
        "Measured on a seeded random sample of {sample} of the {customers} customers of the last test date: each "
        "input is shuffled five times, each time a prediction for every customer in the sample.",
        sample=count(result.importance_customers), customers=count(last_test)),)),
    ) if last_test > result.importance_customers else ()  # fmt: skip
    importance = result.importance
    top = importance.iloc[0]
    more = (
        t("; channel, category and return behaviour also enter the model.")
        if importance["feature"].str.match(r"n_channels|n_categories|return_rate").any()
        else t("; the data has no channel, category or return information, so only purchase history drives it.")
    )
    return (
        Prose((t("*Permutation importance*: how much the ROC-AUC drops on the last test date when one input's values "
                 "are shuffled among customers. A large drop means the model relies on that input."),)),
        *sampled,
        Figure(result.figures["04_feature_importance"]),
        Prose((t("The score relies most on *{feature}* (ROC-AUC drops by {drop} without it)",
                 feature=term(top["label"]), drop=f"{top['importance']:.3f}") + more,)),
    )  # fmt: skip


def _appendix(result: ChurnResults, settings: ChurnSection) -> tuple[Prose | Table | Bullets, ...]:
    largest, most = max(result.train_rows.values()), max(result.cutoff_customers.values())
    samples = []
    if largest > settings.max_training_rows:
        samples.append(t(
            "Each fold has up to {rows} training rows; the models train on a seeded random sample of {sample} of "
            "them (`churn.max_training_rows`): beyond that, more rows add time and memory, hardly accuracy. Today's "
            "scores use every customer.", rows=count(largest),
            sample=count(settings.max_training_rows)))  # fmt: skip
    if most > settings.test_max_customers:
        samples.append(t(
            "At each test date the scorers are tested on a seeded random sample of {sample} of its customers (up to "
            "{customers}; `churn.test_max_customers`): a ROC-AUC measured on the sample is within ±{error} of the one "
            "on every customer (two standard errors: Hanley and McNeil's, with the finite-population factor).",
            sample=count(settings.test_max_customers), customers=count(most),
            error=f"{2 * result.auc_sampling_error:.4f}"))  # fmt: skip
    if most > settings.baseline_fit_customers:
        samples.append(t(
            "The BTYD baselines are fitted at each cutoff on a seeded random sample of {sample} of up to {customers} "
            "customers (`churn.baseline_fit_customers`), then score every customer: their few parameters are settled "
            "long before that, and a Pareto/NBD fit on every customer takes minutes per cutoff.",
            sample=count(settings.baseline_fit_customers), customers=count(most)))  # fmt: skip
    reached = (t("Rules {rules} are never reached: earlier rules catch every case.",
                 rules=", ".join(map(str, result.unreachable_rules)))
               if result.unreachable_rules else t("Every rule can be reached."))  # fmt: skip
    return (
        Prose((t("Every training label window ends on or before its fold's test date, so no model ever sees the "
                 "period it is evaluated on; features use only transactions up to their date."),)),
        Table(result.fold_table),
        Prose((t("ROC-AUC per fold and scorer; the mean is the one the scorers are compared on above:"),)),
        Table(result.per_fold_auc, {column: "{:.3f}" for column in result.per_fold_auc.columns}),
        *(Prose((sentence,)) for sentence in samples),
        Prose((t("**Action rules** (`churn.action_rules`); the first that matches a customer gives their action. ")
               + reached,)),
        Bullets(tuple(actions.describe_rules(settings.action_rules))),
    )  # fmt: skip


def churn_checked(result: ChurnResults) -> str:
    """ROC-AUC per fold and scorer, customers per risk tier, the budget, the scorer and that every customer has one
    action: what nbval compares."""
    scored = result.scored
    tiers = scored["risk_tier"].value_counts().reindex(["high", "medium", "low"]).fillna(0).astype(int)
    one_action = bool(scored["action"].notna().all() and scored["customer_id"].is_unique)
    return "\n".join([
        t("ROC-AUC per fold (test dates: {dates})", dates=", ".join(str(f.test_cutoff) for f in result.folds)),
        for_reading(result.per_fold_auc.round(3)).to_string(),
        for_reading(tiers.rename_axis("risk_tier").to_frame("customers").map("{:,}".format)).to_string(),
        t("customers {customers}; in budget {budget}; scored by {scorer}", customers=f"{len(scored):,}",
          budget=f"{int(scored['in_budget'].sum()):,}", scorer=term(result.scorer)),
        t("one action per customer: {ok}", ok=term(one_action)),
    ])  # fmt: skip
