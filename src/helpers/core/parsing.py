"""Reading values as exports write them: dates with a weekday, a time or 年月日, Excel serial days; money with
currency signs and words, thousands separators and 万/亿; quantities with units (`2盒`); and what customer ids
written by a POS or a spreadsheet may hide (masking, scientific notation, spellings that merge).

Each reader is an Ibis expression (the same on DuckDB and Spark) that gives NULL for text it cannot read, so
the cleaning rules set the row aside with its text. Plain values take one cast; only the others are matched
against the patterns, so a clean file pays nothing for them.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

import ibis
import pandas as pd
from babel import Locale, UnknownLocaleError
from babel.numbers import get_decimal_symbol, get_group_symbol

__all__ = [
    "AFTERNOON",
    "AUTO",
    "COMMA_ONLY",
    "COMPACT_DATE",
    "CURRENCY_AFTER",
    "CURRENCY_BEFORE",
    "DEFAULT_READING",
    "DOMINANT_ID_MIN_IDS",
    "DOMINANT_ID_SHARE",
    "EXAMPLES",
    "EXCEL_EPOCH",
    "EXCEL_SERIAL",
    "MASKED_ID",
    "MERIDIEM",
    "MINUS",
    "MORNING",
    "MULTIPLIERS",
    "POINT_ONLY",
    "SCIENTIFIC_ID",
    "SPACES",
    "UNIT_AFTER",
    "WEEKDAY",
    "WRITTEN_DATE",
    "NumberReading",
    "compact_date",
    "declared_reading",
    "detect_reading",
    "excel_serial_date",
    "id_checks",
    "kept_part",
    "parse_number",
    "plain_number",
    "reading_for",
    "written_date",
    "written_number",
    "written_number_pattern",
]

WEEKDAY = r"(?:星期|周|礼拜)[一二三四五六日天]"
MERIDIEM = r"(上午|下午|AM|PM|am|pm)"
AFTERNOON = ("下午", "PM", "pm")
MORNING = ("上午", "AM", "am")
# groups: 1 year, 2 month, 3 day, 4 meridiem before the time, 5 hour, 6 minute, 7 second, 8 meridiem after it
WRITTEN_DATE = (
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    rf"\s*(?:{WEEKDAY})?\s*{MERIDIEM}?\s*"
    r"(?:(\d{1,2})\s*(?:[:：]|时|点)\s*(\d{1,2})\s*分?\s*(?:[:：]?\s*(\d{1,2})\s*秒?)?)?"
    rf"\s*{MERIDIEM}?\s*(?:{WEEKDAY})?$"
)
COMPACT_DATE = r"^(?:19|20)\d{6}(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$"  # 20150101, 20150101 10:23 (years 1900-2099)
EXCEL_SERIAL = r"^\d{5}(?:\.\d+)?$"  # days since 1899-12-30: 10000 is 1927-05-18, 99999 is 2173-10-14
EXCEL_EPOCH = "1899-12-30 00:00:00"


def _two_digits(text: ibis.StringValue) -> ibis.StringValue:
    return text.lpad(2, "0")


def written_date(text: ibis.StringValue) -> ibis.TimestampValue:
    """A date as Chinese (and many other) exports write it: `2018-01-01 星期五`, `2018年1月1日`, `2018/1/1 10:23`,
    `2018-1-1 下午3:05`; NULL for other text and for impossible dates (2018-02-29)."""

    def part(group: int) -> ibis.StringValue:
        return text.re_extract(WRITTEN_DATE, group)

    meridiem = part(4) + part(8)
    hour = part(5).nullif("").try_cast("int32").fill_null(0)
    hour = ibis.cases(
        (meridiem.isin(AFTERNOON) & (hour < 12), hour + 12),
        (meridiem.isin(MORNING) & (hour == 12), 0),
        else_=hour,
    )
    stamp = (
        part(1) + "-" + _two_digits(part(2)) + "-" + _two_digits(part(3)) + " "
        + _two_digits(hour.cast("string")) + ":" + _two_digits(part(6).nullif("").fill_null("0")) + ":"
        + _two_digits(part(7).nullif("").fill_null("0"))
    )  # fmt: skip
    return ibis.ifelse(text.re_search(WRITTEN_DATE), stamp.try_cast("timestamp"), ibis.null("timestamp"))


def compact_date(text: ibis.StringValue) -> ibis.TimestampValue:
    """A date written without separators, as many POS systems export it (`20150101`, `20150101 10:23`); NULL for
    impossible ones (`20150230`)."""
    stamp = text.left(4) + "-" + text.substr(4, 2) + "-" + text.substr(6, 2) + text.substr(8)
    return ibis.ifelse(text.re_search(COMPACT_DATE), stamp.try_cast("timestamp"), ibis.null("timestamp"))


def excel_serial_date(text: ibis.StringValue) -> ibis.TimestampValue:
    """An Excel serial day number (`43101`, `43101.5` for noon) as the timestamp it stands for."""
    seconds = (text.try_cast("float64") * 86400).round().cast("int64").as_interval("s")
    return ibis.ifelse(text.re_search(EXCEL_SERIAL), ibis.timestamp(EXCEL_EPOCH) + seconds, ibis.null("timestamp"))


def kept_part(text: ibis.StringValue, keep: str | None) -> ibis.StringValue:
    """The part of a date's text that `dates.keep` names (its first group, or the whole match); all of it without."""
    if not keep:
        return text
    return text.re_extract(keep, 1 if re.compile(keep).groups else 0).nullif("")


@dataclass(frozen=True)
class NumberReading:
    """How numbers in the file are written: the decimal mark, the thousands separator, and why."""

    decimal: str
    group: str
    basis: str  # declared, detected or default
    point_evidence: int = 0  # sampled values that can only mean a decimal point
    comma_evidence: int = 0  # sampled values that can only mean a decimal comma

    def as_json(self) -> dict:
        return asdict(self)


SPACES = " \u00a0\u202f"  # the group symbols of fr_FR and others, and the spaces typed instead
DEFAULT_READING = NumberReading(".", ",", "default")
AUTO = "auto"


def declared_reading(locale: str) -> NumberReading:
    """The decimal mark and thousands separator of a locale (Babel's CLDR data), e.g. de_DE: ',' and '.'."""
    try:
        parsed = Locale.parse(locale)
    except (UnknownLocaleError, ValueError):
        raise ValueError(
            f"amounts.locale {locale!r} is not a known locale; use e.g. zh_CN, en_US, de_DE or auto"
        ) from None
    return NumberReading(get_decimal_symbol(parsed), get_group_symbol(parsed), f"declared: amounts.locale {locale}")


POINT_ONLY = re.compile(r"\d[.]\d{1,2}$|\d[.]\d{4,}$|,\d{3}[.]\d+$")  # 12.5, 0.12345, 1,234.50
COMMA_ONLY = re.compile(r"\d,\d{1,2}$|\d,\d{4,}$|[.]\d{3},\d+$")  # 12,5, 0,12345, 1.234,50


def detect_reading(values: pd.Series) -> NumberReading:
    """The decimal mark most sampled values show; values like `1,234` or `1.234` show neither and are not
    counted. A point when no value tells (the files this workbench was built on use one)."""
    text = values.dropna().astype(str).str.strip()
    point = int(text.str.contains(POINT_ONLY).sum())
    comma = int(text.str.contains(COMMA_ONLY).sum())
    if comma > point:
        return NumberReading(",", ".", "detected", point, comma)
    return NumberReading(".", ",", "detected" if point else "default", point, comma)


def reading_for(locale: str, sample: pd.Series) -> NumberReading:
    """The reading `amounts.locale` declares, or (auto) the one detected in a sample of the amount column."""
    return detect_reading(sample) if locale == AUTO else declared_reading(locale)


CURRENCY_BEFORE = r"(?:[¥￥$€£]|RMB|CNY|USD|EUR|GBP|HKD|人民币)"
CURRENCY_AFTER = r"(?:元|圆|块|RMB|CNY|USD|EUR|GBP|HKD)"
UNIT_AFTER = r"[一-龥A-Za-z]{1,4}"  # 盒, 件, 瓶, pcs, kg
MULTIPLIERS = {"万": 1e4, "亿": 1e8}
MINUS = ("-", "−")


def _character_class(characters: str) -> str:
    return "[" + "".join("\\" + c if c in r"\]^-[" else c for c in characters) + "]"


def written_number_pattern(reading: NumberReading, *, units: bool) -> str:
    """The pattern of a number written with this reading's marks, a sign, a currency and a multiplier; groups:
    1 and 2 signs, 3 the digits, 4 the multiplier."""
    group = _character_class(SPACES if reading.group in SPACES else reading.group)
    decimal = _character_class(reading.decimal)
    digits = rf"\d{{1,3}}(?:{group}\d{{3}})+(?:{decimal}\d+)?|\d+(?:{decimal}\d+)?|{decimal}\d+"
    after = f"(?:{CURRENCY_AFTER}|{UNIT_AFTER})" if units else CURRENCY_AFTER
    return rf"^([-−+])?\s*{CURRENCY_BEFORE}?\s*([-−])?\s*({digits})\s*(万|亿)?\s*{after}?$"


def written_number(text: ibis.StringValue, reading: NumberReading, *, units: bool = False) -> ibis.FloatingValue:
    """A number as people write it: `¥1,234.50`, `12.5元`, `1.5万`, `(300.00)`, with units `2盒`; NULL where the
    text is not one under this reading (a decimal comma in a point file stays unread, never mis-read)."""
    in_brackets = text.startswith("(") & text.endswith(")")
    inner = ibis.ifelse(in_brackets, text.substr(1, text.length() - 2).strip(), text)
    pattern = written_number_pattern(reading, units=units)
    group = _character_class(SPACES if reading.group in SPACES else reading.group)
    digits = inner.re_extract(pattern, 3).re_replace(group, "")
    if reading.decimal != ".":
        digits = digits.replace(reading.decimal, ".")
    negative = inner.re_extract(pattern, 1).isin(MINUS) | inner.re_extract(pattern, 2).isin(MINUS) | in_brackets
    multiplier = inner.re_extract(pattern, 4).cases(*MULTIPLIERS.items(), else_=1.0)
    value = digits.try_cast("float64") * multiplier * ibis.ifelse(negative, -1.0, 1.0)
    return ibis.ifelse(inner.re_search(pattern), value, ibis.null("float64"))


def plain_number(text: ibis.StringValue, reading: NumberReading) -> ibis.FloatingValue:
    """The number a plain cast reads from `text` under this reading; NULL for text written any other way."""
    plain = text.try_cast("float64")
    if reading.decimal == ".":
        return plain
    # under a decimal comma a plain cast would read '1.234' as one point two: only text without a point is plain
    return ibis.ifelse(text.contains("."), ibis.null("float64"), plain)


def parse_number(
    text: ibis.StringValue, reading: NumberReading, *, units: bool = False, plain: ibis.FloatingValue | None = None
) -> ibis.FloatingValue:
    """Text to float64: a plain number by cast, any other by `written_number`; NULL where neither reads it.
    `plain`: `plain_number(text, reading)` when the caller has it already."""
    plain = plain_number(text, reading) if plain is None else plain
    return ibis.ifelse(plain.isnull(), written_number(text, reading, units=units), plain)


# what a customer id may hide

MASKED_ID = r"[*＊]{2,}|^[0-9]*[xX]{3,}[0-9]*$"  # 138****5678, *******528, 138xxxx5678
SCIENTIFIC_ID = r"^[0-9](?:\.[0-9]+)?[eE]\+?[0-9]+$"  # 1.2E+10: Excel showed a long number and saved what it showed
DOMINANT_ID_SHARE = 0.05  # one id holding this share of the lines is a placeholder (walk-in, 0, 散客), not a person
DOMINANT_ID_MIN_IDS = 20  # below this many customers one id's share says nothing
EXAMPLES = 3


def _masked(ids: ibis.StringValue) -> ibis.BooleanValue:
    # the cheap tests first: the patterns only run on the ids that hold a '*' or three x's
    candidate = ids.contains("*") | ids.contains("＊") | ids.contains("xxx") | ids.contains("XXX")
    return ibis.ifelse(candidate, ids.re_search(MASKED_ID), False)


def _scientific(ids: ibis.StringValue) -> ibis.BooleanValue:
    candidate = ids.contains("E") | ids.contains("e")
    return ibis.ifelse(candidate, ids.re_search(SCIENTIFIC_ID), False)


def _examples(counted: ibis.Table, where: ibis.BooleanValue) -> list[str]:
    found = counted.filter(where).order_by("_id").limit(EXAMPLES).execute()["_id"]
    return [str(v) for v in found]


def id_checks(table: ibis.Table, ids: ibis.StringValue, raw_ids: ibis.StringValue | None = None) -> dict:
    """What the customer ids of `table` (lines with an id) may hide, as JSON-ready counts with examples.

    masked: ids with a run of '*' or 'x' (masking keeps a few digits, so different people may share one id);
    scientific: ids in scientific notation (a spreadsheet rounded a long number: different ids became one);
    respelled: ids that match another only after trimming spaces (`raw_ids`: the text as given where it differed);
    dominant: ids that hold a large share of the lines (a placeholder for walk-in customers, not a person).
    The lines are grouped by id once; the patterns run on the distinct ids."""
    counted = table.group_by(_id=ids).aggregate(_lines=ibis._.count())
    masked, scientific = _masked(counted._id), _scientific(counted._id)
    # the digits a mask left visible, counted only where there is a mask (a regex over every id costs)
    digits = ibis.ifelse(masked, counted._id.re_replace(r"[^0-9]", "").length(), ibis.null("int64"))
    totals = counted.aggregate(
        lines=counted._lines.sum(),
        customers=counted.count(),
        most=counted._lines.max(),
        masked_lines=counted._lines.sum(where=masked),
        masked_ids=masked.sum(),
        visible_digits=digits.min(),
        scientific_lines=counted._lines.sum(where=scientific),
        scientific_ids=scientific.sum(),
    ).execute().iloc[0]  # fmt: skip
    number = {k: int(v) if pd.notna(v) else 0 for k, v in totals.items()}
    lines, customers = number["lines"], number["customers"]
    dominant = []
    if customers >= DOMINANT_ID_MIN_IDS and number["most"] >= DOMINANT_ID_SHARE * lines:
        top = counted.filter(counted._lines >= DOMINANT_ID_SHARE * lines).order_by(ibis.desc("_lines")).limit(EXAMPLES)
        dominant = [{"id": str(row["_id"]), "lines": int(row["_lines"]), "share": row["_lines"] / lines}
                    for row in top.execute().to_dict("records")]  # fmt: skip
    return {
        "lines": lines,
        "customers": customers,
        "masked": {"lines": number["masked_lines"], "ids": number["masked_ids"],
                   "visible_digits": number["visible_digits"],
                   "examples": _examples(counted, masked) if number["masked_ids"] else []},
        "scientific": {"lines": number["scientific_lines"], "ids": number["scientific_ids"],
                       "examples": _examples(counted, scientific) if number["scientific_ids"] else []},
        "respelled": _respelled(table, ids, raw_ids) if raw_ids is not None else {"ids": 0, "examples": []},
        "dominant": {"ids": dominant, "share": DOMINANT_ID_SHARE},
    }  # fmt: skip


def _respelled(table: ibis.Table, ids: ibis.StringValue, raw_ids: ibis.StringValue) -> dict:
    """Ids written in more than one way in the file (' C001' and 'C001'): merged by trimming, which is right for
    stray spaces, but worth knowing when the spaces were part of the id."""
    spelled = table.select(_id=ids, _spelling=raw_ids.fill_null(ids))
    changed = spelled.filter(spelled._spelling != spelled._id).select("_id").distinct()
    if not changed.count().execute():
        return {"ids": 0, "examples": []}
    ways = spelled.filter(spelled._id.isin(changed._id)).group_by("_id").aggregate(ways=spelled._spelling.nunique())
    merged = ways.filter(ways.ways > 1)
    examples = merged.order_by("_id").limit(EXAMPLES).execute()["_id"].tolist()
    return {"ids": int(merged.count().execute()), "examples": [str(e) for e in examples]}
