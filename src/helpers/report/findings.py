"""What each stage found, in a few computed sentences: the top of its report and of the front page.

Each stage writes its findings as `findings_<stage>.json` (sentences and the headline numbers),
so the front page can be rendered from the run folder alone. Sentences hold values as found
(segment names, actions); the report escapes them when it shows them. `**x**` marks emphasis.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import cast

import numpy as np
import pandas as pd

from helpers.core.config import ChurnSection
from helpers.language.formatting import count, literal, money, month, month_name, significant
from helpers.language.i18n import header, language, t, term
from helpers.models.actions import this_cycle, tiers_by_probability
from helpers.models.clv import NO_DROPOUT_P_ALIVE
from helpers.models.demand import TOTAL, Backtest, DemandForecast
from helpers.models.seasons import SeasonCheck

__all__ = [
    "DERIVED_SETTINGS",
    "MOSTLY_GONE",
    "TARGET_SHARE",
    "Findings",
    "calibration_sentence",
    "campaign_measure",
    "campaign_plan",
    "churn",
    "churn_terms",
    "clv",
    "contact_sentence",
    "history_sentences",
    "id_sentences",
    "ingest",
    "interval_table",
    "next_plan_sentences",
    "next_purchase",
    "pct",
    "profile_findings",
    "reconciliation",
    "season_sentence",
    "segment",
    "spend_fallback_sentence",
    "stopped_sentence",
    "value_sentence",
    "values_read",
]


@dataclass
class Findings:
    """A stage's answer: sentences for a reader, numbers for the front page's headline."""

    stage: str
    sentences: list[str]
    numbers: dict = field(default_factory=dict)

    def as_json(self) -> dict:
        return asdict(self)


def _share(part: float, whole: float) -> float:
    return float(part) / float(whole) if whole else 0.0


def pct(value: float, digits: int = 0) -> str:
    return f"{value:.{digits}%}"


def reconciliation(quality: dict) -> pd.DataFrame:
    """01's appendix: rows and money in, kept and set aside (the duplicates among them), and the return lines netted
    (among the kept); in = kept + set aside."""
    lines = [
        ("rows in", quality["rows_in"], quality["money_in"]),
        ("kept", quality["rows_kept"], quality["money_kept"]),
        ("set aside", quality["rows_quarantined"], quality["money_quarantined"]),
        ("of which duplicates", quality["duplicates_removed"], quality["duplicate_money"]),
        ("of the kept, return lines netted", quality["returns_netted"], quality["returns_netted_money"]),
    ]
    table = pd.DataFrame([(rows, amount) for _, rows, amount in lines], columns=["rows", "money"],
                         index=pd.Index([t(label) for label, _, _ in lines], name=""))  # fmt: skip
    return table


def interval_table(bootstrap: pd.DataFrame) -> pd.DataFrame:
    """03's appendix: each quantity's estimate (the fit on all customers) beside its 90% bootstrap interval, as
    text: parameters to 3 significant digits, purchases as a count, revenue as money."""
    shown = {"total_purchases": count, "total_revenue": money}
    columns = ["estimate", "p05", "median", "p95"]
    table = pd.DataFrame({column: [shown.get(str(quantity), significant)(value) for quantity, value in
                                   bootstrap[column].items()] for column in columns},
                         index=pd.Index([quantity.replace("_", " ") if quantity in shown else quantity
                                         for quantity in bootstrap.index], name="quantity"))  # fmt: skip
    return table


def ingest(quality: dict, facts: dict, by_frequency: pd.DataFrame, *, history: dict,
           cut_at: date | None = None) -> Findings:  # fmt: skip
    """01_ingest's findings; `cut_at` is dates.observation_end when the user set it: the rows after it are their
    cut, outside the analysis, not data lost to cleaning."""
    cut = next((r["rows"] for r in quality["rules"] if r["rule"] == "after_observation_end"), 0) if cut_at else 0
    considered = quality["rows_in"] - cut
    set_aside = considered - quality["rows_kept"]
    rules = sorted((r for r in quality["rules"] if r["rows"] and not (cut and r["rule"] == "after_observation_end")),
                   key=lambda r: -r["rows"])  # fmt: skip
    balanced = quality["reconciliation"]["rows_ok"] and quality["reconciliation"]["money_ok"]
    quality_line = t("Data quality: **{kept} of {rows} rows kept** ({share}); {aside} set aside",
                     kept=count(quality["rows_kept"]), rows=count(considered),
                     share=pct(_share(quality["rows_kept"], considered), 1), aside=count(set_aside))  # fmt: skip
    if cut:
        quality_line = t("{cut} rows after dates.observation_end ({end}) are outside the analysis, as set. ",
                         cut=count(cut), end=cut_at) + quality_line  # fmt: skip
    if rules:
        quality_line += t(", most for *{rule}* ({rows} rows)", rule=term(rules[0]["rule"].replace("_", " ")),
                          rows=count(rules[0]["rows"]))  # fmt: skip
    quality_line += (t("; every row and every unit of money is accounted for.") if balanced
                     else t("; **the rows do not reconcile**."))  # fmt: skip
    one_time = by_frequency.iloc[0]
    sentences = [
        t("From {first} to {last}, **{customers} customers** made **{purchases} purchases** worth **{revenue}** "
          "(average order {order}).", first=facts["first_date"], last=facts["last_date"],
          customers=count(facts["customers"]), purchases=count(facts["purchases"]), revenue=money(facts["revenue"]),
          order=money(facts["average_order_value"])),
        quality_line,
        t("**{repeat} of customers bought more than once**; one-time buyers are {customers} of customers and bring "
          "{revenue} of revenue.", repeat=pct(facts["repeat_customer_share"]),
          customers=pct(one_time["share_of_customers"]), revenue=pct(one_time["share_of_revenue"])),
    ]  # fmt: skip
    if without := facts.get("customers_without_purchase", 0):
        sentences.append(t("{customers} more customers in the log have no purchase left once their returns are netted "
                           "(they returned everything): they are not counted as customers; 02's alerts still look "
                           "at them.", customers=count(without)))  # fmt: skip
    sentences += values_read(quality) + history_sentences(history)
    numbers = {k: facts[k] for k in ("first_date", "last_date", "customers", "purchases", "revenue")}
    numbers |= {"rows_in": considered, "rows_kept": quality["rows_kept"], "rows_set_aside": set_aside,
                "rows_cut": cut, "reconciled": balanced}  # fmt: skip
    last = pd.Timestamp(facts["last_date"])
    if last != last + pd.offsets.MonthEnd(0):  # the log ends inside its last month
        sentences.append(t("The last month, {month}, is partial (data to {last}): its totals are not comparable "
                           "with whole months.", month=month(last), last=facts["last_date"]))  # fmt: skip
    for name, label in (("customers", "member table"), ("surveys", "survey answers")):
        if report := quality.get("tables", {}).get(name):
            rules = sorted((r for r in report["rules"] if r["rows"]), key=lambda r: -r["rows"])
            aside = t(" ({rows} set aside, most for *{rule}*)", rows=count(report["rows_quarantined"]),
                      rule=term(rules[0]["rule"].replace("_", " "))) if rules else ""  # fmt: skip
            sentences.append(t("{table}: **{kept} of {rows} rows kept**{aside}; {in_log} of the customers in the log "
                               "are in it.", table=t(label), kept=count(report["rows_kept"]),
                               rows=count(report["rows_in"]), aside=aside,
                               in_log=pct(_share(report["log_customers_in_table"], facts["customers"]))))  # fmt: skip
    return Findings("01_ingest", sentences, numbers)


DERIVED_SETTINGS = {  # key -> how its chosen value reads
    "clv.holdout_days": "CLV forecasts checked on the last {value} days (default {default})",
    "clv.horizon_months": "CLV over the next {value} months (default {default}), no further than the history reaches",
    "segment.lifecycle_new_days": "'new' customers first bought in the last {value} days (default {default})",
    "churn.horizon_days": "churn means no purchase in the next {value} days (default {default})",
    "churn.cutoff_step_days": "backtest cutoffs {value} days apart (default {default})",
    "churn.folds": "{value} backtest folds (default {default})",
    "churn.train_cutoffs": "{value} training cutoffs per fold (default {default})",
    "next_purchase.evaluation_days": "purchase timing checked on the last {value} days (default {default})",
    "next_purchase.calibration_window_days": "purchase probabilities checked over {value} days (default {default})",
}


def history_sentences(history: dict) -> list[str]:
    """The settings chosen to fit a short history (`helpers.models.history`), what it cannot show, and the user's
    settings that leave a stage no data."""
    said = []
    if history["derived"]:
        chosen = [t(DERIVED_SETTINGS[d["key"]], value=d["value"], default=d["default"]) for d in history["derived"]]
        said.append(t("With **{days} days of history**, the settings the config leaves open were fitted to it: "
                      "{chosen}. Set a key in the config to choose it yourself.", days=count(history["span_days"]),
                      chosen=("；" if language() == "zh" else "; ").join(chosen)))  # fmt: skip
    if not history["seasons_seen"]:
        said.append(t("The history covers less than a year: seasons and festivals are not seen, so no forecast "
                      "here allows for them, and the defaults above need a longer history."))  # fmt: skip
    for short in history["short"]:
        said.append(t("**Your settings leave {stage} without history**: it needs purchases before {date}, and the "
                      "first is on {first}. Remove the key to let the workbench choose.",
                      stage=term(short["stage"]), date=short["needs_before"], first=history["first"]))  # fmt: skip
    return said


def _examples(values: list[str]) -> str:
    """Values as found, each a code span (a backtick inside one would end it early)."""
    spans = ["`" + str(v).replace("`", "'") + "`" for v in values]
    return ("、" if language() == "zh" else ", ").join(spans)


def values_read(quality: dict) -> list[str]:
    """How the values were read: amounts and dates not written as plain numbers and ISO dates, the amounts no
    reading understood, and what the customer ids may hide (`helpers.core.parsing`)."""
    said = []
    if read := quality.get("values_read"):
        reading, written = read["reading"], read["written_amounts"]
        if reading["decimal"] != "." or written["rows"]:
            basis = {"detected": t("detected from the first amounts"), "default": t("the default")}.get(
                reading["basis"], reading["basis"])  # fmt: skip
            said.append(t("Amounts were read with **'{decimal}' as the decimal mark** and '{group}' between "
                          "thousands ({basis}); {rows} were written with a currency, separators or 万/亿 (e.g. "
                          "{examples}) and read as numbers.", decimal=reading["decimal"], group=reading["group"],
                          basis=basis, rows=count(written["rows"]),
                          examples=_examples(written["examples"])))  # fmt: skip
        if read["written_dates"]["rows"]:
            said.append(t("{rows} order dates were written with a weekday, a time, 年月日, without separators or as "
                          "Excel day numbers (e.g. {examples}) and read as dates.",
                          rows=count(read["written_dates"]["rows"]),
                          examples=_examples(read["written_dates"]["examples"])))  # fmt: skip
        if unread := read["unread_amounts"]["rows"]:
            said.append(t("**Amounts that could not be read as money: {rows}** (e.g. {examples}); they are set aside "
                          "as *invalid amount* with their text, and no money is counted for them.", rows=count(unread),
                          examples=_examples(read["unread_amounts"]["examples"])))  # fmt: skip
    return said + id_sentences(quality["ids"]) if "ids" in quality else said


def id_sentences(ids: dict) -> list[str]:
    """What the customer ids may hide, with what it means for the analysis."""
    said = []
    if masked := ids["masked"]["ids"]:
        said.append(t("**Masked customer ids: {ids}** (e.g. {examples}; {lines} lines), with as few as {digits} "
                      "digits visible: different people may share one id, so their purchases, value and churn risk "
                      "are pooled. Export unmasked ids (or a member number) if you can.", ids=count(masked),
                      examples=_examples(ids["masked"]["examples"]), lines=count(ids["masked"]["lines"]),
                      digits=ids["masked"]["visible_digits"]))  # fmt: skip
    if scientific := ids["scientific"]["ids"]:
        said.append(t("**Customer ids in scientific notation: {ids}** (e.g. {examples}): a spreadsheet rounded "
                      "long numbers, so different customers may have become one. Export the id column as text.",
                      ids=count(scientific), examples=_examples(ids["scientific"]["examples"])))  # fmt: skip
    if respelled := ids["respelled"]["ids"]:
        said.append(t("Customer ids written with and without surrounding spaces: {ids} (e.g. {examples}); each was "
                      "merged into one customer.", ids=count(respelled),
                      examples=_examples(ids["respelled"]["examples"])))  # fmt: skip
    for dominant in ids["dominant"]["ids"]:
        said.append(t("**Customer id `{id}` holds {share} of the kept lines**: a placeholder for walk-in or "
                      "anonymous sales rather than one customer; map it to an empty id to set it aside.",
                      id=dominant["id"], share=pct(dominant["share"])))  # fmt: skip
    return said


def segment(customers: pd.DataFrame, segments: pd.DataFrame, *, tiers: pd.DataFrame, concentration: dict,
            revenue_share: float, moves: dict | None, profile=None) -> Findings:  # fmt: skip
    """`segments` is sorted by share of revenue, highest first."""
    top = segments.head(2)
    holders = t(" and ").join(
        t("**{segment}** ({customers} customers, {share})", segment=literal(term(name)),
          customers=count(row["customers"]), share=pct(row["share_of_customers"]))
        for name, row in top.iterrows()
    )  # fmt: skip
    sentences = [
        t("{holders} bring **{share} of revenue**.", holders=holders, share=pct(top["share_of_revenue"].sum())),
        t("**{customers} of customers bring {revenue} of revenue.**",
          customers=pct(concentration["customers_for_revenue_share"]), revenue=pct(revenue_share)),
    ]  # fmt: skip
    if "VIP" in tiers.index and tiers.loc["VIP", "customers"]:
        vip = cast(pd.Series, tiers.loc["VIP"])
        sentences.append(t("**{vips} VIPs** ({share} of customers) bring {revenue} of revenue.",
                           vips=count(vip["customers"]), share=pct(_share(vip["customers"], len(customers)), 1),
                           revenue=pct(vip["share_of_revenue"])))  # fmt: skip
    lifecycle = customers["lifecycle"].value_counts(normalize=True)
    sentences.append(t("Against their own buying rhythm, **{at_risk} of customers are at risk** and {lapsed} have "
                       "lapsed; {active} are active and {new} new.", at_risk=pct(lifecycle.get("at risk", 0)),
                       lapsed=pct(lifecycle.get("lapsed", 0)), active=pct(lifecycle.get("active", 0)),
                       new=pct(lifecycle.get("new", 0))))  # fmt: skip
    if moves is not None:
        sentences.append(t("Since the last run, **{up} customers moved up** and {down} moved down.",
                           up=count(moves["upgraded"]), down=count(moves["downgraded"])))  # fmt: skip
    numbers = {
        "top_segments": [{"segment": str(n), "customers": int(r["customers"]), "share_of_revenue": float(
            r["share_of_revenue"])} for n, r in segments.head(3).iterrows()],
        "vip_customers": int(cast(float, tiers.loc["VIP", "customers"])) if "VIP" in tiers.index else 0,
        "at_risk_share": float(lifecycle.get("at risk", 0)),
    }  # fmt: skip
    if profile is not None:
        more, facts = profile_findings(profile)
        sentences += more
        numbers |= facts
    return Findings("02_segment", sentences, numbers)


def profile_findings(profile) -> tuple[list[str], dict]:
    """Sentences and numbers from 02's profile: VIP concentration, points, baby stages, NPS, alerts."""
    sentences: list[str] = []
    numbers: dict[str, object] = {}
    places = [(d, table.iloc[0]) for d, table in profile.concentration.items() if len(table)]
    if places:
        sentences.append(t("VIPs are most over-represented in {places}.", places=t(" and ").join(
            t("{dimension} **{value}** ({index}× their overall share)", dimension=t(d.replace("_", " ")),
              value=term(row.name), index=f"{row['vip_index']:.1f}") for d, row in places)))  # fmt: skip
    if profile.points is not None:
        facts = profile.points.facts
        numbers |= {"points_liability": facts["liability"], "points_at_risk_liability": facts["at_risk_liability"]}
        sentences.append(t("Points outstanding are worth **{liability}** ({points} points); **{holders} at-risk or "
                           "lapsed customers** sit on large balances (at least {large} points) worth {at_risk}: a "
                           "reason to contact them.", liability=money(facts["liability"]),
                           points=count(facts["points_outstanding"]), holders=count(facts["at_risk_holders"]),
                           large=count(facts["large_balance"]), at_risk=money(facts["at_risk_liability"])))  # fmt: skip
    if profile.baby is not None and len(profile.baby.table):
        table = profile.baby.table
        top = table["customers"].idxmax()
        sentences.append(t("The largest baby stage is **{stage}**: {customers} customers ({share}), buying mostly "
                           "{categories}.", stage=term(top), customers=count(table.loc[top, "customers"]),
                           share=pct(_share(table.loc[top, "customers"], table["customers"].sum())),
                           categories=table.loc[top, "top_categories"]))  # fmt: skip
    if profile.nps is not None and profile.nps.has_nps:
        overall = profile.nps.overall
        numbers |= {"nps": overall["nps"], "nps_low": overall["nps_low"], "nps_high": overall["nps_high"],
                    "nps_responses": overall["responses"]}  # fmt: skip
        line = t(
            "**NPS {nps}** (95% interval {low} to {high}; {n} customers gave a score)",
            nps=f"{overall['nps']:+.0f}",
            low=f"{overall['nps_low']:+.0f}",
            high=f"{overall['nps_high']:+.0f}",
            n=count(overall["responses"]),
        )
        by_segment = profile.nps.by_group.get("segment")
        if by_segment is not None and len(by_segment.dropna(subset=["nps"])) > 1:
            worst = by_segment[by_segment["responses"] >= 30]["nps"].dropna()
            if len(worst):
                line += t("; lowest among **{segment}** ({nps})", segment=literal(term(worst.idxmin())),
                          nps=f"{worst.min():+.0f}")  # fmt: skip
        sentences.append(line + t("."))
        spend = profile.nps.bias["median_spend"]
        if spend.get("did not answer"):
            ratio = spend["answered"] / spend["did not answer"]
            sentences.append(t("Those who answer spend {ratio}× as much (median) as those who do not: the surveys "
                               "speak more for the better customers.", ratio=f"{ratio:.1f}"))  # fmt: skip
    alerts = profile.alerts.alerts
    counts = alerts.groupby("alert")["customer_id"].nunique()
    numbers |= {"alert_customers": int(alerts["customer_id"].nunique()), "alerts": len(alerts)}
    if len(alerts):
        sentences.append(t("**{customers} customers** behave abnormally ({kinds}); {high} alerts are high severity.",
                           customers=count(alerts["customer_id"].nunique()),
                           kinds=t(", ").join(f"{term(kind)}: {count(n)}" for kind, n in counts.items()),
                           high=count((alerts["severity"] == "high").sum())))  # fmt: skip
    return sentences, numbers


def clv(
    values: pd.DataFrame,
    comparison: pd.DataFrame,
    *,
    chosen_label: str,
    deciles: pd.DataFrame,
    bootstrap: pd.DataFrame | None,
    horizon_months: int,
    alive_threshold: float,
    spend_fallback: str | None = None,
    season: SeasonCheck | None = None,
) -> Findings:
    total = float(values["clv"].sum())
    purchases = float(values["expected_purchases"].sum())
    interval = ""
    numbers = {"horizon_months": horizon_months, "clv": total, "expected_purchases": purchases,
               "model": chosen_label}  # fmt: skip
    if bootstrap is not None and np.isfinite(bootstrap.loc["total_purchases", ["p05", "p95"]].to_numpy()).all():
        band = cast(pd.Series, bootstrap.loc["total_purchases"])
        interval = t(" (90% interval {low}–{high} purchases)", low=count(band["p05"]), high=count(band["p95"]))
        numbers |= {"purchases_p05": float(band["p05"]), "purchases_p95": float(band["p95"])}
    row = cast(pd.Series, comparison.loc[chosen_label])
    error = row["predicted_purchases"] / row["actual_purchases"] - 1 if row["actual_purchases"] else float("nan")
    numbers["holdout_error"] = float(error)
    sentences = [
        t("Over the next {months} months customers are expected to make **{purchases} purchases**{interval}, worth "
          "**{clv} in margin** (customer lifetime value, CLV).", months=horizon_months, purchases=count(purchases),
          interval=interval, clv=money(total)),
        t("The most valuable 10% of customers hold **{share} of that value**.",
          share=pct(cast(float, deciles.loc[1, "share_of_clv"]))),
        t("**{model}** forecast the holdout period best: {predicted} repeat purchases against {actual} that happened "
          "({error}).", model=chosen_label, predicted=count(row["predicted_purchases"]),
          actual=count(row["actual_purchases"]), error=f"{error:+.1%}"),  # the table's total error, signed
        t("{share} of customers are more likely still active than not.",
          share=pct((values["p_alive"] >= alive_threshold).mean())),
    ]  # fmt: skip
    if spend_fallback:
        sentences.append(spend_fallback_sentence(spend_fallback))
        numbers["spend_model"] = "shrunk mean order value"
    if season is not None:
        sentences.append(season_sentence(season, chosen_label))
        numbers |= {"season_used": season.used, "holdout_error_with_season": season.seasonal_error}
    blind = comparison.index[~comparison["sees_dropout"].astype(bool)].tolist()
    if chosen_label in blind:
        sentences.append(t(
            "**No model sees customers leave**: {model} puts every repeat buyer at least {level} likely still active, "
            "the lapsed ones too, so its CLV assumes no one leaves; read who is leaving from the churn scores (04).",
            model=chosen_label, level=pct(NO_DROPOUT_P_ALIVE)))  # fmt: skip
    elif blind:
        sentences.append(t("{models} were passed over although they fit: they see no customer leave (every repeat "
                           "buyer at least {level} likely active).", models=", ".join(blind),
                           level=pct(NO_DROPOUT_P_ALIVE)))  # fmt: skip
    numbers["models_without_dropout"] = blind
    return Findings("03_clv", sentences, numbers)


def season_sentence(season: SeasonCheck, model: str) -> str:
    """What the calendar-month index shows and whether the CLV forecast uses it."""
    (high, high_index), (low, low_index) = season.season.peak(), season.season.trough()
    shown = {"high": month_name(high), "high_index": f"{high_index:.1f}", "low": month_name(low),
             "low_index": f"{low_index:.1f}", "model": model, "plain": f"{season.plain_error:+.1%}",
             "seasonal": f"{season.seasonal_error:+.1%}"}  # fmt: skip
    if season.used:
        return t("**Seasons**: customers buy at {high_index}× {model}'s rate in {high} and {low_index}× in {low}. With "
                 "this month index the holdout forecast is off by {seasonal} instead of {plain}, so the CLV forecast "
                 "uses it (×{factor} over its horizon).", factor=f"{season.horizon_factor:.2f}", **shown)  # fmt: skip
    return t("**Seasons**: customers buy at {high_index}× {model}'s rate in {high} and {low_index}× in {low}, but the "
             "month index did not improve the holdout forecast ({seasonal} against {plain}), so the CLV forecast "
             "does not use it.", **shown)  # fmt: skip


def spend_fallback_sentence(reason: str) -> str:
    return t("**Gamma-Gamma could not be fitted** ({reason}), so each customer's order value is their mean repeat "
             "order value counted with one more order at the mean of all repeat orders (a customer without a repeat "
             "purchase gets that mean). Purchases are forecast as usual.", reason=reason)  # fmt: skip


MOSTLY_GONE = 0.5  # a high-risk share above which the report says most customers are gone


def _high_threshold(settings) -> float:
    return (settings or ChurnSection()).high_risk_probability


def calibration_sentence(calibration, settings) -> str:
    """How the probabilities were calibrated, and what each risk tier's customers did in the backtest."""
    held, settings = calibration.held_out, settings or ChurnSection()
    tiers = tiers_by_probability(held["calibrated"], high=settings.high_risk_probability,
                                 medium=settings.medium_risk_probability)  # fmt: skip
    observed = held.groupby(tiers)["churned"].mean()
    seen = t("; ").join(t("{tier} {rate}", tier=term(tier), rate=pct(observed[tier])) for tier in ("high", "medium",
                                                                                                     "low")
                        if tier in observed.index)  # fmt: skip
    return t("Churn probabilities are calibrated on the backtest's held-out folds (**{method}**; Brier score {before} "
             "before, {after} after), so a tier means its word: in the backtest the customers each tier would have "
             "held churned at {seen}.", method=t(calibration.label), before=f"{calibration.brier_before:.3f}",
             after=f"{calibration.brier_after:.3f}", seen=seen)  # fmt: skip


def churn_terms(settings, *, scorer: str, horizon_days: int, backtest_churn_rate: float, method: str) -> str:
    """What 04's words mean: churn probability, risk tiers, value if retained, value at risk, the budget."""
    return t("**Churn probability** is the chance of no purchase in the next {days} days, scored by *{scorer}* and "
             "calibrated on the backtest ({method}); {rate} of customers churned in the backtest. **Risk tiers** are "
             "levels of it: *high* from {high}, *medium* from {medium}, *low* below. **Value if retained** is what the "
             "customer brings over the CLV horizon if they stay: their CLV divided by P(alive), since CLV already "
             "counts the chance they have left (without 03_clv: their past spend). **Value at risk** is the part a "
             "contact can still save: value if retained × the chance that a customer still active lapses (churn "
             "probability − (1 − P(alive)), at least 0), never more than the CLV. The **contact budget** ({budget} "
             "customers, `churn.contact_budget`) takes customers by expected incremental value "
             "(a save rate × value at risk − the contact's cost: the rate a measured campaign found, "
             "`campaign.measured_effects`, else the assumption `campaign.assumed_save_rate`; a customer with an alert "
             "counts at most `churn.alert_value_quantile` of the others' value at risk), highest first, among those a "
             "channel reaches (`churn.channels`) and no alert holds (`churn.hold_alert_severities`).",
             days=horizon_days, scorer=term(scorer), method=t(method), rate=pct(backtest_churn_rate),
             high=pct(settings.high_risk_probability), medium=pct(settings.medium_risk_probability),
             budget=count(settings.contact_budget))  # fmt: skip


def _budget_sentence(scored: pd.DataFrame, in_budget: pd.DataFrame, *, budget: int, total_risk: float) -> str:
    place = this_cycle(scored)  # each customer counted once, as 06 counts them
    held, store_only = int((place == "held for review").sum()), int((place == "in store only").sum())
    return t("The contact budget of {budget} goes to **{contacted} customers** a channel reaches and no alert holds, "
             "by expected incremental value: {share} of the value at risk. {held} customers are held for review (an "
             "alert), {store} can be reached in store only (no consent).", budget=count(budget),
             contacted=count(len(in_budget)),
             share=pct(_share(in_budget["value_at_risk"].sum(), total_risk)), held=count(held),
             store=count(store_only))  # fmt: skip


def _moment_sentence(in_budget: pd.DataFrame) -> list[str]:
    """How many of the budget's contacts are for a moment (helpers.models.moments), when any is."""
    if "moment" not in in_budget:
        return []
    won = in_budget[in_budget["action"] == in_budget["moment"]]
    if won.empty:
        return []
    kinds = t("; ").join(t("*{action}* ({customers})", action=term(name), customers=count(n))
                         for name, n in won["action"].value_counts().items())  # fmt: skip
    return [t("**{won} of the contacts are for a moment** worth more than the customer's retention action (a key "
              "date, a festival they buy for, a member nudge or a life event; `care.response_rates`): ",
              won=count(len(won))) + kinds + t(".")]  # fmt: skip


def churn(scored: pd.DataFrame, summary: pd.DataFrame, *, scorer: str, best_model: str, best_baseline: str,
          actions: pd.DataFrame, horizon_days: int, contact_budget: int,
          surveys: pd.DataFrame | None = None, calibration=None, settings=None,
          skipped_folds: dict[int, str] | None = None) -> Findings:  # fmt: skip
    high = scored[scored["risk_tier"] == "high"]
    total_risk = float(scored["value_at_risk"].sum())
    in_budget = scored[scored["in_budget"]]
    auc = summary["roc_auc"]
    total_clv = float(scored["clv"].sum()) if scored["clv"].notna().any() else None
    of_clv = t(" ({share} of the {clv} CLV)", share=pct(_share(total_risk, total_clv)), clv=money(total_clv)) \
        if total_clv else ""  # fmt: skip
    sentences = [
        t("**{high} customers are at high risk** ({share} of customers: a churn probability of {threshold} or more "
          "over the next {days} days); they hold {high_risk} of the **{total} value at risk**{of_clv}, the margin of "
          "customers still active who are expected to lapse.", high=count(len(high)),
          share=pct(_share(len(high), len(scored))), threshold=pct(_high_threshold(settings)), days=horizon_days,
          high_risk=money(high["value_at_risk"].sum()), total=money(total_risk), of_clv=of_clv),
        t("The list is scored by the **{scorer}** model: in the backtest it ranks churners better than any simple "
          "score (ROC-AUC {auc} against {baseline_auc} for *{baseline}*).", scorer=term(scorer),
          auc=f"{auc[scorer]:.3f}", baseline_auc=f"{auc[best_baseline]:.3f}", baseline=term(best_baseline))
        if scorer == best_model else
        t("No model beat the simple score **{scorer}** in the backtest (ROC-AUC {auc} against {model_auc} for the "
          "best model), so the list is scored with it.", scorer=term(scorer), auc=f"{auc[scorer]:.3f}",
          model_auc=f"{auc[best_model]:.3f}"),
        _budget_sentence(scored, in_budget, budget=contact_budget, total_risk=total_risk),
        *_moment_sentence(in_budget),
        t("Top actions by value at risk: ") + t("; ").join(
            t("*{action}* ({customers} customers)", action=term(name), customers=count(row["customers"]))
            for name, row in actions.head(3).iterrows()) + t("."),
    ]  # fmt: skip
    if calibration is not None:
        sentences.insert(2, calibration_sentence(calibration, settings))
    if _share(len(high), len(scored)) > MOSTLY_GONE:
        sentences.insert(1, t("**Most customers are already likely gone**: {share} have a churn probability of "
                              "{threshold} or more. Value at risk counts only what customers still active can bring, "
                              "so the list goes to the few still worth a contact.", share=pct(_share(len(high),
                              len(scored))), threshold=pct(_high_threshold(settings))))  # fmt: skip
    numbers: dict[str, object] = {
        "high_risk_customers": len(high),
        "value_at_risk": total_risk,
        "clv": total_clv,
        "in_budget": len(in_budget),
        "moment_contacts": int((in_budget["action"] == in_budget["moment"]).sum()) if "moment" in in_budget else 0,
        "scorer": scorer,
        "scorer_is_baseline": scorer != best_model,
        "roc_auc": float(auc[scorer]),
        "best_baseline": best_baseline,
        "best_baseline_roc_auc": float(auc[best_baseline]),
        "contact_budget": min(contact_budget, len(scored)),
        "top_actions": [{"action": str(n), "customers": int(r["customers"]), "in_budget": int(r["in_budget"])}
                        for n, r in actions.iterrows()],
    }  # fmt: skip
    if surveys is not None:
        gain = float(surveys["difference"].mean())
        numbers |= {"roc_auc_with_surveys": float(surveys["roc_auc_with"].mean()),
                    "roc_auc_without_surveys": float(surveys["roc_auc_without"].mean())}  # fmt: skip
        sentences.append(t("Survey answers {verdict} the churn model: ROC-AUC {with_} with them against {without} "
                           "without, on the same folds ({folds} of {n} folds better).",
                           verdict=t("improve") if gain > 0 else t("do not improve"),
                           with_=f"{numbers['roc_auc_with_surveys']:.3f}",
                           without=f"{numbers['roc_auc_without_surveys']:.3f}",
                           folds=int((surveys["difference"] > 0).sum()), n=len(surveys)))  # fmt: skip
    if skipped_folds:
        sentences.append(
            t(
                "Backtest folds {folds} could not be run ({reason}); the scores are checked on the others.",
                folds=", ".join(map(str, skipped_folds)),
                reason=next(iter(skipped_folds.values())),
            )
        )
        numbers["skipped_folds"] = list(skipped_folds)
    return Findings("04_churn", sentences, numbers)


def _buyers_check(split, model_label: str) -> str:
    """Whether the buyers who came lie within what the probabilities allowed, and the score against the naive rate."""
    low, high = split.buyers_interval()
    values = {
        "model": model_label,
        "cutoff": split.cutoff,
        "window": split.window_days,
        "predicted": count(split.expected_buyers),
        "low": count(low),
        "high": count(high),
        "actual": count(split.actual_buyers),
        "off": f"{split.actual_buyers / split.expected_buyers - 1:+.0%}" if split.expected_buyers else "–",
    }
    if split.held:
        said = t(
            "The {model} purchase probabilities held on unseen data: forecast on {cutoff} for the next {window} "
            "days, they expected {predicted} buyers (95% range {low}–{high}) and {actual} came.",
            **values,
        )
    else:
        said = t(
            "**The {model} purchase probabilities did not hold on unseen data**: forecast on {cutoff} for the "
            "next {window} days, they expected {predicted} buyers (95% range {low}–{high}) and {actual} came "
            "({off}); read them as a ranking of who buys first rather than as exact chances.",
            **values,
        )
    if split.base_rate == split.base_rate:  # no naive rate when nobody was known a window before the cutoff
        said += t(" Brier score {brier}, {skill} lower than giving everyone the rate observed in the {window} days "
                  "before ({rate}).", brier=f"{split.brier:.3f}", skill=pct(split.brier_skill),
                  window=split.window_days, rate=pct(split.base_rate, 1))  # fmt: skip
    return said


def _demand(revenue: DemandForecast | None, backtest: Backtest | None) -> tuple[list[str], dict[str, float | int]]:
    """The demand forecast's sentence and numbers: the next months' revenue and, when checked, its MASE."""
    if revenue is None:
        return [], {}
    total, low, high = (float(v) for v in revenue.periods.loc[TOTAL, ["forecast", "low", "high"]].to_numpy())
    months = len(revenue.table["month"].unique())
    sentence = t("**Revenue of the next {months} months is forecast at {total}** ({level} interval {low} to {high}).",
                 months=months, total=money(total), level=f"{revenue.level:.0%}", low=money(low),
                 high=money(high))  # fmt: skip
    numbers = {"demand_forecast": total, "demand_months": months}
    if backtest is not None:
        mase = float(backtest.table.set_index("series")["mase"].get(TOTAL, np.nan))
        sentence += " " + t("On the {n} months held out, its error was {mase} times seasonal-naive's (MASE).",
                            n=backtest.months, mase=f"{mase:.2f}")  # fmt: skip
        numbers["demand_mase"] = mase
    return [sentence], numbers


def next_purchase(customers: pd.DataFrame, split, *, offers, settings, model_label: str,
                  left_out: dict[str, int] | None = None, revenue: DemandForecast | None = None,
                  backtest: Backtest | None = None) -> Findings:  # fmt: skip
    """05_next_purchase: who buys soon, whether the forecasts held on the time split, what to offer, the demand of
    the next months (`revenue`, checked by `backtest`); `left_out`: due customers kept off the reminder list, by their
    place in this cycle."""
    expected = float(customers["p_purchase_30d"].sum())
    due = int(customers["due_soon"].sum())
    errors = split.errors
    chosen = errors.loc[split.chosen]
    baseline = errors[errors["kind"] == "baseline"].iloc[0]
    sentences = [
        t("About **{expected} customers are expected to buy in the next 30 days** (the sum of their "
          "probabilities); **{due} are due soon**: likely to buy within {days} days, or just past their usual gap.",
          expected=count(expected), due=count(due), days=settings.due_days),
        _buyers_check(split, model_label),
    ]  # fmt: skip
    if left_out and sum(left_out.values()):
        planned = left_out.get("contact", 0)
        sentences[0] += t(" The reminder list `due_soon.xlsx` holds {kept} of them: {planned} are in this cycle's "
                          "contact plan already and {others} may not be contacted now (held for review, do not "
                          "contact, contact cap, long-run holdout).", kept=count(due - sum(left_out.values())),
                          planned=count(planned), others=count(sum(left_out.values()) - planned))  # fmt: skip
    if chosen["kind"] == "model":
        sentences.append(
            t(
                "For the date of the next purchase, **{chosen}** came closest, the customers who came back "
                "within {window} days and those who did not weighing equally: {buyers} days off for the first, "
                "{others} for the others (*{baseline}*: {base_buyers} and {base_others}).",
                chosen=term(split.chosen),
                window=split.horizon_days,
                buyers=f"{chosen['mae_days_buyers']:.0f}",
                others=f"{chosen['mae_days_others']:.0f}",
                baseline=term(baseline.name),
                base_buyers=f"{baseline['mae_days_buyers']:.0f}",
                base_others=f"{baseline['mae_days_others']:.0f}",
            )
        )
    else:
        sentences.append(t(
            "No personal forecast dated the next purchase better than the simple **{chosen}** ({buyers} days off "
            "for the customers who came back within {window} days, {others} for the others); the dates in the list "
            "use it, and the probabilities are the better guide to who buys.", chosen=term(split.chosen),
            buyers=f"{chosen['mae_days_buyers']:.0f}", window=split.horizon_days,
            others=f"{chosen['mae_days_others']:.0f}"))  # fmt: skip
    numbers = {"expected_buyers_30d": expected, "due_soon": due, "date_predictor": split.chosen,
               "brier": split.brier, "brier_skill": split.brier_skill}  # fmt: skip
    demand_said, demand_numbers = _demand(revenue, backtest)
    sentences += demand_said
    numbers |= demand_numbers
    if offers is None:
        sentences.append(
            t(
                "The data has no category column, so no offers: map one under `columns.category` in the "
                "config (and `columns.product_id` for products) to learn what to offer next."
            )
        )
        return Findings("05_next_purchase", sentences, numbers)
    evaluation = offers.evaluation
    best, base = evaluation.loc[offers.chosen], evaluation.loc["popularity"]
    k = settings.top_k
    if offers.chosen == "popularity":
        sentences.append(t("Offers: no personal method beat offering everyone the most popular categories "
                           "(hit rate@{k} {hit}), so the offers are the most popular categories.", k=k,
                           hit=pct(base["hit_rate"])))  # fmt: skip
    else:
        sentences.append(t(
            "Offers come from **{method}**: on the time split, {hit} of customers bought one of their {k} offers "
            "in the next {days} days, **{gain} points more** than the most popular categories ({base}).",
            method=term(offers.chosen), hit=pct(best["hit_rate"]), k=k, days=settings.evaluation_days,
            gain=f"{100 * offers.gain:.1f}", base=pct(base["hit_rate"])))  # fmt: skip
    if offers.item_column != "category":
        sentences.append(t("The data has no category, so offers name **products** by their {column}, among the {n} "
                           "most bought (`next_purchase.max_categories`).", column=header(offers.item_column),
                           n=count(settings.max_categories)))  # fmt: skip
        numbers["offer_item"] = offers.item_column
    if not offers.switches.empty:
        move = offers.switches.iloc[0]
        start = int(move["after_days_from"])
        sentences.append(
            t(
                "Learnt from the data: customers who have bought *{item}* for {start}–{end} days buy *{next_item}* in "
                "their next purchase in {share} of cases.",
                item=literal(move["item"]),
                start=start,
                end=start + settings.tenure_bucket_days,
                next_item=literal(move["next_item"]),
                share=pct(move["share"]),
            )
        )
    if not offers.bundles.empty:
        pair = offers.bundles.iloc[0]
        sentences.append(t("Strongest bundle: *{a}* with *{b}*, bought together {lift}× as often as by chance "
                           "({baskets} baskets).", a=literal(pair["antecedent"]), b=literal(pair["consequent"]),
                           lift=f"{pair['lift']:.1f}", baskets=count(pair["baskets"])))  # fmt: skip
    numbers |= {"offer_method": offers.chosen, "offer_hit_rate": float(best["hit_rate"]),
                "popularity_hit_rate": float(base["hit_rate"])}  # fmt: skip
    return Findings("05_next_purchase", sentences, numbers)


def campaign_plan(
    plan: pd.DataFrame,
    power: pd.DataFrame,
    *,
    settings,
    reach: pd.DataFrame | None = None,
    selection: dict | None = None,
) -> Findings:
    """06_campaign, plan mode: who is contacted, who is held out, and what each cell can show."""
    control = int((plan["group"] == "control").sum())
    overall = cast(pd.Series, power.loc["all cells"])
    cells = power.drop(index="all cells")
    small = cells[cells["too_small"]]
    sentences = [] if selection is None else [contact_sentence(plan, selection)]
    sentences += [
        t("The campaign plan covers **{customers} customers** in {cells} action cells; **{control} are held out as "
          "a random control group** (do not contact) so that the effect can be measured; contact cost {cost}.",
          customers=count(len(plan)), cells=len(cells), control=count(control), cost=money(plan["cost"].sum())),
        t("Overall the plan can detect a conversion lift of **{mde} points** (expected conversion {base} in the "
          "{days}-day window) at 95% confidence with {power} power.", mde=f"{100 * overall['mde_conversion']:.1f}",
          base=pct(overall["baseline_conversion"], 1), days=settings.outcome_days, power=pct(settings.power)),
    ]  # fmt: skip
    if small.empty:
        sentences.append(t("Every cell can detect a lift of {lift} points.", lift=f"{100 * settings.plausible_lift:g}"))
    else:
        sentences.append(t("**{n} cells are too small** to show a {lift}-point lift: ", n=len(small),
                           lift=f"{100 * settings.plausible_lift:g}") + t("; ").join(
            t("*{cell}* ({customers} customers, would need {needed})", cell=term(name),
              customers=count(row["customers"]), needed=count(row["customers_needed"]))
            for name, row in small.iterrows()) + t("."))  # fmt: skip
    numbers = {"customers": len(plan), "control": control, "cost": float(plan["cost"].sum()),
               "contacted": int((plan["group"] == "treatment").sum()), "selection": selection,
               "mde_conversion": float(overall["mde_conversion"]), "cells_too_small": len(small)}  # fmt: skip
    if reach is not None:
        left_out = int(reach["customers"].sum() - reach["reachable"].sum())
        numbers["not_reachable"] = left_out
        sentences.insert(1, t("Only customers who agreed to be contacted are planned: **{left} of the action list's "
                              "{customers} customers are left out** (no opt-in in the member table).",
                              left=count(left_out), customers=count(reach["customers"].sum())))  # fmt: skip
    return Findings("06_campaign", sentences, numbers)


def contact_sentence(plan: pd.DataFrame, selection: dict) -> str:
    """The week in one line: whom to contact by which channel, who is held out, who is not contacted and why."""
    treated = plan[plan["group"] == "treatment"]
    by_channel = treated["channel"].value_counts() if "channel" in treated else pd.Series(dtype=int)
    channels = t(", ").join(t("{channel} {customers}", channel=term(name), customers=count(n))
                            for name, n in by_channel.items())  # fmt: skip
    said = t("**Contact {contacted} of {customers} customers this cycle** ({channels}); {control} held out as a "
             "control group; not this cycle: {held} held for review, {store} in store only, {below} below the "
             "budget. The list is `contact_plan.xlsx`.", contacted=count(len(treated)),
             customers=count(selection["customers"]), channels=channels, control=count(len(plan) - len(treated)),
             held=count(selection["held_for_review"]), store=count(selection["in_store_only"]),
             below=count(selection["below_budget"]))  # fmt: skip
    return said + stopped_sentence(selection) + value_sentence(selection)


def value_sentence(selection: dict) -> str:
    """The contacts' expected incremental margin: with its interval where a measured campaign gave the save rates,
    with the assumption it rests on where none did."""
    if "expected_value" not in selection:
        return ""
    basis = (t("the save rates per action in campaign.save_rates") if selection["save_rates_by_action"] else
             t("a contact saving {rate} of the value at risk (campaign.assumed_save_rate)",
               rate=pct(selection["save_rate"])))  # fmt: skip
    measured = selection.get("measured_contacts", 0)
    if not measured:
        return t(" Expected incremental margin of the contacts: **{value}**, assuming {basis}, until a campaign is "
                 "measured.", value=money(selection["expected_value"]), basis=basis)  # fmt: skip
    contacted = selection["contacts"]
    said = t(" Expected incremental margin of the contacts: **{value}** (95% interval {low} to {high}), with the save "
             "rates a measured campaign found (campaign.measured_effects) for {measured} of the {contacted} contacts",
             value=money(selection["expected_value"]), low=money(selection["expected_value_low"]),
             high=money(selection["expected_value_high"]), measured=count(measured),
             contacted=count(contacted))  # fmt: skip
    if measured < contacted:
        said += t("; the others assume {basis}", basis=basis)
    return said + t(".")


def stopped_sentence(selection: dict) -> str:
    """Who the do-not-contact list and the contact cap kept out of this cycle (nothing when nobody)."""
    blocked, capped = selection.get("do_not_contact", 0), selection.get("contacted_recently", 0)
    said = ""
    if blocked or capped:
        said = t(" Also not this cycle: {blocked} on the do-not-contact list, {capped} contacted too recently (the "
                 "contact cap).", blocked=count(blocked), capped=count(capped))  # fmt: skip
    if holdout := selection.get("global_holdout", 0):
        said += t(" {holdout} are in the long-run holdout, never contacted: comparing them with everyone else shows "
                  "what all contacts together earn.", holdout=count(holdout))  # fmt: skip
    return said


def next_plan_sentences(measured) -> list[str]:
    """What the measurement gives the next plan: the save rate a contact achieved and, when the plan used several
    channels, each channel's incremental margin per contact."""
    overall, said = measured.effects.loc["all cells"], []
    if "save_rate" in measured.effects and pd.notna(overall["save_rate"]):
        said.append(t("A contact saved **{rate} of the value at risk** (95% interval {low} to {high}; a lower bound, "
                      "the outcome window is shorter than the CLV horizon). Give this run's `campaign_effects.parquet` "
                      "as `campaign.measured_effects` and the next plan ranks by these measured rates.",
                      rate=pct(overall["save_rate"], 1), low=pct(overall["save_rate_low"], 1),
                      high=pct(overall["save_rate_high"], 1)))  # fmt: skip
    if measured.channel_effects is not None:
        channels = measured.channel_effects.drop(index="all cells")
        per_contact = (channels["incremental_margin"] / channels["treatment"]).sort_values(ascending=False)
        listed = t(", ").join(t("{channel} {value}", channel=term(name), value=money(value))
                              for name, value in per_contact.items())  # fmt: skip
        significant = [term(name) for name in per_contact.index if channels.loc[name, "significant"]]
        choice = (t(" The next plan prefers the channels with a significant effect ({channels}) by what they earned.",
                    channels=t(", ").join(significant)) if significant else
                  t(" No channel's effect is significant, so the next plan keeps the channel order of the "
                    "config."))  # fmt: skip
        said.append(t("Incremental margin per contact by channel: {channels}.", channels=listed) + choice)
    return said


TARGET_SHARE = 0.3  # the uplift finding compares targeting this share of customers by uplift and at random


def campaign_measure(measured, settings) -> Findings:
    """06_campaign, measure mode: what the campaign earned per cell, with intervals; checks first."""
    effects = measured.effects
    overall = effects.loc["all cells"]
    sentences = []
    if measured.srm["mismatch"]:
        sentences.append(t("**Warning: the groups do not have the planned sizes** ({observed} control against "
                           "{planned} planned, p = {p}); the assignment was not followed, so the effects below may "
                           "be biased.", observed=pct(measured.srm["observed_control_share"], 1),
                           planned=pct(measured.srm["planned_control_share"], 1),
                           p=f"{measured.srm['p_value']:.1g}"))  # fmt: skip
    sentences.append(t(
        "Overall the campaign changed conversion by **{lift} points** (95% interval {low} to {high}) and revenue per "
        "contacted customer by {revenue} ({revenue_low} to {revenue_high}); it earned {margin} of margin for {cost} "
        "spent.", lift=f"{100 * overall['conversion_lift']:+.1f}", low=f"{100 * overall['conversion_low']:+.1f}",
        high=f"{100 * overall['conversion_high']:+.1f}", revenue=money(overall["revenue_lift"]),
        revenue_low=money(overall["revenue_low"]), revenue_high=money(overall["revenue_high"]),
        margin=money(overall["incremental_margin"]), cost=money(overall["cost"])))  # fmt: skip
    cells = effects.drop(index="all cells").sort_values("incremental_margin", ascending=False)
    for name, row in cells.iterrows():
        if row["cost"] > 0:
            sentences.append(
                t(
                    "*{cell}*: {lift} points conversion ({low} to {high}); earned **{ratio} margin per {one} spent** "
                    "(95% interval {ratio_low} to {ratio_high}).",
                    cell=term(name),
                    lift=f"{100 * row['conversion_lift']:+.1f}",
                    low=f"{100 * row['conversion_low']:+.1f}",
                    high=f"{100 * row['conversion_high']:+.1f}",
                    ratio=money(row["margin_per_cost"]),
                    one=money(1),
                    ratio_low=money(row["margin_per_cost_low"]),
                    ratio_high=money(row["margin_per_cost_high"]),
                )
            )
    sentences.extend(next_plan_sentences(measured))
    unpaid = [term(name) for name, row in cells.iterrows() if not row["paid_off"]]
    if unpaid:
        sentences.append(t("Did not pay for itself: {cells}.", cells=t(", ").join(f"*{c}*" for c in unpaid)))
    groups = measured.targets["target_group"].value_counts()
    by_uplift, at_random = measured.uplift.at(TARGET_SHARE)
    sentences.append(
        t("Targeting the {share} of held-out customers with the highest predicted uplift finds {model} incremental "
          "buyers, random targeting {random}; ", share=pct(TARGET_SHARE), model=f"{by_uplift:,.0f}",
          random=f"{at_random:,.0f}")
        + t("next time skip the **{sure} sure things** (they buy anyway) and the **{disturb} do-not-disturb** "
            "customers (contact lowers their chance).", sure=count(groups.get("sure thing", 0)),
            disturb=count(groups.get("do not disturb", 0))))  # fmt: skip
    numbers = {"conversion_lift": float(overall["conversion_lift"]), "conversion_low": float(overall["conversion_low"]),
               "conversion_high": float(overall["conversion_high"]),
               "incremental_margin": float(overall["incremental_margin"]), "cost": float(overall["cost"]),
               "srm_mismatch": bool(measured.srm["mismatch"]), "qini": measured.uplift.qini_coefficient}  # fmt: skip
    return Findings("06_campaign", sentences, numbers)
