"""Cleaning raw transaction lines into the canonical schema, accounting for every row.

Each cleaning rule is a named function over an Ibis table of parsed lines that
returns True for the rows it rejects. Rules apply in order; a rejected row goes
to the quarantine with the name of the first rule it broke. Returns are either
netted against the customer's latest earlier purchase (of the same product when the data has products) or
quarantined, as the config says. The reconciliation `rows in = kept + quarantined + duplicates`
(and the same for money) is checked before anything is written.

How, at the speed of the engine: each file is read and parsed once into a temporary table (row numbers are
its row ids); the decisions that need other rows (exact copies, the purchase each return nets against, orders
spanning several days) are small tables beside it, the first two settled into the stored lines (in place on
DuckDB, a join on Spark); no query reads the big table twice; the one sort is the final one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import cast

import ibis
import pandas as pd
import pyarrow.compute as pc
import pyarrow.parquet as pq

from helpers.core.config import EARLIEST_DATE, AmountsSection, CleaningSection, DatesSection
from helpers.core.errors import InputError, ReconciliationError
from helpers.core.parsing import (
    AUTO,
    DEFAULT_READING,
    NumberReading,
    compact_date,
    excel_serial_date,
    id_checks,
    kept_part,
    parse_number,
    plain_number,
    reading_for,
    written_date,
)
from helpers.data import cleaning_engines
from helpers.data.artifacts import atomic_path
from helpers.data.sources import (
    LINE,
    SOURCE_FILE,
    SOURCE_ROW,
    RawInput,
    check_mapping,
    malformed_lines,
)

__all__ = [
    "ABOVE_SPACE",
    "ALL_RULES",
    "DATE_FAILURE_SHARE",
    "DECISION",
    "DUPLICATE_ROW",
    "EXTREME_THRESHOLD",
    "ISO_ENDINGS",
    "MALFORMED_LINE",
    "MONEY_TOLERANCE",
    "NON_PRODUCT_LINE",
    "NUMBER_SAMPLE_ROWS",
    "OPTIONAL_TEXT",
    "READ_AS",
    "RULES",
    "UNMATCHED_RETURN",
    "UNREAD_EXAMPLES",
    "CleaningOptions",
    "IngestResult",
    "Rule",
    "accounted_money",
    "canonical_transactions",
    "clean",
    "covering_purchases",
    "duplicate_lines",
    "extreme_lines",
    "first_broken_rule",
    "match_returns",
    "money_column",
    "multi_day_orders",
    "own_order_key",
    "parse_date",
    "parse_lines",
    "quality_report",
    "quarantine_rows",
    "raw_text",
    "read_date",
    "repeated_hashes",
    "return_key",
    "rules_after",
    "rules_table",
    "run_ingest",
    "settled",
    "stored_form",
    "values_read",
    "with_derived",
    "with_duplicates",
    "with_true_row_numbers",
]

OPTIONAL_TEXT = ("channel", "category", "store", "product_id", "product_name", "region")
NUMBER_SAMPLE_ROWS = 10_000  # the amounts that show how numbers are written, when amounts.locale is auto
UNREAD_EXAMPLES = 5
ISO_ENDINGS = (*"0123456789", "Z")  # the last character of an ISO date or timestamp
DATE_FAILURE_SHARE = 0.5
MONEY_TOLERANCE = 0.005  # half a cent: money computed from a price and a quantity may differ by float rounding
ABOVE_SPACE = "!"  # text sorting below it is empty or starts with str.strip()'s whitespace or a control character


class CleaningOptions(CleaningSection):
    """What the rules need to know: the config's cleaning section plus its date and amount settings."""

    date_format: str | None = None
    date_keep: str | None = None
    earliest_date: date = EARLIEST_DATE
    observation_end: date | None = None
    amounts_locale: str = AUTO
    number_reading: NumberReading = DEFAULT_READING  # resolved from amounts_locale by `read_numbers_as`

    @property
    def last_valid_date(self) -> date:
        """dates.observation_end, or today: a transaction cannot happen after the export was made."""
        return self.observation_end or date.today()

    @classmethod
    def from_config(cls, dates: DatesSection, cleaning: CleaningSection, amounts: AmountsSection) -> CleaningOptions:
        return cls(**cleaning.model_dump(), date_format=dates.format, date_keep=dates.keep,
                   earliest_date=dates.earliest, observation_end=dates.observation_end,
                   amounts_locale=amounts.locale)  # fmt: skip

    def read_numbers_as(self, raw: ibis.Table, amount_column: str) -> CleaningOptions:
        """These options with the number reading amounts.locale declares, or (auto) the one the first
        NUMBER_SAMPLE_ROWS amounts show."""
        sample = raw.select(amount_column).limit(NUMBER_SAMPLE_ROWS).execute()[amount_column]
        return self.model_copy(update={"number_reading": reading_for(self.amounts_locale, sample)})


@dataclass(frozen=True)
class Rule:
    name: str
    description: str
    rejects: Callable[[ibis.Table, CleaningOptions], ibis.BooleanValue] | None


def _c(name: str) -> str:
    """Internal name of a parsed canonical column (raw columns keep their own names)."""
    return f"__{name}"


def _strip(value: ibis.StringValue) -> ibis.StringValue:
    """Without leading and trailing whitespace. Trimming a set of characters is slow in DuckDB (several times a
    cast), so it only runs on the few values that start or end with a space or control character."""
    # text compares byte by byte on both engines: a comparison is cheaper than taking a character's code
    edged = (value < ABOVE_SPACE) | (value.reverse() < ABOVE_SPACE)
    return ibis.ifelse(edged, value.strip(), value)


def _clean_text(value: ibis.StringValue) -> ibis.StringValue:
    return _strip(value).nullif("")


def read_date(text: ibis.StringValue, date_format: str | None) -> ibis.TimestampValue:
    """Stripped date text read as ISO, or with the strftime format when one is given; NULL for text written any
    other way (a Parquet or Excel column of real timestamps reads as ISO text too)."""
    # only ISO-shaped text is cast: DuckDB reads '2018-01-05 08:15 PM' as 08:15 (it ignores the word) and Spark
    # reads an Excel serial day '45356' as the year 45356
    iso_shaped = text.contains("-") & text.right(1).isin(ISO_ENDINGS)
    read = ibis.ifelse(iso_shaped, text.try_cast("timestamp"), ibis.null("timestamp"))
    if date_format:
        read = cleaning_engines.for_connection(ibis.get_backend(text)).strptime(text, date_format).fill_null(read)
    return read


def parse_date(
    value: ibis.StringValue,
    date_format: str | None,
    keep: str | None = None,
    *,
    read: ibis.TimestampValue | None = None,
) -> ibis.TimestampValue:
    """Text to timestamp; NULL if unparseable. Read as ISO or with the strftime format (`read_date`; `read` when the
    caller has it already); what neither reads, as exports write dates (`helpers.core.parsing`: a weekday or time
    after the date, 年月日, Excel serial days). `keep` (a pattern, dates.keep) names the part of the text that is
    the date."""
    text = kept_part(_strip(value), keep)
    read = read_date(text, date_format) if read is None else read
    # the written forms are only tried where the cast and the format failed
    written = written_date(text).fill_null(compact_date(text)).fill_null(excel_serial_date(text))
    return ibis.ifelse(read.isnull(), written, read)


def accounted_money(amount: ibis.FloatingValue, limit: float) -> ibis.FloatingValue:
    """The money a row stands for in the reconciliation: its amount when that is a number within `limit`
    (cleaning.max_abs_amount); NULL (no money that can be read) otherwise. An amount that could not be read,
    or not believed, is reported as its text, never summed as a guess."""
    return ibis.ifelse(amount.isnan() | (amount.abs() > limit), ibis.null("float64"), amount)


def money_column(mapping: dict[str, str]) -> str:
    """The input column whose text is the money: columns.amount, or columns.unit_price (times the quantity)."""
    return mapping.get("amount") or mapping["unit_price"]


def parse_lines(raw: ibis.Table, mapping: dict[str, str], options: CleaningOptions) -> ibis.Table:
    """Add parsed canonical columns (`__customer_id`, `__amount`, ...) beside the raw text columns, and how the
    money and the date were read: `_amount_written` and `_date_written` (not plain numbers or ISO/dates.format
    dates, so read as people write them) and `_amount_given` (money text not empty)."""
    date_column, money = mapping["order_date"], money_column(mapping)
    # the plain readings once, in their own columns: the parsed values and the flags both use them
    raw = raw.mutate(_date_read=read_date(kept_part(_strip(raw[date_column]), options.date_keep), options.date_format),
                     _amount_plain=plain_number(_strip(raw[money]), options.number_reading))  # fmt: skip
    parsed = {
        _c("customer_id"): _clean_text(raw[mapping["customer_id"]]),
        _c("order_date"): parse_date(raw[date_column], options.date_format, options.date_keep, read=raw._date_read),
    }
    if "order_id" in mapping:
        parsed[_c("order_id")] = _clean_text(raw[mapping["order_id"]])
    if "quantity" in mapping:
        parsed[_c("quantity")] = parse_number(_strip(raw[mapping["quantity"]]), options.number_reading, units=True)
    amount = parse_number(_strip(raw[money]), options.number_reading, plain=raw._amount_plain)
    # a line of quantity x unit price is money to the cent, as the invoice shows it
    parsed[_c("amount")] = (parsed[_c("quantity")] * amount).round(2) if "unit_price" in mapping else amount
    for name in OPTIONAL_TEXT:
        if name in mapping:
            parsed[_c(name)] = _clean_text(raw[mapping[name]])
    read_as = {"_amount_written": raw._amount_plain.isnull(), "_date_written": raw._date_read.isnull(),
               "_amount_given": _strip(raw[money]).nullif("").notnull()}  # fmt: skip
    table = raw.mutate(**parsed, **read_as).drop("_date_read", "_amount_plain")
    is_return = table[_c("amount")] < 0
    if "quantity" in mapping:
        is_return |= table[_c("quantity")].fill_null(0) < 0
    if options.cancellation_prefix and "order_id" in mapping:
        is_return |= table[_c("order_id")].startswith(options.cancellation_prefix).fill_null(False)
    table = table.mutate(_is_return=is_return.fill_null(False))
    # a return is money going back: negative whatever sign the file used
    return table.mutate(
        **{_c("amount"): ibis.ifelse(table._is_return, -table[_c("amount")].abs(), table[_c("amount")])}
    )


DUPLICATE_ROW = "duplicate_row"
NON_PRODUCT_LINE = "non_product_line"
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
        "before_earliest_date",
        "order date before dates.earliest (default 1970-01-01): an export's placeholder, not a purchase",
        lambda t, o: t[_c("order_date")] < ibis.timestamp(o.earliest_date),
    ),
    Rule(
        "implausible_amount",
        "amount beyond cleaning.max_abs_amount (default 1e12): a typing or export error, not a purchase",
        lambda t, o: t[_c("amount")].abs() > o.max_abs_amount,
    ),
    Rule(
        NON_PRODUCT_LINE,
        "product code in cleaning.non_product_codes (postage, fees, manual adjustments, discounts): money, not a "
        "purchase",
        lambda t, o: (
            t[_c("product_id")].upper().isin([code.upper() for code in o.non_product_codes]).fill_null(False)
            if o.non_product_codes
            else ibis.literal(False)
        ),
    ),
    Rule(DUPLICATE_ROW, "exact copy of an earlier row", None),  # decided once the rows are stored
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
UNMATCHED_RETURN = Rule(
    "unmatched_return",
    "return with no earlier purchase by the customer (of the same product, when columns.product_id is mapped) to "
    "net against",
    None,
)
MALFORMED_LINE = Rule("malformed_line", "line with more or fewer fields than the header (kept as raw text)", None)
ALL_RULES = (*RULES, UNMATCHED_RETURN, MALFORMED_LINE)  # in the order quality.json lists them


def first_broken_rule(table: ibis.Table, options: CleaningOptions) -> ibis.StringValue:
    """Name of the first rule a row breaks, NULL when it passes them all."""
    broken = [(rule.rejects(table, options), rule.name) for rule in RULES if rule.rejects]
    return ibis.cases(*broken, else_=ibis.null("string"))


def rules_after(name: str) -> list[str]:
    """The rules applied after `name`: a row found to break `name` later no longer counts as breaking them."""
    names = [rule.name for rule in RULES]
    return names[names.index(name) + 1 :]


def own_order_key(table: ibis.Table, has_order_id: bool) -> ibis.StringValue:
    """A line's order key: its order id, or customer-day when there is none."""
    day_key = table[_c("customer_id")] + "|" + table[_c("order_date")].strftime("%Y-%m-%d")
    # a CASE, not COALESCE: the day key is only built for the lines without an order id
    return ibis.ifelse(table[_c("order_id")].isnull(), day_key, table[_c("order_id")]) if has_order_id else day_key


def _text_columns(mapping: dict[str, str]) -> dict[str, str]:
    """User column -> parsed column, for the columns that are cleaned text (trimmed, empty as NULL)."""
    return {mapping[name]: _c(name) for name in ("customer_id", "order_id", *OPTIONAL_TEXT) if name in mapping}


def stored_form(raw: ibis.Table, mapping: dict[str, str], options: CleaningOptions) -> ibis.Table:
    """What ingest stores of each raw row: the parsed columns, the rule it breaks (duplicates and unmatched
    returns are decided later, `settled`, as is the order a return nets against: `_net_key`, `_net_day`), a hash
    of its values, and the raw text itself, where a text column's raw value is only kept when cleaning changed it
    (`raw_text` puts it back)."""
    columns = [c for c in raw.columns if c != SOURCE_ROW]  # on Spark the row number comes with the row
    table = parse_lines(raw, mapping, options)
    # the hash of a row's text, taken over what was parsed from it where there is that (a number or a date hashes
    # faster than its text; equal text parses equally, and `duplicate_lines` compares the candidates' text)
    parsed = {user: _c(name) for name, user in mapping.items() if _c(name) in table.columns}
    hashed = ibis.struct({c: table[parsed[c]] if c in parsed else raw[c] for c in columns}).hash()
    table = table.mutate(_rule=first_broken_rule(table, options), _hash=hashed)
    changed = {user: ibis.ifelse(raw[user].identical_to(table[parsed]), ibis.null("string"), raw[user])
               for user, parsed in _text_columns(mapping).items()}  # fmt: skip
    return table.mutate(**changed, _net_key=ibis.null("string"), _net_day=ibis.null("date"))


def with_derived(lines: ibis.Table, mapping: dict[str, str], options: CleaningOptions) -> ibis.Table:
    """Stored lines with what is cheaper to compute where used than to store: the order key and day (a kept
    return's: those of the order it nets against), the money each line accounts for, and whether its date was
    given but did not parse."""
    date, amount = lines[_c("order_date")], lines[_c("amount")]
    return lines.mutate(
        _order_key=ibis.ifelse(lines._net_key.isnull(), own_order_key(lines, "order_id" in mapping), lines._net_key),
        _purchase_day=lines._net_day.fill_null(date.date()),
        _money=accounted_money(amount, options.max_abs_amount),
        _date_unparsed=ibis.ifelse(date.isnull(), _clean_text(lines[mapping["order_date"]]).notnull(), False),
    )


def raw_text(lines: ibis.Table, columns: list[str], mapping: dict[str, str]) -> dict[str, ibis.StringValue]:
    """The raw columns of stored lines exactly as the user gave them."""
    text = _text_columns(mapping)
    return {c: lines[c].fill_null(lines[text[c]]) if c in text else lines[c] for c in columns}


def repeated_hashes(lines: ibis.Table) -> ibis.Table:
    """The `_hash` values that more than one line has: the few candidates for exact copies."""
    return lines.group_by("_hash").aggregate(copies=ibis._.count()).filter(ibis._.copies > 1).select("_hash")


def duplicate_lines(lines: ibis.Table, repeated: ibis.Table, *, columns: list[str], mapping: dict[str, str]
                    ) -> ibis.Table:  # fmt: skip
    """`_line` of every exact copy of an earlier row (same text in every column; the first copy is kept).

    Only the lines with a `repeated` hash (`repeated_hashes`, stored apart: a query that read `lines` twice would
    have DuckDB copy them) are compared column by column, so a hash collision cannot make two different rows
    duplicates."""
    candidates = lines.filter(lines._hash.isin(repeated._hash))
    candidates = candidates.select(LINE, SOURCE_FILE, **raw_text(candidates, columns, mapping))
    rank = ibis.row_number().over(group_by=columns, order_by=[SOURCE_FILE, LINE])
    return candidates.mutate(_copy_rank=rank).filter(ibis._._copy_rank > 0).select(LINE)


def _rule_with_copies(rule: ibis.StringValue, is_copy: ibis.BooleanValue) -> ibis.StringValue:
    """duplicate_row for the copies that broke no rule applied before it."""
    overridable = rule.isnull() | rule.isin(rules_after(DUPLICATE_ROW))
    return ibis.ifelse(is_copy & overridable, DUPLICATE_ROW, rule)


def with_duplicates(lines: ibis.Table, duplicates: ibis.Table) -> ibis.Table:
    """Lines with `_rule` = duplicate_row for the copies that broke no earlier rule."""
    return lines.mutate(_rule=_rule_with_copies(lines._rule, lines[LINE].isin(duplicates[LINE])))


def return_key(lines: ibis.Table, by_product: bool) -> ibis.StringValue:
    """What a return must share with the purchase it nets against: the customer, and the product when known (a
    cancelled invoice line undoes that product's purchase, not the customer's latest order of anything)."""
    customer = lines[_c("customer_id")]
    return customer + "\x1f" + lines[_c("product_id")].fill_null("") if by_product else customer


def match_returns(lines: ibis.Table, engine: cleaning_engines.DuckDBCleaning, by_product: bool) -> ibis.Table | None:
    """For each return that passed the rules: the customer's latest purchase (of the same product, `by_product`)
    at or before it (among purchases at that same moment, the largest order key), as `_matched_key` and
    `_matched_date`; NULL when there is none (an `unmatched_return`). None when no return passed. An as-of join
    over the returning customers' purchases; the returns are stored apart first, as a query that read `lines`
    twice would have DuckDB copy them."""
    passing = lines.filter(lines._rule.isnull())
    returned = passing.filter(passing._is_return)
    returns = engine.store("returns", returned.select(LINE, _customer=return_key(returned, by_product),
                                                      _time=returned[_c("order_date")],
                                                      _returned=returned[_c("amount")].abs()))  # fmt: skip
    if returns is None:
        return None
    key = return_key(passing, by_product)
    bought = passing.filter(~passing._is_return & key.isin(returns._customer))
    moments = bought.group_by(_buyer=return_key(bought, by_product), _bought_at=bought[_c("order_date")]).aggregate(
        _matched_key=bought._order_key.max(), _bought_money=bought[_c("amount")].sum()
    )
    matched = engine.latest_moments(returns.drop("_returned"), moments.drop("_bought_money"))
    matched = matched.select(LINE, "_matched_key", _matched_date=matched._bought_at.date())
    if not by_product:
        return matched
    both = matched.left_join(covering_purchases(returns, moments), LINE)
    return both.select(LINE, _matched_key=both._cover_key.fill_null(both._matched_key),
                       _matched_date=both._cover_date.fill_null(both._matched_date))  # fmt: skip


def covering_purchases(returns: ibis.Table, moments: ibis.Table) -> ibis.Table:
    """For each return of a product: the latest earlier purchase of it by the customer whose money covers the
    return (`_cover_key`, `_cover_date`); a return of 14 units nets against the order of 24, not a later one of 1.
    Returns without such a purchase are absent (they net against the latest purchase of the product)."""
    pairs = returns.join(moments, [returns._customer == moments._buyer, moments._bought_at <= returns._time,
                                   moments._bought_money >= returns._returned - MONEY_TOLERANCE])  # fmt: skip
    latest = ibis.row_number().over(group_by=LINE, order_by=[ibis.desc("_bought_at"), ibis.desc("_matched_key")])
    pairs = pairs.mutate(_rank=latest).filter(ibis._._rank == 0)
    return pairs.select(LINE, _cover_key="_matched_key", _cover_date=pairs._bought_at.date())


DECISION = (LINE, "_duplicate", "_return", "_matched_key", "_matched_date")  # one row per copy or kept return


def settled(lines: ibis.Table, decisions: ibis.Table) -> ibis.Table:
    """Stored lines with the decisions taken after storing them (`decisions`: `DECISION`, one row per duplicate or
    kept return): copies marked duplicate_row; each kept return given the order it nets against (`_net_key`,
    `_net_day`: netting happens inside that order, on its day) or marked unmatched_return."""
    joined = lines.left_join(decisions, LINE).drop(f"{LINE}_right")
    matched = joined._return.fill_null(False)
    rule = _rule_with_copies(joined._rule, joined._duplicate.fill_null(False))
    return joined.mutate(
        _rule=ibis.ifelse(matched & joined._matched_key.isnull(), UNMATCHED_RETURN.name, rule),
        _net_key=ibis.ifelse(matched, joined._matched_key, joined._net_key),
        _net_day=ibis.ifelse(matched, joined._matched_date, joined._net_day),
    ).drop("_duplicate", "_return", "_matched_key", "_matched_date")


def multi_day_orders(lines: ibis.Table) -> ibis.Table:
    """Kept orders whose purchase lines fall on several days (`_buyer`, `_order`), with the first (`_first_day`)."""
    bought = lines.filter(lines._rule.isnull() & ~lines._is_return)
    spans = bought.group_by(_buyer=bought[_c("customer_id")], _order=bought._order_key).aggregate(
        _first=bought[_c("order_date")].min(), _last=bought[_c("order_date")].max()
    )
    spans = spans.filter(spans._first.date() != spans._last.date())
    return spans.select("_buyer", "_order", _first_day=spans._first.date())


@dataclass
class IngestResult:
    """What ingest wrote and the counts that account for every row."""

    transactions_path: Path
    quarantine_path: Path
    quality: dict = field(default_factory=dict)

    @property
    def reconciled(self) -> bool:
        return self.quality["reconciliation"]["rows_ok"] and self.quality["reconciliation"]["money_ok"]


def _check_dates_parse(lines: ibis.Table, date_column: str, options: CleaningOptions) -> None:
    """Stop when most given dates do not parse: the format is wrong, not the rows."""
    stats = lines.aggregate(present=lines[_c("order_date")].notnull().sum(), unparsed=lines._date_unparsed.sum())
    stats = stats.execute()
    present, unparsed = int(stats["present"].iloc[0] or 0), int(stats["unparsed"].iloc[0] or 0)
    given = present + unparsed
    if given and unparsed / given > DATE_FAILURE_SHARE:
        examples = lines.filter(lines._date_unparsed).order_by(LINE).limit(3).execute()[date_column].tolist()
        fmt = f"format '{options.date_format}'" if options.date_format else "no format (ISO or written dates expected)"
        raise InputError(
            f"{unparsed:,} of {given:,} values in date column '{date_column}' do not parse with {fmt}, "
            f"e.g. {examples}; set dates.format in your config (e.g. '%Y%m%d', '%d/%m/%Y %H:%M'), or dates.keep "
            "to name the part of the text that is the date (e.g. '^(\\S+)' for the first word)"
        )


READ_AS = ("amount_written", "date_written", "amount_given")  # the flags of `parse_lines`, counted per outcome
EXTREME_THRESHOLD = "extreme_threshold"


def _summarise(ruled: ibis.Table, *, extreme_quantile: float) -> pd.DataFrame:
    """Rows, money and how values were read (`READ_AS`) per outcome (rule name, or 'kept'), and the amount at
    `extreme_quantile` of each outcome's purchases (`EXTREME_THRESHOLD`: the kept one marks lines `is_extreme`),
    in one pass over the lines."""
    outcome, amount = ruled._rule.fill_null("kept"), ibis._[_c("amount")]
    return (
        ruled.mutate(outcome=outcome)
        .group_by("outcome")
        .aggregate(
            rows=ibis._.count(),
            money=ibis._._money.sum(),
            without_money=ibis._._money.isnull().sum(),
            returns=ibis._._is_return.sum(),
            return_money=ibis.ifelse(ibis._._is_return, amount, 0.0).sum(),
            **{flag: ibis._[f"_{flag}"].sum() for flag in READ_AS},
            **{EXTREME_THRESHOLD: amount.quantile(extreme_quantile, where=~ibis._._is_return)},
        )
        .execute()
        .set_index("outcome")
        .fillna(0.0)
    )


def quality_report(summary: pd.DataFrame, *, extreme_quantile: float, returns_mode: str) -> dict:
    """Counts per rule and the row/money reconciliation, as JSON-ready numbers (`extreme_lines_flagged`, the
    lines above the threshold, is counted once they are written: `extreme_lines`)."""
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
    duplicates = next(r for r in rules if r["rule"] == DUPLICATE_ROW)
    rows_kept, money_kept = int(get("kept", "rows")), round(get("kept", "money"), 2)
    rows_quarantined = sum(cast(int, r["rows"]) for r in rules)  # every row in quarantine.parquet, duplicates included
    money_quarantined = round(sum(cast(float, r["money"]) for r in rules), 2)
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
        "extreme_lines_flagged": None,
        "extreme_threshold": round(get("kept", EXTREME_THRESHOLD), 2),
        "extreme_quantile": extreme_quantile,
        "rules": rules,
        "reconciliation": {
            "rows_ok": rows_in == rows_kept + rows_quarantined,
            "money_ok": abs(money_in - (money_kept + money_quarantined)) < 0.01 + 1e-9 * abs(money_in),
        },
    }


def clean(
    con, raw: RawInput, *, mapping: dict[str, str], options: CleaningOptions
) -> tuple[ibis.Table, ibis.Table | None]:
    """Raw lines -> lines with `_rule` (NULL = kept), `_order_key` and `_purchase_day`, and the kept orders
    whose lines fall on several days (see `multi_day_orders`).

    The files are read and parsed once into a temporary table; duplicates, return matches and multi-day orders
    are small tables beside it; the decisions about duplicates and returns are settled into the stored lines
    (`settled`; in place on DuckDB)."""
    engine = cleaning_engines.for_connection(con)
    stored = engine.store_lines(raw, lambda table: stored_form(table, mapping, options))
    lines = with_derived(stored, mapping, options)
    _check_dates_parse(lines, mapping["order_date"], options)
    copies = None
    repeated = engine.store("repeated", repeated_hashes(lines)) if options.drop_duplicates else None
    if repeated is not None:
        copies = engine.store("duplicates", duplicate_lines(lines, repeated, columns=raw.columns, mapping=mapping))
    matched = match_returns(with_duplicates(lines, copies) if copies is not None else lines, engine,
                            by_product="product_id" in mapping)  # fmt: skip
    decided = [] if matched is None else [matched.mutate(_duplicate=False, _return=True)]
    if copies is not None:
        no_match = {"_matched_key": ibis.null("string"), "_matched_date": ibis.null("date")}
        decided.append(copies.mutate(_duplicate=True, _return=False, **no_match))
    decisions = engine.store("decisions", ibis.union(*(d.select(*DECISION) for d in decided))) if decided else None
    if decisions is not None:
        lines = with_derived(engine.settle(stored, decisions, settled), mapping, options)
    orders = engine.store("orders", multi_day_orders(lines)) if "order_id" in mapping else None
    return lines, orders


def canonical_transactions(
    ruled: ibis.Table, orders: ibis.Table | None, *, mapping: dict[str, str], extreme_threshold: float
) -> ibis.Table:
    """Kept lines in the canonical schema (DESIGN.md), in a deterministic order. `purchase_date` is the day of
    the order's first line: the line's own (a return: its matched purchase's), unless the order is in `orders`."""
    kept = ruled.filter(ruled._rule.isnull())
    if orders is not None:
        kept = kept.left_join(orders, [kept[_c("customer_id")] == orders._buyer, kept._order_key == orders._order])
        kept = kept.mutate(_purchase_day=kept._first_day.fill_null(kept._purchase_day))
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
    columns["purchase_date"] = kept._purchase_day
    columns["is_extreme"] = kept[_c("amount")] > extreme_threshold
    columns["source_file"] = kept[SOURCE_FILE]
    columns["source_row"] = kept[SOURCE_ROW]
    return kept.select(**columns).order_by(["customer_id", "order_date", "order_id", "source_file", "source_row"])


def quarantine_rows(ruled: ibis.Table, raw_columns: list[str], *, mapping: dict[str, str], malformed: pd.DataFrame
                    ) -> ibis.Table:  # fmt: skip
    """Rejected rows exactly as given, with the rule they broke and where they came from; when lines could
    not be split into fields, a `raw_line` column keeps their whole text."""
    bad = ruled.filter(ruled._rule.notnull())
    rows = bad.select(rule=bad._rule, source_file=bad[SOURCE_FILE], source_row=bad[SOURCE_ROW],
                      **raw_text(bad, raw_columns, mapping))  # fmt: skip
    if len(malformed):
        rows = rows.mutate(raw_line=ibis.null("string"))
        lines = pd.DataFrame({"rule": MALFORMED_LINE.name, "source_file": malformed[SOURCE_FILE],
                              "source_row": malformed[SOURCE_ROW], **dict.fromkeys(raw_columns, None),
                              "raw_line": malformed["raw_line"]})  # fmt: skip
        rows = rows.union(ibis.memtable(lines, schema=rows.schema()))
    return rows.order_by(["rule", "source_file", "source_row"])


def with_true_row_numbers(raw: ibis.Table, malformed: pd.DataFrame) -> ibis.Table:
    """Row numbers counted around the malformed lines the reader skipped.

    The reader numbers the rows it kept 1, 2, ...; the i-th skipped line (data row r_i) comes after
    r_i - i kept rows, so kept row k is data row k + #{i : r_i - i < k}."""
    shift = ibis.literal(0)
    for source_file, lines in malformed.groupby(SOURCE_FILE):
        rows = lines[SOURCE_ROW].sort_values().to_numpy()
        for before in rows - range(1, len(rows) + 1):
            in_file = raw[SOURCE_FILE] == source_file
            shift = shift + ibis.ifelse(in_file & (raw[SOURCE_ROW] > int(before)), 1, 0)
    return raw.mutate(**{SOURCE_ROW: raw[SOURCE_ROW] + shift})


def run_ingest(
    con,
    raw: RawInput,
    *,
    mapping: dict[str, str],
    options: CleaningOptions,
    out_dir: Path,
    header: bool = True,
) -> IngestResult:
    """Clean `raw`, write transactions.parquet, quarantine.parquet; return the quality report.
    `header`: whether the CSV input had a header line (it shifts the line numbers of malformed lines)."""
    out_dir = Path(out_dir)
    check_mapping(raw.table, mapping, "the input")
    options = options.read_numbers_as(raw.table, money_column(mapping))
    ruled, orders = clean(con, raw, mapping=mapping, options=options)
    if raw.malformed is not None:  # read on Spark, which numbers the malformed lines with the others
        malformed = raw.malformed
    else:
        malformed = malformed_lines(con, header)
        if len(malformed):
            ruled = with_true_row_numbers(ruled, malformed)
    summary = _summarise(ruled, extreme_quantile=options.extreme_quantile)
    summary.loc[MALFORMED_LINE.name] = {"rows": len(malformed), "money": 0.0, "without_money": len(malformed),
                                        "returns": 0, "return_money": 0.0, **dict.fromkeys(READ_AS, 0),
                                        EXTREME_THRESHOLD: 0.0}  # fmt: skip
    if int(summary["rows"].sum()) == 0:
        raise InputError("the input has no data rows (a header only?); check input.path and input.csv.header")
    if int(summary["rows"].get("kept", 0)) == 0:
        raise InputError(
            "no rows left after cleaning: every row broke a rule "
            f"({summary['rows'].to_dict()}); check the column mapping and dates.format"
        )
    threshold = float(summary[EXTREME_THRESHOLD].get("kept", 0.0))  # the quality report shows it rounded
    quality = quality_report(summary, extreme_quantile=options.extreme_quantile, returns_mode=options.returns)
    reading = {"reading": options.number_reading.as_json()}
    quality["values_read"] = values_read(ruled, summary, mapping=mapping) | reading
    kept_lines = ruled.filter(ruled._rule.isnull())
    quality["ids"] = id_checks(kept_lines, kept_lines[_c("customer_id")], kept_lines[mapping["customer_id"]])
    if not (quality["reconciliation"]["rows_ok"] and quality["reconciliation"]["money_ok"]):
        balance = {
            k: quality[k]
            for k in (
                "rows_in",
                "rows_kept",
                "rows_quarantined",
                "money_in",
                "money_kept",
                "money_quarantined",
            )
        }
        raise ReconciliationError(f"ingest could not account for every row and unit of money: {balance}")
    result = IngestResult(out_dir / "transactions.parquet", out_dir / "quarantine.parquet", quality)
    for expr, target in (
        (canonical_transactions(ruled, orders, mapping=mapping, extreme_threshold=threshold), result.transactions_path),
        (quarantine_rows(ruled, raw.columns, mapping=mapping, malformed=malformed), result.quarantine_path),
    ):
        with atomic_path(target) as tmp:
            cleaning_engines.for_connection(con).write_parquet(expr, tmp)
    quality["extreme_lines_flagged"] = extreme_lines(result.transactions_path)
    return result


def extreme_lines(transactions_path: Path) -> int:
    """The lines marked `is_extreme` in a transactions file, counted from that one column of the file written
    (cheaper than another pass over the lines; kept returns are negative, never above the threshold)."""
    marked = pq.read_table(transactions_path, columns=["is_extreme"]).column("is_extreme")
    return int(pc.sum(marked).as_py() or 0)


def values_read(ruled: ibis.Table, summary: pd.DataFrame, *, mapping: dict[str, str]) -> dict:
    """How the values were read: kept amounts that were not plain numbers and kept dates that were neither ISO
    nor in dates.format (read as written, `helpers.core.parsing`), and amounts given that nothing read (set aside);
    each with how many rows (from `summary`, `_summarise`'s counts) and a value as written for each of a few ways of
    writing them."""
    money = money_column(mapping)
    kept = ruled._rule.isnull()
    flags = {
        "written_amounts": (money, kept & ruled._amount_written, "kept", "amount_written"),
        "written_dates": (mapping["order_date"], kept & ruled._date_written, "kept", "date_written"),
        "unread_amounts": (money, (ruled._rule == "invalid_amount") & ruled._amount_given, "invalid_amount",
                           "amount_given"),
    }  # fmt: skip
    report = {}
    for name, (column, flag, outcome, count) in flags.items():
        rows = int(summary[count].get(outcome, 0))
        examples: list[str] = []
        if rows:
            flagged = ruled.filter(flag)
            # one example per way of writing (digits aside): '2018-01-01 星期一' and '2018年1月1日', not five weekdays
            shape = flagged[column].re_replace(r"[0-9]+", "9").re_replace(r"星期.|周.", "星期")
            found = flagged.group_by(_shape=shape).aggregate(text=flagged[column].min(), rows=ibis._.count())
            found = found.order_by([ibis.desc("rows"), "text"]).limit(UNREAD_EXAMPLES)  # the commonest ways first
            examples = found.execute()["text"].tolist()
        report[name] = {"rows": rows, "examples": examples}
    return report


def rules_table(quality: dict) -> pd.DataFrame:
    """The cleaning rules in the order applied, with rows and money each removed."""
    frame = pd.DataFrame(quality["rules"])[["rule", "description", "rows", "money"]]
    frame["share_of_rows"] = frame["rows"] / quality["rows_in"]
    return frame
