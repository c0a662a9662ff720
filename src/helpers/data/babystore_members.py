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
from helpers.data.datasets import BABYSTORE_END, REGIONS, Babystore, generate_babystore

__all__ = [
    "BABY_BIRTH_KNOWN",
    "CARD_LEVELS",
    "CARD_SHARES",
    "CHINESE_CARDS",
    "CHINESE_REGIONS",
    "COMMENT_RATE",
    "DELIVERY_REGIONS",
    "FILLER",
    "MEMBER_COLUMNS",
    "MEMBER_DIRT",
    "MISSING_FROM_TABLE",
    "NEVER_BOUGHT_MEMBERS",
    "NPS_BASE",
    "NPS_NOISE",
    "NPS_SLOPE",
    "OPT_IN_RATES",
    "RESPONSE_RATE",
    "SURVEY_COLUMNS",
    "SURVEY_DIRT",
    "THEMES",
    "THEME_RATES",
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
# What customers write: each planted theme in many phrasings, Chinese and English, with filler and noise, so a
# theme is found by its words and not by matching one sentence. A theme belongs to detractors or to promoters;
# slow delivery is six times as likely in the far west (DELIVERY_REGIONS).
THEMES = {
    "slow delivery": ("detractor", (
        "物流太慢了", "快递慢", "等了一个星期才到", "配送慢得离谱", "物流慢，等了好久", "发货太慢", "快递三天都没动",
        "delivery was slow", "shipping took forever", "waited a week for delivery", "the courier was so slow")),
    "formula out of stock": ("detractor", (
        "奶粉又缺货了", "想买的奶粉断货", "三段奶粉经常没货", "缺货太频繁", "奶粉总是缺货", "断货好几次了",
        "formula out of stock again", "the formula I need is always sold out", "out of stock for weeks")),
    "slow refund": ("detractor", (
        "退款太慢", "退款等了两周", "申请退款一直没处理", "退款迟迟不到账", "退款流程太慢",
        "refund took weeks", "still waiting for my refund", "the refund process is so slow")),
    "helpful staff": ("promoter", (
        "店员很热心", "导购服务热情", "店员耐心解答问题", "店员特别热心", "导购很耐心",
        "staff were very helpful", "friendly and patient staff", "the staff were so helpful")),
}  # fmt: skip
FILLER = ("还行", "总体还可以", "价格可以再低一些", "包装不错", "下次还会来", "会推荐给朋友", "小程序有点卡",
          "OK", "prices could be lower", "nice packaging", "will buy again", "the app is a bit slow")  # fmt: skip
THEME_RATES = {"detractor": (0.8, 0.05), "passive": (0.3, 0.2), "promoter": (0.05, 0.75)}  # P(a detractor theme),
# P(a promoter theme) of a comment by the writer's NPS band; a second detractor theme follows a first with P 0.2
COMMENT_RATE = 0.45  # share of answers with a comment
DELIVERY_REGIONS = ("Sichuan", "Shaanxi")  # slow delivery weighs six times as much there


def _comment(band: str, region: str, rng: np.random.Generator) -> tuple[str, list[str]]:
    """One comment of a writer in this NPS band and region, and the themes planted in it."""
    against = [name for name, (side, _) in THEMES.items() if side == "detractor"]
    weights = np.array([6.0 if name == "slow delivery" and region in DELIVERY_REGIONS else 1.0 for name in against])
    negative, positive = THEME_RATES[band]
    themes: list[str] = []
    if rng.random() < negative:
        themes += list(rng.choice(against, size=1 + int(rng.random() < 0.2), replace=False, p=weights / weights.sum()))
    if rng.random() < positive:
        themes.append("helpful staff")
    parts = [str(rng.choice(THEMES[name][1])) for name in themes]
    filler = [str(rng.choice(FILLER)) for _ in range(int(rng.integers(0 if parts else 1, 3)))]
    parts += list(dict.fromkeys(filler))  # the same filler drawn twice is written once
    rng.shuffle(parts)
    separator = "，" if rng.random() < 0.5 else ", "
    return separator.join(parts) + str(rng.choice(["", "!", "。", "..."])), sorted(themes)


@dataclass(frozen=True)
class SideTable:
    """A generated table as exported, and its planted dirt (source_row, rule)."""

    frame: pd.DataFrame
    dirt: pd.DataFrame
    truth: pd.DataFrame | None = None  # surveys: customer_id, survey_date, themes ('|'-joined) of each clean answer


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
    province = np.concatenate([members["region"].to_numpy(),
                               rng.choice(provinces, extra, p=[REGIONS[p][1] for p in provinces])])  # fmt: skip
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
    times, 1-7 days after one of their purchases; NPS follows their drop-out probability; COMMENT_RATE of the
    answers carry a comment whose THEMES follow the NPS band (and the member's region), Chinese and English mixed
    in both exports (`chinese` changes nothing here: the survey has no code to translate)."""
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
    regions = member_table(n_customers, seed).frame.drop_duplicates("customer_id").set_index("customer_id")["region"]
    region = pd.Series(answers.index).map(regions).fillna("").astype(str)
    written = [_comment(b, r, rng) if rng.random() < COMMENT_RATE else ("", [])
               for b, r in zip(band, region, strict=True)]  # fmt: skip
    comment = [text for text, _ in written]
    frame = pd.DataFrame({
        "customer_id": answers.index.to_numpy(),
        "survey_date": survey_day.strftime("%Y-%m-%d"),
        "nps": np.where(rng.random(len(nps)) < 0.05, "", pd.Series(nps).map("{:.0f}".format)),
        "satisfaction": np.where(rng.random(len(nps)) < 0.1, "", pd.Series(satisfaction).map("{:.0f}".format)),
        "comment": comment,
        "planted_themes": ["|".join(themes) for _, themes in written],
    }).drop_duplicates(["customer_id", "survey_date"])  # fmt: skip
    frame = frame.sort_values(["survey_date", "customer_id"], kind="stable").reset_index(drop=True)
    both_missing = (frame["nps"] == "") & (frame["satisfaction"] == "")
    frame.loc[both_missing, "satisfaction"] = "3"  # only the planted rows lack both scores
    strangers = frame.sample(UNKNOWN_SURVEY_IDS, random_state=int(rng.integers(1 << 31))).index
    frame.loc[strangers, "customer_id"] = [f"X{k:07d}" for k in range(UNKNOWN_SURVEY_IDS)]
    truth = frame[["customer_id", "survey_date", "planted_themes"]].rename(columns={"planted_themes": "themes"})
    planted = _plant(frame.drop(columns="planted_themes"), SURVEY_DIRT, rng=rng, damage=_damage_survey)
    return SideTable(planted.frame, planted.dirt, truth)


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
