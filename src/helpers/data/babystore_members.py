"""The baby store's member table and satisfaction surveys, generated beside its log with known answers.

The member table holds what a CRM system exports (birth date, gender, region, card level, points, opt-ins,
baby birth date) with planted dirt whose rows and rules are known; survey answers follow each customer's
true drop-out probability (the churn propensity of the log's BG/NBD simulation), so low scores predict churn
by construction, and more valuable customers answer more often (a response bias to detect).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import numpy as np
import pandas as pd
from scipy.stats import norm

from helpers.data.artifacts import atomic_path
from helpers.data.datasets import BABYSTORE_END, Babystore, generate_babystore

__all__ = [
    "BABY_BIRTH_KNOWN",
    "CARD_LEVELS",
    "CARD_SHARES",
    "CHINESE_CARDS",
    "CHINESE_COMMENTS",
    "CHINESE_REGIONS",
    "COMMENTS",
    "MEMBER_COLUMNS",
    "MEMBER_DIRT",
    "MISSING_FROM_TABLE",
    "NEVER_BOUGHT_MEMBERS",
    "NPS_BASE",
    "NPS_NOISE",
    "NPS_SLOPE",
    "OPT_IN_RATES",
    "REGIONS",
    "RESPONSE_RATE",
    "SURVEY_COLUMNS",
    "SURVEY_DIRT",
    "UNKNOWN_SURVEY_IDS",
    "SideTable",
    "member_table",
    "nps_probabilities",
    "survey_table",
    "write_side_table",
]

MEMBER_COLUMNS = {
    "customer_id": "会员ID",
    "birth_date": "出生日期",
    "gender": "性别",
    "region": "省份",
    "city": "城市",
    "join_date": "入会日期",
    "card_level": "会员卡等级",
    "points": "积分余额",
    "opt_in_sms": "短信订阅",
    "opt_in_wechat": "微信订阅",
    "opt_in_email": "邮件订阅",
    "baby_birth_date": "宝宝生日",
}
SURVEY_COLUMNS = {
    "customer_id": "会员ID",
    "survey_date": "调查日期",
    "nps": "推荐意愿",
    "satisfaction": "满意度",
    "comment": "意见",
}
REGIONS = {  # province: (city, weight)
    "Shanghai": ("Shanghai", 0.16), "Beijing": ("Beijing", 0.14), "Guangdong": ("Guangzhou", 0.18),
    "Zhejiang": ("Hangzhou", 0.14), "Jiangsu": ("Nanjing", 0.14), "Sichuan": ("Chengdu", 0.10),
    "Hubei": ("Wuhan", 0.08), "Shaanxi": ("Xi'an", 0.06),
}  # fmt: skip
CHINESE_REGIONS = {"Shanghai": "上海", "Beijing": "北京", "Guangdong": "广东", "Zhejiang": "浙江", "Jiangsu": "江苏",
                   "Sichuan": "四川", "Hubei": "湖北", "Shaanxi": "陕西", "Guangzhou": "广州", "Hangzhou": "杭州",
                   "Nanjing": "南京", "Chengdu": "成都", "Wuhan": "武汉", "Xi'an": "西安"}  # fmt: skip
CARD_LEVELS = ("basic", "silver", "gold", "platinum")
CHINESE_CARDS = dict(zip(CARD_LEVELS, ("普通卡", "银卡", "金卡", "白金卡"), strict=True))
CARD_SHARES = (0.5, 0.3, 0.15, 0.05)  # by spend rank, lowest first
OPT_IN_RATES = {"opt_in_sms": 0.75, "opt_in_wechat": 0.6, "opt_in_email": 0.25}
BABY_BIRTH_KNOWN = 0.85
NEVER_BOUGHT_MEMBERS = 0.05  # members without a purchase in the log
MISSING_FROM_TABLE = 0.03  # buyers the member table does not hold
MEMBER_DIRT = {"missing_customer_id": 8, "invalid_date": 12, "invalid_age": 8, "unknown_code": 10,
               "invalid_points": 6, "duplicate_customer_id": 30}  # fmt: skip
# NPS answer = round(NPS_BASE - NPS_SLOPE x dropout + noise), clipped to 0-10
NPS_BASE, NPS_SLOPE, NPS_NOISE = 10.2, 14.0, 1.2
RESPONSE_RATE = (0.1, 0.5)  # P(answers) rises linearly with spend rank from the first to the second
SURVEY_DIRT = {"missing_customer_id": 4, "unparseable_date": 5, "after_observation_end": 3, "invalid_score": 5,
               "no_score": 3, "duplicate_row": 8}  # fmt: skip
UNKNOWN_SURVEY_IDS = 5
COMMENTS = {
    "promoter": ("Fast delivery, great service", "Always in stock", "Staff were very helpful"),
    "passive": ("OK", "Prices could be lower", "Delivery was a bit slow"),
    "detractor": ("Formula out of stock again", "Rude staff at the store", "Refund took weeks"),
}
CHINESE_COMMENTS = {
    "Fast delivery, great service": "配送快，服务好", "Always in stock": "总是有货",
    "Staff were very helpful": "店员很热心", "OK": "还行", "Prices could be lower": "价格可以再低一些",
    "Delivery was a bit slow": "配送有点慢", "Formula out of stock again": "奶粉又缺货了",
    "Rude staff at the store": "门店店员态度差", "Refund took weeks": "退款等了几周",
}  # fmt: skip


@dataclass(frozen=True)
class SideTable:
    """A generated table as exported, and its planted dirt (source_row, rule)."""

    frame: pd.DataFrame
    dirt: pd.DataFrame


def nps_probabilities(dropout: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """P(promoter: answer 9-10) and P(detractor: answer 0-6) of a customer with this drop-out probability."""
    centre = NPS_BASE - NPS_SLOPE * np.asarray(dropout, dtype=float)
    return norm.sf((8.5 - centre) / NPS_NOISE), norm.cdf((6.5 - centre) / NPS_NOISE)


def _buyers(store: Babystore) -> pd.DataFrame:
    """Per customer of the log: spend, first purchase and every purchase day (from the clean purchase lines)."""
    raw = store.raw
    amount = pd.to_numeric(raw["amount"], errors="coerce")
    day = pd.to_datetime(raw["order_date"], format="%Y-%m-%d", errors="coerce")
    lines = raw.assign(amount=amount, day=day)[(amount > 0) & day.notna() & (raw["customer_id"] != "")]
    lines = lines.drop_duplicates()
    per = lines.groupby("customer_id").agg(spend=("amount", "sum"), first=("day", "min"))
    per["rank"] = per["spend"].rank(pct=True)
    return per.join(store.truth.set_index("customer_id"))


def _plant(frame: pd.DataFrame, counts: dict[str, int], *, rng: np.random.Generator, damage) -> SideTable:
    """Damage distinct clean rows, one rule each (`damage(frame, rows, rule)`), then append copies of other clean
    rows for the duplicate rule; the planted rows are listed as (source_row, rule), rows numbered from 1."""
    duplicate_rule = next(rule for rule in counts if rule.startswith("duplicate"))
    rows = rng.choice(len(frame), sum(counts.values()), replace=False)
    damaged, dirt, start = frame.copy(), [], 0
    for rule in (rule for rule in counts if rule != duplicate_rule):
        chosen = rows[start : start + counts[rule]]
        damage(damaged, chosen, rule)
        dirt += [(int(r) + 1, rule) for r in chosen]
        start += counts[rule]
    copies = frame.iloc[rows[start:]]
    dirt += [(len(frame) + i + 1, duplicate_rule) for i in range(len(copies))]
    table = pd.concat([damaged, copies], ignore_index=True)
    return SideTable(table, pd.DataFrame(dirt, columns=["source_row", "rule"]).sort_values("source_row"))


def _damage_member(frame: pd.DataFrame, rows: np.ndarray, rule: str) -> None:
    column = {"missing_customer_id": "customer_id", "invalid_date": "join_date", "invalid_age": "birth_date",
              "unknown_code": "gender", "invalid_points": "points"}[rule]  # fmt: skip
    value = {"missing_customer_id": "", "invalid_date": "2023-02-30", "invalid_age": "1890-05-01",
             "unknown_code": "X", "invalid_points": "-120"}[rule]  # fmt: skip
    frame.iloc[rows, cast(int, frame.columns.get_loc(column))] = value


def member_table(n_customers: int = 20_000, seed: int = 7, chinese: bool = False) -> SideTable:
    """The member table of the generated store (canonical column names; `write_members` adds the headers)."""
    rng = np.random.default_rng(seed + 2)
    buyers = _buyers(generate_babystore(n_customers, seed))
    members = buyers[rng.random(len(buyers)) >= MISSING_FROM_TABLE]
    extra = int(len(buyers) * NEVER_BOUGHT_MEMBERS)
    n = len(members) + extra
    ids = [*members.index, *(f"M{k:07d}" for k in range(extra))]
    rank = np.concatenate([members["rank"].to_numpy(), np.zeros(extra)])
    first = np.concatenate([members["first"].to_numpy(), rng.choice(members["first"].to_numpy(), extra)])
    provinces = list(REGIONS)
    province = rng.choice(provinces, n, p=[REGIONS[p][1] for p in provinces])
    noisy_rank = np.clip(rank + rng.normal(0, 0.1, n), 0, 1)
    card = np.searchsorted(np.cumsum(CARD_SHARES)[:-1], noisy_rank, side="right")
    spend = np.concatenate([members["spend"].to_numpy(), np.zeros(extra)])
    baby = pd.Series(np.concatenate([members["baby_birth"].to_numpy(), np.full(extra, np.datetime64("NaT"))]))
    baby_known = baby.notna() & (rng.random(n) < BABY_BIRTH_KNOWN)
    frame = pd.DataFrame({
        "customer_id": ids,
        "birth_date": (pd.Timestamp("1999-06-30") - pd.to_timedelta(rng.integers(0, 20 * 365, n), unit="D"))
        .strftime("%Y-%m-%d"),
        "gender": np.where(rng.random(n) < 0.88, "F", "M"),
        "region": province,
        "city": [REGIONS[p][0] for p in province],
        "join_date": (pd.to_datetime(first) - pd.to_timedelta(rng.integers(0, 60, n), unit="D")).strftime("%Y-%m-%d"),
        "card_level": np.asarray(CARD_LEVELS)[card],
        "points": np.floor(spend * rng.uniform(0.2, 1.0, n)).astype(int).astype(str),
        **{column: np.where(rng.random(n) < rate, "Y", "N") for column, rate in OPT_IN_RATES.items()},
        "baby_birth_date": np.where(baby_known, baby.dt.strftime("%Y-%m-%d"), ""),
    })  # fmt: skip
    planted = _plant(frame, MEMBER_DIRT, rng=rng, damage=_damage_member)
    frame = planted.frame
    copies = planted.dirt.loc[planted.dirt["rule"] == "duplicate_customer_id", "source_row"].to_numpy() - 1
    frame.iloc[copies, cast(int, frame.columns.get_loc("points"))] = "0"  # a later copy that disagrees with the first
    if chinese:
        frame = frame.assign(
            gender=frame["gender"].replace({"F": "女", "M": "男"}),
            region=frame["region"].replace(CHINESE_REGIONS), city=frame["city"].replace(CHINESE_REGIONS),
            card_level=frame["card_level"].replace(CHINESE_CARDS),
            **{c: frame[c].replace({"Y": "是", "N": "否"}) for c in OPT_IN_RATES},
        )  # fmt: skip
    return SideTable(frame, planted.dirt)


def _damage_survey(frame: pd.DataFrame, rows: np.ndarray, rule: str) -> None:
    updates = {"missing_customer_id": {"customer_id": ""}, "unparseable_date": {"survey_date": "yesterday"},
               "after_observation_end": {"survey_date": "2025-03-01"}, "invalid_score": {"nps": "11"},
               "no_score": {"nps": "", "satisfaction": ""}}[rule]  # fmt: skip
    for column, value in updates.items():
        frame.iloc[rows, cast(int, frame.columns.get_loc(column))] = value


def survey_table(n_customers: int = 20_000, seed: int = 7, chinese: bool = False) -> SideTable:
    """Post-purchase survey answers: customers answer with P rising in their spend rank (response bias), 1-3
    times, 1-7 days after one of their purchases; NPS follows their drop-out probability."""
    rng = np.random.default_rng(seed + 3)
    store = generate_babystore(n_customers, seed)
    buyers = _buyers(store)
    low, high = RESPONSE_RATE
    responders = buyers[rng.random(len(buyers)) < low + (high - low) * buyers["rank"]]
    answers = responders.loc[responders.index.repeat(rng.integers(1, 4, len(responders)))]
    raw = store.raw
    days = raw[pd.to_numeric(raw["amount"], errors="coerce") > 0].groupby("customer_id")["order_date"].unique()
    picked = [rng.choice(days[c]) for c in answers.index]
    survey_day = pd.to_datetime(picked, errors="coerce") + pd.to_timedelta(rng.integers(1, 8, len(answers)), unit="D")
    keep = survey_day.notna() & (survey_day <= pd.Timestamp(BABYSTORE_END))
    answers, survey_day = answers[keep], survey_day[keep]
    centre = NPS_BASE - NPS_SLOPE * answers["dropout"].to_numpy()
    nps = np.clip(np.round(centre + rng.normal(0, NPS_NOISE, len(answers))), 0, 10) + 0.0  # + 0.0: no "-0"
    satisfaction = np.clip(np.round(1 + 0.4 * nps + rng.normal(0, 0.6, len(nps))), 1, 5)
    band = np.where(nps >= 9, "promoter", np.where(nps <= 6, "detractor", "passive"))
    comment = [rng.choice(COMMENTS[b]) if rng.random() < 0.3 else "" for b in band]
    frame = pd.DataFrame({
        "customer_id": answers.index.to_numpy(),
        "survey_date": survey_day.strftime("%Y-%m-%d"),
        "nps": np.where(rng.random(len(nps)) < 0.05, "", pd.Series(nps).map("{:.0f}".format)),
        "satisfaction": np.where(rng.random(len(nps)) < 0.1, "", pd.Series(satisfaction).map("{:.0f}".format)),
        "comment": comment,
    }).drop_duplicates(["customer_id", "survey_date"])  # fmt: skip
    frame = frame.sort_values(["survey_date", "customer_id"], kind="stable").reset_index(drop=True)
    both_missing = (frame["nps"] == "") & (frame["satisfaction"] == "")
    frame.loc[both_missing, "satisfaction"] = "3"  # only the planted rows lack both scores
    strangers = frame.sample(UNKNOWN_SURVEY_IDS, random_state=int(rng.integers(1 << 31))).index
    frame.loc[strangers, "customer_id"] = [f"X{k:07d}" for k in range(UNKNOWN_SURVEY_IDS)]
    planted = _plant(frame, SURVEY_DIRT, rng=rng, damage=_damage_survey)
    frame = planted.frame
    if chinese:
        frame = frame.assign(comment=frame["comment"].replace(CHINESE_COMMENTS))
    return SideTable(frame, planted.dirt)


def _write(table: pd.DataFrame, headers: dict[str, str], *, out: Path, chinese: bool) -> Path:
    with atomic_path(out) as tmp:
        table.rename(columns=headers).to_csv(tmp, index=False, quoting=csv.QUOTE_MINIMAL,
                                             encoding="gbk" if chinese else "utf-8")  # fmt: skip
    return out


def write_side_table(kind: str, dataset: str, *, out_dir: Path, n_customers: int = 20_000, seed: int = 7) -> Path:
    """Write the 'members' or 'surveys' table of a generated dataset ('babystore' or 'babystore_zh') as its CRM
    exports it: Chinese headers; with babystore_zh, Chinese values in GBK."""
    chinese = dataset == "babystore_zh"
    make, headers = {"members": (member_table, MEMBER_COLUMNS), "surveys": (survey_table, SURVEY_COLUMNS)}[kind]
    Path(out_dir).mkdir(parents=True, exist_ok=True)
    name = f"{dataset}_{kind}.csv"
    return _write(make(n_customers, seed, chinese).frame, headers, out=Path(out_dir) / name, chinese=chinese)
