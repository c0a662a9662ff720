"""How numbers read in reports and checked outputs: money, counts and fitted values.

A fitted value (an optimizer's result, a sum over many floats) is shown at the
precision it means: its last digits differ between CPUs, so checked notebook
outputs print it to a few significant digits, never more.
"""

from __future__ import annotations

import math

import pandas as pd
from pandas.io.formats.style import Styler

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


def money(value: float, _pos: object = None) -> str:
    """1234567 -> '$1.2M'; 1234 -> '$1.2k'; 12.5 -> '$12.50'."""
    sign = "-" if value < 0 else ""
    value = abs(value)
    if value >= 1e6:
        return f"{sign}${value / 1e6:.1f}M"
    if value >= 1e3:
        return f"{sign}${value / 1e3:.1f}k"
    return f"{sign}${value:,.2f}" if value < 100 else f"{sign}${value:,.0f}"


def styled(frame: pd.DataFrame, formats: dict | str | None = None, **options) -> Styler:
    """A table for a report: `formats` per column (as Styler.format), every value HTML-escaped.

    Values come from the data and the config (segment names, actions, channels); escaped, a
    '<script>' in them is shown as text, never run."""
    return frame.style.format(formats, escape="html", **options)
