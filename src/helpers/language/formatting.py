"""How numbers read in reports and checked outputs: money, counts and fitted values.

A fitted value (an optimizer's result, a sum over many floats) is shown at the
precision it means: its last digits differ between CPUs, so checked notebook
outputs print it to a few significant digits, never more.
"""

from __future__ import annotations

import calendar
import hashlib
import html
import math
import re

import pandas as pd
from IPython.display import Markdown
from pandas.io.formats.style import Styler

from helpers.language.i18n import SettingScope, for_reading, header, language

__all__ = [
    "CODE_SPAN",
    "ESCAPED_MARKS",
    "LITERAL_MARKS",
    "MARKDOWN_SPECIAL",
    "SCALES",
    "STABLE_DIGITS",
    "WRITTEN_MARKS",
    "amount",
    "bullets",
    "count",
    "day",
    "findings_html",
    "heading",
    "literal",
    "markdown_text",
    "mask_id",
    "money",
    "money_tick",
    "month",
    "month_name",
    "plain_text",
    "say",
    "significant",
    "styled",
    "use_currency",
]

STABLE_DIGITS = 3  # significant digits at which fitted totals, errors and AUCs are printed in checked cells


def significant(value: float, digits: int = STABLE_DIGITS) -> str:
    """`value` rounded to `digits` significant digits, with thousands separators: 1665.513 -> '1,670'."""
    if value is None or not math.isfinite(value):
        return str(value)
    if value == 0:
        return "0"
    magnitude = math.floor(math.log10(abs(value)))
    decimals = max(digits - 1 - magnitude, 0)
    rounded = round(value, digits - 1 - magnitude)
    return f"{rounded:,.{decimals}f}"


_CURRENCY = {"symbol": "$"}  # set once per stage from report.currency (use_currency), like a plotting style


def use_currency(symbol: str) -> SettingScope:
    """The currency symbol every money label uses (report.currency): from now on, or until the end of a `with`
    block."""
    previous, _CURRENCY["symbol"] = _CURRENCY["symbol"], symbol
    return SettingScope(_CURRENCY, "symbol", previous)


# large amounts as a reader of the report language expects them: 1.2k / 3.4M, or 1.2万 / 3.4亿 in Chinese
SCALES = {"en": ((1e6, "M"), (1e3, "k")), "zh": ((1e8, "亿"), (1e4, "万"))}


def money(value: float, _pos: object = None) -> str:
    """1234567 -> '$1.2M'; 1234 -> '$1.2k'; 12.5 -> '$12.50'; in Chinese 123456 -> '¥12.3万'; in the configured
    currency; '–' when there is no value."""
    if value != value:  # NaN: e.g. a lift that cannot be computed
        return "–"
    symbol = _CURRENCY["symbol"]
    sign = "-" if value < 0 else ""
    value = abs(value)
    for scale, suffix in SCALES[language()]:
        if value >= scale:
            return f"{sign}{symbol}{value / scale:.1f}{suffix}"
    return f"{sign}{symbol}{value:,.2f}" if value < 100 else f"{sign}{symbol}{value:,.0f}"


def amount(value: float) -> str:
    """An exact amount in the configured currency, for evidence a person checks: 7045 -> '¥7,045.00'."""
    sign = "-" if value < 0 else ""
    return f"{sign}{_CURRENCY['symbol']}{abs(value):,.2f}"


def money_tick(value: float, _pos: object = None) -> str:
    """Axis labels in one style: '$5', '$50', '$500', '$5k', '$50k', '$1.5M' (no cents, no mixed precision)."""
    symbol, sign, value = _CURRENCY["symbol"], "-" if value < 0 else "", abs(value)
    for scale, suffix in SCALES[language()]:
        if value >= scale:
            return f"{sign}{symbol}{value / scale:,.3g}{suffix}"
    return f"{sign}{symbol}{value:,.0f}" if value >= 100 else f"{sign}{symbol}{value:,.3g}"


def month(value) -> str:
    """A calendar month: 'Mar 1997', in Chinese '1997年3月'."""
    return f"{value.year}年{value.month}月" if language() == "zh" else f"{value:%b %Y}"


def month_name(number: int) -> str:
    """A calendar month without a year: 'November', in Chinese '11月'."""
    return f"{number}月" if language() == "zh" else calendar.month_name[number]


def count(value: float) -> str:
    """An integer count with thousands separators: 417.0 -> '417'."""
    return f"{math.floor(value + 0.5):,}"


MARKDOWN_SPECIAL = str.maketrans({c: "\\" + c for c in "\\[]$#|"})
# a data value's Markdown marks stand in for themselves: private-use characters until the sentence is rendered
LITERAL_MARKS = {"*": "\ue000", "_": "\ue001", "`": "\ue002"}
_LITERAL_TABLE = {ord(char): mark for char, mark in LITERAL_MARKS.items()}
WRITTEN_MARKS = str.maketrans({mark: char for char, mark in LITERAL_MARKS.items()})
ESCAPED_MARKS = str.maketrans({mark: "\\" + char for char, mark in LITERAL_MARKS.items()})


def literal(value: object) -> str:
    """A value from the data inside a finding (a product, a segment, a store): its *, _ and ` show as written
    instead of turning the sentence bold or into code."""
    return str(value).translate(_LITERAL_TABLE)


def markdown_text(text: str) -> str:
    """Text safe inside Markdown: HTML escaped (a '<script>' in a value shows as text), and '$' (which the
    notebook viewers read as the start of a formula) and brackets escaped. `**bold**` and `code` stay."""
    return html.escape(str(text), quote=False).translate(MARKDOWN_SPECIAL).translate(ESCAPED_MARKS)


def say(*sentences: str) -> Markdown:
    """Computed prose for a report, as Markdown that neither data values nor money can break."""
    return Markdown(" ".join(markdown_text(s) for s in sentences))


def heading(text: str, level: int = 2) -> Markdown:
    """A section heading computed in the report language."""
    return Markdown("#" * level + " " + markdown_text(text))


def bullets(sentences: list[str]) -> Markdown:
    """Findings as a Markdown list, each sentence made safe as in `say`."""
    return Markdown("\n".join(f"- {markdown_text(s)}" for s in sentences))


CODE_SPAN = re.compile(r"`([^`]+)`")


def _code_html(text: str) -> str:
    return f"<code>{html.escape(text.translate(WRITTEN_MARKS), quote=False)}</code>"


def _prose_html(text: str) -> str:
    strong = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", html.escape(text, quote=False))
    return re.sub(r"\*(.+?)\*", r"<em>\1</em>", strong).translate(WRITTEN_MARKS)


def findings_html(sentences: list[str]) -> list[str]:
    """The findings as HTML for the front page: escaped, `**bold**` as <strong>, `*italic*` as <em>, and a
    `code` span (a value as found, such as a masked id `***528`) as <code>, its text untouched."""
    # split() puts the code spans' text at the odd places
    return ["".join(_code_html(part) if place % 2 else _prose_html(part)
                    for place, part in enumerate(CODE_SPAN.split(sentence))) for sentence in sentences]  # fmt: skip


def plain_text(sentence: str) -> str:
    """A finding for a terminal: without the Markdown marks of emphasis and code."""
    return "".join(
        part if place % 2 else part.replace("**", "") for place, part in enumerate(CODE_SPAN.split(sentence))
    ).translate(WRITTEN_MARKS)


def mask_id(customer_id: str, salt: str) -> str:
    """A customer id as shown in a shared report: a salted hash, stable within one run, not reversible."""
    return "ID-" + hashlib.blake2b(f"{salt}|{customer_id}".encode(), digest_size=4).hexdigest()


def styled(frame: pd.DataFrame, formats: dict | str | None = None, **options) -> Styler:
    """A table for a report in the report language: `formats` per column (as Styler.format, keyed by the
    frame's own column names), headers readable, every value HTML-escaped, a missing value a dash (or `na_rep`).

    Values come from the data and the config (segment names, actions, channels); escaped, a
    '<script>' in them is shown as text, never run."""
    if isinstance(formats, dict) or formats is None:  # counts get thousands separators unless told otherwise
        counts = {column: "{:,}" for column in frame.columns if pd.api.types.is_integer_dtype(frame[column])
                  and not re.search(r"year|_id$|^id$", str(column))}  # fmt: skip
        formats = {header(column): shown for column, shown in (counts | (formats or {})).items()}
    options.setdefault("na_rep", "–")  # never 'nan%'
    return for_reading(frame).style.format(formats, escape="html", **options)


def day(value) -> str:
    """A date as YYYY-MM-DD for a table; empty when there is none."""
    return "" if pd.isna(value) else f"{pd.Timestamp(value):%Y-%m-%d}"
