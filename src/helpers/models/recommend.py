"""What to offer each customer next: category offers learnt from the transaction log.

A basket is what a customer bought on one purchase day (positive lines). Four methods score
every customer and category (higher = more likely bought next):

- popularity: the share of customers who bought the category lately (the same for everyone);
- buy again: the share of the customer's own baskets that held the category;
- co-purchase: the strongest confidence(A -> B) over the categories A the customer has bought
  (support, confidence and lift of category pairs in one basket: bundles);
- sequence: what customers buy in their next basket after the categories of their latest one,
  given how long they have bought each (so "stage-1 formula for five months -> stage 2" is
  learnt from data), with the usual gap to that next basket.

The line-level work (baskets, pairs, transitions) runs in Ibis, on DuckDB or Spark; the
per-customer scores are a customers x categories matrix in numpy.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, timedelta
from itertools import chain, pairwise

import ibis
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from helpers.core.errors import NextPurchaseDataError
from helpers.data.backends import kept
from helpers.data.exports import each_distinct
from helpers.data.features import days_between, end_of_day
from helpers.language.i18n import t, t_series
from helpers.models import life_stage

__all__ = [
    "BEST_LINES_AT_ONCE",
    "METHODS",
    "MIN_RISE",
    "OFFER_CHUNK",
    "TIE_BREAK",
    "History",
    "Learnt",
    "Scores",
    "backtest",
    "baskets",
    "best_products",
    "bought_between",
    "bundles",
    "checked_customers",
    "choose_method",
    "evaluate",
    "item_popularity",
    "learn",
    "offers",
    "offers_for_everyone",
    "offers_for_the_stage",
    "pair_affinity",
    "score",
    "sequence_transitions",
    "tenure_bucket",
    "top_switches",
]

METHODS = ("popularity", "buy again", "co-purchase", "sequence")
MIN_RISE = 2.0  # a learnt move: at least twice as common later as just after the customer started buying
TIE_BREAK = 1e-9  # equal scores fall back to popularity, then to the category's name
OFFER_CHUNK = 500_000  # customers scored at once for today's offers
BEST_LINES_AT_ONCE = 100_000  # customers' source lines compared with the best so far at once (each: a catalogue row)


def baskets(tx: ibis.Table, column: str, *, start: date | None, end: date) -> ibis.Table:
    """One row per customer, purchase day and item (`column`) bought on a positive line in [start, end]."""
    lines = tx.filter(
        (tx.order_date < end_of_day(end)) & (tx.amount > 0) & tx[column].notnull() & (tx[column].strip() != "")
    )
    if start is not None:
        lines = lines.filter(lines.purchase_date >= ibis.date(start))
    return lines.select("customer_id", "purchase_date", item=lines[column].strip()).distinct()


def item_popularity(items: ibis.Table) -> pd.Series:
    """Share of the customers in `items` who bought each item, most popular first (ties by name)."""
    per_item = items.group_by("item").aggregate(customers=items.customer_id.nunique()).execute()
    customers = items.customer_id.nunique().execute()
    shares = per_item.set_index("item")["customers"] / max(customers, 1)
    return shares.sort_index().sort_values(ascending=False, kind="stable").rename("popularity")


def pair_affinity(items: ibis.Table) -> pd.DataFrame:
    """Category pairs bought in one basket: baskets together, support, confidence(A -> B) and lift.

    support = baskets with A and B / all baskets; confidence = together / baskets with A;
    lift = confidence / share of baskets with B (1 = independent, above 1 = bought together more)."""
    total = items.select("customer_id", "purchase_date").distinct().count().execute()
    per_item = items.group_by("item").aggregate(baskets=items.count()).execute().set_index("item")["baskets"]
    right = items.view()
    pairs = items.join(
        right,
        [items.customer_id == right.customer_id, items.purchase_date == right.purchase_date, items.item != right.item],
    )
    together = pairs.group_by(antecedent=items.item, consequent=right.item).aggregate(baskets=pairs.count()).execute()
    if together.empty:
        return pd.DataFrame(columns=["antecedent", "consequent", "baskets", "support", "confidence", "lift"])
    antecedent = together["antecedent"].map(per_item).astype(float)
    consequent = together["consequent"].map(per_item).astype(float)
    together["support"] = together["baskets"] / total
    together["confidence"] = together["baskets"] / antecedent
    together["lift"] = together["confidence"] / (consequent / total)
    return together.sort_values(["lift", "antecedent", "consequent"], ascending=[False, True, True], ignore_index=True)


def bundles(affinity: pd.DataFrame, min_baskets: int, top: int = 10) -> pd.DataFrame:
    """The category pairs most often bought together beyond chance: each unordered pair once, highest lift first."""
    pairs = affinity[(affinity["baskets"] >= min_baskets) & (affinity["lift"] > 1)]
    pairs = pairs[pairs["antecedent"] < pairs["consequent"]]
    return pairs.head(top).reset_index(drop=True)


def tenure_bucket(days, bucket_days: int, buckets: int):
    """Days since a customer first bought an item, as a bucket number (the last bucket is open-ended)."""
    return np.minimum(days // bucket_days, buckets - 1)


def sequence_transitions(items: ibis.Table, bucket_days: int, *, buckets: int, shrinkage: float) -> pd.DataFrame:
    """What customers buy in their next basket after a basket holding A, by how long they had bought A.

    One row per (item, bucket, next_item): `baskets` (A baskets in the bucket that have a next basket),
    The bucket is how long the customer had bought A when the next basket came (so the lag counts).
    `followed` (of them, next basket held next_item), `share` (followed / baskets, pulled towards the
    item's share over all buckets with `shrinkage` pseudo-baskets) and `median_gap_days` (to the next basket)."""
    visits = items.select("customer_id", "purchase_date").distinct()
    visits = visits.mutate(
        next_date=visits.purchase_date.lead().over(group_by="customer_id", order_by="purchase_date")
    ).filter(lambda v: v.next_date.notnull())
    firsts = items.group_by(["customer_id", "item"]).aggregate(first_bought=items.purchase_date.min())
    origin = items.join(visits, ["customer_id", "purchase_date"]).join(firsts, ["customer_id", "item"])
    tenure = days_between(origin.next_date, origin.first_bought)  # how long they had bought A when they came back
    origin = origin.mutate(gap=days_between(origin.next_date, origin.purchase_date),
                           bucket=ibis.least(tenure // bucket_days, buckets - 1).cast("int64"))  # fmt: skip
    following = items.select("customer_id", next_date=items.purchase_date, next_item=items.item)
    steps = origin.join(following, ["customer_id", "next_date"])
    counts = steps.group_by(["item", "bucket", "next_item"]).aggregate(
        followed=steps.count(), median_gap_days=steps.gap.median().cast("float64"), baskets=ibis.null("int64")
    )
    base = origin.group_by(["item", "bucket"]).aggregate(
        next_item=ibis.null("string"), followed=ibis.null("int64"), median_gap_days=ibis.null("float64"),
        baskets=origin.count(),
    )  # fmt: skip
    # one query: the origin lines (a join of every basket line with the next visit) are computed once for both
    both = counts.union(base.select(*counts.columns)).execute()
    base = both[both["next_item"].isna()][["item", "bucket", "baskets"]].astype({"baskets": "int64"})
    counts = both[both["next_item"].notna()].drop(columns="baskets").astype({"followed": "int64"})
    table = counts.merge(base, on=["item", "bucket"])
    if table.empty:  # no customer came back
        return table.assign(share=pd.Series(dtype=float), median_gap_days=pd.Series(dtype=float))
    overall = table.groupby(["item", "next_item"])["followed"].transform("sum") / table["item"].map(
        base.groupby("item")["baskets"].sum()
    )
    table["share"] = (table["followed"] + shrinkage * overall) / (table["baskets"] + shrinkage)
    table["median_gap_days"] = table["median_gap_days"].astype(float)
    return table.sort_values(["item", "bucket", "share", "next_item"], ascending=[True, True, False, True],
                             ignore_index=True)  # fmt: skip


def top_switches(transitions: pd.DataFrame, bucket_days: int, *, min_baskets: int, top: int = 10) -> pd.DataFrame:
    """The moves to a different category that time brings: pairs A -> B whose share in some later tenure
    bucket is at least MIN_RISE times the share in the first bucket (just after customers started buying A),
    each at the bucket where it is most common, most common first. A stage change (stage-1 formula ->
    stage 2 after six months) rises steeply; a category bought alongside A all along does not."""
    moves = transitions[(transitions["item"] != transitions["next_item"]) & (transitions["followed"] >= min_baskets)]
    first = transitions[transitions["bucket"] == 0].set_index(["item", "next_item"])
    floor = 1.0 / (first["baskets"] + 1.0)  # a move never seen in the first bucket: at most one in its baskets
    start = first["share"].clip(lower=floor).groupby(level=[0, 1]).first()
    keys = pd.MultiIndex.from_frame(moves[["item", "next_item"]])
    baseline = start.reindex(keys).to_numpy()
    unseen = 1.0 / (transitions[transitions["bucket"] == 0].groupby("item")["baskets"].first() + 1.0)
    baseline = np.where(np.isnan(baseline), moves["item"].map(unseen).fillna(1.0).to_numpy(), baseline)
    moves = moves.assign(rise=moves["share"].to_numpy() / baseline)
    moves = moves[(moves["bucket"] > 0) & (moves["rise"] >= MIN_RISE)]
    best = moves.sort_values(["share", "followed"], ascending=False).drop_duplicates(["item", "next_item"])
    best = best.assign(after_days_from=best["bucket"] * bucket_days)
    return best.head(top).reset_index(drop=True)


@dataclass
class History:
    """What each customer bought up to a date: per customer and item, baskets, first and last day bought,
    and each customer's latest basket day, basket count and number of item rows. Both tables are in
    customer order, so a customer's item rows are the `item_rows` rows after those of the customers before."""

    items: pd.DataFrame  # customer_id, item, baskets, first_bought, last_bought; by customer, then item
    customers: pd.DataFrame  # indexed by customer_id, in order: baskets, last_basket, item_rows

    @classmethod
    def of(cls, items: ibis.Table) -> History:
        per_item = items.group_by(["customer_id", "item"]).aggregate(
            baskets=items.count(), first_bought=items.purchase_date.min(), last_bought=items.purchase_date.max()
        )
        table = per_item.order_by(["customer_id", "item"]).execute()
        for column in ("first_bought", "last_bought"):
            table[column] = pd.to_datetime(table[column])
        visits = items.select("customer_id", "purchase_date").distinct()
        per_customer = visits.group_by("customer_id").aggregate(
            baskets=visits.count(), last_basket=visits.purchase_date.max()
        )
        rows = per_item.group_by("customer_id").aggregate(item_rows=per_item.count())
        customers = per_customer.join(rows, "customer_id").order_by("customer_id").execute().set_index("customer_id")
        customers["last_basket"] = pd.to_datetime(customers["last_basket"])
        return cls(table, customers)

    def of_customers(self, customers: pd.Index) -> History:
        """The history of `customers` only (itself when they are everyone it knows)."""
        if customers.equals(self.customers.index):
            return self
        chosen = np.zeros(len(self.customers), dtype=bool)
        positions = self.customers.index.get_indexer(customers)  # a hash of the index, kept for the next call
        chosen[positions[positions >= 0]] = True
        return History(self.items[np.repeat(chosen, self.customers["item_rows"].to_numpy())], self.customers[chosen])

    def parts(self, size: int) -> Iterator[History]:
        """The history of `size` customers at a time, in customer order (slices: no search over the whole)."""
        ends = np.concatenate([[0], np.cumsum(self.customers["item_rows"].to_numpy())])
        for start in range(0, max(len(self.customers), 1), size):
            stop = min(start + size, len(self.customers))
            yield History(self.items.iloc[ends[start] : ends[stop]], self.customers.iloc[start:stop])


@dataclass
class Learnt:
    """Everything a method needs, learnt from the history up to one date."""

    as_of: date
    catalogue: pd.Index  # the items offers may name, most popular first
    popularity: pd.Series
    affinity: pd.DataFrame
    transitions: pd.DataFrame
    history: History
    bucket_days: int
    buckets: int
    score_at: date  # sequence offers: each customer's tenure is measured at this date (mid-horizon)


def learn(tx: ibis.Table, column: str, *, as_of: date, recent_days: int, bucket_days: int, buckets: int,
          shrinkage: float, max_items: int) -> Learnt:  # fmt: skip
    """Learn popularity (over the last `recent_days`), pair affinity and sequence transitions up to `as_of`;
    offers are for the next `recent_days`, so sequence offers look at each customer half-way through them."""
    # every table below reads the baskets: computed once from the lines, not once per query
    with kept(baskets(tx, column, start=None, end=as_of)) as items:
        popularity = item_popularity(baskets(tx, column, start=as_of - timedelta(days=recent_days - 1), end=as_of))
        everything = item_popularity(items)
        popularity = popularity.reindex(everything.index, fill_value=0.0).sort_values(ascending=False, kind="stable")
        catalogue = popularity.index[:max_items]
        # pairs, moves and histories of the catalogue's items only: memory bounded by max_items, not by how many
        # products the shop ever sold (thousands of free-text descriptions made the pair table outgrow the machine)
        known = items.filter(items.item.isin(list(catalogue))) if len(everything) > max_items else items
        return Learnt(
            as_of=as_of,
            catalogue=catalogue,
            popularity=popularity.loc[catalogue],
            affinity=pair_affinity(known),
            transitions=sequence_transitions(known, bucket_days, buckets=buckets, shrinkage=shrinkage),
            history=History.of(known),
            bucket_days=bucket_days,
            buckets=buckets,
            score_at=as_of + timedelta(days=recent_days // 2),
        )


@dataclass
class Scores:
    """A method's scores: customers x catalogue, with the evidence behind each score."""

    method: str
    customers: pd.Index
    catalogue: pd.Index
    values: np.ndarray  # customers x items
    evidence: dict  # name -> customers x items array the reason sentence reads

    def top(self, k: int) -> np.ndarray:
        """Column positions of each customer's k best items, best first."""
        k = min(k, len(self.catalogue))
        return np.argsort(-self.values, axis=1, kind="stable")[:, :k]


def _located(history: History, rows: np.ndarray, catalogue: pd.Index) -> pd.DataFrame:
    """The history's item rows with `row`, their customer's row among those scored (`rows`: one per history
    customer), and `column`, their item's column in the catalogue (-1 when not in it): positions found per customer
    and per item name, not per row (a text lookup for each of millions of rows took most of the scoring)."""
    items = history.items
    row = np.repeat(rows, history.customers["item_rows"].to_numpy())
    codes, names = pd.factorize(items["item"])
    return items.assign(row=row, column=catalogue.get_indexer(names)[codes])


def _matrix(located: pd.DataFrame, shape: tuple[int, int], value: str) -> np.ndarray:
    """A customers x catalogue array of `value` from `_located` rows (0 where absent)."""
    out = np.zeros(shape)
    keep = (located["row"].to_numpy() >= 0) & (located["column"].to_numpy() >= 0)
    rows, columns = located["row"].to_numpy()[keep], located["column"].to_numpy()[keep]
    np.maximum.at(out, (rows, columns), located[value].to_numpy(dtype=float)[keep])
    return out


def score(learnt: Learnt, method: str, customers: pd.Index) -> Scores:
    """Score every customer in `customers` (known or not by the history) on every catalogue item; a customer's
    scores depend on their own history alone, so scoring a part of the customers gives their rows of the whole."""
    learnt = replace(learnt, history=learnt.history.of_customers(customers))
    catalogue, history = learnt.catalogue, learnt.history
    shape = (len(customers), len(catalogue))
    base = learnt.popularity.reindex(catalogue).to_numpy()
    # popularity, then the catalogue's order: a deterministic order for equal scores
    tie = TIE_BREAK * (base + 1.0 / (1.0 + np.arange(len(catalogue))) * TIE_BREAK)
    evidence: dict[str, np.ndarray] = {"popularity": np.broadcast_to(base, shape)}
    rows = customers.get_indexer(history.customers.index)  # the history's customers are all among `customers`
    if method == "popularity":
        values = np.broadcast_to(base, shape).copy()
    elif method == "buy again":
        counts = _matrix(_located(history, rows, catalogue), shape, "baskets")
        total = np.zeros(len(customers))
        total[rows] = history.customers["baskets"].to_numpy()
        values = np.divide(counts, total[:, None], out=np.zeros_like(counts), where=total[:, None] > 0)
        evidence["own_share"] = values
    elif method == "co-purchase":
        values, source = _co_purchase(learnt, _located(history, rows, catalogue), shape)
        evidence["confidence"], evidence["source"] = values, source
    elif method == "sequence":
        values, source, tenure, gap = _sequence(learnt, _located(history, rows, catalogue), shape)
        evidence |= {"share": values, "source": source, "tenure": tenure, "gap": gap}
    else:
        raise ValueError(f"unknown method '{method}'; methods are {METHODS}")
    return Scores(method, customers, catalogue, values + tie, evidence)


def _rule_table(rules: pd.DataFrame, catalogue: pd.Index, *, source: str, target: str, values: tuple[str, ...],
                buckets: int = 1, bucket: str | None = None) -> dict[str, np.ndarray]:  # fmt: skip
    """Rules from a `source` item (and a `bucket` below `buckets`) to a `target` item as dense arrays of each of
    `values`: one row per source item of the catalogue and bucket (the item's position times `buckets` plus the
    bucket), one column per catalogue item; NaN where there is no rule (items outside the catalogue are left out)."""
    source_at = catalogue.get_indexer(pd.Index(rules[source]))
    target_at = catalogue.get_indexer(pd.Index(rules[target]))
    known = (source_at >= 0) & (target_at >= 0)
    key = source_at * buckets + (rules[bucket].to_numpy() if bucket else 0)
    tables = {}
    for name in values:
        table = np.full((len(catalogue) * buckets, len(catalogue)), np.nan)
        table[key[known], target_at[known]] = rules[name].to_numpy(dtype=float)[known]
        tables[name] = table
    return tables


def _best_over_sources(row: np.ndarray, rule: np.ndarray, *, table: np.ndarray, shape: tuple[int, int],
                       at_once: int = BEST_LINES_AT_ONCE) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """Per customer row and target column, the largest value over the customer's source lines: `row` (the
    customer's row, -1 for none; a customer's lines together), `rule` (the line's row of `table`, -1 for none) and
    `table` (rules x targets, NaN where no rule). Returns the value (0 where no rule applies) and the line it came
    from (-1 where none); of equal values the customer's first line's. Dense per rule, `at_once` lines at a time,
    so no table of every (customer, source, target) is built and sorted."""
    lines = np.flatnonzero((row >= 0) & (rule >= 0))
    best, line = np.full(shape, -np.inf), np.full(shape, -1)
    if not len(lines):
        return np.zeros(shape), line
    starts = np.flatnonzero(np.r_[True, row[lines][1:] != row[lines][:-1]])
    rank = np.arange(len(lines)) - np.repeat(starts, np.diff(np.r_[starts, len(lines)]))
    for k in range(int(rank.max()) + 1):  # each customer's k-th line at once: rows are distinct within a pass
        for part in np.array_split(lines[rank == k], max(1, int(np.sum(rank == k)) // at_once)):
            rows, values = row[part], table[rule[part]]
            better = values > best[rows]  # NaN (no rule) is never better; an equal value keeps the earlier line
            best[rows] = np.where(better, values, best[rows])
            line[rows] = np.where(better, part[:, None], line[rows])
    return np.where(line >= 0, best, 0.0), line


def _co_purchase(learnt: Learnt, located: pd.DataFrame, shape: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """For each item a customer bought, the confidence of each other item in baskets with it; the best source."""
    tables = _rule_table(learnt.affinity, learnt.catalogue, source="antecedent", target="consequent",
                         values=("confidence",))  # fmt: skip
    column = located["column"].to_numpy()
    best, line = _best_over_sources(located["row"].to_numpy(), column, table=tables["confidence"], shape=shape)
    return best, _of_lines(column, line, missing=-1)


def _sequence(learnt: Learnt, located: pd.DataFrame, shape: tuple[int, int]) -> tuple[np.ndarray, ...]:
    """From the items of each customer's latest basket, with how long the customer will have bought each by
    `learnt.score_at`, to the items of the next basket: share, source, tenure and the rule's median gap."""
    per_customer, buckets = learnt.history.customers, learnt.buckets
    last = np.repeat(per_customer["last_basket"].to_numpy(), per_customer["item_rows"].to_numpy())
    latest = located[located["last_bought"].to_numpy() == last]
    tenure = (pd.Timestamp(learnt.score_at) - latest["first_bought"]).dt.days.to_numpy()
    source = latest["column"].to_numpy()
    rule = np.where(source >= 0, source * buckets + tenure_bucket(tenure, learnt.bucket_days, buckets), -1)
    tables = _rule_table(learnt.transitions, learnt.catalogue, source="item", target="next_item",
                         values=("share", "median_gap_days"), buckets=buckets, bucket="bucket")  # fmt: skip
    share, line = _best_over_sources(latest["row"].to_numpy(), rule, table=tables["share"], shape=shape)
    found = line >= 0
    gap = np.full(shape, np.nan)
    gap[found] = tables["median_gap_days"][rule[line[found]], np.nonzero(found)[1]]
    return share, _of_lines(source, line, missing=-1), _of_lines(tenure.astype(float), line, missing=np.nan), gap


def _of_lines(values: np.ndarray, line: np.ndarray, *, missing: float) -> np.ndarray:
    """Each cell's `values` of the line it came from (`_best_over_sources`), `missing` where none."""
    out = np.full(line.shape, missing, dtype=values.dtype)
    found = line >= 0
    out[found] = values[line[found]]
    return out


def bought_between(tx: ibis.Table, column: str, *, start: date, end: date) -> pd.Series:
    """The set of items each customer bought in [start, end], indexed by customer_id."""
    items = baskets(tx, column, start=start, end=end).select("customer_id", "item").distinct().execute()
    items = items.sort_values(["customer_id", "item"], ignore_index=True)
    starts = np.flatnonzero(items["customer_id"].ne(items["customer_id"].shift()).to_numpy())
    names = items["item"].to_numpy(dtype=object)
    # sliced per customer from the sorted rows (a groupby calling frozenset per group took seconds per 100,000)
    sets = [frozenset(names[a:b]) for a, b in pairwise([*starts, len(items)])]
    return pd.Series(sets, index=pd.Index(items["customer_id"].iloc[starts], name="customer_id"), name="item")


def checked_customers(bought: pd.Series, known: pd.Index, *, max_customers: int | None, random_state: int) -> pd.Series:
    """What the customers known at the cutoff bought after it, for the offer check: all of them, or beyond
    `max_customers` a seeded sample of that many (in customer order)."""
    truth = bought[known.get_indexer(bought.index) >= 0]
    if max_customers is None or len(truth) <= max_customers:
        return truth
    rows = np.random.default_rng(random_state).choice(len(truth), size=max_customers, replace=False)
    return truth.iloc[np.sort(rows)]


def evaluate(scores: Scores, truth: pd.Series, k: int) -> dict:
    """Hit rate@k (share of customers with at least one of their k offers bought) and recall@k (share of
    the items they bought that were among the offers, averaged over customers), on customers in `truth`."""
    top = scores.top(k)[scores.customers.get_indexer(truth.index)]
    offered = np.zeros((len(truth), len(scores.catalogue) + 1), dtype=bool)  # the last column: not in the catalogue
    offered[np.arange(len(truth))[:, None], top] = True
    sizes = truth.map(len).to_numpy()
    bought = scores.catalogue.get_indexer(pd.Index(list(chain.from_iterable(truth)), dtype=scores.catalogue.dtype))
    hit = offered[np.repeat(np.arange(len(truth)), sizes), bought]  # -1 (not in the catalogue): the last column
    hits = np.bincount(np.repeat(np.arange(len(truth)), sizes), weights=hit, minlength=len(truth))
    return {"customers": len(truth), "hit_rate": float((hits > 0).mean()), "recall": float((hits / sizes).mean())}


def backtest(tx: ibis.Table, column: str, *, cutoff: date, horizon_days: int, k: int, max_customers: int | None = None,
             random_state: int = 0, **settings) -> pd.DataFrame:  # fmt: skip
    """Learn up to `cutoff`, offer k items to the customers known then, and check against what each of them
    bought in the next `horizon_days` (beyond `max_customers` buyers, on a seeded sample of that many): one row
    per method, with the customers checked, among how many buyers, and the gain over popularity."""
    learnt = learn(tx, column, as_of=cutoff, recent_days=horizon_days, **settings)
    bought = bought_between(tx, column, start=cutoff + timedelta(days=1), end=cutoff + timedelta(days=horizon_days))
    known = learnt.history.customers.index
    buyers = int((known.get_indexer(bought.index) >= 0).sum())
    truth = checked_customers(bought, known, max_customers=max_customers, random_state=random_state)
    del bought
    if truth.empty:
        raise NextPurchaseDataError(t("05_next_purchase cannot check offers: {error}", error=t(
            "no customer known at {cutoff} bought a {column} in the {days} days after it", cutoff=cutoff,
            column=t(column.replace("_", " ")), days=horizon_days)))  # fmt: skip
    table = pd.DataFrame({method: evaluate(score(learnt, method, truth.index), truth, k) for method in METHODS}).T
    table["customers"] = table["customers"].astype(int)
    table["buyers"] = buyers
    base = table.loc["popularity"]
    table["hit_rate_gain"] = table["hit_rate"] - base["hit_rate"]
    table["recall_gain"] = table["recall"] - base["recall"]
    return table.rename_axis("method")


def choose_method(evaluation: pd.DataFrame) -> str:
    """The method with the best hit rate (then recall); popularity when nothing beats it."""
    ranked = evaluation.sort_values(["hit_rate", "recall"], ascending=False, kind="stable")
    return str(ranked.index[0])


def offers(scores: Scores, learnt: Learnt, *, k: int, recent_days: int) -> pd.DataFrame:
    """Per customer: next_best_offer, other_offers (the next k-1, best first) and offer_reason:
    the evidence behind the first offer in one line, in the report language."""
    top = scores.top(k)
    first = top[:, 0]
    table = pd.DataFrame(
        {
            "next_best_offer": scores.catalogue[first],
            "other_offers": _joined(scores.catalogue, top[:, 1:]),
        },
        index=scores.customers,
    )
    table["offer_reason"] = _reasons(scores, learnt, first=first, recent_days=recent_days)
    return table.rename_axis("customer_id")


def offers_for_everyone(learnt: Learnt, method: str, *, k: int, recent_days: int, chunk: int = OFFER_CHUNK
                        ) -> pd.DataFrame:  # fmt: skip
    """`offers` for every customer the history knows, `chunk` customers at a time: the scores and their
    evidence are customers x catalogue arrays, and the rows behind them a few per customer and category."""
    parts = (replace(learnt, history=part) for part in learnt.history.parts(chunk))
    return pd.concat(
        offers(score(part, method, part.history.customers.index), part, k=k, recent_days=recent_days) for part in parts
    )


def _joined(catalogue: pd.Index, positions: np.ndarray) -> list[str]:
    """Each row's items at these catalogue positions as one text ('a, b'), joined by Arrow, not row by row."""
    if not positions.shape[1]:
        return [""] * len(positions)
    names = [pa.array(np.asarray(catalogue, dtype=object)[column]) for column in positions.T]
    return pc.binary_join_element_wise(*names, ", ").to_pylist()


def _reasons(scores: Scores, learnt: Learnt, *, first: np.ndarray, recent_days: int) -> pd.Series:
    """The evidence behind each customer's first offer (vectorised over customers)."""
    rows = np.arange(len(first))
    index = scores.customers

    def evidence(name: str, shown: str = "{:.0%}") -> pd.Series:
        # formatted once per distinct value: a few hundred shares among a million customers
        return each_distinct(pd.Series(scores.evidence[name][rows, first], index=index, dtype=float), shown.format)

    offer = pd.Series(scores.catalogue[first], index=index, dtype=object)
    reason = t_series("{share} of customers bought {item} in the last {days} days", share=evidence("popularity"),
                      item=offer, days=str(recent_days))  # fmt: skip
    if scores.method == "buy again":
        mine = pd.Series(scores.evidence["own_share"][rows, first] > 0, index=index)
        told = t_series("{item} was in {share} of their purchases", item=offer, share=evidence("own_share"))
        return reason.where(~mine, told)
    if scores.method not in ("co-purchase", "sequence"):
        return reason
    source = scores.evidence["source"][rows, first]
    names = pd.Series(scores.catalogue[np.maximum(source, 0)], index=index, dtype=object)
    if scores.method == "co-purchase":
        told = t_series("they buy {source}; {share} of baskets with {source} also hold {item}", source=names,
                        share=evidence("confidence"), item=offer)  # fmt: skip
        return reason.where(~pd.Series(source >= 0, index=index), told)
    ahead = (learnt.score_at - learnt.as_of).days
    since = scores.evidence["tenure"][rows, first] - ahead
    known = (source >= 0) & ~np.isnan(since) & ~np.isnan(scores.evidence["gap"][rows, first])
    told = t_series(
        "first bought {source} {days} days ago; {share} of customers at that point buy {item} in their next "
        "purchase, typically {gap} days later", source=names,
        days=each_distinct(pd.Series(since, index=index), "{:,.0f}".format), share=evidence("share"), item=offer,
        gap=evidence("gap", "{:,.0f}"),
    )  # fmt: skip
    return reason.where(~pd.Series(known, index=index), told)


def offers_for_the_stage(
    table: pd.DataFrame,
    births: pd.DataFrame,
    stages: dict[str, tuple[int, int]],
    *,
    lead_days: int,
    today: pd.Timestamp,
) -> pd.DataFrame:
    """Each customer's offer as their baby's stage allows (`births`: per customer `birth`, the best estimate, and
    `oldest`, the earliest it may be; from life_stage.family_births).

    A category of `stages` is offered only when it fits on the send date (offer_send_on, else tomorrow): from
    `lead_days` before its stage begins (best estimate) until it ends (even for the oldest the baby may be), so
    never one the family has outgrown; a family whose baby is unknown gets none. Each customer gets the first of
    their ranked offers (next_best_offer, then other_offers) that fits; a family whose baby reaches the start of
    another stage category within `lead_days` is offered that category, sent a week before the transition at the
    latest. The reason says why an offer changed."""
    table = table.copy()
    products = None  # each category's best product, as the first offers named it
    if "offer_product" in table:
        named = table.dropna(subset=["offer_product"]).drop_duplicates("next_best_offer")
        products = named.set_index("next_best_offer")["offer_product"]
    tomorrow = today + pd.Timedelta(days=1)
    send = pd.to_datetime(table.get("offer_send_on", pd.Series(pd.NaT, index=table.index))).fillna(tomorrow)
    birth = births["birth"].reindex(table.index)
    age, oldest_age = (send - birth).dt.days, (send - births["oldest"].reindex(table.index)).dt.days
    ranked = [table["next_best_offer"]]
    if "other_offers" in table:
        others = table["other_offers"].fillna("").str.split(", ")
        longest = others.map(len).max()
        ranked += [others.str[k] for k in range(int(longest or 0))]
    chosen = pd.Series(pd.NA, index=table.index, dtype=object)
    for candidate in ranked:
        start = candidate.map({c: s - lead_days for c, (s, _) in stages.items()})
        end = candidate.map({c: e for c, (_, e) in stages.items()})
        staged = start.notna()
        fits = candidate.notna() & (candidate != "") & (~staged | ((age >= start) & (oldest_age < end)))
        chosen = chosen.where(chosen.notna() | ~fits, candidate)
    changed = (chosen.fillna("") != table["next_best_offer"].fillna("")).to_numpy()
    table.loc[changed, "offer_reason"] = t_series(
        "{item} fits the baby's age ({months} months) on the send date", item=chosen[changed].fillna("–"),
        months=(age[changed] / 30.44).round().astype("Int64").astype(str))  # fmt: skip
    table.loc[changed & chosen.isna().to_numpy(), "offer_reason"] = t("no ranked offer fits the baby's age")
    table.loc[changed & birth.isna().to_numpy(), "offer_reason"] = t(
        "the baby's age is unknown, so no stage category is offered"
    )
    table["next_best_offer"] = table["next_best_offer"].where(~changed, chosen)
    upcoming = life_stage.next_stage(births.loc[births.index.isin(table.index)], today.date(), stages,
                                     lead_days=lead_days)  # fmt: skip
    moving = upcoming.index
    latest_send = (upcoming["transition"] - pd.Timedelta(days=7)).where(lambda d: d > tomorrow, tomorrow)
    table.loc[moving, "next_best_offer"] = upcoming["next_item"]
    table.loc[moving, "offer_send_on"] = pd.concat([send.reindex(moving), latest_send], axis=1).min(axis=1)
    table.loc[moving, "offer_reason"] = t_series(
        "the baby reaches {item} around {day}: offered before the move", item=upcoming["next_item"],
        day=upcoming["transition"].dt.strftime("%Y-%m-%d"))  # fmt: skip
    if products is not None:
        table["offer_product"] = table["next_best_offer"].map(products).astype("string")
    return table


def best_products(tx: ibis.Table, category: str, *, product: str, start: date, end: date) -> pd.Series:
    """Per category, the product most customers bought in [start, end] (ties by product id)."""
    lines = tx.filter((tx.purchase_date >= ibis.date(start)) & (tx.order_date < end_of_day(end)) & (tx.amount > 0))
    lines = lines.filter(lines[category].notnull() & lines[product].notnull())
    counts = lines.group_by(item=lines[category].strip(), product=lines[product]).aggregate(
        customers=lines.customer_id.nunique()
    )
    table = counts.execute().sort_values(["item", "customers", "product"], ascending=[True, False, True])
    return table.drop_duplicates("item").set_index("item")["product"]
