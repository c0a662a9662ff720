"""Abnormal behaviour: frequent returns, extreme orders, spend spikes and order ids shared between customers.

Thresholds come from the store's own data, not fixed numbers: a value is abnormal when it lies `robust_z`
robust standard deviations above the median, the robust SD being 1.4826 x the median absolute deviation (or,
when most values are equal and that is 0, 1.2533 x the mean absolute deviation). Every alert carries a reason,
its evidence (dates, amounts) and a severity from how far past its threshold it lies.
"""

from __future__ import annotations

from dataclasses import dataclass

import ibis
import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from helpers.core.config import AlertsSection
from helpers.data.backends import kept
from helpers.data.features import days_between, money_sum
from helpers.language.formatting import amount
from helpers.language.i18n import t

__all__ = [
    "ALERT_COLUMNS",
    "ALERT_TYPES",
    "MAD_SCALE",
    "MEAN_AD_SCALE",
    "MIN_RETURNS_FOR_SHARE",
    "SEVERITIES",
    "UNDONE_SHARE",
    "AlertResult",
    "extreme_orders",
    "find_alerts",
    "frequent_returns",
    "order_evidence",
    "purchase_orders",
    "return_evidence",
    "return_windows",
    "robust_scale",
    "robust_scale_of",
    "robust_z",
    "severity",
    "shared_orders",
    "spend_spikes",
]

MAD_SCALE, MEAN_AD_SCALE = 1.4826, 1.2533  # each makes its deviation estimate the SD of a normal distribution
ALERT_TYPES = ("frequent returns", "extreme order", "spend spike", "shared order id")
SEVERITIES = ("high", "medium", "low")
ALERT_COLUMNS = ["customer_id", "alert", "severity", "reason", "evidence", "order_id", "first_date", "last_date",
                 "amount", "robust_z"]  # fmt: skip


def robust_scale(values: ArrayLike) -> tuple[float, float]:
    """(median, robust SD) of the values."""
    numbers = np.asarray(values, dtype=float)
    median = float(np.median(numbers))
    deviation = np.abs(numbers - median)
    scale = MAD_SCALE * float(np.median(deviation))
    return median, scale if scale > 0 else MEAN_AD_SCALE * float(deviation.mean())


def robust_z(values: ArrayLike, median: float, scale: float) -> np.ndarray:
    numbers = np.asarray(values, dtype=float)
    return (numbers - median) / scale if scale > 0 else np.zeros(len(numbers))


def severity(z: np.ndarray, threshold: float) -> np.ndarray:
    """high at twice the threshold's z or more, medium at 1.5 times, low below."""
    return np.select([z >= 2 * threshold, z >= 1.5 * threshold], ["high", "medium"], "low")


@dataclass
class AlertResult:
    alerts: pd.DataFrame  # ALERT_COLUMNS, most severe first
    thresholds: dict  # per alert type: what triggers it, in numbers


def _day_number(tx: ibis.Table) -> ibis.IntegerValue:
    return days_between(tx.order_date.date(), ibis.date("1970-01-01"))


def return_windows(tx: ibis.Table, window_days: int) -> pd.DataFrame:
    """Per customer with returns: the window of `window_days` ending on a return day with the most returns (a return
    is the lines returned at one moment; ties: the largest returned share), its returned money, its purchases, and
    its first and last day."""
    # only the lines of customers who returned something are summed by day (a distinct count per customer-day of
    # every line took 5.6 GB of DuckDB's memory at 1e8 lines)
    returners = tx.filter(tx.is_return).select("customer_id").distinct()
    lines = tx.semi_join(returners, "customer_id")
    daily = (
        lines.mutate(day=_day_number(lines))
        .group_by(["customer_id", "day"])
        .aggregate(
            # a return is one event however many lines it has: a cancelled invoice of 5 lines is 1 return
            returns=ibis.ifelse(lines.is_return, lines.order_date, ibis.null("timestamp")).nunique(),
            returned=money_sum(ibis.ifelse(lines.is_return, -lines.amount, 0.0)),
            bought=money_sum(ibis.ifelse(lines.is_return, 0.0, lines.amount)),
        )
    )
    window = ibis.range_window(preceding=window_days - 1, following=0, group_by=daily.customer_id,
                               order_by=daily.day)  # fmt: skip
    rolled = daily.mutate(returns_w=daily.returns.sum().over(window), returned_w=daily.returned.sum().over(window),
                          bought_w=daily.bought.sum().over(window))  # fmt: skip
    frame = rolled.filter(rolled.returns > 0).execute()
    frame["share"] = (frame["returned_w"] / frame["bought_w"].where(frame["bought_w"] > 0)).clip(upper=1.0).fillna(1.0)
    best = frame.sort_values(["customer_id", "returns_w", "share", "day"], ascending=[True, False, False, True])
    best = best.drop_duplicates("customer_id").set_index("customer_id")
    epoch = pd.Timestamp("1970-01-01")
    best["last_date"] = epoch + pd.to_timedelta(best["day"], unit="D")
    best["first_date"] = best["last_date"] - pd.Timedelta(days=window_days - 1)
    return best[["returns_w", "returned_w", "bought_w", "share", "first_date", "last_date"]]


UNDONE_SHARE = 0.9  # an extreme order this much returned or cancelled was undone: low severity, said in its reason
MIN_RETURNS_FOR_SHARE = 2  # one return, however large, is not a pattern


def frequent_returns(windows: pd.DataFrame, settings: AlertsSection) -> tuple[pd.DataFrame, dict]:
    """Customers with many returns in one window (at least N return lines), or several (at least 2) that give back
    most of what they bought in it (at least X of its purchases' value); N and X from robust statistics of the
    customers who returned anything, or the config's fixed values."""
    z = settings.robust_z
    count_median, count_scale = robust_scale(windows["returns_w"])
    share_median, share_scale = robust_scale(windows["share"])
    min_count = settings.return_count or max(MIN_RETURNS_FOR_SHARE + 1, int(np.ceil(count_median + z * count_scale)))
    min_share = settings.return_share or min(1.0, share_median + z * share_scale)
    many = windows["returns_w"] >= min_count
    most = (windows["returns_w"] >= MIN_RETURNS_FOR_SHARE) & (windows["share"] >= min_share)
    hit = windows[many | most]
    score = np.maximum(robust_z(hit["returns_w"], count_median, count_scale) * (hit["returns_w"] >= min_count),
                       robust_z(hit["share"], share_median, share_scale) * most[hit.index])  # fmt: skip
    alerts = pd.DataFrame({
        "customer_id": hit.index,
        "alert": "frequent returns",
        "severity": severity(score, z),
        "reason": [t("{n} returns in {days} days, {share} of what was bought in them returned", n=int(n),
                     days=settings.return_window_days, share=f"{s:.0%}") for n, s in zip(hit["returns_w"], hit["share"],
                                                                                       strict=True)],
        "evidence": [return_evidence(r, b, start=a, end=e) for r, b, a, e in
                     zip(hit["returned_w"], hit["bought_w"], hit["first_date"], hit["last_date"], strict=True)],
        "order_id": None,
        "first_date": hit["first_date"].to_numpy(),
        "last_date": hit["last_date"].to_numpy(),
        "amount": hit["returned_w"].to_numpy(),
        "robust_z": score,
    })  # fmt: skip
    threshold = {"min_returns": min_count, "min_returned_share": round(float(min_share), 4),
                 "window_days": settings.return_window_days, "customers_with_returns": len(windows),
                 "fixed": bool(settings.return_count or settings.return_share)}  # fmt: skip
    return alerts, threshold


def return_evidence(returned: float, bought: float, *, start: pd.Timestamp, end: pd.Timestamp) -> str:
    """What was returned in the window against what was bought in it; returns of purchases made before the window
    are said to be so, never 'returned 333 of 185 bought'."""
    period = {"returned": f"{returned:,.2f}", "start": f"{start:%Y-%m-%d}", "end": f"{end:%Y-%m-%d}"}
    if returned > bought + 0.005:
        return t("returned {returned} between {start} and {end}, more than the {bought} bought in those days (the "
                 "rest was bought before)", bought=f"{bought:,.2f}", **period)  # fmt: skip
    return t("returned {returned} of {bought} bought between {start} and {end}", bought=f"{bought:,.2f}", **period)


def robust_scale_of(table: ibis.Table, value: ibis.Deferred) -> tuple[float, float]:
    """(median, robust SD) of `value` over the table's rows, computed where the table lives (`robust_scale`'s
    answer without bringing the values into memory)."""
    table = table.select(value=value)
    median = table.value.median().execute()
    if median is None or pd.isna(median):
        return float("nan"), 0.0
    deviations = table.select(deviation=(table.value - float(median)).abs())
    spread = deviations.aggregate(mad=deviations.deviation.median(), mean=deviations.deviation.mean()).execute()
    scale = MAD_SCALE * float(spread["mad"].iloc[0])
    return float(median), scale if scale > 0 else MEAN_AD_SCALE * float(spread["mean"].iloc[0])


def purchase_orders(tx: ibis.Table) -> ibis.Table:
    """Every purchase order (gross of returns, with the money `returned` of it): customer, order id, date, value, its
    log, its number among the
    customer's orders (1 = first) and the log value against the mean log value of their earlier orders (spikes)."""
    bought = tx.filter(~tx.is_return)
    orders = bought.group_by(["customer_id", "order_id"]).aggregate(day=bought.order_date.min(),
                                                                    value=money_sum(bought.amount))  # fmt: skip
    back = tx.filter(tx.is_return)
    back = back.group_by(["customer_id", "order_id"]).aggregate(returned=money_sum(-back.amount))
    orders = orders.left_join(back, ["customer_id", "order_id"]).drop("customer_id_right", "order_id_right")
    orders = orders.mutate(returned=orders.returned.fill_null(0.0))
    orders = orders.filter(orders.value > 0).mutate(log_value=orders.value.ln())
    earlier = ibis.window(group_by=orders.customer_id, order_by=[orders.day, orders.order_id], preceding=None,
                          following=0)  # fmt: skip
    orders = orders.mutate(number=ibis.row_number().over(earlier) + 1, log_sum=orders.log_value.sum().over(earlier))
    earlier_mean = (orders.log_sum - orders.log_value) / (orders.number - 1)
    log_ratio = ibis.ifelse(orders.number > 1, orders.log_value - earlier_mean, ibis.null())
    return orders.mutate(log_ratio=log_ratio).drop("log_sum")


def order_evidence(order_ids: pd.Series, days: pd.Series) -> list[str]:
    return [t("order {order} on {day}", order=o, day=f"{d:%Y-%m-%d}") for o, d in zip(order_ids, days, strict=True)]


def _above(orders: ibis.Table, value: ibis.Value, *, median: float, scale: float, z: float) -> ibis.BooleanValue:
    """Rows whose value lies z robust SDs above the median (none when the scale is 0)."""
    return (value - median) / scale > z if scale > 0 else ibis.literal(False)


def extreme_orders(orders: ibis.Table, z: float) -> tuple[pd.DataFrame, ibis.BooleanValue, dict]:
    """Orders whose log value lies z robust SDs above the median order's; also the condition that flags them."""
    median, scale = robust_scale_of(orders, orders.log_value)
    extreme = _above(orders, orders.log_value, median=median, scale=scale, z=z)
    hit = orders.filter(extreme).execute()
    hit["robust_z"] = robust_z(hit["log_value"], median, scale)
    typical = float(np.exp(median))
    undone = hit["returned"] >= UNDONE_SHARE * hit["value"]  # cancelled or sent back: nothing left to review
    reasons = [t("one order of {value}, {times}x the typical order", value=amount(v), times=f"{v / typical:.0f}")
               for v in hit["value"]]  # fmt: skip
    reasons = [reason + (t("; {returned} of it returned or cancelled (kept {kept})", returned=amount(r),
                           kept=amount(v - r)) if r > 0 else "")
               for reason, v, r in zip(reasons, hit["value"], hit["returned"], strict=True)]  # fmt: skip
    alerts = pd.DataFrame({
        "customer_id": hit["customer_id"],
        "alert": "extreme order",
        "severity": np.where(undone, "low", severity(hit["robust_z"].to_numpy(), z)),
        "reason": reasons,
        "evidence": order_evidence(hit["order_id"], hit["day"]),
        "order_id": hit["order_id"], "first_date": hit["day"], "last_date": hit["day"], "amount": hit["value"],
        "robust_z": hit["robust_z"],
    })  # fmt: skip
    return alerts, extreme, {"min_order_value": round(float(np.exp(median + z * scale)), 2),
                             "typical_order": round(typical, 2)}  # fmt: skip


def spend_spikes(orders: ibis.Table, settings: AlertsSection, extreme: ibis.BooleanValue) -> tuple[pd.DataFrame, dict]:
    """Orders far above the customer's own earlier orders (log value minus the mean log value of their earlier
    orders, z robust SDs above the median such difference); orders already flagged extreme are left out."""
    eligible = orders.filter(orders.number - 1 >= settings.min_orders_for_spike)
    median, scale = robust_scale_of(eligible, eligible.log_ratio)
    if np.isnan(median):  # no customer has enough earlier orders
        return pd.DataFrame(columns=ALERT_COLUMNS), {"min_ratio": None}
    hit = eligible.filter(
        _above(eligible, eligible.log_ratio, median=median, scale=scale, z=settings.robust_z) & ~extreme
    ).execute()
    hit["robust_z"] = robust_z(hit["log_ratio"], median, scale)
    alerts = pd.DataFrame({
        "customer_id": hit["customer_id"],
        "alert": "spend spike",
        "severity": severity(hit["robust_z"].to_numpy(), settings.robust_z),
        "reason": [t("an order {times}x the customer's usual after {n} earlier orders", times=f"{r:.1f}", n=int(n) - 1)
                   for r, n in zip(np.exp(hit["log_ratio"]), hit["number"], strict=True)],
        "evidence": order_evidence(hit["order_id"], hit["day"]),
        "order_id": hit["order_id"], "first_date": hit["day"], "last_date": hit["day"], "amount": hit["value"],
        "robust_z": hit["robust_z"],
    })  # fmt: skip
    return alerts, {"min_ratio": round(float(np.exp(median + settings.robust_z * scale)), 2)}


def shared_orders(tx: ibis.Table) -> tuple[pd.DataFrame, dict]:
    """Customers sharing a purchase order id with another customer (only when the log has order ids)."""
    bought = tx.filter(~tx.is_return)
    # an order is shared when its first and last customer ids differ: plain aggregates, where a distinct count per
    # order took 5 GB of DuckDB's memory at 1e8 lines; its customers are then its rows below
    per_order = bought.group_by("order_id").aggregate(first=bought.customer_id.min(), last=bought.customer_id.max(),
                                                      day=bought.order_date.min())  # fmt: skip
    shared = per_order.filter(per_order.first != per_order.last).drop("first", "last")
    lines = bought.inner_join(shared, "order_id")
    hit = lines.group_by(["customer_id", "order_id"]).aggregate(day=lines.day.first(),
                                                                value=money_sum(lines.amount)).execute()  # fmt: skip
    hit["customers"] = hit.groupby("order_id")["customer_id"].transform("size")
    alerts = pd.DataFrame({
        "customer_id": hit["customer_id"],
        "alert": "shared order id",
        "severity": np.where(hit["customers"] >= 3, "high", "medium"),
        "reason": [t("order id shared by {n} customers", n=int(n)) for n in hit["customers"]],
        "evidence": order_evidence(hit["order_id"], hit["day"]),
        "order_id": hit["order_id"], "first_date": hit["day"], "last_date": hit["day"], "amount": hit["value"],
        "robust_z": np.nan,
    })  # fmt: skip
    return alerts, {"orders": int(hit["order_id"].nunique())}


def find_alerts(tx: ibis.Table, settings: AlertsSection, has_order_ids: bool) -> AlertResult:
    """Every alert, most severe first, and the thresholds that produced them."""
    windows = return_windows(tx, settings.return_window_days)
    found, thresholds = [], {}
    if len(windows):
        alerts, thresholds["frequent returns"] = frequent_returns(windows, settings)
        found.append(alerts)
    # the orders stay in the engine, only the hits come out; computed once for the six queries that read them
    with kept(purchase_orders(tx)) as orders:
        extreme, flagged, thresholds["extreme order"] = extreme_orders(orders, settings.robust_z)
        spikes, thresholds["spend spike"] = spend_spikes(orders, settings, flagged)
    found += [extreme, spikes]
    if has_order_ids:
        shared, thresholds["shared order id"] = shared_orders(tx)
        found.append(shared)
    alerts = pd.concat([f for f in found if len(f)], ignore_index=True) if any(len(f) for f in found) else \
        pd.DataFrame(columns=ALERT_COLUMNS)  # fmt: skip
    alerts["severity_rank"] = alerts["severity"].map({s: i for i, s in enumerate(SEVERITIES)})
    alerts = alerts.sort_values(["severity_rank", "alert", "robust_z", "customer_id"],
                                ascending=[True, True, False, True]).drop(columns="severity_rank")  # fmt: skip
    if not has_order_ids:  # an order is a customer-day: its made-up key means nothing to a reader
        orders_only = alerts["order_id"].notna()
        alerts.loc[orders_only, "evidence"] = [t("purchases on {day}", day=f"{d:%Y-%m-%d}")
                                               for d in alerts.loc[orders_only, "first_date"]]  # fmt: skip
        alerts["order_id"] = None
    alerts = alerts.assign(robust_z=alerts["robust_z"].astype(float).round(2), amount=alerts["amount"].round(2))
    return AlertResult(alerts[ALERT_COLUMNS].reset_index(drop=True), thresholds)
