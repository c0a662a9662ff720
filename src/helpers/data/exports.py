"""Tables people open in Excel: CSV with a byte-order mark, XLSX with ids as text, no formula injection.

Excel on a Chinese Windows reads a CSV as the local code page unless it starts with a UTF-8
byte-order mark, so every CSV export carries one. A text cell starting with '=', '+', '-', '@'
(or a tab or carriage return) would run as a formula in a spreadsheet; in CSV it is prefixed
with an apostrophe, in XLSX it is stored as a text cell, never as a formula.
"""

from __future__ import annotations

import datetime
import io
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from itertools import chain
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

from helpers.language.i18n import export_header, t, term

__all__ = [
    "ACTION_LIST_FORMATS",
    "ALERT_FORMATS",
    "CSV_DECIMALS",
    "CSV_ENCODING",
    "DUE_SOON_FORMATS",
    "EXCEL_MAX_ROWS",
    "FIXED_DATE",
    "FORMULA_STARTS",
    "Frames",
    "display_width",
    "for_readers",
    "neutralise",
    "read_export",
    "sheet_limit",
    "slices",
    "text_columns",
    "write_csv",
    "write_xlsx",
]

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_ENCODING = "utf-8-sig"
FIXED_DATE = datetime.datetime(2000, 1, 1)
EXCEL_MAX_ROWS = 1_048_575  # a worksheet's rows below the header
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


def neutralise(value: object) -> object:
    """A text value that a spreadsheet would run as a formula, prefixed with an apostrophe; others unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def text_columns(frame: pd.DataFrame) -> list[str]:
    return [
        c for c in frame.columns if pd.api.types.is_object_dtype(frame[c]) or pd.api.types.is_string_dtype(frame[c])
    ]


def for_readers(frame: pd.DataFrame) -> pd.DataFrame:
    """Headers and vocabulary values (segments, tiers, stages, actions) in the report language; ids unchanged."""
    shown = frame.copy()
    for column in text_columns(shown):
        if column != "customer_id":
            shown[column] = shown[column].map(term)
    return shown.rename(columns=export_header)


def write_csv(frames: Frames, path: str | Path) -> None:
    """CSV in UTF-8 with a byte-order mark, in the report language, numbers to CSV_DECIMALS places (the Parquet
    twin keeps full precision); text that starts like a formula is neutralised. A table given in slices is
    written a slice at a time, under one header."""
    with open(path, "w", encoding=CSV_ENCODING, newline="") as out:
        for number, frame in enumerate(slices(frames)):
            safe = for_readers(frame)
            decimals = safe.select_dtypes("float").columns
            safe[decimals] = safe[decimals].round(CSV_DECIMALS)
            for column in text_columns(safe):
                safe[column] = safe[column].map(neutralise)
            safe.to_csv(out, index=False, header=number == 0)


def _number_format(series: pd.Series, formats: dict[str, str], name: str) -> str | None:
    if name in formats:
        return formats[name]
    if pd.api.types.is_datetime64_any_dtype(series):
        return "yyyy-mm-dd"
    return None


def display_width(value: object) -> int:
    """How many Latin characters wide a value shows in a spreadsheet: a Chinese (wide) character takes two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in str(value))


def write_xlsx(frames: Frames, path: str | Path, *, formats: dict[str, str] | None = None, sheet: str = "list") -> bool:
    """One sheet: a frozen header with filters, columns sized to their content, text cells stored as text
    (customer ids keep leading zeros; nothing runs as a formula), `formats` as Excel number formats per column.
    A sheet holds at most EXCEL_MAX_ROWS rows: a longer table keeps its first rows (the CSV has them all).
    A table given in slices is written a slice at a time, sized and styled by its first slice, and read no further
    than the sheet's limit. Returns whether the sheet holds every row."""
    formats = {export_header(column): number_format for column, number_format in (formats or {}).items()}
    given = slices(frames)
    first = for_readers(next(given))
    book = Workbook(write_only=True)  # rows stream to disk: a million-row sheet does not sit in memory as cells
    table = book.create_sheet(sheet)
    text = set(text_columns(first))
    for index, name in enumerate(first.columns, start=1):
        longest = max([display_width(name), *(display_width(v) for v in first[name].head(1000))])
        table.column_dimensions[get_column_letter(index)].width = min(max(10, longest + 2), 80)
    table.freeze_panes = "A2"
    table.append([str(c) for c in first.columns])
    styles = ["@" if name in text else _number_format(first[name], formats, name) for name in first.columns]
    written, complete = 0, True
    for number, frame in enumerate(chain([first], given)):
        rows = frame.head(EXCEL_MAX_ROWS - written)
        for values in (rows if number == 0 else for_readers(rows)).itertuples(index=False):
            table.append([_cell(table, value, style) for value, style in zip(values, styles, strict=True)])
        written += len(rows)
        if len(rows) < len(frame):
            complete = False
            break
    table.auto_filter.ref = f"A1:{get_column_letter(max(len(first.columns), 1))}{written + 1}"  # after the rows
    _save_reproducibly(book, path)
    return complete


def _cell(table, value, number_format: str | None):
    """One cell: empty for a missing value; text ("@") stored as text, never run as a formula."""
    if pd.isna(value):
        return None
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if number_format is None:
        return value
    cell = WriteOnlyCell(table, value=value)
    if number_format == "@":
        cell.data_type = "s"
    cell.number_format = number_format
    return cell


def _save_reproducibly(book: Workbook, path: str | Path) -> None:
    """Save with fixed document and zip-entry dates, so equal tables give byte-equal files (runs compare)."""
    book.properties.created = book.properties.modified = FIXED_DATE
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(book, archive).write_data()
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            target.writestr(zipfile.ZipInfo(entry.filename, date_time=FIXED_DATE.timetuple()[:6]),
                            source.read(entry.filename), zipfile.ZIP_DEFLATED)  # fmt: skip


def read_export(path: str | Path) -> pd.DataFrame:
    """A CSV or XLSX export read back as people's tools see it: every cell as text (ids keep leading zeros)."""
    path = Path(path)
    if path.suffix == ".xlsx":
        return pd.read_excel(path, dtype=str, keep_default_na=False)
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding=CSV_ENCODING)


def sheet_limit(rows: int, name: str) -> list[str]:
    """The sentence a report adds (none when it fits) for a list longer than an Excel sheet: what its .xlsx holds."""
    if rows <= EXCEL_MAX_ROWS:
        return []
    return [t("Excel holds {limit} rows, so `{name}.xlsx` has the first {limit} of the {rows}; `{name}.csv` has "
              "them all.", limit=f"{EXCEL_MAX_ROWS:,}", name=name, rows=f"{rows:,}")]  # fmt: skip
