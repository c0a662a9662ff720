"""Campaigns with a control group: plan (random groups per action cell, power), measure (checks, effects,
economics) and learn who responds (uplift).

Plan: inside each action cell, a seeded random `control_share` of customers (at least `min_control`) is
held out; statsmodels' power tools give the smallest lift each cell can detect. Measure: the sample-ratio
check every experimentation platform runs (chi-square of the observed split against the planned one),
pre-period balance, then conversion (a purchase in the outcome window) with Newcombe intervals for the
difference of two proportions, revenue per customer with bootstrap intervals beside CUPED (the outcome
minus theta x the pre-period spend, which removes the variance the past explains), Holm across cells, and
incremental margin against cost. Uplift: a two-model (T-learner) estimate of each customer's response,
checked on held-out customers with a Qini curve against random targeting.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from datetime import date, timedelta

import ibis
import numpy as np
import pandas as pd
from scipy.stats import chisquare
from sklearn.ensemble import HistGradientBoostingClassifier
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import confint_proportions_2indep, test_proportions_2indep

from helpers.core.errors import CampaignDataError
from helpers.data.features import days_between, fetch, money_sum, purchases
from helpers.data.sources import NO, YES
from helpers.language.i18n import t

__all__ = [
    "ALL_CELLS",
    "BALANCE_LIMIT",
    "BOOTSTRAP_CELLS",
    "GROUPS",
    "SRM_ALPHA",
    "Uplift",
    "assign_groups",
    "balance",
    "bootstrap_difference",
    "cuped",
    "customers_needed",
    "effects",
    "learn_uplift",
    "minimum_detectable",
    "outcomes",
    "past_windows",
    "power_table",
    "qini_curve",
    "read_assignment",
    "read_responses",
    "report_table",
    "sample_ratio_check",
    "save_rates",
    "target_groups",
]

ALL_CELLS = "all cells"  # the row of every cell together

GROUPS = ("treatment", "control")
SRM_ALPHA = 0.001  # the threshold experimentation platforms use: a mismatch this unlikely is not chance
BALANCE_LIMIT = 0.1  # a standardised mean difference above it means the groups differ before the campaign
BOOTSTRAP_CELLS = 20_000_000  # resampled values held at once (160 MB): a million customers, 20 resamples a chunk


def assign_groups(cells: pd.Series, control_share: float, *, min_control: int, seed: int) -> pd.Series:
    """'treatment' or 'control' per customer (the index): in each cell a random round(share x n) customers,
    at least `min_control` when the cell holds twice that, are the control. Seeded and independent of the
    order of the rows: the same customers and cells give the same groups."""
    rng = np.random.default_rng(seed)
    groups = pd.Series("treatment", index=cells.index, dtype=object)
    for cell in sorted(cells.unique()):
        members = np.sort(cells.index[cells == cell].to_numpy())
        size = max(round(control_share * len(members)), min(min_control, len(members) // 2))
        groups[rng.choice(members, size=size, replace=False)] = "control"
    return groups


def minimum_detectable(n_treatment: int, n_control: int, *, baseline: float, sd: float, alpha: float,
                       power: float) -> tuple[float, float]:  # fmt: skip
    """The smallest conversion lift (absolute, from `baseline`) and revenue lift (money, from the revenue's
    standard deviation `sd`) a two-sided test at `alpha` detects with `power`; NaN without both groups."""
    if min(n_treatment, n_control) < 2:
        return float("nan"), float("nan")
    effect = NormalIndPower().solve_power(effect_size=None, nobs1=n_treatment, alpha=alpha, power=power,
                                          ratio=n_control / n_treatment)  # fmt: skip
    arc = np.arcsin(np.sqrt(baseline)) + effect / 2  # Cohen's h back to a proportion
    lifted = np.sin(min(arc, np.pi / 2)) ** 2
    return float(lifted - baseline), float(effect * sd) if sd > 0 else float("nan")


def customers_needed(baseline: float, lift: float, *, control_share: float, alpha: float, power: float) -> int:
    """Customers a cell needs (both groups) to detect `lift` on `baseline` with the planned split."""
    target = min(baseline + lift, 1.0)
    effect = abs(2 * np.arcsin(np.sqrt(target)) - 2 * np.arcsin(np.sqrt(baseline)))
    if effect == 0:
        return 0
    ratio = control_share / (1 - control_share)
    treatment = NormalIndPower().solve_power(effect_size=effect, nobs1=None, alpha=alpha, power=power, ratio=ratio)
    return int(np.ceil(treatment * (1 + ratio)))


def power_table(plan: pd.DataFrame, history: pd.DataFrame, settings) -> pd.DataFrame:
    """Per cell and overall: customers, groups, the baseline conversion and revenue, the minimum detectable
    lifts, the customers needed to detect `plausible_lift`, and whether it is too small.

    history: per customer (index) past_conversion, past_revenue and past_revenue_var over past windows, and
    optionally expected_conversion (the purchase model's probability), which is the baseline when given: a
    cell defined by silence has no purchase in its past windows, yet some of its customers will buy."""
    frame = plan.join(history, on="customer_id")
    if "expected_conversion" in frame:
        frame["past_conversion"] = frame["expected_conversion"].fillna(frame["past_conversion"])
    rows = {}
    for cell, members in [*frame.groupby("action"), (ALL_CELLS, frame)]:
        n_t, n_c = int((members["group"] == "treatment").sum()), int((members["group"] == "control").sum())
        baseline = float(members["past_conversion"].mean())
        sd = float(np.sqrt(members["past_revenue_var"].mean() + members["past_revenue"].var(ddof=0)))
        mde_conversion, mde_revenue = minimum_detectable(
            n_t, n_c, baseline=baseline, sd=sd, alpha=settings.alpha, power=settings.power
        )
        needed = customers_needed(
            baseline,
            settings.plausible_lift,
            control_share=settings.control_share,
            alpha=settings.alpha,
            power=settings.power,
        )
        rows[cell] = {"customers": n_t + n_c, "treatment": n_t, "control": n_c, "baseline_conversion": baseline,
                      "mde_conversion": mde_conversion, "baseline_revenue": float(members["past_revenue"].mean()),
                      "mde_revenue": mde_revenue, "customers_needed": needed,
                      "too_small": bool(not mde_conversion <= settings.plausible_lift)}  # fmt: skip
    return pd.DataFrame(rows).T.rename_axis("action").astype(
        {"customers": int, "treatment": int, "control": int, "customers_needed": int, "too_small": bool,
         **{c: float for c in ("baseline_conversion", "mde_conversion", "baseline_revenue", "mde_revenue")}}
    )  # fmt: skip


def read_assignment(frame: pd.DataFrame, columns) -> pd.DataFrame:
    """A plan or an assignment file as customer_id, action, group (and cost): every problem a clear error."""
    wanted = {"customer_id": columns.customer_id, "group": columns.group}
    wanted |= {k: v for k, v in (("action", columns.action), ("cost", columns.cost)) if v}
    missing = [given for given in wanted.values() if given not in frame.columns]
    if missing:
        raise CampaignDataError(f"the assignment file has no column {missing}; it has {list(frame.columns)} "
                                "(map yours under campaign.assignment_columns)")  # fmt: skip
    table = frame[list(wanted.values())].rename(columns={v: k for k, v in wanted.items()})
    table["customer_id"] = table["customer_id"].astype(str).str.strip()
    table["group"] = table["group"].astype(str).str.strip().str.lower()
    unknown = sorted(set(table["group"]) - set(GROUPS))
    if unknown:
        raise CampaignDataError(f"assignment groups must be 'treatment' or 'control'; found {unknown[:5]}")
    both = table.groupby("customer_id")["group"].nunique()
    if (both > 1).any():
        listed = ", ".join(both[both > 1].index[:5])
        raise CampaignDataError(f"{int((both > 1).sum()):,} customers are in both groups (e.g. {listed}); each "
                                "customer must be in one group")  # fmt: skip
    table = table.drop_duplicates("customer_id")
    counts = table["group"].value_counts()
    if counts.get("control", 0) == 0:
        raise CampaignDataError("the assignment has no control group: without one no effect can be measured "
                                "(hold out a random share of customers next time: campaign.control_share)")  # fmt: skip
    if counts.get("treatment", 0) == 0:
        raise CampaignDataError("the assignment has no treatment group: nobody was contacted")
    if "action" not in table:
        table["action"] = "campaign"
    return table.reset_index(drop=True)


def read_responses(frame: pd.DataFrame, columns) -> pd.DataFrame:
    """A response file as customer_id -> converted (bool), revenue (float); every problem a clear error."""
    wanted = {"customer_id": columns.customer_id, "converted": columns.converted, "revenue": columns.revenue}
    missing = [given for given in wanted.values() if given not in frame.columns]
    if missing:
        raise CampaignDataError(f"the response file has no column {missing}; it has {list(frame.columns)} "
                                "(map yours under campaign.response_columns)")  # fmt: skip
    table = frame[list(wanted.values())].rename(columns={v: k for k, v in wanted.items()}).astype(str)
    table["customer_id"] = table["customer_id"].str.strip()
    flags = table["converted"].str.strip().str.lower()
    unknown = sorted(set(flags) - YES - NO)
    if unknown:
        raise CampaignDataError(f"response 'converted' must be yes/no, 1/0 or true/false; found {unknown[:5]}")
    revenue = pd.to_numeric(table["revenue"].str.strip().replace("", "0"), errors="coerce")
    if revenue.isna().any():
        bad = table.loc[revenue.isna(), "revenue"].head(3).tolist()
        raise CampaignDataError(f"response revenue must be a number; found {bad}")
    if table["customer_id"].duplicated().any():
        raise CampaignDataError(f"{int(table['customer_id'].duplicated().sum()):,} customers appear twice in the "
                                "response file; give one row per customer")  # fmt: skip
    return pd.DataFrame({"converted": flags.isin(YES).to_numpy(), "revenue": revenue.to_numpy(dtype=float)},
                        index=pd.Index(table["customer_id"], name="customer_id"))  # fmt: skip


def sample_ratio_check(groups: pd.Series, control_share: float) -> dict:
    """Chi-square of the observed treatment/control counts against the planned split."""
    observed = np.array([(groups == "treatment").sum(), (groups == "control").sum()], dtype=float)
    expected = observed.sum() * np.array([1 - control_share, control_share])
    p_value = float(chisquare(observed, expected).pvalue)
    return {"treatment": int(observed[0]), "control": int(observed[1]), "planned_control_share": control_share,
            "observed_control_share": float(observed[1] / observed.sum()), "p_value": p_value,
            "mismatch": p_value < SRM_ALPHA}  # fmt: skip


def balance(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Pre-period means by group and the standardised mean difference (pooled sd) of each column."""
    treated, control = (frame[frame["group"] == g] for g in GROUPS)
    rows = {}
    for column in columns:
        pooled = np.sqrt((treated[column].var() + control[column].var()) / 2)
        difference = treated[column].mean() - control[column].mean()
        rows[column] = {"treatment": treated[column].mean(), "control": control[column].mean(),
                        "standardised_difference": float(difference / pooled) if pooled > 0 else 0.0}  # fmt: skip
    table = pd.DataFrame(rows).T
    table["balanced"] = table["standardised_difference"].abs() <= BALANCE_LIMIT
    return table.rename_axis("pre_period")


def cuped(outcome: np.ndarray, covariate: np.ndarray) -> np.ndarray:
    """The outcome minus theta x (covariate - its mean), theta = cov / var: same mean, less variance."""
    variance = covariate.var()
    theta = np.cov(outcome, covariate, ddof=0)[0, 1] / variance if variance > 0 else 0.0
    return outcome - theta * (covariate - covariate.mean())


def bootstrap_difference(treated: np.ndarray, control: np.ndarray, *, samples: int, rng: np.random.Generator,
                         level: float = 0.95) -> tuple[float, float]:  # fmt: skip
    """Percentile interval of mean(treated) - mean(control), each group resampled on its own (in chunks of
    resamples, so memory stays near BOOTSTRAP_CELLS values whatever the group size)."""
    means = []
    for values in (treated, control):
        chunk = max(1, BOOTSTRAP_CELLS // len(values))
        means.append(np.concatenate([values[rng.integers(0, len(values), (min(chunk, samples - done), len(values)))]
                                     .mean(axis=1) for done in range(0, samples, chunk)]))  # fmt: skip
    low, high = np.quantile(means[0] - means[1], [(1 - level) / 2, (1 + level) / 2])
    return float(low), float(high)


def effects(frame: pd.DataFrame, margin: float, *, samples: int, seed: int, by: str = "action") -> pd.DataFrame:
    """Per cell (of the column `by`: the action, or the channel) and overall: conversion and revenue per customer
    by group, lifts with 95% intervals (Newcombe for conversion; bootstrap for revenue, plain and CUPED),
    Holm-adjusted p-values across cells, and the economics: incremental customers, revenue and margin, cost,
    margin per unit of cost, cost per incremental customer. With the plan's value at risk, also the measured save
    rate: the incremental margin per contact over the value at risk per contact, with its interval.

    frame: customer_id, `by`, group, converted, revenue, pre_spend, cost (0 for the control), value_at_risk
    (optional)."""
    rng = np.random.default_rng(seed)
    rows = {}
    for cell, members in [*frame.groupby(by), (ALL_CELLS, frame)]:
        t, c = (members[members["group"] == g] for g in GROUPS)
        if t.empty or c.empty:
            continue
        n_t, n_c = len(t), len(c)
        x_t, x_c = int(t["converted"].sum()), int(c["converted"].sum())
        with warnings.catch_warnings():  # statsmodels also computes a ratio, undefined when a group has no buyer
            warnings.simplefilter("ignore", RuntimeWarning)
            low, high = confint_proportions_2indep(x_t, n_t, x_c, n_c, method="newcomb", compare="diff")
            p_value = float(test_proportions_2indep(x_t, n_t, x_c, n_c, method="score").pvalue)
        p_value = 1.0 if np.isnan(p_value) else p_value  # no buyer in either group: no difference to test
        revenue_t, revenue_c = t["revenue"].to_numpy(float), c["revenue"].to_numpy(float)
        adjusted = cuped(members["revenue"].to_numpy(float), members["pre_spend"].to_numpy(float))
        treated_mask = (members["group"] == "treatment").to_numpy()
        plain_ci = bootstrap_difference(revenue_t, revenue_c, samples=samples, rng=rng)
        cuped_ci = bootstrap_difference(adjusted[treated_mask], adjusted[~treated_mask], samples=samples, rng=rng)
        lift = x_t / n_t - x_c / n_c
        revenue_lift = float(adjusted[treated_mask].mean() - adjusted[~treated_mask].mean())
        cost = float(t["cost"].sum())
        incremental_margin = revenue_lift * n_t * margin
        rows[cell] = {
            "treatment": n_t, "control": n_c, "conversion_treatment": x_t / n_t, "conversion_control": x_c / n_c,
            "conversion_lift": lift, "conversion_low": float(low), "conversion_high": float(high),
            "relative_lift": lift / (x_c / n_c) if x_c else float("nan"), "p_value": p_value,
            "revenue_treatment": revenue_t.mean(), "revenue_control": revenue_c.mean(),
            "revenue_lift_plain": revenue_t.mean() - revenue_c.mean(), "revenue_low_plain": plain_ci[0],
            "revenue_high_plain": plain_ci[1], "revenue_lift": revenue_lift, "revenue_low": cuped_ci[0],
            "revenue_high": cuped_ci[1], "incremental_customers": lift * n_t,
            "incremental_revenue": revenue_lift * n_t, "incremental_margin": incremental_margin, "cost": cost,
            "margin_per_cost": incremental_margin / cost if cost else float("nan"),
            "margin_per_cost_low": cuped_ci[0] * n_t * margin / cost if cost else float("nan"),
            "margin_per_cost_high": cuped_ci[1] * n_t * margin / cost if cost else float("nan"),
            "cost_per_incremental_customer": cost / (lift * n_t) if lift > 0 else float("nan"),
        }  # fmt: skip
        if "value_at_risk" in members:
            rows[cell] |= save_rates(t["value_at_risk"], (revenue_lift, *cuped_ci), margin)
    table = pd.DataFrame(rows).T.rename_axis(by)
    if table.empty:
        raise CampaignDataError("no cell has customers in both groups: no effect can be measured")
    cells = table.index != ALL_CELLS
    table["p_holm"] = table["p_value"]
    if cells.sum() > 0:
        table.loc[cells, "p_holm"] = multipletests(table.loc[cells, "p_value"].astype(float), method="holm")[1]
    table["significant"] = table["p_holm"].astype(float) < 0.05
    table["paid_off"] = table["margin_per_cost"].astype(float) > 1
    kinds = {"treatment": int, "control": int, "significant": bool, "paid_off": bool}
    return table.astype({c: kinds.get(c, float) for c in table.columns})


def save_rates(value_at_risk: pd.Series, revenue_lift: tuple[float, float, float], margin: float) -> dict:
    """The measured share of the value at risk a contact saved: the incremental margin per contact (CUPED revenue
    lift x margin, point and 95% interval) over the contacted customers' mean value at risk. The outcome window is
    shorter than the CLV horizon, so the rate is a lower bound of what contacts save."""
    at_risk = float(pd.to_numeric(value_at_risk, errors="coerce").mean())
    rates = [lift * margin / at_risk if at_risk > 0 else float("nan") for lift in revenue_lift]
    return {"value_at_risk": at_risk, "save_rate": rates[0], "save_rate_low": rates[1], "save_rate_high": rates[2]}


@dataclass
class Uplift:
    """The T-learner: who responds to the campaign, checked on held-out customers."""

    qini: pd.DataFrame  # share targeted -> incremental conversions, model and random
    qini_coefficient: float  # area between the model's Qini curve and random targeting, per customer

    def at(self, share: float) -> tuple[float, float]:
        """Incremental buyers found by targeting `share` of the held-out customers: by uplift, at random."""
        x = self.qini["share_targeted"]
        return float(np.interp(share, x, self.qini["model"])), float(np.interp(share, x, self.qini["random"]))

    deciles: pd.DataFrame  # observed conversion lift per decile of predicted uplift (1 = highest)
    scores: pd.DataFrame  # every customer: p_treated, p_control, uplift


def _learner(seed: int) -> HistGradientBoostingClassifier:
    return HistGradientBoostingClassifier(max_iter=150, learning_rate=0.05, max_leaf_nodes=15, l2_regularization=1.0,
                                          random_state=seed)  # fmt: skip


def qini_curve(uplift: np.ndarray, treated: np.ndarray, *, converted: np.ndarray, points: int = 20) -> pd.DataFrame:
    """Incremental conversions when targeting the top share by predicted uplift: Y_T(k) - Y_C(k) N_T(k)/N_C(k)."""
    order = np.argsort(-uplift, kind="stable")
    t, y = treated[order], converted[order]
    n_t, n_c = np.cumsum(t), np.cumsum(~t)
    y_t, y_c = np.cumsum(y & t), np.cumsum(y & ~t)
    gain = y_t - np.divide(y_c * n_t, n_c, out=np.zeros(len(y), dtype=float), where=n_c > 0)
    cut = np.unique(np.linspace(0, len(y), points + 1).astype(int))[1:] - 1
    shares = (cut + 1) / len(y)
    return pd.DataFrame({"share_targeted": np.r_[0.0, shares], "model": np.r_[0.0, gain[cut]],
                         "random": np.r_[0.0, shares * gain[-1]]})  # fmt: skip


def learn_uplift(features: pd.DataFrame, groups: pd.Series, *, converted: pd.Series, seed: int) -> Uplift:
    """Fit one model per group on half of the customers, check the uplift ranking on the other half, then
    refit on everyone to score every customer."""
    rng = np.random.default_rng(seed)
    held_out = rng.random(len(features)) < 0.5
    treated = (groups == "treatment").to_numpy()
    y = converted.to_numpy(bool)
    x = features.to_numpy(float)

    def fit_predict(train: np.ndarray, target: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        predictions = []
        for in_group in (treated, ~treated):
            rows = train & in_group
            if len(np.unique(y[rows])) < 2:  # a group where everyone (or no one) converted: its rate
                predictions.append(np.full(target.sum(), y[rows].mean() if rows.any() else 0.0))
                continue
            predictions.append(_learner(seed).fit(x[rows], y[rows]).predict_proba(x[target])[:, 1])
        return predictions[0], predictions[1]

    p_t, p_c = fit_predict(~held_out, held_out)
    test_uplift = p_t - p_c
    curve = qini_curve(test_uplift, treated[held_out], converted=y[held_out])
    area = float(np.trapezoid(curve["model"] - curve["random"], curve["share_targeted"]))
    deciles = _uplift_deciles(test_uplift, treated[held_out], y[held_out])
    everyone = np.ones(len(x), dtype=bool)
    p_t_all, p_c_all = fit_predict(everyone, everyone)
    scores = pd.DataFrame({"p_treated": p_t_all, "p_control": p_c_all, "uplift": p_t_all - p_c_all},
                          index=features.index)  # fmt: skip
    return Uplift(curve, area / max(held_out.sum(), 1), deciles, scores)


def _uplift_deciles(uplift: np.ndarray, treated: np.ndarray, converted: np.ndarray) -> pd.DataFrame:
    decile = 10 - pd.qcut(pd.Series(uplift).rank(method="first"), 10, labels=False).to_numpy()
    rows = []
    for d in range(1, 11):
        inside = decile == d
        t, c = inside & treated, inside & ~treated
        rows.append({"decile": d, "customers": int(inside.sum()), "predicted_uplift": float(uplift[inside].mean()),
                     "observed_uplift": (converted[t].mean() if t.any() else np.nan)
                     - (converted[c].mean() if c.any() else np.nan)})  # fmt: skip
    return pd.DataFrame(rows).set_index("decile")


def target_groups(scores: pd.DataFrame, sure_share: float = 0.2) -> pd.Series:
    """'persuadable' (clearly positive uplift), 'sure thing' (among the most likely to buy anyway, little
    uplift), 'do not disturb' (clearly negative uplift: contact lowers their chance), 'lost cause' (the rest).
    'Clearly' is beyond the median size of the predicted uplifts."""
    typical = scores["uplift"].abs().median()
    likely = scores["p_control"] >= scores["p_control"].quantile(1 - sure_share)
    kind = pd.Series("lost cause", index=scores.index, dtype=object)
    kind[scores["uplift"] > typical] = "persuadable"
    kind[likely & (scores["uplift"].abs() <= typical)] = "sure thing"
    kind[scores["uplift"] < -typical] = "do not disturb"
    return kind


def report_table(effects: pd.DataFrame) -> pd.DataFrame:
    """The effects as a reader compares them: each lift with its 95% interval in one column."""

    def interval(low: pd.Series, high: pd.Series, shown) -> list[str]:
        return [t("{low} to {high}", low=shown(a), high=shown(b)) for a, b in zip(low, high, strict=True)]

    points = "{:+.1f}".format
    return pd.DataFrame(
        {
            "treatment": effects["treatment"], "control": effects["control"],
            "conversion_treatment": effects["conversion_treatment"],
            "conversion_control": effects["conversion_control"],
            "lift_points": 100 * effects["conversion_lift"],
            "interval_points": interval(100 * effects["conversion_low"], 100 * effects["conversion_high"], points),
            "p_holm": effects["p_holm"], "revenue_lift": effects["revenue_lift"],
            "incremental_margin": effects["incremental_margin"], "cost": effects["cost"],
            "margin_per_cost": effects["margin_per_cost"],
        },
        index=effects.index,
    )  # fmt: skip


def outcomes(tx: ibis.Table, start: date, *, outcome_days: int, pre_days: int) -> pd.DataFrame:
    """Per customer who bought before `start`: converted (a purchase in the outcome window), revenue in it,
    and pre-period spend and purchases (the `pre_days` before the start), for CUPED and the balance check."""
    end = start + timedelta(days=outcome_days - 1)
    occasions = purchases(tx, end)
    day = occasions.purchase_date
    in_window = (day >= ibis.date(start)) & (day <= ibis.date(end))
    before = day < ibis.date(start)
    recent = before & (day >= ibis.date(start - timedelta(days=pre_days)))
    table = occasions.group_by("customer_id").aggregate(
        known=before.any(),
        window_purchases=in_window.sum(),
        revenue=money_sum(ibis.ifelse(in_window, occasions.amount, 0.0)),
        pre_spend=money_sum(ibis.ifelse(recent, occasions.amount, 0.0)),
        pre_purchases=recent.sum(),
    )
    frame = table.filter(table.known).drop("known").execute().set_index("customer_id").sort_index()
    frame["converted"] = frame.pop("window_purchases") > 0
    frame["pre_purchases"] = frame["pre_purchases"].astype(int)
    return frame


def past_windows(tx: ibis.Table, as_of: date, *, window_days: int, windows: int = 3) -> pd.DataFrame:
    """Per customer, over the last `windows` windows of `window_days` up to `as_of`: the share of windows with
    a purchase (past_conversion), the mean revenue per window and its variance (for the power analysis).

    Summed in the engine (windows with a purchase, revenue and its squares per customer), so no customers x
    windows grid is built in pandas: 36 million cells at 12 million customers."""
    occasions = purchases(tx, as_of)
    first = as_of - timedelta(days=window_days * windows - 1)
    recent = occasions.filter(occasions.purchase_date >= ibis.date(first))
    window = (days_between(recent.purchase_date, ibis.date(first)) // window_days).name("window")
    per_window = recent.group_by(["customer_id", window]).aggregate(revenue=money_sum(recent.amount))
    per_customer = per_window.group_by("customer_id").aggregate(
        bought=(per_window.revenue > 0).sum(), revenue=per_window.revenue.sum(), squares=(per_window.revenue**2).sum()
    )
    everyone = occasions.select("customer_id").distinct()
    table = everyone.left_join(per_customer, "customer_id").drop("customer_id_right")
    sums = fetch(table.fill_null({"bought": 0, "revenue": 0.0, "squares": 0.0})).set_index("customer_id")
    mean = sums["revenue"] / windows
    variance = (sums["squares"] / windows - mean**2).clip(lower=0.0)
    history = {"past_conversion": sums["bought"] / windows, "past_revenue": mean, "past_revenue_var": variance}
    return pd.DataFrame(history).sort_index()
