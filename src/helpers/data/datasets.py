"""Embedded example data: CDNOW (shipped inside `lifetimes`) and a generated baby-store log.

Each dataset is written as a raw file that `01_ingest` reads like any user file,
together with the column mapping and date format that read it.
"""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import lifetimes
import numpy as np
import pandas as pd

from helpers.core.errors import ConfigError
from helpers.data.artifacts import atomic_path
from helpers.data.features import DAYS_PER_UNIT

__all__ = [
    "ABUSE_ORDERS",
    "ABUSE_SPACING_DAYS",
    "ACQUISITION_DAYS",
    "BABYSTORE_COLUMNS",
    "BABYSTORE_END",
    "BABYSTORE_START",
    "BABYSTORE_TRUTH",
    "BABY_AGE_AT_FIRST_PURCHASE",
    "BABY_STAGES",
    "CATEGORIES",
    "CDNOW_DIR",
    "CHANNELS",
    "CHINESE_VALUES",
    "EXCEL_EPOCH_DAY",
    "FESTIVAL_LEAD_DAYS",
    "FESTIVAL_RESPONDERS",
    "FESTIVAL_RESPONDER_SHARE",
    "PHARMACY_COLUMNS",
    "PHARMACY_PRODUCTS",
    "REGIONS",
    "RETURN_ABUSER_SHARE",
    "STAGE_CATEGORY_SHARES",
    "STROLLER",
    "STROLLER_BUYER_SHARE",
    "STROLLER_UPGRADE_DAYS",
    "SUMMER_MONTHS",
    "SUMMER_ORDER_RATE",
    "SUMMER_REGIONS",
    "SUPERMARKET_CATEGORIES",
    "SUPERMARKET_COLUMNS",
    "SUPERMARKET_DAYS",
    "SUPERMARKET_PRICE",
    "SUPERMARKET_PROMOTION",
    "SUPERMARKET_START",
    "SUPERMARKET_TRUTH",
    "TRUE_CAMPAIGN_EFFECTS",
    "TRUE_CHANNEL_RESPONSE",
    "WEEKDAYS_ZH",
    "Babystore",
    "PharmacyExport",
    "RawDataset",
    "SupermarketExport",
    "babystore_frames",
    "channel_factors",
    "customer_regions",
    "generate_babystore",
    "simulate_bgnbd_gamma_gamma",
    "simulate_campaign",
    "stage_categories",
    "write_babystore",
    "write_campaign_log",
    "write_cdnow",
    "write_dataset",
    "write_pharmacy_export",
    "write_supermarket_export",
]

CDNOW_DIR = Path(lifetimes.__file__).parent / "datasets"

BABYSTORE_TRUTH = {"r": 0.6, "alpha": 10.0, "a": 0.8, "b": 3.0, "p": 6.0, "q": 4.0, "v": 30.0}
BABYSTORE_START = date(2022, 1, 1)  # three years: a seasonal demand model needs two to start
BABYSTORE_END = date(2024, 12, 31)
ACQUISITION_DAYS = 1095  # customers first buy any day of the three years
REGIONS = {  # province: (city, weight)
    "Shanghai": ("Shanghai", 0.16), "Beijing": ("Beijing", 0.14), "Guangdong": ("Guangzhou", 0.18),
    "Zhejiang": ("Hangzhou", 0.14), "Jiangsu": ("Nanjing", 0.14), "Sichuan": ("Chengdu", 0.10),
    "Hubei": ("Wuhan", 0.08), "Shaanxi": ("Xi'an", 0.06),
}  # fmt: skip
# Planted regional season: in the south, a customer who is a customer in a summer month buys one more order in it
# with this probability (order ids SS...); the rest of the country has no summer peak
SUMMER_REGIONS = ("Guangdong", "Zhejiang")
SUMMER_MONTHS = (6, 7, 8)
SUMMER_ORDER_RATE = 0.15
CHANNELS = ("online store", "offline store", "mini-program")
CATEGORIES = ("maternity care", "formula stage 1", "formula stage 2", "formula stage 3", "diapers",
              "complementary food", "toys", "clothing")  # fmt: skip
# The baby's age decides what a family buys (days from birth to the start of each stage; negative is pregnancy),
# so the log holds real category sequences: stage-1 formula turns into stage 2 at six months, stage 3 at a year.
BABY_STAGES = (-280, 0, 180, 365, 1095)
STAGE_CATEGORY_SHARES = np.array(
    [  # rows: pregnancy, 0-6 months, 6-12 months, 1-3 years, 3+ years; columns: CATEGORIES
        [0.70, 0.00, 0.00, 0.00, 0.10, 0.00, 0.05, 0.15],
        [0.00, 0.50, 0.00, 0.00, 0.40, 0.00, 0.00, 0.10],
        [0.00, 0.00, 0.45, 0.00, 0.20, 0.30, 0.05, 0.00],
        [0.00, 0.00, 0.00, 0.45, 0.10, 0.15, 0.25, 0.05],
        [0.00, 0.00, 0.00, 0.00, 0.00, 0.05, 0.50, 0.45],
    ]
)
BABY_AGE_AT_FIRST_PURCHASE = (-200, 900)  # days: families join from pregnancy to 2.5 years (uniform)
STROLLER = "strollers"  # a planted life event: a pram bought for the new baby
STROLLER_BUYER_SHARE = 0.3  # of the families whose baby is 0-120 days old while they buy from the store
STROLLER_UPGRADE_DAYS = (540, 720)  # the toddler-stroller window after the pram (configs/babystore.yaml's event)
CHINESE_VALUES = {  # babystore_zh: what a Chinese POS export holds
    "channel": {"online store": "线上商城", "offline store": "线下门店", "mini-program": "小程序"},
    "category": {"maternity care": "孕产护理", "formula stage 1": "一段奶粉", "formula stage 2": "二段奶粉",
                 "formula stage 3": "三段奶粉", "diapers": "纸尿裤", "complementary food": "辅食", "toys": "玩具",
                 "clothing": "童装", STROLLER: "婴儿推车"},
    "store": {f"S{k:02d}": name for k, name in enumerate(
        ["上海徐汇店", "北京朝阳店", "广州天河店", "深圳南山店", "杭州西湖店", "成都锦江店", "南京鼓楼店", "武汉江汉店",
         "重庆渝中店", "苏州园区店", "西安雁塔店", "天津和平店"], start=1)},
}  # fmt: skip
BABYSTORE_COLUMNS = {
    "customer_id": "客户ID",
    "order_id": "订单号",
    "order_date": "订单日期",
    "amount": "金额",
    "quantity": "数量",
    "channel": "渠道",
    "category": "品类",
    "store": "门店",
    "product_id": "商品ID",
}


@dataclass(frozen=True)
class RawDataset:
    """A raw file on disk plus what is needed to read it."""

    path: Path
    columns: dict[str, str]
    date_format: str | None


def write_cdnow(which: str, out_dir: Path) -> RawDataset:
    """Write CDNOW ('sample': 2,357 customers, or 'master': 23,570) as a raw CSV."""
    source = CDNOW_DIR / {"sample": "CDNOW_sample.txt", "master": "CDNOW_master.txt"}[which]
    names = ["customer_id", "sample_index", "date", "cds", "dollars"] if which == "sample" else None
    frame = pd.read_csv(
        source,
        sep=r"\s+",
        header=None if names else 0,
        names=names or ["customer_id", "date", "cds", "dollars"],
        dtype=str,
    )
    out = Path(out_dir) / f"cdnow_{which}.csv"
    with atomic_path(out) as tmp:
        frame[["customer_id", "date", "cds", "dollars"]].to_csv(tmp, index=False)
    columns = {"customer_id": "customer_id", "order_date": "date", "amount": "dollars", "quantity": "cds"}
    return RawDataset(out, columns, "%Y%m%d")


def simulate_bgnbd_gamma_gamma(
    n_customers: int,
    rng: np.random.Generator,
    *,
    r: float,
    alpha: float,
    a: float,
    b: float,
    p: float,
    q: float,
    v: float,
    weeks_observed: np.ndarray,
) -> pd.DataFrame:
    """Purchases of customers following BG/NBD (rates per week) with Gamma-Gamma spend.

    Returns one row per purchase: customer index, week since first purchase (0 for
    the first), and the purchase value; `attrs["dropout"]` holds each customer's drop-out
    probability after a purchase (their true churn propensity). Vectorised over customers.
    """
    lam = rng.gamma(r, 1.0 / alpha, n_customers)
    drop = rng.beta(a, b, n_customers)
    nu = rng.gamma(q, 1.0 / v, n_customers)
    customers = [np.arange(n_customers)]
    weeks = [np.zeros(n_customers)]
    clock = np.zeros(n_customers)
    active = np.arange(n_customers)
    while active.size:
        clock[active] += rng.exponential(1.0 / lam[active])
        active = active[clock[active] <= weeks_observed[active]]
        customers.append(active)
        weeks.append(clock[active].copy())
        active = active[rng.random(active.size) >= drop[active]]
    customer = np.concatenate(customers)
    value = rng.gamma(p, 1.0 / nu[customer])
    frame = pd.DataFrame({"customer": customer, "week": np.concatenate(weeks), "value": value})
    frame.attrs["dropout"] = drop
    return frame


def _babystore_orders(n_customers: int, rng: np.random.Generator) -> pd.DataFrame:
    span_days = (BABYSTORE_END - BABYSTORE_START).days
    first_day = rng.integers(0, ACQUISITION_DAYS, n_customers)
    weeks_observed = (span_days - first_day) / DAYS_PER_UNIT["weeks"]
    truth = BABYSTORE_TRUTH
    purchases = simulate_bgnbd_gamma_gamma(n_customers, rng, weeks_observed=weeks_observed, **truth)
    day = first_day[purchases["customer"]] + np.floor(purchases["week"] * DAYS_PER_UNIT["weeks"]).astype(int)
    favourite_channel = rng.integers(0, len(CHANNELS), n_customers)
    own_channel = rng.random(len(purchases)) < 0.8
    channel = np.where(
        own_channel, favourite_channel[purchases["customer"]], rng.integers(0, len(CHANNELS), len(purchases))
    )
    orders = pd.DataFrame(
        {
            "customer": purchases["customer"].to_numpy(),
            "date": pd.Timestamp(BABYSTORE_START) + pd.to_timedelta(day, unit="D"),
            "value": purchases["value"].round(2).to_numpy(),
            "channel": np.asarray(CHANNELS)[channel],
        }
    )
    offline = orders["channel"] == "offline store"
    orders["store"] = np.where(offline, [f"S{k:02d}" for k in rng.integers(1, 13, len(orders))], "")
    baby_age = rng.integers(*BABY_AGE_AT_FIRST_PURCHASE, n_customers)  # days, at the family's first purchase
    orders["baby_birth"] = (
        pd.Timestamp(BABYSTORE_START) + pd.to_timedelta(first_day - baby_age, unit="D")[orders["customer"]].to_numpy()
    )
    # one customer-day is one purchase occasion: keep the first order of a day
    orders = orders.drop_duplicates(["customer", "date"]).reset_index(drop=True)
    orders["order_id"] = [f"SO{i:08d}" for i in range(len(orders))]
    orders["dropout"] = purchases.attrs["dropout"][orders["customer"]]
    return orders


def _order_lines(orders: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    n_lines = rng.integers(1, 4, len(orders))
    lines = orders.loc[orders.index.repeat(n_lines)].reset_index(drop=True)
    share = rng.dirichlet(np.ones(3), len(orders))
    line_no = lines.groupby("order_id").cumcount().to_numpy()
    order_pos = np.repeat(np.arange(len(orders)), n_lines)
    weight = share[order_pos, line_no]
    weight = weight / np.bincount(order_pos, weights=weight)[order_pos]
    value = lines["value"].to_numpy()
    amount = np.round(value * weight, 2)
    residual = orders["value"].to_numpy() - np.bincount(order_pos, weights=amount)
    amount[line_no == 0] += residual  # lines of an order add up to its value exactly
    lines["amount"] = amount.round(2)
    category = stage_categories((lines["date"] - lines["baby_birth"]).dt.days.to_numpy(), rng)
    lines["category"] = np.asarray(CATEGORIES)[category]
    lines["product_id"] = [f"P{c}{k:03d}" for c, k in zip(category, rng.integers(0, 60, len(lines)), strict=True)]
    lines["quantity"] = rng.integers(1, 4, len(lines)).astype(float)
    return lines


def stage_categories(baby_age_days: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A category index per line, drawn from the shares of the baby's stage on the line's date."""
    stage = np.clip(np.searchsorted(BABY_STAGES, baby_age_days, side="right") - 1, 0, len(BABY_STAGES) - 1)
    cumulative = STAGE_CATEGORY_SHARES.cumsum(axis=1)[stage]
    return np.minimum((rng.random(len(stage))[:, None] >= cumulative).sum(axis=1), len(CATEGORIES) - 1)


def _returns(lines: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Partial returns of ~3% of lines, a few days after the purchase, with negative values."""
    returned = lines.sample(frac=0.03, random_state=int(rng.integers(1 << 31))).copy()
    returned["amount"] = -(returned["amount"] * rng.uniform(0.2, 0.6, len(returned))).round(2)
    returned["quantity"] = -1.0
    returned["date"] = returned["date"] + pd.to_timedelta(rng.integers(0, 10, len(returned)), unit="D")
    returned = returned[returned["date"] <= pd.Timestamp(BABYSTORE_END)]
    returned["order_id"] = "R" + returned["order_id"].str[2:]
    return returned


def _inject_dirt(raw: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Realistic dirt on purpose: missing ids, bad dates and amounts, zero lines, duplicates, outliers."""
    raw = raw.copy()
    n = len(raw)

    def pick(share: float) -> np.ndarray:
        return rng.choice(n, max(1, int(n * share)), replace=False)

    raw.loc[pick(0.003), "customer_id"] = ""
    raw.loc[pick(0.001), "order_date"] = rng.choice(["2024-13-45", "not a date", "31/31/2024"])
    raw.loc[pick(0.0005), "amount"] = "N/A"
    raw.loc[pick(0.004), "amount"] = "0.00"
    outliers = pick(0.0003)
    raw.loc[outliers, "amount"] = (
        (pd.to_numeric(raw.loc[outliers, "amount"], errors="coerce") * 60).round(2).astype(str)
    )
    duplicates = raw.iloc[pick(0.005)]
    return pd.concat([raw, duplicates], ignore_index=True)


def _single_lines(orders: pd.DataFrame, prefix: str, rng: np.random.Generator) -> pd.DataFrame:
    """Planted orders of one line each: order ids `prefix`00000000..., a category of the baby's stage on the day, a
    product of it, one unit."""
    orders = orders.reset_index(drop=True)
    orders["order_id"] = [f"{prefix}{i:08d}" for i in range(len(orders))]
    category = stage_categories((orders["date"] - orders["baby_birth"]).dt.days.to_numpy(), rng)
    orders["category"] = np.asarray(CATEGORIES)[category]
    orders["product_id"] = [f"P{c}{k:03d}" for c, k in zip(category, rng.integers(0, 60, len(orders)), strict=True)]
    orders["quantity"] = 1.0
    return orders


RETURN_ABUSER_SHARE = 0.01  # of customers: a burst of orders bought and all returned within a month
ABUSE_ORDERS = (4, 7)  # orders in a burst (low inclusive, high exclusive)
ABUSE_SPACING_DAYS = (2, 5)  # days between the orders of a burst (low inclusive, high exclusive)


def _return_abuse(orders: pd.DataFrame, rng: np.random.Generator) -> tuple[pd.DataFrame, np.ndarray]:
    """Planted return abusers: a few days after one of their purchases, each buys 4-6 single-line orders 2-4 days
    apart and returns each in full the next day (wardrobing). Fully returned orders are no purchase occasions, so
    the log's BG/NBD truth is untouched. Returns (the purchase and return lines, the abusers' indices)."""
    longest = ABUSE_ORDERS[1] * ABUSE_SPACING_DAYS[1]
    last_start = pd.Timestamp(BABYSTORE_END) - pd.Timedelta(days=longest + 5)
    candidates = orders[orders["date"] <= last_start].drop_duplicates("customer")
    chosen = candidates.sample(n=min(len(candidates), max(1, int(orders["customer"].nunique() * RETURN_ABUSER_SHARE))),
                               random_state=int(rng.integers(1 << 31)))  # fmt: skip
    size = rng.integers(*ABUSE_ORDERS, len(chosen))
    bought = chosen.loc[chosen.index.repeat(size)].reset_index(drop=True)
    gaps = pd.Series(rng.integers(*ABUSE_SPACING_DAYS, len(bought))).groupby(bought["customer"].to_numpy()).cumsum()
    bought["date"] = bought["date"] + pd.to_timedelta(gaps.to_numpy(), unit="D")
    bought["value"] = (bought["value"] * rng.uniform(0.8, 1.5, len(bought))).round(2)
    bought = _single_lines(bought, "SB", rng)
    bought["amount"] = bought["value"]
    returned = bought.copy()
    returned["amount"] = -bought["value"]
    returned["quantity"] = -1.0
    returned["date"] = bought["date"] + pd.Timedelta(days=1)
    returned["order_id"] = "RB" + bought["order_id"].str[2:]
    return pd.concat([bought, returned], ignore_index=True), chosen["customer"].to_numpy()


# Planted festival responders: customers who buy in the week before a festival every year they are customers
# (festival months are demand peaks too)
FESTIVAL_RESPONDERS = {"Mother's Day": (date(2022, 5, 8), date(2023, 5, 14), date(2024, 5, 12)),
                       "Double 11": (date(2022, 11, 11), date(2023, 11, 11), date(2024, 11, 11))}  # fmt: skip
FESTIVAL_RESPONDER_SHARE = 0.06  # of the customers who first bought before the festival's first week
FESTIVAL_LEAD_DAYS = 7


def _festival_responders(orders: pd.DataFrame, rng: np.random.Generator) -> tuple[pd.DataFrame, pd.Series]:
    """Planted responders: for each festival of FESTIVAL_RESPONDERS, a share of the customers who were customers
    before its second-to-last date buy one single-line order in the week before it, each year from their first
    purchase on. Returns (those lines, each responder's festival by customer index)."""
    first = orders.groupby("customer")["date"].min()
    template = orders.sort_values("date").drop_duplicates("customer").set_index("customer")
    parts, festival_of = [], pd.Series(dtype=object)
    for festival, days in FESTIVAL_RESPONDERS.items():
        eligible = first.index[first < pd.Timestamp(days[-2]) - pd.Timedelta(days=FESTIVAL_LEAD_DAYS)]
        eligible = eligible.difference(festival_of.index)
        chosen = rng.choice(eligible, size=int(len(eligible) * FESTIVAL_RESPONDER_SHARE), replace=False)
        festival_of = pd.concat([festival_of, pd.Series(festival, index=chosen)])
        for day in days:
            offset = rng.integers(1, FESTIVAL_LEAD_DAYS + 1, len(chosen))
            bought = template.loc[chosen].reset_index()
            bought["date"] = pd.Timestamp(day) - pd.to_timedelta(offset, unit="D")
            bought = bought[bought["date"] > first.loc[chosen].to_numpy()]
            bought["amount"] = (bought["value"] * rng.uniform(0.8, 1.3, len(bought))).round(2)
            parts.append(bought)
    return _single_lines(pd.concat(parts, ignore_index=True), "SF", rng), festival_of


def _stroller_buyers(orders: pd.DataFrame, rng: np.random.Generator) -> tuple[pd.DataFrame, pd.Series]:
    """Planted life event: a share of the families buy one pram (category STROLLER) when the baby is 0-120 days
    old, on a day between their first and last order. Returns (those lines, each buyer's purchase day by customer
    index)."""
    span = orders.groupby("customer")["date"].agg(["min", "max"])
    template = orders.sort_values("date").drop_duplicates("customer").set_index("customer").loc[span.index]
    day = (template["baby_birth"] + pd.to_timedelta(rng.integers(0, 121, len(template)), unit="D")).dt.normalize()
    eligible = span.index[((day >= span["min"]) & (day <= span["max"])).to_numpy()]
    chosen = np.sort(rng.choice(eligible, size=int(len(eligible) * STROLLER_BUYER_SHARE), replace=False))
    bought = template.loc[chosen].reset_index()
    bought["date"] = day.loc[chosen].to_numpy()
    bought["amount"] = rng.uniform(260, 460, len(bought)).round(2)  # a pram, not an extreme order
    bought["order_id"] = [f"SE{i:08d}" for i in range(len(bought))]
    bought["category"] = STROLLER
    bought["product_id"] = [f"P9{k:03d}" for k in rng.integers(0, 20, len(bought))]
    bought["quantity"] = 1.0
    return bought, day.loc[chosen]


def customer_regions(n_customers: int, seed: int) -> np.ndarray:
    """Each customer's province (by customer index), drawn by the REGIONS weights: the member table's region."""
    provinces = list(REGIONS)
    return np.random.default_rng(seed + 8).choice(provinces, n_customers, p=[REGIONS[p][1] for p in provinces])


def _summer_orders(orders: pd.DataFrame, region: np.ndarray, rng: np.random.Generator) -> pd.DataFrame:
    """Planted regional season: a customer of SUMMER_REGIONS buys one more single-line order, with probability
    SUMMER_ORDER_RATE, in each summer month between their first and last order (order ids SS...)."""
    span = orders.groupby("customer")["date"].agg(["min", "max"])
    span = span[np.isin(region[span.index], SUMMER_REGIONS)]
    template = orders.sort_values("date").drop_duplicates("customer").set_index("customer").loc[span.index]
    months = [pd.Timestamp(year, month, 1) for year in range(BABYSTORE_START.year, BABYSTORE_END.year + 1)
              for month in SUMMER_MONTHS]  # fmt: skip
    parts = []
    for month in months:
        day = month + pd.to_timedelta(rng.integers(0, month.days_in_month, len(span)), unit="D")
        buys = (day > span["min"]) & (day <= span["max"]) & (rng.random(len(span)) < SUMMER_ORDER_RATE)
        bought = template[buys.to_numpy()].reset_index()
        bought["date"] = day[buys.to_numpy()]
        parts.append(bought)
    bought = pd.concat(parts, ignore_index=True)
    bought["amount"] = (bought["value"] * rng.uniform(0.8, 1.3, len(bought))).round(2)
    return _single_lines(bought, "SS", rng)


@dataclass(frozen=True)
class Babystore:
    """The generated store: the log as exported and the planted truth per customer."""

    raw: pd.DataFrame
    truth: pd.DataFrame  # customer_id, baby_birth, dropout (true churn propensity), return_abuser, festival,
    # stroller_bought (the planted pram's day, else empty), region (the province; SUMMER_REGIONS peak in summer)


def _export_frame(lines: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_id": [f"C{c:07d}" for c in lines["customer"]],
            "order_id": lines["order_id"],
            "order_date": lines["date"].dt.strftime("%Y-%m-%d"),
            "amount": lines["amount"].map("{:.2f}".format),
            "quantity": lines["quantity"].map("{:.0f}".format),
            "channel": lines["channel"],
            "category": lines["category"],
            "store": lines["store"],
            "product_id": lines["product_id"],
        }
    )


@functools.lru_cache(maxsize=4)
def generate_babystore(n_customers: int = 20_000, seed: int = 7) -> Babystore:
    """The baby store (cached: the log, its member table and its surveys come from one generation).
    The planted return abusers come from a second random stream, so the rest of the log does not depend on them."""
    rng = np.random.default_rng(seed)
    orders = _babystore_orders(n_customers, rng)
    lines = _order_lines(orders, rng)
    lines = pd.concat([lines, _returns(lines, rng)], ignore_index=True)
    raw = _inject_dirt(_export_frame(lines), rng)
    abuse, abusers = _return_abuse(orders, np.random.default_rng(seed + 1))
    festive, festival_of = _festival_responders(orders, np.random.default_rng(seed + 5))
    prams, pram_day = _stroller_buyers(orders, np.random.default_rng(seed + 6))
    region = customer_regions(n_customers, seed)
    summer = _summer_orders(orders, region, np.random.default_rng(seed + 9))
    raw = pd.concat([raw, *(_export_frame(part) for part in (abuse, festive, prams, summer))],
                    ignore_index=True).sort_values(["order_date", "order_id"], kind="stable")  # fmt: skip
    truth = orders.drop_duplicates("customer")[["customer", "baby_birth", "dropout"]]
    truth = truth.assign(customer_id=[f"C{c:07d}" for c in truth["customer"]],
                         return_abuser=truth["customer"].isin(abusers),
                         festival=truth["customer"].map(festival_of).fillna(""),
                         stroller_bought=truth["customer"].map(pram_day),
                         region=region[truth["customer"]])  # fmt: skip
    truth = truth[["customer_id", "baby_birth", "dropout", "return_abuser", "festival", "stroller_bought", "region"]]
    return Babystore(raw.reset_index(drop=True), truth.sort_values("customer_id").reset_index(drop=True))


def babystore_frames(n_customers: int = 20_000, seed: int = 7) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The baby-store log as exported (English values, before the Chinese headers) and the planted truth per
    customer (customer_id, baby_birth, dropout, return_abuser): what a test may compare the workbench's findings
    with."""
    store = generate_babystore(n_customers, seed)
    return store.raw.copy(), store.truth.copy()


def write_babystore(out_dir: Path, n_customers: int = 20_000, *, seed: int = 7, chinese: bool = False) -> RawDataset:
    """Generate a multi-channel mother-and-baby retailer's transaction log with known dirt.

    Customers follow BG/NBD with Gamma-Gamma spend (`BABYSTORE_TRUTH`, rates per
    week), so later stages can check parameter recovery; each family's baby ages through
    pregnancy, stage-1/2/3 formula and beyond (`BABY_STAGES`), so category sequences are planted.
    Headers are Chinese, as exported by many POS systems; with `chinese`, channels, categories
    and stores are too, and the file is GBK-encoded (babystore_zh.csv), as Chinese Windows tools write it.
    """
    raw, _ = babystore_frames(n_customers, seed)
    return _write_export(raw, Path(out_dir) / ("babystore_zh.csv" if chinese else "babystore.csv"), chinese)


def _write_export(raw: pd.DataFrame, out: Path, chinese: bool) -> RawDataset:
    """The log as a POS exports it: Chinese headers; with `chinese`, Chinese values in GBK."""
    if chinese:
        raw = raw.assign(**{column: raw[column].replace(names) for column, names in CHINESE_VALUES.items()})
    raw = raw.rename(columns=BABYSTORE_COLUMNS)
    with atomic_path(out) as tmp:
        raw.to_csv(tmp, index=False, quoting=csv.QUOTE_MINIMAL, encoding="gbk" if chinese else "utf-8")
    return RawDataset(out, dict(BABYSTORE_COLUMNS), "%Y-%m-%d")


# The planted truth of the example campaign: the conversion lift (absolute) contact causes, per action
TRUE_CAMPAIGN_EFFECTS = {
    "Personal call from the service team and an exclusive retention offer": 0.08,
    "Automated win-back with a time-limited offer": 0.05,
    "Reminder of favourite products with bestsellers": 0.04,
    "Second-purchase incentive and product education": 0.03,
    "Loyalty rewards and recognition, no discount": 0.0,
    "Standard newsletter": -0.02,
}


# how strongly each channel carries a contact, relative to the others (the plan's channel column): WeChat
# messages move customers most, e-mail least; within an action cell the factors average 1 over the contacted
TRUE_CHANNEL_RESPONSE = {"wechat": 1.5, "sms": 1.0, "email": 0.4}


def channel_factors(channels: pd.Series) -> np.ndarray:
    """Each contacted customer's share of their cell's lift: TRUE_CHANNEL_RESPONSE of their channel (1 for any
    other), scaled so the cell's mean is 1 and its lift stays the action's."""
    factor = channels.map(TRUE_CHANNEL_RESPONSE).fillna(1.0).to_numpy(float)
    return factor / factor.mean()


def simulate_campaign(raw: pd.DataFrame, plan: pd.DataFrame, *, start: date, outcome_days: int,
                      effects: dict[str, float], seed: int = 11) -> pd.DataFrame:  # fmt: skip
    """The log as it would be after a campaign with the given true conversion lifts per action.

    In each action cell, with base = the share of contacted customers who buy in the outcome window anyway,
    a lift d > 0 adds one order in the window to each contacted non-buyer with probability d / (1 - base);
    d < 0 removes the window's purchases of each contacted buyer with probability -d / base. So contact
    changes the cell's conversion by d in expectation; the control group is untouched. When the plan names
    channels, each customer's probability is scaled by their channel's factor (`channel_factors`)."""
    rng = np.random.default_rng(seed)
    end = start + pd.Timedelta(days=outcome_days - 1)
    day = pd.to_datetime(raw["order_date"], errors="coerce")
    amount = pd.to_numeric(raw["amount"], errors="coerce")
    in_window = (day >= pd.Timestamp(start)) & (day <= pd.Timestamp(end)) & (amount > 0)
    buyers = set(raw.loc[in_window, "customer_id"])
    treated = plan[plan["group"] == "treatment"]
    added, removed = [], set()
    for action, members in treated.groupby("action"):
        lift = effects.get(str(action), 0.0)
        ids = members["customer_id"].to_numpy()
        bought = np.isin(ids, list(buyers))
        base = bought.mean()
        factor = channel_factors(members["channel"]) if "channel" in members else np.ones(len(ids))
        if lift > 0 and base < 1:
            chosen = ids[~bought][rng.random((~bought).sum()) < lift * factor[~bought] / (1 - base)]
            added.extend(chosen)
        elif lift < 0 and base > 0:
            removed |= set(ids[bought][rng.random(bought.sum()) < -lift * factor[bought] / base])
    kept = raw[~(in_window & raw["customer_id"].isin(removed))]
    history = (
        raw[amount > 0]
        .groupby("customer_id")
        .agg(
            value=("amount", lambda a: pd.Series(pd.to_numeric(a)).mean()),
            channel=("channel", "last"),
            category=("category", "last"),
        )
    )
    extra = history.reindex(added)
    orders = pd.DataFrame({
        "customer_id": added,
        "order_id": [f"CP{i:07d}" for i in range(len(added))],
        "order_date": (pd.Timestamp(start) + pd.to_timedelta(rng.integers(0, outcome_days, len(added)), unit="D"))
        .strftime("%Y-%m-%d"),
        "amount": (extra["value"].fillna(60.0).to_numpy() * rng.gamma(4.0, 0.25, len(added))).round(2),
        "quantity": "1", "channel": extra["channel"].fillna(CHANNELS[0]).to_numpy(),
        "category": extra["category"].fillna(CATEGORIES[4]).to_numpy(), "store": "", "product_id": "",
    })  # fmt: skip
    orders["amount"] = orders["amount"].map("{:.2f}".format)
    return pd.concat([kept, orders], ignore_index=True).sort_values(["order_date", "order_id"], kind="stable")


def write_campaign_log(plan: pd.DataFrame, out_dir: Path, *, n_customers: int, chinese: bool,
                       effects: dict[str, float] = TRUE_CAMPAIGN_EFFECTS, seed: int = 7) -> RawDataset:  # fmt: skip
    """The baby store's log with the campaign of `plan` (its campaign_start and outcome_days) applied."""
    starts = pd.to_datetime(plan["campaign_start"]).dt.date.unique()
    if len(starts) != 1:
        raise ConfigError("the plan must have one campaign_start")
    raw, _ = babystore_frames(n_customers, seed)
    outcome_days = int(plan["outcome_days"].iloc[0])
    if pd.Timestamp(starts[0]) + pd.Timedelta(days=outcome_days - 1) > pd.Timestamp(BABYSTORE_END):
        raise ConfigError(f"the plan starts {starts[0]}: its {outcome_days}-day window must end by {BABYSTORE_END}, "
                          "the last day of the generated log; plan at an earlier dates.analysis_date")  # fmt: skip
    simulated = simulate_campaign(raw, plan, start=starts[0], outcome_days=outcome_days, effects=effects)
    name = "babystore_zh_campaign.csv" if chinese else "babystore_campaign.csv"
    Path(out_dir).mkdir(parents=True, exist_ok=True)
    return _write_export(simulated, Path(out_dir) / name, chinese)


def write_dataset(name: str, out_dir: Path, *, n_customers: int = 20_000, seed: int = 7) -> RawDataset:
    """Materialise a built-in dataset ('cdnow_sample', 'cdnow_master', 'babystore', 'babystore_zh',
    'online_retail')."""
    Path(out_dir).mkdir(parents=True, exist_ok=True)
    if name == "online_retail":
        from helpers.data.retail_export import DATE_FORMAT, RETAIL_COLUMNS, write_online_retail_export  # it imports us

        return RawDataset(write_online_retail_export(out_dir, n_customers=n_customers, seed=seed).path,
                          dict(RETAIL_COLUMNS), DATE_FORMAT)  # fmt: skip
    if name in ("babystore", "babystore_zh"):
        return write_babystore(out_dir, n_customers=n_customers, seed=seed, chinese=name == "babystore_zh")
    if name in ("cdnow_sample", "cdnow_master"):
        return write_cdnow(name.split("_")[1], out_dir)
    raise ConfigError(
        f"unknown dataset '{name}'; choose one of cdnow_sample, cdnow_master, babystore, babystore_zh, online_retail"
    )


PHARMACY_COLUMNS = {"order_date": "购药时间", "customer_id": "社保卡号", "product_id": "商品编码",
                    "category": "商品名称", "quantity": "销售数量", "receivable": "应收金额",
                    "amount": "实收金额"}  # fmt: skip
PHARMACY_PRODUCTS = ("感康", "苯磺酸氨氯地平片(络活喜)", "开博通", "酒石酸美托洛尔片(倍他乐克)", "硝苯地平片(心痛定)",
                     "高特灵", "复方利血平片", "阿卡波糖片", "二甲双胍", "维生素C片")  # fmt: skip
WEEKDAYS_ZH = "一二三四五六日"


@dataclass(frozen=True)
class PharmacyExport:
    """The look-alike of a Chinese pharmacy POS export, and what a correct reading of it must find."""

    path: Path
    truth: dict  # lines, money (every line's amount), impossible_dates, masked_ids, masked_lines, customers


def _written_dates(days: pd.Series, rng: np.random.Generator) -> pd.Series:
    """Dates as the POS writes them: mostly '2018-01-01 星期一', some '2018年1月1日', '2018/1/1 10:23' or an Excel
    serial day number."""
    weekday = days.dt.day_of_week.map(lambda d: f"星期{WEEKDAYS_ZH[d]}")
    forms = rng.choice(4, len(days), p=[0.85, 0.06, 0.06, 0.03])
    minutes = rng.integers(8 * 60, 21 * 60, len(days))
    written = np.select(
        [forms == 0, forms == 1, forms == 2],
        [days.dt.strftime("%Y-%m-%d ") + weekday,
         days.dt.year.astype(str) + "年" + days.dt.month.astype(str) + "月" + days.dt.day.astype(str) + "日",
         days.dt.strftime("%Y/%-m/%-d ") + pd.Series([f"{m // 60}:{m % 60:02d}" for m in minutes], index=days.index)],
        (days - pd.Timestamp(EXCEL_EPOCH_DAY)).dt.days.astype(str),
    )  # fmt: skip
    return pd.Series(written, index=days.index)


EXCEL_EPOCH_DAY = "1899-12-30"


def _written_money(values: np.ndarray, rng: np.random.Generator) -> list[str]:
    """Amounts as the POS writes them: '¥1,234.50', '￥28.00', '12.5元', '1,000' or plain '28.0'."""
    forms = rng.choice(5, len(values), p=[0.3, 0.15, 0.15, 0.1, 0.3])
    written = []
    for value, form in zip(values, forms, strict=True):
        sign, number = ("-" if value < 0 else ""), abs(value)
        written.append([f"{sign}¥{number:,.2f}", f"{sign}￥{number:.2f}", f"{sign}{number:g}元",
                        f"{sign}{number:,.0f}" if number == round(number) else f"{sign}{number:,.2f}",
                        f"{sign}{number}"][form])  # fmt: skip
    return written


def write_pharmacy_export(out_dir: Path, n_lines: int = 6_578, seed: int = 11) -> PharmacyExport:
    """A Chinese pharmacy POS export as it comes (xlsx): dates with weekdays and 年月日, masked social-security card
    numbers (`*******528`), money with ¥/元 and thousands separators, quantities with units (`2盒`), refund lines,
    and a few impossible dates (2018-02-29). The truth says what reading it must give."""
    rng = np.random.default_rng(seed)
    n_customers = max(20, n_lines // 3)
    cards = pd.Series([f"{number:010d}" for number in rng.choice(10**10, n_customers, replace=False)])
    masked = rng.random(n_customers) < 0.3
    cards[masked] = "*******" + cards[masked].str[-3:]  # masking keeps the last three digits
    customer = rng.integers(0, n_customers, n_lines)
    days = pd.Series(pd.Timestamp("2018-01-01") + pd.to_timedelta(rng.integers(0, 200, n_lines), unit="D"))
    product = rng.integers(0, len(PHARMACY_PRODUCTS), n_lines)
    units = rng.integers(1, 6, n_lines)
    price = np.round(rng.choice([8.5, 12.0, 28.0, 34.5, 56.0, 82.0, 162.0, 1_216.0], n_lines), 2)
    refunds = rng.random(n_lines) < 0.02  # a refund line comes after its customer's purchase of that product
    units = np.where(refunds, -units, units)
    value = np.round(units * price * np.where(rng.random(n_lines) < 0.2, 0.9, 1.0), 2)
    frame = pd.DataFrame({"customer": customer, "day": days, "product": product, "units": units, "value": value})
    frame = frame.drop_duplicates(["customer", "day", "product"], ignore_index=True)  # no line is a copy of another
    refund = frame[frame["units"] < 0].copy()
    frame = frame[frame["units"] > 0]
    refund = refund.merge(  # a refund of a product its customer never bought here is no refund
        frame.groupby(["customer", "product"], as_index=False)["day"].min(), on=["customer", "product"],
        suffixes=("", "_first"),
    )  # fmt: skip
    refund["day"] = np.maximum(refund["day"], refund["day_first"] + pd.Timedelta(days=1))
    frame = pd.concat([frame, refund.drop(columns="day_first")], ignore_index=True)
    frame = frame.drop_duplicates(["customer", "day", "product"], ignore_index=True).sort_values("day", kind="stable")
    # 23 lines more, copies of purchases dated 2018-02-29 (a POS clock's error): set aside, nothing else changes
    impossible = frame[frame["units"] > 0].drop_duplicates(["customer", "product"]).sample(23, random_state=seed)
    frame = pd.concat([frame, impossible], ignore_index=True)
    written = _written_dates(frame["day"], rng).astype(object)
    serial = written.str.fullmatch(r"\d+")
    written[serial] = written[serial].astype(int)  # Excel keeps a serial day as a number cell
    written.iloc[-len(impossible) :] = "2018-02-29 星期四"
    export = pd.DataFrame({
        PHARMACY_COLUMNS["order_date"]: written,
        PHARMACY_COLUMNS["customer_id"]: cards[frame["customer"]].to_numpy(),
        PHARMACY_COLUMNS["product_id"]: [f"{861000 + p}" for p in frame["product"]],
        PHARMACY_COLUMNS["category"]: [PHARMACY_PRODUCTS[p] for p in frame["product"]],
        PHARMACY_COLUMNS["quantity"]: [f"{u}盒" if k % 2 else str(u) for k, u in enumerate(frame["units"])],
        PHARMACY_COLUMNS["receivable"]: frame["value"].map("{:.2f}".format),
        PHARMACY_COLUMNS["amount"]: _written_money(frame["value"].to_numpy(), rng),
    })  # fmt: skip
    path = Path(out_dir) / "pharmacy_zh.xlsx"
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as tmp:
        export.to_excel(tmp, index=False, engine="openpyxl")
    ids = export[PHARMACY_COLUMNS["customer_id"]]
    kept = ids.iloc[: -len(impossible)]
    truth = {"lines": len(export), "money": round(float(frame["value"].sum()), 2),
             "impossible_dates": len(impossible), "impossible_money": round(float(impossible["value"].sum()), 2),
             "masked_ids": int(kept[kept.str.startswith("*")].nunique()),
             "masked_lines": int(kept.str.startswith("*").sum()), "customers": int(kept.nunique()),
             "refunds": int((frame["units"] < 0).sum()), "excel_serial_dates": int(serial.sum())}  # fmt: skip
    return PharmacyExport(path, truth)


SUPERMARKET_COLUMNS = {"customer_id": "顾客编号", "category": "大类名称", "order_date": "销售日期",
                       "product_id": "商品编码", "quantity": "销售数量", "amount": "销售金额"}  # fmt: skip
SUPERMARKET_PRICE, SUPERMARKET_PROMOTION = "商品单价", "是否促销"
SUPERMARKET_CATEGORIES = (
    "日配",
    "休闲",
    "粮油",
    "洗化",
    "酒饮",
    "蔬果",
    "肉禽",
    "冷冻",
    "熟食",
    "家居",
    "烘焙",
    "水产",
)
SUPERMARKET_START, SUPERMARKET_DAYS = date(2015, 1, 1), 120  # 2015-01-01 to 2015-04-30
SUPERMARKET_TRUTH = {"r": 0.7, "alpha": 45.0, "a": 0.8, "b": 2.0}  # BG/NBD, rates per day


@dataclass(frozen=True)
class SupermarketExport:
    """The look-alike of a Chinese supermarket POS export with four months of history, and what it holds."""

    path: Path
    truth: dict  # lines, customers, repeat_buyers, money, first_day, last_day, promotion_lines


def write_supermarket_export(out_dir: Path, n_customers: int = 2_600, seed: int = 5) -> SupermarketExport:
    """A Chinese supermarket POS export as it comes: GBK CSV, Chinese headers (顾客编号, 大类名称, 销售日期 as
    `20150101`, 商品编码, 销售数量, 销售金额, 商品单价, 是否促销), four months of history. Visits follow BG/NBD in
    days (most members were already shopping when the export starts, so first visits crowd its first weeks);
    each visit buys a few products, some on promotion. About half the customers come back."""
    rng = np.random.default_rng(seed)
    first_day = np.minimum(rng.exponential(25.0, n_customers), SUPERMARKET_DAYS - 1).astype(int)
    visits = simulate_bgnbd_gamma_gamma(n_customers, rng, **SUPERMARKET_TRUTH, p=1.0, q=1.0, v=1.0,
                                        weeks_observed=(SUPERMARKET_DAYS - 1 - first_day).astype(float))  # fmt: skip
    visits["day"] = first_day[visits["customer"]] + np.floor(visits["week"]).astype(int)
    visits = visits.drop_duplicates(["customer", "day"], ignore_index=True)  # one visit a day at most
    basket = rng.gamma(2.0, 4.5, n_customers)  # each customer's usual number of products per visit
    lines_per_visit = 1 + rng.poisson(basket[visits["customer"]])
    line_visit = np.repeat(np.arange(len(visits)), lines_per_visit)
    n_lines = len(line_visit)
    product = rng.zipf(1.3, n_lines) % 600  # a few products sell far more than the rest
    unit_price = np.round(np.exp(rng.normal(2.3, 0.8, 600)), 1)[product]
    promotion = rng.random(n_lines) < 0.18
    quantity = np.where(rng.random(n_lines) < 0.15, np.round(rng.uniform(0.2, 2.0, n_lines), 3),
                        rng.integers(1, 4, n_lines))  # fmt: skip  # weighed goods in kg
    amount = np.round(quantity * unit_price * np.where(promotion, 0.8, 1.0), 2)
    day = visits["day"].to_numpy()[line_visit]
    once = ~pd.DataFrame({"visit": line_visit, "product": product}).duplicated().to_numpy()  # a product once a visit
    line_visit, product, unit_price, promotion, quantity, amount, day = (
        column[once] for column in (line_visit, product, unit_price, promotion, quantity, amount, day)
    )
    n_lines = len(line_visit)
    export = pd.DataFrame({
        SUPERMARKET_COLUMNS["customer_id"]: 10_000 + visits["customer"].to_numpy()[line_visit] * 7,
        SUPERMARKET_COLUMNS["category"]: [SUPERMARKET_CATEGORIES[p % len(SUPERMARKET_CATEGORIES)] for p in product],
        SUPERMARKET_COLUMNS["order_date"]: (pd.Timestamp(SUPERMARKET_START) + pd.to_timedelta(day, unit="D"))
        .strftime("%Y%m%d"),
        SUPERMARKET_COLUMNS["product_id"]: [f"{3_000_000 + p * 37}" for p in product],
        SUPERMARKET_COLUMNS["quantity"]: [f"{q:g}" for q in quantity],
        SUPERMARKET_COLUMNS["amount"]: amount,
        SUPERMARKET_PRICE: unit_price,
        SUPERMARKET_PROMOTION: np.where(promotion, "是", "否"),
    }).sort_values(SUPERMARKET_COLUMNS["order_date"], kind="stable")  # fmt: skip
    path = Path(out_dir) / "supermarket_zh.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as tmp:
        export.to_csv(tmp, index=False, encoding="gbk")
    purchases = visits.groupby("customer").size()
    truth = {"lines": n_lines, "customers": int(purchases.size), "repeat_buyers": int((purchases > 1).sum()),
             "money": round(float(amount.sum()), 2), "first_day": str(SUPERMARKET_START),
             "last_day": str(SUPERMARKET_START + timedelta(days=int(day.max()))),
             "promotion_lines": int(promotion.sum())}  # fmt: skip
    return SupermarketExport(path, truth)
