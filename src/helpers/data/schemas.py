"""The written schema of every artifact a stage writes: columns, types, meaning.

A table artifact is checked against its schema when a stage writes it and when a
later stage reads it (pandera for per-customer tables; the Parquet footer for the
transaction-level tables, which may hold billions of rows). The data dictionary,
`docs/data_dictionary.md`, is generated from these definitions (`workbench dictionary`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TypedDict

import pandas as pd
import pandera.pandas as pa
import pyarrow as pa_arrow
import pyarrow.parquet as pq

from helpers.core.config import CYCLE_OUTCOMES, LIFECYCLE_STAGES, RISK_TIERS, VALUE_LEVELS
from helpers.core.errors import ArtifactSchemaError

__all__ = [
    "ACTION_COLUMNS",
    "ACTION_LIST",
    "ALERTS",
    "ARTIFACTS",
    "BEHAVIOUR",
    "CAMPAIGN_CHANNEL_EFFECTS",
    "CAMPAIGN_EFFECTS",
    "CAMPAIGN_PLAN",
    "CAMPAIGN_POWER",
    "CAMPAIGN_TARGETS",
    "CARE_CALENDAR",
    "CATEGORY_PAIRS",
    "CATEGORY_TRANSITIONS",
    "CHURN",
    "CHURN_BACKTEST",
    "CHURN_CORE",
    "CHURN_FEATURES",
    "CLV",
    "CLV_BOOTSTRAP",
    "COMMENT_THEMES",
    "CONTACT_PLAN",
    "CSV_COPIES",
    "CUSTOMERS",
    "CUSTOMERS_QUARANTINE",
    "DEMAND_BACKTEST",
    "DEMAND_FORECAST",
    "DETRACTORS",
    "EFFECT_COLUMNS",
    "GROUP",
    "ID",
    "JSON_ARTIFACTS",
    "LAST_PURCHASE",
    "LIFE_STAGE_COLUMNS",
    "MEASURE_ONLY",
    "MEMBER_GROWTH",
    "NEXT_PURCHASE",
    "OFFER_COLUMNS",
    "OPTIONAL",
    "PLAN_ONLY",
    "PROBABILITY",
    "QUARANTINE",
    "RISK",
    "SCORE",
    "SEGMENTS",
    "SOURCE",
    "SUMMARY",
    "SURVEYS",
    "SURVEYS_QUARANTINE",
    "TABLES",
    "TABLE_QUARANTINE_COLUMNS",
    "TRANSACTIONS",
    "TYPES",
    "UNIT_INTERVAL",
    "Artifact",
    "Bounds",
    "Col",
    "Presence",
    "artifact",
    "data_dictionary",
]

# column type -> (pandera dtype, test on a pyarrow type, pyarrow type of a column with no value to infer it from)
TYPES = {
    "string": (pa.String, lambda t: pa_arrow.types.is_string(t) or pa_arrow.types.is_large_string(t),
               pa_arrow.string()),
    "float": (pa.Float64, pa_arrow.types.is_floating, pa_arrow.float64()),
    "int": (pa.Int64, pa_arrow.types.is_integer, pa_arrow.int64()),
    "bool": (pa.Bool, pa_arrow.types.is_boolean, pa_arrow.bool_()),
    "timestamp": (pa.DateTime, pa_arrow.types.is_timestamp, pa_arrow.timestamp("ns")),
    "date": (pa.DateTime, lambda t: pa_arrow.types.is_date(t) or pa_arrow.types.is_timestamp(t),
             pa_arrow.timestamp("ns")),
}  # fmt: skip
UNIT_INTERVAL = (pa.Check.in_range(0.0, 1.0),)


class Presence(TypedDict):
    """Whether a column must be there and may be empty: options many columns share."""

    required: bool
    nullable: bool


class Bounds(TypedDict):
    """Checks on a column's values that may be empty: options many columns share."""

    nullable: bool
    checks: tuple


OPTIONAL: Presence = {"required": False, "nullable": True}


@dataclass(frozen=True)
class Col:
    name: str
    type: str
    meaning: str
    required: bool = True
    nullable: bool = False
    checks: tuple = ()


@dataclass(frozen=True)
class Artifact:
    name: str
    stage: str
    meaning: str
    columns: tuple[Col, ...] = ()
    one_row_per_customer: bool = False
    extra_columns: str | None = None  # what further columns mean, when the table may have any (e.g. raw columns)
    large: bool = False  # transaction-level: checked from the Parquet footer, not loaded
    keys: dict[str, str] = field(default_factory=dict)  # JSON artifacts: top-level key -> meaning

    @property
    def is_table(self) -> bool:
        return bool(self.columns)

    def arrow_types(self) -> dict[str, pa_arrow.DataType]:
        """The Arrow type of each column, for a slice of the table in which a column has no value."""
        return {c.name: TYPES[c.type][2] for c in self.columns}

    def pandera_schema(self, *, coerce: bool = False) -> pa.DataFrameSchema:
        """The table's pandera schema; `coerce`: columns are converted to their types (for an empty table, whose
        columns have no values to give them a type)."""
        columns = {
            c.name: pa.Column(TYPES[c.type][0], nullable=c.nullable, required=c.required, checks=list(c.checks),
                              unique=self.one_row_per_customer and c.name == "customer_id", description=c.meaning)
            for c in self.columns
        }  # fmt: skip
        return pa.DataFrameSchema(columns, strict=self.extra_columns is None, name=self.name, coerce=coerce)

    def validate(self, frame: pd.DataFrame, only: list[str] | None = None) -> pd.DataFrame:
        """The frame, if it matches (only the `only` columns of the schema, when the frame was read with just
        those); else an error naming every column that does not. An empty table takes the schema's types: no
        alert fired, no pair of categories was bought together, and that is a valid answer."""
        schema = self.pandera_schema(coerce=frame.empty)
        if only is not None:
            schema = schema.select_columns([c for c in only if c in schema.columns])
        try:
            # checked in place on a shallow copy: pandera's own copy would double the memory of a large table
            checked = schema.validate(frame.copy(deep=False), lazy=True, inplace=True)
            return checked if frame.empty else frame
        except pa.errors.SchemaErrors as errors:
            cases = errors.failure_cases[["column", "check", "failure_case"]].drop_duplicates(["column", "check"])
            problems = "; ".join(f"{r.column}: {r.check} (e.g. {r.failure_case})" for r in cases.head(8).itertuples())
            raise ArtifactSchemaError(f"{self.name} does not match its schema: {problems}") from None

    def check_parquet(self, path: Path) -> None:
        """Column names and types from the Parquet footer, without reading the rows."""
        schema = pq.read_schema(path)
        problems = []
        for col in self.columns:
            if col.name not in schema.names:
                if col.required:
                    problems.append(f"{col.name}: missing")
            elif not TYPES[col.type][1](schema.field(col.name).type):
                problems.append(f"{col.name}: {schema.field(col.name).type}, expected {col.type}")
        known = {c.name for c in self.columns}
        if self.extra_columns is None and (extra := [n for n in schema.names if n not in known]):
            problems.append(f"unexpected columns {extra}")
        if problems:
            raise ArtifactSchemaError(f"{path} does not match the schema of {self.name}: {'; '.join(problems)}")


ID = Col("customer_id", "string", "the customer's key, as in the input (text; leading zeros kept)")
SUMMARY = (
    ID,
    Col("first_purchase", "date", "date of the first purchase"),
    Col("last_purchase", "date", "date of the latest purchase on or before the analysis date"),
    Col("tenure_days", "int", "days from the first purchase to the analysis date"),
    Col("recency_days", "int", "days from the latest purchase to the analysis date"),
    Col("purchases", "int", "purchase occasions (customer-days with positive net spend), all of them"),
    Col("total_spend", "float", "net spend over all purchases (returns netted)"),
    Col("avg_spend", "float", "total_spend / purchases"),
    Col(
        "interval_mean_days", "float", "mean days between consecutive purchases (empty for one purchase)", nullable=True
    ),
    Col("interval_median_days", "float", "median days between purchases (empty for one purchase)", nullable=True),
)
BEHAVIOUR = (
    Col("n_channels", "int", "distinct channels bought in (when the data has a channel)", required=False),
    Col("n_categories", "int", "distinct categories bought (when the data has a category)", required=False),
    Col("favourite_channel", "string", "channel with most lines (lines without one not counted); ties: first by name",
        required=False, nullable=True),
    Col("favourite_category", "string", "category with most lines (lines without one not counted); ties: first by name",
        required=False, nullable=True),
    Col("return_rate", "float", "returned money / gross money bought", required=False, checks=(pa.Check.ge(0),)),
)  # fmt: skip
SCORE = (pa.Check.isin([1, 2, 3, 4, 5]),)
LIFE_STAGE_COLUMNS = (  # with life_stage.stage_categories
    Col("life_stage", "string", "the baby's stage today: from the member table's baby_birth_date, else estimated "
        "from the stage categories the family bought (life_stage.stage_categories); empty when unknown",
        required=False, nullable=True),
    Col("life_stage_basis", "string", "where life_stage comes from: 'member table' or 'estimated from purchases'",
        required=False, nullable=True),
)  # fmt: skip
SEGMENTS = Artifact(
    "segments.parquet",
    "02_segment",
    "one row per customer: RFM summary, scores, segment, value tier, spend level, lifecycle stage, cluster",
    (
        *SUMMARY,
        Col("r_score", "int", "recency score 1-5 (5 = bought most recently)", checks=SCORE),
        Col("f_score", "int", "frequency score 1-5 (5 = most purchases)", checks=SCORE),
        Col("m_score", "int", "monetary score 1-5 (5 = highest spend)", checks=SCORE),
        Col("rfm_cell", "string", "the three scores as text, e.g. '545'"),
        Col("segment", "string", "named RFM segment (first matching rule of segment.rules)"),
        Col("value_tier", "string", "VIP / high potential / regular", checks=(pa.Check.isin(
            ["VIP", "high potential", "regular"]),)),
        Col("spend_level", "string", "by cumulative spend (segment.spend_levels; not the store's card level)"),
        Col("lifecycle", "string", "new / active / at risk / lapsed, against the customer's own rhythm",
            checks=(pa.Check.isin(list(LIFECYCLE_STAGES)),)),
        Col("typical_gap_days", "float", "the gap lifecycle is judged against: own median gap, else the population's"),
        Col("rhythm", "string", "'own' (3+ purchases: their own median gap) or 'population' (repeat buyers' median)",
            checks=(pa.Check.isin(["own", "population"]),)),
        Col("cluster", "int", "behavioural cluster number (0 = highest mean spend)", checks=(pa.Check.ge(0),)),
        Col("cluster_name", "string", "the cluster described in plain words"),
        *BEHAVIOUR,
        *LIFE_STAGE_COLUMNS,
    ),
    one_row_per_customer=True,
)  # fmt: skip
CLV = Artifact(
    "clv.parquet",
    "03_clv",
    "one row per customer: the chosen purchase model's and Gamma-Gamma's forecasts over clv.horizon_months",
    (
        ID,
        Col("repeat_purchases", "float", "purchases after the first (the BTYD 'frequency')", checks=(pa.Check.ge(0),)),
        Col("recency_periods", "float", "first to last purchase, in clv.time_unit (the BTYD 'recency')"),
        Col("age_periods", "float", "first purchase to the analysis date, in clv.time_unit (the BTYD 'T')"),
        Col("mean_repeat_order_value", "float", "mean spend of the repeat purchases (0 without one)"),
        Col("p_alive", "float", "probability that the customer still buys from us", checks=UNIT_INTERVAL),
        Col("expected_purchases", "float", "expected purchases over the horizon", checks=(pa.Check.ge(0),)),
        Col("expected_order_value", "float", "Gamma-Gamma expected spend per purchase"),
        Col("clv", "float", "discounted expected margin over the horizon (clv.profit_margin, monthly_discount_rate)"),
        Col("clv_decile", "int", "1 = the 10% most valuable customers", checks=(pa.Check.in_range(1, 10),)),
    ),
    one_row_per_customer=True,
)  # fmt: skip
CLV_BOOTSTRAP = Artifact(
    "clv_bootstrap.parquet",
    "03_clv",
    "90% bootstrap intervals (customers resampled) of the model parameters and the horizon's totals",
    (
        Col("quantity", "string", "a parameter (r, alpha, ..., gg_p, gg_q, gg_v) or total_purchases / total_revenue"),
        Col("estimate", "float", "the fit on all customers, which CLV uses and the interval belongs to"),
        Col("p05", "float", "5th percentile over the bootstrap fits"),
        Col("median", "float", "median over the bootstrap fits"),
        Col("p95", "float", "95th percentile over the bootstrap fits"),
        Col("successful_fits", "int", "bootstrap samples whose fits converged"),
        Col("customers_per_fit", "int", "customers in each resample: all of them, or clv.bootstrap_max_customers"),
    ),
)
RISK = (pa.Check.isin(list(RISK_TIERS)),)
OFFER_COLUMNS = (  # 05_next_purchase: what to offer, and when
    Col("next_best_offer", "string", "the category to offer next (05_next_purchase's best method; empty when the "
        "data has no category)", nullable=True),
    Col("offer_reason", "string", "why this offer, in one line", nullable=True),
    Col("offer_send_on", "date", "when to send it: next_purchase.send_lead_days before the expected purchase, not "
        "before the day after the analysis date; empty when that is more than next_purchase.send_horizon_days "
        "away (a retention case, not a dated offer)", nullable=True),
    Col("expected_next_purchase", "date", "the predicted date of the next purchase (the time split's best "
        "predictor; empty when a next purchase is not expected)", nullable=True),
    Col("p_purchase_30d", "float", "probability of a purchase in the next 30 days (the purchase model of 03)",
        nullable=True, checks=UNIT_INTERVAL),
    *LIFE_STAGE_COLUMNS,
)  # fmt: skip
LAST_PURCHASE = (
    Col("last_purchase_date", "date", "the customer's latest purchase"),
    Col("days_since_last_purchase", "int", "days from the latest purchase to the analysis date",
        checks=(pa.Check.ge(0),)),
)  # fmt: skip
_MOMENT = (  # 04_churn: the customer's best moment this cycle (care calendar, member growth)
    Col("moment", "string", "the action of the customer's best moment within care.window_days: a key date, a "
        "festival they buy for, or a member nudge (empty: none); when worth more than the retention action it is "
        "the action", required=False, nullable=True),
    Col("moment_date", "date", "the moment's date", required=False, nullable=True),
    Col("moment_send_on", "date", "when to send its message: care.send_lead_days before it, from tomorrow",
        required=False, nullable=True),
    Col("moment_offer", "string", "the moment's message or offer, in the report language", required=False,
        nullable=True),
    Col("moment_value", "float", "expected incremental margin of a contact for the moment: its response rate "
        "(care.response_rates, or a measured campaign's conversion lift) x net spend per purchase x "
        "clv.profit_margin - the contact's cost", required=False, nullable=True),
)  # fmt: skip
ACTION_COLUMNS = (
    Col(
        "priority",
        "int",
        "1 = contact first: rank by expected_value, the incremental margin a contact is expected to bring",
        checks=(pa.Check.ge(1),),
    ),
    ID,
    Col("segment", "string", "RFM segment from 02_segment ('(02_segment not run)' otherwise)"),
    Col("spend_level", "string", "spend level from 02_segment", nullable=True),
    Col("value_tier", "string", "VIP / high potential / regular from 02_segment", nullable=True),
    Col("lifecycle", "string", "new / active / at risk / lapsed from 02_segment", nullable=True),
    *LAST_PURCHASE,
    Col("typical_gap_days", "float", "the customer's usual days between purchases (02_segment)", nullable=True),
    Col("favourite_channel", "string", "channel with most lines", required=False, nullable=True),
    Col("favourite_category", "string", "category with most lines", required=False, nullable=True),
    Col(
        "p_alive",
        "float",
        "probability that the customer still buys from us (03_clv, else BG/NBD)",
        checks=UNIT_INTERVAL,
    ),
    Col(
        "churn_probability",
        "float",
        "probability of no purchase in the next churn.horizon_days, calibrated on the backtest's held-out folds",
        checks=UNIT_INTERVAL,
    ),
    Col(
        "risk_tier",
        "string",
        "high: churn_probability of at least churn.high_risk_probability (0.7), medium: at least "
        "churn.medium_risk_probability (0.4), low: below",
        checks=RISK,
    ),
    Col(
        "clv",
        "float",
        "customer lifetime value: expected discounted margin over clv.horizon_months, already "
        "weighted by P(alive) (03_clv; empty when it did not run)",
        nullable=True,
    ),
    Col(
        "value_if_retained",
        "float",
        "what the customer brings if they stay: CLV / P(alive) (without 03_clv: total past spend)",
        checks=(pa.Check.ge(0),),
    ),
    Col(
        "value_at_risk",
        "float",
        "the margin of a customer still active who is expected to lapse: value_if_retained x (churn_probability - "
        "(1 - p_alive)), at least 0; never above clv, so the total is part of the total CLV",
        checks=(pa.Check.ge(0),),
    ),
    Col(
        "expected_value",
        "float",
        "expected incremental margin of contacting: the save rate of the action x value_at_risk (an alert "
        "customer's at most churn.alert_value_quantile of the others') - the contact's cost; the save rate is "
        "measured (campaign.measured_effects) or assumed (campaign.save_rates, campaign.assumed_save_rate)",
        required=False,
    ),
    Col(
        "expected_value_low",
        "float",
        "its 95% interval, low end (the same as expected_value when assumed)",
        required=False,
    ),
    Col("expected_value_high", "float", "its 95% interval, high end", required=False),
    Col(
        "value_basis",
        "string",
        "measured: the save rate is a measured campaign's; assumed: the config's",
        required=False,
        checks=(pa.Check.isin(["measured", "assumed"]),),
    ),
    Col(
        "action",
        "string",
        "the one action for this customer: the first of churn.action_rules matching their "
        "risk tier, value level and segment; or their moment's, when that is worth more (moment_value)",
    ),
    Col(
        "reason",
        "string",
        "why, in one line: silence against their usual gap, churn risk, value if kept; or the "
        "moment the contact is for",
    ),
    *(replace(c, required=False) for c in OFFER_COLUMNS),
    *_MOMENT,
    Col(
        "channel",
        "string",
        "how to reach the customer: of the channels they opted in to, the one a measured campaign found earning "
        "most net of campaign.channel_costs, else the cheapest, else the first of churn.channels; 'in store only' "
        "without consent, 'any' without a member table, 'do not contact' on churn.do_not_contact",
        required=False,
    ),
    Col(
        "held_for_review",
        "bool",
        "an alert of a churn.hold_alert_severities severity (02_segment): checked by a "
        "person before any contact, never in the budget",
        required=False,
    ),
    Col(
        "contacted_recently",
        "bool",
        "contacted churn.contact_cap times within churn.contact_cap_days (churn.contact_history): not in the budget",
        required=False,
    ),
    Col(
        "global_holdout",
        "bool",
        "in the long-run holdout (churn.global_holdout_share, the same customers every run): never contacted",
        required=False,
    ),
    Col(
        "this_cycle",
        "string",
        "'contact' (in the budget) or why not this cycle: held for review, do not contact, in store only, contacted "
        "recently, global holdout, below the budget",
        required=False,
        checks=(pa.Check.isin(list(CYCLE_OUTCOMES)),),
    ),
    Col(
        "in_budget",
        "bool",
        "contacted this cycle: among the churn.contact_budget highest priorities of the "
        "customers a channel reaches and no alert holds",
    ),
)
CHURN_CORE = (
    *ACTION_COLUMNS,
    Col("scored_by", "string", "the scorer the probability comes from: the backtest's best, model or baseline"),
    Col("value_source", "string", "'CLV' or 'total spend'", checks=(pa.Check.isin(["CLV", "total spend"]),)),
    Col("value_level", "string", "high value (top churn.high_value_share by value_if_retained) or low value",
        checks=(pa.Check.isin(list(VALUE_LEVELS)),)),
)  # fmt: skip
CHURN_FEATURES = (
    Col("purchases", "int", "purchase occasions up to the analysis date"),
    Col("recency_days", "int", "days since the latest purchase"),
    Col("tenure_days", "int", "days since the first purchase"),
    Col("total_spend", "float", "net spend"),
    Col("avg_spend", "float", "net spend per purchase"),
    Col("interval_mean_days", "float", "mean days between purchases", nullable=True),
    Col("interval_std_days", "float", "standard deviation of the days between purchases", nullable=True),
    Col("recency_ratio", "float", "days since the last purchase relative to the mean gap", nullable=True),
    *(Col(f"purchases_{d}d", "int", f"purchases in the last {d} days") for d in (30, 90, 180)),
    *(Col(f"spend_{d}d", "float", f"spend in the last {d} days") for d in (30, 90, 180)),
    Col("purchases_prev_90d", "int", "purchases 90-180 days ago"),
    Col("spend_prev_90d", "float", "spend 90-180 days ago"),
    Col("purchase_trend_90d", "int", "change in purchases: the last 90 days minus the 90 days before"),
    Col("spend_trend_90d", "float", "change in spend: the last 90 days minus the 90 days before"),
    Col("bgnbd_p_alive", "float", "BG/NBD P(alive) fitted on all history", checks=UNIT_INTERVAL),
    Col("bgnbd_expected_purchases", "float", "BG/NBD expected purchases over the churn horizon"),
    *(c for c in BEHAVIOUR if not c.name.startswith("favourite_")),
    *(Col(name, "float", meaning, **OPTIONAL) for name, meaning in (
        ("latest_nps", "latest NPS answer (given by the cutoff; surveys)"),
        ("detractor", "detractor: latest NPS 0-6 (1 or 0; surveys)"),
        ("promoter", "promoter: latest NPS 9-10 (1 or 0; surveys)"),
        ("latest_satisfaction", "latest satisfaction answer, 1-5 (surveys)"),
        ("days_since_survey", "days since the latest survey answer (surveys)"),
        ("surveys_answered", "survey answers given (by the cutoff; surveys)"),
    )),
)  # fmt: skip
CHURN = Artifact(
    "churn.parquet",
    "04_churn",
    "one row per customer: the features at the analysis date, churn probability, value and action",
    (*CHURN_CORE, *CHURN_FEATURES),
    one_row_per_customer=True,
)
ACTION_LIST = Artifact(
    "action_list.parquet",
    "05_next_purchase",
    "the action list, one row per customer, highest priority first: the churn action of 04 with the next best "
    "offer and its timing of 05; also written as action_list.csv (UTF-8 with BOM) and action_list.xlsx for "
    "people and CRM imports",
    ACTION_COLUMNS,
    one_row_per_customer=True,
)
CHURN_BACKTEST = Artifact(
    "churn_backtest.parquet",
    "04_churn",
    "one row per fold and scorer: the rolling-origin backtest",
    (
        Col("fold", "int", "fold number, oldest first"),
        Col("test_cutoff", "date", "the fold's test cutoff: features up to it, labels in the horizon after it"),
        Col("scorer", "string", "a model (logistic regression, gradient boosting) or a baseline score"),
        Col("kind", "string", "'model' or 'baseline'", checks=(pa.Check.isin(["model", "baseline"]),)),
        Col("customers", "int", "customers scored at the test cutoff"),
        Col("churn_rate", "float", "share of them who churned", checks=UNIT_INTERVAL),
        Col("roc_auc", "float", "chance that a churner is ranked above a non-churner (0.5 = coin toss)"),
        Col("pr_auc", "float", "average precision: how pure the top of the ranking is in churners"),
        Col("brier", "float", "mean squared error of the probability (probabilistic scorers only)", nullable=True),
        Col("top_decile_lift", "float", "churn rate of the top 10% by score / overall churn rate"),
        Col("top_decile_capture", "float", "share of all churners found in the top 10%", checks=UNIT_INTERVAL),
    ),
)  # fmt: skip
PROBABILITY: Bounds = {"nullable": True, "checks": UNIT_INTERVAL}
NEXT_PURCHASE = Artifact(
    "next_purchase.parquet",
    "05_next_purchase",
    "one row per customer: when they are likely to buy next, whether they are due soon, and what to offer",
    (
        ID,
        *LAST_PURCHASE,
        Col("purchases", "int", "purchase occasions up to the analysis date"),
        Col(
            "typical_gap_days",
            "float",
            "median days between the customer's purchases (empty with one purchase)",
            nullable=True,
        ),
        Col("p_alive", "float", "probability that the customer still buys from us (the purchase model)", **PROBABILITY),
        *(
            Col(f"p_purchase_{d}d", "float", f"probability of a purchase in the next {d} days", **PROBABILITY)
            for d in (7, 30, 90)
        ),
        Col("p_purchase_due_window", "float", "probability of a purchase within next_purchase.due_days", **PROBABILITY),
        Col("wait_low_days", "float", "if they buy again: 25% chance it is within this many days", nullable=True),
        Col("wait_median_days", "float", "if they buy again: even odds it is within this many days", nullable=True),
        Col("wait_high_days", "float", "if they buy again: 75% chance it is within this many days", nullable=True),
        Col(
            "expected_next_purchase",
            "date",
            "predicted date of the next purchase, by the time split's best predictor (empty when it predicts none)",
            nullable=True,
        ),
        Col("predicted_by", "string", "the predictor behind expected_next_purchase"),
        Col("due_soon", "bool", "likely to buy within next_purchase.due_days, or their usual gap has just passed"),
        Col("due_reason", "string", "why the customer is due soon (empty otherwise)", nullable=True),
        *(
            replace(c, required=False)
            for c in OFFER_COLUMNS
            if c.name not in ("expected_next_purchase", "p_purchase_30d")
        ),
        Col(
            "other_offers", "string", "the next best offers after the first, best first", required=False, nullable=True
        ),
        Col(
            "offer_method",
            "string",
            "the method the offers come from (the time split's best)",
            required=False,
            nullable=True,
        ),
        Col(
            "offer_product",
            "string",
            "the offered category's best-selling product lately (with a product_id)",
            required=False,
            nullable=True,
        ),
    ),
    one_row_per_customer=True,
)
CATEGORY_PAIRS = Artifact(
    "category_pairs.parquet",
    "05_next_purchase",
    "category pairs bought in one basket (a customer's purchase day): co-purchase affinity, for bundles",
    (
        Col("antecedent", "string", "a category in the basket"),
        Col("consequent", "string", "another category in the same basket"),
        Col("baskets", "int", "baskets holding both"),
        Col("support", "float", "baskets holding both / all baskets", checks=UNIT_INTERVAL),
        Col("confidence", "float", "baskets holding both / baskets holding the antecedent", checks=UNIT_INTERVAL),
        Col(
            "lift",
            "float",
            "confidence / share of baskets holding the consequent (above 1: bought together more than by chance)",
        ),
    ),
)
CARE_CALENDAR = Artifact(
    "care_calendar.parquet",
    "04_churn",
    "whom to greet in the coming days, and for what: birthdays, the baby's milestones and membership "
    "anniversaries in the next care.window_days (with a member table), and the festivals of the next "
    "care.festival_horizon_days for the customers who buy before them year after year; 04 lets each customer's "
    "best moment of the window compete for the contact budget (05 writes the table when 04 did not run)",
    (
        ID,
        Col("occasion", "string", "birthday, baby's full month, baby's 100 days, baby's birthday, membership "
            "anniversary, or a festival's name"),
        Col("date", "date", "the day of the occasion"),
        Col("years", "int", "for an anniversary or birthday: how many years (0 otherwise)"),
        Col("offer", "string", "the suggested message or offer"),
        Col("channel", "string", "how to reach the customer: 04's consent-aware channel ('any' without 04_churn; "
            "'do not contact' for customers on churn.do_not_contact: never greet them)"),
        Col("festival_share", "float", "for a festival: the share of the years they were customers in which they "
            "bought in the care.festival_lead_days before it", nullable=True, checks=UNIT_INTERVAL),
        Col("in_this_cycle", "bool", "the customer is in this cycle's contact budget (04): one message can carry "
            "both"),
        Col("planned", "bool", "this cycle's contact of the customer is for this entry (it won the budget: "
            "moment_value of the action list)"),
        Col("contacted_recently", "bool", "contacted within churn.contact_cap_days by an earlier plan (04): mind "
            "the cap"),
    ),
)  # fmt: skip
MEMBER_GROWTH = Artifact(
    "member_growth.parquet",
    "04_churn",
    "one row per member with a card level or points: the spend to the next level (customers.card_rules over "
    "customers.card_period_days), the spend that keeps theirs, lapsing points and one nudge",
    (
        ID,
        Col("card_level", "string", "the member card level the member table gives", nullable=True),
        Col("points", "float", "points balance", checks=(pa.Check.ge(0),)),
        Col("period_spend", "float", "spend net of returns over customers.card_period_days up to the analysis date"),
        Col("qualified_level", "string", "the highest level that spend qualifies for", nullable=True),
        Col("next_level", "string", "the level above the member's card", nullable=True),
        Col("gap", "float", "spend still missing for next_level", nullable=True),
        Col("keep_gap", "float", "spend still missing to keep the member's level at renewal", nullable=True),
        Col("points_expiring", "float", "points lapsing on points_expiry_date (customers.points_expiry)"),
        Col("points_expiry_date", "date", "when they lapse, when within customers.points_expiry_notice_days",
            nullable=True),
        Col("nudge", "string", "'level up', 'keep level', 'redeem points' or 'none'",
            checks=(pa.Check.isin(["level up", "keep level", "redeem points", "none"]),)),
        Col("message", "string", "the nudge in words, in the report language"),
        Col("planned", "bool", "this cycle's contact of the member is for the nudge (it won the contact budget)"),
    ),
    one_row_per_customer=True,
)  # fmt: skip
CATEGORY_TRANSITIONS = Artifact(
    "category_transitions.parquet",
    "05_next_purchase",
    "what customers buy in their next basket after a basket holding a category, by how long they had bought it",
    (
        Col("item", "string", "a category in a basket"),
        Col(
            "bucket",
            "int",
            "how long the customer had bought it when the next basket came, in buckets of "
            "next_purchase.tenure_bucket_days (0 = first bucket; the last is open-ended)",
        ),
        Col("next_item", "string", "a category in the next basket"),
        Col("followed", "int", "baskets with the item in the bucket whose next basket held next_item"),
        Col("median_gap_days", "float", "median days to that next basket", nullable=True),
        Col("baskets", "int", "baskets with the item in the bucket that have a next basket"),
        Col(
            "share",
            "float",
            "followed / baskets, pulled towards the item's share over all buckets (next_purchase.shrinkage)",
            checks=UNIT_INTERVAL,
        ),
    ),
)
GROUP = (pa.Check.isin(["treatment", "control"]),)
CAMPAIGN_PLAN = Artifact(
    "campaign_plan.parquet",
    "06_campaign",
    "the campaign plan: the customers in this cycle's contact budget (the action list's in_budget) with their "
    "random group; control customers are not contacted, so that the campaign's effect can be measured",
    (
        Col("priority", "int", "the action list's priority"),
        ID,
        Col("action", "string", "the action cell (the action list's action)"),
        Col("group", "string", "treatment (contact) or control (hold out, do not contact)", checks=GROUP),
        Col("contact", "string", "what the CRM team does: 'contact' or 'do not contact (control)'"),
        Col("channel", "string", "the contact channel (04)", required=False),
        Col("cost", "float", "contact cost of the customer (0 for the control)", checks=(pa.Check.ge(0),)),
        Col("value_if_retained", "float", "what the customer brings if they stay (04)"),
        Col("value_at_risk", "float", "what a contact can still save (04)", required=False),
        Col("expected_value", "float", "expected incremental margin of contacting (04's action list)", required=False),
        Col("next_best_offer", "string", "the offer to make (05)", required=False, nullable=True),
        Col("offer_send_on", "date", "when to send it (05)", required=False, nullable=True),
        *(_MOMENT[i] for i in (0, 2, 3)),  # moment, moment_send_on, moment_offer (04)
        Col("campaign_start", "date", "the campaign's first day: the day after the analysis date"),
        Col("outcome_days", "int", "the outcome window: a purchase within it counts as conversion"),
        Col("control_share", "float", "the planned share of each cell held out", checks=UNIT_INTERVAL),
    ),
    one_row_per_customer=True,
)
CONTACT_PLAN = Artifact(
    "contact_plan.parquet",
    "06_campaign",
    "the Monday file: one row per customer selected this cycle (the campaign plan's treatment and control), with "
    "the channel and the day to send; also written as contact_plan.csv and contact_plan.xlsx",
    (
        ID,
        Col("group", "string", "treatment (contact) or control (hold out, do not contact)", checks=GROUP),
        Col(
            "channel",
            "string",
            "how to reach the customer: 04's channel, one they opted in to ('any' without a member table)",
        ),
        Col(
            "send_date",
            "date",
            "the day to send: the offer's date (05) when it falls within "
            "next_purchase.send_horizon_days, else the campaign's first day; for a moment's contact, the moment's "
            "moment_send_on; empty for the control",
            nullable=True,
        ),
        Col("action", "string", "what to do (the action list's action)"),
        Col(
            "offer", "string", "the category to offer (05), when the data has categories; for a moment's contact, "
            "the moment's message", required=False, nullable=True
        ),
        Col("reason", "string", "why this customer, in words (the action list's reason)", required=False,
            nullable=True),
        Col("value_at_risk", "float", "what the contact can still save (04)", required=False, nullable=True),
        Col("cost", "float", "contact cost (0 for the control)", checks=(pa.Check.ge(0),)),
        Col("expected_value", "float", "expected incremental margin of the contact (04's expected_value: a save "
            "rate, measured or assumed, x value at risk - cost); empty for the control", required=False,
            nullable=True),
    ),
    one_row_per_customer=True,
)  # fmt: skip
CAMPAIGN_POWER = Artifact(
    "campaign_power.parquet",
    "06_campaign",
    "per action cell and overall: group sizes, past baselines and the smallest lifts the plan can detect",
    (
        Col("action", "string", "the action cell, or 'all cells'"),
        Col("customers", "int", "customers in the cell"),
        Col("treatment", "int", "customers to contact"),
        Col("control", "int", "customers held out"),
        Col(
            "baseline_conversion",
            "float",
            "share of the cell's customers buying in an outcome-length window, over the last three such windows",
            checks=UNIT_INTERVAL,
        ),
        Col(
            "mde_conversion",
            "float",
            "the smallest conversion lift (absolute) a two-sided test at campaign.alpha detects with campaign.power",
            nullable=True,
        ),
        Col("baseline_revenue", "float", "revenue per customer in such a window"),
        Col("mde_revenue", "float", "the smallest revenue lift per customer detectable", nullable=True),
        Col("customers_needed", "int", "customers the cell needs to detect campaign.plausible_lift"),
        Col("too_small", "bool", "the cell cannot detect campaign.plausible_lift"),
    ),
)
EFFECT_COLUMNS = (
    Col("treatment", "int", "contacted customers measured"),
    Col("control", "int", "control customers measured"),
    *(
        Col(
        f"conversion_{g}", "float", f"share of the {g} group buying in the outcome window", checks=UNIT_INTERVAL
        )
        for g in ("treatment", "control")
    ),
    Col("conversion_lift", "float", "difference in conversion (treatment - control)"),
    Col("conversion_low", "float", "its 95% interval, low end (Newcombe)"),
    Col("conversion_high", "float", "its 95% interval, high end"),
    Col("relative_lift", "float", "conversion lift / control conversion", nullable=True),
    Col("p_value", "float", "two-proportion score test"),
    Col("p_holm", "float", "p-value adjusted for the number of cells (Holm)"),
    Col("significant", "bool", "p_holm below 0.05"),
    *(Col(f"revenue_{g}", "float", f"revenue per customer of the {g} group") for g in ("treatment", "control")),
    Col("revenue_lift_plain", "float", "difference in revenue per customer"),
    Col("revenue_low_plain", "float", "its 95% bootstrap interval, low end"),
    Col("revenue_high_plain", "float", "its 95% bootstrap interval, high end"),
    Col("revenue_lift", "float", "the same with CUPED (pre-period spend removes variance the past explains)"),
    Col("revenue_low", "float", "its 95% bootstrap interval, low end"),
    Col("revenue_high", "float", "its 95% bootstrap interval, high end"),
    Col("incremental_customers", "float", "conversion lift x contacted customers"),
    Col("incremental_revenue", "float", "CUPED revenue lift x contacted customers"),
    Col("incremental_margin", "float", "incremental revenue x clv.profit_margin"),
    Col("cost", "float", "contact cost of the treatment group"),
    Col("margin_per_cost", "float", "incremental margin per unit of cost (above 1: it paid)", nullable=True),
    Col("margin_per_cost_low", "float", "its 95% interval, low end", nullable=True),
    Col("margin_per_cost_high", "float", "its 95% interval, high end", nullable=True),
    Col(
        "cost_per_incremental_customer",
        "float",
        "cost / incremental customers (empty without a lift)",
        nullable=True,
    ),
    Col("paid_off", "bool", "margin_per_cost above 1"),
    Col("value_at_risk", "float", "the contacted customers' mean value at risk when planned (the workbench's plan)",
        required=False, nullable=True),
    Col("save_rate", "float", "measured share of the value at risk a contact saved: incremental margin per contact / "
        "value_at_risk (a lower bound: the outcome window is shorter than the CLV horizon); campaign.measured_effects "
        "gives it to the next plan", required=False, nullable=True),
    Col("save_rate_low", "float", "its 95% interval, low end", required=False, nullable=True),
    Col("save_rate_high", "float", "its 95% interval, high end", required=False, nullable=True),
)  # fmt: skip
CAMPAIGN_EFFECTS = Artifact(
    "campaign_effects.parquet",
    "06_campaign",
    "measure mode: per action cell and overall, what the campaign changed and what it earned",
    (Col("action", "string", "the action cell, or 'all cells'"), *EFFECT_COLUMNS),
)
CAMPAIGN_CHANNEL_EFFECTS = Artifact(
    "campaign_channel_effects.parquet",
    "06_campaign",
    "measure mode, when the plan used more than one channel: the same per channel, so the next plan can prefer the "
    "channel that moved customers (campaign.measured_effects)",
    (Col("channel", "string", "the contact channel, or 'all cells'"), *EFFECT_COLUMNS),
)
CAMPAIGN_TARGETS = Artifact(
    "campaign_targets.parquet",
    "06_campaign",
    "measure mode: every measured customer with their predicted response, for the next campaign; also written "
    "as campaign_targets.csv and .xlsx, best targets first",
    (
        Col("rank", "int", "1 = target first: predicted uplift x value if retained, highest first"),
        ID,
        Col("action", "string", "the action cell of this campaign"),
        Col("group", "string", "the group in this campaign", checks=GROUP),
        Col("converted", "bool", "bought in the outcome window"),
        Col("revenue", "float", "revenue in the outcome window"),
        Col("p_treated", "float", "predicted chance of buying if contacted (T-learner)", checks=UNIT_INTERVAL),
        Col("p_control", "float", "predicted chance of buying if not contacted", checks=UNIT_INTERVAL),
        Col("uplift", "float", "p_treated - p_control: what contact adds"),
        Col(
            "target_group",
            "string",
            "persuadable, sure thing (buys anyway), do not disturb (contact hurts) or lost cause",
        ),
        Col(
            "value_if_retained", "float", "what the customer brings if they stay (from the plan; else pre-period spend)"
        ),
    ),
    one_row_per_customer=True,
)
SOURCE = (
    Col("source_file", "string", "the input file's name"),
    Col("source_row", "int", "the row's number in that file (1 = first data row)"),
)
TRANSACTIONS = Artifact(
    "transactions.parquet",
    "01_ingest",
    "the clean transaction lines in the canonical schema, sorted by customer and date",
    (
        ID,
        Col("order_id", "string", "order key: the input's order id, or customer + date when there is none"),
        Col("order_date", "timestamp", "when the line was bought"),
        Col("amount", "float", "net money of the line (negative for a netted return)"),
        Col("quantity", "float", "units (when mapped)", required=False, nullable=True),
        *(Col(c, "string", f"{c} as given (when mapped)", required=False, nullable=True)
          for c in ("channel", "category", "store", "product_id", "product_name", "region")),
        Col("is_return", "bool", "a return line, netted into the order it returns"),
        Col("purchase_date", "date", "date of the order's first line (a netted return keeps its order's date)"),
        Col("is_extreme", "bool", "amount above the cleaning.extreme_quantile of kept lines (kept, for review)"),
        *SOURCE,
    ),
    large=True,
)  # fmt: skip
QUARANTINE = Artifact(
    "quarantine.parquet",
    "01_ingest",
    "every rejected input row exactly as given, with the rule it broke",
    (
        Col("rule", "string", "the first cleaning rule the row broke (see quality.json rules)"),
        *SOURCE,
        Col(
            "raw_line",
            "string",
            "the whole line, for a line that could not be split into the header's fields",
            required=False,
            nullable=True,
        ),
    ),
    extra_columns="the input's own columns, as text, unchanged",
    large=True,
)
CUSTOMERS = Artifact(
    "customers.parquet",
    "01_ingest",
    "the member table (customers:), cleaned: one row per customer, the columns the config maps",
    (
        ID,
        Col("birth_date", "timestamp", "date of birth", **OPTIONAL),
        Col("age", "float", "age in years at the analysis date (from birth_date, else as given)", **OPTIONAL),
        Col("gender", "string", "female or male (customers.gender_codes)", **OPTIONAL,
            checks=(pa.Check.isin(["female", "male"]),)),
        Col("region", "string", "province or region, as given", **OPTIONAL),
        Col("city", "string", "city, as given", **OPTIONAL),
        Col("join_date", "timestamp", "when the customer became a member", **OPTIONAL),
        Col("card_level", "string", "member card level, as given", **OPTIONAL),
        Col("points", "float", "points balance", **OPTIONAL, checks=(pa.Check.ge(0),)),
        *(Col(f"opt_in_{c}", "bool", f"agreed to be contacted by {label}", required=False)
          for c, label in (("sms", "SMS"), ("wechat", "WeChat"), ("email", "e-mail"))),
        Col("baby_birth_date", "timestamp", "the baby's (expected) birth date", **OPTIONAL),
        Col("source_row", "int", "the row's number in the member file (1 = first data row)"),
    ),
    one_row_per_customer=True,
)  # fmt: skip
SURVEYS = Artifact(
    "surveys.parquet",
    "01_ingest",
    "survey responses (surveys:), cleaned: one row per answer",
    (
        ID,
        Col("survey_date", "timestamp", "when the customer answered"),
        Col("nps", "float", "likelihood to recommend, 0-10 (9-10 promoter, 0-6 detractor)", **OPTIONAL,
            checks=(pa.Check.in_range(0, 10),)),
        Col("satisfaction", "float", "satisfaction, 1-5", **OPTIONAL, checks=(pa.Check.in_range(1, 5),)),
        Col("comment", "string", "free text, as given", **OPTIONAL),
        Col("source_row", "int", "the row's number in the survey file (1 = first data row)"),
    ),
)  # fmt: skip
DEMAND_FORECAST = Artifact(
    "demand_forecast.parquet",
    "05_next_purchase",
    "monthly demand for the next demand.horizon_months, per region (or store, or channel: `by`) and in total: each "
    "series forecast by exponential smoothing (statsmodels ETS, damped trend), the total the sum of the series "
    "(helpers.models.demand)",
    (
        Col("measure", "string", "revenue (net of returns) or units", checks=(pa.Check.isin(["revenue", "units"]),)),
        Col("by", "string", "what a series is: region, store, channel (or total only)"),
        Col("region", "string", "the series: a region (store, channel), 'other' beyond demand.max_series, "
            "'unknown' without one, or 'total'"),
        Col("month", "timestamp", "the month's first day"),
        Col("forecast", "float", "the expected demand of the month"),
        Col("low", "float", "the interval's low end (demand.interval of simulated futures)"),
        Col("high", "float", "the interval's high end"),
        Col("model", "string", "the series' ETS model (error, trend, season), or 'sum of the series'"),
        Col("festivals", "string", "the festivals of the month (care.festivals)", nullable=True),
    ),
)  # fmt: skip
DEMAND_BACKTEST = Artifact(
    "demand_backtest.parquet",
    "05_next_purchase",
    "the demand forecast checked on a time split: fitted without the last demand.backtest_months, compared with "
    "seasonal-naive (the same month a year earlier) on them",
    (
        Col("measure", "string", "revenue or units", checks=(pa.Check.isin(["revenue", "units"]),)),
        Col("series", "string", "a region (store, channel), or 'total' (the sum of the series' forecasts)"),
        Col("months_trained", "int", "complete months the model saw"),
        Col("months_tested", "int", "months held out"),
        Col("model", "string", "the ETS model fitted on them"),
        Col("mae", "float", "the forecast's mean absolute error on the held-out months"),
        Col("mae_seasonal_naive", "float", "seasonal-naive's mean absolute error on the same months"),
        Col("mase", "float", "mae / mae_seasonal_naive: below 1, the forecast beats seasonal-naive", nullable=True),
        Col("beats_seasonal_naive", "bool", "mase < 1"),
    ),
)  # fmt: skip
TABLE_QUARANTINE_COLUMNS = (
    Col("rule", "string", "the first rule the row broke (see quality.json tables)"),
    Col("source_file", "string", "the file's name"),
    Col("source_row", "int", "the row's number in that file (1 = first data row)"),
)
CUSTOMERS_QUARANTINE = Artifact(
    "customers_quarantine.parquet", "01_ingest", "every rejected member-table row exactly as given, with its rule",
    TABLE_QUARANTINE_COLUMNS, extra_columns="the member file's own columns, as text")  # fmt: skip
SURVEYS_QUARANTINE = Artifact(
    "surveys_quarantine.parquet", "01_ingest", "every rejected survey row exactly as given, with the rule it broke",
    TABLE_QUARANTINE_COLUMNS, extra_columns="the survey file's own columns, as text")  # fmt: skip
COMMENT_THEMES = Artifact(
    "comment_themes.parquet",
    "02_segment",
    "what the survey comments say: the themes that set detractors' (NPS 0-6) comments apart from promoters' (9-10), "
    "strongest first; terms of Chinese (jieba) and English comments, weighted by the log-odds ratio with an "
    "informative Dirichlet prior (helpers.models.voice)",
    (
        Col("theme", "string", "its first three terms"),
        Col("side", "string", "detractor or promoter: whose comments it marks",
            checks=(pa.Check.isin(["detractor", "promoter"]),)),
        Col("language", "string", "zh or en: the language of its lead term", checks=(pa.Check.isin(["zh", "en"]),)),
        Col("terms", "string", "every term of the theme: the lead term and those written with it in half its "
            "comments or more"),
        Col("detractor_comments", "int", "detractor comments holding the lead term"),
        Col("promoter_comments", "int", "promoter comments holding the lead term"),
        Col("log_odds", "float", "log-odds ratio of the lead term, detractor over promoter comments"),
        Col("z", "float", "its z-score (|z| >= 1.96 makes a theme)"),
        Col("examples", "string", "up to three of its comments, shortest first, ' | '-separated"),
    ),
)  # fmt: skip
DETRACTORS = Artifact(
    "detractors.parquet",
    "04_churn",
    "the detractor follow-up list: customers whose latest survey answer is a detractor's (NPS 0-6) within "
    "voice.follow_up_days and who were not contacted since (churn.contact_history), highest value at risk first; "
    "customers on churn.do_not_contact are left out",
    (
        Col("priority", "int", "1 = call first: by value at risk", checks=(pa.Check.ge(1),)),
        ID,
        Col("survey_date", "timestamp", "when they answered"),
        Col("nps", "float", "their score, 0-6", checks=(pa.Check.in_range(0, 6),)),
        Col("satisfaction", "float", "their satisfaction, 1-5, when asked", required=False, nullable=True),
        Col("comment", "string", "what they wrote", nullable=True),
        Col("value_if_retained", "float", "what they bring if they stay (04)"),
        Col("value_at_risk", "float", "what a contact can still save (04)"),
        Col("churn_probability", "float", "04's churn probability", checks=UNIT_INTERVAL),
        Col("risk_tier", "string", "04's risk tier", checks=RISK),
        Col("channel", "string", "how to reach them (04)"),
        Col("store", "string", "the store where they spent most ('no store (online)' when none is recorded)",
            required=False, nullable=True),
        Col("action", "string", "the follow-up: a service call within three days"),
    ),
)  # fmt: skip
ALERTS = Artifact(
    "alerts.parquet",
    "02_segment",
    "abnormal behaviour, one row per alert, most severe first: thresholds from the store's own data (median + "
    "alerts.robust_z robust SDs)",
    (
        ID,
        Col("alert", "string", "frequent returns, extreme order, spend spike or shared order id",
            checks=(pa.Check.isin(["frequent returns", "extreme order", "spend spike", "shared order id"]),)),
        Col("severity", "string", "high (twice the threshold's distance or more), medium (1.5 times) or low",
            checks=(pa.Check.isin(["high", "medium", "low"]),)),
        Col("reason", "string", "why, in plain words"),
        Col("evidence", "string", "the order, dates and amounts behind it"),
        Col("order_id", "string", "the order (for order alerts)", nullable=True),
        Col("first_date", "timestamp", "start of the evidence"),
        Col("last_date", "timestamp", "end of the evidence"),
        Col("amount", "float", "money involved: returned in the window, or the order's value"),
        Col("robust_z", "float", "robust SDs above the median (empty for shared order ids)", nullable=True),
    ),
)  # fmt: skip
JSON_ARTIFACTS = (
    Artifact("quality.json", "01_ingest", "the reconciliation of rows and money, and each cleaning rule's count",
             keys={"rows_in": "input rows", "rows_kept": "rows in transactions.parquet",
                   "rows_quarantined": "rows in quarantine.parquet (duplicates included)",
                   "duplicates_removed": "of those, copies of an earlier row",
                   "rules": "per rule: rows and money removed",
                   "reconciliation": "rows_ok / money_ok: in = kept + quarantined",
                   "tables": "the member and survey tables, when given: rows in, kept, quarantined per rule, and "
                             "customers in the log but not the table and the other way round"}),
    Artifact("profile.json", "01_ingest", "headline facts of the clean data (dates, customers, purchases, revenue)"),
    Artifact("history.json", "01_ingest", "the history's span and the settings chosen to fit it (keys the config "
             "leaves unset: CLV holdout and horizon, churn windows and folds, ...)",
             keys={"first": "the first purchase", "analysis_date": "the run's 'today'", "span_days": "days between",
                   "derived": "per key: the value used and the default it replaces",
                   "short": "stages the config's own settings leave without data, and the date they need history "
                            "before", "seasons_seen": "whether the history covers a full year"}),
    Artifact("segment_thresholds.json", "02_segment",
             "score cut points, value-tier thresholds, rules and their coverage: a later run rescores with them"),
    *(Artifact(f"findings_{stage.split('_', 1)[1]}.json", stage,
               "what the stage found: the sentences at the top of its report and the front page's numbers",
               keys={"stage": "the stage", "sentences": "computed findings, `**bold**` marks emphasis",
                     "numbers": "the headline numbers behind them"})
      for stage in ("01_ingest", "02_segment", "03_clv", "04_churn", "05_next_purchase", "06_campaign")),
    Artifact("clv_models.json", "03_clv",
             "calibration/holdout parameters and comparison, the chosen model, full-period and Gamma-Gamma parameters"),
)  # fmt: skip
TABLES = (
    TRANSACTIONS,
    QUARANTINE,
    CUSTOMERS,
    CUSTOMERS_QUARANTINE,
    SURVEYS,
    SURVEYS_QUARANTINE,
    SEGMENTS,
    ALERTS,
    COMMENT_THEMES,
    CLV,
    CLV_BOOTSTRAP,
    CHURN,
    CHURN_BACKTEST,
    DETRACTORS,
    NEXT_PURCHASE,
    CATEGORY_PAIRS,
    CATEGORY_TRANSITIONS,
    CARE_CALENDAR,
    MEMBER_GROWTH,
    DEMAND_FORECAST,
    DEMAND_BACKTEST,
    ACTION_LIST,
    CAMPAIGN_PLAN,
    CONTACT_PLAN,
    CAMPAIGN_POWER,
    CAMPAIGN_EFFECTS,
    CAMPAIGN_CHANNEL_EFFECTS,
    CAMPAIGN_TARGETS,
)
ARTIFACTS = {a.name: a for a in (*TABLES, *JSON_ARTIFACTS)}
CSV_COPIES = {
    "segments.csv": SEGMENTS,
    "alerts.csv": ALERTS,
    "alerts.xlsx": ALERTS,
    "action_list.csv": ACTION_LIST,
    "action_list.xlsx": ACTION_LIST,
    "due_soon.csv": NEXT_PURCHASE,
    "due_soon.xlsx": NEXT_PURCHASE,
    "campaign_plan.csv": CAMPAIGN_PLAN,
    "campaign_plan.xlsx": CAMPAIGN_PLAN,
    "contact_plan.csv": CONTACT_PLAN,
    "contact_plan.xlsx": CONTACT_PLAN,
    "campaign_targets.csv": CAMPAIGN_TARGETS,
    "campaign_targets.xlsx": CAMPAIGN_TARGETS,
}
# 06_campaign writes the plan in plan mode and these in measure mode
MEASURE_ONLY = (
    "campaign_effects.parquet",
    "campaign_channel_effects.parquet",
    "campaign_targets.parquet",
    "campaign_targets.csv",
    "campaign_targets.xlsx",
)
PLAN_ONLY = (
    "campaign_plan.parquet",
    "campaign_plan.csv",
    "campaign_plan.xlsx",
    "campaign_power.parquet",
    "contact_plan.parquet",
    "contact_plan.csv",
    "contact_plan.xlsx",
)


def artifact(name: str) -> Artifact:
    """The schema of an artifact by file name (a CSV copy has its Parquet table's schema)."""
    return CSV_COPIES.get(name) or ARTIFACTS[name]


def data_dictionary() -> str:
    """The data dictionary as Markdown: every artifact, its columns, types and meaning."""
    lines = [
        "# Data dictionary",
        "",
        "Every artifact a run writes into `runs/<run_id>/artifacts/`. Generated from `src/helpers/data/schemas.py`",
        "(`workbench dictionary > docs/data_dictionary.md`); tables are checked against it when written and read.",
        "",
    ]
    for item in (*TABLES, *JSON_ARTIFACTS):
        lines += [f"## `{item.name}` ({item.stage})", "", item.meaning[0].upper() + item.meaning[1:] + ".", ""]
        if item.one_row_per_customer:
            lines += ["One row per customer (`customer_id` is unique).", ""]
        if item.columns:
            lines += ["| column | type | meaning |", "|---|---|---|"]
            for c in item.columns:
                notes = [] if c.required else ["optional"]
                notes += ["may be empty"] if c.nullable else []
                suffix = f" ({', '.join(notes)})" if notes else ""
                lines.append(f"| `{c.name}` | {c.type} | {c.meaning}{suffix} |")
            if item.extra_columns:
                lines.append(f"| *others* | string | {item.extra_columns} |")
            lines.append("")
        for key, meaning in item.keys.items():
            lines.append(f"- `{key}`: {meaning}")
        if item.keys:
            lines.append("")
    lines += [
        "`segments.csv` is `segments.parquet` as CSV; `action_list.csv` and `action_list.xlsx` are",
        "`action_list.parquet` for people: the CSV is UTF-8 with a byte-order mark (Excel shows Chinese text), the",
        "XLSX stores ids as text (leading zeros survive); in both, text starting with = + - @ cannot run as a formula.",
        "`due_soon.csv` and `due_soon.xlsx` are the rows of `next_purchase.parquet` with `due_soon` true, most likely",
        "buyers first, for reminder campaigns, without the customers this cycle contacts already or may not contact",
        "(04's `this_cycle`: contact, held for review, do not contact, contacted recently, global holdout).",
        "`campaign_plan.csv/.xlsx` and `campaign_targets.csv/.xlsx` are their",
        "Parquet tables for people. `alerts.csv` and `alerts.xlsx` are `alerts.parquet` for people.",
        "",
    ]
    return "\n".join(lines)
