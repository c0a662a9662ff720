"""Cleaning raw transaction lines into the canonical schema, accounting for every row.

Each cleaning rule is a named function over an Ibis table of parsed lines that
returns True for the rows it rejects. Rules apply in order; a rejected row goes
to the quarantine with the name of the first rule it broke. Returns are either
netted against the customer's latest earlier purchase or quarantined, as the
config says. The reconciliation `rows in = kept + quarantined + duplicates`
(and the same for money) is checked before anything is written.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import ibis
import ibis.expr.datatypes as dt
import pandas as pd

from helpers.artifacts import atomic_path
from helpers.config import CleaningSection, DatesSection
from helpers.errors import InputError, ReconciliationError
from helpers.features import order_purchase_date
from helpers.sources import SOURCE_FILE, SOURCE_ROW, check_mapping, malformed_lines

OPTIONAL_TEXT = ("channel", "category", "store", "product_id")
DATE_FAILURE_SHARE = 0.5
ORDER_KEY_SEPARATOR = "#"


@ibis.udf.scalar.builtin
def try_strptime(text: str, fmt: str) -> dt.Timestamp():
    """DuckDB's try_strptime: NULL where the text does not match the format."""


class CleaningOptions(CleaningSection):
    """What the rules need to know: the config's cleaning section plus its date settings."""

    date_format: str | None = None
    observation_end: date | None = None

    @property
    def last_valid_date(self) -> date:
        """dates.observation_end, or today: a transaction cannot happen after the export was made."""
        return self.observation_end or date.today()

    @classmethod
    def from_config(cls, dates: DatesSection, cleaning: CleaningSection) -> CleaningOptions:
        return cls(**cleaning.model_dump(), date_format=dates.format, observation_end=dates.observation_end)


@dataclass(frozen=True)
class Rule:
    name: str
    description: str
    rejects: Callable[[ibis.Table, CleaningOptions], ibis.BooleanValue] | None


def _c(name: str) -> str:
    """Internal name of a parsed canonical column (raw columns keep their own names)."""
    return f"__{name}"


def _clean_text(value: ibis.StringValue) -> ibis.StringValue:
    trimmed = value.strip()
    return ibis.ifelse(trimmed == "", ibis.null("string"), trimmed)


def parse_date(value: ibis.StringValue, date_format: str | None) -> ibis.TimestampValue:
    """Text to timestamp: with an explicit strftime format, or ISO-like text by cast; NULL if unparseable.

    ISO text is accepted beside the format: a Parquet or Excel column of real timestamps reads as ISO text."""
    text = value.strip()
    iso = text.try_cast("timestamp")
    return try_strptime(text, date_format).fill_null(iso) if date_format else iso


def parse_amount(value: ibis.StringValue) -> ibis.FloatingValue:
    """Text to float64; NULL for text that is not a number."""
    return value.strip().try_cast("float64")


def accounted_money(amount: ibis.FloatingValue, text: ibis.StringValue) -> ibis.FloatingValue:
    """The money a row stands for in the reconciliation: its amount, or for a row quarantined because its
    amount is not a plain number ('1,234.50', '¥12.5'), the number left after removing all but digits, '.'
    and '-'. NULL (no money that can be read) for text without a number and for infinities."""
    finite = amount.notnull() & ~amount.isnan() & ~amount.isinf()
    lenient = text.re_replace(r"[^0-9.\-]", "").try_cast("float64")
    return ibis.ifelse(finite, amount, ibis.ifelse(lenient.isinf() | lenient.isnan(), ibis.null("float64"), lenient))


def parse_lines(raw: ibis.Table, mapping: dict[str, str], options: CleaningOptions) -> ibis.Table:
    """Add parsed canonical columns (`__customer_id`, `__amount`, ...) beside the raw text columns."""
    parsed = {
        _c("customer_id"): _clean_text(raw[mapping["customer_id"]]),
        _c("order_date"): parse_date(raw[mapping["order_date"]], options.date_format),
        _c("amount"): parse_amount(raw[mapping["amount"]]),
    }
    if "order_id" in mapping:
        parsed[_c("order_id")] = _clean_text(raw[mapping["order_id"]])
    if "quantity" in mapping:
        parsed[_c("quantity")] = parse_amount(raw[mapping["quantity"]])
    for name in OPTIONAL_TEXT:
        if name in mapping:
            parsed[_c(name)] = _clean_text(raw[mapping[name]])
    table = raw.mutate(**parsed)
    is_return = table[_c("amount")] < 0
    if "quantity" in mapping:
        is_return |= table[_c("quantity")].fill_null(0) < 0
    if options.cancellation_prefix and "order_id" in mapping:
        is_return |= table[_c("order_id")].startswith(options.cancellation_prefix).fill_null(False)
    table = table.mutate(_is_return=is_return.fill_null(False))
    # a return is money going back: negative whatever sign the file used
    table = table.mutate(
        **{_c("amount"): ibis.ifelse(table._is_return, -table[_c("amount")].abs(), table[_c("amount")])}
    )
    table = table.mutate(_money=accounted_money(table[_c("amount")], raw[mapping["amount"]]))
    data_columns = [c for c in raw.columns if c not in (SOURCE_FILE, SOURCE_ROW)]
    copy_rank = ibis.row_number().over(group_by=data_columns, order_by=[SOURCE_FILE, SOURCE_ROW])
    return table.mutate(_copy_rank=copy_rank)


RULES: tuple[Rule, ...] = (
    Rule("missing_customer_id", "customer id is empty", lambda t, o: t[_c("customer_id")].isnull()),
    Rule("unparseable_date", "order date is empty or not a date", lambda t, o: t[_c("order_date")].isnull()),
    Rule(
        "invalid_amount",
        "amount is empty or not a number",
        lambda t, o: t[_c("amount")].isnull() | t[_c("amount")].isnan() | t[_c("amount")].isinf(),
    ),
    Rule(
        "after_observation_end",
        "order date after dates.observation_end (or, when that is not set, in the future)",
        lambda t, o: t[_c("order_date")] >= ibis.timestamp(o.last_valid_date + timedelta(days=1)),
    ),
    Rule(
        "duplicate_row",
        "exact copy of an earlier row",
        lambda t, o: t._copy_rank > 0 if o.drop_duplicates else ibis.literal(False),
    ),
    Rule(
        "zero_value",
        "amount is zero",
        lambda t, o: ibis.literal(False) if o.keep_zero_value else t[_c("amount")] == 0,
    ),
    Rule(
        "return_dropped",
        "return or cancellation (config: cleaning.returns = drop)",
        lambda t, o: t._is_return if o.returns == "drop" else ibis.literal(False),
    ),
)
UNMATCHED_RETURN = Rule("unmatched_return", "return with no earlier purchase by the customer to net against", None)
MALFORMED_LINE = Rule("malformed_line", "line with more or fewer fields than the header (kept as raw text)", None)
ALL_RULES = (*RULES, UNMATCHED_RETURN, MALFORMED_LINE)  # in the order quality.json lists them


def first_broken_rule(table: ibis.Table, options: CleaningOptions) -> ibis.StringValue:
    """Name of the first rule a row breaks, NULL when it passes them all."""
    return ibis.cases(*[(rule.rejects(table, options), rule.name) for rule in RULES], else_=ibis.null("string"))


def assign_orders(table: ibis.Table, has_order_id: bool) -> ibis.Table:
    """Order key per line: the order id, or customer-day when there is none.

    Each return is re-pointed to the customer's latest purchase at or before its
    date (so netting happens inside that order); a return with no such purchase
    is marked `unmatched_return`.
    """
    day_key = table[_c("customer_id")] + "|" + table[_c("order_date")].strftime("%Y-%m-%d")
    own_key = table[_c("order_id")].fill_null(day_key) if has_order_id else day_key
    table = table.mutate(_order_key=own_key)
    sortable = table[_c("order_date")].strftime("%Y-%m-%dT%H:%M:%S") + ORDER_KEY_SEPARATOR + table._order_key
    purchase_key = ibis.ifelse(table._is_return, ibis.null("string"), sortable)
    window = ibis.cumulative_window(
        group_by=table[_c("customer_id")], order_by=[table[_c("order_date")], table._is_return, table._order_key]
    )
    table = table.mutate(_latest_purchase=purchase_key.max().over(window))
    matched = table._latest_purchase.split(ORDER_KEY_SEPARATOR)[1]
    return table.mutate(
        _order_key=ibis.ifelse(table._is_return, matched, table._order_key),
        _rule=ibis.ifelse(table._is_return & table._latest_purchase.isnull(), UNMATCHED_RETURN.name, table._rule),
    ).drop("_latest_purchase")


@dataclass
class IngestResult:
    """What ingest wrote and the counts that account for every row."""

    transactions_path: Path
    quarantine_path: Path
    quality: dict = field(default_factory=dict)

    @property
    def reconciled(self) -> bool:
        return self.quality["reconciliation"]["rows_ok"] and self.quality["reconciliation"]["money_ok"]


def _check_dates_parse(table: ibis.Table, date_column: str, options: CleaningOptions) -> None:
    stats = table.aggregate(
        present=table[_c("order_date")].notnull().sum(),
        given=_clean_text(table[date_column]).notnull().sum(),
    ).execute()
    present, given = int(stats["present"].iloc[0] or 0), int(stats["given"].iloc[0] or 0)
    if given and (given - present) / given > DATE_FAILURE_SHARE:
        examples = (
            table.filter(table[_c("order_date")].isnull() & _clean_text(table[date_column]).notnull())
            .select(date_column)
            .limit(3)
            .execute()[date_column]
            .tolist()
        )
        fmt = f"format '{options.date_format}'" if options.date_format else "no format (ISO dates expected)"
        raise InputError(
            f"{given - present:,} of {given:,} values in date column '{date_column}' do not parse with {fmt}, "
            f"e.g. {examples}; set dates.format in your config (e.g. '%Y%m%d', '%d/%m/%Y %H:%M')"
        )


def _summarise(ruled: ibis.Table) -> pd.DataFrame:
    """Rows and money per outcome (rule name, or 'kept')."""
    outcome = ruled._rule.fill_null("kept")
    return (
        ruled.mutate(outcome=outcome)
        .group_by("outcome")
        .aggregate(
            rows=ibis._.count(),
            money=ibis._._money.sum(),
            without_money=ibis._._money.isnull().sum(),
            returns=ibis._._is_return.sum(),
            return_money=ibis.ifelse(ibis._._is_return, ibis._[_c("amount")], 0.0).sum(),
        )
        .execute()
        .set_index("outcome")
        .fillna(0.0)
    )


def quality_report(summary: pd.DataFrame, extreme: pd.Series, returns_mode: str) -> dict:
    """Counts per rule and the row/money reconciliation, as JSON-ready numbers."""
    rows_in = int(summary["rows"].sum())
    money_in = round(float(summary["money"].sum()), 2)

    def get(outcome: str, column: str) -> float:
        return float(summary[column].get(outcome, 0.0))

    rules = [
        {
            "rule": rule.name,
            "description": rule.description,
            "rows": int(get(rule.name, "rows")),
            "money": round(get(rule.name, "money"), 2),
        }
        for rule in ALL_RULES
    ]
    duplicates = next(r for r in rules if r["rule"] == "duplicate_row")
    quarantined = [r for r in rules if r["rule"] != "duplicate_row"]
    rows_kept, money_kept = int(get("kept", "rows")), round(get("kept", "money"), 2)
    rows_quarantined = sum(r["rows"] for r in quarantined)
    money_quarantined = round(sum(r["money"] for r in quarantined), 2)
    return {
        "rows_in": rows_in,
        "money_in": money_in,
        "rows_kept": rows_kept,
        "money_kept": money_kept,
        "rows_quarantined": rows_quarantined,
        "money_quarantined": money_quarantined,
        "duplicates_removed": duplicates["rows"],
        "duplicate_money": duplicates["money"],
        "returns_mode": returns_mode,
        "returns_netted": int(get("kept", "returns")),
        "returns_netted_money": round(get("kept", "return_money"), 2),
        "rows_without_money": int(summary["without_money"].sum()),
        "extreme_lines_flagged": int(extreme["rows"]),
        "extreme_threshold": round(float(extreme["threshold"]), 2),
        "rules": rules,
        "reconciliation": {
            "rows_ok": rows_in == rows_kept + rows_quarantined + duplicates["rows"],
            "money_ok": abs(money_in - (money_kept + money_quarantined + duplicates["money"]))
            < 0.01 + 1e-9 * abs(money_in),
        },
    }


def clean(raw: ibis.Table, mapping: dict[str, str], options: CleaningOptions) -> ibis.Table:
    """Raw lines -> parsed lines with `_rule` (NULL = kept) and `_order_key`."""
    check_mapping(raw, mapping, "the input")
    parsed = parse_lines(raw, mapping, options)
    _check_dates_parse(parsed, mapping["order_date"], options)
    ruled = parsed.mutate(_rule=first_broken_rule(parsed, options))
    passing = ruled.filter(ruled._rule.isnull())
    rejected = ruled.filter(ruled._rule.notnull()).mutate(_order_key=ibis.null("string"))
    kept = assign_orders(passing, "order_id" in mapping)
    return kept.union(rejected.select(kept.columns))


def canonical_transactions(ruled: ibis.Table, mapping: dict[str, str], extreme_threshold: float) -> ibis.Table:
    """Kept lines in the canonical schema (DESIGN.md), in a deterministic order."""
    kept = ruled.filter(ruled._rule.isnull())
    columns = {
        "customer_id": kept[_c("customer_id")],
        "order_id": kept._order_key,
        "order_date": kept[_c("order_date")],
        "amount": kept[_c("amount")],
    }
    if "quantity" in mapping:
        columns["quantity"] = kept[_c("quantity")]
    for name in OPTIONAL_TEXT:
        if name in mapping:
            columns[name] = kept[_c(name)]
    columns["is_return"] = kept._is_return
    columns["purchase_date"] = order_purchase_date(kept[_c("order_date")], kept[_c("customer_id")], kept._order_key)
    columns["is_extreme"] = kept[_c("amount")] > extreme_threshold
    columns["source_file"] = kept[SOURCE_FILE]
    columns["source_row"] = kept[SOURCE_ROW]
    return kept.select(**columns).order_by(["customer_id", "order_date", "order_id", "source_file", "source_row"])


def quarantine_rows(ruled: ibis.Table, raw_columns: list[str], malformed: pd.DataFrame) -> ibis.Table:
    """Rejected rows exactly as given, with the rule they broke and where they came from; when lines could
    not be split into fields, a `raw_line` column keeps their whole text."""
    bad = ruled.filter(ruled._rule.notnull())
    rows = bad.select(
        rule=bad._rule, source_file=bad[SOURCE_FILE], source_row=bad[SOURCE_ROW], **{c: bad[c] for c in raw_columns}
    )
    if len(malformed):
        rows = rows.mutate(raw_line=ibis.null("string"))
        lines = pd.DataFrame({"rule": MALFORMED_LINE.name, "source_file": malformed[SOURCE_FILE],
                              "source_row": malformed[SOURCE_ROW], **dict.fromkeys(raw_columns, None),
                              "raw_line": malformed["raw_line"]})  # fmt: skip
        rows = rows.union(ibis.memtable(lines, schema=rows.schema()))
    return rows.order_by(["rule", "source_file", "source_row"])


def with_true_row_numbers(ruled: ibis.Table, malformed: pd.DataFrame) -> ibis.Table:
    """Row numbers counted around the malformed lines the reader skipped.

    The reader numbers the rows it kept 1, 2, ...; the i-th skipped line (data row r_i) comes after
    r_i - i kept rows, so kept row k is data row k + #{i : r_i - i < k}."""
    shift = ibis.literal(0)
    for source_file, lines in malformed.groupby(SOURCE_FILE):
        rows = lines[SOURCE_ROW].sort_values().to_numpy()
        for before in rows - range(1, len(rows) + 1):
            in_file = ruled[SOURCE_FILE] == source_file
            shift = shift + ibis.ifelse(in_file & (ruled[SOURCE_ROW] > int(before)), 1, 0)
    return ruled.mutate(**{SOURCE_ROW: ruled[SOURCE_ROW] + shift})


def run_ingest(
    con,
    raw: ibis.Table,
    mapping: dict[str, str],
    options: CleaningOptions,
    out_dir: Path,
    header: bool = True,
) -> IngestResult:
    """Clean `raw`, write transactions.parquet, quarantine.parquet; return the quality report.
    `header`: whether the CSV input had a header line (it shifts the line numbers of malformed lines)."""
    out_dir = Path(out_dir)
    raw_columns = [c for c in raw.columns if c not in (SOURCE_FILE, SOURCE_ROW)]
    # a fresh temp name: create_table(overwrite=True) emits broken SQL on ibis 12 + DuckDB 2
    ruled = con.create_table(f"_ingest_lines_{uuid.uuid4().hex}", clean(raw, mapping, options), temp=True)
    malformed = malformed_lines(con, header)
    if len(malformed):
        ruled = con.create_table(
            f"_ingest_lines_{uuid.uuid4().hex}", with_true_row_numbers(ruled, malformed), temp=True
        )
    summary = _summarise(ruled)
    summary.loc[MALFORMED_LINE.name] = {"rows": len(malformed), "money": 0.0, "without_money": len(malformed),
                                        "returns": 0, "return_money": 0.0}  # fmt: skip
    if int(summary["rows"].sum()) == 0:
        raise InputError("the input has no data rows (a header only?); check input.path and input.csv.header")
    if int(summary["rows"].get("kept", 0)) == 0:
        raise InputError(
            "no rows left after cleaning: every row broke a rule "
            f"({summary['rows'].to_dict()}); check the column mapping and dates.format"
        )
    kept = ruled.filter(ruled._rule.isnull() & ~ruled._is_return)
    threshold = float(kept[_c("amount")].quantile(options.extreme_quantile).execute())
    extreme_rows = int(kept.filter(kept[_c("amount")] > threshold).count().execute())
    quality = quality_report(summary, pd.Series({"rows": extreme_rows, "threshold": threshold}), options.returns)
    if not (quality["reconciliation"]["rows_ok"] and quality["reconciliation"]["money_ok"]):
        balance = {
            k: quality[k]
            for k in (
                "rows_in",
                "rows_kept",
                "rows_quarantined",
                "duplicates_removed",
                "money_in",
                "money_kept",
                "money_quarantined",
            )
        }
        raise ReconciliationError(f"ingest could not account for every row and unit of money: {balance}")
    result = IngestResult(out_dir / "transactions.parquet", out_dir / "quarantine.parquet", quality)
    for expr, target in (
        (canonical_transactions(ruled, mapping, threshold), result.transactions_path),
        (quarantine_rows(ruled, raw_columns, malformed), result.quarantine_path),
    ):
        with atomic_path(target) as tmp:
            con.to_parquet(expr, tmp)
    return result


def rules_table(quality: dict) -> pd.DataFrame:
    """The cleaning rules in the order applied, with rows and money each removed."""
    frame = pd.DataFrame(quality["rules"])[["rule", "description", "rows", "money"]]
    frame["share_of_rows"] = frame["rows"] / quality["rows_in"]
    return frame
