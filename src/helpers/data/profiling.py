"""What an analyst checks first in a transaction log: size, span, revenue, repeat behaviour, trends.

All figures are computed by the backend from the clean transactions; only small
aggregates come back as pandas.
"""

from __future__ import annotations

import ibis
import numpy as np
import pandas as pd

from helpers.data.features import first_purchase_date, money_sum, purchases

__all__ = ["FREQUENCY_BUCKETS", "monthly_trend", "order_value_histogram", "overview", "purchases_per_customer"]

FREQUENCY_BUCKETS = ((1, "1"), (2, "2"), (3, "3"), (4, "4"), (5, "5"), (6, "6-10"), (11, "11-20"), (21, "21+"))


def overview(tx: ibis.Table) -> dict:
    """Headline numbers: date range, customers, purchases, revenue, average order value, repeat share."""
    occasions = purchases(tx)
    per_customer = occasions.group_by("customer_id").aggregate(n=occasions.count())
    head = tx.aggregate(
        lines=tx.count(),
        log_customers=tx.customer_id.nunique(),
        first_date=tx.order_date.min(),
        last_date=tx.order_date.max(),
        revenue=money_sum(tx.amount),
    ).execute()
    counts = occasions.aggregate(purchases=occasions.count(), purchase_value=money_sum(occasions.amount)).execute()
    customers = per_customer.aggregate(customers=per_customer.count(), repeaters=(per_customer.n > 1).sum()).execute()
    n_customers = int(customers["customers"].iloc[0])
    n_purchases = int(counts["purchases"].iloc[0])
    return {
        "lines": int(head["lines"].iloc[0]),
        "first_date": pd.Timestamp(head["first_date"].iloc[0]).date().isoformat(),
        "last_date": pd.Timestamp(head["last_date"].iloc[0]).date().isoformat(),
        "customers": n_customers,
        # customers whose kept lines net to no purchase (they returned everything): not counted as customers
        "customers_without_purchase": int(head["log_customers"].iloc[0]) - n_customers,
        "purchases": n_purchases,
        "revenue": round(float(head["revenue"].iloc[0]), 2),
        "average_order_value": round(float(counts["purchase_value"].iloc[0]) / n_purchases, 2),
        "purchases_per_customer": round(n_purchases / n_customers, 3),
        "repeat_customer_share": round(int(customers["repeaters"].iloc[0]) / n_customers, 4),
    }


def purchases_per_customer(tx: ibis.Table) -> pd.DataFrame:
    """Customers and revenue by number of purchase occasions (bucketed)."""
    occasions = purchases(tx)
    per_customer = occasions.group_by("customer_id").aggregate(n=occasions.count(), spend=money_sum(occasions.amount))
    bucket = ibis.cases(*[(per_customer.n >= low, label) for low, label in reversed(FREQUENCY_BUCKETS)])
    table = (
        per_customer.mutate(purchases=bucket)
        .group_by("purchases")
        .aggregate(customers=ibis._.count(), revenue=money_sum(ibis._.spend))
        .execute()
    )
    order = [label for _, label in FREQUENCY_BUCKETS]
    table = table.set_index("purchases").reindex(order).dropna().reset_index()
    table["customers"] = table["customers"].astype(int)
    table["share_of_customers"] = table["customers"] / table["customers"].sum()
    table["share_of_revenue"] = table["revenue"] / table["revenue"].sum()
    return table


def monthly_trend(tx: ibis.Table) -> pd.DataFrame:
    """Per calendar month: revenue, purchases, active customers and newly acquired customers."""
    occasions = purchases(tx)
    is_first = occasions.purchase_date == first_purchase_date(occasions)
    occasions = occasions.mutate(month=occasions.purchase_date.truncate("M"), is_first=is_first)
    monthly = occasions.group_by("month").aggregate(
        revenue=money_sum(occasions.amount),
        purchases=occasions.count(),
        active_customers=occasions.customer_id.nunique(),
        new_customers=occasions.is_first.sum(),
    )
    frame = monthly.order_by("month").execute()
    frame["month"] = pd.to_datetime(frame["month"])
    return frame


def order_value_histogram(tx: ibis.Table, bins: int = 40) -> pd.DataFrame:
    """Purchase values binned on a log scale (counts per bin), computed in the backend."""
    occasions = purchases(tx)
    positive = occasions.filter(occasions.amount > 0)
    bounds = positive.aggregate(low=positive.amount.min(), high=positive.amount.max()).execute()
    low, high = np.log10(float(bounds["low"].iloc[0])), np.log10(float(bounds["high"].iloc[0]))
    width = max((high - low) / bins, 1e-9)
    index = ((positive.amount.log10() - low) / width).floor().cast("int64").clip(upper=bins - 1)
    counts = positive.mutate(bin=index).group_by("bin").aggregate(purchases=ibis._.count()).execute()
    edges = 10 ** (low + width * np.arange(bins + 1))
    frame = pd.DataFrame({"bin": np.arange(bins), "low": edges[:-1], "high": edges[1:]})
    frame = frame.merge(counts, on="bin", how="left").fillna({"purchases": 0})
    frame["purchases"] = frame["purchases"].astype(int)
    return frame.drop(columns="bin")
