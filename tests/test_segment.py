"""RFM scoring under ties, segment rules over all 125 cells, tiers, levels, lifecycle, clusters, migration."""

from __future__ import annotations

from itertools import product

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import adjusted_rand_score

from helpers.core.config import DEFAULT_SEGMENT_RULES
from helpers.models import segment
from helpers.report import plots

RULES = [rule.model_dump() for rule in DEFAULT_SEGMENT_RULES]


def customers(recency, purchases, spend):
    frame = pd.DataFrame({"recency_days": recency, "purchases": purchases, "total_spend": spend})
    frame["customer_id"] = [f"c{i}" for i in range(len(frame))]
    return frame


def test_every_cell_gets_exactly_one_default_segment_and_every_segment_is_reachable():
    coverage = segment.rule_coverage(RULES)
    assert coverage["uncovered_cells"] == []
    assert coverage["unreachable_segments"] == []
    assert sum(coverage["cells_per_segment"].values()) == 125
    assert len(coverage["cells_per_segment"]) == 11


def test_shadowed_blog_rules_are_reported():
    rules = [{"segment": "Loyal", "r": (1, 5), "f": (3, 5), "m": (1, 5)},
             {"segment": "Champions", "r": (4, 5), "f": (4, 5), "m": (4, 5)}]  # fmt: skip
    coverage = segment.rule_coverage(rules)
    assert coverage["unreachable_segments"] == ["Champions"]
    assert len(coverage["uncovered_cells"]) == 125 - 75


def test_quantile_scores_by_hand():
    frame = customers([10, 20, 30, 40, 50], [1, 2, 3, 4, 5], [5, 4, 3, 2, 1])
    scores = segment.rfm_scores(frame, segment.rfm_cuts(frame))
    assert scores["r_score"].tolist() == [5, 4, 3, 2, 1]
    assert scores["f_score"].tolist() == [1, 2, 3, 4, 5]
    assert scores["m_score"].tolist() == [5, 4, 3, 2, 1]


def test_ties_get_equal_scores_and_one_timers_score_one():
    frame = customers([5] * 6, [1, 1, 1, 1, 2, 7], [10.0] * 6)
    scores = segment.rfm_scores(frame, segment.rfm_cuts(frame))
    assert scores["f_score"].tolist() == [1, 1, 1, 1, 4, 5]  # 4/6 below 2 -> 1 + floor(3.33)
    assert scores["r_score"].nunique() == 1 and scores["m_score"].nunique() == 1


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=30), min_size=1, max_size=200))
def test_scoring_is_monotone_and_tie_stable(values):
    frame = customers(values, values, values)
    scores = segment.rfm_scores(frame, segment.rfm_cuts(frame))
    series = pd.Series(values)
    share_below = series.map(lambda v: (series < v).mean())
    expected = (1 + np.floor(5 * share_below + 1e-9)).clip(upper=5).astype(int)
    assert scores["f_score"].tolist() == expected.tolist()
    for value in set(values):
        assert scores.loc[series == value, "r_score"].nunique() == 1
    order = np.argsort(values, kind="stable")
    assert (np.diff(scores["f_score"].to_numpy()[order]) >= 0).all()
    assert (np.diff(scores["r_score"].to_numpy()[order]) <= 0).all()


def test_fixed_thresholds_from_config():
    frame = customers([10, 100, 400], [1, 3, 9], [20, 200, 2000])
    cuts = segment.rfm_cuts(frame, {"recency_days": [30, 90, 180, 365], "frequency": [2, 3, 5, 8],
                                "monetary": [50, 100, 500, 1000]})  # fmt: skip
    scores = segment.rfm_scores(frame, cuts)
    assert scores["r_score"].tolist() == [5, 3, 1]
    assert scores["f_score"].tolist() == [1, 3, 5]
    assert scores["m_score"].tolist() == [1, 3, 5]


def test_segments_of_hand_picked_cells():
    scores = pd.DataFrame({"rfm_cell": ["555", "155", "511", "111", "345", "411"]})
    assert segment.assign_segments(scores, RULES).tolist() == [
        "Champions", "Can't Lose Them", "New Customers", "Lost", "Loyal Customers", "Promising"
    ]  # fmt: skip


def test_single_customer_and_all_one_time_buyers():
    one = customers([3], [1], [9.0])
    assert segment.rfm_scores(one, segment.rfm_cuts(one))["rfm_cell"].tolist() == ["111"]
    many = customers(list(range(10)), [1] * 10, list(range(1, 11)))
    scores = segment.rfm_scores(many, segment.rfm_cuts(many))
    assert set(scores["f_score"]) == {1}


def test_value_tiers_and_spend_levels():
    frame = customers([1] * 10, [1, 1, 1, 1, 1, 2, 2, 3, 4, 5], [10, 20, 30, 40, 50, 60, 70, 80, 90, 1000])
    tiers, thresholds = segment.value_tiers(frame, 0.9, vip_min_purchases=3, high_potential_spend_quantile=0.6)
    assert tiers.tolist().count("VIP") == 1 and tiers.iloc[-1] == "VIP"
    assert thresholds["vip_min_spend"] == pytest.approx(frame.total_spend.quantile(0.9))
    levels = segment.spend_levels(pd.Series([0, 99.99, 100, 300, 5000]), {"regular": 0, "silver": 100, "gold": 300,
                                                                       "diamond": 1000})  # fmt: skip
    assert levels.tolist() == ["regular", "regular", "silver", "gold", "diamond"]


def test_lifecycle_uses_own_rhythm_when_there_is_one():
    frame = pd.DataFrame({
        "recency_days": [10, 25, 50, 300, 40],
        "purchases": [5, 5, 5, 5, 1],
        "tenure_days": [400, 400, 400, 400, 30],
        "interval_median_days": [10.0, 10.0, 10.0, 10.0, np.nan],
    })  # fmt: skip
    stages = segment.lifecycle_stages(frame, new_days=90, at_risk_factor=2, lapsed_factor=4)
    assert stages["lifecycle"].tolist() == ["active", "at risk", "lapsed", "lapsed", "new"]
    assert stages["rhythm"].tolist() == ["own"] * 4 + ["population"]


def test_clusters_are_seeded_and_named():
    rng = np.random.default_rng(0)
    frame = customers(np.r_[rng.integers(1, 20, 100), rng.integers(300, 500, 100)],
                      np.r_[rng.integers(5, 15, 100), np.ones(100, int)],
                      np.r_[rng.uniform(500, 900, 100), rng.uniform(5, 20, 100)])  # fmt: skip
    labels, silhouettes = segment.choose_clusters(frame, (2, 4), random_state=1)
    again, _ = segment.choose_clusters(frame, (2, 4), random_state=1)
    assert labels.tolist() == again.tolist()
    assert int(silhouettes["silhouette"].idxmax()) == labels.nunique() == 2
    profiles = segment.cluster_profiles(frame, labels)
    recency = profiles["median_recency_days"]
    assert profiles.loc[0, "name"] == f"frequent, high-spend, last bought ~{recency[0]:,.0f} days ago"
    assert profiles.loc[1, "name"] == f"one-off, low-spend, last bought ~{recency[1]:,.0f} days ago"
    assert profiles["name"].is_unique


def test_clusters_fitted_on_a_sample_match_the_full_fit_and_cover_everyone():
    rng = np.random.default_rng(3)
    n = 3000
    frame = customers(np.r_[rng.integers(1, 30, n), rng.integers(200, 400, n), rng.integers(30, 90, n)],
                      np.r_[rng.integers(8, 20, n), np.ones(n, int), rng.integers(2, 5, n)],
                      np.r_[rng.uniform(400, 900, n), rng.uniform(5, 30, n), rng.uniform(60, 150, n)])  # fmt: skip
    full, full_scores = segment.choose_clusters(frame, (2, 5), random_state=1)
    sampled, sampled_scores = segment.choose_clusters(frame, (2, 5), random_state=1, fit_sample=1000)
    assert sampled.notna().all() and len(sampled) == len(frame)
    assert int(sampled_scores["silhouette"].idxmax()) == int(full_scores["silhouette"].idxmax())
    assert adjusted_rand_score(full, sampled) > 0.95
    unchanged, _ = segment.choose_clusters(frame, (2, 5), random_state=1, fit_sample=len(frame))
    assert unchanged.tolist() == full.tolist()  # a sample as large as the data is the full computation


def test_cluster_scatter_draws_a_stated_sample_of_many_customers():
    rng = np.random.default_rng(5)
    n = 500
    frame = customers(rng.integers(1, 300, n), rng.integers(1, 10, n), rng.uniform(5, 900, n))
    labels = pd.Series(np.arange(n) % 2, index=frame.index)
    names = pd.Series({0: "even", 1: "odd"})
    drawn = plots.cluster_scatter(frame, labels, names=names, max_points=100)
    points = sum(len(c.get_offsets()) for c in drawn.axes[0].collections)
    assert points == 100 and "100 of 500" in drawn.axes[0].get_title()
    everyone = plots.cluster_scatter(frame, labels, names=names, max_points=n)
    assert sum(len(c.get_offsets()) for c in everyone.axes[0].collections) == n
    assert everyone.axes[0].get_title() == "Behavioural clusters"


def test_revenue_curve_of_many_customers_is_drawn_through_its_own_points():
    spend = pd.Series(np.random.default_rng(6).gamma(0.5, 100.0, 250_000))
    curve = segment.revenue_concentration(spend)
    line = plots.pareto_curve(curve).axes[0].lines[0]
    x, y = line.get_xdata(), line.get_ydata()
    assert len(x) <= plots.CURVE_POINTS + 1
    assert (x[0], y[0]) == (curve.iloc[0, 0], curve.iloc[0, 1]) and (x[-1], y[-1]) == (1.0, pytest.approx(1.0))
    on_curve = curve.set_index("share_of_customers")["share_of_revenue"].reindex(x)
    assert on_curve.to_numpy() == pytest.approx(y)  # drawn points are the curve's, not an approximation
    small = segment.revenue_concentration(pd.Series([5.0, 1.0, 3.0]))
    assert len(plots.pareto_curve(small).axes[0].lines[0].get_xdata()) == 3  # a short curve is drawn whole


def test_cohort_matrix_leaves_unobserved_months_empty():
    cohorts = pd.DataFrame(
        {
            "cohort": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-02-01"]),
            "month_index": [0, 1, 0],
            "customers": [10, 4, 5],
            "revenue": [100.0, 30.0, 50.0],
        }
    )
    table = segment.cohort_matrix(cohorts)
    assert table.loc["2024-01 (n=10)", 1] == pytest.approx(0.4)
    assert np.isnan(table.loc["2024-02 (n=5)", 1])
    small_left_out = segment.cohort_matrix(cohorts, min_customers=6)
    assert small_left_out.loc["2024-01 (n=10)", 1] == pytest.approx(0.4)
    assert list(small_left_out.index) == ["2024-01 (n=10)"] and segment.small_cohorts(cohorts, 6) == 1


def test_clusters_with_the_same_words_get_distinct_names():
    frame = customers(np.r_[np.full(50, 10), np.full(50, 12)], np.full(100, 3), np.full(100, 50.0))
    profiles = segment.cluster_profiles(frame, pd.Series(np.r_[np.zeros(50, int), np.ones(50, int)], index=frame.index))
    assert profiles["name"].is_unique


def test_migration_matrix_counts_moves():
    before = pd.DataFrame({"customer_id": ["a", "b", "c"], "segment": ["Lost", "Champions", "At Risk"],
                           "rfm_sum": [3, 15, 8]})  # fmt: skip
    now = pd.DataFrame({"customer_id": ["a", "b", "d"], "segment": ["Champions", "Champions", "New Customers"],
                        "rfm_sum": [14, 15, 11]})  # fmt: skip
    matrix, moves = segment.migration(before, now)
    assert matrix.loc["Lost", "Champions"] == 1
    assert matrix.loc["(new)", "New Customers"] == 1
    assert matrix.loc["At Risk", "(gone)"] == 1
    assert moves == {"upgraded": 1, "downgraded": 0, "same_score": 1, "changed_segment": 1, "new": 1, "gone": 1}


def test_assignment_agrees_with_the_rule_check_cell_by_cell():
    """Every one of the 125 cells gets the segment the coverage check counts for it (hand-made rules with a gap)."""
    rules = [
        {"segment": "Top", "r": (5, 5), "f": (5, 5), "m": (1, 5)},
        {"segment": "Low", "r": (1, 2), "f": (1, 5), "m": (1, 5)},
    ]
    cells = pd.DataFrame({"rfm_cell": ["".join(map(str, c)) for c in product(range(1, 6), repeat=3)]})
    assigned = segment.assign_segments(cells, rules)
    coverage = segment.rule_coverage(rules)
    assert assigned.value_counts().to_dict() == {"Unassigned": 70, "Low": 50, "Top": 5}
    assert coverage["cells_per_segment"] == {"Top": 5, "Low": 50}
    assert sorted(cells.loc[assigned == "Unassigned", "rfm_cell"]) == sorted(coverage["uncovered_cells"])
    assert segment.coverage_problems(coverage) == [
        "70 score cells match no rule (shown as 'Unassigned'): " + ", ".join(coverage["uncovered_cells"][:20])
    ]


def test_the_eight_class_scheme_splits_each_axis_at_its_centre():
    # recency mean 40, purchases mean 3, spend mean 100
    frame = customers([10, 70, 10, 70, 50], [5, 5, 1, 1, 3], [200, 150, 20, 10, 120])
    centers = segment.cn8_centers(frame, "mean")
    assert centers == {"recency_days": 42.0, "purchases": 3.0, "total_spend": 100.0}
    assert segment.cn8_segments(frame, centers).tolist() == [
        "Important value", "Important retention", "General development", "General win-back",
        "Important win-back",  # 50 days is not recent; 3 purchases is not above the mean of 3
    ]  # fmt: skip
    median = segment.cn8_centers(frame, "median")
    assert median == {"recency_days": 50.0, "purchases": 3.0, "total_spend": 120.0}
    assert segment.cn8_segments(frame, median).tolist()[4] == "General win-back"


@given(st.lists(st.tuples(st.integers(0, 900), st.integers(1, 50), st.floats(0, 1e5)), min_size=1, max_size=80),
       st.sampled_from(["mean", "median"]))  # fmt: skip
def test_every_customer_gets_exactly_one_of_the_eight_classes(rows, statistic):
    frame = customers(*map(list, zip(*rows, strict=True)))
    classes = segment.cn8_segments(frame, segment.cn8_centers(frame, statistic))
    assert len(classes) == len(frame) and set(classes) <= set(segment.CN8_SEGMENTS.values())
    table = segment.cn8_rules(segment.cn8_centers(frame, statistic), frame.assign(segment=classes))
    assert table["customers"].sum() == len(frame) and len(table) == 8
