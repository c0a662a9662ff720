"""`workbench check`: everything that can be checked before a run without computing anything.

The config (keys, types, cross-field dates, one canonical name per input column) is checked
when it is parsed; here the input files are opened: each exists and is not empty, its first
megabyte decodes in the declared encoding, every mapped column is in its header, and a sample's
order dates, amounts and quantities read as ingest will read them; its customer ids are checked
for masking, scientific notation and placeholders. Every problem is reported in one pass: a check
that fails is a line of the report, never a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import ibis
import pandas as pd
from ibis.common.exceptions import IbisError

from helpers.core.config import WorkbenchConfig
from helpers.core.errors import InputError
from helpers.core.parsing import id_checks, parse_number
from helpers.data.backends import connect
from helpers.data.ingest import CleaningOptions, accounted_money, parse_date
from helpers.data.sources import SOURCE_FILE, SOURCE_ROW, detect_format, read_raw, resolve_files
from helpers.language.formatting import plain_text
from helpers.report.findings import id_sentences

__all__ = ["CHECK_ERRORS", "EXAMPLES", "FAILURE_SHARE", "SAMPLE_ROWS", "Finding", "check_inputs"]

SAMPLE_ROWS = 1000
EXAMPLES = 3
FAILURE_SHARE = 0.5  # more unread values than this in the sample: the mapping or the format is wrong
CHECK_ERRORS = (InputError, duckdb.Error, IbisError, ValueError, OSError, UnicodeError)


@dataclass(frozen=True)
class Finding:
    """One line of the check's report: `level` is ok, note (worth knowing, the run works) or problem."""

    level: str
    text: str

    def __str__(self) -> str:
        return f"{self.level}: {self.text}"


def _ok(text: str) -> Finding:
    return Finding("ok", text)


def _problem(text: str) -> Finding:
    return Finding("problem", text)


def _note(text: str) -> Finding:
    return Finding("note", text)


def check_inputs(config: WorkbenchConfig) -> list[Finding]:
    """What was checked, one finding each, problems included; it does not raise on a bad input."""
    if config.input.path is None:
        return [_ok(f"input: the built-in dataset '{config.input.dataset}' (generated at run time, nothing to read)")]
    try:
        files = resolve_files(config.input.path)
        fmt = detect_format(files, config.input.format)
    except InputError as error:
        return [_problem(str(error))]
    found = [_ok(f"input: {len(files)} {fmt} file(s) found for {config.input.path}")]
    for path in files:
        try:
            found += _check_file(config, path, fmt)
        except CHECK_ERRORS as error:
            found.append(_problem(f"{path.name}: {_first_line(error)}"))
    return found


def _first_line(error: Exception) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def _check_file(config: WorkbenchConfig, path: Path, fmt: str) -> list[Finding]:
    source, mapping = config.input, config.columns.mapped()
    raw = read_raw(connect(), path, fmt=fmt, delimiter=source.csv.delimiter, encoding=source.csv.encoding,
                   header=source.csv.header, sheet=source.sheet, expected_columns=list(mapping.values()))  # fmt: skip
    columns = [c for c in raw.columns if c not in (SOURCE_FILE, SOURCE_ROW) and not c.startswith("_")]
    missing = {canonical: column for canonical, column in mapping.items() if column not in columns}
    found = [_problem(f"column '{column}' not found in {path}; columns are {columns}; set columns.{canonical} in "
                      "your config") for canonical, column in missing.items()]  # fmt: skip
    if not missing:
        found.append(_ok(f"{path.name}: not empty, readable as {source.csv.encoding if fmt == 'csv' else fmt}, "
                         f"has every mapped column ({len(columns)} columns)"))  # fmt: skip
    present = [column for column in dict.fromkeys(mapping.values()) if column in columns]
    sample = raw.table.select(*present).limit(SAMPLE_ROWS).execute() if present else pd.DataFrame()
    if sample.empty:
        return [*found, _problem(f"{path.name}: no data rows to check; check input.path and input.csv.header")]
    text = sample.astype("string").astype(object).where(sample.notna(), None)
    table = ibis.memtable(text, schema=dict.fromkeys(text.columns, "string"))  # an empty column is text too
    options = CleaningOptions.from_config(config.dates, config.cleaning, config.amounts)
    money = "amount" if "amount" in mapping else "unit_price"
    if money not in missing:  # amounts and quantities are read the way the amounts show, as ingest reads them
        options = options.read_numbers_as(table, mapping[money])
    checks = (("order_date", _dates), (money, _amounts), ("quantity", _quantities), ("customer_id", _ids))
    for canonical, check in checks:
        if canonical in mapping and canonical not in missing:
            try:
                found += check(table, mapping[canonical], options=options, name=path.name)
            except CHECK_ERRORS as error:
                found.append(_problem(f"{path.name}: checking '{mapping[canonical]}' failed: {_first_line(error)}"))
    return found


def _unread(table: ibis.Table, column: str, parsed: ibis.Value) -> tuple[int, int, list[str]]:
    """Given values, how many did not read, and a few of them as written."""
    text = table[column].strip().nullif("")
    judged = table.select(text=table[column], given=text.notnull(), unread=text.notnull() & parsed.isnull())
    frame = judged.execute()
    unread = frame.loc[frame["unread"].astype(bool), "text"]
    return int(frame["given"].sum()), len(unread), unread.drop_duplicates().head(EXAMPLES).tolist()


def _read_share(what: str, column: str, *, counts: tuple[int, int, list[str]], name: str, fix: str) -> Finding:
    given, unread, examples = counts
    text = f"{name}: {given - unread:,} of the first {given:,} {what} in '{column}' read"
    if given and unread / given > FAILURE_SHARE:
        return _problem(f"{text}; {unread:,} do not, e.g. {examples}; {fix}")
    return _ok(text + (f"; {unread:,} do not and will be set aside, e.g. {examples}" if unread else ""))


def _dates(table: ibis.Table, column: str, *, options: CleaningOptions, name: str) -> list[Finding]:
    parsed = parse_date(table[column], options.date_format, options.date_keep)
    counts = _unread(table, column, parsed)
    return [_read_share("order dates", column, counts=counts, name=name,
                        fix="set dates.format (e.g. '%Y%m%d', '%d/%m/%Y %H:%M') or dates.keep")]  # fmt: skip


def _amounts(table: ibis.Table, column: str, *, options: CleaningOptions, name: str) -> list[Finding]:
    reading = options.number_reading
    money = accounted_money(parse_number(table[column].strip(), reading), options.max_abs_amount)  # inf is no money
    counts = _unread(table, column, money)
    how = f"numbers read with decimal mark '{reading.decimal}', thousands separator '{reading.group}' ({reading.basis})"
    fix = "set amounts.locale (e.g. de_DE for 1.234,50) or map columns.amount to the money column"
    return [_read_share("amounts", column, counts=counts, name=name, fix=fix), _ok(f"{name}: {how}")]


def _quantities(table: ibis.Table, column: str, *, options: CleaningOptions, name: str) -> list[Finding]:
    parsed = parse_number(table[column].strip(), options.number_reading, units=True)
    fix = "map columns.quantity to the units column or leave it out"
    return [_read_share("quantities", column, counts=_unread(table, column, parsed), name=name, fix=fix)]


def _ids(table: ibis.Table, column: str, *, options: CleaningOptions, name: str) -> list[Finding]:
    ids = table[column].strip().nullif("")
    with_id = table.filter(ids.notnull())
    report = id_checks(with_id, with_id[column].strip())
    return [_note(f"{name}: {plain_text(sentence)}") for sentence in id_sentences(report)] or [
        _ok(f"{name}: {report['customers']:,} customer ids in the first {report['lines']:,} lines; none masked, "
            "in scientific notation or a placeholder")
    ]  # fmt: skip
