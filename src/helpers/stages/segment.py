"""Stage 02: RFM scores and segments, value tiers, spend levels, lifecycle, clusters, cohorts, migration.

Writes segments.parquet (and segments.csv for a CRM import) and segment_thresholds.json,
whose cut points let a later run score its customers on the same boundaries; and alerts.parquet
(.csv, .xlsx), the abnormal behaviour found in the log. With a member table or surveys, the report
also says who the customers are and what they think of the store.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

from helpers.core.config import WorkbenchConfig
from helpers.core.errors import InsufficientDataError
from helpers.data.features import fetch_customer_summary, monthly_cohorts, spend_mix
from helpers.data.schemas import SEGMENTS
from helpers.language.i18n import t
from helpers.models import life_stage, segment
from helpers.models.profiles import Profile
from helpers.models.segment import Migration
from helpers.report import findings, plots
from helpers.report.findings import Findings
from helpers.report.sections import Report
from helpers.report.segment_page import segment_checked, segment_page
from helpers.stages.context import (
    StageContext,
    earlier_run,
    family_births,
    fitted_to_history,
    in_report_scope,
    log,
    stage_config,
)
from helpers.stages.profile import alert_list, who_they_are

__all__ = ["SCORES", "Boundaries", "SegmentStage", "run", "score"]

SCORES = ["r_score", "f_score", "m_score"]


@dataclass
class SegmentStage:
    """What 02_segment shows."""

    today: date
    customers: pd.DataFrame  # segments.parquet
    scheme: str  # rfm11 or cn8
    cuts: pd.DataFrame
    score_counts: pd.DataFrame  # customers per score on each axis
    rules: pd.DataFrame
    rule_problems: list[str]
    segments: pd.DataFrame
    tiers: pd.DataFrame
    tier_thresholds: dict
    levels: pd.DataFrame
    lifecycle: pd.DataFrame
    clusters: pd.DataFrame
    silhouettes: pd.DataFrame
    retention: pd.DataFrame
    revenue_retention: pd.DataFrame
    small_cohorts: int  # cohorts left out of both for having fewer than segment.min_cohort_customers
    concentration: dict
    mix_columns: list[str]
    migration: Migration | None
    profile: Profile
    findings: Findings
    figures: dict[str, plt.Figure]
    report: Report = field(init=False)  # the page, section by section
    checked: str = field(init=False)  # the counts as text: what nbval compares


@dataclass
class Boundaries:
    """What a segment is decided by: the score cut points, the rules (rfm11) or the centres (cn8)."""

    cuts: dict[str, list[float]]
    rules: list[dict]
    centers: dict[str, float] | None  # the cn8 scheme's split points


def score(customers: pd.DataFrame, config: WorkbenchConfig) -> tuple[pd.DataFrame, Boundaries, dict]:
    """RFM scores, segment, value tier, spend level and lifecycle of every customer.

    Returns (customers with those columns, the segment boundaries, value-tier thresholds)."""
    settings = config.segment
    cuts = segment.rfm_cuts(customers, settings.thresholds.model_dump() if settings.thresholds else None)
    customers = customers.join(segment.rfm_scores(customers, cuts))
    if settings.scheme == "cn8":
        centers = segment.cn8_centers(customers, settings.cn8_center)
        boundaries = Boundaries(cuts, [], centers)
        customers["segment"] = segment.cn8_segments(customers, centers)
    else:
        boundaries = Boundaries(cuts, [rule.model_dump() for rule in settings.rules], None)
        customers["segment"] = segment.assign_segments(customers, boundaries.rules)
    customers["value_tier"], tier_thresholds = segment.value_tiers(
        customers,
        settings.vip_min_spend_quantile,
        vip_min_purchases=settings.vip_min_purchases,
        high_potential_spend_quantile=settings.high_potential_min_spend_quantile,
    )
    customers["spend_level"] = segment.spend_levels(customers["total_spend"], settings.spend_levels)
    stages = segment.lifecycle_stages(
        customers,
        settings.lifecycle_new_days,
        at_risk_factor=settings.lifecycle_at_risk_factor,
        lapsed_factor=settings.lifecycle_lapsed_factor,
    )
    return customers.join(stages), boundaries, tier_thresholds


def _migration(context: StageContext, customers: pd.DataFrame, *, boundaries: Boundaries, compare_with: str | None):
    previous_dir = earlier_run(context.paths.root, compare_with)
    if previous_dir is None:
        return None
    before = pd.read_parquet(
        previous_dir / "artifacts" / "segments.parquet", columns=["customer_id", "segment", *SCORES]
    )
    earlier = json.loads((previous_dir / "artifacts" / "segment_thresholds.json").read_text(encoding="utf-8"))
    centers = None if boundaries.centers is None else earlier.get("cn8_centers") or boundaries.centers
    then = before.assign(rfm_sum=before[SCORES].sum(axis=1))[["customer_id", "segment", "rfm_sum"]]
    now = segment.migration_snapshot(customers, earlier["cuts"], rules=boundaries.rules, centers=centers)
    matrix, moves = segment.migration(then, now)
    title = t("Customers by segment: run {run} (rows) to now (columns)", run=previous_dir.name)
    context.figure("02_migration", plots.heatmap(matrix, title, xlabel=t("now"), ylabel=t("before")))
    return Migration(previous_dir.name, matrix, moves)


def _cohorts(
    context: StageContext, today: date, *, months: int, min_size: int
) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    cohorts = monthly_cohorts(context.transactions(), today)
    retention = segment.cohort_matrix(cohorts, "customers", min_size).iloc[:, :months]
    revenue = segment.cohort_matrix(cohorts, "revenue", min_size).iloc[:, :months]
    y_label = t("cohort (month of first purchase)")
    context.figure(
        "02_cohort_retention",
        plots.heatmap(
            retention,
            t("Share of each monthly cohort buying again, by month since first purchase"),
            xlabel=t("months since first purchase"),
            ylabel=y_label,
            percent=True,
        ),
    )
    context.figure(
        "02_revenue_retention",
        plots.heatmap(
            revenue,
            t("Revenue of each cohort relative to its first month"),
            xlabel=t("months since first purchase"),
            ylabel=y_label,
            percent=True,
        ),
    )
    return retention, revenue, segment.small_cohorts(cohorts, min_size)


@in_report_scope
def run(config: WorkbenchConfig | str | Path, run_dir: str | Path) -> SegmentStage:
    """Score, segment, tier, cluster and profile every customer as of the analysis date."""
    config = stage_config(config)
    context = StageContext.open(run_dir, config)
    transactions = context.transactions()
    history = fitted_to_history(transactions, config)
    config, today, settings = history.config, history.today, history.config.segment
    log.info("02: alerts")
    alerts = alert_list(context, config)
    customers = fetch_customer_summary(transactions, today)
    if settings.scoring == "quantile" and len(customers) < settings.min_customers:
        raise InsufficientDataError(t(
            "02_segment scores customers against each other and needs at least {needed} customers "
            "(segment.min_customers); this data has {found}. Set segment.scoring: thresholds to score a handful of "
            "customers on fixed cut points", needed=settings.min_customers, found=len(customers)))  # fmt: skip
    log.info("segmenting %s customers as of %s", f"{len(customers):,}", today)
    customers, boundaries, tier_thresholds = score(customers, config)
    coverage = segment.rule_coverage(boundaries.rules) if boundaries.centers is None else None

    segments = segment.segment_table(customers)
    context.figure("02_segment_sizes", plots.segment_sizes(segments))
    spend, labels = segment.heatmap_r_by_f(customers)
    context.figure(
        "02_rf_heatmap",
        plots.heatmap(
            spend,
            t("Mean spend (and customers) by recency and frequency score"),
            xlabel=t("frequency score (5 = most purchases)"),
            ylabel=t("recency score (5 = most recent)"),
            labels=labels,
        ),
    )

    log.info("02: clusters")
    clusters, silhouettes = segment.choose_clusters(
        customers,
        tuple(settings.clusters_k_range),
        random_state=config.run.random_state,
        fit_sample=settings.cluster_fit_sample,
    )
    profiles = segment.cluster_profiles(customers, clusters)
    customers["cluster"] = clusters
    customers["cluster_name"] = clusters.map(profiles["name"])
    if len(silhouettes):
        context.figure("02_silhouette", plots.silhouette(silhouettes, len(profiles)))
    context.figure("02_clusters", plots.cluster_scatter(customers, clusters, names=profiles["name"]))

    retention, revenue_retention, small_cohorts = _cohorts(context, today, months=settings.cohort_months,
                                                           min_size=settings.min_cohort_customers)  # fmt: skip
    curve = segment.revenue_concentration(customers["total_spend"])
    context.figure("02_revenue_concentration", plots.pareto_curve(curve))
    mix_columns = [c for c in ("channel", "category") if c in transactions.columns]
    for column in mix_columns:
        mix = spend_mix(transactions, customers, group_column="segment", column=column, as_of=today)
        title = t("Share of each segment's spend by {column}", column=t(column))
        context.figure(
            f"02_{column}_mix", plots.heatmap(mix, title, xlabel=t(column), ylabel=t("segment"), percent=True)
        )
    migration = _migration(context, customers, boundaries=boundaries, compare_with=settings.compare_with)

    if config.life_stage.stage_categories and "category" in transactions.columns:
        births = family_births(context, transactions, config.life_stage)
        by_customer = customers["customer_id"]
        customers["life_stage"] = by_customer.map(life_stage.life_stages(births, today)).astype("string")
        customers["life_stage_basis"] = by_customer.map(births["basis"]).astype("string")
    columns = [c.name for c in SEGMENTS.columns if c.name in customers.columns]
    output = customers[columns]  # shares the columns' memory until one is changed (12 million customers: gigabytes)
    if not output["customer_id"].is_monotonic_increasing:  # the summary comes in customer order
        output = output.sort_values("customer_id").reset_index(drop=True)
    context.paths.write_table(output, "segments.parquet")
    context.paths.write_table(output, "segments.csv")
    context.paths.write_json({"analysis_date": str(today), "scheme": settings.scheme, "cuts": boundaries.cuts,
                              "value_tiers": tier_thresholds, "rules": boundaries.rules, "coverage": coverage,
                              "cn8_centers": boundaries.centers}, "segment_thresholds.json")  # fmt: skip
    level_order = sorted(settings.spend_levels, key=settings.spend_levels.__getitem__)
    tiers = segment.group_revenue(customers, "value_tier")
    concentration = segment.concentration_facts(
        curve, settings.concentration_revenue_share, settings.concentration_top_customers
    )
    log.info("02: who the customers are (member table, surveys, comments)")
    profile = who_they_are(context, config, segments=customers, today=today, alerts=alerts)
    found = findings.segment(
        output,
        segments,
        tiers=tiers,
        concentration=concentration,
        revenue_share=settings.concentration_revenue_share,
        moves=None if migration is None else migration.moves,
        profile=profile,
    )
    stage = SegmentStage(
        today=today,
        customers=output,
        scheme=settings.scheme,
        cuts=pd.DataFrame(boundaries.cuts, index=["cut 1", "cut 2", "cut 3", "cut 4"]),
        score_counts=segment.score_counts(customers),
        rules=(
            segment.cn8_rules(boundaries.centers or {}, customers)
            if coverage is None
            else pd.DataFrame(boundaries.rules).assign(cells=lambda t: t["segment"].map(coverage["cells_per_segment"]))
        ),
        rule_problems=[] if coverage is None else segment.coverage_problems(coverage),
        segments=segments,
        tiers=tiers,
        tier_thresholds=tier_thresholds,
        levels=segment.group_revenue(customers, "spend_level", level_order),
        lifecycle=segment.lifecycle_table(customers),
        clusters=profiles,
        silhouettes=silhouettes,
        retention=retention,
        revenue_retention=revenue_retention,
        small_cohorts=small_cohorts,
        concentration=concentration,
        mix_columns=mix_columns,
        migration=migration,
        profile=profile,
        findings=context.write_findings(found),
        figures=context.figures,
    )
    stage.report, stage.checked = segment_page(stage, settings, alerts=config.alerts), segment_checked(stage)
    return stage
