"""Transactions -> per-customer tables, as Ibis expressions (DuckDB by default, Spark unchanged).

A purchase occasion is a customer-day with positive net spend: lines of one order
are one purchase (returns were netted into their order at ingest), and orders on
the same day merge, as in the BTYD literature. Only the per-customer results
become pandas DataFrames.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

import ibis
import numpy as np
import pandas as pd
import pyarrow as pa

from helpers.data.backends import kept

__all__ = [
    "DAYS_PER_UNIT",
    "MIX_COUNTS",
    "MONEY_DIGITS",
    "SAMPLE_BUCKETS",
    "WINDOWS_DAYS",
    "btyd_summary",
    "calibration_holdout",
    "churn_features",
    "churn_labels",
    "columns_with_values",
    "customer_sample",
    "customer_summary",
    "customers_by",
    "days_between",
    "end_of_day",
    "fetch",
    "fetch_customer_summary",
    "first_purchase_date",
    "first_transaction_date",
    "history_metrics",
    "in_units",
    "last_purchase_date",
    "money_sum",
    "monthly_cohorts",
    "occasions_with_gaps",
    "order_purchase_date",
    "purchases",
    "repeat_purchases_by_period",
    "spend_mix",
    "window_buyers",
]

DAYS_PER_UNIT = {"days": 1.0, "weeks": 7.0}
MIX_COUNTS = {"channel": "n_channels", "category": "n_categories"}
# Sums of floats come out of a parallel engine in the order its threads finish, which moves the last bit.
# Money sums (and mean gaps) are rounded far below a cent, so every result is the same bit for bit.
MONEY_DIGITS = 6
SAMPLE_BUCKETS = 1 << 20  # customer_sample: hash buckets, so a share is exact to one part in a million


def fetch(expr: ibis.Table) -> pd.DataFrame:
    """A table of text, numbers and flags computed and brought into pandas through Arrow: the frame `execute()`
    gives (dates would come back as Python dates), at about half the peak memory and time (the churn features of
    12 million customers: 8.2 GiB peak in 88 s, against 15.1 GiB in 186 s); Arrow's copy is released column by
    column as pandas takes it over."""
    table = ibis.get_backend(expr).to_pyarrow(expr)
    frame = table.to_pandas(split_blocks=True, self_destruct=True)  # each column freed once converted
    del table
    pa.default_memory_pool().release_unused()  # Arrow's allocator would keep the freed memory for itself
    return frame


def columns_with_values(tx: ibis.Table, columns: Sequence[str], *, where: ibis.BooleanValue | None = None) -> list[str]:
    """Those of `columns` the table has with a value on at least one line (of those `where` selects), in their
    order: one scan for all of them."""
    present = [c for c in columns if c in tx.columns]
    if not present:
        return []
    lines = tx if where is None else tx.filter(where)
    counts = lines.aggregate(**{f"_{i}": lines[c].count() for i, c in enumerate(present)}).execute().iloc[0]
    return [c for i, c in enumerate(present) if counts[f"_{i}"] > 0]


def money_sum(values: ibis.NumericColumn) -> ibis.FloatingValue:
    """The sum, rounded to MONEY_DIGITS decimals: independent of the order the engine adds in."""
    return values.sum().round(MONEY_DIGITS)


def end_of_day(day: date) -> ibis.TimestampValue:
    """The first instant after `day`: `order_date < end_of_day(d)` means 'on or before d'."""
    return ibis.timestamp(day + timedelta(days=1))


def order_purchase_date(
    order_date: ibis.TimestampColumn, customer_id: ibis.StringColumn, order_id: ibis.StringColumn
) -> ibis.DateValue:
    """The date an order was placed: its earliest line (a netted return carries its order's key, not date).

    Ingest stores it as `purchase_date`, so that summaries group lines by customer-day in one pass."""
    return order_date.min().over(group_by=[customer_id, order_id]).date()


def purchases(tx: ibis.Table, as_of: date | None = None) -> ibis.Table:
    """One row per purchase occasion (customer-day): customer_id, purchase_date, amount."""
    if "purchase_date" not in tx.columns:  # a table not written by ingest
        tx = tx.mutate(purchase_date=order_purchase_date(tx.order_date, tx.customer_id, tx.order_id))
    if as_of is not None:  # an order with a line by `as_of` began by then: its date is unchanged by the cut
        tx = tx.filter(tx.order_date < end_of_day(as_of))
    days = tx.group_by(["customer_id", "purchase_date"]).aggregate(
        amount=money_sum(tx.amount), returns=tx.is_return.sum()
    )
    # a day whose returns cancel its purchases is no purchase; a kept $0 line (a gift) is one
    return days.filter((days.amount > 0) | ((days.amount == 0) & (days.returns == 0))).drop("returns")


def first_purchase_date(occasions: ibis.Table) -> ibis.DateValue:
    """Each occasion's customer's first purchase date (a window over the customer's occasions)."""
    return occasions.purchase_date.min().over(group_by="customer_id")


def last_purchase_date(tx: ibis.Table) -> date:
    """The date of the latest transaction: the default analysis date."""
    return pd.Timestamp(tx.order_date.max().execute()).date()


def first_transaction_date(tx: ibis.Table) -> date:
    """The date of the earliest transaction: where the history starts."""
    return pd.Timestamp(tx.order_date.min().execute()).date()


def days_between(later: ibis.DateValue, earlier: ibis.DateValue) -> ibis.IntegerValue:
    return later.delta(earlier, unit="day")


def in_units(days: ibis.IntegerValue, per_unit: float) -> ibis.FloatingValue:
    """Days as a float number of units (Spark would divide an integer by 7.0 in rounded decimals)."""
    return days.cast("float64") / per_unit


def occasions_with_gaps(tx: ibis.Table, as_of: date) -> ibis.Table:
    """Purchase occasions up to `as_of`, with `gap`: days since the customer's previous one (NULL for the first)."""
    occasions = purchases(tx, as_of)
    previous = occasions.purchase_date.lag().over(group_by="customer_id", order_by="purchase_date")
    return occasions.mutate(gap=days_between(occasions.purchase_date, previous))


def history_metrics(occasions: ibis.Table) -> dict:
    """Per-customer aggregates shared by every summary: first/last purchase, purchases, spend, mean gap."""
    return {
        "first_purchase": occasions.purchase_date.min(),
        "last_purchase": occasions.purchase_date.max(),
        "purchases": occasions.count(),
        "total_spend": money_sum(occasions.amount),
        "interval_mean_days": occasions.gap.mean().round(MONEY_DIGITS),
    }


def customer_summary(tx: ibis.Table, as_of: date) -> ibis.Table:
    """Per-customer RFM and behaviour as of `as_of` (inclusive), from the transactions before it.

    Columns: first/last purchase, tenure_days, recency_days, purchases (purchase
    occasions), total_spend, avg_spend, interval_mean/median_days (NULL for a single
    purchase); plus n_channels, n_categories, favourite_channel/category and
    return_rate when those columns exist.
    """
    return _summary_of(_purchase_history(tx, as_of), _behaviour(tx, as_of))


def fetch_customer_summary(tx: ibis.Table, as_of: date) -> pd.DataFrame:
    """`customer_summary`'s table, its purchase history and its behaviour each computed and kept in the engine
    before they are joined: in one plan both halves' per-customer aggregates (a median and distinct counts among
    them) are held at once, more than DuckDB's 6 GB at 12 million customers (kept: 64 s, 6.3 GiB)."""
    with kept(_purchase_history(tx, as_of)) as history, kept(_behaviour(tx, as_of)) as behaviour:
        return _summary_of(history, behaviour).execute()


def _purchase_history(tx: ibis.Table, as_of: date) -> ibis.Table:
    occasions = occasions_with_gaps(tx, as_of)
    as_of_day = ibis.date(as_of)
    summary = occasions.group_by("customer_id").aggregate(
        **history_metrics(occasions), interval_median_days=occasions.gap.median()
    )
    return summary.mutate(
        tenure_days=days_between(as_of_day, summary.first_purchase),
        recency_days=days_between(as_of_day, summary.last_purchase),
        avg_spend=summary.total_spend / summary.purchases,
    )


def _summary_of(history: ibis.Table, behaviour: ibis.Table) -> ibis.Table:
    return history.left_join(behaviour, "customer_id").drop("customer_id_right").order_by("customer_id")


def _behaviour(tx: ibis.Table, as_of: date, *, favourites: bool = True) -> ibis.Table:
    """Channel/category mix and return rate, from whichever of those columns exist; with `favourites`, each
    customer's favourite channel and category too (a join the engine computes even when its columns are dropped)."""
    tx = tx.filter(tx.order_date < end_of_day(as_of))
    metrics = {
        "gross_spend": money_sum(ibis.ifelse(tx.is_return, 0.0, tx.amount)),
        "returned_spend": money_sum(ibis.ifelse(tx.is_return, -tx.amount, 0.0)),
    }
    mix = [column for column in ("channel", "category") if column in tx.columns]
    for column in mix:
        metrics[MIX_COUNTS[column]] = tx[column].nunique()
    behaviour = tx.group_by("customer_id").aggregate(**metrics)
    for column in mix if favourites else ():
        behaviour = behaviour.left_join(_favourite(tx, column), "customer_id").drop("customer_id_right")
    behaviour = behaviour.mutate(
        return_rate=ibis.ifelse(behaviour.gross_spend > 0, behaviour.returned_spend / behaviour.gross_spend, 0.0)
    )
    return behaviour.drop("gross_spend", "returned_spend")


def _favourite(tx: ibis.Table, column: str) -> ibis.Table:
    """Each customer's most frequent known value of `column` (by lines; ties go to the first in sort order).

    One aggregate picks it (the value with the smallest (-lines, value)), not a window ranking every
    (customer, value) pair: at 1e7 lines the customer summary then fits DuckDB's memory cap of 300 MB,
    where the window's plan needed over 500 MB (bench/README, issue 15)."""
    known = tx.filter(tx[column].notnull())
    counts = known.group_by(["customer_id", column]).aggregate(lines=known.count())
    most_lines_first_by_name = ibis.struct({"fewer_lines": -counts.lines, "value": counts[column]})
    favourite = counts[column].argmin(most_lines_first_by_name)
    return counts.group_by("customer_id").aggregate(**{f"favourite_{column}": favourite})


def calibration_holdout(
    tx: ibis.Table, calibration_end: date, *, observation_end: date, unit: str = "weeks"
) -> ibis.Table:
    """The BTYD summary of customers acquired by `calibration_end`.

    frequency_cal (repeat occasions), recency_cal and T_cal in `unit`, monetary_cal
    (mean value of repeat occasions, 0 without repeats), frequency_holdout,
    monetary_holdout and duration_holdout. Weeks are days / 7.
    """
    per_unit = DAYS_PER_UNIT[unit]
    occasions = purchases(tx, observation_end)
    in_cal = occasions.purchase_date <= ibis.date(calibration_end)
    # one pass, no window: the first occasion's amount is the amount at the earliest date (arg_min)
    summary = occasions.group_by("customer_id").aggregate(
        first_purchase=occasions.purchase_date.min(),
        first_amount=occasions.amount.argmin(occasions.purchase_date),
        n_cal=in_cal.sum(),
        last_cal=ibis.ifelse(in_cal, occasions.purchase_date, ibis.null("date")).max(),
        spend_cal=money_sum(ibis.ifelse(in_cal, occasions.amount, 0.0)),
        frequency_holdout=(~in_cal).sum(),
        spend_holdout=money_sum(ibis.ifelse(in_cal, 0.0, occasions.amount)),
    )
    summary = summary.filter(summary.first_purchase <= ibis.date(calibration_end))
    repeat_spend_cal = summary.spend_cal - summary.first_amount
    frequency = summary.n_cal - 1
    return summary.select(
        "customer_id",
        "first_purchase",
        frequency_cal=frequency.cast("float64"),
        recency_cal=in_units(days_between(summary.last_cal, summary.first_purchase), per_unit),
        T_cal=in_units(days_between(ibis.date(calibration_end), summary.first_purchase), per_unit),
        monetary_cal=ibis.ifelse(frequency > 0, repeat_spend_cal / frequency, 0.0),
        frequency_holdout=summary.frequency_holdout.cast("float64"),
        monetary_holdout=ibis.ifelse(
            summary.frequency_holdout > 0, summary.spend_holdout / summary.frequency_holdout, 0.0
        ),
        duration_holdout=ibis.literal((observation_end - calibration_end).days / per_unit),
    ).order_by("customer_id")


def btyd_summary(tx: ibis.Table, as_of: date, unit: str = "weeks") -> ibis.Table:
    """frequency, recency, T and monetary_value as of `as_of`, for forecasting with every purchase."""
    cal = calibration_holdout(tx, as_of, observation_end=as_of, unit=unit)
    return cal.select(
        "customer_id",
        frequency=cal.frequency_cal,
        recency=cal.recency_cal,
        T=cal.T_cal,
        monetary_value=cal.monetary_cal,
    )


def repeat_purchases_by_period(
    tx: ibis.Table, calibration_end: date, *, observation_end: date, unit: str = "weeks"
) -> pd.Series:
    """Repeat purchases (all but each customer's first) of customers acquired by `calibration_end`,
    counted by period since the earliest first purchase (index 0, 1, ...)."""
    occasions = purchases(tx, observation_end)
    occasions = occasions.mutate(first_purchase=first_purchase_date(occasions))
    cohort = occasions.filter(occasions.first_purchase <= ibis.date(calibration_end))
    # one pass: per day, the cohort's repeat purchases (the earliest day with a cohort occasion is the earliest
    # first purchase, where the periods start)
    days = cohort.group_by("purchase_date").aggregate(n=(cohort.purchase_date > cohort.first_purchase).sum()).execute()
    if days.empty:
        return pd.Series(dtype="int64", name="n").rename_axis("period")
    elapsed = (pd.to_datetime(days["purchase_date"]) - pd.to_datetime(days["purchase_date"]).min()).dt.days
    repeats = days.assign(period=np.floor(elapsed / DAYS_PER_UNIT[unit]).astype("int64"))
    repeats = repeats[repeats["n"] > 0]
    return repeats.groupby("period")["n"].sum().astype("int64").sort_index()


def monthly_cohorts(tx: ibis.Table, as_of: date) -> pd.DataFrame:
    """Per acquisition month and months since: active customers and revenue (long table)."""
    occasions = purchases(tx, as_of)
    occasions = occasions.mutate(
        cohort=first_purchase_date(occasions).truncate("M"), month=occasions.purchase_date.truncate("M")
    )
    occasions = occasions.mutate(month_index=occasions.month.delta(occasions.cohort, unit="month"))
    table = occasions.group_by(["cohort", "month_index"]).aggregate(
        customers=occasions.customer_id.nunique(), revenue=money_sum(occasions.amount)
    )
    return table.order_by(["cohort", "month_index"]).execute()


def spend_mix(tx: ibis.Table, groups: pd.DataFrame, *, group_column: str, column: str, as_of: date) -> pd.DataFrame:
    """Share of each group's spend by `column` (e.g. channel or category); groups: customer_id -> group."""
    tx = tx.filter((tx.order_date < end_of_day(as_of)) & ~tx.is_return)
    labels = ibis.memtable(groups[["customer_id", group_column]])
    joined = tx.join(labels, "customer_id")
    spend = joined.group_by([group_column, column]).aggregate(spend=money_sum(joined.amount)).execute()
    table = spend.pivot_table(index=group_column, columns=column, values="spend", aggfunc="sum").fillna(0.0)
    return table.div(table.sum(axis=1), axis=0)


WINDOWS_DAYS = (30, 90, 180)


def churn_features(tx: ibis.Table, cutoff: date) -> ibis.Table:
    """Per-customer features as of `cutoff`, from transactions on or before it only.

    Recency, frequency, spend, tenure, inter-purchase interval mean/std and recency over the
    customer's mean interval; purchases and spend in the last 30/90/180 days and their
    trend (last 90 days minus the 90 before); channel/category diversity and return rate
    when those columns exist.
    """
    occasions = occasions_with_gaps(tx, cutoff)
    occasions = occasions.mutate(days_ago=days_between(ibis.date(cutoff), occasions.purchase_date))
    windows = {}
    for days in WINDOWS_DAYS:
        inside = occasions.days_ago < days
        windows[f"purchases_{days}d"] = inside.sum()
        windows[f"spend_{days}d"] = money_sum(ibis.ifelse(inside, occasions.amount, 0.0))
    earlier = (occasions.days_ago >= 90) & (occasions.days_ago < 180)
    summary = occasions.group_by("customer_id").aggregate(
        **history_metrics(occasions),
        interval_std_days=occasions.gap.std().round(MONEY_DIGITS),
        purchases_prev_90d=earlier.sum(),
        spend_prev_90d=money_sum(ibis.ifelse(earlier, occasions.amount, 0.0)),
        **windows,
    )
    cutoff_day = ibis.date(cutoff)
    summary = summary.mutate(
        recency_days=days_between(cutoff_day, summary.last_purchase),
        tenure_days=days_between(cutoff_day, summary.first_purchase),
        avg_spend=summary.total_spend / summary.purchases,
        recency_ratio=days_between(cutoff_day, summary.last_purchase) / summary.interval_mean_days,
        purchase_trend_90d=summary.purchases_90d - summary.purchases_prev_90d,
        spend_trend_90d=summary.spend_90d - summary.spend_prev_90d,
    )
    behaviour = _behaviour(tx, cutoff, favourites=False)
    joined = summary.left_join(behaviour, "customer_id").drop("customer_id_right")
    return joined.drop("first_purchase", "last_purchase").order_by("customer_id")


def customers_by(tx: ibis.Table, as_of: date) -> int:
    """How many customers had a purchase on or before `as_of` (those `churn_features` describes)."""
    return int(purchases(tx, as_of).customer_id.nunique().execute())


def customer_sample(customer_id: ibis.StringValue, share: float, *, seed: int) -> ibis.BooleanValue:
    """Whether a customer is in a seeded sample of about `share` of all customers, by a hash of their id: in the
    engine, before any per-customer work, each customer in or out with every line they have."""
    # the seed is mixed in by hashing again (an addition to the id's hash would only shift the sample a little)
    hashed = (customer_id.hash() % (1 << 40) + seed % (1 << 40)).hash()
    bucket = (hashed % SAMPLE_BUCKETS + SAMPLE_BUCKETS) % SAMPLE_BUCKETS
    return bucket < round(share * SAMPLE_BUCKETS)


def window_buyers(tx: ibis.Table, cutoff: date, horizon_days: int) -> ibis.Table:
    """The customers (`customer_id`) with a purchase in the `horizon_days` after `cutoff`: those who did not churn."""
    window = purchases(tx, cutoff + timedelta(days=horizon_days))
    return window.filter(window.purchase_date > ibis.date(cutoff)).select("customer_id").distinct()


def churn_labels(tx: ibis.Table, cutoff: date, horizon_days: int) -> ibis.Table:
    """Customers with a purchase on or before `cutoff`; churned = no purchase in the next `horizon_days`."""
    before = purchases(tx, cutoff).select("customer_id").distinct()
    buyers = window_buyers(tx, cutoff, horizon_days).mutate(bought=ibis.literal(True))
    labelled = before.left_join(buyers, "customer_id").drop("customer_id_right")
    return labelled.select("customer_id", churned=labelled.bought.isnull()).order_by("customer_id")
