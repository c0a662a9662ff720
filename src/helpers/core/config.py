"""Run configuration: one YAML file, validated before anything runs.

Every section is a pydantic model that forbids unknown keys, so a typo in a
config is an error naming the key, never a silently ignored setting.
"""

from __future__ import annotations

import glob
import re
from datetime import date
from pathlib import Path
from typing import Literal, get_args

import yaml
from pydantic import AliasChoices, BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from helpers.core.errors import ConfigError
from helpers.core.parsing import declared_reading

__all__ = [
    "BUILTIN_DATASETS",
    "CYCLE_OUTCOMES",
    "DEFAULT_ACTION_RULES",
    "DEFAULT_GENDER_CODES",
    "DEFAULT_RESPONSE_RATES",
    "DEFAULT_SEGMENT_RULES",
    "EARLIEST_DATE",
    "EXCEL_MAX_ROWS",
    "LIFECYCLE_STAGES",
    "RISK_TIERS",
    "SAVE_CALL",
    "VALUE_LEVELS",
    "ActionRule",
    "AlertsSection",
    "AmountsSection",
    "AssignmentColumns",
    "BackendSection",
    "CampaignSection",
    "CareSection",
    "Channel",
    "ChurnSection",
    "CleaningSection",
    "ClvSection",
    "ColumnsSection",
    "CsvOptions",
    "CustomerColumns",
    "CustomersSection",
    "Dataset",
    "DatesSection",
    "DemandSection",
    "Gender",
    "InputSection",
    "LifeEvent",
    "LifeStageSection",
    "LifecycleStage",
    "NextPurchaseSection",
    "ReportSection",
    "ResponseColumns",
    "RiskTier",
    "RunSection",
    "ScoreThresholds",
    "SegmentRule",
    "SegmentSection",
    "SurveyColumns",
    "SurveysSection",
    "TableSource",
    "ValueLevel",
    "VoiceSection",
    "WorkbenchConfig",
    "load_config",
    "parse_config",
    "read_config_file",
]

Dataset = Literal["cdnow_sample", "cdnow_master", "babystore", "babystore_zh", "online_retail"]
BUILTIN_DATASETS: tuple[Dataset, ...] = get_args(Dataset)


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RunSection(_Section):
    name: str = "run"
    output_dir: Path = Path("runs")
    random_state: int = 42


class CsvOptions(_Section):
    delimiter: str = ","
    encoding: str = "utf-8"
    header: bool = True


class InputSection(_Section):
    path: str | None = Field(None, description="file or glob of raw transaction files")
    dataset: Dataset | None = Field(None, description="a built-in dataset")
    dataset_customers: int = Field(20_000, gt=0, description="customers in a generated dataset (babystore, retail)")
    format: Literal["auto", "csv", "parquet", "excel"] = "auto"
    csv: CsvOptions = CsvOptions()
    sheet: str | int = 0

    @model_validator(mode="after")
    def _one_source(self) -> InputSection:
        if (self.path is None) == (self.dataset is None):
            raise ValueError("set exactly one of input.path (your files) or input.dataset (built-in)")
        return self


class ColumnsSection(_Section):
    customer_id: str = "customer_id"
    order_date: str = "order_date"
    amount: str | None = Field("amount", description="the line's money; leave unset when unit_price is mapped")
    order_id: str | None = None
    quantity: str | None = None
    unit_price: str | None = Field(None, description="price per unit: a line's money is quantity x unit price")
    channel: str | None = None
    category: str | None = None
    store: str | None = None
    product_id: str | None = None
    product_name: str | None = Field(None, description="free-text product description (offers name products by it)")
    region: str | None = Field(None, description="country or region of the sale, carried into the profiles")

    @model_validator(mode="after")
    def _money_from_one_place(self) -> ColumnsSection:
        if self.unit_price is None:
            if self.amount is None:
                raise ValueError("set columns.amount (the line's money) or columns.unit_price with columns.quantity")
            return self
        if "amount" in self.model_fields_set and self.amount is not None:
            raise ValueError("set columns.amount or columns.unit_price, not both: a line's money comes from one place")
        if self.quantity is None:
            raise ValueError("columns.unit_price needs columns.quantity: a line's money is quantity x unit price")
        object.__setattr__(self, "amount", None)  # frozen: the default 'amount' column does not apply
        return self

    @property
    def money_column(self) -> str:
        """The input column whose text is money: the amount, or the unit price."""
        return self.amount or self.unit_price or "amount"

    @model_validator(mode="after")
    def _one_name_per_column(self) -> ColumnsSection:
        by_column: dict[str, list[str]] = {}
        for canonical, column in self.model_dump().items():
            if column is not None:
                by_column.setdefault(column, []).append(canonical)
        shared = {column: names for column, names in by_column.items() if len(names) > 1}
        if shared:
            column, names = next(iter(shared.items()))
            raise ValueError(
                f"columns.{' and columns.'.join(names)} all map to the input column '{column}'; "
                "each input column can be one canonical column only"
            )
        return self

    def mapped(self) -> dict[str, str]:
        """Canonical name -> user column, for the columns that are set."""
        return {k: v for k, v in self.model_dump().items() if v is not None}


EARLIEST_DATE = date(1970, 1, 1)


class DatesSection(_Section):
    format: str | None = Field(None, description="strftime format of the date column, e.g. %Y%m%d")
    keep: str | None = Field(None, description="pattern naming the part of the date text to read (its first group)")
    earliest: date = Field(EARLIEST_DATE, description="dates before this are placeholders (0001-01-01, 1899-12-30)")
    observation_end: date | None = None
    analysis_date: date | None = None

    @field_validator("keep")
    @classmethod
    def _keep_is_a_pattern(cls, keep: str | None) -> str | None:
        if keep is not None:
            try:
                re.compile(keep)
            except re.error as error:
                raise ValueError(f"dates.keep {keep!r} is not a regular expression ({error})") from None
        return keep


class AmountsSection(_Section):
    locale: str = Field("auto", description="how numbers are written (decimal mark, thousands separator): a locale "
                        "such as zh_CN or de_DE, or auto to detect it from the first amounts")  # fmt: skip

    @field_validator("locale")
    @classmethod
    def _known_locale(cls, locale: str) -> str:
        if locale != "auto":
            declared_reading(locale)  # a ValueError naming the fix
        return locale


class CleaningSection(_Section):
    returns: Literal["net", "drop"] = "net"
    max_abs_amount: float = Field(1e12, gt=0, description="a line's amount beyond this is an error, not a purchase")
    drop_duplicates: bool = True
    keep_zero_value: bool = False
    cancellation_prefix: str | None = None
    non_product_codes: list[str] = Field(
        default_factory=list,
        description="product codes (columns.product_id) that are not products: postage, fees, "
        "manual adjustments, discounts; their lines are set aside with their money (matched ignoring case)",
    )
    extreme_quantile: float = Field(0.999, gt=0.5, lt=1.0)


class SegmentRule(_Section):
    segment: str
    r: tuple[int, int] = (1, 5)
    f: tuple[int, int] = (1, 5)
    m: tuple[int, int] = (1, 5)

    @model_validator(mode="after")
    def _ranges(self) -> SegmentRule:
        for axis in ("r", "f", "m"):
            low, high = getattr(self, axis)
            if not 1 <= low <= high <= 5:
                raise ValueError(f"segment '{self.segment}': {axis} range must lie in 1..5, low <= high")
        return self


DEFAULT_SEGMENT_RULES = [
    SegmentRule(segment="Champions", r=(4, 5), f=(4, 5), m=(4, 5)),
    SegmentRule(segment="Can't Lose Them", r=(1, 2), f=(4, 5), m=(4, 5)),
    SegmentRule(segment="Loyal Customers", r=(3, 5), f=(3, 5)),
    SegmentRule(segment="At Risk", r=(1, 2), f=(3, 5)),
    SegmentRule(segment="New Customers", r=(5, 5), f=(1, 1)),
    SegmentRule(segment="Potential Loyalist", r=(4, 5), f=(1, 2), m=(3, 5)),
    SegmentRule(segment="Promising", r=(4, 5), f=(1, 2)),
    SegmentRule(segment="Need Attention", r=(3, 3), f=(1, 2), m=(3, 5)),
    SegmentRule(segment="About To Sleep", r=(3, 3), f=(1, 2)),
    SegmentRule(segment="Hibernating", r=(2, 2), f=(1, 2)),
    SegmentRule(segment="Lost", r=(1, 1), f=(1, 2)),
]


class ScoreThresholds(_Section):
    """Four ascending cut points per axis: value <= cut[0] scores 1 (or 5 for recency)."""

    recency_days: tuple[float, float, float, float]
    frequency: tuple[float, float, float, float]
    monetary: tuple[float, float, float, float]


class SegmentSection(_Section):
    scheme: Literal["rfm11", "cn8"] = Field(
        "rfm11", description="rfm11: named segments from 1-5 scores and segment.rules; cn8: the eight classes of "
        "Chinese retail CRM (重要价值客户 ...), each of R, F, M above or below its centre")  # fmt: skip
    cn8_center: Literal["mean", "median"] = Field("mean", description="the centre of the cn8 scheme's splits")
    scoring: Literal["quantile", "thresholds"] = "quantile"
    thresholds: ScoreThresholds | None = None
    rules: list[SegmentRule] = Field(default_factory=lambda: list(DEFAULT_SEGMENT_RULES))
    vip_min_spend_quantile: float = Field(0.9, gt=0, lt=1)
    vip_min_purchases: int = Field(3, ge=1)
    high_potential_min_spend_quantile: float = Field(0.6, gt=0, lt=1)
    spend_levels: dict[str, float] = Field(
        default_factory=lambda: {"regular": 0.0, "silver": 100.0, "gold": 300.0, "diamond": 1000.0},
        validation_alias=AliasChoices("spend_levels", "member_levels"),  # its name before 2026-12
        description="levels by cumulative spend, lowest threshold first (not the member card a member table gives)",
    )
    lifecycle_new_days: int = Field(90, gt=0)
    lifecycle_at_risk_factor: float = Field(2.0, gt=0)
    lifecycle_lapsed_factor: float = Field(4.0, gt=0)
    clusters_k_range: tuple[int, int] = (3, 8)
    cluster_fit_sample: int = Field(200_000, ge=1000, description="with more customers, k-means is fitted on a "
                                    "seeded sample of this many; everyone goes to the nearest centre")  # fmt: skip
    min_customers: int = Field(
        10, ge=1, description="quantile scores rank customers against each other: fewer is noise"
    )
    cohort_months: int = Field(13, ge=2, description="months since first purchase shown in the cohort heatmaps")
    min_cohort_customers: int = Field(20, ge=1, description="cohorts with fewer customers are left blank")
    concentration_revenue_share: float = Field(0.5, gt=0, lt=1, description="'x% of customers bring this share'")
    concentration_top_customers: float = Field(0.2, gt=0, lt=1, description="'the best x% of customers bring...'")
    compare_with: str | None = Field(None, description="an earlier run id, or 'latest'")
    newborn_categories: list[str] = Field(default_factory=list, description="mother-and-baby stores without a baby "
                                          "birth date: the first purchase in these categories stands in for the "
                                          "birth")  # fmt: skip

    @model_validator(mode="after")
    def _consistent(self) -> SegmentSection:
        if self.scoring == "thresholds" and self.thresholds is None:
            raise ValueError("segment.scoring is 'thresholds' but segment.thresholds is not set")
        if self.lifecycle_lapsed_factor <= self.lifecycle_at_risk_factor:
            raise ValueError("segment.lifecycle_lapsed_factor must exceed lifecycle_at_risk_factor")
        if self.high_potential_min_spend_quantile >= self.vip_min_spend_quantile:
            raise ValueError("segment.high_potential_min_spend_quantile must be below vip_min_spend_quantile")
        low, high = self.clusters_k_range
        if not 2 <= low <= high:
            raise ValueError("segment.clusters_k_range must be (low, high) with 2 <= low <= high")
        return self


class ClvSection(_Section):
    time_unit: Literal["weeks", "days"] = "weeks"
    calibration_end: date | None = None
    holdout_days: int = Field(180, gt=0, description="used when calibration_end is not set")
    models: list[Literal["bgnbd", "pareto_nbd", "mbgnbd"]] = ["bgnbd", "pareto_nbd", "mbgnbd"]
    selection_metric: Literal["mae", "rmse", "total_error"] = "mae"
    penalizer: float = Field(0.0, ge=0)
    horizon_months: int = Field(12, gt=0)
    monthly_discount_rate: float = Field(0.01, ge=0, lt=1)
    profit_margin: float = Field(1.0, gt=0, le=1)
    bootstrap_samples: int = Field(100, ge=0)
    fit_max_customers: int = Field(
        500_000,
        ge=1_000,
        description="beyond this many customers the purchase and spend models are fitted on a "
        "seeded sample of this many (a Pareto/NBD fit on 12 million takes minutes); their intervals are the sample's",
    )
    bootstrap_max_customers: int = Field(
        100_000, ge=1_000, description="beyond this many customers each bootstrap refit sees a resample of this size"
    )
    spend_correlation_warning: float = Field(
        0.3, gt=0, lt=1, description="|corr(frequency, order value)| above which Gamma-Gamma forecasts carry a warning"
    )
    alive_threshold: float = Field(0.5, gt=0, lt=1, description="P(alive) from which a customer counts as active")
    matrix_frequency_quantile: float = Field(
        0.99, gt=0.5, le=1, description="the P(alive) matrix spans repeat purchases up to this quantile"
    )


RiskTier = Literal["high", "medium", "low"]
RISK_TIERS: tuple[RiskTier, ...] = get_args(RiskTier)
# a customer's place in this cycle: contacted, or the first reason not (helpers.models.actions.this_cycle)
CYCLE_OUTCOMES = ("contact", "held for review", "do not contact", "in store only", "contacted recently",
                  "global holdout", "below the budget")  # fmt: skip
ValueLevel = Literal["high value", "low value"]
VALUE_LEVELS: tuple[ValueLevel, ...] = get_args(ValueLevel)
LifecycleStage = Literal["new", "active", "at risk", "lapsed"]
LIFECYCLE_STAGES: tuple[LifecycleStage, ...] = get_args(LifecycleStage)
Channel = Literal["wechat", "sms", "email"]
Gender = Literal["female", "male"]


class ActionRule(_Section):
    """One row of the action table: the first rule whose conditions all hold names the customer's action.
    An empty condition matches every customer."""

    action: str
    risk: list[RiskTier] = Field(default_factory=list, description="churn risk tiers")
    value: list[ValueLevel] = Field(default_factory=list, description="value levels")
    segments: list[str] = Field(default_factory=list, description="RFM segments (02_segment)")
    lifecycle: list[LifecycleStage] = Field(default_factory=list, description="lifecycle stages (02_segment)")


SAVE_CALL = "Personal call from the service team and an exclusive retention offer"
DEFAULT_ACTION_RULES = [
    ActionRule(action=SAVE_CALL, risk=["high"], value=["high value"]),
    ActionRule(action=SAVE_CALL, value=["high value"], lifecycle=["at risk", "lapsed"]),
    ActionRule(action="Personalised recommendations and early access, no blanket discount",
               risk=["medium"], value=["high value"]),
    ActionRule(action="Loyalty rewards and recognition, no discount", risk=["low"], value=["high value"]),
    ActionRule(action="Last low-cost win-back message; suppress from paid campaigns if no response",
               risk=["high"], segments=["Lost", "Hibernating", "General win-back"]),
    ActionRule(action="Automated win-back with a time-limited offer", risk=["high"]),
    ActionRule(action="Second-purchase incentive and product education",
               segments=["New Customers", "Promising", "Potential Loyalist", "Important development",
                         "General development"]),
    ActionRule(action="Reminder of favourite products with bestsellers", risk=["medium"]),
    ActionRule(action="Standard newsletter"),
]  # fmt: skip


class ChurnSection(_Section):
    horizon_days: int = Field(90, gt=0)
    folds: int = Field(3, ge=1)
    train_cutoffs: int = Field(2, ge=1)
    cutoff_step_days: int = Field(60, gt=0)
    high_value_share: float = Field(0.2, gt=0, lt=1, description="share of customers counted as high value")
    high_risk_probability: float = Field(0.7, gt=0, lt=1, description="calibrated churn probability from which a "
                                         "customer is high risk")  # fmt: skip
    medium_risk_probability: float = Field(0.4, gt=0, lt=1, description="calibrated churn probability from which "
                                           "a customer is medium risk (below it: low)")  # fmt: skip
    contact_budget: int = Field(500, ge=0, description="customers the team can contact this cycle: the first by "
                                "expected incremental value among those who can be contacted")  # fmt: skip
    contact_budget_money: float | None = Field(None, gt=0, description="and at most this much contact cost in "
                                               "total (campaign.contact_cost, action_costs), when set")  # fmt: skip
    alert_value_quantile: float | None = Field(0.99, gt=0.5, lt=1, description="a customer with an alert of any "
                                               "severity counts at most this quantile of the others' value at risk "
                                               "in their expected value (an extreme order is not a reason to rank "
                                               "first); null: no cap")  # fmt: skip
    hold_alert_severities: list[RiskTier] = Field(
        default_factory=lambda: list[RiskTier](["high"]),
        description="customers with an alert of these severities (02_segment) are "
        "held for review: listed, never in the contact budget")  # fmt: skip
    channels: list[Channel] = Field(
        default_factory=lambda: list[Channel](["wechat", "sms", "email"]),
        description="the contact channel: the first of these a "
        "customer opted in to (member table opt_in_<channel>); none: in store only, not contacted")  # fmt: skip
    do_not_contact: str | None = Field(None, description="a file (CSV, Excel, Parquet) whose customer_id column (or "
                                       "first column) lists customers never to contact, in any list")  # fmt: skip
    contact_history: str | None = Field(None, description="file or glob of earlier contact plans (.parquet or .csv: "
                                        "customer_id, group, send_date); a customer contacted contact_cap times "
                                        "within contact_cap_days before today is not contacted again")  # fmt: skip
    global_holdout_share: float = Field(0.0, ge=0, lt=0.5, description="a share of customers never contacted, the "
                                        "same ones in every run (by a hash of their id): the long-run control that "
                                        "shows what all contacts together earn")  # fmt: skip
    contact_cap: int = Field(1, ge=1, description="contacts per customer within contact_cap_days, across runs")
    contact_cap_days: int = Field(28, gt=0, description="the window of the contact cap, in days")
    max_training_rows: int = Field(300_000, ge=1000, description="models train on a seeded sample of this many "
                                   "rows when a fold has more; today's scores cover every customer (at 1e7 lines "
                                   "the gradient boosting's AUC was 0.8077 from 300,000 rows and 0.8084 from "
                                   "1,000,000, which took three times as long)")  # fmt: skip
    test_max_customers: int = Field(1_000_000, ge=1000, description="the backtest tests every scorer on a "
                                    "seeded sample of this many customers at a test date with more (a ROC-AUC's "
                                    "standard error on a million is under 0.001; the page states it); today's scores "
                                    "cover every customer")  # fmt: skip
    baseline_fit_customers: int = Field(200_000, ge=1000, description="BTYD baselines are fitted on a seeded "
                                        "sample of this many customers at a larger cutoff; all are scored")  # fmt: skip
    action_rules: list[ActionRule] = Field(default_factory=lambda: list(DEFAULT_ACTION_RULES), min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> ChurnSection:
        if self.medium_risk_probability >= self.high_risk_probability:
            raise ValueError("churn.medium_risk_probability must lie below churn.high_risk_probability")
        last = self.action_rules[-1]
        if last.risk or last.value or last.segments or last.lifecycle:
            raise ValueError(
                "the last of churn.action_rules must have no conditions (the default action), so every customer "
                "gets one"
            )
        return self


class NextPurchaseSection(_Section):
    """05_next_purchase: when each customer buys next, and what to offer them."""

    windows_days: list[int] = Field([7, 30, 90], min_length=1, description="P(purchase within each of these days)")
    evaluation_days: int = Field(90, gt=0, description="the time split: predict at this many days before the "
                                 "analysis date, check against what happened since")  # fmt: skip
    calibration_window_days: int = Field(30, gt=0, description="the window whose probability the reliability "
                                         "diagram checks (at most evaluation_days)")  # fmt: skip
    due_days: int = Field(14, gt=0, description="'due soon': likely to buy within this many days")
    due_probability: float = Field(0.3, gt=0, lt=1, description="P(purchase within due_days) from which a "
                                   "customer is due soon")  # fmt: skip
    send_lead_days: int = Field(3, ge=0, description="send an offer this many days before the expected purchase")
    send_horizon_days: int = Field(30, gt=0, description="offers are dated within this many days of the analysis "
                                   "date; a customer not expected to buy by then gets no dated offer (a retention "
                                   "case)")  # fmt: skip
    top_k: int = Field(3, ge=1, le=10, description="offers per customer, and the k of hit rate@k and recall@k")
    tenure_bucket_days: int = Field(45, gt=0, description="sequence offers: how long a customer has bought a "
                                    "category, in buckets of this many days")  # fmt: skip
    tenure_buckets: int = Field(8, ge=1, description="buckets of tenure_bucket_days; the last one is open-ended")
    shrinkage: float = Field(20.0, ge=0, description="pseudo-count pulling a sparse tenure bucket's transition "
                             "shares towards the category's overall ones")  # fmt: skip
    min_pair_baskets: int = Field(20, ge=1, description="category pairs bought together in fewer baskets are not "
                                  "shown as bundles")  # fmt: skip
    max_categories: int = Field(200, ge=2, description="offers consider the most bought categories up to this many")
    offer_check_customers: int = Field(200_000, ge=1000, description="the offer methods are compared on a seeded "
                                       "sample of this many of the customers who bought after the time split; "
                                       "everyone gets offers")  # fmt: skip
    simulation_draws: int = Field(400, ge=50, description="posterior draws per history pattern when the purchase "
                                  "model has no closed form (Pareto/NBD)")  # fmt: skip

    @model_validator(mode="after")
    def _calibration_window_in_evaluation(self) -> NextPurchaseSection:
        if self.calibration_window_days > self.evaluation_days:
            raise ValueError("next_purchase.calibration_window_days must not exceed next_purchase.evaluation_days")
        return self


class LifeEvent(_Section):
    """A retailer's own life event: a window some days after a purchase of a category (or after a date of the
    member table) in which the customer needs something again, e.g. an appliance's replacement or a refill."""

    name: str = Field(description="the event, as the care calendar names it, e.g. 'air conditioner replacement'")
    after_category: str | None = Field(None, description="the clock starts at the customer's latest purchase of "
                                       "this category")  # fmt: skip
    after_member_date: str | None = Field(None, description="... or at this date column of the member table "
                                          "(customers.columns maps it), e.g. move_in_date")  # fmt: skip
    window_days: tuple[int, int] = Field(description="the window, [from, until] days after the clock starts")
    offer: str = Field(description="what to offer in the window, e.g. the category or a service")
    response_rate: float = Field(0.05, ge=0, le=1, description="the assumed extra chance that the message brings an "
                                 "order, as care.response_rates (which overrides it by the event's name)")  # fmt: skip

    @model_validator(mode="after")
    def _one_clock(self) -> LifeEvent:
        if (self.after_category is None) == (self.after_member_date is None):
            raise ValueError(f"life_stage.events '{self.name}': give one of after_category and after_member_date")
        if self.window_days[0] > self.window_days[1]:
            raise ValueError(f"life_stage.events '{self.name}': window_days from must not lie after until")
        return self


class LifeStageSection(_Section):
    """Which categories belong to which baby age (02's life_stage column, 05's offers), and the retailer's own life
    events (the care calendar)."""

    stage_categories: dict[str, tuple[int, int]] = Field(
        default_factory=dict, description="categories for one baby age, [from, until) in days from the birth "
        "(negative: pregnancy), e.g. 'formula stage 2': [180, 365]; they date each family's baby when the member "
        "table has no birth date, and are offered only while they fit the baby's age on the send date")  # fmt: skip
    lead_days: int = Field(30, ge=0, description="a stage category is offered from this many days before the baby "
                           "reaches its stage: the next stage ahead of the transition")  # fmt: skip
    events: list[LifeEvent] = Field(default_factory=list, description="the retailer's own life events: each "
                                    "customer in an event's window is on the care calendar and a moment of the "
                                    "contact plan")  # fmt: skip

    @model_validator(mode="after")
    def _from_before_until(self) -> LifeStageSection:
        for category, (start, end) in self.stage_categories.items():
            if start >= end:
                raise ValueError(f"life_stage.stage_categories '{category}': from ({start}) must lie before until "
                                 f"({end})")  # fmt: skip
        return self


DEFAULT_RESPONSE_RATES = {"birthday": 0.08, "membership anniversary": 0.04, "baby's full month": 0.10,
                          "baby's 100 days": 0.10, "baby's birthday": 0.08, "festival": 0.06, "level up": 0.10,
                          "keep level": 0.06, "redeem points": 0.05}  # fmt: skip


class CareSection(_Section):
    """05_next_purchase's care calendar: key dates and festivals in the coming days."""

    window_days: int = Field(30, gt=0, description="birthdays, baby milestones and membership anniversaries in the "
                             "next this many days (with a member table)")  # fmt: skip
    festival_horizon_days: int = Field(366, gt=0, description="festivals in the next this many days, each with "
                                       "the customers who buy before it")  # fmt: skip
    festival_lead_days: int = Field(7, ge=0, description="a purchase this many days before a festival (or on it) "
                                    "counts as buying for it")  # fmt: skip
    festivals: list[str] | None = Field(None, description="the festivals to plan for, by name (default: all of "
                                        "helpers.models.care's calendar)")  # fmt: skip
    own_days: dict[str, str] = Field(default_factory=dict, description="the retailer's own days, name: 'MM-DD'")
    min_response_years: int = Field(2, ge=1, description="a festival responder bought before it in at least this "
                                    "many years")  # fmt: skip
    response_alpha: float = Field(0.05, gt=0, lt=1, description="... and more often than their own buying rate "
                                  "makes likely by chance (binomial test at this level)")  # fmt: skip
    baby_birthdays: int = Field(3, ge=0, description="the baby's birthdays are greeted up to this age in years")
    response_rates: dict[str, float] = Field(
        default_factory=lambda: dict(DEFAULT_RESPONSE_RATES),
        description="an assumption until a campaign measures it: the extra chance that a moment's message brings an "
        "order, per kind (a personal occasion, 'festival', or a member nudge: level up, keep level, redeem points); "
        "a moment competes for churn.contact_budget with the retention actions at this rate x the customer's margin "
        "per order; a kind left out is never a contact of its own")  # fmt: skip
    send_lead_days: int = Field(3, ge=0, description="a moment's message goes this many days before its date")

    @model_validator(mode="after")
    def _own_days_are_dates(self) -> CareSection:
        for name, day in self.own_days.items():
            if not re.fullmatch(r"(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])", day):
                raise ValueError(f"care.own_days '{name}': '{day}' is not MM-DD")
        for kind, rate in self.response_rates.items():
            if not 0 <= rate <= 1:
                raise ValueError(f"care.response_rates '{kind}': {rate} is not a share between 0 and 1")
        return self


class VoiceSection(_Section):
    """What customers say (with surveys): comment themes and drivers (02), the detractor follow-up list (04)."""

    follow_up_days: int = Field(30, gt=0, description="detractors (NPS 0-6) who answered within this many "
                                "days of the analysis date and were not contacted since are on the follow-up "
                                "list")  # fmt: skip
    min_theme_comments: int = Field(20, ge=1, description="a term makes a theme when at least this many detractor "
                                    "or promoter comments hold it")  # fmt: skip
    min_group_comments: int = Field(30, ge=1, description="themes per store or region only where at least this "
                                    "many detractor comments were written")  # fmt: skip


class DemandSection(_Section):
    """05_next_purchase's demand forecast: monthly revenue and units per region and season."""

    by: Literal["auto", "region", "store", "channel", "total"] = Field(
        "auto", description="what a series is; auto: the log's region, else the member table's, else the store, "
        "else the channel")  # fmt: skip
    horizon_months: int = Field(6, ge=1, le=24, description="months to forecast after the last complete month")
    backtest_months: int = Field(6, ge=1, le=12, description="the last complete months held out to check the "
                                 "forecast against seasonal-naive")  # fmt: skip
    max_series: int = Field(12, ge=1, description="the largest series by revenue; the rest are added up as 'other'")
    interval: float = Field(0.95, gt=0, lt=1, description="coverage of the forecast intervals")
    min_peak_lift: float = Field(0.1, ge=0, description="a seasonal peak is named when its month lies this share "
                                 "above the series' average month")  # fmt: skip


class AssignmentColumns(_Section):
    """The columns of a campaign assignment file (campaign.plan_file) that is not the workbench's own plan."""

    customer_id: str = "customer_id"
    group: str = "group"
    action: str | None = Field(None, description="the cell (action) of each customer, when the file has one")
    cost: str | None = Field(None, description="contact cost per customer, when the file has one")


class ResponseColumns(_Section):
    """The columns of a campaign response file (campaign.response_file)."""

    customer_id: str = "customer_id"
    converted: str = "converted"
    revenue: str = "revenue"


class CampaignSection(_Section):
    """06_campaign: plan a campaign with a random control group, then measure what it earned."""

    mode: Literal["plan", "measure"] = Field("plan", description="plan: draw groups and check power; measure: "
                                             "effects of a finished campaign")  # fmt: skip
    control_share: float = Field(0.1, gt=0, lt=0.5, description="share of each action cell held out as control")
    min_control: int = Field(30, ge=1, description="at least this many control customers per cell (when the cell "
                             "has twice as many)")  # fmt: skip
    actions: list[str] = Field(default_factory=list, description="only these actions (default: every action)")
    contact_cost: float = Field(1.0, ge=0, description="cost of contacting one customer, in report.currency")
    action_costs: dict[str, float] = Field(default_factory=dict, description="cost per contact of an action "
                                           "(e.g. the coupon's expected cost), overriding contact_cost")  # fmt: skip
    assumed_save_rate: float = Field(0.1, gt=0, le=1, description="an assumption until a campaign is measured: the "
                                     "share of a customer's value at risk a contact saves (the contact plan's "
                                     "expected value)")  # fmt: skip
    save_rates: dict[str, float] = Field(default_factory=dict, description="the same assumption per action, "
                                         "overriding assumed_save_rate")  # fmt: skip
    measured_effects: str | None = Field(None, description="campaign_effects.parquet of a measured campaign: its "
                                         "save rate per action (with its interval) replaces the assumption for the "
                                         "actions it measured; campaign_channel_effects.parquet beside it, when "
                                         "there, ranks the channels with a significant effect by what they "
                                         "earned")  # fmt: skip
    channel_costs: dict[Channel, float] = Field(
        default_factory=dict, description="cost of one message per channel, added to the contact's cost; without "
        "a measured campaign the cheapest channel a customer opted in to is used (ties: churn.channels order)",
    )  # fmt: skip
    outcome_days: int = Field(30, gt=0, description="the outcome window: a purchase within it counts as conversion")
    plausible_lift: float = Field(0.03, gt=0, lt=1, description="the smallest conversion lift worth detecting; "
                                  "cells that cannot detect it are flagged")  # fmt: skip
    alpha: float = Field(0.05, gt=0, lt=0.5)
    power: float = Field(0.8, gt=0.5, lt=1)
    start: date | None = Field(None, description="measure: the campaign's first day (default: the plan's)")
    plan_file: str | None = Field(None, description="measure: the plan (campaign_plan.parquet) or your own "
                                  "assignment file (CSV, Parquet, Excel)")  # fmt: skip
    assignment_columns: AssignmentColumns = AssignmentColumns()
    response_file: str | None = Field(None, description="measure: the outcomes per customer (converted, revenue) "
                                      "instead of the transaction log's outcome window")  # fmt: skip
    response_columns: ResponseColumns = ResponseColumns()
    bootstrap_samples: int = Field(1000, ge=100, description="bootstrap resamples for the revenue intervals")
    pre_period_days: int = Field(180, gt=0, description="the period before the start whose spend CUPED uses")

    @model_validator(mode="after")
    def _measure_needs_a_plan(self) -> CampaignSection:
        if self.mode == "measure" and not self.plan_file:
            raise ValueError("campaign.mode measure needs campaign.plan_file: the plan, or your assignment file")
        return self


class TableSource(_Section):
    """Where an optional table beside the log comes from: your file, or a built-in dataset's."""

    path: str | None = Field(None, description="a CSV (UTF-8 or GBK), Excel or Parquet file")
    dataset: Literal["babystore", "babystore_zh"] | None = Field(None, description="the generated store's table")
    date_format: str | None = Field(None, description="strftime format of the date columns (default: ISO dates)")

    @model_validator(mode="after")
    def _one_source(self) -> TableSource:
        if (self.path is None) == (self.dataset is None):
            raise ValueError("set exactly one of path (your file) or dataset (built-in)")
        return self


class CustomerColumns(_Section):
    """The member table's columns: customer_id is required, every other one optional."""

    customer_id: str = "customer_id"
    birth_date: str | None = None
    age: str | None = Field(None, description="age in years, when the table has no birth date")
    gender: str | None = None
    region: str | None = Field(None, description="province or region")
    city: str | None = None
    join_date: str | None = None
    card_level: str | None = Field(None, description="the member card level your CRM gives")
    points: str | None = Field(None, description="points balance")
    opt_in_sms: str | None = None
    opt_in_wechat: str | None = None
    opt_in_email: str | None = None
    baby_birth_date: str | None = Field(None, description="mother-and-baby stores: the baby's (expected) birth date")

    def mapped(self) -> dict[str, str]:
        return {k: v for k, v in self.model_dump().items() if v is not None}


DEFAULT_GENDER_CODES: dict[str, Gender] = {"f": "female", "female": "female", "w": "female", "女": "female",
                                           "m": "male", "male": "male", "男": "male"}  # fmt: skip


class CustomersSection(TableSource):
    """The optional member table: one row per customer."""

    columns: CustomerColumns = CustomerColumns()
    gender_codes: dict[str, Gender] = Field(
        default_factory=lambda: dict(DEFAULT_GENDER_CODES), description="text (any case) -> female or male"
    )
    card_levels: list[str] = Field(default_factory=list, description="the card levels, lowest first; another "
                                   "value is an unknown code (empty: any value)")  # fmt: skip
    age_range: tuple[int, int] = Field((14, 100), description="ages outside it are invalid")
    point_value: float = Field(0.0, ge=0, description="what one point is worth in report.currency (liability)")
    card_rules: dict[str, float] = Field(default_factory=dict, description="member growth: the spend over "
                                         "card_period_days each card level needs, e.g. {basic: 0, silver: 300} "
                                         "(levels are ordered by it)")  # fmt: skip
    card_period_days: int = Field(365, gt=0, description="the qualifying period of card_rules, up to the analysis date")
    card_reach_share: float = Field(0.25, gt=0, le=1, description="a member is within reach of the next level when "
                                    "the spend missing is at most this share of its threshold")  # fmt: skip
    points_expiry: str | None = Field(None, pattern=r"^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$",
                                      description="the day balances lapse each year, 'MM-DD'")  # fmt: skip
    points_expiry_notice_days: int = Field(60, ge=0, description="lapsing points within this many days get a "
                                           "redemption nudge")  # fmt: skip
    event_dates: dict[str, str] = Field(default_factory=dict, description="further date columns of the member "
                                        "table, name: the file's column (e.g. move_in_date: 入住日期), kept in "
                                        "customers.parquet for life_stage.events' after_member_date")  # fmt: skip

    def mapped(self) -> dict[str, str]:
        """Canonical name -> the file's column, the event dates included."""
        return self.columns.mapped() | self.event_dates

    @field_validator("event_dates")
    @classmethod
    def _new_names(cls, dates: dict[str, str]) -> dict[str, str]:
        taken = sorted(set(dates) & set(CustomerColumns.model_fields))
        if taken:
            raise ValueError(f"customers.event_dates {taken}: these names are member-table columns already; map them "
                             "under customers.columns")  # fmt: skip
        return dates

    @field_validator("card_rules")
    @classmethod
    def _lowest_level_first(cls, rules: dict[str, float]) -> dict[str, float]:
        return dict(sorted(rules.items(), key=lambda rule: rule[1]))


class SurveyColumns(_Section):
    customer_id: str = "customer_id"
    survey_date: str = "survey_date"
    nps: str | None = Field(None, description="likelihood to recommend, 0-10")
    satisfaction: str | None = Field(None, description="satisfaction, 1-5")
    comment: str | None = None

    def mapped(self) -> dict[str, str]:
        return {k: v for k, v in self.model_dump().items() if v is not None}


class SurveysSection(TableSource):
    """The optional survey responses: any number per customer."""

    columns: SurveyColumns = SurveyColumns()

    def mapped(self) -> dict[str, str]:
        """Canonical name -> the file's column."""
        return self.columns.mapped()

    @model_validator(mode="after")
    def _a_score(self) -> SurveysSection:
        if self.columns.nps is None and self.columns.satisfaction is None:
            raise ValueError("surveys.columns needs nps or satisfaction (or both)")
        return self


class AlertsSection(_Section):
    """Abnormal behaviour: thresholds come from robust statistics of the store's own data."""

    return_window_days: int = Field(30, gt=0, description="returns are counted within windows of this many days")
    robust_z: float = Field(3.5, gt=0, description="a value is abnormal when it lies this many robust standard "
                            "deviations (1.4826 x MAD) above the median")  # fmt: skip
    return_count: int | None = Field(None, ge=1, description="fixed: at least this many returns in the window "
                                     "(default: from the data)")  # fmt: skip
    return_share: float | None = Field(None, gt=0, le=1, description="fixed: at least this share of the window's "
                                       "purchases returned (default: from the data)")  # fmt: skip
    min_orders_for_spike: int = Field(3, ge=1, description="spend spikes need this many earlier orders to compare")


EXCEL_MAX_ROWS = 1_048_575  # a worksheet's rows below the header


class ReportSection(_Section):
    language: Literal["en", "zh"] = Field("en", description="en, or zh for Simplified Chinese reports and exports")
    currency: str = Field("$", min_length=1, max_length=4, description="symbol before money amounts, e.g. $ or ¥")
    mask_customer_ids: bool = Field(True, description="HTML reports show a salted hash instead of customer ids; "
                                    "the artifacts keep the real ids")  # fmt: skip
    xlsx_max_rows: int = Field(100_000, ge=1, le=EXCEL_MAX_ROWS,
                               description="rows an Excel export holds at most, the first in the list's order (the "
                               "action list: highest priority first); the CSV and Parquet hold every row. Excel's "
                               "own limit is 1,048,575")  # fmt: skip


class BackendSection(_Section):
    engine: Literal["duckdb", "pyspark"] = Field("duckdb", description="where transaction-level work runs")
    spark_master: str = Field("local[*]", description="Spark master URL, e.g. spark://host:7077, yarn, local[*]")
    spark_conf: dict[str, str] = Field(default_factory=dict, description="extra Spark settings")
    duckdb_memory_limit: str | None = Field(None, pattern=r"(?i)^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$",
                                            description="DuckDB's memory limit, e.g. 16GB; beyond it DuckDB spills to "
                                            "disk (default: half the machine's memory)")  # fmt: skip
    threads: int | None = Field(None, ge=1, description="DuckDB threads (default: every core)")


class WorkbenchConfig(_Section):
    run: RunSection = RunSection()
    backend: BackendSection = BackendSection()
    input: InputSection
    columns: ColumnsSection = ColumnsSection()
    dates: DatesSection = DatesSection()
    cleaning: CleaningSection = CleaningSection()
    amounts: AmountsSection = AmountsSection()
    segment: SegmentSection = SegmentSection()
    clv: ClvSection = ClvSection()
    churn: ChurnSection = ChurnSection()
    next_purchase: NextPurchaseSection = NextPurchaseSection()
    life_stage: LifeStageSection = LifeStageSection()
    care: CareSection = CareSection()
    voice: VoiceSection = VoiceSection()
    demand: DemandSection = DemandSection()
    campaign: CampaignSection = CampaignSection()
    customers: CustomersSection | None = None
    surveys: SurveysSection | None = None
    alerts: AlertsSection = AlertsSection()
    report: ReportSection = ReportSection()

    @model_validator(mode="before")
    @classmethod
    def _stage_rules_moved(cls, data: object) -> object:
        """next_purchase.stage_categories and stage_lead_days, their place before 2026-12, still read."""
        if isinstance(data, dict) and isinstance(data.get("next_purchase"), dict):
            offers = dict(data["next_purchase"])
            moved = {
                new: offers.pop(old)
                for old, new in (("stage_categories", "stage_categories"), ("stage_lead_days", "lead_days"))
                if old in offers
            }
            if moved:
                return {**data, "next_purchase": offers, "life_stage": {**moved, **(data.get("life_stage") or {})}}
        return data

    @model_validator(mode="after")
    def _dates_in_order(self) -> WorkbenchConfig:
        end, analysis, cal = self.dates.observation_end, self.dates.analysis_date, self.clv.calibration_end
        if end and analysis and analysis > end:
            raise ValueError("dates.analysis_date lies after dates.observation_end")
        if cal and analysis and cal >= analysis:
            raise ValueError("clv.calibration_end must lie before dates.analysis_date")
        if cal and end and cal >= end:
            raise ValueError("clv.calibration_end must lie before dates.observation_end (the holdout follows it)")
        return self

    @model_validator(mode="after")
    def _codes_need_products(self) -> WorkbenchConfig:
        if self.cleaning.non_product_codes and self.columns.product_id is None:
            raise ValueError("cleaning.non_product_codes are product codes: map columns.product_id to the code column")
        return self


def _describe(error: ValidationError, source: str) -> str:
    lines = [f"config {source} is not valid:"]
    for item in error.errors():
        key = ".".join(str(p) for p in item["loc"]) or "(top level)"
        message = item["msg"]
        if item["type"] == "extra_forbidden":
            message = "unknown key (check the spelling; see configs/cdnow.yaml for the keys)"
        lines.append(f"  - {key}: {message}")
    return "\n".join(lines)


def parse_config(data: dict, source: str = "<dict>", base_dir: Path | None = None) -> WorkbenchConfig:
    """Validate a config mapping; relative input paths resolve against base_dir."""
    try:
        config = WorkbenchConfig.model_validate(data)
    except ValidationError as error:
        raise ConfigError(_describe(error, source)) from None
    for name in ("customers", "surveys"):
        section = getattr(config, name)
        if section is not None and section.path is not None:
            path = Path(section.path)
            path = path if path.is_absolute() or base_dir is None else base_dir / path
            if not path.exists():
                raise ConfigError(f"config {source}: {name}.path '{section.path}' not found ({path})")
            config = config.model_copy(update={name: section.model_copy(update={"path": str(path)})})
    for key in ("do_not_contact", "contact_history"):
        given = getattr(config.churn, key)
        if given is not None and not Path(given).is_absolute() and base_dir is not None:
            config = config.model_copy(update={"churn": config.churn.model_copy(update={key: str(base_dir / given)})})
    measured = config.campaign.measured_effects
    if measured is not None and not Path(measured).is_absolute() and base_dir is not None:
        measured = str(base_dir / measured)
        config = config.model_copy(
            update={"campaign": config.campaign.model_copy(update={"measured_effects": measured})}
        )
    for key, given in (("churn.do_not_contact", config.churn.do_not_contact), ("campaign.measured_effects", measured)):
        if given is not None and not Path(given).exists():
            raise ConfigError(f"config {source}: {key} '{given}' not found")
    if config.input.path is not None:
        pattern = Path(config.input.path)
        if not pattern.is_absolute() and base_dir is not None:
            pattern = base_dir / pattern
        if not glob.glob(str(pattern)):
            raise ConfigError(f"config {source}: input.path '{config.input.path}' matches no file ({pattern})")
        config = config.model_copy(update={"input": config.input.model_copy(update={"path": str(pattern)})})
    return config


def _decodes_as(raw: bytes, encoding: str) -> bool:
    try:
        raw.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def read_config_file(path: str | Path) -> dict:
    """The YAML mapping in a config file, as written (not yet validated)."""
    path = Path(path)
    if not path.exists():
        raise ConfigError(f"config file {path} not found")
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        hint = "it reads as GBK; " if _decodes_as(raw, "gbk") else ""
        raise ConfigError(
            f"config {path} is not UTF-8 (byte {error.start}); {hint}save it as UTF-8 (e.g. in Notepad: Save as, "
            "Encoding: UTF-8)"
        ) from None
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as error:
        raise ConfigError(f"config {path} is not valid YAML: {error}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"config {path} must be a mapping of sections (run, input, columns, ...)")
    return data


def load_config(path: str | Path) -> WorkbenchConfig:
    """Read and validate a YAML config file; input paths are relative to the working directory."""
    return parse_config(read_config_file(path), source=str(path), base_dir=Path.cwd())
