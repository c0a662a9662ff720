"""What each stage found, in a few computed sentences: the top of its report and of the front page.

Each stage writes its findings as `findings_<stage>.json` (sentences and the headline numbers),
so the front page can be rendered from the run folder alone. Sentences hold values as found
(segment names, actions); the report escapes them when it shows them. `**x**` marks emphasis.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import pandas as pd

from helpers.formatting import count, money


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


def ingest(quality: dict, facts: dict, by_frequency: pd.DataFrame) -> Findings:
    set_aside = quality["rows_in"] - quality["rows_kept"]
    rules = sorted((r for r in quality["rules"] if r["rows"]), key=lambda r: -r["rows"])
    balanced = quality["reconciliation"]["rows_ok"] and quality["reconciliation"]["money_ok"]
    quality_line = (
        f"Data quality: **{count(quality['rows_kept'])} of {count(quality['rows_in'])} rows kept** "
        f"({_share(quality['rows_kept'], quality['rows_in']):.1%}); {count(set_aside)} set aside"
        + (f", most for *{rules[0]['rule'].replace('_', ' ')}* ({count(rules[0]['rows'])} rows)" if rules else "")
        + ("; every row and every unit of money is accounted for." if balanced else "; **the rows do not reconcile**.")
    )
    one_time = by_frequency.iloc[0]
    sentences = [
        f"From {facts['first_date']} to {facts['last_date']}, **{count(facts['customers'])} customers** made "
        f"**{count(facts['purchases'])} purchases** worth **{money(facts['revenue'])}** (average order "
        f"{money(facts['average_order_value'])}).",
        quality_line,
        f"**{facts['repeat_customer_share']:.0%} of customers bought more than once**; one-time buyers are "
        f"{one_time['share_of_customers']:.0%} of customers and bring {one_time['share_of_revenue']:.0%} of revenue.",
    ]
    numbers = {k: facts[k] for k in ("first_date", "last_date", "customers", "purchases", "revenue")}
    numbers |= {"rows_in": quality["rows_in"], "rows_kept": quality["rows_kept"], "rows_set_aside": set_aside,
                "reconciled": balanced}  # fmt: skip
    return Findings("01_ingest", sentences, numbers)


def segment(customers: pd.DataFrame, segments: pd.DataFrame, tiers: pd.DataFrame, concentration: dict,
            revenue_share: float, moves: dict | None) -> Findings:  # fmt: skip
    """`segments` is sorted by share of revenue, highest first."""
    top = segments.head(2)
    holders = " and ".join(
        f"**{name}** ({count(row['customers'])} customers, {row['share_of_customers']:.0%})"
        for name, row in top.iterrows()
    )
    sentences = [
        f"{holders} bring **{top['share_of_revenue'].sum():.0%} of revenue**.",
        f"**{concentration['customers_for_revenue_share']:.0%} of customers bring {revenue_share:.0%} of revenue.**",
    ]
    if "VIP" in tiers.index and tiers.loc["VIP", "customers"]:
        vip = tiers.loc["VIP"]
        sentences.append(f"**{count(vip['customers'])} VIPs** ({_share(vip['customers'], len(customers)):.1%} of "
                         f"customers) bring {vip['share_of_revenue']:.0%} of revenue.")  # fmt: skip
    lifecycle = customers["lifecycle"].value_counts(normalize=True)
    sentences.append(
        f"Against their own buying rhythm, **{lifecycle.get('at risk', 0):.0%} of customers are at risk** and "
        f"{lifecycle.get('lapsed', 0):.0%} have lapsed; {lifecycle.get('active', 0):.0%} are active and "
        f"{lifecycle.get('new', 0):.0%} new."
    )
    if moves is not None:
        sentences.append(f"Since the last run, **{count(moves['upgraded'])} customers moved up** and "
                         f"{count(moves['downgraded'])} moved down.")  # fmt: skip
    numbers = {
        "top_segments": [{"segment": str(n), "customers": int(r["customers"]), "share_of_revenue": float(
            r["share_of_revenue"])} for n, r in segments.head(3).iterrows()],
        "vip_customers": int(tiers.loc["VIP", "customers"]) if "VIP" in tiers.index else 0,
        "at_risk_share": float(lifecycle.get("at risk", 0)),
    }  # fmt: skip
    return Findings("02_segment", sentences, numbers)


def clv(values: pd.DataFrame, comparison: pd.DataFrame, chosen_label: str, deciles: pd.DataFrame,
        bootstrap: pd.DataFrame | None, horizon_months: int, alive_threshold: float) -> Findings:  # fmt: skip
    total = float(values["clv"].sum())
    purchases = float(values["expected_purchases"].sum())
    interval = ""
    numbers = {"horizon_months": horizon_months, "clv": total, "expected_purchases": purchases,
               "model": chosen_label}  # fmt: skip
    if bootstrap is not None:
        band = bootstrap.loc["total_purchases"]
        interval = f" (90% interval {count(band['p05'])}–{count(band['p95'])} purchases)"
        numbers |= {"purchases_p05": float(band["p05"]), "purchases_p95": float(band["p95"])}
    row = comparison.loc[chosen_label]
    error = row["predicted_purchases"] / row["actual_purchases"] - 1 if row["actual_purchases"] else float("nan")
    numbers["holdout_error"] = float(error)
    sentences = [
        f"Over the next {horizon_months} months customers are expected to make **{count(purchases)} purchases**"
        f"{interval}, worth **{money(total)} in margin** (customer lifetime value, CLV).",
        f"The most valuable 10% of customers hold **{deciles.loc[1, 'share_of_clv']:.0%} of that value**.",
        f"**{chosen_label}** forecast the holdout period best: {count(row['predicted_purchases'])} repeat purchases "
        f"against {count(row['actual_purchases'])} that happened ({error:+.0%}).",
        f"{(values['p_alive'] >= alive_threshold).mean():.0%} of customers are more likely still active than not.",
    ]
    return Findings("03_clv", sentences, numbers)


def churn(scored: pd.DataFrame, summary: pd.DataFrame, scorer: str, best_model: str, best_baseline: str,
          actions: pd.DataFrame, horizon_days: int, contact_budget: int) -> Findings:  # fmt: skip
    high = scored[scored["risk_tier"] == "high"]
    total_risk = float(scored["value_at_risk"].sum())
    in_budget = scored[scored["in_budget"]]
    sentences = [
        f"**{count(len(high))} customers are at high risk** (the {_share(len(high), len(scored)):.0%} most likely "
        f"to make no purchase in the next {horizon_days} days); they hold {money(high['value_at_risk'].sum())} of "
        f"the **{money(total_risk)} value at risk**.",
    ]
    auc = summary["roc_auc"]
    if scorer == best_model:
        sentences.append(f"The list is scored by the **{scorer}** model: in the backtest it ranks churners better "
                         f"than any simple score (ROC-AUC {auc[scorer]:.2f} against {auc[best_baseline]:.2f} for "
                         f"*{best_baseline}*).")  # fmt: skip
    else:
        sentences.append(f"No model beat the simple score **{scorer}** in the backtest (ROC-AUC "
                         f"{auc[scorer]:.2f} against {auc[best_model]:.2f} for the best model), so the list is "
                         "scored with it.")  # fmt: skip
    sentences.append(f"The contact budget of **{count(min(contact_budget, len(scored)))} customers**, taken by value "
                     f"at risk, covers {_share(in_budget['value_at_risk'].sum(), total_risk):.0%} of it.")  # fmt: skip
    top = actions.head(3)
    sentences.append("Top actions by value at risk: " + "; ".join(
        f"*{name}* ({count(row['customers'])} customers)" for name, row in top.iterrows()) + ".")  # fmt: skip
    numbers = {
        "high_risk_customers": len(high),
        "value_at_risk": total_risk,
        "scorer": scorer,
        "scorer_is_baseline": scorer != best_model,
        "roc_auc": float(auc[scorer]),
        "best_baseline": best_baseline,
        "best_baseline_roc_auc": float(auc[best_baseline]),
        "contact_budget": min(contact_budget, len(scored)),
        "top_actions": [{"action": str(n), "customers": int(r["customers"]), "in_budget": int(r["in_budget"])}
                        for n, r in actions.iterrows()],
    }  # fmt: skip
    return Findings("04_churn", sentences, numbers)
