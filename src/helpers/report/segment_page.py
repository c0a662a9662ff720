"""The 02_segment page: segments, value tiers and spend levels, lifecycle, clusters, cohorts, concentration, mix,
migration, who the customers are, what they say and who behaves abnormally, in the report language; and the counts
nbval checks, as text."""

from __future__ import annotations

from datetime import date
from typing import Protocol

import matplotlib.pyplot as plt
import pandas as pd

from helpers.core.config import AlertsSection, SegmentSection
from helpers.language.formatting import count, money
from helpers.language.i18n import for_reading, t, term
from helpers.models.alerts import AlertResult
from helpers.models.profiles import Nps, Points, Profile
from helpers.models.segment import Migration
from helpers.report.findings import Findings
from helpers.report.sections import Bullets, Figure, Formats, Part, Prose, Report, Section, Table, number_at

__all__ = ["SegmentResults", "segment_checked", "segment_page"]

_REVENUE: Formats = {"customers": "{:,}", "revenue": money, "share_of_revenue": "{:.1%}"}
_DIMENSION: Formats = {"customers": "{:,}", "share_of_customers": "{:.1%}", "share_of_revenue": "{:.1%}",
                       "mean_spend": money, "share_VIP": "{:.1%}", "share_high potential": "{:.1%}",
                       "share_regular": "{:.1%}", "vip_index": "{:.2f}", "share_top_segment": "{:.0%}"}  # fmt: skip
_NPS = {"responses": "{:,}", "promoters": "{:.0%}", "passives": "{:.0%}", "detractors": "{:.0%}", "nps": "{:+.0f}",
        "nps_low": "{:+.0f}", "nps_high": "{:+.0f}", "mean_satisfaction": "{:.2f}"}  # fmt: skip
_RETENTION_SEGMENTS = ("At Risk", "Can't Lose Them", "Important retention", "Important win-back")


class SegmentResults(Protocol):
    """What the page reads of 02's result (helpers.stages.segment.SegmentStage)."""

    today: date
    customers: pd.DataFrame
    scheme: str
    cuts: pd.DataFrame
    score_counts: pd.DataFrame
    rules: pd.DataFrame
    rule_problems: list[str]
    segments: pd.DataFrame
    tiers: pd.DataFrame
    tier_thresholds: dict
    levels: pd.DataFrame
    lifecycle: pd.DataFrame
    clusters: pd.DataFrame
    retention: pd.DataFrame
    revenue_retention: pd.DataFrame
    small_cohorts: int
    concentration: dict
    mix_columns: list[str]
    migration: Migration | None
    profile: Profile
    findings: Findings
    figures: dict[str, plt.Figure]


def segment_page(result: SegmentResults, settings: SegmentSection, *, alerts: AlertsSection) -> Report:
    """02's page from the stage's result, its settings and the alert settings."""
    figures, profile = result.figures, result.profile
    return Report((
        Section(t("02 · Segments: who are our customers?"), (Prose((t(
            "Every customer gets, as of the analysis date, a **named segment** from how recently, how often and how "
            "much they bought; a **value tier** (VIP / high potential / regular) and a **spend level**; a **lifecycle "
            "stage** (new → active → at risk → lapsed) judged against their own buying rhythm; and a **behavioural "
            "cluster**. Then cohort retention, revenue concentration, the channel and category mix, who moved between "
            "segments since the last run, who the customers are (with a member table), what they say (with survey "
            "answers) and who behaves abnormally."),)),), level=1),
        Section(t("What we found"), (Bullets((
            t("Analysis date {date}: {customers} customers with at least one purchase.", date=result.today,
              customers=count(len(result.customers))),
            *result.findings.sentences)),)),
        Section(t("1. Segments"), _segments(result)),
        Section(t("2. Value tiers and spend levels"), _tiers(result)),
        Section(t("3. Lifecycle stages"), _lifecycle(result, settings)),
        Section(t("4. Behavioural clusters"), (
            Prose((t("Segments follow fixed rules; clusters are groups the data forms by itself (k-means on recency, "
                     "frequency and spend). Each cluster is named by how its median customer compares with the median "
                     "of all customers."),)),
            Figure(figures["02_clusters"]),
            Table(result.clusters, {"customers": "{:,}", "median_recency_days": "{:,.0f}",
                                    "median_purchases": "{:,.0f}", "median_spend": money,
                                    "share_of_revenue": "{:.1%}"}),
        )),
        Section(t("5. Cohort retention"), _cohorts(result, settings)),
        Section(t("6. Revenue concentration"), (
            Figure(figures["02_revenue_concentration"]),
            Prose((t("**{customers} of customers bring {share} of revenue**; the best {top} bring {revenue}.",
                     customers=f"{result.concentration['customers_for_revenue_share']:.0%}",
                     share=f"{settings.concentration_revenue_share:.0%}",
                     top=f"{settings.concentration_top_customers:.0%}",
                     revenue=f"{result.concentration['revenue_of_top_customers']:.0%}"),)),
        )),
        Section(t("7. Channel and category mix per segment"), tuple(
            Figure(figures[f"02_{column}_mix"]) for column in result.mix_columns) or (Prose((t(
                "The data has no channel or category column (map them in the config's `columns:` section)."),)),)),
        Section(t("8. Who moved since the last run?"), _migration(result.migration, figures)),
        Section(t("9. Who they are"), _who_they_are(result)),
        *_dimensions(profile),
        *_reachability(profile.reachability),
        *_points(profile.points),
        *_baby(profile, figures),
        Section(t("10. What they say: NPS and satisfaction"), _nps(profile.nps, figures)),
        *_nps_tables(profile.nps),
        *_comments(profile.nps),
        Section(t("11. Abnormal behaviour"), _alerts(profile, alerts)),
        Section(t("Appendix: how scores and segments are given, checked"), _appendix(result, settings)),
        Section(t("Next"), (Prose((t(
            "`artifacts/segments.parquet` (and `segments.csv`) hold every customer's scores, segment, tier, level, "
            "lifecycle stage and cluster; `segment_thresholds.json` the score boundaries. Every column is described "
            "in the data dictionary (`docs/data_dictionary.md`)."),)),)),
    ))  # fmt: skip


def _segments(result: SegmentResults) -> tuple[Part, ...]:
    table = result.segments
    largest = str(table["customers"].idxmax())

    def cell(row: str, column: str) -> float:
        return number_at(table, row, column)

    return (
        Prose((t("Each customer is placed by **R**ecency (days since the last purchase), **F**requency (number of "
                 "purchases) and **M**onetary value (total spend); the rules in the appendix turn these into a "
                 "segment name. What to do with each customer is decided once, in `04_churn`, from their segment, "
                 "value and churn risk together, so a customer never receives two different actions."),)),
        Figure(result.figures["02_segment_sizes"]),
        Prose((
            t("The largest group is **{segment}**: {customers} of customers, {revenue} of revenue.",
              segment=term(largest), customers=f"{cell(largest, 'share_of_customers'):.0%}",
              revenue=f"{cell(largest, 'share_of_revenue'):.0%}"),
            *(t("**{segment}**: {customers} customers who used to buy often and have not bought for {days} days on "
                "average; {revenue} of revenue.", segment=term(name), customers=count(cell(name, "customers")),
                days=f"{cell(name, 'mean_recency_days'):,.0f}",
                revenue=f"{cell(name, 'share_of_revenue'):.0%}")
              for name in _RETENTION_SEGMENTS if name in table.index),
        )),
        Table(table, {"customers": "{:,}", "share_of_customers": "{:.1%}", "share_of_revenue": "{:.1%}",
                      "mean_recency_days": "{:,.0f}", "mean_purchases": "{:.1f}", "mean_spend": money}),
        Figure(result.figures["02_rf_heatmap"]),
        Prose((t("Each cell is the mean spend of the customers with that recency and frequency score; the number "
                 "below it is how many customers the cell holds. Cells without customers are blank."),)),
    )  # fmt: skip


def _tiers(result: SegmentResults) -> tuple[Part, ...]:
    tiers, thresholds = result.tiers, result.tier_thresholds
    if "VIP" in tiers.index:
        vip = {column: number_at(tiers, "VIP", column) for column in ("customers", "share_of_revenue")}
        said = t("VIPs spend at least {spend} over at least {purchases} purchases: **{vips} customers ({share}) bring "
                 "{revenue} of revenue**. High potential customers spend at least {potential} or have made at least "
                 "{purchases} purchases, but are not VIPs (yet).", spend=money(thresholds["vip_min_spend"]),
                 purchases=thresholds["vip_min_purchases"], vips=count(vip["customers"]),
                 share=f"{vip['customers'] / len(result.customers):.1%}", revenue=f"{vip['share_of_revenue']:.0%}",
                 potential=money(thresholds["high_potential_min_spend"]))  # fmt: skip
    else:
        said = t("VIPs spend at least {spend} over at least {purchases} purchases; nobody qualifies yet.",
                 spend=money(thresholds["vip_min_spend"]), purchases=thresholds["vip_min_purchases"])  # fmt: skip
    cards = result.profile.cards
    by_card = () if cards is None else (
        Prose((t("The store's member cards, as the member table gives them (`card_level`), against the spend level "
                 "(customers):"),)),
        Table(cards, {column: "{:,}" for column in cards.columns}),
    )  # fmt: skip
    return (
        Prose((said,)),
        Table(tiers, _REVENUE),
        Prose((t("Spend levels by cumulative spend (thresholds in `segment.spend_levels`; not the store's member "
                 "card):"),)),
        Table(result.levels, _REVENUE),
        *by_card,
    )  # fmt: skip


def _lifecycle(result: SegmentResults, settings: SegmentSection) -> tuple[Part, ...]:
    customers = result.customers
    own = (customers["rhythm"] == "own").mean()
    population_gap = customers.loc[customers["rhythm"] == "population", "typical_gap_days"].median()
    return (
        Prose((t("A customer is **new** when their first purchase is at most {new_days} days old. Otherwise the days "
                 "since their last purchase are compared with their *typical gap* between purchases: **active** up "
                 "to {at_risk}× the gap, **at risk** up to {lapsed}× the gap, **lapsed** beyond. {own} of customers "
                 "(those with three or more purchases) are judged against their own median gap; the others against "
                 "the typical gap of all repeat buyers, {gap} days.", new_days=settings.lifecycle_new_days,
                 at_risk=f"{settings.lifecycle_at_risk_factor:g}", lapsed=f"{settings.lifecycle_lapsed_factor:g}",
                 own=f"{own:.0%}", gap=f"{population_gap:,.0f}"),)),
        Table(result.lifecycle.rename(columns={"typical_gap_days": "median typical gap (days)"}),
              {"customers": "{:,.0f}", "revenue": money, "median typical gap (days)": "{:,.0f}"}),
    )  # fmt: skip


def _cohorts(result: SegmentResults, settings: SegmentSection) -> tuple[Part, ...]:
    retention, revenue_retention = result.retention, result.revenue_retention
    shown = (Figure(result.figures["02_cohort_retention"]), Figure(result.figures["02_revenue_retention"]))
    if 3 not in retention.columns or not retention[3].notna().any():
        return shown
    left_out = (
        t(
            " {cohorts} cohorts with fewer than {minimum} customers are left out (too few to read a rate).",
            cohorts=result.small_cohorts,
            minimum=settings.min_cohort_customers,
        )
        if result.small_cohorts
        else ""
    )
    return (*shown, Prose((t(
        "On average **{customers}** of a cohort buys again in the third month after its first purchase; revenue in "
        "that month is {revenue} of the first month's.", customers=f"{retention[3].mean():.0%}",
        revenue=f"{revenue_retention[3].mean():.0%}") + left_out,)))  # fmt: skip


def _migration(moved: Migration | None, figures: dict[str, plt.Figure]) -> tuple[Part, ...]:
    if moved is None:
        return (Prose((t("No earlier run to compare with (set `segment.compare_with` to a run id or `latest`)."),)),)
    moves = moved.moves
    return (
        Figure(figures["02_migration"]),
        Prose((t("Scored with run {run}'s boundaries: **{up} customers moved up**, **{down} moved down**, {changed} "
                 "changed segment, {new} are new and {gone} are no longer in the data.", run=moved.previous_run,
                 up=count(moves["upgraded"]), down=count(moves["downgraded"]), changed=count(moves["changed_segment"]),
                 new=count(moves["new"]), gone=count(moves["gone"])),)),
    )  # fmt: skip


def _who_they_are(result: SegmentResults) -> tuple[Part, ...]:
    profile = result.profile
    if profile.coverage is None:
        covered = t(
            "No member table was given (`customers:` in the config). With one, this section breaks segments and value "
            "tiers down by region, age and gender, counts who agreed to be contacted, values the points customers "
            "hold and, for mother-and-baby stores, says which stage each baby is in. Below: what the log alone tells, "
            "by tenure, main store and main channel.")  # fmt: skip
    else:
        covered = t("The member table holds {share} of the customers in the log ({missing} are not in it and show as "
                    "*unknown* below).",
                    share=f"{profile.coverage['log_customers_in_table'] / len(result.customers):.0%}",
                    missing=count(profile.coverage["log_customers_not_in_table"]))  # fmt: skip
    over_represented = tuple(Prose((t(
        "VIPs are over-represented by {dimension} in: {places}.", dimension=t(dimension.replace("_", " ")),
        places=", ".join(f"**{term(name)}** ({row['vip_index']:.1f}×)" for name, row in places.head(5).iterrows())),))
        for dimension, places in profile.concentration.items() if len(places))  # fmt: skip
    figures = tuple(Figure(result.figures[name]) for name in
                    ("02_segments_by_region", "02_segments_by_age_band", "02_spend_levels_by_region")
                    if name in result.figures)  # fmt: skip
    return (
        Prose((covered,)),
        *over_represented,
        *figures,
        Prose((t("Per group: customers, their shares of customers and revenue, mean spend, the share in each value "
                 "tier, the *VIP index* (the group's VIP share over the overall VIP share: above 1, VIPs are "
                 "over-represented) and the largest segment."),)),
    )  # fmt: skip


def _dimensions(profile: Profile) -> tuple[Section, ...]:
    return tuple(Section(t(dimension.replace("_", " ")), (Table(table.drop(columns="revenue").head(15), _DIMENSION),),
                         level=3) for dimension, table in profile.dimensions.items())  # fmt: skip


def _reachability(reach: pd.DataFrame | None) -> tuple[Section, ...]:
    if reach is None:
        return ()
    counts = {column: "{:,}" for column in reach.columns if column != "share_reachable"}
    return (Section(t("Who can be contacted"), (
        Prose((t("**{reachable} customers ({share}) agreed to at least one contact channel**; the campaign plan "
                 "(`06_campaign`) counts only them.", reachable=count(reach["reachable"].sum()),
                 share=f"{reach['reachable'].sum() / reach['customers'].sum():.0%}"),)),
        Table(reach, counts | {"share_reachable": "{:.0%}"}),
    ), level=3),)  # fmt: skip


def _points(points: Points | None) -> tuple[Section, ...]:
    if points is None:
        return ()
    facts = points.facts
    return (Section(t("Points"), (
        Prose((t("Customers hold **{points} points**, a liability of **{liability}** at {value} a point "
                 "(`customers.point_value`). **{holders} customers at risk or lapsed hold large balances** (at least "
                 "{large} points, the top quarter of balances): {at_risk} of points, a reason to remind them before "
                 "they leave.", points=count(facts["points_outstanding"]), liability=money(facts["liability"]),
                 value=money(facts["point_value"]), holders=count(facts["at_risk_holders"]),
                 large=count(facts["large_balance"]), at_risk=money(facts["at_risk_liability"])),)),
        Table(points.by_tier, {"customers": "{:,}", "points": "{:,.0f}", "median_balance": "{:,.0f}",
                               "liability": money}),
        Table(points.preview.set_index("customer_id"), {"points": "{:,.0f}", "liability": money}),
    ), level=3),)  # fmt: skip


def _baby(profile: Profile, figures: dict[str, plt.Figure]) -> tuple[Section, ...]:
    baby = profile.baby
    if baby is None:
        return ()
    return (Section(t("Baby stages"), (
        Prose((t("Each family's stage today, from the baby's birth date ({source}), and what each stage buys (the "
                 "stage taken at each purchase):", source=t(baby.source)),)),
        Table(baby.table, {"customers": "{:,}", "revenue": money, "share_of_revenue": "{:.1%}"}),
        Figure(figures["02_baby_stage_categories"]),
    ), level=3),)  # fmt: skip


def _nps(nps: Nps | None, figures: dict[str, plt.Figure]) -> tuple[Part, ...]:
    if nps is None:
        return (Prose((t(
            "No survey answers were given (`surveys:` in the config). With them, this section shows the NPS and "
            "satisfaction per segment, tier, channel and store with their intervals, the monthly trend, and who "
            "answers; `04_churn` tests whether the answers predict churn."),)),)  # fmt: skip
    if not nps.has_nps:
        return ()
    overall = nps.overall
    return (
        Prose((t("**NPS {nps}** (95% interval {low} to {high}) from the latest answer of {n} customers: {promoters} "
                 "promoters (9-10), {detractors} detractors (0-6). Each customer counts once; intervals widen where "
                 "few answered.", nps=f"{overall['nps']:+.0f}", low=f"{overall['nps_low']:+.0f}",
                 high=f"{overall['nps_high']:+.0f}", n=count(overall["responses"]),
                 promoters=f"{overall['promoters']:.0%}", detractors=f"{overall['detractors']:.0%}"),)),
        Prose((t("The figures leave out groups with fewer than 30 answers; the tables below keep them."),)),
        *(Figure(figures[name]) for name in ("02_nps_segment", "02_nps_value_tier", "02_nps_trend") if name in figures),
    )  # fmt: skip


def _nps_tables(nps: Nps | None) -> tuple[Section, ...]:
    if nps is None:
        return ()
    bias = nps.bias
    by_group = tuple(Section(t("By {group}", group=t(group.replace("_", " "))), (Table(table, _NPS),), level=3)
                     for group, table in nps.by_group.items())  # fmt: skip
    return (*by_group, Section(t("Who answers"), (
        Prose((t("{answered} customers answered; they spend a median {spend} against {other} for those who did not, "
                 "and last bought {recency} days ago against {other_recency}. Read every NPS here as the view of "
                 "customers like those who answer.", answered=count(number_at(bias, "answered", "customers")),
                 spend=money(number_at(bias, "answered", "median_spend")),
                 other=money(number_at(bias, "did not answer", "median_spend")),
                 recency=f"{number_at(bias, 'answered', 'median_recency_days'):,.0f}",
                 other_recency=f"{number_at(bias, 'did not answer', 'median_recency_days'):,.0f}"),)),
        Table(bias, {"customers": "{:,}", "median_spend": money, "median_recency_days": "{:,.0f}",
                     "vip_share": "{:.1%}"}),
    ), level=3))  # fmt: skip


_THEME_COLUMNS = ["theme", "language", "detractor_comments", "promoter_comments", "z", "examples"]


def _comments(nps: Nps | None) -> tuple[Section, ...]:
    if nps is None or nps.themes is None:
        return ()
    themes = nps.themes
    themes = themes.assign(language=themes["language"].map({"zh": t("Chinese"), "en": t("English")}))
    against, pleased = (themes[themes["side"] == side].head(8)[_THEME_COLUMNS] for side in ("detractor", "promoter"))
    intro = Prose((t(
        "**What the {n} comments say.** Chinese comments are split into words with jieba, English ones into words; "
        "each word counts once per comment. A *theme* is a word far more common in detractors' (NPS 0-6) than in "
        "promoters' (9-10) comments, or the reverse: the log-odds ratio with an informative prior, as a z-score (|z| "
        "of 1.96 or more), in at least {min} comments; words written together in half their comments or more make "
        "one theme. The full table is `artifacts/comment_themes.parquet`.", n=count(nps.commented),
        min=count(nps.min_comments[0])),))  # fmt: skip
    parts: list[Part] = [
        intro,
        Prose((t("What detractors complain about:"),)),
        Table(against.set_index("theme"), _THEMES),
        Prose((t("What promoters praise:"),)),
        Table(pleased.set_index("theme"), _THEMES),
    ]
    where = nps.themes_by_region
    if where is not None and len(where):
        place = where.columns[0]
        above = where[(where["share"] >= 1.5 * where["share_overall"]) & (where["p_holm"] < 0.05)]
        above = above.sort_values("share", ascending=False).head(10)
        parts += [Prose((t("Where a complaint is more common (each {place} with at least {min} detractor comments; a "
                           "theme's share of them at least 1.5 times its share overall, and too high to be chance: a "
                           "binomial test, Holm-adjusted p below 0.05):",
                           place=t(place.replace("_", " ")), min=count(nps.min_comments[1])),)),
                  Table(above.set_index([place, "theme"])[["comments", "detractor_comments", "share",
                                                           "share_overall", "p_holm"]], _WHERE)]  # fmt: skip
    drivers = nps.drivers
    if drivers is not None and len(drivers):
        parts += [Prose((t("**What goes with a higher or lower NPS.** A linear model of each customer's latest NPS on "
                           "what they wrote (the themes) and how they buy (channel, store, favourite category, "
                           "returns), with robust (HC3) 95% intervals: the difference in NPS points against "
                           "customers without it, the others held fixed. An association, not a cause: it says where "
                           "to look, not what a change would earn."),)),
                  Table(drivers, _DRIVERS)]  # fmt: skip
    return (Section(t("What the comments say"), tuple(parts), level=3),)


_THEMES = {"detractor_comments": "{:,}", "promoter_comments": "{:,}", "z": "{:+.1f}"}
_WHERE = {"comments": "{:,.0f}", "detractor_comments": "{:,.0f}", "share": "{:.0%}", "share_overall": "{:.0%}",
          "p_holm": "{:.3f}"}  # fmt: skip
_DRIVERS = {"effect": "{:+.2f}", "effect_low": "{:+.2f}", "effect_high": "{:+.2f}", "p_value": "{:.3f}",
            "customers": "{:,}"}  # fmt: skip


def _alert_rules(found: AlertResult, settings: AlertsSection) -> list[str]:
    """What triggers each kind of alert, in this store's numbers."""
    limits, lines = found.thresholds, []
    if "frequent returns" in limits:
        returns = limits["frequent returns"]
        lines.append(t("**Frequent returns**: at least {n} returns within {days} days, or two or more that give back "
                       "at least {share} of what was bought in them", n=returns["min_returns"],
                       days=returns["window_days"], share=f"{returns['min_returned_share']:.0%}"))  # fmt: skip
    lines.append(t("**Extreme orders**: above {value} (the typical order is {typical})",
                   value=money(limits["extreme order"]["min_order_value"]),
                   typical=money(limits["extreme order"]["typical_order"])))  # fmt: skip
    if limits["spend spike"]["min_ratio"] is not None:
        lines.append(
            t(
                "**Spend spikes**: an order at least {ratio}× the customer's usual, after {n} or more orders",
                ratio=f"{limits['spend spike']['min_ratio']:.1f}",
                n=settings.min_orders_for_spike,
            )
        )
    if "shared order id" in limits:
        lines.append(t("**Shared order ids**: one order id bought by more than one customer"))
    return lines


def _alerts(profile: Profile, settings: AlertsSection) -> tuple[Part, ...]:
    found = profile.alerts
    alerts = found.alerts
    listed: tuple[Part, ...] = ()
    if len(alerts):
        summary = alerts.pivot_table(index="alert", columns="severity", values="customer_id", aggfunc="count",
                                     fill_value=0)  # fmt: skip
        summary = summary.reindex(columns=[s for s in ("high", "medium", "low") if s in summary.columns])
        preview = profile.alert_preview[["customer_id", "alert", "severity", "reason", "evidence"]]
        listed = (Table(summary, {column: "{:,}" for column in summary.columns}),
                  Table(preview.set_index("customer_id")))  # fmt: skip
    return (
        Prose((t("{n} alerts for {customers} customers, in `artifacts/alerts.xlsx` (and `.csv`) with the reason, the "
                 "evidence and a severity each. The thresholds come from this store's own data (median + {z} robust "
                 "standard deviations), not fixed numbers:", n=count(len(alerts)),
                 customers=count(alerts["customer_id"].nunique()), z=f"{settings.robust_z:g}"),)),
        Bullets(tuple(_alert_rules(found, settings))),
        *listed,
    )  # fmt: skip


def _rule_text(result: SegmentResults, settings: SegmentSection) -> str:
    if result.scheme == "cn8":
        return t("**The eight classes** (`segment.scheme: cn8`): each customer is recent or not, frequent or not, and "
                 "high-spending or not, against the population's {center}; every customer falls in exactly one "
                 "class.", center=t(settings.cn8_center))  # fmt: skip
    checked = (
        "; ".join(result.rule_problems)
        if result.rule_problems
        else t("Every one of the 125 R×F×M combinations gets exactly one segment, and every segment can be reached.")
    )
    return t("**Segment rules**, checked in order; the first that matches a customer's R, F and M scores names their "
             "segment. ") + checked  # fmt: skip


def _appendix(result: SegmentResults, settings: SegmentSection) -> tuple[Part, ...]:
    cuts = result.cuts.rename(columns={"r": "recency (days, at most)", "f": "purchases (at least)",
                                       "m": "spend (at least)"})  # fmt: skip
    customers = len(result.customers)
    sampled = (Prose((t(
        "With {n} customers, each k-means is fitted on a seeded random sample of {sample} "
        "(`segment.cluster_fit_sample`) and every customer is assigned to the nearest centre; the silhouette is "
        "measured on a sample of 5,000.",
        n=count(customers), sample=count(settings.cluster_fit_sample)),)),
    ) if customers > settings.cluster_fit_sample else ()  # fmt: skip
    return (
        Prose((t("**Scores.** On each axis a customer's score is 1 + ⌊5 × share of customers with a strictly worse "
                 "value⌋ (at most 5). Customers with equal values always get equal scores, so when many share a value "
                 "(most customers bought only once) they keep the same score instead of being split arbitrarily. The "
                 "boundaries below are kept with the run (`segment_thresholds.json`), so a later run can score new "
                 "data on the same boundaries."),)),
        Table(cuts, {column: "{:,.2f}" for column in cuts.columns}),
        Prose((t("Customers per score (equal values share a score, so the counts need not be equal):"),)),
        Table(result.score_counts, {column: "{:,}" for column in result.score_counts.columns}),
        Prose((_rule_text(result, settings),)),
        Table(result.rules),
        Prose((t("**Clusters.** k-means on standardised log recency, frequency and spend. The number of clusters is "
                 "the one with the best *silhouette*: how much closer customers are to their own cluster than to the "
                 "next one (1 is perfect, 0 is no structure)."),)),
        *sampled,
        *((Figure(result.figures["02_silhouette"]),) if "02_silhouette" in result.figures else ()),
    )  # fmt: skip


def segment_checked(result: SegmentResults) -> str:
    """Customers per score, per segment, tier, level, lifecycle stage and cluster, and alerts per kind: what nbval
    compares."""
    segments = result.customers["segment"].value_counts().sort_index().rename_axis("segment").to_frame("customers")
    alerts = result.profile.alerts.alerts
    return "\n".join([
        t("customers per score"),
        result.score_counts.to_string(),
        for_reading(segments.map("{:,}".format)).to_string(),
        *(for_reading(table[["customers"]].map("{:,.0f}".format)).to_string()
          for table in (result.tiers, result.levels, result.lifecycle)),
        t("{n} clusters:", n=len(result.clusters)) + " " + ", ".join(f"{n:,}" for n in result.clusters["customers"]),
        for_reading(alerts.groupby("alert").size().rename("alerts").to_frame()).to_string(),
    ])  # fmt: skip
