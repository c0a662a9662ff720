"""Customer segmentation: RFM scores and named segments, value tiers, spend levels,
lifecycle stages, behavioural clusters, cohort retention and segment migration.

Inputs are the per-customer summary of `helpers.data.features.customer_summary`; all
functions are pure pandas / scikit-learn on one row per customer.

Scoring (explainable under ties): on each axis four ascending cut points split
customers into scores 1-5; a customer scores 1 + the number of cut points their
value reaches (for recency, days since the last purchase, the scale is reversed:
fewer days is better). Quantile scoring derives the cut points from the data so
that score = 1 + floor(5 x share of customers with a strictly worse value), capped
at 5: equal values always get equal scores, and a value shared by many customers
(most CDNOW customers bought once) keeps them all in one score.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import product
from typing import cast

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score
from sklearn.preprocessing import StandardScaler

from helpers.core.config import LIFECYCLE_STAGES
from helpers.language.formatting import money_tick
from helpers.language.i18n import t

__all__ = [
    "AXES",
    "CN8_AXES",
    "CN8_SEGMENTS",
    "Migration",
    "apply_cuts",
    "assign_segments",
    "choose_clusters",
    "cluster_features",
    "cluster_profiles",
    "cn8_centers",
    "cn8_rules",
    "cn8_segments",
    "cohort_matrix",
    "cohort_sizes",
    "concentration_facts",
    "coverage_problems",
    "group_revenue",
    "heatmap_r_by_f",
    "lifecycle_stages",
    "lifecycle_table",
    "migration",
    "migration_snapshot",
    "quantile_cuts",
    "revenue_concentration",
    "rfm_cuts",
    "rfm_scores",
    "rule_coverage",
    "score_counts",
    "segment_of_cell",
    "segment_table",
    "small_cohorts",
    "spend_levels",
    "value_tiers",
]


@dataclass
class Migration:
    """Who moved between segments since an earlier run, scored on that run's boundaries."""

    previous_run: str
    matrix: pd.DataFrame
    moves: dict


AXES = {"r": ("recency_days", False), "f": ("purchases", True), "m": ("total_spend", True)}


def quantile_cuts(values: pd.Series, higher_is_better: bool) -> list[float]:
    """Four cut points reproducing score = 1 + floor(5 x share strictly worse), ties kept together."""
    oriented = np.sort(values.to_numpy(dtype=float) * (1 if higher_is_better else -1))
    share_below = np.searchsorted(oriented, oriented, side="left") / len(oriented)
    cuts = []
    for k in range(1, 5):
        # the smallest value with at least k/5 of customers strictly below it
        reaching = oriented[share_below >= k / 5]
        cut = float(reaching.min()) if reaching.size else np.inf
        cuts.append(cut if higher_is_better else -cut)
    return cuts


def apply_cuts(values: pd.Series, cuts: list[float], higher_is_better: bool) -> pd.Series:
    """Scores 1-5 from four cut points (ascending for higher-is-better, descending for recency)."""
    array = values.to_numpy(dtype=float)
    if higher_is_better:
        reached = sum((array >= c).astype(int) for c in cuts)
    else:
        reached = sum((array <= c).astype(int) for c in cuts)
    return pd.Series(1 + reached, index=values.index, dtype="int64")


def rfm_cuts(summary: pd.DataFrame, thresholds: dict | None = None) -> dict[str, list[float]]:
    """Cut points per axis: from the config's fixed thresholds, or from the data's quantiles."""
    if thresholds:
        return {
            "r": sorted(thresholds["recency_days"], reverse=True),
            "f": sorted(thresholds["frequency"]),
            "m": sorted(thresholds["monetary"]),
        }
    return {axis: quantile_cuts(summary[column], better) for axis, (column, better) in AXES.items()}


def rfm_scores(summary: pd.DataFrame, cuts: dict[str, list[float]]) -> pd.DataFrame:
    """r_score, f_score, m_score (1-5) and the three-digit rfm_cell, e.g. '545'."""
    scores = pd.DataFrame(index=summary.index)
    for axis, (column, better) in AXES.items():
        scores[f"{axis}_score"] = apply_cuts(summary[column], cuts[axis], better)
    scores["rfm_cell"] = scores["r_score"].astype(str) + scores["f_score"].astype(str) + scores["m_score"].astype(str)
    return scores


def score_counts(scores: pd.DataFrame) -> pd.DataFrame:
    """Customers per score (1-5) on each axis R, F, M; ties keep one score, so the counts need not be equal."""
    counts = {axis.upper(): scores[f"{axis}_score"].value_counts() for axis in AXES}
    return pd.DataFrame(counts).reindex(range(1, 6)).fillna(0).astype(int).rename_axis("score")


def _matches(rule: dict, cell: tuple[int, ...]) -> bool:
    """Whether the score cell (R, F, M) lies within the rule's range on each axis."""
    return all(rule[axis][0] <= score <= rule[axis][1] for axis, score in zip("rfm", cell, strict=True))


def segment_of_cell(rules: list[dict], cell: tuple[int, ...]) -> str | None:
    """The first rule (in priority order) that a score cell (R, F, M) matches."""
    return next((rule["segment"] for rule in rules if _matches(rule, cell)), None)


def rule_coverage(rules: list[dict]) -> dict:
    """Over all 125 R x F x M cells: cells no rule covers, segments no cell reaches, cells per segment."""
    assigned = {cell: segment_of_cell(rules, cell) for cell in product(range(1, 6), repeat=3)}
    reached = pd.Series([s for s in assigned.values() if s is not None]).value_counts()
    return {
        "uncovered_cells": ["".join(map(str, c)) for c, s in assigned.items() if s is None],
        "unreachable_segments": [r["segment"] for r in rules if r["segment"] not in reached.index],
        "cells_per_segment": {r["segment"]: int(reached.get(r["segment"], 0)) for r in rules},
    }


def assign_segments(scores: pd.DataFrame, rules: list[dict], fallback: str = "Unassigned") -> pd.Series:
    """Segment per customer: first matching rule wins; cells no rule covers get `fallback`."""
    lookup = {
        "".join(map(str, cell)): segment_of_cell(rules, cell) or fallback for cell in product(range(1, 6), repeat=3)
    }
    return scores["rfm_cell"].map(lookup)


CN8_SEGMENTS = {  # (recent, frequent, high spend) -> the class Chinese retail CRM names (重要价值客户 ...)
    (True, True, True): "Important value",
    (True, False, True): "Important development",
    (False, True, True): "Important retention",
    (False, False, True): "Important win-back",
    (True, True, False): "General value",
    (True, False, False): "General development",
    (False, True, False): "General retention",
    (False, False, False): "General win-back",
}
CN8_AXES = {"recency_days": "recent", "purchases": "frequent", "total_spend": "high spend"}


def cn8_centers(customers: pd.DataFrame, statistic: str) -> dict[str, float]:
    """The split point of each axis: the population's mean (or median) days since the last purchase,
    purchases and spend."""
    return {column: float(getattr(customers[column], statistic)()) for column in CN8_AXES}


def cn8_segments(customers: pd.DataFrame, centers: dict[str, float]) -> pd.Series:
    """The eight-class scheme: recent = fewer days since the last purchase than the centre; frequent and high
    spend = strictly above the centre. Every customer falls in exactly one class."""
    recent = customers["recency_days"] < centers["recency_days"]
    frequent = customers["purchases"] > centers["purchases"]
    high = customers["total_spend"] > centers["total_spend"]
    keys = zip(recent, frequent, high, strict=True)
    return pd.Series([CN8_SEGMENTS[key] for key in keys], index=customers.index)


def cn8_rules(centers: dict[str, float], customers: pd.DataFrame) -> pd.DataFrame:
    """The eight classes as rules in words, with how many customers each holds."""
    days, purchases, spend = centers["recency_days"], centers["purchases"], centers["total_spend"]

    def side(above: bool, value: float) -> str:
        return t("> {value}", value=f"{value:,.2f}") if above else t("<= {value}", value=f"{value:,.2f}")

    rows = [{"segment": name,
             "last purchase": t("< {days} days ago", days=f"{days:,.0f}") if recent
             else t(">= {days} days ago", days=f"{days:,.0f}"),
             "purchases": side(frequent, purchases), "spend": side(high, spend)}
            for (recent, frequent, high), name in CN8_SEGMENTS.items()]  # fmt: skip
    table = pd.DataFrame(rows).set_index("segment")
    table["customers"] = customers["segment"].value_counts().reindex(table.index).fillna(0).astype(int)
    return table


def value_tiers(
    summary: pd.DataFrame, vip_spend_quantile: float, *, vip_min_purchases: int, high_potential_spend_quantile: float
) -> tuple[pd.Series, dict]:
    """VIP (top spend and repeat buyers) / high potential / regular, with the thresholds used."""
    vip_spend = float(summary["total_spend"].quantile(vip_spend_quantile))
    potential_spend = float(summary["total_spend"].quantile(high_potential_spend_quantile))
    is_vip = (summary["total_spend"] >= vip_spend) & (summary["purchases"] >= vip_min_purchases)
    is_potential = (summary["total_spend"] >= potential_spend) | (summary["purchases"] >= vip_min_purchases)
    tiers = pd.Series(np.select([is_vip, is_potential], ["VIP", "high potential"], "regular"), index=summary.index)
    return tiers, {"vip_min_spend": vip_spend, "vip_min_purchases": vip_min_purchases,
                   "high_potential_min_spend": potential_spend}  # fmt: skip


def spend_levels(total_spend: pd.Series, levels: dict[str, float]) -> pd.Series:
    """Highest level whose cumulative-spend threshold the customer reaches (e.g. regular/silver/gold/diamond)."""
    ordered = sorted(levels.items(), key=lambda item: item[1])
    names, floors = [n for n, _ in ordered], [f for _, f in ordered]
    index = np.searchsorted(floors, total_spend.to_numpy(dtype=float), side="right") - 1
    return pd.Series(np.asarray(names, dtype=object)[np.clip(index, 0, None)], index=total_spend.index)


def lifecycle_stages(
    summary: pd.DataFrame, new_days: int, *, at_risk_factor: float, lapsed_factor: float
) -> pd.DataFrame:
    """new / active / at risk / lapsed, judged against each customer's own purchase rhythm.

    New: first purchase within `new_days`. Otherwise the customer's typical gap is their
    median interval when they have at least two gaps (three purchases), else the median
    interval of all repeat buyers. Active while recency <= at_risk_factor x gap, at risk
    up to lapsed_factor x gap, lapsed beyond.
    """
    population_gap = (
        float(summary["interval_median_days"].median())
        if summary["interval_median_days"].notna().any()
        else float(new_days)
    )
    own = summary["purchases"] >= 3
    gap = summary["interval_median_days"].where(own, population_gap).clip(lower=1.0)
    ratio = summary["recency_days"] / gap
    stage = np.select(
        [summary["tenure_days"] <= new_days, ratio <= at_risk_factor, ratio <= lapsed_factor],
        list(LIFECYCLE_STAGES[:3]),
        LIFECYCLE_STAGES[3],
    )
    return pd.DataFrame(
        {"lifecycle": stage, "typical_gap_days": gap, "rhythm": np.where(own, "own", "population")},
        index=summary.index,
    )


def cluster_features(summary: pd.DataFrame) -> pd.DataFrame:
    """log1p of recency, frequency and spend: the inputs of the behavioural clusters."""
    return cast(pd.DataFrame, np.log1p(summary[["recency_days", "purchases", "total_spend"]].clip(lower=0)))


def choose_clusters(
    summary: pd.DataFrame, k_range: tuple[int, ...], *, random_state: int, sample: int = 5000,
    fit_sample: int | None = None,
) -> tuple[pd.Series, pd.DataFrame]:  # fmt: skip
    """k-means on standardised log R/F/M for each k; the k with the best silhouette wins.

    Returns (cluster label per customer, silhouette per k). The silhouette is computed on
    a seeded sample of at most `sample` customers; with more than `fit_sample` customers, each
    k-means is fitted on a seeded sample of that many and assigns every customer to its nearest centre.
    """
    scaled = StandardScaler().fit_transform(cluster_features(summary))
    fitted = scaled
    if fit_sample is not None and len(scaled) > fit_sample:
        rows = np.random.default_rng(random_state).choice(len(scaled), fit_sample, replace=False)
        fitted = scaled[np.sort(rows)]
    distinct = len(pd.DataFrame(fitted).drop_duplicates())  # hashing: np.unique over rows sorts them
    scores, labels = [], {}
    for k in range(k_range[0], k_range[1] + 1):
        if k >= distinct:
            break
        model = KMeans(n_clusters=k, n_init=10, random_state=random_state).fit(fitted)
        labels[k] = model.labels_ if fitted is scaled else model.predict(scaled)
        size = min(sample, len(scaled))
        scores.append({"k": k, "silhouette": float(silhouette_score(scaled, labels[k], sample_size=size,
                                                                    random_state=random_state))})  # fmt: skip
    if not scores:
        return pd.Series(0, index=summary.index, name="cluster"), pd.DataFrame(columns=["k", "silhouette"])
    table = pd.DataFrame(scores).set_index("k")
    best = int(cast(int, table["silhouette"].idxmax()))
    return _relabel_by_spend(pd.Series(labels[best], index=summary.index, name="cluster"), summary), table


def _relabel_by_spend(labels: pd.Series, summary: pd.DataFrame) -> pd.Series:
    """Number clusters by descending mean spend, so cluster 0 is always the most valuable."""
    order = summary["total_spend"].groupby(labels).mean().sort_values(ascending=False).index
    return labels.map({old: new for new, old in enumerate(order)}).rename("cluster")


def cluster_profiles(summary: pd.DataFrame, clusters: pd.Series) -> pd.DataFrame:
    """Per cluster: size, medians of R/F/M and a name that says what they are: frequency and spend in words
    (the cluster's median against the population's terciles) and the median days since the last purchase."""
    grouped = summary.groupby(clusters)
    profile = pd.DataFrame(
        {
            "customers": grouped.size(),
            "median_recency_days": grouped["recency_days"].median(),
            "median_purchases": grouped["purchases"].median(),
            "median_spend": grouped["total_spend"].median(),
            "share_of_revenue": grouped["total_spend"].sum() / summary["total_spend"].sum(),
        }
    )
    terciles = summary[["recency_days", "purchases", "total_spend"]].quantile([1 / 3, 2 / 3])

    def level(value: float, column: str, words: tuple[str, str, str]) -> str:
        low, high = terciles[column]
        return words[0] if value <= low else words[1] if value <= high else words[2]

    def name(row: pd.Series) -> str:
        frequency = (
            "one-off"
            if row["median_purchases"] <= 1
            else level(row["median_purchases"], "purchases", ("occasional", "regular", "frequent"))
        )
        spend = level(row["median_spend"], "total_spend", ("low-spend", "mid-spend", "high-spend"))
        return t(
            "{frequency}, {spend}, last bought ~{days} days ago",
            frequency=t(frequency),
            spend=t(spend),
            days=f"{row['median_recency_days']:,.0f}",
        )

    names = profile.apply(name, axis=1)
    duplicates = names.duplicated(keep=False)
    numbers = [t(" (cluster {number})", number=n) for n in profile.index + 1]
    profile["name"] = np.where(duplicates, names + numbers, names)
    return profile


def segment_table(customers: pd.DataFrame) -> pd.DataFrame:
    """Per segment: customers, shares of customers and revenue, mean recency, purchases and spend."""
    grouped = customers.groupby("segment")
    table = pd.DataFrame(
        {
            "customers": grouped.size(),
            "share_of_customers": grouped.size() / len(customers),
            "share_of_revenue": grouped["total_spend"].sum() / customers["total_spend"].sum(),
            "mean_recency_days": grouped["recency_days"].mean(),
            "mean_purchases": grouped["purchases"].mean(),
            "mean_spend": grouped["total_spend"].mean(),
        }
    ).sort_values("share_of_revenue", ascending=False)
    return table


def revenue_concentration(total_spend: pd.Series) -> pd.DataFrame:
    """Pareto curve: cumulative share of revenue against share of customers, best customers first."""
    ordered = np.sort(total_spend.to_numpy(dtype=float))[::-1]
    return pd.DataFrame(
        {
            "share_of_customers": np.arange(1, len(ordered) + 1) / len(ordered),
            "share_of_revenue": np.cumsum(ordered) / ordered.sum(),
        }
    )


def heatmap_r_by_f(customers: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Mean spend per recency score (rows, 5 first) x frequency score (columns 1-5), every score shown; and the
    cell labels: mean spend and the number of customers."""
    rows, columns = pd.Index(range(5, 0, -1), name="recency score"), pd.Index(range(1, 6), name="frequency score")
    spend = customers.pivot_table(index="r_score", columns="f_score", values="total_spend", aggfunc="mean")
    size = customers.pivot_table(index="r_score", columns="f_score", values="total_spend", aggfunc="size")
    spend = spend.reindex(index=rows, columns=columns)
    size = size.reindex(index=rows, columns=columns).fillna(0).astype(int)
    labels = spend.map(lambda v: "" if pd.isna(v) else money_tick(v)) + size.map(lambda n: f"\nn={n:,}" if n else "")
    return spend, labels


def migration(previous: pd.DataFrame, current: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """From -> to matrix of segments between two snapshots (columns customer_id, segment, rfm_sum).

    Customers new since the earlier snapshot form the row '(new)', customers no longer
    present the column '(gone)'. Upgrades / downgrades compare R+F+M score sums.
    """
    joined = previous.merge(current, on="customer_id", how="outer", suffixes=("_before", "_now"), indicator=True)
    joined["segment_before"] = joined["segment_before"].fillna("(new)")
    joined["segment_now"] = joined["segment_now"].fillna("(gone)")
    matrix = pd.crosstab(joined["segment_before"], joined["segment_now"])
    both = joined[joined["_merge"] == "both"]
    counts = {
        "upgraded": int((both["rfm_sum_now"] > both["rfm_sum_before"]).sum()),
        "downgraded": int((both["rfm_sum_now"] < both["rfm_sum_before"]).sum()),
        "same_score": int((both["rfm_sum_now"] == both["rfm_sum_before"]).sum()),
        "changed_segment": int((both["segment_now"] != both["segment_before"]).sum()),
        "new": int((joined["_merge"] == "right_only").sum()),
        "gone": int((joined["_merge"] == "left_only").sum()),
    }
    return matrix, counts


def cohort_matrix(cohorts: pd.DataFrame, value: str = "customers", min_customers: int = 1) -> pd.DataFrame:
    """Acquisition month x months since acquisition: share of the cohort's month-0 `value` (customers or revenue).

    Rows are labelled with the cohort's size ('1997-01 (n=783)'). Months after the last month in the data
    are left empty (not yet observed), not zero; cohorts of fewer than `min_customers` are left out.
    """
    sizes = cohort_sizes(cohorts)
    table = cohorts.pivot_table(index="cohort", columns="month_index", values=value, aggfunc="sum").fillna(0.0)
    table = table.div(table[0], axis=0)
    cohort_months = pd.to_datetime(table.index).to_period("M")
    months = cohorts["month_index"].astype(int)
    calendar = pd.to_datetime(cohorts["cohort"]).dt.to_period("M") + months  # type: ignore[operator]  # stubs lack Period + int
    last = calendar.max()
    observed_months = np.array([(last - month).n for month in cohort_months])
    table = table.where(np.asarray(table.columns)[None, :] <= observed_months[:, None])
    size = sizes.reindex(table.index).fillna(0).astype(int).to_numpy()
    table.index = [f"{month} (n={n:,})" for month, n in zip(cohort_months.strftime("%Y-%m"), size, strict=True)]
    return table[size >= min_customers]


def cohort_sizes(cohorts: pd.DataFrame) -> pd.Series:
    """Customers acquired in each monthly cohort (its month 0)."""
    return cohorts[cohorts["month_index"] == 0].groupby("cohort")["customers"].sum()


def small_cohorts(cohorts: pd.DataFrame, min_customers: int) -> int:
    """How many monthly cohorts `cohort_matrix` leaves out for having fewer than `min_customers`."""
    return int((cohort_sizes(cohorts) < min_customers).sum())


def coverage_problems(coverage: dict) -> list[str]:
    """Plain-words problems of a rule set: score cells no rule covers, segments no cell reaches."""
    problems = []
    if coverage["uncovered_cells"]:
        cells = coverage["uncovered_cells"]
        problems.append(f"{len(cells)} score cells match no rule (shown as 'Unassigned'): " + ", ".join(cells[:20]))
    if coverage["unreachable_segments"]:
        problems.append("these segments can never be assigned, because earlier rules take all their cells: "
                        + ", ".join(coverage["unreachable_segments"]))  # fmt: skip
    return problems


def group_revenue(customers: pd.DataFrame, column: str, order: list[str] | None = None) -> pd.DataFrame:
    """Customers, revenue and share of revenue per value of `column` (in `order` when given)."""
    table = customers.groupby(column).agg(customers=("customer_id", "size"), revenue=("total_spend", "sum"))
    if order is not None:
        table = table.reindex(order).fillna(0).astype({"customers": "int64"})
    table["share_of_revenue"] = table["revenue"] / table["revenue"].sum()
    return table


def lifecycle_table(customers: pd.DataFrame) -> pd.DataFrame:
    """Per lifecycle stage: customers, revenue and the median typical gap they are judged against."""
    table = customers.groupby("lifecycle").agg(
        customers=("customer_id", "size"),
        revenue=("total_spend", "sum"),
        typical_gap_days=("typical_gap_days", "median"),
    )
    return table.reindex(list(LIFECYCLE_STAGES)).dropna(how="all")


def concentration_facts(curve: pd.DataFrame, revenue_share: float, top_customers: float) -> dict:
    """The smallest share of customers bringing `revenue_share` of revenue, and what the best `top_customers` bring."""
    return {
        "customers_for_revenue_share": float(curve.loc[curve["share_of_revenue"] >= revenue_share,
                                                       "share_of_customers"].iloc[0]),
        "revenue_of_top_customers": float(curve.loc[curve["share_of_customers"] >= top_customers,
                                                    "share_of_revenue"].iloc[0]),
    }  # fmt: skip


def migration_snapshot(customers: pd.DataFrame, cuts: dict[str, list[float]], *, rules: list[dict],
                       centers: dict[str, float] | None = None) -> pd.DataFrame:  # fmt: skip
    """customer_id, segment and R+F+M score sum, scored with the given cut points and rules (or, for the
    eight-class scheme, the given centres).

    Scoring today's customers with an earlier run's boundaries means they move between
    segments only when their behaviour changed, not because the population's quantiles did."""
    scores = rfm_scores(customers, cuts)
    return pd.DataFrame(
        {
            "customer_id": customers["customer_id"],
            "segment": assign_segments(scores, rules) if centers is None else cn8_segments(customers, centers),
            "rfm_sum": scores[["r_score", "f_score", "m_score"]].sum(axis=1),
        }
    )
