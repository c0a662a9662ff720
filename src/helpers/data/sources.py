"""Reading raw transaction files (CSV, Parquet, Excel; one file or a glob) into Ibis.

Every value is read as text, exactly as the user wrote it, so that parsing is a
cleaning rule with a quarantine rather than a reader that silently coerces.
Each row carries its source file and row number.
"""

from __future__ import annotations

import codecs
import csv
import glob
import io
import shutil
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
import ibis
import pandas as pd
from ibis.common.exceptions import IbisError

from helpers.core.errors import InputError
from helpers.data import spark_ingest

__all__ = [
    "DUCKDB_NATIVE_ENCODINGS",
    "EXACT_INTEGERS",
    "FORMATS",
    "LATIN1_NAMES",
    "LINE",
    "MAX_MALFORMED_LINES",
    "NO",
    "NUMBERED",
    "SAMPLE_BYTES",
    "SOURCE_FILE",
    "SOURCE_ROW",
    "UTF8_NAMES",
    "UTF16_NUL_SHARE",
    "YES",
    "RawInput",
    "as_text",
    "check_header_names",
    "check_mapping",
    "check_text_file",
    "checked_malformed",
    "csv_header",
    "detect_format",
    "malformed_lines",
    "read_raw",
    "read_table_file",
    "resolve_files",
    "store_lines",
    "stored_table",
    "transcode_to_utf8",
    "utf16_form",
]

SOURCE_FILE = "_source_file"
SOURCE_ROW = "_source_row"
LINE = "_line"  # a row's number across all files: the key ingest joins on
DUCKDB_NATIVE_ENCODINGS = {"utf-8", "utf8", "utf-8-sig", "utf-16", "latin-1", "latin1", "iso-8859-1"}
FORMATS = {".csv": "csv", ".txt": "csv", ".tsv": "csv", ".parquet": "parquet", ".pq": "parquet", ".xlsx": "excel"}


def resolve_files(pattern: str | Path) -> list[Path]:
    """Files matching a path or glob, sorted; a clear error when there are none."""
    files = sorted(Path(p) for p in glob.glob(str(pattern)) if Path(p).is_file())
    if not files:
        raise InputError(f"input file '{pattern}' not found (no file matches); check input.path in your config")
    return files


def detect_format(files: list[Path], declared: str = "auto") -> str:
    """The one format of all files: as declared, or from their extensions."""
    if declared != "auto":
        return declared
    found = {FORMATS.get(f.suffix.lower()) for f in files}
    if None in found:
        unknown = next(f for f in files if FORMATS.get(f.suffix.lower()) is None)
        raise InputError(
            f"cannot tell the format of {unknown} from its extension; "
            f"set input.format to one of csv, parquet, excel (known extensions: {sorted(FORMATS)})"
        )
    if len(found) > 1:
        raise InputError(f"input files mix formats {sorted(str(f) for f in found)}; point input.path at one format")
    return str(found.pop())


def transcode_to_utf8(path: Path, encoding: str, work_dir: Path) -> Path:
    """Stream-decode a text file in `encoding` (e.g. GBK) into a UTF-8 copy under work_dir."""
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise InputError(
            f"unknown encoding '{encoding}' for {path}; set input.csv.encoding (e.g. utf-8, gbk)"
        ) from None
    target = Path(work_dir) / "utf-8" / path.name  # the same name: rows are reported against the user's file
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with open(path, encoding=encoding, newline="") as src, open(target, "w", encoding="utf-8", newline="") as dst:
            shutil.copyfileobj(src, dst, 1 << 22)
    except UnicodeDecodeError as error:
        raise InputError(
            f"{path} is not valid {encoding} (byte {error.start}); set input.csv.encoding to the file's encoding"
        ) from None
    return target


SAMPLE_BYTES = 1 << 20
UTF8_NAMES = {"utf-8", "utf8", "utf-8-sig"}
LATIN1_NAMES = {"latin-1", "latin1", "iso-8859-1"}


def _decodes(sample: bytes, encoding: str) -> bool:
    try:
        codecs.getincrementaldecoder(encoding)().decode(sample, final=False)  # a character may straddle the cut
    except UnicodeDecodeError:
        return False
    return True


UTF16_NUL_SHARE = 0.3  # of the bytes at one parity: ASCII characters in UTF-16 without a byte order mark


def utf16_form(sample: bytes) -> str | None:
    """How `sample` shows it is UTF-16: its byte order mark, or (no mark) NUL bytes at one parity only, as the
    digits, commas and Latin letters of an export give; None for any other text."""
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "byte order mark"
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if min(even, odd) == 0 and max(even, odd) >= UTF16_NUL_SHARE * len(sample) / 2:
        return "no byte order mark, NUL bytes at every other position"
    return None


def check_text_file(path: Path, encoding: str) -> None:
    """An empty file, or a first megabyte that is not in the declared encoding, is an error naming the fix."""
    with open(path, "rb") as handle:
        sample = handle.read(SAMPLE_BYTES)
    if not sample:
        raise InputError(f"input file {path} is empty (0 bytes); check input.path")
    declared = encoding.lower()
    utf16 = utf16_form(sample)
    if utf16 and not declared.startswith("utf-16"):
        raise InputError(
            f"{path} is UTF-16 text ({utf16}; read as {encoding}, every other byte would be NUL); "
            "set input.csv.encoding: utf-16"
        )
    if declared in LATIN1_NAMES and not sample.isascii() and _decodes(sample, "utf-8"):
        raise InputError(
            f"{path} is declared {encoding} but its text is UTF-8 (read as {encoding}, 'é' would become 'Ã©'); "
            "set input.csv.encoding: utf-8"
        )
    if declared in UTF8_NAMES and not _decodes(sample, "utf-8"):
        guess = next((name for name in ("gbk", "big5", "shift_jis") if _decodes(sample, name)), "latin-1")
        raise InputError(
            f"{path} is not valid UTF-8; it decodes as {guess.upper()} (common for exports from Chinese Windows "
            f"POS systems when GBK); set input.csv.encoding: {guess}"
        )


def check_header_names(path: Path, names: list[str], expected_columns: list[str]) -> None:
    """A column the config maps whose name the header gives twice is an error: which one is meant is a guess."""
    for name in dict.fromkeys(n for n in names if n in expected_columns and names.count(n) > 1):
        places = ", ".join(str(number) for number, n in enumerate(names, start=1) if n == name)
        raise InputError(
            f"the header of {path} names column '{name}' {names.count(name)} times (columns {places}); which one "
            "your config means is ambiguous: rename the copies in the file (or export without them)"
        )


def csv_header(path: Path, delimiter: str, encoding: str) -> list[str]:
    """The names on a CSV file's first line."""
    encoding = "utf-8-sig" if encoding.lower() in UTF8_NAMES else encoding
    with open(path, "rb") as handle:
        first = io.TextIOWrapper(handle, encoding=encoding, errors="replace", newline="").readline()
    return next(csv.reader([first], delimiter=delimiter), [])


def _read_csv(con, files: list[Path], *, delimiter: str, encoding: str, header: bool, work_dir: Path,
              expected_columns: list[str]):  # fmt: skip
    for path in files:
        check_text_file(path, encoding)
        if header:
            check_header_names(path, csv_header(path, delimiter, encoding), expected_columns)
    if encoding.lower() not in DUCKDB_NATIVE_ENCODINGS:
        files = [transcode_to_utf8(f, encoding, work_dir) for f in files]
        encoding = "utf-8"
    encoding = {"utf-8-sig": "utf-8", "utf8": "utf-8", "latin1": "latin-1", "iso-8859-1": "latin-1"}.get(
        encoding.lower(), encoding.lower()
    )
    # one scan per file: a line with too many or too few fields is set aside (store_rejects), not the whole
    # file, and DuckDB cannot store rejects while it unions files by name; the files are stacked by read_raw
    return [
        # quote and escape as RFC 4180: the sniffer reads the first rows only, and a file whose first quoted field
        # ("PAPER CRAFT , LITTLE BIRDIE") comes later would have it split as too many fields
        con.read_csv(str(f), all_varchar=True, delim=delimiter, header=header, encoding=encoding, store_rejects=True,
                     quote='"', escape='"')
        for f in files
    ]  # fmt: skip


def _aligned(tables: list[ibis.Table]) -> list[ibis.Table]:
    """Text tables with the columns of all, in order of first appearance (absent ones empty)."""
    columns = list(dict.fromkeys(c for t in tables for c in t.columns))
    return [t.select(*[t[c] if c in t.columns else ibis.null("string").name(c) for c in columns]) for t in tables]


def _check_sheet(path: Path, sheet: str | int, *, columns: list[str], expected: list[str]) -> None:
    """The chosen sheet has the mapped columns; else name the sheet that has them, or list the sheets."""
    missing = [c for c in expected if c not in columns]
    if not missing:
        return
    sheets = pd.ExcelFile(path).sheet_names
    chosen = sheets[sheet] if isinstance(sheet, int) else sheet
    fits = [s for s in sheets if s != chosen and set(expected) <= set(pd.read_excel(path, sheet_name=s, nrows=0))]
    hint = f"sheet '{fits[0]}' has them: set input.sheet: {fits[0]}" if fits else "set input.sheet and columns:"
    raise InputError(
        f"sheet '{chosen}' of {path} has no column {missing[0]!r} (its columns are {columns}); "
        f"the workbook's sheets are {sheets}; {hint}"
    )


def _stage_excel(files: list[Path], sheet: str | int, *, work_dir: Path, expected_columns: list[str]) -> list[Path]:
    """Each workbook's sheet as text in a Parquet file under work_dir, for the engine to read."""
    staged = []
    for number, f in enumerate(files):
        try:
            frame = pd.read_excel(f, sheet_name=sheet, dtype=str)
        except ValueError as error:
            raise InputError(f"cannot read sheet {sheet!r} of {f}: {error}; set input.sheet") from None
        header = pd.read_excel(f, sheet_name=sheet, header=None, nrows=1, dtype=str).iloc[0].astype(str).tolist()
        check_header_names(f, header, expected_columns)  # pandas renames a second 'amount' to 'amount.1'
        _check_sheet(f, sheet, columns=[str(c) for c in frame.columns], expected=expected_columns)
        staged.append(Path(work_dir) / f"excel_input_{number}.parquet")
        staged[-1].parent.mkdir(parents=True, exist_ok=True)
        frame.to_parquet(staged[-1], index=False)
    return staged


def _as_text_columns(table: ibis.Table, pattern: str | Path) -> ibis.Table:
    """Every column as text; floats holding whole numbers beyond 2^53 stop with an error."""
    _check_whole_floats(table, [c for c in table.columns if table[c].type().is_floating()], pattern)
    typed = [c for c in table.columns if not table[c].type().is_string() and c != SOURCE_ROW]
    return table.mutate(**{c: as_text(table[c]) for c in typed})


@dataclass(frozen=True)
class RawInput:
    """The input files, read lazily as text and aligned on the union of their columns (absent ones empty)."""

    names: tuple[str, ...]  # each file's name, not its path: equal inputs give equal artifacts wherever they live
    tables: tuple[ibis.Table, ...]  # on Spark each row has its `_source_row` already
    malformed: pd.DataFrame | None = None  # on Spark: the lines set aside while reading (see `malformed_lines`)
    rows: tuple[int, ...] | None = None  # on Spark: each file's rows, malformed lines included

    @property
    def columns(self) -> list[str]:
        """The columns of all files, in order of first appearance."""
        return [c for c in self.tables[0].columns if c != SOURCE_ROW]

    @property
    def table(self) -> ibis.Table:
        """All files stacked, each row with its file's name (row numbers come when the rows are stored)."""
        parts = [t.mutate(**{SOURCE_FILE: ibis.literal(n)}) for t, n in zip(self.tables, self.names, strict=True)]
        return ibis.union(*parts) if len(parts) > 1 else parts[0]


def read_raw(
    con,
    pattern: str | Path,
    *,
    fmt: str = "auto",
    delimiter: str = ",",
    encoding: str = "utf-8",
    header: bool = True,
    sheet: str | int = 0,
    work_dir: Path | None = None,
    expected_columns: Sequence[str] = (),
) -> RawInput:
    """All rows of all matching files as text columns; nothing is read beyond the headers until used."""
    files = resolve_files(pattern)
    fmt = detect_format(files, fmt)
    work_dir = Path(work_dir or files[0].parent / ".workbench")
    names, malformed, rows = tuple(f.name for f in files), None, None
    try:
        if fmt == "excel":
            files = _stage_excel(files, sheet, work_dir=work_dir, expected_columns=list(expected_columns))
        if spark_ingest.is_spark(con):
            tables, malformed, rows = _read_on_spark(
                con, files, fmt=fmt, delimiter=delimiter, encoding=encoding, header=header, work_dir=work_dir
            )
        elif fmt == "csv":
            tables = _read_csv(
                con,
                files,
                delimiter=delimiter,
                encoding=encoding,
                header=header,
                work_dir=work_dir,
                expected_columns=list(expected_columns),
            )
        else:
            tables = [con.read_parquet(str(f)) for f in files]
        tables = [_as_text_columns(t, pattern) for t in tables]
    except InputError:
        raise
    except (OSError, duckdb.Error, IbisError, ValueError) as error:  # the engine's own message, said once and plainly
        raise _read_error(fmt, pattern, error) from None
    return RawInput(names, tuple(_aligned(tables)), malformed, rows)


def _read_on_spark(con, files: list[Path], *, fmt: str, delimiter: str, encoding: str, header: bool, work_dir: Path):
    """Each file read by Spark with its rows numbered; the malformed lines of all files; each file's rows."""
    try:
        return _numbered_on_spark(
            con, files, fmt=fmt, delimiter=delimiter, encoding=encoding, header=header, work_dir=work_dir
        )
    except spark_ingest.errors() as error:
        raise _read_error(fmt, files[0], RuntimeError(spark_ingest.root_cause(error))) from None


def _numbered_on_spark(con, files: list[Path], *, fmt: str, delimiter: str, encoding: str, header: bool,
                       work_dir: Path):  # fmt: skip
    if fmt == "csv":
        for path in files:
            check_text_file(path, encoding)
        if encoding.lower() not in UTF8_NAMES:
            files = [transcode_to_utf8(f, encoding, work_dir) for f in files]
        frames = [spark_ingest.read_csv(con, f, delimiter=delimiter, header=header) for f in files]
    else:
        frames = [spark_ingest.read_parquet(con, f) for f in files]
    read = [spark_ingest.numbered(con, frame, SOURCE_ROW) for frame in frames]
    malformed = pd.concat([lines.assign(**{SOURCE_FILE: f.name}) for (_, lines, _), f in zip(read, files, strict=True)],
                          ignore_index=True)  # fmt: skip
    malformed = malformed.astype({SOURCE_FILE: "string", SOURCE_ROW: "int64", "raw_line": "string"})
    tables, _, rows = zip(*read, strict=True)
    return list(tables), checked_malformed(malformed.assign(error="wrong number of fields")), rows


def _read_error(fmt: str, pattern: str | Path, error: Exception) -> InputError:
    first_line = str(error).strip().splitlines()[0]
    return InputError(f"cannot read {fmt} input {pattern}: {first_line}; check input.format and input.csv")


def store_lines(con, raw: RawInput, derive: Callable[[ibis.Table], ibis.Table]) -> ibis.Table:
    """`derive` of each file's rows, stored file after file in reading order in a temporary table, with `_line`
    (a number across files), `_source_file` and `_source_row` (within the file). Row numbers come from the
    table's own row ids (insertion order is kept), which costs nothing, unlike a row_number() window over the
    scan."""
    name = f"_lines_{uuid.uuid4().hex}"
    first_lines = []
    try:
        for number, table in enumerate(raw.tables):
            first_lines.append(con.table(name).count().execute() if number else 0)
            if number:
                con.insert(name, derive(table))
            else:
                con.create_table(name, derive(table), temp=True)
    except (OSError, duckdb.Error, IbisError) as error:
        raise _read_error("the", raw.names[number], error) from None
    names = [_sql_text(n) for n in raw.names]
    con.raw_sql(
        f'CREATE TEMP VIEW "{name}{NUMBERED}" AS SELECT *, rowid AS "{LINE}", '
        f'{_by_file(first_lines, names)} AS "{SOURCE_FILE}", '
        f'rowid + 1 - {_by_file(first_lines, [str(n) for n in first_lines])} AS "{SOURCE_ROW}" FROM "{name}"'
    )
    return con.table(f"{name}{NUMBERED}")


NUMBERED = "_rows"  # the suffix of `store_lines`' view over its table


def stored_table(lines: ibis.Table) -> str:
    """The temporary table behind the view `store_lines` returned (where `LINE` is the rowid)."""
    return lines.get_name().removesuffix(NUMBERED)


def _by_file(first_lines: list[int], values: list[str]) -> str:
    """SQL for the value of the file a row came from, found by its rowid (files are stored one after another)."""
    pairs = zip(first_lines[:0:-1], values[:0:-1], strict=True)  # the later files, last first
    later = " ".join(f"WHEN rowid >= {start} THEN {value}" for start, value in pairs)
    return f"CASE {later} ELSE {values[0]} END" if later else values[0]


def _sql_text(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


MAX_MALFORMED_LINES = 1000


def malformed_lines(con, header: bool = True) -> pd.DataFrame:
    """The CSV lines DuckDB could not split into the header's columns in this connection's scans:
    source_file (name), source_row (data row number), raw_line and error; empty when there were none."""
    query = (
        "SELECT DISTINCT s.file_path AS path, e.line, e.csv_line AS raw_line, e.error_type AS error "
        "FROM reject_errors e JOIN reject_scans s ON e.scan_id = s.scan_id AND e.file_id = s.file_id"
    )
    try:
        found = con.raw_sql(query).df()
    except duckdb.CatalogException:  # no CSV was read with store_rejects in this connection
        found = pd.DataFrame(columns=["path", "line", "raw_line", "error"])
    found = found.drop_duplicates(["path", "line"]).sort_values(["path", "line"], ignore_index=True)
    return checked_malformed(pd.DataFrame({
        SOURCE_FILE: found["path"].map(lambda p: Path(p).name).astype("string"),
        SOURCE_ROW: (found["line"] - (1 if header else 0)).astype("int64"),
        "raw_line": found["raw_line"].astype("string"),
        "error": found["error"].astype("string"),
    }))  # fmt: skip


def checked_malformed(lines: pd.DataFrame) -> pd.DataFrame:
    """The malformed lines, unless there are so many that the delimiter or header setting must be wrong."""
    if len(lines) > MAX_MALFORMED_LINES:
        first = lines.iloc[0]
        raise InputError(
            f"{len(lines):,} lines of {first[SOURCE_FILE]} do not have the header's number of fields (e.g. data "
            f"row {first[SOURCE_ROW]}: {first['raw_line'][:80]!r}); check input.csv.delimiter and input.csv.header"
        )
    return lines


EXACT_INTEGERS = 2**53  # a float64 holds every whole number below this exactly


def as_text(column: ibis.Value) -> ibis.StringValue:
    """A typed column as the text a user would have exported: whole floats without '.0' (ids stored as 123.0)."""
    if column.type().is_floating():
        whole = (column == column.floor()) & (column.abs() < EXACT_INTEGERS)
        return ibis.ifelse(whole, column.cast("int64").cast("string"), column.cast("string"))
    return column.cast("string")


def _check_whole_floats(table: ibis.Table, columns: list[str], pattern: str | Path) -> None:
    """Whole numbers too large for a float64 (typically ids) have lost their last digits: stop and say so."""
    if not columns:
        return
    too_large = table.aggregate(**{c: (table[c].abs() >= EXACT_INTEGERS).sum() for c in columns}).execute()
    for column in columns:
        if int(too_large[column].iloc[0] or 0):
            example = table.filter(table[column].abs() >= EXACT_INTEGERS).select(column).limit(1).execute()[column][0]
            raise InputError(
                f"column '{column}' of {pattern} stores whole numbers above 2^53 as floating point "
                f"(e.g. {example:.17g}): their last digits are already lost in the file; export that column as text"
            )


def check_mapping(table: ibis.Table, mapping: dict[str, str], pattern: str | Path) -> None:
    """Every mapped column exists; otherwise list what does and name the config key."""
    found = [c for c in table.columns if c not in (SOURCE_FILE, SOURCE_ROW, LINE)]
    for canonical, user_column in mapping.items():
        if user_column not in found:
            raise InputError(
                f"column '{user_column}' not found in {pattern}; columns are {found}; "
                f"set columns.{canonical} in your config"
            )


YES = {"1", "1.0", "true", "yes", "y", "是", "t"}
NO = {"0", "0.0", "false", "no", "n", "否", "f", ""}  # empty: not given (no consent, no conversion)


def read_table_file(path: Path) -> pd.DataFrame:
    """A small table a user gives beside the log (a campaign assignment): Parquet, Excel, or CSV in UTF-8 (with or
    without a byte-order mark) or GBK; ids stay text."""
    if not path.exists():
        raise InputError(f"{path} not found")
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        return pd.read_parquet(path)
    if suffix in (".xlsx", ".xls"):
        return pd.read_excel(path, dtype=str, keep_default_na=False)
    if suffix not in (".csv", ".txt"):
        raise InputError(f"{path}: read as Parquet, Excel (.xlsx) or CSV; '{suffix}' is none of them")
    raw = path.read_bytes()
    encoding = "utf-8-sig" if _decodes(raw[: 1 << 16], "utf-8") else "gbk"
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding=encoding)
