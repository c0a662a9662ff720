"""Reading raw transaction files (CSV, Parquet, Excel; one file or a glob) into Ibis.

Every value is read as text, exactly as the user wrote it, so that parsing is a
cleaning rule with a quarantine rather than a reader that silently coerces.
Each row carries its source file and row number.
"""

from __future__ import annotations

import codecs
import glob
import shutil
from pathlib import Path

import duckdb
import ibis
import pandas as pd
from ibis.common.exceptions import IbisError

from helpers.errors import InputError

SOURCE_FILE = "_source_file"
SOURCE_ROW = "_source_row"
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
        raise InputError(f"input files mix formats {sorted(found)}; point input.path at one format")
    return found.pop()


def transcode_to_utf8(path: Path, encoding: str, work_dir: Path) -> Path:
    """Stream-decode a text file in `encoding` (e.g. GBK) into a UTF-8 copy under work_dir."""
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise InputError(
            f"unknown encoding '{encoding}' for {path}; set input.csv.encoding (e.g. utf-8, gbk)"
        ) from None
    target = Path(work_dir) / f"{path.stem}.utf8{path.suffix}"
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


def check_text_file(path: Path, encoding: str) -> None:
    """An empty file, or a first megabyte that is not in the declared encoding, is an error naming the fix."""
    with open(path, "rb") as handle:
        sample = handle.read(SAMPLE_BYTES)
    if not sample:
        raise InputError(f"input file {path} is empty (0 bytes); check input.path")
    declared = encoding.lower()
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


def _read_csv(con, files: list[Path], delimiter: str, encoding: str, header: bool, work_dir: Path):
    for path in files:
        check_text_file(path, encoding)
    if encoding.lower() not in DUCKDB_NATIVE_ENCODINGS:
        files = [transcode_to_utf8(f, encoding, work_dir) for f in files]
        encoding = "utf-8"
    encoding = {"utf-8-sig": "utf-8", "utf8": "utf-8", "latin1": "latin-1", "iso-8859-1": "latin-1"}.get(
        encoding.lower(), encoding.lower()
    )
    # one scan per file: a line with too many or too few fields is set aside (store_rejects), not the whole
    # file, and DuckDB cannot store rejects while it unions files by name; the files are unioned here
    tables = [
        con.read_csv(str(f), all_varchar=True, delim=delimiter, header=header, encoding=encoding,
                     filename=SOURCE_FILE, store_rejects=True)
        for f in files
    ]  # fmt: skip
    return union_by_name(tables)


def union_by_name(tables: list[ibis.Table]) -> ibis.Table:
    """Tables stacked by column name (columns in order of first appearance; absent ones empty)."""
    columns = list(dict.fromkeys(c for t in tables for c in t.columns))
    aligned = [t.select(*[t[c] if c in t.columns else ibis.null("string").name(c) for c in columns]) for t in tables]
    return ibis.union(*aligned) if len(aligned) > 1 else aligned[0]


def _check_sheet(path: Path, sheet: str | int, columns: list[str], expected: list[str]) -> None:
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


def _read_excel(con, files: list[Path], sheet: str | int, work_dir: Path, expected_columns: list[str]):
    frames = []
    for f in files:
        try:
            frame = pd.read_excel(f, sheet_name=sheet, dtype=str)
        except ValueError as error:
            raise InputError(f"cannot read sheet {sheet!r} of {f}: {error}; set input.sheet") from None
        _check_sheet(f, sheet, [str(c) for c in frame.columns], expected_columns)
        frames.append(frame.assign(**{SOURCE_FILE: str(f)}))
    staged = Path(work_dir) / "excel_input.parquet"
    staged.parent.mkdir(parents=True, exist_ok=True)
    pd.concat(frames, ignore_index=True).to_parquet(staged, index=False)
    return con.read_parquet(str(staged))


def read_raw(
    con,
    pattern: str | Path,
    fmt: str = "auto",
    delimiter: str = ",",
    encoding: str = "utf-8",
    header: bool = True,
    sheet: str | int = 0,
    work_dir: Path | None = None,
    expected_columns: list[str] = (),
) -> ibis.Table:
    """All rows of all matching files as text columns, plus source file and row number."""
    files = resolve_files(pattern)
    fmt = detect_format(files, fmt)
    work_dir = Path(work_dir or files[0].parent / ".workbench")
    try:
        if fmt == "csv":
            table = _read_csv(con, files, delimiter, encoding, header, work_dir)
        elif fmt == "parquet":
            table = con.read_parquet([str(f) for f in files], filename=SOURCE_FILE, union_by_name=True)
        else:
            table = _read_excel(con, files, sheet, work_dir, list(expected_columns))
    except InputError:
        raise
    except (OSError, duckdb.Error, IbisError, ValueError) as error:  # the engine's own message, said once and plainly
        first_line = str(error).strip().splitlines()[0]
        raise InputError(f"cannot read {fmt} input {pattern}: {first_line}; check input.format and input.csv") from None
    # the file's name, not its absolute path, so equal inputs give equal artifacts wherever they live
    table = table.mutate(**{SOURCE_FILE: table[SOURCE_FILE].re_extract(r"([^/\\]+)$", 1)})
    data_columns = [c for c in table.columns if c != SOURCE_FILE]
    _check_whole_floats(table, [c for c in data_columns if table[c].type().is_floating()], pattern)
    table = table.mutate(**{c: as_text(table[c]) for c in data_columns if not table[c].type().is_string()})
    # row_number() over () is streamed in scan order; offset it to count from 1 in each file
    table = table.mutate(**{SOURCE_ROW: ibis.row_number()})
    first_row = table[SOURCE_ROW].min().over(group_by=SOURCE_FILE)
    return table.mutate(**{SOURCE_ROW: table[SOURCE_ROW] - first_row + 1})


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
    if len(found) > MAX_MALFORMED_LINES:
        first = found.iloc[0]
        raise InputError(
            f"{len(found):,} lines of {first['path']} do not have the header's number of fields (e.g. line "
            f"{first['line']}: {first['raw_line'][:80]!r}); check input.csv.delimiter and input.csv.header"
        )
    return pd.DataFrame({
        SOURCE_FILE: found["path"].map(lambda p: Path(p).name).astype("string"),
        SOURCE_ROW: (found["line"] - (1 if header else 0)).astype("int64"),
        "raw_line": found["raw_line"].astype("string"),
        "error": found["error"].astype("string"),
    })  # fmt: skip


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
    found = [c for c in table.columns if c not in (SOURCE_FILE, SOURCE_ROW)]
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
