"""Stage 04: backtest churn scores against baselines, score every customer, cross risk with value.

Writes churn.parquet, action_list.csv and churn_backtest.parquet.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

from helpers import churn as churn_model
from helpers import plots
from helpers.config import WorkbenchConfig
from helpers.features import first_transaction_date
from helpers.schemas import ACTION_LIST, CHURN
from helpers.stages.context import StageContext, analysis_date, log, stage_config


@dataclass
class ChurnStage:
    """What 04_churn shows."""

    today: date
    horizon_days: int
    folds: list[churn_model.Fold]
    summary: pd.DataFrame  # mean metrics per scorer, best ROC-AUC first
    per_fold_auc: pd.DataFrame
    chosen: str
    best_baseline: str
    trap: dict
    reliability: pd.DataFrame
    importance: pd.DataFrame
    scored: pd.DataFrame  # churn.parquet
    matrix: pd.DataFrame
    action_list: pd.DataFrame
    figures: dict[str, plt.Figure]

    @property
    def fold_table(self) -> pd.DataFrame:
        """When each fold trains and tests, in words."""
        horizon = timedelta(days=self.horizon_days)
        rows = [{"fold": i + 1, "trained on cutoffs": ", ".join(map(str, f.train_cutoffs)),
                 "tested at cutoff": f.test_cutoff, "test labels: purchases until": f.test_cutoff + horizon}
                for i, f in enumerate(self.folds)]  # fmt: skip
        return pd.DataFrame(rows).set_index("fold")

    @property
    def model_beats_baselines(self) -> bool:
        return self.summary.loc[self.chosen, "roc_auc"] >= self.summary.loc[self.best_baseline, "roc_auc"]


def score_today(
    config: WorkbenchConfig, tx, today: date, chosen: str, values: pd.DataFrame | None, segments: pd.DataFrame | None
) -> pd.DataFrame:
    """Every customer's churn probability, value (CLV when given), risk tier, segment and action as of `today`."""
    settings = config.churn
    scored = churn_model.score_customers(tx, today, settings.horizon_days, settings.train_cutoffs,
                                         settings.cutoff_step_days, chosen, config.run.random_state,
                                         config.clv.time_unit)  # fmt: skip
    scored = churn_model.attach_value(scored, values, settings.high_value_share)
    scored["scored_by"] = chosen
    scored["risk_tier"] = churn_model.risk_tiers(scored["churn_probability"], settings.high_risk, settings.medium_risk)
    scored["action"] = [churn_model.cell_action(settings.actions, v, r)
                        for v, r in zip(scored["value_level"], scored["risk_tier"], strict=True)]  # fmt: skip
    scored["segment"] = (
        "(02_segment not run)"
        if segments is None
        else segments.set_index("customer_id")["segment"].reindex(scored.index)
    )
    columns = [c.name for c in CHURN.columns if c.name in scored.reset_index().columns]
    return scored.reset_index()[columns].sort_values("customer_id").reset_index(drop=True)


def run(config: WorkbenchConfig | str | Path, run_dir: str | Path) -> ChurnStage:
    """Backtest on rolling time folds, pick the best model, score today and build the action list."""
    config = stage_config(config)
    settings, horizon = config.churn, config.churn.horizon_days
    context = StageContext.open(run_dir, config.backend.model_dump())
    tx = context.transactions()
    values, segments = (context.paths.read_optional_table(n) for n in ("clv.parquet", "segments.parquet"))
    today = analysis_date(tx, config.dates)
    folds = churn_model.rolling_folds(today - timedelta(days=horizon), settings.folds, settings.train_cutoffs,
                                      settings.cutoff_step_days, horizon)  # fmt: skip
    layout = (f"churn.folds={settings.folds}, train_cutoffs={settings.train_cutoffs}, "
              f"cutoff_step_days={settings.cutoff_step_days} and horizon_days={horizon}")  # fmt: skip
    churn_model.check_history(folds, first_transaction_date(tx), today, layout)
    backtest = churn_model.run_backtest(tx, folds, horizon, config.run.random_state, config.clv.time_unit)
    summary = backtest.summary()
    chosen = backtest.chosen_model()
    brier = summary.loc[chosen, "brier"]
    reliability = churn_model.reliability(backtest.predictions, chosen)
    context.figure("04_reliability", plots.reliability_diagram(reliability, chosen, brier))
    importance = churn_model.feature_importance(backtest, chosen, config.run.random_state)
    context.figure("04_feature_importance", plots.importance(importance))

    log.info("scoring every customer as of %s with %s", today, chosen)
    scored = score_today(config, tx, today, chosen, values, segments)
    action_list = scored[[c.name for c in ACTION_LIST.columns]].sort_values(
        ["value_at_risk", "customer_id"], ascending=[False, True]
    )
    context.paths.write_table(action_list.reset_index(drop=True), "action_list.csv")
    context.paths.write_table(scored, "churn.parquet")
    context.paths.write_table(backtest.folds, "churn_backtest.parquet")
    return ChurnStage(
        today=today,
        horizon_days=horizon,
        folds=folds,
        summary=summary,
        per_fold_auc=churn_model.per_fold_auc(backtest),
        chosen=chosen,
        best_baseline=str(summary[summary["kind"] == "baseline"]["roc_auc"].idxmax()),
        trap=churn_model.one_time_buyer_trap(backtest.snapshots[folds[-1].test_cutoff]),
        reliability=reliability,
        importance=importance,
        scored=scored,
        matrix=churn_model.action_matrix(scored, settings.actions),
        action_list=action_list.reset_index(drop=True),
        figures=context.figures,
    )
