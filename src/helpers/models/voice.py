"""What customers say: the themes that set detractors' comments apart from promoters', and the recent detractors
to follow up.

Comments are read in Chinese and English: Chinese runs are segmented with `jieba` (its dictionary ships with the
package; nothing is downloaded), Latin words are lower-cased; stop words of both languages are dropped. A term
counts once per comment. Its weight is the log-odds ratio of appearing in a detractor's (NPS 0-6) rather than a
promoter's (9-10) comment with an informative Dirichlet prior (Monroe, Colaresi and Quinn 2008, "Fightin' Words":
the prior is each term's share of all comments times PRIOR_WEIGHT), divided by its standard error: a z-score that
does not reward rare terms. Terms with |z| >= 1.96 in at least `min_comments` comments are grouped into themes: a
term joins the theme whose lead term it appears with in at least half of its comments."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from pathlib import Path

import jieba
import numpy as np
import pandas as pd
from scipy.stats import binom
from statsmodels.api import OLS, add_constant
from statsmodels.stats.multitest import multipletests

from helpers.models.satisfaction import DETRACTOR, PROMOTER

__all__ = [
    "FOLLOW_UP",
    "PRIOR_WEIGHT",
    "STOP_WORDS",
    "Z_THEME",
    "Tokenizer",
    "band_of",
    "by_band",
    "comment_themes",
    "customer_themes",
    "follow_up",
    "indicators",
    "latest_scored",
    "nps_drivers",
    "term_log_odds",
    "themes_by_group",
]

PRIOR_WEIGHT = 500.0  # pseudo-comments of the informative prior
Z_THEME = 1.96
STOP_WORDS = frozenset({
    # Chinese function words and fillers
    "的", "了", "又", "很", "太", "也", "都", "就", "才", "是", "在", "有", "我", "我们", "你", "他", "她", "这", "那",
    "和", "与", "一个", "一直", "还", "好", "得", "着", "过", "吧", "啊", "呢", "吗", "嘛", "要", "会", "能", "被",
    "给", "把", "让", "对", "说", "到", "等", "个", "次", "再", "总是", "经常", "特别", "非常", "真的", "有点", "一些",
    # English
    "the", "a", "an", "is", "was", "were", "are", "be", "been", "and", "or", "but", "to", "of", "for", "in", "on",
    "at", "my", "i", "me", "we", "it", "its", "this", "that", "so", "very", "too", "again", "always", "still",
    "with", "bit", "could", "would", "will", "need", "get", "got", "some", "all", "just", "ok",
})  # fmt: skip
_LATIN = re.compile(r"[a-z]+(?:'[a-z]+)?")
_CJK = re.compile(r"[\u4e00-\u9fff]+")


class Tokenizer:
    """Comments to terms, Chinese (jieba) and English. `cache_dir`: where jieba keeps its prefix dictionary cache
    (the run folder's, so nothing is written elsewhere)."""

    def __init__(self, cache_dir: Path) -> None:
        self._jieba = jieba.Tokenizer()
        self._jieba.tmp_dir = str(cache_dir)
        logging.getLogger("jieba").setLevel(logging.WARNING)

    def terms(self, comment: str) -> list[str]:
        """The comment's terms, stop words dropped, each once, in order of appearance."""
        text = comment.lower()
        found = _LATIN.findall(text)
        for run in _CJK.findall(text):
            found += self._jieba.lcut(run)
        return list(dict.fromkeys(term for term in found if term.strip() and term not in STOP_WORDS))


def band_of(nps: pd.Series) -> pd.Series:
    """'detractor' (0-6), 'passive' (7-8) or 'promoter' (9-10); empty without a score."""
    band = np.select([nps <= DETRACTOR, nps >= PROMOTER, nps.notna()], ["detractor", "promoter", "passive"], "")
    return pd.Series(band, index=nps.index).replace("", None)


def _document_counts(terms: Iterable[list[str]]) -> pd.Series:
    counts: dict[str, int] = {}
    for words in terms:
        for word in words:
            counts[word] = counts.get(word, 0) + 1
    return pd.Series(counts, dtype=float)


def term_log_odds(detractor_terms: list[list[str]], promoter_terms: list[list[str]]) -> pd.DataFrame:
    """Per term: the detractor and promoter comments holding it, the log-odds ratio (detractor over promoter) with
    the informative Dirichlet prior, and its z-score; highest z first."""
    det, pro = _document_counts(detractor_terms), _document_counts(promoter_terms)
    table = pd.DataFrame({"detractor_comments": det, "promoter_comments": pro}).fillna(0.0)
    if table.empty:
        return table.assign(log_odds=[], z=[])
    n_det, n_pro = float(len(detractor_terms)), float(len(promoter_terms))
    total = table.sum(axis=1)
    alpha = PRIOR_WEIGHT * total / total.sum()
    alpha0 = float(alpha.sum())

    def log_odds(count: pd.Series, n: float) -> pd.Series:
        return np.log((count + alpha) / (n + alpha0 - count - alpha))

    table["log_odds"] = log_odds(table["detractor_comments"], n_det) - log_odds(table["promoter_comments"], n_pro)
    variance = 1 / (table["detractor_comments"] + alpha) + 1 / (table["promoter_comments"] + alpha)
    table["z"] = table["log_odds"] / np.sqrt(variance)
    return table.astype({"detractor_comments": int, "promoter_comments": int}).sort_values("z", ascending=False)


def comment_themes(comments: pd.DataFrame, tokenizer: Tokenizer, *, min_comments: int, examples: int = 3
                   ) -> tuple[pd.DataFrame, pd.Series]:  # fmt: skip
    """The themes of the detractors' and the promoters' comments (`comments`: comment, band): per theme its side,
    language, terms, lead term's counts, log-odds and z, and example comments; and each comment's themes
    ('|'-joined, by the comments' index)."""
    terms = comments["comment"].map(tokenizer.terms)
    band = comments["band"]
    odds = term_log_odds(list(terms[band == "detractor"]), list(terms[band == "promoter"]))
    strong = odds[(odds["z"].abs() >= Z_THEME) & (odds[["detractor_comments", "promoter_comments"]].max(axis=1)
                                                   >= min_comments)]  # fmt: skip
    holders = {term: set(terms.index[terms.map(lambda words, term=term: term in words)]) for term in strong.index}
    themes: list[dict] = []
    for term, row in strong.reindex(strong["z"].abs().sort_values(ascending=False).index).iterrows():
        side = "detractor" if row["z"] > 0 else "promoter"
        together = (theme for theme in themes if theme["side"] == side
                    and len(holders[term] & holders[theme["terms"][0]]) >= 0.5 * len(holders[term]))  # fmt: skip
        home = next(together, None)
        if home is not None:
            home["terms"].append(term)
            continue
        themes.append({"side": side, "terms": [term], "log_odds": row["log_odds"], "z": row["z"],
                       "detractor_comments": row["detractor_comments"],
                       "promoter_comments": row["promoter_comments"]})  # fmt: skip
    per_comment = pd.Series("", index=comments.index, dtype=object)
    rows = []
    for theme in themes:
        lead = theme["terms"][0]
        name = " / ".join(theme["terms"][:3])
        inside = comments.index.isin(list(holders[lead])) & (band == theme["side"]).to_numpy()
        per_comment[inside] = per_comment[inside].map(lambda found, name=name: f"{found}|{name}" if found else name)
        shown = comments.loc[inside, "comment"]
        shown = shown[~shown.str.replace(r"[\s。！!.,，…]+$", "", regex=True).duplicated()]  # not the same words twice
        shown = shown.iloc[np.argsort(shown.str.len().to_numpy(), kind="stable")][:examples]
        rows.append({"theme": name, "side": theme["side"], "language": "zh" if _CJK.search(lead) else "en",
                     "terms": ", ".join(theme["terms"]), "detractor_comments": int(theme["detractor_comments"]),
                     "promoter_comments": int(theme["promoter_comments"]),
                     "log_odds": round(float(theme["log_odds"]), 3), "z": round(float(theme["z"]), 2),
                     "examples": " | ".join(shown)})  # fmt: skip
    table = pd.DataFrame(rows, columns=["theme", "side", "language", "terms", "detractor_comments",
                                        "promoter_comments", "log_odds", "z", "examples"])  # fmt: skip
    return table, per_comment


def themes_by_group(per_comment: pd.Series, groups: pd.Series, *, band: pd.Series, min_comments: int) -> pd.DataFrame:
    """Per group (store or region) with at least `min_comments` detractor comments: each detractor theme's share of
    the group's detractor comments, beside its share overall, and the Holm-adjusted p-value of a share that high by
    chance."""
    detractors = band == "detractor"
    frame = pd.DataFrame({"group": groups, "themes": per_comment})[detractors.to_numpy()].dropna(subset=["group"])
    sizes = frame.groupby("group").size()
    kept = frame[frame["group"].isin(sizes.index[sizes >= min_comments])]
    exploded = kept.assign(theme=kept["themes"].str.split("|")).explode("theme")
    exploded = exploded[exploded["theme"].fillna("") != ""]
    counts = exploded.groupby(["group", "theme"]).size().rename("comments").reset_index()
    if counts.empty:  # no group with enough comments: typed, so the page's filters select rows
        return pd.DataFrame({"group": pd.Series(dtype=object), "theme": pd.Series(dtype=object),
                             **{c: pd.Series(dtype=float) for c in ("comments", "share", "share_overall",
                                                                     "detractor_comments", "p_holm")}})  # fmt: skip
    counts["share"] = counts["comments"] / counts["group"].map(sizes).astype(float)
    overall = exploded.groupby("theme").size() / len(frame)
    counts["share_overall"] = counts["theme"].map(overall)
    counts["detractor_comments"] = counts["group"].map(sizes)
    # one-sided binomial test: this many or more of the group's comments if the theme were as common as overall;
    # Holm's adjustment over every group and theme tested
    tested = binom.sf(counts["comments"] - 1, counts["detractor_comments"], counts["share_overall"])
    counts["p_holm"] = multipletests(tested, method="holm")[1]
    return counts.sort_values(["theme", "share"], ascending=[True, False]).reset_index(drop=True)


def customer_themes(comments: pd.DataFrame, per_comment: pd.Series) -> pd.DataFrame:
    """Per customer (comments' customer_id) and theme: 1 when any of their comments has the theme."""
    pairs = pd.DataFrame({"customer_id": comments["customer_id"], "theme": per_comment.str.split("|")}).explode("theme")
    pairs = pairs[pairs["theme"].fillna("") != ""]
    return pd.crosstab(pairs["customer_id"], pairs["theme"]).clip(upper=1)


def indicators(values: pd.Series, *, min_customers: int, prefix: str) -> pd.DataFrame:
    """0/1 columns for the values held by at least `min_customers` customers, the most common left out (the
    reference the effects are measured against)."""
    counts = values.value_counts()
    kept = [v for v in counts.index[1:] if counts[v] >= min_customers]
    return pd.DataFrame({f"{prefix}: {v}": (values == v).astype(int) for v in kept}, index=values.index)


def nps_drivers(nps: pd.Series, features: pd.DataFrame, *, min_customers: int) -> pd.DataFrame:
    """A linear model of each customer's latest NPS (`nps`, by customer_id) on `features` (0/1 indicators and
    numbers, by customer_id; missing counts as 0) with heteroskedasticity-robust (HC3) standard errors: per feature
    the difference in NPS points holding the others fixed, its 95% interval and p-value, and the customers with it.
    An association, not a cause. Features held by fewer than `min_customers` are left out."""
    data = features.reindex(nps.index).fillna(0.0).astype(float)
    held = (data != 0).sum()
    data = data.loc[:, held >= min_customers]
    if data.empty or len(nps) <= data.shape[1] + 1:
        return pd.DataFrame(columns=["effect", "effect_low", "effect_high", "p_value", "customers"])
    fit = OLS(nps.astype(float), add_constant(data, has_constant="add")).fit(cov_type="HC3")
    interval = fit.conf_int()
    table = pd.DataFrame({"effect": fit.params, "effect_low": interval[0], "effect_high": interval[1],
                          "p_value": fit.pvalues, "customers": held.reindex(fit.params.index)})  # fmt: skip
    table = table.drop(index="const")
    table["customers"] = table["customers"].astype(int)
    return table.sort_values("effect")


FOLLOW_UP = "Service call within three days: hear the detractor out and fix what went wrong"


def latest_scored(surveys: pd.DataFrame) -> pd.DataFrame:
    """Each customer's latest answer with an NPS (survey_date, nps, and satisfaction and comment when asked)."""
    scored = surveys.dropna(subset=["nps"]).sort_values(["customer_id", "survey_date", "source_row"])
    columns = [c for c in ("survey_date", "nps", "satisfaction", "comment") if c in scored.columns]
    return scored.groupby("customer_id").tail(1).set_index("customer_id")[columns]


def follow_up(latest: pd.DataFrame, scored: pd.DataFrame, *, since: pd.Timestamp,
              contacted: pd.DataFrame | None) -> pd.DataFrame:  # fmt: skip
    """The detractor follow-up list: customers whose latest answer (`latest`: latest_scored) is a detractor's
    from `since` on and who were not contacted after it (`contacted`: customer_id, send_date), with 04's value,
    churn risk and channel (`scored` by customer_id), highest value at risk first. Customers on the
    do-not-contact list are left out."""
    recent = latest[(latest["nps"] <= DETRACTOR) & (latest["survey_date"] >= since)]
    if contacted is not None and len(contacted):
        last_contact = contacted.groupby("customer_id")["send_date"].max()
        last = pd.Series(recent.index, index=recent.index).map(last_contact)
        recent = recent[~(last >= recent["survey_date"]).to_numpy(bool)]  # no contact yet compares False
    listed = recent.join(scored[["value_if_retained", "value_at_risk", "churn_probability", "risk_tier", "channel"]],
                         how="inner")  # fmt: skip
    listed = listed[listed["channel"] != "do not contact"]
    listed = listed.sort_values(["value_at_risk", "survey_date"], ascending=[False, False]).assign(action=FOLLOW_UP)
    listed.insert(0, "priority", np.arange(1, len(listed) + 1))
    return listed.rename_axis("customer_id").reset_index()


def by_band(latest: pd.DataFrame, scored: pd.DataFrame) -> pd.DataFrame:
    """Churn probability and CLV (04's, by customer_id) of detractors, passives and promoters (their latest
    answer): customers, and each mean with its 95% interval (normal approximation)."""
    joined = latest[["nps"]].join(scored[["churn_probability", "clv"]], how="inner")
    joined["band"] = band_of(joined["nps"])
    rows = {}
    for band, group in joined.dropna(subset=["band"]).groupby("band"):
        row: dict[str, float] = {"customers": float(len(group))}
        for column in ("churn_probability", "clv"):
            values = group[column].dropna()
            half = 1.96 * values.std(ddof=1) / np.sqrt(len(values)) if len(values) > 1 else np.nan
            mean = values.mean()
            row |= {column: mean, f"{column}_low": mean - half, f"{column}_high": mean + half}
        rows[band] = row
    order = [b for b in ("detractor", "passive", "promoter") if b in rows]
    return pd.DataFrame.from_dict(rows, orient="index").reindex(order).astype({"customers": int})
