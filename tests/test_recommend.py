"""What to offer next: pair affinity and sequence transitions by hand, hit rate and recall by hand, offers that
hold for any basket data, and the planted baby-stage sequences recovered from the generated store."""

from __future__ import annotations

from datetime import date, timedelta

import ibis
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.data.datasets import BABY_STAGES, babystore_frames
from helpers.models import recommend

LEARNING = {"bucket_days": 45, "buckets": 8, "shrinkage": 20.0, "max_items": 200}


def lines(rows: list[tuple[str, str, str]]) -> ibis.Table:
    """Transaction lines (customer, date, category), one order per customer-day, positive amounts."""
    frame = pd.DataFrame(rows, columns=["customer_id", "day", "category"])
    frame["order_date"] = pd.to_datetime(frame["day"])
    frame["purchase_date"] = frame["order_date"].dt.date
    frame["order_id"] = frame["customer_id"] + frame["day"]
    frame["amount"] = 10.0
    return ibis.memtable(frame.drop(columns="day"))


# baskets: a {x, y}, a {x}, b {x, y}, b {z}, c {y}
BASKETS = [
    ("a", "2024-01-01", "x"), ("a", "2024-01-01", "y"), ("a", "2024-01-11", "x"),
    ("b", "2024-01-01", "x"), ("b", "2024-01-01", "y"), ("b", "2024-01-21", "z"),
    ("c", "2024-01-05", "y"),
]  # fmt: skip


def test_pair_affinity_by_hand():
    affinity = recommend.pair_affinity(
        recommend.baskets(lines(BASKETS), "category", start=None, end=date(2024, 12, 31))
    )
    pair = affinity.set_index(["antecedent", "consequent"])
    # 5 baskets; x in 3, y in 3, {x, y} in 2
    assert pair.loc[("x", "y"), "baskets"] == 2
    assert pair.loc[("x", "y"), "support"] == pytest.approx(2 / 5)
    assert pair.loc[("x", "y"), "confidence"] == pytest.approx(2 / 3)
    assert pair.loc[("x", "y"), "lift"] == pytest.approx((2 / 3) / (3 / 5))
    assert len(affinity) == 2, "only x-y is ever bought together"


def test_sequence_transitions_by_hand():
    items = recommend.baskets(lines(BASKETS), "category", start=None, end=date(2024, 12, 31))
    table = recommend.sequence_transitions(items, bucket_days=15, buckets=2, shrinkage=0.0)
    step = table.set_index(["item", "bucket", "next_item"])
    # a: {x,y} on 01-01 -> {x} on 01-11 (x bought for 10 days when it came back: bucket 0)
    # b: {x,y} on 01-01 -> {z} on 01-21 (x, y bought for 20 days: bucket 1)
    assert step.loc[("x", 0, "x"), "followed"] == 1 and step.loc[("x", 0, "x"), "share"] == 1.0
    assert step.loc[("x", 1, "z"), "share"] == 1.0 and step.loc[("x", 1, "z"), "median_gap_days"] == 20
    assert step.loc[("y", 0, "x"), "baskets"] == 1 and ("x", 0, "z") not in step.index


def test_shrinkage_pulls_a_thin_bucket_towards_the_item_overall():
    items = recommend.baskets(lines(BASKETS), "category", start=None, end=date(2024, 12, 31))
    table = recommend.sequence_transitions(items, bucket_days=15, buckets=2, shrinkage=2.0)
    step = table.set_index(["item", "bucket", "next_item"])
    # x -> z: followed 1 of 1 basket in bucket 1; overall 1 of 2 x-baskets; (1 + 2 * 0.5) / (1 + 2)
    assert step.loc[("x", 1, "z"), "share"] == pytest.approx(2 / 3)


def test_hit_rate_and_recall_by_hand():
    catalogue = pd.Index(["x", "y", "z"])
    customers = pd.Index(["a", "b"])
    values = np.array([[3.0, 2.0, 1.0], [1.0, 2.0, 3.0]])
    scores = recommend.Scores("test", customers, catalogue, values, {})
    truth = pd.Series({"a": frozenset({"z"}), "b": frozenset({"z", "x"})})
    result = recommend.evaluate(scores, truth, k=2)  # a is offered x, y; b is offered z, y
    assert result["hit_rate"] == 0.5 and result["recall"] == pytest.approx((0 + 1 / 2) / 2)


CATEGORIES = st.sampled_from(["奶粉", "diapers", "=HYPERLINK()", "toys"])
ROWS = st.lists(st.tuples(st.sampled_from(["c1", "c2", "c3", "c4"]), st.integers(0, 60), CATEGORIES), min_size=1,
                max_size=25)  # fmt: skip


@settings(max_examples=25, deadline=None)
@given(rows=ROWS, method=st.sampled_from(recommend.METHODS))
def test_every_customer_gets_distinct_offers_from_the_catalogue(rows, method):
    table = lines([(c, str(date(2024, 1, 1) + timedelta(days=d)), item) for c, d, item in rows])
    learnt = recommend.learn(
        table,
        "category",
        as_of=date(2024, 3, 31),
        recent_days=30,
        bucket_days=15,
        buckets=3,
        shrinkage=5.0,
        max_items=10,
    )
    customers = learnt.history.customers.index
    offers = recommend.offers(recommend.score(learnt, method, customers), learnt, k=3, recent_days=30)
    assert offers.index.tolist() == customers.tolist()
    # scored two customers at a time, as today's offers are at scale: the same offers and reasons
    pd.testing.assert_frame_equal(recommend.offers_for_everyone(learnt, method, k=3, recent_days=30, chunk=2), offers)
    assert offers["next_best_offer"].isin(learnt.catalogue).all()
    for first, others in zip(offers["next_best_offer"], offers["other_offers"], strict=True):
        named = [first, *filter(None, others.split(", "))]
        assert len(set(named)) == len(named) == min(3, len(learnt.catalogue))
    assert offers["offer_reason"].str.len().gt(0).all()
    affinity = learnt.affinity
    assert affinity["confidence"].between(0, 1).all() and (affinity["lift"] > 0).all()


def test_sequence_offers_beat_popularity_on_the_generated_store(babystore_transactions):
    evaluation = recommend.backtest(
        babystore_transactions, "category", cutoff=date(2024, 10, 2), horizon_days=90, k=3, **LEARNING
    )
    assert recommend.choose_method(evaluation) == "sequence"
    assert evaluation.loc["sequence", "hit_rate_gain"] > 0.01 and evaluation.loc["sequence", "recall_gain"] > 0.03


def test_the_offer_check_on_a_sample_is_the_whole_check_on_those_customers(babystore_transactions):
    tx, cutoff = babystore_transactions, date(2024, 10, 2)
    whole = recommend.backtest(tx, "category", cutoff=cutoff, horizon_days=90, k=3, **LEARNING)
    buyers = int(whole.loc["popularity", "customers"])
    cap = buyers // 3
    sampled = recommend.backtest(
        tx, "category", cutoff=cutoff, horizon_days=90, k=3, max_customers=cap, random_state=4, **LEARNING
    )
    assert (sampled["customers"] == cap).all() and (sampled["buyers"] == buyers).all()
    assert (whole["buyers"] == whole["customers"]).all()  # under the cap, everyone is checked
    learnt = recommend.learn(tx, "category", as_of=cutoff, recent_days=90, **LEARNING)
    bought = recommend.bought_between(tx, "category", start=cutoff + timedelta(days=1), end=cutoff + timedelta(days=90))
    truth = recommend.checked_customers(bought, learnt.history.customers.index, max_customers=cap, random_state=4)
    assert truth.index.is_monotonic_increasing and truth.index.is_unique
    for method in recommend.METHODS:  # the sample's figures are the whole scoring's, read on those customers
        everyone = recommend.score(learnt, method, learnt.history.customers.index)
        expected = recommend.evaluate(everyone, truth, 3)
        assert sampled.loc[method, ["hit_rate", "recall"]].tolist() == [expected["hit_rate"], expected["recall"]]
        assert abs(sampled.loc[method, "hit_rate"] - whole.loc[method, "hit_rate"]) < 0.05


def test_the_planted_formula_stages_are_learnt(babystore_transactions):
    """Stage-1 formula turns into stage 2 at six months of age: the learnt move and its timing."""
    learnt = recommend.learn(babystore_transactions, "category", as_of=date(2024, 12, 31), recent_days=90, **LEARNING)
    switches = recommend.top_switches(learnt.transitions, LEARNING["bucket_days"], min_baskets=20, top=50)
    best_next = switches.drop_duplicates("item").set_index("item")  # the most common move from each category
    assert best_next.loc["formula stage 1", "next_item"] == "formula stage 2"
    assert best_next.loc["formula stage 2", "next_item"] == "formula stage 3"
    after_maternity = switches.loc[switches["item"] == "maternity care", "next_item"]
    assert "formula stage 1" in set(after_maternity.head(2)), "after birth: stage-1 formula (0.5) or diapers (0.4)"
    planted = BABY_STAGES[2]  # 180 days: a family that starts stage-1 formula at birth switches then
    learnt_days = best_next.loc["formula stage 1", "after_days_from"]
    assert abs(learnt_days - planted) <= LEARNING["bucket_days"], "within one tenure bucket of the planted age"


def test_the_truth_of_the_generator_is_one_baby_per_family():
    raw, truth = babystore_frames(n_customers=300, seed=2)
    assert truth["customer_id"].is_unique and set(raw["customer_id"]) - {""} <= set(truth["customer_id"])
    assert truth["baby_birth"].notna().all()


@settings(max_examples=25, deadline=None)
@given(rows=ROWS, subset=st.sets(st.sampled_from(["c1", "c2", "c3", "c4", "c9"])), size=st.integers(1, 3))
def test_a_history_part_holds_exactly_its_customers_item_rows(rows, subset, size):
    table = lines([(c, str(date(2024, 1, 1) + timedelta(days=d)), item) for c, d, item in rows])
    history = recommend.History.of(recommend.baskets(table, "category", start=None, end=date(2024, 3, 31)))
    items, customers = history.items, history.customers
    assert customers["item_rows"].sum() == len(items)
    assert (items.groupby("customer_id").size().reindex(customers.index) == customers["item_rows"]).all()
    chosen = pd.Index(sorted(subset), dtype=customers.index.dtype)
    part = history.of_customers(chosen)
    pd.testing.assert_frame_equal(part.items, items[items["customer_id"].isin(chosen)])
    assert part.customers.index.tolist() == [c for c in customers.index if c in subset]
    parts = list(history.parts(size))
    assert [len(p.customers) for p in parts][:-1] == [size] * (len(parts) - 1)
    pd.testing.assert_frame_equal(pd.concat(p.items for p in parts), items)
    for p in parts:
        assert set(p.items["customer_id"]) == set(p.customers.index)


@settings(max_examples=60, deadline=None)
@given(
    lines=st.lists(st.tuples(st.integers(-1, 3), st.integers(-1, 2)), max_size=14),
    table=st.lists(st.sampled_from([np.nan, 0.0, 0.2, 0.5]), min_size=6, max_size=6),
    lines_at_once=st.integers(1, 3),
)
def test_the_best_source_is_the_largest_value_of_the_first_line_that_has_it(lines, table, lines_at_once):
    """Against a loop over every (customer, source line, target): the largest value, the customer's first line
    on equal values, none where no rule applies, whatever number of lines is compared at once."""
    lines = sorted(lines, key=lambda line: line[0])  # a customer's lines together
    row, rule = np.array([r for r, _ in lines], dtype=int), np.array([u for _, u in lines], dtype=int)
    rules = np.array(table).reshape(3, 2)
    best, line = recommend._best_over_sources(row, rule, table=rules, shape=(4, 2), at_once=lines_at_once)
    for customer in range(4):
        for target in range(2):
            found = [(rules[u, target], i) for i, (r, u) in enumerate(lines)
                     if r == customer and u >= 0 and not np.isnan(rules[u, target])]  # fmt: skip
            top = max((value for value, _ in found), default=None)
            first = next((i for value, i in found if value == top), -1)
            assert line[customer, target] == first
            assert best[customer, target] == (0.0 if top is None else top)
