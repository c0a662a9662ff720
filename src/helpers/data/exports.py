"""Tables people open in Excel: CSV with a byte-order mark, XLSX with ids as text, no formula injection.

Excel on a Chinese Windows reads a CSV as the local code page unless it starts with a UTF-8
byte-order mark, so every CSV export carries one. A text cell starting with '=', '+', '-', '@'
(or a tab or carriage return) would run as a formula in a spreadsheet; in CSV it is prefixed
with an apostrophe, in XLSX it is stored as a text cell, never as a formula.
"""

from __future__ import annotations

import csv
import datetime
import io
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from itertools import chain
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import xlsxwriter

from helpers.core.config import EXCEL_MAX_ROWS
from helpers.language.i18n import export_header, t, term

__all__ = [
    "ACTION_LIST_FORMATS",
    "ALERT_FORMATS",
    "CSV_DECIMALS",
    "CSV_ENCODING",
    "DUE_SOON_FORMATS",
    "FIXED_DATE",
    "FORMULA_STARTS",
    "WRITE_ROWS",
    "Frames",
    "display_width",
    "each_distinct",
    "for_readers",
    "neutralised",
    "pieces",
    "read_export",
    "sheet_limit",
    "sheet_rows",
    "slices",
    "text_columns",
    "write_csv",
    "write_xlsx",
]

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_ENCODING = "utf-8-sig"
FIXED_DATE = datetime.datetime(2000, 1, 1)
ACTION_LIST_FORMATS = {"p_alive": "0%", "churn_probability": "0%", "clv": "#,##0.00", "value_if_retained": "#,##0.00",
                       "value_at_risk": "#,##0.00", "typical_gap_days": "#,##0", "days_since_last_purchase": "#,##0",
                       "last_purchase_date": "yyyy-mm-dd", "offer_send_on": "yyyy-mm-dd",
                       "expected_next_purchase": "yyyy-mm-dd", "p_purchase_30d": "0%", "moment_date": "yyyy-mm-dd",
                       "moment_send_on": "yyyy-mm-dd", "moment_value": "#,##0.00"}  # fmt: skip
ALERT_FORMATS = {"first_date": "yyyy-mm-dd", "last_date": "yyyy-mm-dd", "amount": "#,##0.00", "robust_z": "0.0"}
DUE_SOON_FORMATS = {"last_purchase_date": "yyyy-mm-dd", "expected_next_purchase": "yyyy-mm-dd",
                    "offer_send_on": "yyyy-mm-dd",
                    **{c: "#,##0" for c in ("days_since_last_purchase", "typical_gap_days", "wait_low_days",
                                            "wait_median_days", "wait_high_days")},
                    **{c: "0%" for c in ("p_alive", "p_purchase_7d", "p_purchase_30d", "p_purchase_90d",
                                         "p_purchase_due_window")}}  # fmt: skip


Frames = pd.DataFrame | Iterable[pd.DataFrame]  # a table given whole, or in slices of rows in order


CSV_DECIMALS = 4  # enough for a probability or a share; money has at most 2


def slices(frames: Frames) -> Iterator[pd.DataFrame]:
    """A table given whole or in slices, as slices; a sliced table must give at least one (maybe empty) slice."""
    return iter([frames]) if isinstance(frames, pd.DataFrame) else iter(frames)


WRITE_ROWS = 500_000  # rows worded for readers at a time: 02's 12 million customers at once took 4 GiB more


def pieces(frames: Frames) -> Iterator[pd.DataFrame]:
    """A table's slices, each of at most WRITE_ROWS rows (a longer one cut, without copying, into consecutive
    pieces): what a CSV or XLSX writer words and writes at a time."""
    for frame in slices(frames):
        for start in range(0, max(len(frame), 1), WRITE_ROWS):
            yield frame.iloc[start : start + WRITE_ROWS]


def neutralised(column: pd.Series) -> pd.Series:
    """The column with each text value that a spreadsheet would run as a formula prefixed with an apostrophe;
    other values unchanged."""
    if pd.api.types.is_string_dtype(column) and column.dtype != object:
        formula = column.str.startswith(FORMULA_STARTS).fillna(False).astype(bool)
    else:  # values of any type: only text can be a formula
        formula = column.map(lambda value: isinstance(value, str) and value.startswith(FORMULA_STARTS)).astype(bool)
    return column.mask(formula, "'" + column[formula].astype(str))  # only the few formula cells are rebuilt


def each_distinct(column: pd.Series, change: Callable[[Any], Any]) -> pd.Series:
    """`change` of each value, computed once per distinct value (a million cells of a vocabulary hold a few); the
    column itself when nothing changes."""
    codes, distinct = pd.factorize(column)  # a missing value has the code -1: the last entry below
    changed = [change(value) for value in distinct]
    if all(new is value for new, value in zip(changed, distinct, strict=True)):
        return column
    return pd.Series(np.array([*changed, np.nan], dtype=object)[codes], index=column.index, name=column.name)


def text_columns(frame: pd.DataFrame) -> list[str]:
    return [
        c for c in frame.columns if pd.api.types.is_object_dtype(frame[c]) or pd.api.types.is_string_dtype(frame[c])
    ]


def for_readers(frame: pd.DataFrame) -> pd.DataFrame:
    """Headers and vocabulary values (segments, tiers, stages, actions) in the report language; ids unchanged."""
    shown = frame.copy()
    for column in text_columns(shown):
        if column != "customer_id":
            shown[column] = each_distinct(shown[column], term)
    return shown.rename(columns=export_header)


def write_csv(frames: Frames, path: str | Path) -> None:
    """CSV in UTF-8 with a byte-order mark, in the report language, numbers to CSV_DECIMALS places (the Parquet
    twin keeps full precision); text that starts like a formula is neutralised. The table is worded and
    written at most WRITE_ROWS rows at a time (`pieces`), under one header.

    Arrow writes the rows (about 12 times as fast as pandas' to_csv: 20 s for the 1.2 million customers of the
    1e7 bench's action list), text quoted; the header is written as pandas would, unquoted where it can be."""
    with open(path, "wb") as out:
        for number, frame in enumerate(pieces(frames)):
            safe = for_readers(frame)
            decimals = safe.select_dtypes("float").columns
            safe[decimals] = safe[decimals].round(CSV_DECIMALS)
            for column in text_columns(safe):
                safe[column] = neutralised(safe[column])
            if number == 0:
                header = io.StringIO()
                csv.writer(header, lineterminator="\n").writerow(safe.columns)
                out.write(header.getvalue().encode(CSV_ENCODING))
            pacsv.write_csv(_as_csv_text(safe), out, pacsv.WriteOptions(include_header=False))


def _as_csv_text(frame: pd.DataFrame) -> pa.Table:
    """The columns as Arrow writes them to CSV the way pandas would: True/False, dates without a time when no value
    has one, text as text (a category, or an object column of mixed values, too)."""
    columns = {}
    for name in frame.columns:
        column = frame[name]
        if pd.api.types.is_bool_dtype(column):
            values = pa.array(column.map({True: "True", False: "False"}).astype("str"), from_pandas=True)
        elif pd.api.types.is_datetime64_any_dtype(column):
            known = column.dropna()
            whole_days = (known == known.dt.normalize()).all()
            values = pa.array(column, from_pandas=True).cast(pa.date32() if whole_days else pa.timestamp("s"),
                                                             safe=False)  # fmt: skip
        elif pd.api.types.is_numeric_dtype(column):
            values = pa.array(column, from_pandas=True)
        else:
            values = pa.array(column.astype("str"), from_pandas=True)
        columns[str(name)] = values
    return pa.table(columns)


def _number_format(series: pd.Series, formats: dict[str, str], name: str) -> str | None:
    if name in formats:
        return formats[name]
    if pd.api.types.is_datetime64_any_dtype(series):
        return "yyyy-mm-dd"
    return None


def display_width(value: object) -> int:
    """How many Latin characters wide a value shows in a spreadsheet: a Chinese (wide) character takes two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in str(value))


def write_xlsx(frames: Frames, path: str | Path, *, formats: dict[str, str] | None = None, sheet: str = "list",
               max_rows: int | None = None) -> bool:  # fmt: skip
    """One sheet: a frozen header with filters, columns sized to their content, text cells stored as text
    (customer ids keep leading zeros; nothing runs as a formula), `formats` as Excel number formats per column.
    A sheet holds at most `max_rows` rows (at most Excel's EXCEL_MAX_ROWS): a longer table keeps its first rows
    (the CSV has them all). The table is written at most WRITE_ROWS rows at a time (`pieces`), sized and styled by
    its first piece, and read no further than the sheet's limit. Returns whether the sheet holds every row.

    XlsxWriter streams the rows (constant memory, its scratch file beside `path`), about 2.5 times as fast as
    openpyxl's write-only cells; its zip entries carry a fixed date, and so equal tables give byte-equal files."""
    formats = {export_header(column): number_format for column, number_format in (formats or {}).items()}
    given = pieces(frames)
    first = for_readers(next(given))
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "tmpdir": str(Path(path).parent),
                                           "strings_to_formulas": False, "strings_to_urls": False,
                                           "strings_to_numbers": False, "remove_timezone": True})  # fmt: skip
    book.set_properties({"created": FIXED_DATE})
    table = book.add_worksheet(sheet)
    text = set(text_columns(first))
    for index, name in enumerate(first.columns):
        longest = max([display_width(name), *(display_width(v) for v in first[name].head(1000))])
        table.set_column(index, index, min(max(10, longest + 2), 80))
    table.freeze_panes(1, 0)
    table.write_row(0, 0, [str(c) for c in first.columns])
    styles = [
        book.add_format({"num_format": f}) if f else None
        for f in ("@" if name in text else _number_format(first[name], formats, name) for name in first.columns)
    ]
    writers = [_cell_writer(table, first[name], as_text=name in text) for name in first.columns]
    limit = sheet_rows(max_rows)
    written, complete = 0, True
    for number, frame in enumerate(chain([first], given)):
        rows = frame.head(limit - written)
        shown = rows if number == 0 else for_readers(rows)
        for row, (values, missing) in enumerate(zip(shown.itertuples(index=False), shown.isna().to_numpy(),
                                                    strict=True), start=written + 1):  # fmt: skip
            for column, (value, gap, write, style) in enumerate(zip(values, missing, writers, styles, strict=True)):
                if not gap:
                    write(row, column, value, style)
        written += len(rows)
        if len(rows) < len(frame):
            complete = False
            break
    table.autofilter(0, 0, written, max(len(first.columns), 1) - 1)
    book.close()
    return complete


def _cell_writer(table, column: pd.Series, *, as_text: bool):
    """How one column's cells are written: text as text (never a formula), numbers, booleans, dates; anything else
    as XlsxWriter sees it."""
    if as_text:
        return lambda row, col, value, style: table.write_string(row, col, str(value), style)
    if pd.api.types.is_bool_dtype(column):
        return table.write_boolean
    if pd.api.types.is_numeric_dtype(column):
        return table.write_number
    if pd.api.types.is_datetime64_any_dtype(column):
        return lambda row, col, value, style: table.write_datetime(row, col, value.to_pydatetime(), style)
    return table.write


def read_export(path: str | Path) -> pd.DataFrame:
    """A CSV or XLSX export read back as people's tools see it: every cell as text (ids keep leading zeros)."""
    path = Path(path)
    if path.suffix == ".xlsx":
        return pd.read_excel(path, dtype=str, keep_default_na=False)
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding=CSV_ENCODING)


def sheet_rows(max_rows: int | None) -> int:
    """The rows an Excel export holds at most: `max_rows` (report.xlsx_max_rows), never beyond Excel's sheet."""
    return min(max_rows or EXCEL_MAX_ROWS, EXCEL_MAX_ROWS)


def sheet_limit(rows: int, name: str, *, max_rows: int | None = None) -> list[str]:
    """The sentence a report adds (none when it fits) for a list longer than its .xlsx holds: what that holds."""
    limit = sheet_rows(max_rows)
    if rows <= limit:
        return []
    if limit < EXCEL_MAX_ROWS:
        return [t("`{name}.xlsx` has the first {limit} of the {rows} rows, in the list's order (report.xlsx_max_rows:"
                  " a sheet people can open and filter); `{name}.csv` has them all.", limit=f"{limit:,}", name=name,
                  rows=f"{rows:,}")]  # fmt: skip
    return [t("Excel holds {limit} rows, so `{name}.xlsx` has the first {limit} of the {rows}; `{name}.csv` has "
              "them all.", limit=f"{limit:,}", name=name, rows=f"{rows:,}")]  # fmt: skip
