"""NPS and satisfaction: scores with 95% intervals per group, the monthly trend, who answers, and survey
features for the churn model that only use answers given by each cutoff.

NPS = 100 x (share of promoters, 9-10 - share of detractors, 0-6). Its standard error treats each answer as a
draw of +1 / 0 / -1: se = 100 x sqrt((p + d - (p - d)^2) / n); the interval is NPS +- 1.96 se, within [-100, 100].
Per group, each customer counts once, with their latest answer; the trend counts every answer in its month.
"""

from __future__ import annotations

from datetime import date
from typing import cast

import numpy as np
import pandas as pd
from scipy.stats import norm

__all__ = [
    "DETRACTOR",
    "PROMOTER",
    "SURVEY_FEATURES",
    "Z95",
    "latest_answers",
    "monthly_trend",
    "nps_by",
    "nps_score",
    "response_bias",
    "scores_by",
    "survey_features",
]

PROMOTER, DETRACTOR = 9, 6  # NPS at least 9 promotes, at most 6 detracts
Z95 = float(norm.ppf(0.975))
SURVEY_FEATURES = ("latest_nps", "detractor", "promoter", "latest_satisfaction", "days_since_survey",
                   "surveys_answered")  # fmt: skip


def nps_score(nps: pd.Series) -> dict:
    """Responses, promoter / passive / detractor shares, NPS and its 95% interval (NaN without responses)."""
    answers = nps.dropna().to_numpy(dtype=float)
    n = len(answers)
    if n == 0:
        return {"responses": 0, "promoters": np.nan, "passives": np.nan, "detractors": np.nan, "nps": np.nan,
                "nps_low": np.nan, "nps_high": np.nan}  # fmt: skip
    p, d = float((answers >= PROMOTER).mean()), float((answers <= DETRACTOR).mean())
    score = 100 * (p - d)
    half = Z95 * 100 * np.sqrt(max(p + d - (p - d) ** 2, 0.0) / n)
    return {"responses": n, "promoters": p, "passives": 1 - p - d, "detractors": d, "nps": score,
            "nps_low": max(score - half, -100.0), "nps_high": min(score + half, 100.0)}  # fmt: skip


def latest_answers(surveys: pd.DataFrame) -> pd.DataFrame:
    """Each customer's latest answer (NPS and satisfaction from the latest answer that has each)."""
    ordered = surveys.sort_values(["customer_id", "survey_date", "source_row"])
    columns = [c for c in ("nps", "satisfaction") if c in ordered.columns]
    latest = ordered.groupby("customer_id")[columns].last()  # last non-missing value of each
    latest["survey_date"] = ordered.groupby("customer_id")["survey_date"].max()
    return latest


def scores_by(answers: pd.DataFrame, keys: pd.Series, name: str) -> pd.DataFrame:
    """NPS with its interval and mean satisfaction of the answers in each group of `keys` (named `name`)."""
    rows = {}
    for group, found in answers.groupby(keys):
        row = nps_score(found["nps"]) if "nps" in found else {"responses": len(found)}
        if "satisfaction" in found:
            row |= {"mean_satisfaction": found["satisfaction"].mean()}
        rows[group] = row
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = name
    return table


def nps_by(latest: pd.DataFrame, groups: pd.Series) -> pd.DataFrame:
    """NPS with its interval and mean satisfaction per group (customers without a group are left out)."""
    joined = latest.join(groups.rename("group"), how="inner").dropna(subset=["group"])
    return scores_by(joined, joined["group"], cast(str, groups.name)).sort_values("responses", ascending=False)


def monthly_trend(surveys: pd.DataFrame) -> pd.DataFrame:
    """NPS (with interval) and mean satisfaction of every answer, by month answered."""
    return scores_by(surveys, surveys["survey_date"].dt.to_period("M").dt.to_timestamp(), "month")


def response_bias(profile: pd.DataFrame, answered: pd.Index) -> pd.DataFrame:
    """Customers who answered a survey against those who did not: how many, median spend and recency, VIP share."""
    responded = profile.index.isin(answered)
    rows = {}
    for label, group in (("answered", profile[responded]), ("did not answer", profile[~responded])):
        rows[label] = {"customers": len(group), "median_spend": group["total_spend"].median(),
                       "median_recency_days": group["recency_days"].median(),
                       "vip_share": (group["value_tier"] == "VIP").mean() if len(group) else np.nan}  # fmt: skip
    return pd.DataFrame.from_dict(rows, orient="index")


def survey_features(surveys: pd.DataFrame, cutoff: date) -> pd.DataFrame:
    """Per customer, from the answers given on or before `cutoff` only: latest NPS and satisfaction, detractor
    and promoter flags, days since the latest answer, answers so far. Customers without one are absent."""
    known = surveys[surveys["survey_date"] <= pd.Timestamp(cutoff)]
    if known.empty:
        return pd.DataFrame(columns=list(SURVEY_FEATURES), index=pd.Index([], name="customer_id"), dtype=float)
    latest = latest_answers(known)
    features = pd.DataFrame(index=latest.index)
    nps = latest["nps"] if "nps" in latest else pd.Series(np.nan, index=latest.index)
    features["latest_nps"] = nps
    features["detractor"] = (nps <= DETRACTOR).astype(float).where(nps.notna())
    features["promoter"] = (nps >= PROMOTER).astype(float).where(nps.notna())
    features["latest_satisfaction"] = latest.get("satisfaction", np.nan)
    features["days_since_survey"] = (pd.Timestamp(cutoff) - latest["survey_date"]).dt.days.astype(float)
    features["surveys_answered"] = known.groupby("customer_id").size().astype(float)
    return features
