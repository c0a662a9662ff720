"""The report language: every word a reader sees goes through `t` (sentences) or `term` (names and values).

The English text is the message id, as in gettext; `helpers.language.messages.ZH` is the reviewed Simplified
Chinese catalogue. `t` fills `{placeholders}` after translating, so numbers are formatted by the caller
(`helpers.language.formatting`, which follows the language too). `term` translates vocabulary (segment names, tiers,
lifecycle stages, risk tiers, default actions, column headers) and leaves anything it does not know, such
as a user's own segment name, as it is. A test fails when a message in the code lacks its translation.
"""

from __future__ import annotations

import string
from typing import overload

import pandas as pd

from helpers.language.messages import ZH

__all__ = [
    "LANGUAGES",
    "SettingScope",
    "export_header",
    "for_reading",
    "header",
    "language",
    "t",
    "t_series",
    "term",
    "use_language",
]

LANGUAGES = ("en", "zh")
_LANGUAGE = {"code": "en"}  # set once per stage from report.language, like the plotting style


class SettingScope:
    """Restores a process-wide report setting (the language, the currency) to the value it had when its `with`
    block ends."""

    def __init__(self, store: dict[str, str], key: str, previous: str) -> None:
        self.store, self.key, self.previous = store, key, previous

    def __enter__(self) -> SettingScope:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.store[self.key] = self.previous


def use_language(code: str) -> SettingScope:
    """Reports, figures and exports speak `code` ('en' or 'zh'): from now on, or until the end of a `with` block
    (`with use_language("zh"): ...`)."""
    if code not in LANGUAGES:
        raise ValueError(f"report.language must be one of {LANGUAGES}, not {code!r}")
    previous, _LANGUAGE["code"] = _LANGUAGE["code"], code
    return SettingScope(_LANGUAGE, "code", previous)


def language() -> str:
    return _LANGUAGE["code"]


def t(message: str, /, **values: object) -> str:
    """`message` in the report language, with `values` filled in."""
    text = ZH.get(message, message) if _LANGUAGE["code"] == "zh" else message
    return text.format(**values) if values else text


def t_series(message: str, **columns: pd.Series | str) -> pd.Series:
    """`message` in the report language, filled row by row from text Series or one text (vectorised)."""
    text = {name: value.astype(str) if isinstance(value, pd.Series) else value for name, value in columns.items()}
    result: pd.Series | str = ""
    for literal, name, _spec, _conversion in string.Formatter().parse(t(message)):
        piece = literal if name is None else literal + text[name]
        result = result + piece
    return result if isinstance(result, pd.Series) else pd.Series(result)


@overload
def term(value: str) -> str: ...
@overload
def term(value: object) -> object: ...
def term(value: object) -> object:
    """A name or value (segment, tier, stage, action, column) in the report language; unknown values unchanged."""
    if _LANGUAGE["code"] == "zh" and isinstance(value, str):
        return ZH.get(value, ZH.get(value.replace("_", " "), value))
    if _LANGUAGE["code"] == "zh" and isinstance(value, bool):
        return ZH[str(value)]
    return value


@overload
def header(name: str) -> str: ...
@overload
def header(name: object) -> object: ...
def header(name: object) -> object:
    """A column or index name for a reader: 'share_of_revenue' -> 'share of revenue' (or its translation)."""
    return term(name.replace("_", " ")) if isinstance(name, str) else name


def export_header(name: str) -> str:
    """A column of a CSV/XLSX export: the machine name in English (a CRM import maps it), translated otherwise."""
    return name if _LANGUAGE["code"] == "en" else str(header(name))


def for_reading(frame: pd.DataFrame) -> pd.DataFrame:
    """A table for a reader: headers through `header`, names and text values through `term`, true/false as
    yes/no in the report language."""
    shown = frame.copy()
    for column in shown.columns:
        if pd.api.types.is_bool_dtype(shown[column]):
            shown[column] = shown[column].map({True: t("yes"), False: t("no")})
        elif pd.api.types.is_object_dtype(shown[column]) or pd.api.types.is_string_dtype(shown[column]):
            shown[column] = shown[column].map(term)
    names = [header(n) for n in shown.index.names]
    if isinstance(shown.index, pd.MultiIndex):
        shown.index = pd.MultiIndex.from_tuples([tuple(term(v) for v in key) for key in shown.index], names=names)
    else:
        shown.index = shown.index.map(term).rename(names[0])
    shown = shown.rename(columns=header)
    shown.columns.name = header(shown.columns.name)
    return shown
